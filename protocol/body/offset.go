package body

import (
	"fmt"
	"strconv"
)

// OffsetEntry is one Integer → Long map entry: queue id → committed
// consumer offset in consumerOffset.json, delay level → next schedule-queue
// index in delayOffset.json.
type OffsetEntry struct {
	ID     int32
	Offset int64
}

// ConsumerOffsetSerializeWrapper is the broker's committed consumer offsets
// (Java ConsumerOffsetSerializeWrapper, and the shape ConsumerOffsetManager
// writes): consumerOffset.json and the GET_ALL_CONSUMER_OFFSET body. Keys
// are "topic@group"; each value lists its queues in the Java map's order.
// Order keeps the outer table's order for encoding; when it does not list
// every key the encoder sorts them.
type ConsumerOffsetSerializeWrapper struct {
	OffsetTable map[string][]OffsetEntry
	Order       []string
}

func (w *ConsumerOffsetSerializeWrapper) names() []string {
	if len(w.Order) == len(w.OffsetTable) {
		return w.Order
	}
	return sortedKeys(w.OffsetTable)
}

// EncodePretty writes consumerOffset.json as the Java broker does.
func (w *ConsumerOffsetSerializeWrapper) EncodePretty() []byte { return w.encode(true) }

// Encode writes the compact GET_ALL_CONSUMER_OFFSET body.
func (w *ConsumerOffsetSerializeWrapper) Encode() []byte { return w.encode(false) }

func (w *ConsumerOffsetSerializeWrapper) encode(pretty bool) []byte {
	fw := newFJWriter(pretty, 32+64*len(w.OffsetTable))
	fw.open()
	fw.key("offsetTable")
	fw.open()
	for _, key := range w.names() {
		fw.key(key)
		fw.intLongMap(w.OffsetTable[key])
	}
	fw.close()
	fw.close()
	return fw.buf
}

// DecodeConsumerOffsetSerializeWrapper parses consumerOffset.json or a
// GET_ALL_CONSUMER_OFFSET body (quoted or bare queue ids). Other properties
// (5.x's dataVersion) are ignored; Order and every queue list keep the
// text's order.
func DecodeConsumerOffsetSerializeWrapper(data []byte) (*ConsumerOffsetSerializeWrapper, error) {
	v, err := decodeObject(data, "ConsumerOffsetSerializeWrapper")
	if err != nil {
		return nil, err
	}
	w := &ConsumerOffsetSerializeWrapper{OffsetTable: map[string][]OffsetEntry{}}
	f, ok := v.get("offsetTable")
	if !ok {
		return w, nil
	}
	if err := f.objectOrNull("offsetTable"); err != nil {
		return nil, err
	}
	for i, key := range f.keys {
		if f.vals[i].k == kNull {
			continue
		}
		entries, err := decodeIntLongMap(&f.vals[i], key)
		if err != nil {
			return nil, err
		}
		if _, dup := w.OffsetTable[key]; !dup {
			w.Order = append(w.Order, key)
		}
		w.OffsetTable[key] = entries
	}
	return w, nil
}

// decodeIntLongMap reads {id:offset,...}; a repeated id keeps its first
// position and its last value, as a Java map fed in text order does.
func decodeIntLongMap(v *value, what string) ([]OffsetEntry, error) {
	if err := v.objectOrNull(what); err != nil {
		return nil, err
	}
	out := make([]OffsetEntry, 0, len(v.keys))
	// While the ids come strictly ascending (as Java and Go write them) a
	// new id cannot be a repeat; otherwise an index finds repeats.
	var pos map[int32]int
	for i, k := range v.keys {
		id64, err := strconv.ParseInt(k, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("body: %s: key %q is not an int", what, k)
		}
		off, err := v.vals[i].asInt64(what)
		if err != nil {
			return nil, err
		}
		id := int32(id64)
		if pos == nil && (len(out) == 0 || out[len(out)-1].ID < id) {
			out = append(out, OffsetEntry{ID: id, Offset: off})
			continue
		}
		if pos == nil {
			pos = make(map[int32]int, len(v.keys))
			for j, e := range out {
				pos[e.ID] = j
			}
		}
		if j, ok := pos[id]; ok {
			out[j].Offset = off
		} else {
			pos[id] = len(out)
			out = append(out, OffsetEntry{ID: id, Offset: off})
		}
	}
	return out, nil
}

// DelayOffsetSerializeWrapper is the schedule service's progress (Java
// DelayOffsetSerializeWrapper): delayOffset.json and the
// GET_ALL_DELAY_OFFSET body. OffsetTable lists delay level → next index
// of SCHEDULE_TOPIC_XXXX queue level-1, in the Java map's order.
type DelayOffsetSerializeWrapper struct {
	OffsetTable []OffsetEntry
}

// EncodePretty writes delayOffset.json as a Java master does.
func (w *DelayOffsetSerializeWrapper) EncodePretty() []byte { return w.encode(true) }

// Encode writes the compact form: the GET_ALL_DELAY_OFFSET body, which a
// Java slave stores as its delayOffset.json unchanged.
func (w *DelayOffsetSerializeWrapper) Encode() []byte { return w.encode(false) }

func (w *DelayOffsetSerializeWrapper) encode(pretty bool) []byte {
	fw := newFJWriter(pretty, 32+16*len(w.OffsetTable))
	fw.open()
	fw.key("offsetTable")
	fw.intLongMap(w.OffsetTable)
	fw.close()
	return fw.buf
}

// DecodeDelayOffsetSerializeWrapper parses delayOffset.json in either
// layout (pretty from a master, compact from a slave's copy).
func DecodeDelayOffsetSerializeWrapper(data []byte) (*DelayOffsetSerializeWrapper, error) {
	v, err := decodeObject(data, "DelayOffsetSerializeWrapper")
	if err != nil {
		return nil, err
	}
	w := &DelayOffsetSerializeWrapper{}
	if f, ok := v.get("offsetTable"); ok {
		if w.OffsetTable, err = decodeIntLongMap(f, "offsetTable"); err != nil {
			return nil, err
		}
	}
	return w, nil
}
