package body

import (
	"fmt"
	"sort"
	"strconv"
)

// Property names of ConsumerRunningInfo.Properties (Java
// ConsumerRunningInfo constants).
const (
	PropNamesrvAddr            = "PROP_NAMESERVER_ADDR"
	PropThreadPoolCoreSize     = "PROP_THREADPOOL_CORE_SIZE"
	PropConsumeOrderly         = "PROP_CONSUMEORDERLY"
	PropConsumeType            = "PROP_CONSUME_TYPE"
	PropClientVersion          = "PROP_CLIENT_VERSION"
	PropConsumerStartTimestamp = "PROP_CONSUMER_START_TIMESTAMP"
)

// ProcessQueueInfo is a client's view of one queue it consumes (Java
// protocol.body.ProcessQueueInfo). Java spells the dropped flag "droped";
// rocketmq-client-go writes "dropped"; both are read.
type ProcessQueueInfo struct {
	CommitOffset            int64
	CachedMsgMinOffset      int64
	CachedMsgMaxOffset      int64
	CachedMsgCount          int64
	CachedMsgSizeInMiB      int64
	TransactionMsgMinOffset int64
	TransactionMsgMaxOffset int64
	TransactionMsgCount     int64
	Locked                  bool
	TryUnlockTimes          int64
	LastLockTimestamp       int64
	Dropped                 bool
	LastPullTimestamp       int64
	LastConsumeTimestamp    int64
}

func (p *ProcessQueueInfo) appendJSON(dst []byte) []byte {
	longs := [...]struct {
		k string
		v int64
	}{
		{"cachedMsgCount", p.CachedMsgCount}, {"cachedMsgMaxOffset", p.CachedMsgMaxOffset},
		{"cachedMsgMinOffset", p.CachedMsgMinOffset}, {"cachedMsgSizeInMiB", p.CachedMsgSizeInMiB},
		{"commitOffset", p.CommitOffset},
	}
	dst = append(dst, '{')
	for _, f := range longs {
		dst = appendKey(dst, f.k, false)
		dst = strconv.AppendInt(dst, f.v, 10)
		dst = append(dst, ',')
	}
	dst = append(dst, `"droped":`...)
	dst = appendBool(dst, p.Dropped)
	for _, f := range [...]struct {
		k string
		v int64
	}{{"lastConsumeTimestamp", p.LastConsumeTimestamp}, {"lastLockTimestamp", p.LastLockTimestamp}, {"lastPullTimestamp", p.LastPullTimestamp}} {
		dst = append(dst, ',')
		dst = appendKey(dst, f.k, false)
		dst = strconv.AppendInt(dst, f.v, 10)
	}
	dst = append(dst, `,"locked":`...)
	dst = appendBool(dst, p.Locked)
	for _, f := range [...]struct {
		k string
		v int64
	}{{"transactionMsgCount", p.TransactionMsgCount}, {"transactionMsgMaxOffset", p.TransactionMsgMaxOffset},
		{"transactionMsgMinOffset", p.TransactionMsgMinOffset}, {"tryUnlockTimes", p.TryUnlockTimes}} {
		dst = append(dst, ',')
		dst = appendKey(dst, f.k, false)
		dst = strconv.AppendInt(dst, f.v, 10)
	}
	return append(dst, '}')
}

func decodeProcessQueueInfo(v *value) (ProcessQueueInfo, error) {
	var p ProcessQueueInfo
	if v.k == kNull {
		return p, nil
	}
	if v.k != kObject {
		return p, fmt.Errorf("body: ProcessQueueInfo: expected an object")
	}
	longs := map[string]*int64{
		"commitoffset": &p.CommitOffset, "cachedmsgminoffset": &p.CachedMsgMinOffset,
		"cachedmsgmaxoffset": &p.CachedMsgMaxOffset, "cachedmsgcount": &p.CachedMsgCount,
		"cachedmsgsizeinmib": &p.CachedMsgSizeInMiB, "transactionmsgminoffset": &p.TransactionMsgMinOffset,
		"transactionmsgmaxoffset": &p.TransactionMsgMaxOffset, "transactionmsgcount": &p.TransactionMsgCount,
		"tryunlocktimes": &p.TryUnlockTimes, "lastlocktimestamp": &p.LastLockTimestamp,
		"lastpulltimestamp": &p.LastPullTimestamp, "lastconsumetimestamp": &p.LastConsumeTimestamp,
	}
	var err error
	for i, k := range v.keys {
		f := &v.vals[i]
		bk := beanKey(k)
		if dst, ok := longs[bk]; ok {
			*dst, err = f.asInt64(k)
		} else {
			switch bk {
			case "locked":
				p.Locked, err = f.asBool(k)
			case "droped", "dropped":
				p.Dropped, err = f.asBool(k)
			}
		}
		if err != nil {
			return p, fmt.Errorf("body: ProcessQueueInfo: %w", err)
		}
	}
	return p, nil
}

// ConsumeStatus is a client's pull/consume rates for one topic (Java
// protocol.body.ConsumeStatus).
type ConsumeStatus struct {
	PullRT            float64
	PullTPS           float64
	ConsumeRT         float64
	ConsumeOKTPS      float64
	ConsumeFailedTPS  float64
	ConsumeFailedMsgs int64
}

func (s *ConsumeStatus) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"consumeFailedMsgs":`...)
	dst = strconv.AppendInt(dst, s.ConsumeFailedMsgs, 10)
	for _, f := range [...]struct {
		k string
		v float64
	}{{"consumeFailedTPS", s.ConsumeFailedTPS}, {"consumeOKTPS", s.ConsumeOKTPS}, {"consumeRT", s.ConsumeRT},
		{"pullRT", s.PullRT}, {"pullTPS", s.PullTPS}} {
		dst = append(dst, ',')
		dst = appendKey(dst, f.k, false)
		dst = appendJavaDouble(dst, f.v)
	}
	return append(dst, '}')
}

func decodeConsumeStatus(v *value) (ConsumeStatus, error) {
	var s ConsumeStatus
	if v.k == kNull {
		return s, nil
	}
	if v.k != kObject {
		return s, fmt.Errorf("body: ConsumeStatus: expected an object")
	}
	doubles := map[string]*float64{
		"pullrt": &s.PullRT, "pulltps": &s.PullTPS, "consumert": &s.ConsumeRT,
		"consumeoktps": &s.ConsumeOKTPS, "consumefailedtps": &s.ConsumeFailedTPS,
	}
	var err error
	for i, k := range v.keys {
		f := &v.vals[i]
		bk := beanKey(k)
		if dst, ok := doubles[bk]; ok {
			*dst, err = f.asFloat64(k)
		} else if bk == "consumefailedmsgs" {
			s.ConsumeFailedMsgs, err = f.asInt64(k)
		}
		if err != nil {
			return s, fmt.Errorf("body: ConsumeStatus: %w", err)
		}
	}
	return s, nil
}

// ConsumerRunningInfo is a client's GET_CONSUMER_RUNNING_INFO answer,
// which the broker relays unchanged (Java
// protocol.body.ConsumerRunningInfo). The broker never builds one; the
// type is here for tools that read the relayed body.
//
//	{"jstack":"...","mqTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"cachedMsgCount":0,...,"commitOffset":5,...}},
//	 "properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY",...},"statusTable":{"T":{"consumeFailedMsgs":0,...}},
//	 "subscriptionSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"T"}]}
type ConsumerRunningInfo struct {
	Properties      map[string]string
	SubscriptionSet []SubscriptionData
	MQTable         map[MessageQueue]ProcessQueueInfo
	StatusTable     map[string]ConsumeStatus
	JStack          string
}

// Encode writes the body as a Java client does (TreeSet/TreeMap order).
func (c *ConsumerRunningInfo) Encode() []byte {
	dst := make([]byte, 0, 512+256*len(c.MQTable))
	dst = append(dst, '{')
	if c.JStack != "" {
		dst = append(dst, `"jstack":`...)
		dst = appendString(dst, c.JStack, false)
		dst = append(dst, ',')
	}
	dst = append(dst, `"mqTable":{`...)
	for i, q := range sortedQueues(c.MQTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		p := c.MQTable[q]
		dst = q.AppendJSON(dst)
		dst = append(dst, ':')
		dst = p.appendJSON(dst)
	}
	dst = append(dst, `},"properties":`...)
	dst = appendStringMap(dst, c.Properties)
	dst = append(dst, `,"statusTable":{`...)
	for i, topic := range sortedKeys(c.StatusTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		s := c.StatusTable[topic]
		dst = appendKey(dst, topic, false)
		dst = s.appendJSON(dst)
	}
	dst = append(dst, `},"subscriptionSet":[`...)
	subs := append([]SubscriptionData(nil), c.SubscriptionSet...)
	// Java's TreeSet orders by topic + "@" + subString.
	sort.SliceStable(subs, func(i, j int) bool {
		return subs[i].Topic+"@"+subs[i].SubString < subs[j].Topic+"@"+subs[j].SubString
	})
	for i := range subs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendSubscriptionData(dst, &subs[i])
	}
	return append(dst, "]}"...)
}

// DecodeConsumerRunningInfo parses a running-info body as Java clients and
// rocketmq-client-go write it (the latter with its own key order, spaces
// and "dropped"). Non-string property values are kept as their text.
func DecodeConsumerRunningInfo(data []byte) (*ConsumerRunningInfo, error) {
	v, err := parseObjectKeyed(data, "ConsumerRunningInfo")
	if err != nil {
		return nil, err
	}
	c := &ConsumerRunningInfo{
		Properties:  map[string]string{},
		MQTable:     map[MessageQueue]ProcessQueueInfo{},
		StatusTable: map[string]ConsumeStatus{},
	}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch beanKey(k) {
		case "properties":
			if err = f.objectOrNull(k); err != nil {
				break
			}
			for j, name := range f.keys {
				if s, serr := f.vals[j].asString(name); serr == nil {
					c.Properties[name] = s
				}
			}
		case "subscriptionset":
			if f.k == kNull {
				break
			}
			if f.k != kArray {
				err = fmt.Errorf("%s: expected an array", k)
				break
			}
			for j := range f.arr {
				var sd SubscriptionData
				if sd, err = decodeSubscriptionData(&f.arr[j]); err != nil {
					break
				}
				c.SubscriptionSet = append(c.SubscriptionSet, sd)
			}
		case "mqtable":
			err = queueEntries(f, k, func(q MessageQueue, val *value) error {
				p, err := decodeProcessQueueInfo(val)
				c.MQTable[q] = p
				return err
			})
		case "statustable":
			if err = f.objectOrNull(k); err != nil {
				break
			}
			for j, topic := range f.keys {
				var s ConsumeStatus
				if s, err = decodeConsumeStatus(&f.vals[j]); err != nil {
					break
				}
				c.StatusTable[topic] = s
			}
		case "jstack":
			c.JStack, err = f.asString(k)
		}
		if err != nil {
			return nil, fmt.Errorf("body: ConsumerRunningInfo: %w", err)
		}
	}
	return c, nil
}

// Results of a CONSUME_MESSAGE_DIRECTLY (Java CMResult), by ordinal.
var cmResults = [...]string{"CR_SUCCESS", "CR_LATER", "CR_ROLLBACK", "CR_COMMIT", "CR_THROW_EXCEPTION", "CR_RETURN_NULL"}

// ConsumeMessageDirectlyResult is a client's CONSUME_MESSAGE_DIRECTLY
// answer, relayed unchanged by the broker (Java
// protocol.body.ConsumeMessageDirectlyResult). ConsumeResult is the CMResult
// name; rocketmq-client-go writes the ordinal, which the decoder maps to
// the name.
//
//	{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"remark":"","spentTimeMills":3}
type ConsumeMessageDirectlyResult struct {
	Order          bool
	AutoCommit     bool
	ConsumeResult  string
	Remark         string
	SpentTimeMills int64
}

// Encode writes the body as fastjson does.
func (r *ConsumeMessageDirectlyResult) Encode() []byte {
	dst := []byte(`{"autoCommit":`)
	dst = appendBool(dst, r.AutoCommit)
	if r.ConsumeResult != "" {
		dst = append(dst, `,"consumeResult":`...)
		dst = appendString(dst, r.ConsumeResult, false)
	}
	dst = append(dst, `,"order":`...)
	dst = appendBool(dst, r.Order)
	if r.Remark != "" {
		dst = append(dst, `,"remark":`...)
		dst = appendString(dst, r.Remark, false)
	}
	dst = append(dst, `,"spentTimeMills":`...)
	dst = strconv.AppendInt(dst, r.SpentTimeMills, 10)
	return append(dst, '}')
}

// DecodeConsumeMessageDirectlyResult parses the body.
func DecodeConsumeMessageDirectlyResult(data []byte) (*ConsumeMessageDirectlyResult, error) {
	v, err := decodeObject(data, "ConsumeMessageDirectlyResult")
	if err != nil {
		return nil, err
	}
	r := &ConsumeMessageDirectlyResult{AutoCommit: true}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch beanKey(k) {
		case "order":
			r.Order, err = f.asBool(k)
		case "autocommit":
			r.AutoCommit, err = f.asBool(k)
		case "consumeresult":
			if f.k == kNumber {
				var n int64
				if n, err = f.asInt64(k); err == nil {
					if n < 0 || n >= int64(len(cmResults)) {
						err = fmt.Errorf("%s: unknown result %d", k, n)
					} else {
						r.ConsumeResult = cmResults[n]
					}
				}
			} else {
				r.ConsumeResult, err = f.asString(k)
			}
		case "remark":
			r.Remark, err = f.asString(k)
		case "spenttimemills":
			r.SpentTimeMills, err = f.asInt64(k)
		}
		if err != nil {
			return nil, fmt.Errorf("body: ConsumeMessageDirectlyResult: %w", err)
		}
	}
	return r, nil
}
