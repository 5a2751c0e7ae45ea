package message

import (
	"bytes"
	"iter"
	"slices"
	"unicode/utf8"
)

// Property names (MessageConst, 4.9.7), with the Java constant names.
const (
	PropertyKeys                                = "KEYS"                           // PROPERTY_KEYS
	PropertyTags                                = "TAGS"                           // PROPERTY_TAGS
	PropertyWaitStoreMsgOK                      = "WAIT"                           // PROPERTY_WAIT_STORE_MSG_OK
	PropertyDelayTimeLevel                      = "DELAY"                          // PROPERTY_DELAY_TIME_LEVEL
	PropertyRetryTopic                          = "RETRY_TOPIC"                    // PROPERTY_RETRY_TOPIC
	PropertyRealTopic                           = "REAL_TOPIC"                     // PROPERTY_REAL_TOPIC
	PropertyRealQueueID                         = "REAL_QID"                       // PROPERTY_REAL_QUEUE_ID
	PropertyTransactionPrepared                 = "TRAN_MSG"                       // PROPERTY_TRANSACTION_PREPARED
	PropertyProducerGroup                       = "PGROUP"                         // PROPERTY_PRODUCER_GROUP
	PropertyMinOffset                           = "MIN_OFFSET"                     // PROPERTY_MIN_OFFSET
	PropertyMaxOffset                           = "MAX_OFFSET"                     // PROPERTY_MAX_OFFSET
	PropertyBuyerID                             = "BUYER_ID"                       // PROPERTY_BUYER_ID
	PropertyOriginMessageID                     = "ORIGIN_MESSAGE_ID"              // PROPERTY_ORIGIN_MESSAGE_ID
	PropertyTransferFlag                        = "TRANSFER_FLAG"                  // PROPERTY_TRANSFER_FLAG
	PropertyCorrectionFlag                      = "CORRECTION_FLAG"                // PROPERTY_CORRECTION_FLAG
	PropertyMQ2Flag                             = "MQ2_FLAG"                       // PROPERTY_MQ2_FLAG
	PropertyReconsumeTime                       = "RECONSUME_TIME"                 // PROPERTY_RECONSUME_TIME
	PropertyMsgRegion                           = "MSG_REGION"                     // PROPERTY_MSG_REGION
	PropertyTraceSwitch                         = "TRACE_ON"                       // PROPERTY_TRACE_SWITCH
	PropertyUniqClientMessageIDKeyIdx           = "UNIQ_KEY"                       // PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX
	PropertyMaxReconsumeTimes                   = "MAX_RECONSUME_TIMES"            // PROPERTY_MAX_RECONSUME_TIMES
	PropertyConsumeStartTimestamp               = "CONSUME_START_TIME"             // PROPERTY_CONSUME_START_TIMESTAMP
	PropertyTransactionPreparedQueueOffset      = "TRAN_PREPARED_QUEUE_OFFSET"     // PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET
	PropertyTransactionCheckTimes               = "TRANSACTION_CHECK_TIMES"        // PROPERTY_TRANSACTION_CHECK_TIMES
	PropertyCheckImmunityTimeInSeconds          = "CHECK_IMMUNITY_TIME_IN_SECONDS" // PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS
	PropertyInstanceID                          = "INSTANCE_ID"                    // PROPERTY_INSTANCE_ID
	PropertyCorrelationID                       = "CORRELATION_ID"                 // PROPERTY_CORRELATION_ID
	PropertyMessageReplyToClient                = "REPLY_TO_CLIENT"                // PROPERTY_MESSAGE_REPLY_TO_CLIENT
	PropertyMessageTTL                          = "TTL"                            // PROPERTY_MESSAGE_TTL
	PropertyReplyMessageArriveTime              = "ARRIVE_TIME"                    // PROPERTY_REPLY_MESSAGE_ARRIVE_TIME
	PropertyPushReplyTime                       = "PUSH_REPLY_TIME"                // PROPERTY_PUSH_REPLY_TIME
	PropertyCluster                             = "CLUSTER"                        // PROPERTY_CLUSTER
	PropertyMessageType                         = "MSG_TYPE"                       // PROPERTY_MESSAGE_TYPE
	PropertyInnerMultiDispatch                  = "INNER_MULTI_DISPATCH"           // PROPERTY_INNER_MULTI_DISPATCH
	PropertyInnerMultiQueueOffset               = "INNER_MULTI_QUEUE_OFFSET"       // PROPERTY_INNER_MULTI_QUEUE_OFFSET
	KeySeparator                                = " "                              // KEY_SEPARATOR
	NameValueSeparator                     byte = 1                                // MessageDecoder.NAME_VALUE_SEPARATOR
	PropertySeparator                      byte = 2                                // MessageDecoder.PROPERTY_SEPARATOR
)

// Properties is a serialized properties string (name 0x01 value 0x02 ...).
// Reading never allocates; returned slices alias p.
type Properties []byte

// All yields the entries Java's string2messageProperties keeps, in string
// order, duplicates included (Java keeps the last value of a duplicate name).
func (p Properties) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		for rest := []byte(p); len(rest) > 0; {
			seg := rest
			if i := bytes.IndexByte(rest, PropertySeparator); i >= 0 {
				seg, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			if name, value, ok := splitEntry(seg); ok {
				if !yield(name, value) {
					return
				}
			}
		}
	}
}

// splitEntry applies Java's rule: the first 0x01 must be after the first
// byte and before the last one.
func splitEntry(seg []byte) (name, value []byte, ok bool) {
	if len(seg) < 3 {
		return nil, nil, false
	}
	k := bytes.IndexByte(seg, NameValueSeparator)
	if k <= 0 || k >= len(seg)-1 {
		return nil, nil, false
	}
	return seg[:k:k], seg[k+1:], true
}

// Get returns the value of name with Java's semantics (last occurrence wins).
func (p Properties) Get(name string) (value []byte, ok bool) {
	for n, v := range p.All() {
		if string(n) == name {
			value, ok = v, true
		}
	}
	return value, ok
}

// GetString is Get returning a string (allocates when found).
func (p Properties) GetString(name string) (string, bool) {
	v, ok := p.Get(name)
	return string(v), ok
}

// Property is one name/value pair.
type Property struct {
	Name, Value []byte
}

// AppendPairs appends the kept entries in string order (duplicates included)
// to dst; no allocation if dst has room.
func (p Properties) AppendPairs(dst []Property) []Property {
	for n, v := range p.All() {
		dst = append(dst, Property{n, v})
	}
	return dst
}

// AppendProperty appends one "name 0x01 value" entry to a properties string
// being built in dst[start:], adding the 0x02 separator when the string is
// non-empty. Entries appear in call order.
func AppendProperty(dst []byte, start int, name, value string) []byte {
	if len(dst) > start {
		dst = append(dst, PropertySeparator)
	}
	dst = append(dst, name...)
	dst = append(dst, NameValueSeparator)
	return append(dst, value...)
}

// WaitStoreMsgOK is Message.isWaitStoreMsgOK: true if WAIT is absent or
// equals "true" ignoring case.
func (p Properties) WaitStoreMsgOK() bool {
	v, ok := p.Get(PropertyWaitStoreMsgOK)
	return !ok || bytes.EqualFold(v, []byte("true"))
}

// SplitKeys yields the non-empty keys of a KEYS value split on single
// spaces, as IndexService.buildIndex uses them.
func SplitKeys(keys []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for len(keys) > 0 {
			k := keys
			if i := bytes.IndexByte(keys, ' '); i >= 0 {
				k, keys = keys[:i], keys[i+1:]
			} else {
				keys = nil
			}
			if len(k) > 0 && !yield(k) {
				return
			}
		}
	}
}

// JavaHash is java.lang.String.hashCode of the string Java decodes from the
// UTF-8 bytes b: h = 31*h + c over UTF-16 code units. Invalid UTF-8 bytes
// count as U+FFFD each (Java's replacement of malformed input can group
// bytes differently; stored RocketMQ strings are valid UTF-8).
func JavaHash(b []byte) int32 {
	var h int32
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			h = 31*h + int32(c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		i += n
		h = hashRune(h, r)
	}
	return h
}

// JavaHashString is JavaHash for a Go string.
func JavaHashString(s string) int32 { return JavaHashContinue(0, s) }

// JavaHashContinue continues String.hashCode from h over s, so the hash of
// a concatenation (the index's "topic#key") needs no concatenated string.
func JavaHashContinue(h int32, s string) int32 {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			for _, r := range s[i:] {
				h = hashRune(h, r)
			}
			return h
		}
		h = 31*h + int32(s[i])
	}
	return h
}

func hashRune(h int32, r rune) int32 {
	if r >= 0x10000 {
		r -= 0x10000
		h = 31*h + int32(0xD800+(r>>10))
		return 31*h + int32(0xDC00+(r&0x3FF))
	}
	return 31*h + int32(r)
}

// TagsCode is MessageExtBrokerInner.tagsString2tagsCode: 0 for an empty or
// absent TAGS value, else the String.hashCode sign-extended to a long.
func TagsCode(tags []byte) int64 {
	if len(tags) == 0 {
		return 0
	}
	return int64(JavaHash(tags))
}

// PropertyMap reproduces the iteration order of the java.util.HashMap the
// broker keeps message properties in (default capacity 16, load factor 0.75,
// buckets by (h ^ h>>>16) & (capacity-1) with h = String.hashCode, insertion
// order within a bucket, resize by doubling, a bucket reaching 9 entries
// doubling a table smaller than 64). AppendTo then serializes exactly as
// MessageDecoder.messageProperties2String. Not reproduced: the order inside a
// bucket that Java turns into a tree (>= 9 colliding names in a table of >= 64
// buckets); ExactOrder reports whether that happened.
//
// The zero value is an empty map ready to use.
type PropertyMap struct {
	entries  []pmEntry // in insertion order
	capacity int32
	treed    bool
	order    []int32
}

type pmEntry struct {
	name, value string
	spread      uint32
}

func spreadHash(name string) uint32 {
	h := uint32(JavaHashString(name))
	return h ^ h>>16
}

// Reset empties the map and forgets its capacity (like a new HashMap),
// keeping allocated memory.
func (m *PropertyMap) Reset() {
	clear(m.entries)
	m.entries = m.entries[:0]
	m.capacity = 0
	m.treed = false
}

// Len returns the number of entries.
func (m *PropertyMap) Len() int { return len(m.entries) }

// ExactOrder is false if a tree bin occurred, so the order may differ from Java.
func (m *PropertyMap) ExactOrder() bool { return !m.treed }

func (m *PropertyMap) find(name string) int {
	for i := range m.entries {
		if m.entries[i].name == name {
			return i
		}
	}
	return -1
}

// Get returns the value stored under name.
func (m *PropertyMap) Get(name string) (string, bool) {
	if i := m.find(name); i >= 0 {
		return m.entries[i].value, true
	}
	return "", false
}

// Put sets name to value (HashMap.put: an existing name keeps its place).
func (m *PropertyMap) Put(name, value string) {
	if i := m.find(name); i >= 0 {
		m.entries[i].value = value
		return
	}
	if m.capacity == 0 {
		m.capacity = 16
	}
	sp := spreadHash(name)
	mask := uint32(m.capacity - 1)
	inBucket := 0
	for i := range m.entries {
		if m.entries[i].spread&mask == sp&mask {
			inBucket++
		}
	}
	m.entries = append(m.entries, pmEntry{name: name, value: value, spread: sp})
	if inBucket >= 8 { // TREEIFY_THRESHOLD - 1 nodes walked past the head
		if m.capacity < 64 {
			m.capacity *= 2
		} else {
			m.treed = true
		}
	}
	if len(m.entries) > int(m.capacity)/4*3 && m.capacity < 1<<30 {
		m.capacity *= 2
	}
}

// Remove deletes name (the capacity never shrinks, as in Java).
func (m *PropertyMap) Remove(name string) (string, bool) {
	i := m.find(name)
	if i < 0 {
		return "", false
	}
	v := m.entries[i].value
	m.entries = slices.Delete(m.entries, i, i+1)
	return v, true
}

// ParseFrom replaces the content with the entries of p, as
// MessageDecoder.string2messageProperties builds a new HashMap.
func (m *PropertyMap) ParseFrom(p Properties) {
	m.Reset()
	for n, v := range p.All() {
		m.Put(string(n), string(v))
	}
}

// Range calls fn for each entry in Java's iteration order.
func (m *PropertyMap) Range(fn func(name, value string) bool) {
	for _, i := range m.sortedOrder() {
		e := &m.entries[i]
		if !fn(e.name, e.value) {
			return
		}
	}
}

func (m *PropertyMap) sortedOrder() []int32 {
	m.order = m.order[:0]
	for i := range m.entries {
		m.order = append(m.order, int32(i))
	}
	mask := uint32(m.capacity - 1)
	// Insertion sort, stable: bucket ascending, insertion order within a bucket.
	o := m.order
	for i := 1; i < len(o); i++ {
		x := o[i]
		bx := m.entries[x].spread & mask
		j := i
		for j > 0 && m.entries[o[j-1]].spread&mask > bx {
			o[j] = o[j-1]
			j--
		}
		o[j] = x
	}
	return o
}

// AppendTo appends the properties string (messageProperties2String: entries
// in iteration order, no trailing separator).
func (m *PropertyMap) AppendTo(dst []byte) []byte {
	start := len(dst)
	for _, i := range m.sortedOrder() {
		e := &m.entries[i]
		dst = AppendProperty(dst, start, e.name, e.value)
	}
	return dst
}
