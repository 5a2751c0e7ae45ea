package body

import (
	"fmt"
	"strconv"
)

// ResetOffsetBody carries the new offset of every queue of a reset: the
// body of RESET_CONSUMER_CLIENT_OFFSET sent to each client of the group,
// and of the INVOKE_BROKER_TO_RESET_OFFSET answer (Java
// protocol.body.ResetOffsetBody).
//
//	{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:42,{"brokerName":"b","queueId":1,"topic":"T"}:40}}
//
// That is fastjson's object-key form, which is not JSON; rocketmq-client-go
// v2.1.2 picks its fastjson reader exactly because the body is not valid
// JSON, and splits it on ",{" and "}:", so the encoder must write it
// compact with the queue's properties in this order.
type ResetOffsetBody struct {
	OffsetTable map[MessageQueue]int64
}

// Encode writes the body as fastjson does.
func (r *ResetOffsetBody) Encode() []byte {
	dst := make([]byte, 0, 32+64*len(r.OffsetTable))
	dst = append(dst, `{"offsetTable":{`...)
	for i, q := range sortedQueues(r.OffsetTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = q.AppendJSON(dst)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, r.OffsetTable[q], 10)
	}
	return append(dst, "}}"...)
}

// DecodeResetOffsetBody parses a ResetOffsetBody (fastjson object keys,
// string keys or Gson pairs).
func DecodeResetOffsetBody(data []byte) (*ResetOffsetBody, error) {
	v, err := parseObjectKeyed(data, "ResetOffsetBody")
	if err != nil {
		return nil, err
	}
	r := &ResetOffsetBody{OffsetTable: map[MessageQueue]int64{}}
	f, ok := v.get("offsetTable")
	if !ok {
		return r, nil
	}
	err = queueEntries(f, "offsetTable", func(q MessageQueue, val *value) error {
		n, err := val.asInt64("offsetTable")
		if err != nil {
			return err
		}
		r.OffsetTable[q] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// MessageQueueForC is a queue with its offset (Java MessageQueueForC), the
// list element of ResetOffsetBodyForC.
type MessageQueueForC struct {
	Topic      string
	BrokerName string
	QueueID    int32
	Offset     int64
}

// ResetOffsetBodyForC is the RESET_CONSUMER_CLIENT_OFFSET body Java sends
// to C++ clients (Java ResetOffsetBodyForC), whose JSON reader cannot take
// object keys:
//
//	{"offsetTable":[{"brokerName":"b","offset":42,"queueId":0,"topic":"T"}]}
type ResetOffsetBodyForC struct {
	OffsetTable []MessageQueueForC
}

// NewResetOffsetBodyForC lists r's queues in compareTo order.
func NewResetOffsetBodyForC(r *ResetOffsetBody) *ResetOffsetBodyForC {
	c := &ResetOffsetBodyForC{OffsetTable: make([]MessageQueueForC, 0, len(r.OffsetTable))}
	for _, q := range sortedQueues(r.OffsetTable) {
		c.OffsetTable = append(c.OffsetTable, MessageQueueForC{Topic: q.Topic, BrokerName: q.BrokerName, QueueID: q.QueueID, Offset: r.OffsetTable[q]})
	}
	return c
}

// Encode writes the body as fastjson does.
func (r *ResetOffsetBodyForC) Encode() []byte {
	dst := make([]byte, 0, 32+80*len(r.OffsetTable))
	dst = append(dst, `{"offsetTable":[`...)
	for i, q := range r.OffsetTable {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"brokerName":`...)
		dst = appendString(dst, q.BrokerName, false)
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, q.Offset, 10)
		dst = append(dst, `,"queueId":`...)
		dst = strconv.AppendInt(dst, int64(q.QueueID), 10)
		dst = append(dst, `,"topic":`...)
		dst = appendString(dst, q.Topic, false)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// DecodeResetOffsetBodyForC parses a ResetOffsetBodyForC body.
func DecodeResetOffsetBodyForC(data []byte) (*ResetOffsetBodyForC, error) {
	v, err := decodeObject(data, "ResetOffsetBodyForC")
	if err != nil {
		return nil, err
	}
	r := &ResetOffsetBodyForC{}
	f, ok := v.get("offsetTable")
	if !ok || f.k == kNull {
		return r, nil
	}
	if f.k != kArray {
		return nil, fmt.Errorf("body: ResetOffsetBodyForC: offsetTable: expected an array")
	}
	for i := range f.arr {
		q, err := decodeMessageQueue(&f.arr[i])
		if err != nil {
			return nil, err
		}
		var off int64
		if o, ok := f.arr[i].get("offset"); ok {
			if off, err = o.asInt64("offset"); err != nil {
				return nil, err
			}
		}
		r.OffsetTable = append(r.OffsetTable, MessageQueueForC{Topic: q.Topic, BrokerName: q.BrokerName, QueueID: q.QueueID, Offset: off})
	}
	return r, nil
}
