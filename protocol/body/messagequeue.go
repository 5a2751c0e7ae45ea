package body

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// MessageQueue names one queue of a topic on one broker (Java
// common.message.MessageQueue). fastjson writes it as
// {"brokerName":"b","queueId":0,"topic":"t"}.
type MessageQueue struct {
	Topic      string
	BrokerName string
	QueueID    int32
}

// String is Java's MessageQueue.toString.
func (q MessageQueue) String() string {
	return "MessageQueue [topic=" + q.Topic + ", brokerName=" + q.BrokerName + ", queueId=" + strconv.Itoa(int(q.QueueID)) + "]"
}

// Less orders queues as Java's MessageQueue.compareTo does: topic, then
// broker name, then queue id.
func (q MessageQueue) Less(o MessageQueue) bool {
	if q.Topic != o.Topic {
		return q.Topic < o.Topic
	}
	if q.BrokerName != o.BrokerName {
		return q.BrokerName < o.BrokerName
	}
	return q.QueueID < o.QueueID
}

// AppendJSON writes the queue as fastjson does (keys sorted).
func (q MessageQueue) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"brokerName":`...)
	dst = appendString(dst, q.BrokerName, false)
	dst = append(dst, `,"queueId":`...)
	dst = strconv.AppendInt(dst, int64(q.QueueID), 10)
	dst = append(dst, `,"topic":`...)
	dst = appendString(dst, q.Topic, false)
	return append(dst, '}')
}

// SortMessageQueues sorts queues in Java's compareTo order.
func SortMessageQueues(qs []MessageQueue) {
	sort.Slice(qs, func(i, j int) bool { return qs[i].Less(qs[j]) })
}

// sortedQueues returns the keys of a queue-keyed map in compareTo order:
// Java's HashMap order is not reproducible and no reader depends on it,
// so the encoders write a stable order instead.
func sortedQueues[V any](m map[MessageQueue]V) []MessageQueue {
	qs := make([]MessageQueue, 0, len(m))
	for q := range m {
		qs = append(qs, q)
	}
	SortMessageQueues(qs)
	return qs
}

func decodeMessageQueue(v *value) (MessageQueue, error) {
	var q MessageQueue
	if v.k != kObject {
		return q, fmt.Errorf("body: MessageQueue: expected an object")
	}
	var err error
	for i, k := range v.keys {
		f := &v.vals[i]
		switch beanKey(k) {
		case "topic":
			q.Topic, err = f.asString(k)
		case "brokername":
			q.BrokerName, err = f.asString(k)
		case "queueid":
			q.QueueID, err = f.asInt32(k)
		}
		if err != nil {
			return q, fmt.Errorf("body: MessageQueue: %w", err)
		}
	}
	return q, nil
}

// DecodeMessageQueue parses one MessageQueue object.
func DecodeMessageQueue(data []byte) (MessageQueue, error) {
	v, err := decodeObject(data, "MessageQueue")
	if err != nil {
		return MessageQueue{}, err
	}
	return decodeMessageQueue(&v)
}

// messageQueueFromKey reads a map key that names a queue: the JSON text
// of the key object (fastjson's object key, rewritten to a string by
// quoteObjectKeys, or a standard-JSON writer's string key) or Java's
// toString form "MessageQueue [topic=t, brokerName=b, queueId=0]".
func messageQueueFromKey(key string) (MessageQueue, error) {
	s := strings.TrimSpace(key)
	if strings.HasPrefix(s, "{") {
		v, err := parse([]byte(s))
		if err != nil {
			return MessageQueue{}, fmt.Errorf("body: MessageQueue key %q: %w", key, err)
		}
		return decodeMessageQueue(&v)
	}
	if rest, ok := strings.CutPrefix(s, "MessageQueue ["); ok && strings.HasSuffix(rest, "]") {
		var q MessageQueue
		for _, part := range strings.Split(strings.TrimSuffix(rest, "]"), ", ") {
			name, val, _ := strings.Cut(part, "=")
			switch name {
			case "topic":
				q.Topic = val
			case "brokerName":
				q.BrokerName = val
			case "queueId":
				n, err := strconv.ParseInt(val, 10, 32)
				if err != nil {
					return q, fmt.Errorf("body: MessageQueue key %q: bad queueId", key)
				}
				q.QueueID = int32(n)
			}
		}
		return q, nil
	}
	return MessageQueue{}, fmt.Errorf("body: MessageQueue key %q: not a queue", key)
}

// parseObjectKeyed parses a body that may hold maps keyed by objects.
// fastjson writes a Map<MessageQueue, V> as {{"brokerName":...}:v,...},
// which is not JSON; the object keys are first rewritten into string keys
// holding their text, then the ordinary parser runs.
func parseObjectKeyed(data []byte, what string) (value, error) {
	v, err := parse(quoteObjectKeys(data))
	if err != nil {
		return value{}, fmt.Errorf("%s: %w", what, err)
	}
	if v.k != kObject {
		return value{}, fmt.Errorf("body: %s: expected a JSON object", what)
	}
	return v, nil
}

// quoteObjectKeys returns data with every object used as an object key
// replaced by a JSON string of its text. Input without such keys is
// returned unchanged (not copied). Malformed input is passed through for
// the parser to reject.
func quoteObjectKeys(data []byte) []byte {
	var out []byte // nil until the first rewrite
	copied := 0
	var stack []byte
	expectKey := false
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\b':
			i++
			continue
		case c == '"' || c == '\'':
			i = skipString(data, i)
			expectKey = false
			continue
		case c == '{' && expectKey:
			end := skipBalanced(data, i)
			if end < 0 {
				return data
			}
			if out == nil {
				out = make([]byte, 0, len(data)+len(data)/4)
			}
			out = append(out, data[copied:i]...)
			out = appendString(out, string(data[i:end]), false)
			copied = end
			i = end
			expectKey = false
			continue
		case c == '{' || c == '[':
			stack = append(stack, c)
			expectKey = c == '{'
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			expectKey = false
		case c == ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1] == '{'
		default:
			expectKey = false
		}
		i++
	}
	if out == nil {
		return data
	}
	return append(out, data[copied:]...)
}

// skipString returns the index just past the string starting at i.
func skipString(data []byte, i int) int {
	quote := data[i]
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case quote:
			return i + 1
		}
	}
	return len(data)
}

// skipBalanced returns the index just past the object or array starting
// at i, or -1 if it does not end.
func skipBalanced(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		switch c := data[i]; c {
		case '"', '\'':
			i = skipString(data, i)
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return -1
}

// queueEntries walks a Map<MessageQueue, V> in any of the forms writers
// use: fastjson's object keys (after quoteObjectKeys), string keys holding
// the queue's JSON or toString, or Gson's array of [key, value] pairs
// (the form rocketmq-client-go also reads). null is an empty map.
func queueEntries(v *value, what string, fn func(q MessageQueue, val *value) error) error {
	switch v.k {
	case kNull:
		return nil
	case kObject:
		for i, k := range v.keys {
			q, err := messageQueueFromKey(k)
			if err != nil {
				return fmt.Errorf("body: %s: %w", what, err)
			}
			if err := fn(q, &v.vals[i]); err != nil {
				return err
			}
		}
		return nil
	case kArray:
		for i := range v.arr {
			pair := &v.arr[i]
			if pair.k != kArray || len(pair.arr) != 2 {
				return fmt.Errorf("body: %s: expected [queue, value] pairs", what)
			}
			q, err := decodeMessageQueue(&pair.arr[0])
			if err != nil {
				return fmt.Errorf("body: %s: %w", what, err)
			}
			if err := fn(q, &pair.arr[1]); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("body: %s: expected an object", what)
}

// appendJavaDouble writes a double as Java's Double.toString does (what
// fastjson writes for a double property): "0.0", "12.5", "1.0E7".
// NaN and infinities, which JSON cannot hold, are written as 0.0.
func appendJavaDouble(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "0.0"...)
	}
	a := math.Abs(f)
	if f == 0 || (a >= 1e-3 && a < 1e7) {
		start := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
		if !strings.ContainsRune(string(dst[start:]), '.') {
			dst = append(dst, ".0"...)
		}
		return dst
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.2345E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
	if neg {
		exp = "-" + exp
	}
	dst = append(dst, mant...)
	dst = append(dst, 'E')
	return append(dst, exp...)
}

func (v *value) asFloat64(name string) (float64, error) {
	switch v.k {
	case kNull:
		return 0, nil
	case kNumber, kString:
		if v.k == kString && v.s == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(v.s, 64)
		if err != nil {
			return 0, fmt.Errorf("body: %s: %q is not a number", name, v.s)
		}
		return f, nil
	}
	return 0, fmt.Errorf("body: %s: expected a number", name)
}
