package processor

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Send handles SEND_MESSAGE (long header keys), SEND_MESSAGE_V2 and
// SEND_BATCH_MESSAGE (short keys a..n), as Java's SendMessageProcessor:
// the checks of AbstractSendMessageProcessor.msgCheck, topic
// auto-creation, retry-topic handling, the store put, and the reply header
// with the offset msgId.
type Send struct {
	env *Env
	recordPools
}

// NewSend returns the send processor.
func NewSend(env *Env) *Send {
	return &Send{env: env}
}

// retryGroupTopicPrefix and dlqGroupTopicPrefix name a group's retry and
// dead-letter topics (Java MixAll).
const (
	retryGroupTopicPrefix = "%RETRY%"
	dlqGroupTopicPrefix   = "%DLQ%"
	dlqNumsPerGroup       = 1
	// versionV3_4_9 is MQVersion.Version.V3_4_9's ordinal: from it on a
	// send's maxReconsumeTimes header is honoured.
	versionV3_4_9 = 165
)

// sendHeader is SendMessageRequestHeader.
type sendHeader struct {
	producerGroup         string
	topic                 string
	defaultTopic          string
	defaultTopicQueueNums int32
	queueID               int32
	sysFlag               int32
	bornTimestamp         int64
	flag                  int32
	properties            string
	reconsumeTimes        int32
	unitMode              bool
	maxReconsumeTimes     int32
	hasMaxReconsumeTimes  bool
	batch                 bool
}

// sendKeys are the extFields names of the long (V1) and short (V2) forms.
type sendKeys struct {
	producerGroup, topic, defaultTopic, defaultTopicQueueNums, queueID, sysFlag, bornTimestamp,
	flag, properties, reconsumeTimes, unitMode, maxReconsumeTimes, batch string
}

var (
	keysV1 = sendKeys{"producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag",
		"bornTimestamp", "flag", "properties", "reconsumeTimes", "unitMode", "maxReconsumeTimes", "batch"}
	keysV2 = sendKeys{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"}
)

func decodeSendHeader(req *codec.Command) (sendHeader, error) {
	k := &keysV1
	if req.Code == int32(requestcode.SendMessageV2) || req.Code == int32(requestcode.SendBatchMessage) ||
		req.Code == int32(requestcode.SendReplyMessageV2) {
		k = &keysV2
	}
	r := header.NewReader(req)
	h := sendHeader{
		producerGroup:         r.String(k.producerGroup),
		topic:                 r.String(k.topic),
		defaultTopic:          r.String(k.defaultTopic),
		defaultTopicQueueNums: r.Int32(k.defaultTopicQueueNums),
		queueID:               r.Int32(k.queueID),
		sysFlag:               r.Int32(k.sysFlag),
		bornTimestamp:         r.Int64(k.bornTimestamp),
		flag:                  r.Int32(k.flag),
		properties:            r.OptString(k.properties),
		reconsumeTimes:        r.OptInt32(k.reconsumeTimes, 0),
		unitMode:              r.Bool(k.unitMode),
		batch:                 r.Bool(k.batch),
	}
	if r.HasField(k.maxReconsumeTimes) {
		h.maxReconsumeTimes = r.OptInt32(k.maxReconsumeTimes, 0)
		h.hasMaxReconsumeTimes = true
	}
	return h, r.Err()
}

// ProcessRequest stores the message(s) and answers with where they went.
func (s *Send) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	h, err := decodeSendHeader(req)
	if err != nil {
		return nil, err
	}
	set := s.env.Settings()
	resp := respond(req, requestcode.SystemError, "")
	// Every send reply the processor builds carries these two (Java
	// preSend); clients read them unconditionally.
	resp.Set("MSG_REGION", set.RegionID)
	resp.Set("TRACE_ON", strconv.FormatBool(set.TraceOn))

	if set.StartAcceptSendRequestTimeStamp > 0 && s.env.nowMillis() < set.StartAcceptSendRequestTimeStamp {
		resp.Remark = fmt.Sprintf("broker unable to service, until %d", set.StartAcceptSendRequestTimeStamp)
		return resp, nil
	}
	if set.Slave {
		// Java's store refuses puts on a slave (SERVICE_NOT_AVAILABLE).
		s.putResult(resp, set, errSlave)
		return resp, nil
	}
	tc, ok := s.check(c, set, &h, resp)
	if !ok {
		return resp, nil
	}
	queueID := h.queueID
	if queueID < 0 {
		queueID = randomQueue(tc.WriteQueueNums)
	}
	if req.Code == int32(requestcode.SendBatchMessage) {
		return s.putBatch(c, req, set, &h, tc, queueID, resp)
	}
	return s.putOne(c, req, set, &h, tc, queueID, resp)
}

func randomQueue(writeQueues int32) int32 {
	if writeQueues <= 0 {
		return 0
	}
	return int32(rand.IntN(99999999) % int(writeQueues))
}

// check is AbstractSendMessageProcessor.msgCheck: broker write
// permission for order topics, the topic name, forbidden system topics,
// auto-creation, and the queue id range.
func (s *Send) check(c *remoting.Conn, set *Settings, h *sendHeader, resp *codec.Command) (body.TopicConfig, bool) {
	topics := s.env.Topics
	if set.BrokerPermission&body.PermWrite == 0 && topics.IsOrderTopic(h.topic) {
		resp.Code = int32(requestcode.NoPermission)
		resp.Remark = "the broker[" + set.BrokerIP1 + "] sending message is forbidden"
		return body.TopicConfig{}, false
	}
	if err := topicconfig.Validate(h.topic); err != nil {
		resp.Code = int32(requestcode.SystemError)
		resp.Remark = err.Error()
		return body.TopicConfig{}, false
	}
	if topicconfig.NotAllowedSend(h.topic) {
		resp.Code = int32(requestcode.NoPermission)
		resp.Remark = "Sending message to topic[" + h.topic + "] is forbidden."
		return body.TopicConfig{}, false
	}
	tc, ok := topics.Get(h.topic)
	if !ok {
		var sysFlag int32
		if h.unitMode {
			if strings.HasPrefix(h.topic, retryGroupTopicPrefix) {
				sysFlag = topicconfig.SysFlagUnitSub
			} else {
				sysFlag = topicconfig.SysFlagUnit
			}
		}
		s.env.Log.WithFields(logrus.Fields{"topic": h.topic, "producer": c.RemoteAddr()}).Warn("the topic does not exist")
		tc, ok = topics.CreateTopicInSendMessage(h.topic, h.defaultTopic, c.RemoteAddr(), h.defaultTopicQueueNums, sysFlag)
		if !ok && strings.HasPrefix(h.topic, retryGroupTopicPrefix) {
			tc, ok = topics.CreateTopicInSendMessageBack(h.topic, 1, body.PermWrite|body.PermRead, sysFlag)
		}
		if !ok {
			resp.Code = int32(requestcode.TopicNotExist)
			resp.Remark = "topic[" + h.topic + "] not exist, apply first please!" + faqSuffix
			return body.TopicConfig{}, false
		}
	}
	valid := max(tc.WriteQueueNums, tc.ReadQueueNums)
	if h.queueID >= valid {
		resp.Code = int32(requestcode.SystemError)
		resp.Remark = fmt.Sprintf("request queueId[%d] is illegal, %s Producer: %s", h.queueID, topicconfig.String(&tc), c.RemoteAddr())
		s.env.Log.WithFields(logrus.Fields{"topic": h.topic, "queueId": h.queueID, "producer": c.RemoteAddr()}).Warn("illegal queue id")
		return body.TopicConfig{}, false
	}
	return tc, true
}

// faqSuffix is what Java's FAQUrl.suggestTodo appends to a remark (the
// same text for every FAQ topic in 4.9.7).
const faqSuffix = "\nSee http://rocketmq.apache.org/docs/faq/ for further details."

// retryOrDLQ is SendMessageProcessor.handleRetryAndDLQ: a send to a
// group's retry topic past the group's retry limit goes to its dead-letter
// topic instead. It returns the topic and queue to store into.
func (s *Send) retryOrDLQ(req *codec.Command, h *sendHeader, tc *body.TopicConfig, queueID int32, resp *codec.Command) (string, int32, bool) {
	topic := h.topic
	if !strings.HasPrefix(topic, retryGroupTopicPrefix) {
		return topic, queueID, true
	}
	group := topic[len(retryGroupTopicPrefix):]
	// findSubscriptionGroupConfig: auto-created like any group.
	sg, ok := s.env.Groups.FindOrCreate(group, s.env.Settings().AutoCreateSubscriptionGroup)
	if !ok {
		resp.Code = int32(requestcode.SubscriptionGroupNotExist)
		resp.Remark = "subscription group not exist, " + group + " " + faqSuffix
		return "", 0, false
	}
	maxTimes := sg.RetryMaxTimes
	if req.Version >= versionV3_4_9 && h.hasMaxReconsumeTimes {
		maxTimes = h.maxReconsumeTimes
	}
	if h.reconsumeTimes < maxTimes {
		return topic, queueID, true
	}
	dlq := dlqGroupTopicPrefix + group
	dtc, ok := s.env.Topics.CreateTopicInSendMessageBack(dlq, dlqNumsPerGroup, body.PermWrite|body.PermRead, 0)
	if !ok {
		resp.Code = int32(requestcode.SystemError)
		resp.Remark = "topic[" + dlq + "] not exist"
		return "", 0, false
	}
	*tc = dtc
	return dlq, int32(rand.IntN(99999999) % dlqNumsPerGroup), true
}

// errSlave stands for the store's refusal of writes on a slave.
var errSlave = errors.New("message store is in slave mode")

func (s *Send) putOne(c *remoting.Conn, req *codec.Command, set *Settings, h *sendHeader, tc body.TopicConfig, queueID int32, resp *codec.Command) (*codec.Command, error) {
	topic, qid, ok := s.retryOrDLQ(req, h, &tc, queueID, resp)
	if !ok {
		return resp, nil
	}
	props := s.propMap()
	defer s.putPropMap(props)
	// On the DLQ path Java's handleRetryAndDLQ sets DELAY=0 on a property
	// map that the request's properties then replace, so a DELAY the
	// client sent survives and delays the dead letter too.
	props.ParseFrom(message.Properties(h.properties))
	sysFlag := h.sysFlag
	if tc.TopicFilterType == body.MultiTag {
		sysFlag |= message.MultiTagsFlag
	}
	props.Put(message.PropertyCluster, set.ClusterName)
	// WAIT=true is not stored: Java removes it before serializing to save
	// the bytes (but a re-serialization below carries it again).
	wv, hadWait := props.Remove(message.PropertyWaitStoreMsgOK)
	wait := removedWait{value: wv, ok: hadWait}
	if v, ok := props.Get(message.PropertyTransactionPrepared); ok && strings.EqualFold(v, "true") {
		if set.RejectTransactionMessage {
			resp.Code = int32(requestcode.NoPermission)
			resp.Remark = "the broker[" + set.BrokerIP1 + "] sending transaction message is forbidden"
			return resp, nil
		}
		// A half message is parked in the half topic with its real
		// destination in properties, invisible to consumers until it is
		// committed (Java TransactionalMessageBridge.parseHalfMessageInner).
		// A DELAY it carries is kept for the commit: Java would redirect
		// the half message itself to the schedule topic and later drop it
		// there as a "[BUG]" (its REAL_TOPIC being the half topic).
		wait.restore(props)
		props.Put(message.PropertyRealTopic, topic)
		props.Put(message.PropertyRealQueueID, strconv.Itoa(int(qid)))
		sysFlag = sysFlag&^message.TransactionRollbackType | message.TransactionNotType
		topic, qid = topicconfig.TransHalfTopic, 0
	} else {
		var err error
		topic, qid, _, err = delayRedirect(props, s.env.Store.DelayLevels(), sysFlag, topic, qid, wait, s.env.Log)
		if err != nil {
			resp.Code = int32(requestcode.SystemError)
			resp.Remark = err.Error()
			return resp, nil
		}
	}
	bp := s.buf()
	defer s.putBuf(bp)
	propBytes := props.AppendTo((*bp)[:0])
	m := message.Message{
		QueueID:        qid,
		Flag:           h.flag,
		SysFlag:        sysFlag,
		BornTimestamp:  h.bornTimestamp,
		BornHost:       remoteHost(c.RemoteAddr()),
		StoreHost:      s.env.StoreHost,
		ReconsumeTimes: h.reconsumeTimes,
		Body:           req.Body,
		Topic:          topic,
		Properties:     propBytes,
	}
	// The record is encoded behind the properties in the same pooled
	// buffer; the pool keeps the whole (possibly grown) buffer.
	limits := message.Limits{MaxMessageBodySize: set.MaxMessageSize}
	buf, err := limits.AppendRecord(propBytes, &m)
	*bp = buf[:0]
	rec := buf[len(propBytes):]
	if err != nil {
		s.putFailed(resp, set, err)
		return resp, nil
	}
	res, err := s.put(topic, qid, rec, 1, wait.asked())
	if !s.putResult(resp, set, err) {
		return resp, nil
	}
	s.env.PutNums.Add(1)
	resp.Set("msgId", message.OffsetMsgID(s.env.StoreHost, storeHostV6(s.env.StoreHost), res.PhysOffset))
	resp.Set("queueId", strconv.Itoa(int(queueID)))
	resp.Set("queueOffset", strconv.FormatInt(res.QueueOffset, 10))
	return resp, nil
}

func (s *Send) putBatch(c *remoting.Conn, req *codec.Command, set *Settings, h *sendHeader, tc body.TopicConfig, queueID int32, resp *codec.Command) (*codec.Command, error) {
	if len(h.topic) > message.MaxTopicLength {
		resp.Code = int32(requestcode.MessageIllegal)
		resp.Remark = "message topic length too long " + strconv.Itoa(len(h.topic))
		return resp, nil
	}
	if strings.HasPrefix(h.topic, retryGroupTopicPrefix) {
		// Java's store refuses batches to retry topics.
		resp.Code = int32(requestcode.MessageIllegal)
		resp.Remark = "batch request does not support retry group " + h.topic
		return resp, nil
	}
	props := s.propMap()
	defer s.putPropMap(props)
	props.ParseFrom(message.Properties(h.properties))
	if _, ok := props.Get(message.PropertyDelayTimeLevel); ok {
		resp.Code = int32(requestcode.MessageIllegal)
		resp.Remark = "batch message does not support delay"
		return resp, nil
	}
	props.Put(message.PropertyCluster, set.ClusterName)
	sysFlag := h.sysFlag
	if tc.TopicFilterType == body.MultiTag {
		sysFlag |= message.MultiTagsFlag
	}
	bp := s.buf()
	defer s.putBuf(bp)
	propBytes := props.AppendTo((*bp)[:0])
	b := message.Batch{
		Topic:          h.topic,
		QueueID:        queueID,
		SysFlag:        sysFlag,
		BornTimestamp:  h.bornTimestamp,
		BornHost:       remoteHost(c.RemoteAddr()),
		StoreHost:      s.env.StoreHost,
		ReconsumeTimes: h.reconsumeTimes,
		Properties:     propBytes,
	}
	limits := message.Limits{MaxMessageBodySize: set.MaxMessageSize}
	buf, n, err := limits.AppendBatch(propBytes, &b, req.Body)
	*bp = buf[:0]
	recs := buf[len(propBytes):]
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: empty batch", message.ErrCorrupt)
	}
	if err != nil {
		s.putFailed(resp, set, err)
		return resp, nil
	}
	wv, hadWait := props.Get(message.PropertyWaitStoreMsgOK)
	res, err := s.put(h.topic, queueID, recs, n, removedWait{value: wv, ok: hadWait}.asked())
	if !s.putResult(resp, set, err) {
		return resp, nil
	}
	s.env.PutNums.Add(int64(n))
	v6 := storeHostV6(s.env.StoreHost)
	ids := make([]byte, 0, n*33)
	phys := res.PhysOffset
	for i, rest := 0, recs; i < n && len(rest) >= 4; i++ {
		size, _, _ := message.PeekHeader(rest)
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = message.AppendOffsetMsgID(ids, s.env.StoreHost, v6, phys)
		phys += int64(size)
		rest = rest[size:]
	}
	resp.Set("msgId", string(ids))
	resp.Set("queueId", strconv.Itoa(int(queueID)))
	resp.Set("queueOffset", strconv.FormatInt(res.QueueOffset, 10))
	return resp, nil
}

// put stores one record or a batch run; with wait false (the message's
// WAIT property is not "true") it waits for neither a SYNC_FLUSH nor a
// SYNC_MASTER slave, as Java's handleDiskFlush/handleHA decide by
// isWaitStoreMsgOK.
func (s *Send) put(topic string, qid int32, recs []byte, n int, wait bool) (commitlog.Result, error) {
	switch {
	case n == 1 && wait:
		return s.env.Store.Put(topic, qid, recs)
	case n == 1:
		return s.env.Store.PutNoWait(topic, qid, recs)
	case wait:
		return s.env.Store.PutBatch(topic, qid, recs, n)
	default:
		return s.env.Store.PutBatchNoWait(topic, qid, recs, n)
	}
}

// storeHostV6 says whether the offset msgId carries a 16-byte address. As
// in Java it follows the address itself, not the sysFlag a client sent.
func storeHostV6(h message.Host) bool { return h.Addr.Is6() && !h.Addr.Is4In6() }

// putFailed answers an encoding failure (Java MESSAGE_ILLEGAL /
// PROPERTIES_SIZE_EXCEEDED from the store).
func (s *Send) putFailed(resp *codec.Command, set *Settings, err error) {
	resp.Code = int32(requestcode.MessageIllegal)
	maxSize := set.MaxMessageSize
	if maxSize <= 0 {
		maxSize = message.DefaultMaxMessageBodySize
	}
	switch {
	case errors.Is(err, message.ErrBodyTooLarge), errors.Is(err, message.ErrMessageTooLarge),
		errors.Is(err, message.ErrPropertiesTooLong), errors.Is(err, commitlog.ErrTooLarge):
		resp.Remark = fmt.Sprintf("the message is illegal, maybe msg body or properties length not matched. msg body length limit %dB, msg properties length limit 32KB.", maxSize)
	case errors.Is(err, message.ErrTopicTooLong):
		resp.Remark = "message topic length too long"
	default:
		resp.Remark = "the message is illegal: " + err.Error()
	}
}

// putResult maps the store's answer to Java's PutMessageStatus codes. It
// reports whether the message was stored (SEND_OK or a flush timeout).
func (s *Send) putResult(resp *codec.Command, set *Settings, err error) bool {
	switch {
	case err == nil:
		resp.Code = int32(requestcode.Success)
		resp.Remark = ""
		return true
	case errors.Is(err, commitlog.ErrFlushTimeout):
		resp.Code = int32(requestcode.FlushDiskTimeout)
		resp.Remark = ""
		return true
	// SYNC_MASTER: stored here, its copy on a slave in doubt; Java still
	// answers with the queue offset and msgId.
	case errors.Is(err, store.ErrFlushSlaveTimeout):
		resp.Code = int32(requestcode.FlushSlaveTimeout)
		resp.Remark = ""
		return true
	case errors.Is(err, store.ErrSlaveNotAvailable):
		resp.Code = int32(requestcode.SlaveNotAvailable)
		resp.Remark = ""
		return true
	case errors.Is(err, store.ErrDiskFull), errors.Is(err, commitlog.ErrClosed), errors.Is(err, errSlave), errors.Is(err, store.ErrSlave):
		resp.Code = int32(requestcode.ServiceNotAvailable)
		resp.Remark = "service not available now. It may be caused by one of the following reasons: the broker's disk is full, messages are put to the slave, message store has been shut down, etc."
	case errors.Is(err, commitlog.ErrTooLarge), errors.Is(err, store.ErrMessageTooLarge):
		s.putFailed(resp, set, err)
	default:
		s.env.Log.WithError(err).Error("store put failed")
		resp.Code = int32(requestcode.SystemError)
		resp.Remark = "create mapped file failed, server is busy or broken."
	}
	return false
}
