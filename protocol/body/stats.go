package body

import (
	"fmt"
	"strconv"
)

// TopicOffset is one queue's range in a GET_TOPIC_STATS_INFO answer (Java
// common.admin.TopicOffset): the min and max logical offsets and the store
// time of the last message (0 when the queue is empty).
type TopicOffset struct {
	MinOffset           int64
	MaxOffset           int64
	LastUpdateTimestamp int64
}

// TopicStatsTable is the GET_TOPIC_STATS_INFO body (Java
// common.admin.TopicStatsTable): each queue of the topic on the broker.
//
//	{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":1700000000000,"maxOffset":5,"minOffset":0}}}
type TopicStatsTable struct {
	OffsetTable map[MessageQueue]TopicOffset
}

// Encode writes the body as fastjson does (queue-object keys).
func (t *TopicStatsTable) Encode() []byte {
	dst := make([]byte, 0, 32+120*len(t.OffsetTable))
	dst = append(dst, `{"offsetTable":{`...)
	for i, q := range sortedQueues(t.OffsetTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		o := t.OffsetTable[q]
		dst = q.AppendJSON(dst)
		dst = append(dst, `:{"lastUpdateTimestamp":`...)
		dst = strconv.AppendInt(dst, o.LastUpdateTimestamp, 10)
		dst = append(dst, `,"maxOffset":`...)
		dst = strconv.AppendInt(dst, o.MaxOffset, 10)
		dst = append(dst, `,"minOffset":`...)
		dst = strconv.AppendInt(dst, o.MinOffset, 10)
		dst = append(dst, '}')
	}
	return append(dst, "}}"...)
}

// DecodeTopicStatsTable parses a TopicStatsTable body (fastjson object
// keys, string keys or Gson pairs).
func DecodeTopicStatsTable(data []byte) (*TopicStatsTable, error) {
	v, err := parseObjectKeyed(data, "TopicStatsTable")
	if err != nil {
		return nil, err
	}
	t := &TopicStatsTable{OffsetTable: map[MessageQueue]TopicOffset{}}
	f, ok := v.get("offsetTable")
	if !ok {
		return t, nil
	}
	err = queueEntries(f, "offsetTable", func(q MessageQueue, val *value) error {
		var o TopicOffset
		if err := longFields(val, "TopicOffset", map[string]*int64{
			"minoffset": &o.MinOffset, "maxoffset": &o.MaxOffset, "lastupdatetimestamp": &o.LastUpdateTimestamp,
		}); err != nil {
			return err
		}
		t.OffsetTable[q] = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// longFields reads the named long properties of a bean (names folded with
// beanKey); other properties are ignored.
func longFields(v *value, what string, fields map[string]*int64) error {
	if v.k == kNull {
		return nil
	}
	if v.k != kObject {
		return fmt.Errorf("body: %s: expected an object", what)
	}
	for i, k := range v.keys {
		dst, ok := fields[beanKey(k)]
		if !ok {
			continue
		}
		n, err := v.vals[i].asInt64(k)
		if err != nil {
			return fmt.Errorf("body: %s: %w", what, err)
		}
		*dst = n
	}
	return nil
}

// OffsetWrapper is one queue's consumption progress (Java
// common.admin.OffsetWrapper): the queue's max offset, the group's
// committed offset and the store time of the last consumed message.
type OffsetWrapper struct {
	BrokerOffset   int64
	ConsumerOffset int64
	LastTimestamp  int64
}

// ConsumeStats is the GET_CONSUME_STATS body (Java
// common.admin.ConsumeStats): a group's progress per queue and its
// consume TPS.
//
//	{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":5,"consumerOffset":3,"lastTimestamp":1700000000000}}}
type ConsumeStats struct {
	OffsetTable map[MessageQueue]OffsetWrapper
	ConsumeTps  float64
}

// ComputeTotalDiff is the sum over queues of broker minus consumer
// offset (Java computeTotalDiff).
func (c *ConsumeStats) ComputeTotalDiff() int64 {
	var total int64
	for _, o := range c.OffsetTable {
		total += o.BrokerOffset - o.ConsumerOffset
	}
	return total
}

func (c *ConsumeStats) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"consumeTps":`...)
	dst = appendJavaDouble(dst, c.ConsumeTps)
	dst = append(dst, `,"offsetTable":{`...)
	for i, q := range sortedQueues(c.OffsetTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		o := c.OffsetTable[q]
		dst = q.AppendJSON(dst)
		dst = append(dst, `:{"brokerOffset":`...)
		dst = strconv.AppendInt(dst, o.BrokerOffset, 10)
		dst = append(dst, `,"consumerOffset":`...)
		dst = strconv.AppendInt(dst, o.ConsumerOffset, 10)
		dst = append(dst, `,"lastTimestamp":`...)
		dst = strconv.AppendInt(dst, o.LastTimestamp, 10)
		dst = append(dst, '}')
	}
	return append(dst, "}}"...)
}

// Encode writes the body as fastjson does (queue-object keys).
func (c *ConsumeStats) Encode() []byte {
	return c.appendJSON(make([]byte, 0, 48+120*len(c.OffsetTable)))
}

func decodeConsumeStats(v *value) (ConsumeStats, error) {
	c := ConsumeStats{OffsetTable: map[MessageQueue]OffsetWrapper{}}
	if v.k != kObject {
		return c, fmt.Errorf("body: ConsumeStats: expected an object")
	}
	if f, ok := v.get("consumeTps"); ok {
		var err error
		if c.ConsumeTps, err = f.asFloat64("consumeTps"); err != nil {
			return c, err
		}
	}
	f, ok := v.get("offsetTable")
	if !ok {
		return c, nil
	}
	err := queueEntries(f, "offsetTable", func(q MessageQueue, val *value) error {
		var o OffsetWrapper
		if err := longFields(val, "OffsetWrapper", map[string]*int64{
			"brokeroffset": &o.BrokerOffset, "consumeroffset": &o.ConsumerOffset, "lasttimestamp": &o.LastTimestamp,
		}); err != nil {
			return err
		}
		c.OffsetTable[q] = o
		return nil
	})
	return c, err
}

// DecodeConsumeStats parses a ConsumeStats body.
func DecodeConsumeStats(data []byte) (*ConsumeStats, error) {
	v, err := parseObjectKeyed(data, "ConsumeStats")
	if err != nil {
		return nil, err
	}
	c, err := decodeConsumeStats(&v)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// GroupConsumeStats is one element of ConsumeStatsList.consumeStatsList:
// Java writes a one-entry Map<group, List<ConsumeStats>> per group.
type GroupConsumeStats struct {
	Group string
	Stats []ConsumeStats
}

// ConsumeStatsList is the GET_BROKER_CONSUME_STATS body (Java
// ConsumeStatsList): every group's ConsumeStats per topic, and the sum of
// their lags.
//
//	{"brokerAddr":"10.0.0.1:10911","consumeStatsList":[{"G":[{"consumeTps":0.0,"offsetTable":{...}}]}],"totalDiff":2}
type ConsumeStatsList struct {
	BrokerAddr       string
	TotalDiff        int64
	ConsumeStatsList []GroupConsumeStats
}

// Encode writes the body as fastjson does.
func (l *ConsumeStatsList) Encode() []byte {
	dst := make([]byte, 0, 256)
	dst = append(dst, '{')
	if l.BrokerAddr != "" {
		dst = append(dst, `"brokerAddr":`...)
		dst = appendString(dst, l.BrokerAddr, false)
		dst = append(dst, ',')
	}
	dst = append(dst, `"consumeStatsList":[`...)
	for i, g := range l.ConsumeStatsList {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		dst = appendKey(dst, g.Group, false)
		dst = append(dst, '[')
		for j := range g.Stats {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = g.Stats[j].appendJSON(dst)
		}
		dst = append(dst, "]}"...)
	}
	dst = append(dst, `],"totalDiff":`...)
	dst = strconv.AppendInt(dst, l.TotalDiff, 10)
	return append(dst, '}')
}

// DecodeConsumeStatsList parses a ConsumeStatsList body. A list element
// holding several groups yields one GroupConsumeStats per group.
func DecodeConsumeStatsList(data []byte) (*ConsumeStatsList, error) {
	v, err := parseObjectKeyed(data, "ConsumeStatsList")
	if err != nil {
		return nil, err
	}
	l := &ConsumeStatsList{}
	if f, ok := v.get("brokerAddr"); ok {
		if l.BrokerAddr, err = f.asString("brokerAddr"); err != nil {
			return nil, err
		}
	}
	if f, ok := v.get("totalDiff"); ok {
		if l.TotalDiff, err = f.asInt64("totalDiff"); err != nil {
			return nil, err
		}
	}
	f, ok := v.get("consumeStatsList")
	if !ok || f.k == kNull {
		return l, nil
	}
	if f.k != kArray {
		return nil, fmt.Errorf("body: consumeStatsList: expected an array")
	}
	for i := range f.arr {
		m := &f.arr[i]
		if err := m.objectOrNull("consumeStatsList[]"); err != nil {
			return nil, err
		}
		for j, group := range m.keys {
			g := GroupConsumeStats{Group: group}
			list := &m.vals[j]
			if list.k != kArray && list.k != kNull {
				return nil, fmt.Errorf("body: consumeStatsList[%s]: expected an array", group)
			}
			for k := range list.arr {
				cs, err := decodeConsumeStats(&list.arr[k])
				if err != nil {
					return nil, fmt.Errorf("body: consumeStatsList[%s]: %w", group, err)
				}
				g.Stats = append(g.Stats, cs)
			}
			l.ConsumeStatsList = append(l.ConsumeStatsList, g)
		}
	}
	return l, nil
}
