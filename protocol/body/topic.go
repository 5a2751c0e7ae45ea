package body

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DataVersion versions a broker's topic table (Java DataVersion). Two
// versions are equal when both fields are.
type DataVersion struct {
	Timestamp int64
	Counter   int64
}

// AppendJSON writes {"counter":N,"timestamp":T}.
func (d DataVersion) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"counter":`...)
	dst = strconv.AppendInt(dst, d.Counter, 10)
	dst = append(dst, `,"timestamp":`...)
	dst = strconv.AppendInt(dst, d.Timestamp, 10)
	return append(dst, '}')
}

// Encode returns the JSON form.
func (d DataVersion) Encode() []byte { return d.AppendJSON(nil) }

func decodeDataVersion(v *value) (DataVersion, error) {
	var d DataVersion
	if err := v.objectOrNull("dataVersion"); err != nil {
		return d, err
	}
	var err error
	for i, k := range v.keys {
		switch k {
		case "counter":
			d.Counter, err = v.vals[i].asInt64(k)
		case "timestamp":
			d.Timestamp, err = v.vals[i].asInt64(k)
		}
		if err != nil {
			return d, err
		}
	}
	return d, nil
}

// DecodeDataVersion parses a DataVersion JSON body.
func DecodeDataVersion(data []byte) (DataVersion, error) {
	v, err := decodeObject(data, "DataVersion")
	if err != nil {
		return DataVersion{}, err
	}
	return decodeDataVersion(&v)
}

// Topic filter types (Java TopicFilterType).
const (
	SingleTag = "SINGLE_TAG"
	MultiTag  = "MULTI_TAG"
)

// TopicConfig is a broker's configuration of one topic (Java TopicConfig).
type TopicConfig struct {
	TopicName       string
	ReadQueueNums   int32
	WriteQueueNums  int32
	Perm            int32
	TopicFilterType string
	TopicSysFlag    int32
	Order           bool
}

// NewTopicConfig returns a config with Java's defaults: 16/16 queues,
// perm 6, SINGLE_TAG.
func NewTopicConfig(name string) TopicConfig {
	return TopicConfig{TopicName: name, ReadQueueNums: 16, WriteQueueNums: 16, Perm: PermRead | PermWrite, TopicFilterType: SingleTag}
}

func (t *TopicConfig) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"order":`...)
	dst = appendBool(dst, t.Order)
	dst = append(dst, `,"perm":`...)
	dst = strconv.AppendInt(dst, int64(t.Perm), 10)
	dst = append(dst, `,"readQueueNums":`...)
	dst = strconv.AppendInt(dst, int64(t.ReadQueueNums), 10)
	dst = append(dst, `,"topicFilterType":`...)
	dst = appendString(dst, t.TopicFilterType, false)
	dst = append(dst, `,"topicName":`...)
	dst = appendString(dst, t.TopicName, false)
	dst = append(dst, `,"topicSysFlag":`...)
	dst = strconv.AppendInt(dst, int64(t.TopicSysFlag), 10)
	dst = append(dst, `,"writeQueueNums":`...)
	dst = strconv.AppendInt(dst, int64(t.WriteQueueNums), 10)
	return append(dst, '}')
}

func decodeTopicConfig(key string, v *value) (TopicConfig, error) {
	t := NewTopicConfig(key)
	if v.k != kObject {
		return t, fmt.Errorf("body: topicConfig %q: expected an object", key)
	}
	var err error
	for i, k := range v.keys {
		f := &v.vals[i]
		switch k {
		case "topicName":
			var name string
			if name, err = f.asString(k); err == nil && name != "" {
				t.TopicName = name
			}
		case "readQueueNums":
			t.ReadQueueNums, err = f.asInt32(k)
		case "writeQueueNums":
			t.WriteQueueNums, err = f.asInt32(k)
		case "perm":
			t.Perm, err = f.asInt32(k)
		case "topicFilterType":
			t.TopicFilterType, err = f.asString(k)
		case "topicSysFlag":
			t.TopicSysFlag, err = f.asInt32(k)
		case "order":
			t.Order, err = f.asBool(k)
		}
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

// encodeLine is the compressed-register form: "name read write perm filter".
func (t *TopicConfig) encodeLine() string {
	return t.TopicName + " " + strconv.Itoa(int(t.ReadQueueNums)) + " " + strconv.Itoa(int(t.WriteQueueNums)) +
		" " + strconv.Itoa(int(t.Perm)) + " " + t.TopicFilterType
}

// decodeTopicLine parses encodeLine's output. Like Java 4.9.7 it requires
// exactly five fields (a 5.x line with attributes is refused).
func decodeTopicLine(line string) (TopicConfig, error) {
	f := strings.Split(line, " ")
	if len(f) != 5 {
		return TopicConfig{}, fmt.Errorf("body: compressed topic config %q: want 5 fields, have %d", line, len(f))
	}
	t := NewTopicConfig(f[0])
	nums := [3]*int32{&t.ReadQueueNums, &t.WriteQueueNums, &t.Perm}
	for i, p := range nums {
		n, err := strconv.ParseInt(f[i+1], 10, 32)
		if err != nil {
			return TopicConfig{}, fmt.Errorf("body: compressed topic config %q: %v", line, err)
		}
		*p = int32(n)
	}
	if f[4] != SingleTag && f[4] != MultiTag {
		return TopicConfig{}, fmt.Errorf("body: compressed topic config %q: bad filter type", line)
	}
	t.TopicFilterType = f[4]
	return t, nil
}

// TopicConfigSerializeWrapper is a broker's whole topic table (Java
// TopicConfigSerializeWrapper). TopicOrder keeps the table's order for
// encoding (Java writes its ConcurrentHashMap order); when nil the
// encoder sorts by name.
type TopicConfigSerializeWrapper struct {
	TopicConfigTable map[string]*TopicConfig
	TopicOrder       []string
	DataVersion      DataVersion
}

func (w *TopicConfigSerializeWrapper) names() []string {
	if len(w.TopicOrder) == len(w.TopicConfigTable) {
		return w.TopicOrder
	}
	return sortedKeys(w.TopicConfigTable)
}

// AppendJSON writes {"dataVersion":{...},"topicConfigTable":{...}}.
func (w *TopicConfigSerializeWrapper) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"dataVersion":`...)
	dst = w.DataVersion.AppendJSON(dst)
	dst = append(dst, `,"topicConfigTable":{`...)
	for i, name := range w.names() {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, name, false)
		dst = w.TopicConfigTable[name].appendJSON(dst)
	}
	return append(dst, "}}"...)
}

func decodeWrapper(v *value) (TopicConfigSerializeWrapper, error) {
	w := TopicConfigSerializeWrapper{TopicConfigTable: map[string]*TopicConfig{}}
	if err := v.objectOrNull("topicConfigSerializeWrapper"); err != nil {
		return w, err
	}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch k {
		case "dataVersion":
			dv, err := decodeDataVersion(f)
			if err != nil {
				return w, err
			}
			w.DataVersion = dv
		case "topicConfigTable":
			if err := f.objectOrNull(k); err != nil {
				return w, err
			}
			for j, key := range f.keys {
				t, err := decodeTopicConfig(key, &f.vals[j])
				if err != nil {
					return w, err
				}
				if _, dup := w.TopicConfigTable[key]; !dup {
					w.TopicOrder = append(w.TopicOrder, key)
				}
				w.TopicConfigTable[key] = &t
			}
		}
	}
	return w, nil
}

// DecodeTopicConfigSerializeWrapper parses the bare wrapper (the
// REGISTER_BROKER body of brokers older than V3_0_11, and the
// GET_ALL_TOPIC_CONFIG body).
func DecodeTopicConfigSerializeWrapper(data []byte) (*TopicConfigSerializeWrapper, error) {
	v, err := decodeObject(data, "TopicConfigSerializeWrapper")
	if err != nil {
		return nil, err
	}
	w, err := decodeWrapper(&v)
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// RegisterBrokerBody is the REGISTER_BROKER body (Java RegisterBrokerBody).
type RegisterBrokerBody struct {
	TopicConfigSerializeWrapper TopicConfigSerializeWrapper
	FilterServerList            []string
}

// Encode writes the JSON form, or with compress the zlib form a broker
// sends with compressedRegister=true.
func (r *RegisterBrokerBody) Encode(compress bool) ([]byte, error) {
	if !compress {
		dst := []byte(`{"filterServerList":`)
		dst = appendStringArray(dst, r.FilterServerList, false)
		dst = append(dst, `,"topicConfigSerializeWrapper":`...)
		dst = r.TopicConfigSerializeWrapper.AppendJSON(dst)
		return append(dst, '}'), nil
	}
	var raw []byte
	putChunk := func(b []byte) {
		raw = binary.BigEndian.AppendUint32(raw, uint32(len(b)))
		raw = append(raw, b...)
	}
	w := &r.TopicConfigSerializeWrapper
	putChunk(w.DataVersion.Encode())
	names := w.names()
	raw = binary.BigEndian.AppendUint32(raw, uint32(len(names)))
	for _, name := range names {
		putChunk([]byte(w.TopicConfigTable[name].encodeLine()))
	}
	putChunk(appendStringArray(nil, r.FilterServerList, false))
	var out bytes.Buffer
	zw, err := zlib.NewWriterLevel(&out, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// maxInflated bounds a compressed body's inflated size (a hostile peer
// cannot make us allocate without limit).
const maxInflated = 256 << 20

// DecodeRegisterBrokerBody parses a REGISTER_BROKER body in the JSON or the
// compressed form.
func DecodeRegisterBrokerBody(data []byte, compressed bool) (*RegisterBrokerBody, error) {
	if compressed {
		return decodeCompressed(data)
	}
	v, err := decodeObject(data, "RegisterBrokerBody")
	if err != nil {
		return nil, err
	}
	r := &RegisterBrokerBody{TopicConfigSerializeWrapper: TopicConfigSerializeWrapper{TopicConfigTable: map[string]*TopicConfig{}}}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch k {
		case "topicConfigSerializeWrapper":
			if r.TopicConfigSerializeWrapper, err = decodeWrapper(f); err != nil {
				return nil, err
			}
		case "filterServerList":
			if r.FilterServerList, err = f.asStrings(k); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

var errShortCompressed = errors.New("body: compressed RegisterBrokerBody is truncated")

func decodeCompressed(data []byte) (*RegisterBrokerBody, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("body: compressed RegisterBrokerBody: %w", err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(io.LimitReader(zr, maxInflated))
	if err != nil {
		return nil, fmt.Errorf("body: compressed RegisterBrokerBody: %w", err)
	}
	pos := 0
	readInt := func() (int, error) {
		if pos+4 > len(raw) {
			return 0, errShortCompressed
		}
		n := int32(binary.BigEndian.Uint32(raw[pos:]))
		pos += 4
		if n < 0 {
			return 0, fmt.Errorf("body: compressed RegisterBrokerBody: negative length %d", n)
		}
		return int(n), nil
	}
	readChunk := func() ([]byte, error) {
		n, err := readInt()
		if err != nil {
			return nil, err
		}
		if pos+n > len(raw) {
			return nil, errShortCompressed
		}
		b := raw[pos : pos+n]
		pos += n
		return b, nil
	}
	dvText, err := readChunk()
	if err != nil {
		return nil, err
	}
	dv, err := DecodeDataVersion(dvText)
	if err != nil {
		return nil, err
	}
	r := &RegisterBrokerBody{TopicConfigSerializeWrapper: TopicConfigSerializeWrapper{
		TopicConfigTable: map[string]*TopicConfig{}, DataVersion: dv}}
	count, err := readInt()
	if err != nil {
		return nil, err
	}
	w := &r.TopicConfigSerializeWrapper
	for i := 0; i < count; i++ {
		line, err := readChunk()
		if err != nil {
			return nil, err
		}
		t, err := decodeTopicLine(string(line))
		if err != nil {
			return nil, err
		}
		if _, dup := w.TopicConfigTable[t.TopicName]; !dup {
			w.TopicOrder = append(w.TopicOrder, t.TopicName)
		}
		w.TopicConfigTable[t.TopicName] = &t
	}
	fsText, err := readChunk()
	if err != nil {
		return nil, err
	}
	// Java logs and ignores a bad filter-server list.
	if fv, perr := parse(fsText); perr == nil {
		r.FilterServerList, _ = fv.asStrings("filterServerList")
	}
	return r, nil
}

// RegisterBrokerResult is what the NameServer tells a registering broker:
// the master's HA and service addresses (for a slave) and the
// ORDER_TOPIC_CONFIG namespace.
type RegisterBrokerResult struct {
	HaServerAddr string
	MasterAddr   string
	KVTable      *KVTable
}
