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

// SendBack handles CONSUMER_SEND_MSG_BACK, a consumer handing back a
// message it failed to consume (Java SendMessageProcessor
// .asyncConsumerSendMsgBack): the stored message is copied to the group's
// %RETRY% topic with the next delay level, so it comes back later, or to
// the group's %DLQ% topic once it was reconsumed maxReconsumeTimes.
type SendBack struct {
	env *Env
	recordPools
}

// NewSendBack returns the send-back processor.
func NewSendBack(env *Env) *SendBack {
	return &SendBack{env: env}
}

// sendBackHeader is ConsumerSendMsgBackRequestHeader.
type sendBackHeader struct {
	offset            int64
	group             string
	delayLevel        int32
	unitMode          bool
	maxReconsumeTimes int32
	hasMaxReconsume   bool
}

func decodeSendBackHeader(req *codec.Command) (sendBackHeader, error) {
	r := header.NewReader(req)
	h := sendBackHeader{
		offset:     r.Int64("offset"),
		group:      r.String("group"),
		delayLevel: r.Int32("delayLevel"),
		unitMode:   r.Bool("unitMode"),
	}
	if err := r.Err(); err != nil {
		return h, err
	}
	// maxReconsumeTimes is an optional Integer: Java leaves a value it
	// cannot parse null, which means "use the group's retryMaxTimes".
	if v, ok := req.Get("maxReconsumeTimes"); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err == nil {
			h.maxReconsumeTimes, h.hasMaxReconsume = int32(n), true
		}
	}
	return h, nil
}

// ProcessRequest copies the message at the header's commitlog offset to
// the retry or dead-letter topic and answers SUCCESS once it is stored.
func (p *SendBack) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	h, err := decodeSendBackHeader(req)
	if err != nil {
		return nil, err
	}
	set := p.env.Settings()
	resp := respond(req, requestcode.SystemError, "")
	if h.group == "" {
		// Java would auto-create a group (and a "%RETRY%" topic) named "".
		resp.Code = int32(requestcode.SubscriptionGroupNotExist)
		resp.Remark = "subscription group not exist, the group name is empty " + faqSuffix
		return resp, nil
	}
	sg, ok := p.env.Groups.FindOrCreate(h.group, set.AutoCreateSubscriptionGroup)
	if !ok {
		resp.Code = int32(requestcode.SubscriptionGroupNotExist)
		resp.Remark = "subscription group not exist, " + h.group + " " + faqSuffix
		return resp, nil
	}
	if set.BrokerPermission&body.PermWrite == 0 {
		resp.Code = int32(requestcode.NoPermission)
		resp.Remark = "the broker[" + set.BrokerIP1 + "] sending message is forbidden"
		return resp, nil
	}
	if sg.RetryQueueNums <= 0 {
		// The group wants no retries: the message is dropped, as in Java.
		resp.Code, resp.Remark = int32(requestcode.Success), ""
		return resp, nil
	}

	newTopic := retryGroupTopicPrefix + h.group
	queueID := int32(rand.IntN(99999999) % int(sg.RetryQueueNums))
	var topicSysFlag int32
	if h.unitMode {
		topicSysFlag = topicconfig.SysFlagUnitSub
	}
	tc, ok := p.env.Topics.CreateTopicInSendMessageBack(newTopic, sg.RetryQueueNums, body.PermWrite|body.PermRead, topicSysFlag)
	if !ok {
		resp.Remark = "topic[" + newTopic + "] not exist"
		return resp, nil
	}
	if tc.Perm&body.PermWrite == 0 {
		resp.Code = int32(requestcode.NoPermission)
		resp.Remark = fmt.Sprintf("the topic[%s] sending message is forbidden", newTopic)
		return resp, nil
	}

	rec, view, ok := p.env.Store.LookMessage(h.offset)
	if !ok {
		resp.Remark = "look message by offset failed, " + strconv.FormatInt(h.offset, 10)
		return resp, nil
	}
	defer view.Release()

	props := p.propMap()
	defer p.putPropMap(props)
	props.ParseFrom(rec.Properties)
	if _, ok := props.Get(message.PropertyRetryTopic); !ok {
		props.Put(message.PropertyRetryTopic, string(rec.Topic))
	}
	props.Put(message.PropertyWaitStoreMsgOK, "false")

	maxTimes := sg.RetryMaxTimes
	if req.Version >= versionV3_4_9 && h.hasMaxReconsume {
		maxTimes = h.maxReconsumeTimes
	}
	level := h.delayLevel
	if rec.ReconsumeTimes >= maxTimes || level < 0 {
		newTopic = dlqGroupTopicPrefix + h.group
		queueID = int32(rand.IntN(99999999) % dlqNumsPerGroup)
		if _, ok := p.env.Topics.CreateTopicInSendMessageBack(newTopic, dlqNumsPerGroup, body.PermWrite|body.PermRead, 0); !ok {
			resp.Remark = "topic[" + newTopic + "] not exist"
			return resp, nil
		}
		level = 0
	} else if level == 0 {
		level = 3 + rec.ReconsumeTimes
	}
	props.Put(message.PropertyDelayTimeLevel, strconv.Itoa(int(level)))

	origin, _ := props.Get(message.PropertyOriginMessageID)
	if strings.TrimSpace(origin) == "" {
		origin = rec.OffsetMsgID()
	}
	props.Put(message.PropertyOriginMessageID, origin)

	topic, qid, _, err := delayRedirect(props, p.env.Store.DelayLevels(), rec.SysFlag, newTopic, queueID, removedWait{}, p.env.Log)
	if err != nil {
		resp.Remark = err.Error()
		return resp, nil
	}
	if set.Slave {
		resp.Remark = "SERVICE_NOT_AVAILABLE"
		return resp, nil
	}

	bp := p.buf()
	defer p.putBuf(bp)
	propBytes := props.AppendTo((*bp)[:0])
	m := message.Message{
		QueueID:        qid,
		Flag:           rec.Flag,
		SysFlag:        rec.SysFlag,
		BornTimestamp:  rec.BornTimestamp,
		BornHost:       rec.BornHost,
		StoreHost:      rec.StoreHost,
		ReconsumeTimes: rec.ReconsumeTimes + 1,
		Body:           rec.Body,
		Topic:          topic,
		Properties:     propBytes,
	}
	limits := message.Limits{MaxMessageBodySize: set.MaxMessageSize}
	buf, err := limits.AppendRecord(propBytes, &m)
	*bp = buf[:0]
	if err != nil {
		resp.Remark = "MESSAGE_ILLEGAL"
		return resp, nil
	}
	// WAIT=false: Java's store answers PUT_OK without waiting for a
	// SYNC_FLUSH or a SYNC_MASTER slave.
	if _, err := p.env.Store.PutNoWait(topic, qid, buf[len(propBytes):]); !store.Stored(err) {
		resp.Remark = putStatusName(err)
		p.env.Log.WithFields(logrus.Fields{"group": h.group, "topic": topic, "offset": h.offset}).WithError(err).
			Warn("send back: store put failed")
		return resp, nil
	}
	p.env.PutNums.Add(1)
	resp.Code, resp.Remark = int32(requestcode.Success), ""
	return resp, nil
}

// putStatusName names a store failure as Java's PutMessageStatus, which
// is the remark of a failed send-back.
func putStatusName(err error) string {
	switch {
	case errors.Is(err, store.ErrDiskFull), errors.Is(err, commitlog.ErrClosed), errors.Is(err, errSlave):
		return "SERVICE_NOT_AVAILABLE"
	case errors.Is(err, commitlog.ErrTooLarge), errors.Is(err, store.ErrMessageTooLarge):
		return "MESSAGE_ILLEGAL"
	default:
		return "UNKNOWN_ERROR"
	}
}
