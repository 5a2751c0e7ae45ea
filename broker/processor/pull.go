package processor

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/broker/longpoll"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/sirupsen/logrus"
)

// Pull sysFlag bits (Java PullSysFlag).
const (
	pullCommitOffset = 1 << 0
	pullSuspend      = 1 << 1
	pullSubscription = 1 << 2
)

// maxSuspend bounds how long one pull may be held (clients give up after
// 30 s; Java sets no bound).
const maxSuspend = time.Hour

// masterID is MixAll.MASTER_ID.
const masterID = 0

// Pull handles PULL_MESSAGE as Java's PullMessageProcessor: permission and
// subscription checks, the store read, the status → response code mapping
// of REMOTING.md §7.2, the piggy-backed offset commit, and long polling.
// A pull that finds nothing new and may wait is parked in the long-poll
// service and answered when the dispatcher reports a message for its queue
// or its suspend time is up.
type Pull struct {
	env   *Env
	views sync.Pool // *[]commitlog.View
}

// NewPull returns the pull processor.
func NewPull(env *Env) *Pull {
	p := &Pull{env: env}
	p.views.New = func() any { v := make([]commitlog.View, 0, 32); return &v }
	return p
}

type pullHeader struct {
	group          string
	topic          string
	queueID        int32
	queueOffset    int64
	maxMsgNums     int32
	sysFlag        int32
	commitOffset   int64
	suspendTimeout int64
	subscription   string
	subVersion     int64
	expressionType string
}

func decodePullHeader(req *codec.Command) (pullHeader, error) {
	r := header.NewReader(req)
	h := pullHeader{
		group:          r.String("consumerGroup"),
		topic:          r.String("topic"),
		queueID:        r.Int32("queueId"),
		queueOffset:    r.Int64("queueOffset"),
		maxMsgNums:     r.Int32("maxMsgNums"),
		sysFlag:        r.Int32("sysFlag"),
		commitOffset:   r.Int64("commitOffset"),
		suspendTimeout: r.Int64("suspendTimeoutMillis"),
		subscription:   r.OptString("subscription"),
		subVersion:     r.Int64("subVersion"),
		expressionType: r.OptString("expressionType"),
	}
	return h, r.Err()
}

// pending is a parked pull.
type pending struct {
	conn   *remoting.Conn
	req    *codec.Command
	h      pullHeader
	filter store.TagFilter
	slowID int64 // the group's whichBrokerWhenConsumeSlowly
	grpID  int64 // the group's brokerId
}

// ProcessRequest answers a pull, or parks it (nil response).
func (p *Pull) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	h, err := decodePullHeader(req)
	if err != nil {
		return nil, err
	}
	set := p.env.Settings()
	pd := &pending{conn: c, req: req, h: h}
	if resp := p.check(set, pd); resp != nil {
		return resp, nil
	}
	// The commit rides on the first processing only, never on a long-poll
	// re-run, and never on a slave (Java storeOffsetEnable).
	if h.sysFlag&pullCommitOffset != 0 && !set.Slave {
		p.env.Offsets.Commit(c.RemoteAddr(), h.group, h.topic, h.queueID, h.commitOffset)
	}
	return p.read(set, pd, true)
}

// check is the part of processRequest before the store read. It fills the
// filter and group fields of pd, or returns the error response.
func (p *Pull) check(set *Settings, pd *pending) *codec.Command {
	req, h := pd.req, &pd.h
	if set.BrokerPermission&body.PermRead == 0 {
		return respond(req, requestcode.NoPermission, "the broker["+set.BrokerIP1+"] pulling message is forbidden")
	}
	sg, ok := p.env.Groups.FindOrCreate(h.group, set.AutoCreateSubscriptionGroup)
	if !ok {
		return respond(req, requestcode.SubscriptionGroupNotExist,
			fmt.Sprintf("subscription group [%s] does not exist, %s", h.group, faqSuffix))
	}
	if !sg.ConsumeEnable {
		return respond(req, requestcode.NoPermission, "subscription group no permission, "+h.group)
	}
	pd.slowID, pd.grpID = sg.WhichBrokerWhenConsumeSlowly, sg.BrokerID
	tc, ok := p.env.Topics.Get(h.topic)
	if !ok {
		p.env.Log.WithFields(logrus.Fields{"topic": h.topic, "consumer": pd.conn.RemoteAddr()}).Warn("pull for a topic that does not exist")
		return respond(req, requestcode.TopicNotExist,
			fmt.Sprintf("topic[%s] not exist, apply first please! %s", h.topic, faqSuffix))
	}
	if tc.Perm&body.PermRead == 0 {
		return respond(req, requestcode.NoPermission, "the topic["+h.topic+"] pulling message is forbidden")
	}
	if h.queueID < 0 || h.queueID >= tc.ReadQueueNums {
		return respond(req, requestcode.SystemError,
			fmt.Sprintf("queueId[%d] is illegal, topic:[%s] topicConfig.readQueueNums:[%d] consumer:[%s]",
				h.queueID, h.topic, tc.ReadQueueNums, pd.conn.RemoteAddr()))
	}
	var sub *body.SubscriptionData
	if h.sysFlag&pullSubscription != 0 {
		expr := h.expressionType
		if expr != "" && expr != body.ExpressionTag {
			return respond(req, requestcode.SystemError, "The broker does not support consumer to filter message by "+expr)
		}
		sd := body.ParseTagExpression(h.topic, h.subscription)
		sub = &sd
	} else {
		g, ok := p.env.Consumers.Group(h.group)
		if !ok {
			return respond(req, requestcode.SubscriptionNotExist, "the consumer's group info not exist"+faqSuffix)
		}
		if !sg.ConsumeBroadcastEnable && g.MessageModel == "BROADCASTING" {
			return respond(req, requestcode.NoPermission, "the consumer group["+h.group+"] can not consume by broadcast way")
		}
		s, ok := p.env.Consumers.Subscription(h.group, h.topic)
		if !ok {
			return respond(req, requestcode.SubscriptionNotExist, "the consumer's subscription not exist"+faqSuffix)
		}
		if s.SubVersion < h.subVersion {
			return respond(req, requestcode.SubscriptionNotLatest, "the consumer's subscription not latest")
		}
		if !s.IsTag() {
			return respond(req, requestcode.SystemError, "The broker does not support consumer to filter message by "+s.ExpressionType)
		}
		sub = s
	}
	pd.filter = tagFilter(sub)
	return nil
}

// tagFilter is ExpressionMessageFilter.isMatchedByConsumeQueue for TAG
// subscriptions: everything for "*", else the tags code must be one of the
// subscription's (compared as Java int, i.e. the low 32 bits).
func tagFilter(sub *body.SubscriptionData) store.TagFilter {
	if sub == nil || sub.ClassFilterMode || sub.MatchesAll() || len(sub.CodeSet) == 0 {
		return nil
	}
	codes := sub.CodeSet
	return func(tagsCode int64) bool {
		c := int32(tagsCode)
		for _, x := range codes {
			if x == c {
				return true
			}
		}
		return false
	}
}

// read runs the store read and answers. allowSuspend is false on a
// long-poll re-run, which answers whatever it finds.
func (p *Pull) read(set *Settings, pd *pending, allowSuspend bool) (*codec.Command, error) {
	h := &pd.h
	vp := p.views.Get().(*[]commitlog.View)
	res := p.env.Store.GetMessage(h.topic, h.queueID, h.queueOffset, int(h.maxMsgNums), pd.filter, *vp)
	*vp = res.Messages[:0]

	resp := respond(pd.req, requestcode.SystemError, res.Status.String())
	suggest := int64(masterID)
	if set.SlaveReadEnable {
		if res.SuggestSlave {
			suggest = pd.slowID
		} else {
			suggest = pd.grpID
		}
	}
	resp.Set("suggestWhichBrokerId", strconv.FormatInt(suggest, 10))
	resp.Set("nextBeginOffset", strconv.FormatInt(res.NextBeginOffset, 10))
	resp.Set("minOffset", strconv.FormatInt(res.MinOffset, 10))
	resp.Set("maxOffset", strconv.FormatInt(res.MaxOffset, 10))

	switch res.Status {
	case store.Found:
		resp.Code = int32(requestcode.Success)
	case store.NoMatchedMessage, store.MessageWasRemoving:
		resp.Code = int32(requestcode.PullRetryImmediately)
	case store.NoMatchedLogicQueue, store.NoMessageInQueue:
		if h.queueOffset != 0 {
			resp.Code = int32(requestcode.PullOffsetMoved)
		} else {
			resp.Code = int32(requestcode.PullNotFound)
		}
	case store.OffsetFoundNull, store.OffsetOverflowOne:
		resp.Code = int32(requestcode.PullNotFound)
	case store.OffsetOverflowBadly, store.OffsetTooSmall:
		resp.Code = int32(requestcode.PullOffsetMoved)
	}
	if set.Slave && !set.SlaveReadEnable {
		resp.Set("suggestWhichBrokerId", "0")
	}

	switch resp.Code {
	case int32(requestcode.Success):
		return p.sendFound(pd, resp, &res, vp)
	case int32(requestcode.PullNotFound):
		p.views.Put(vp)
		if allowSuspend && h.sysFlag&pullSuspend != 0 && p.park(set, pd) {
			return nil, nil
		}
	case int32(requestcode.PullOffsetMoved):
		p.views.Put(vp)
		p.env.Log.WithFields(logrus.Fields{"group": h.group, "topic": h.topic, "queueId": h.queueID,
			"requestOffset": h.queueOffset, "nextOffset": res.NextBeginOffset, "consumer": pd.conn.RemoteAddr()}).
			Warn("pull offset moved")
	default:
		p.views.Put(vp)
	}
	return resp, nil
}

// sendFound writes the FOUND reply with the records straight from the
// mapped commitlog (or copied when transferMsgByHeap) and releases the
// mappings once the socket has them.
func (p *Pull) sendFound(pd *pending, resp *codec.Command, res *store.GetResult, vp *[]commitlog.View) (*codec.Command, error) {
	p.env.GetNums.Add(int64(len(res.Messages)))
	set := p.env.Settings()
	if set.TransferMsgByHeap {
		buf := make([]byte, 0, res.Bytes)
		for _, v := range res.Messages {
			buf = append(buf, v.Bytes...)
		}
		res.Release()
		p.views.Put(vp)
		resp.Body = buf
		return resp, nil
	}
	parts := make([][]byte, len(res.Messages))
	for i, v := range res.Messages {
		parts[i] = v.Bytes
	}
	msgs := res.Messages
	release := func(error) {
		for _, v := range msgs {
			v.Release()
		}
		clear(msgs)
		*vp = msgs[:0]
		p.views.Put(vp)
	}
	if pd.req.IsOneway() {
		release(nil)
		return nil, nil
	}
	// SendParts runs release on every path, also when it fails.
	_ = pd.conn.SendParts(resp, parts, release)
	return nil, nil
}

// park holds the pull until its queue grows or suspendTimeoutMillis passes
// (shortPollingTimeMills when long polling is off).
func (p *Pull) park(set *Settings, pd *pending) bool {
	// suspendTimeoutMillis comes from the client: a negative value answers
	// at once, and a huge one is capped so it can neither overflow nor park
	// a request (whose client is long gone) for days.
	wait := time.Duration(min(max(pd.h.suspendTimeout, 0), maxSuspend.Milliseconds())) * time.Millisecond
	if !set.LongPollingEnable {
		wait = set.ShortPollingTime
	}
	now := time.Now()
	if p.env.Now != nil {
		now = p.env.Now()
	}
	r := &longpoll.Request{Topic: pd.h.topic, QueueID: pd.h.queueID, Offset: pd.h.queueOffset,
		Deadline: now.Add(wait), Payload: pd}
	if !p.env.Hold.Hold(r) {
		return false
	}
	// A message dispatched between the read above and Hold found nobody to
	// wake: look again now that the request is visible to the dispatcher.
	if max := p.env.Store.MaxOffsetInQueue(pd.h.topic, pd.h.queueID); max > pd.h.queueOffset {
		p.env.Hold.Notify(pd.h.topic, pd.h.queueID, max)
	}
	return true
}

// Wake is the long-poll service's callback: it re-runs the pull on the
// pull pool (Java executeRequestWhenWakeup) and writes the answer.
func (p *Pull) Wake(r *longpoll.Request, timedOut bool) {
	pd := r.Payload.(*pending)
	run := func() {
		if pd.conn.Closed() {
			return
		}
		set := p.env.Settings()
		resp, err := p.read(set, pd, false)
		if err != nil {
			resp = respond(pd.req, requestcode.SystemError, err.Error())
		}
		if resp != nil && !pd.req.IsOneway() {
			_ = pd.conn.Send(resp, nil)
		}
	}
	if p.env.Pool == nil || !p.env.Pool.Submit(run) {
		run()
	}
}
