package body

import "strconv"

// fjWriter writes JSON the way fastjson's JSON.toJSONString does, in the
// compact form (the wire bodies) or with prettyFormat=true (the broker's
// config files). The pretty form is fastjson's own, not a general indenter:
//
//   - one tab per level, "\n" line breaks, no space after ':' and no
//     trailing newline;
//   - a bean property or a String map key starts a new line, but an integer
//     map key does not, so {0:12,1:7} prints as "{0:12,1:7" and the closing
//     brace alone on the next line;
//   - a non-empty object closes on a new line at its parent's indent; an
//     empty one is "{}".
//
// The callers write bean properties in alphabetical order, as fastjson
// sorts getters, and map entries in the map's iteration order.
type fjWriter struct {
	buf    []byte
	pretty bool
	depth  int
	// entries[i] counts the entries written so far at nesting level i+1.
	entries []int
}

func newFJWriter(pretty bool, sizeHint int) *fjWriter {
	return &fjWriter{buf: make([]byte, 0, sizeHint), pretty: pretty}
}

func (w *fjWriter) open() {
	w.buf = append(w.buf, '{')
	w.depth++
	w.entries = append(w.entries, 0)
}

func (w *fjWriter) close() {
	n := w.entries[len(w.entries)-1]
	w.entries = w.entries[:len(w.entries)-1]
	w.depth--
	if w.pretty && n > 0 {
		w.newline()
	}
	w.buf = append(w.buf, '}')
}

func (w *fjWriter) newline() {
	w.buf = append(w.buf, '\n')
	for i := 0; i < w.depth; i++ {
		w.buf = append(w.buf, '\t')
	}
}

// key starts a bean property or a String map entry.
func (w *fjWriter) key(k string) {
	w.comma()
	if w.pretty {
		w.newline()
	}
	w.buf = appendKey(w.buf, k, false)
}

// intKey starts an Integer map entry: the key is written bare and, even
// when pretty, on the same line.
func (w *fjWriter) intKey(k int64) {
	w.comma()
	w.buf = strconv.AppendInt(w.buf, k, 10)
	w.buf = append(w.buf, ':')
}

func (w *fjWriter) comma() {
	i := len(w.entries) - 1
	if w.entries[i] > 0 {
		w.buf = append(w.buf, ',')
	}
	w.entries[i]++
}

func (w *fjWriter) int(v int64)     { w.buf = strconv.AppendInt(w.buf, v, 10) }
func (w *fjWriter) bool(v bool)     { w.buf = appendBool(w.buf, v) }
func (w *fjWriter) string(v string) { w.buf = appendString(w.buf, v, false) }

func (w *fjWriter) intField(k string, v int64) {
	w.key(k)
	w.int(v)
}

func (w *fjWriter) boolField(k string, v bool) {
	w.key(k)
	w.bool(v)
}

func (w *fjWriter) stringField(k string, v string) {
	w.key(k)
	w.string(v)
}

// dataVersion writes a DataVersion bean (counter is an AtomicLong in Java,
// written as a plain number).
func (w *fjWriter) dataVersion(d DataVersion) {
	w.open()
	w.intField("counter", d.Counter)
	w.intField("timestamp", d.Timestamp)
	w.close()
}

// topicConfig writes a TopicConfig bean.
func (w *fjWriter) topicConfig(t *TopicConfig) {
	w.open()
	w.boolField("order", t.Order)
	w.intField("perm", int64(t.Perm))
	w.intField("readQueueNums", int64(t.ReadQueueNums))
	w.stringField("topicFilterType", t.TopicFilterType)
	w.stringField("topicName", t.TopicName)
	w.intField("topicSysFlag", int64(t.TopicSysFlag))
	w.intField("writeQueueNums", int64(t.WriteQueueNums))
	w.close()
}

// EncodePretty writes the wrapper as the Java broker's topics.json
// (TopicConfigManager.encode(true)), topics in TopicOrder.
func (w *TopicConfigSerializeWrapper) EncodePretty() []byte {
	return w.encode(true)
}

// Encode writes the compact form, the GET_ALL_TOPIC_CONFIG body
// (TopicConfigManager.encode()).
func (w *TopicConfigSerializeWrapper) Encode() []byte {
	return w.encode(false)
}

func (w *TopicConfigSerializeWrapper) encode(pretty bool) []byte {
	fw := newFJWriter(pretty, 64+200*len(w.TopicConfigTable))
	fw.open()
	fw.key("dataVersion")
	fw.dataVersion(w.DataVersion)
	fw.key("topicConfigTable")
	fw.open()
	for _, name := range w.names() {
		fw.key(name)
		fw.topicConfig(w.TopicConfigTable[name])
	}
	fw.close()
	fw.close()
	return fw.buf
}

// intLongMap writes a map of Integer to Long entries.
func (w *fjWriter) intLongMap(entries []OffsetEntry) {
	w.open()
	for _, e := range entries {
		w.intKey(int64(e.ID))
		w.int(e.Offset)
	}
	w.close()
}
