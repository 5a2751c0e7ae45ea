package processor

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/broker/consumerfilter"
	"github.com/rocketgo/rocketgo/broker/longpoll"
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
//
// SQL92 subscriptions (Java ExpressionMessageFilter and, with
// filterSupportRetry, ExpressionForRetryMessageFilter) are evaluated on
// each record's properties as the store reads it; they need the filter
// table given with UseFilters.
type Pull struct {
	env     *Env
	filters *consumerfilter.Manager
	views   sync.Pool // *[]commitlog.View
	// offsetCheckInSlave lets a slave answer PULL_OFFSET_MOVED (see
	// CheckOffsetInSlave).
	offsetCheckInSlave bool
}

// CheckOffsetInSlave sets offsetCheckInSlave. Without it (Java's default)
// a slave that lacks the requested offset, typically because it has not
// replicated that far yet, answers PULL_RETRY_IMMEDIATELY and points the
// consumer at the group's broker instead of moving its offset. Call it
// before the server starts.
func (p *Pull) CheckOffsetInSlave(on bool) { p.offsetCheckInSlave = on }

// NewPull returns the pull processor.
func NewPull(env *Env) *Pull {
	p := &Pull{env: env}
	p.views.New = func() any { v := make([]commitlog.View, 0, 32); return &v }
	return p
}

// UseFilters gives the processor the SQL92 filter table. Call it before
// the server starts; without it SQL92 pulls are answered as by a broker
// whose enablePropertyFilter is false.
func (p *Pull) UseFilters(m *consumerfilter.Manager) { p.filters = m }

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
	// records is the SQL92 check on each record (nil for TAG).
	records store.RecordFilter
	slowID  int64 // the group's whichBrokerWhenConsumeSlowly
	grpID   int64 // the group's brokerId
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
	var fd *consumerfilter.Data
	if h.sysFlag&pullSubscription != 0 {
		if isTagType(h.expressionType) {
			sd := body.ParseTagExpression(h.topic, h.subscription)
			sub = &sd
		} else {
			// FilterAPI.build refuses an empty expression of another type.
			if h.subscription == "" {
				p.env.Log.WithFields(logrus.Fields{"group": h.group, "type": h.expressionType}).
					Warn("pull with an empty subscription expression")
				return respond(req, requestcode.SubscriptionParseFailed, "parse the consumer's subscription failed")
			}
			sub = &body.SubscriptionData{Topic: h.topic, SubString: h.subscription,
				ExpressionType: h.expressionType, SubVersion: h.subVersion}
		}
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
		if !isTagType(s.ExpressionType) {
			if p.filters != nil {
				fd = p.filters.Resolve(h.group, s)
			}
			if fd == nil {
				return respond(req, requestcode.FilterDataNotExist,
					"The broker's consumer filter data is not exist!Your expression may be wrong!")
			}
			if fd.ClientVersion < h.subVersion {
				return respond(req, requestcode.FilterDataNotLatest, "the consumer's consumer filter data not latest")
			}
		}
		sub = s
	}
	if !isTagType(sub.ExpressionType) {
		if !set.EnablePropertyFilter || p.filters == nil {
			return respond(req, requestcode.SystemError, "The broker does not support consumer to filter message by "+sub.ExpressionType)
		}
		if fd == nil {
			// The subscription came with the pull. Java builds its filter
			// data without checking the result and, when the expression
			// does not compile, would filter nothing (or fail an
			// assertion); refusing it is what that code means to do.
			x, err := p.filters.Compile(sub.ExpressionType, sub.SubString)
			if err != nil {
				p.env.Log.WithFields(logrus.Fields{"group": h.group, "topic": h.topic, "expression": sub.SubString}).
					WithError(err).Warn("pull subscription does not parse")
				return respond(req, requestcode.SubscriptionParseFailed, "parse the consumer's subscription failed")
			}
			fd = &consumerfilter.Data{Group: h.group, Topic: h.topic, Expression: sub.SubString,
				ExpressionType: sub.ExpressionType, ClientVersion: sub.SubVersion, Expr: x}
		}
	} else {
		pd.filter = tagFilter(sub)
	}
	pd.records = p.recordFilter(set, sub, fd)
	return nil
}

// isTagType is ExpressionType.isTagType: absent, empty or exactly "TAG".
func isTagType(t string) bool { return t == "" || t == body.ExpressionTag }

// recordFilter is the commitlog half of Java's message filter
// (isMatchedByCommitLog): a SQL92 subscription is evaluated on the
// record's properties; with filterSupportRetry a retry topic's records are
// evaluated with the group's filter for the topic they were consumed from
// (RETRY_TOPIC). nil where every record passes.
func (p *Pull) recordFilter(set *Settings, sub *body.SubscriptionData, fd *consumerfilter.Data) store.RecordFilter {
	if sub.ClassFilterMode {
		return nil
	}
	if set.FilterSupportRetry && p.filters != nil && strings.HasPrefix(sub.Topic, retryGroupTopicPrefix) {
		return p.retryFilter(strings.TrimPrefix(sub.Topic, retryGroupTopicPrefix))
	}
	if fd == nil || fd.Expr == nil {
		return nil
	}
	x := fd.Expr
	return func(rec []byte) bool { return x.EvaluateProperties(store.RecordProperties(rec)) }
}

// retryFilter is ExpressionForRetryMessageFilter.isMatchedByCommitLog for
// the retry topic of group. A record without RETRY_TOPIC, or whose topic
// the group has no filter for, passes.
func (p *Pull) retryFilter(group string) store.RecordFilter {
	// One pull's records mostly come from one topic: remember the last.
	var lastTopic string
	var last *consumerfilter.Data
	looked := false
	return func(rec []byte) bool {
		props := store.RecordProperties(rec)
		real, ok := message.Properties(props).Get(message.PropertyRetryTopic)
		if !ok {
			return true
		}
		if !looked || string(real) != lastTopic {
			looked = true
			lastTopic = string(real)
			last = p.filters.Get(lastTopic, group)
			if s, ok := p.env.Consumers.Subscription(group, lastTopic); ok && !isTagType(s.ExpressionType) {
				last = p.filters.Resolve(group, s)
			}
		}
		if last == nil || last.Expr == nil {
			return true
		}
		return last.Expr.EvaluateProperties(props)
	}
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
	res := p.env.Store.GetMessageFiltered(h.topic, h.queueID, h.queueOffset, int(h.maxMsgNums), pd.filter, pd.records, *vp)
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
	if set.Slave && !p.offsetCheckInSlave && resp.Code == int32(requestcode.PullOffsetMoved) {
		resp.Code = int32(requestcode.PullRetryImmediately)
		resp.Set("suggestWhichBrokerId", strconv.FormatInt(pd.grpID, 10))
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
