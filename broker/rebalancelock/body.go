package rebalancelock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// BatchRequest is the body of LOCK_BATCH_MQ and UNLOCK_BATCH_MQ (Java
// LockBatchRequestBody and UnlockBatchRequestBody, which share one shape):
// {"clientId":…,"consumerGroup":…,"mqSet":[{"brokerName":…,"queueId":…,"topic":…}]}.
type BatchRequest struct {
	ConsumerGroup string
	ClientID      string
	// HasGroup / HasClientID: the field was present and not null. Java
	// fails such a request with a NullPointerException once it uses the
	// missing field; the processor refuses it up front.
	HasGroup    bool
	HasClientID bool
	// MQs is mqSet in request order, duplicates dropped (Java reads a Set).
	MQs []MessageQueue
}

// wire forms: encoding/json reads what both fastjson (Java) and jsoniter
// (Go client) write; fastjson's reader also takes numbers as strings, so
// queueId does too.
type wireRequest struct {
	ConsumerGroup *string     `json:"consumerGroup"`
	ClientID      *string     `json:"clientId"`
	MQSet         []wireQueue `json:"mqSet"`
	LockOKMQSet   []wireQueue `json:"lockOKMQSet"`
}

type wireQueue struct {
	Topic      string    `json:"topic"`
	BrokerName string    `json:"brokerName"`
	QueueID    flexInt32 `json:"queueId"`
}

// flexInt32 is a Java Integer as fastjson reads it: a number, a string
// holding one, or null (0).
type flexInt32 int32

func (n *flexInt32) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		*n = 0
		return nil
	}
	if len(s) >= 2 && s[0] == '"' {
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			return fmt.Errorf("queueId %s: %w", b, err)
		}
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return fmt.Errorf("queueId %s is not an int", b)
	}
	*n = flexInt32(v)
	return nil
}

// ErrNoBody is the error of a request without a JSON object body.
var ErrNoBody = errors.New("request body is empty, expected a JSON object")

func decodeObject(data []byte, what string) (wireRequest, error) {
	var w wireRequest
	t := bytes.TrimSpace(data)
	if len(t) == 0 {
		return w, fmt.Errorf("%s: %w", what, ErrNoBody)
	}
	if t[0] != '{' {
		return w, fmt.Errorf("%s: body is not a JSON object: %.64q", what, t)
	}
	if err := json.Unmarshal(t, &w); err != nil {
		return w, fmt.Errorf("%s: %w", what, err)
	}
	return w, nil
}

func queues(ws []wireQueue) []MessageQueue {
	out := make([]MessageQueue, 0, len(ws))
	for _, w := range ws {
		mq := MessageQueue{Topic: w.Topic, BrokerName: w.BrokerName, QueueID: int32(w.QueueID)}
		if !contains(out, mq) {
			out = append(out, mq)
		}
	}
	return out
}

// DecodeBatchRequest parses a LockBatchRequestBody / UnlockBatchRequestBody.
func DecodeBatchRequest(data []byte) (BatchRequest, error) {
	w, err := decodeObject(data, "LockBatchRequestBody")
	if err != nil {
		return BatchRequest{}, err
	}
	r := BatchRequest{MQs: queues(w.MQSet)}
	if w.ConsumerGroup != nil {
		r.ConsumerGroup, r.HasGroup = *w.ConsumerGroup, true
	}
	if w.ClientID != nil {
		r.ClientID, r.HasClientID = *w.ClientID, true
	}
	return r, nil
}

// Encode writes the request as fastjson does (keys sorted): what a Java
// client sends.
func (r *BatchRequest) Encode() []byte {
	b := []byte(`{"clientId":`)
	b = appendString(b, r.ClientID)
	b = append(b, `,"consumerGroup":`...)
	b = appendString(b, r.ConsumerGroup)
	b = append(b, `,"mqSet":`...)
	b = AppendQueues(b, r.MQs)
	return append(b, '}')
}

// AppendLockBatchResponse writes LockBatchResponseBody as fastjson does:
// {"lockOKMQSet":[{"brokerName":…,"queueId":…,"topic":…}]}.
func AppendLockBatchResponse(dst []byte, locked []MessageQueue) []byte {
	dst = append(dst, `{"lockOKMQSet":`...)
	dst = AppendQueues(dst, locked)
	return append(dst, '}')
}

// DecodeLockBatchResponse parses a LockBatchResponseBody.
func DecodeLockBatchResponse(data []byte) ([]MessageQueue, error) {
	w, err := decodeObject(data, "LockBatchResponseBody")
	if err != nil {
		return nil, err
	}
	return queues(w.LockOKMQSet), nil
}

// AppendQueues writes a JSON array of MessageQueue objects with fastjson's
// key order (brokerName, queueId, topic).
func AppendQueues(dst []byte, mqs []MessageQueue) []byte {
	dst = append(dst, '[')
	for i, mq := range mqs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = mq.AppendJSON(dst)
	}
	return append(dst, ']')
}

// appendString writes s as a JSON string the way fastjson does by
// default: quote and backslash escaped, \n \r \t short, other control
// characters (and DEL) as \u00XX, everything else (UTF-8 included) as is.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
