package admin

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/store/message"
)

// Message is a message as a Java client decodes it
// (MessageDecoder.clientDecode into a MessageClientExt): the stored record's
// fields, the body uncompressed and the properties in a HashMap.
type Message struct {
	Topic                     string
	BrokerName                string // set for pulled messages, as PullAPIWrapper does
	QueueID                   int32
	StoreSize                 int32
	QueueOffset               int64
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  message.Host
	StoreTimestamp            int64
	StoreHost                 message.Host
	CommitLogOffset           int64
	BodyCRC                   int32
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
	Flag                      int32
	Body                      []byte
	// OffsetMsgID is the id made of the store host and commitlog offset.
	OffsetMsgID string
	// Properties iterate in java.util.HashMap order.
	Properties message.PropertyMap
}

// MsgID is MessageClientExt.getMsgId: the producer's UNIQ_KEY, or the
// offset id when there is none.
func (m *Message) MsgID() string {
	if v, ok := m.Properties.Get(message.PropertyUniqClientMessageIDKeyIdx); ok {
		return v
	}
	return m.OffsetMsgID
}

// Property returns one property.
func (m *Message) Property(name string) (string, bool) { return m.Properties.Get(name) }

// PropertyList returns the properties in Java's HashMap order.
func (m *Message) PropertyList() [][2]string {
	var out [][2]string
	m.Properties.Range(func(n, v string) bool {
		out = append(out, [2]string{n, v})
		return true
	})
	return out
}

// DecodeMessages decodes the records of a VIEW_MESSAGE_BY_ID,
// QUERY_MESSAGE or PULL_MESSAGE body (MessageDecoder.decodes): records back
// to back, bodies uncompressed. A malformed record ends the list with an
// error naming its position.
func DecodeMessages(buf []byte) ([]*Message, error) {
	var out []*Message
	for pos := 0; pos < len(buf); {
		var r message.Record
		if err := r.Decode(buf[pos:], false); err != nil {
			return out, fmt.Errorf("message record at byte %d: %w", pos, err)
		}
		if r.Kind != message.KindMessage {
			return out, fmt.Errorf("message record at byte %d: not a message", pos)
		}
		m, err := fromRecord(&r)
		if err != nil {
			return out, fmt.Errorf("message record at byte %d: %w", pos, err)
		}
		out = append(out, m)
		pos += int(r.TotalSize)
	}
	return out, nil
}

func fromRecord(r *message.Record) (*Message, error) {
	m := &Message{
		Topic:                     r.TopicString(),
		QueueID:                   r.QueueID,
		StoreSize:                 r.TotalSize,
		QueueOffset:               r.QueueOffset,
		SysFlag:                   r.SysFlag,
		BornTimestamp:             r.BornTimestamp,
		BornHost:                  r.BornHost,
		StoreTimestamp:            r.StoreTimestamp,
		StoreHost:                 r.StoreHost,
		CommitLogOffset:           r.PhysicalOffset,
		BodyCRC:                   r.BodyCRC,
		ReconsumeTimes:            r.ReconsumeTimes,
		PreparedTransactionOffset: r.PreparedTransactionOffset,
		Flag:                      r.Flag,
		OffsetMsgID:               r.OffsetMsgID(),
	}
	b, err := message.Uncompress(r.SysFlag, r.Body)
	if err != nil {
		return nil, err
	}
	m.Body = append([]byte(nil), b...)
	m.Properties.ParseFrom(r.Properties)
	return m, nil
}

// ViewMessage fetches the message an offset message id points at
// (VIEW_MESSAGE_BY_ID to the store host inside the id, Java viewMessage).
func (a *Admin) ViewMessage(ctx context.Context, offsetMsgID string) (*Message, error) {
	host, offset, err := message.DecodeOffsetMsgID(offsetMsgID)
	if err != nil {
		return nil, fmt.Errorf("message id %s: %w", offsetMsgID, err)
	}
	addr := hostAddr(host)
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.ViewMessageById, "offset", strconv.FormatInt(offset, 10)))
	if err != nil {
		return nil, err
	}
	msgs, err := DecodeMessages(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("message %s from broker %s: %w", offsetMsgID, addr, err)
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("message %s: broker %s answered without a message: %w", offsetMsgID, addr, ErrNotFound)
	}
	return msgs[0], nil
}

// hostAddr renders a store host as a dialable "ip:port".
func hostAddr(h message.Host) string {
	return net.JoinHostPort(h.Addr.Unmap().String(), strconv.Itoa(int(h.Port)))
}

// QueryResult is the answer of a query by key (Java QueryResult).
type QueryResult struct {
	IndexLastUpdateTimestamp int64
	Messages                 []*Message
}

// QueryMessage looks a key or a unique key up in the index of every broker
// of the topic's route (QUERY_MESSAGE, Java MQAdminImpl.queryMessage) and
// keeps the messages whose topic and key really match (the index only
// stores hashes). By unique key only the earliest stored match is kept, as
// Java does. No match is an ErrNotFound.
func (a *Admin) QueryMessage(ctx context.Context, topic, key string, maxNum int, begin, end int64, uniqKey bool) (*QueryResult, error) {
	route, err := a.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	res := &QueryResult{}
	var errs []error
	for _, b := range routeBrokers(route) {
		req := newRequest(requestcode.QueryMessage, "topic", topic, "key", key, "maxNum", strconv.Itoa(maxNum),
			"beginTimestamp", strconv.FormatInt(begin, 10), "endTimestamp", strconv.FormatInt(end, 10),
			"_UNIQUE_KEY_QUERY", strconv.FormatBool(uniqKey))
		resp, err := a.call(ctx, RoleBroker, b.addr, req)
		if err != nil {
			// Java logs a broker's failure and goes on with the others.
			errs = append(errs, err)
			continue
		}
		if ts, err := strconv.ParseInt(resp.Value("indexLastUpdateTimestamp"), 10, 64); err == nil && ts > res.IndexLastUpdateTimestamp {
			res.IndexLastUpdateTimestamp = ts
		}
		msgs, err := DecodeMessages(resp.Body)
		if err != nil {
			errs = append(errs, fmt.Errorf("query %s on broker %s: %w", key, b.addr, err))
		}
		for _, m := range msgs {
			switch {
			case uniqKey:
				if m.MsgID() != key {
					continue
				}
				if len(res.Messages) == 0 {
					res.Messages = append(res.Messages, m)
				} else if res.Messages[0].StoreTimestamp > m.StoreTimestamp {
					res.Messages[0] = m
				}
			default:
				keys, ok := m.Property(message.PropertyKeys)
				if !ok || m.Topic != topic {
					continue
				}
				for _, k := range strings.Split(keys, " ") {
					if k == key {
						res.Messages = append(res.Messages, m)
						break
					}
				}
			}
		}
	}
	if len(res.Messages) == 0 {
		what := "key"
		if uniqKey {
			what = "unique key"
		}
		err := fmt.Errorf("query message by %s %s in topic %s: no message: %w", what, key, topic, ErrNotFound)
		return nil, errors.Join(append([]error{err}, errs...)...)
	}
	return res, nil
}

// PullStatus is the outcome of a pull (Java PullStatus).
type PullStatus string

// Pull outcomes.
const (
	PullFound         PullStatus = "FOUND"
	PullNoNewMsg      PullStatus = "NO_NEW_MSG"
	PullNoMatchedMsg  PullStatus = "NO_MATCHED_MSG"
	PullOffsetIllegal PullStatus = "OFFSET_ILLEGAL"
)

// PullResult is one pull's answer (Java PullResult).
type PullResult struct {
	Status          PullStatus
	NextBeginOffset int64
	MinOffset       int64
	MaxOffset       int64
	Messages        []*Message
}

// Pull reads up to maxNums messages of one queue from offset without
// suspending at the end of the queue (Java DefaultMQPullConsumer.pull):
// the broker filters by tag code, the client again by tag, and every
// message gets MIN_OFFSET, MAX_OFFSET and the broker name as
// PullAPIWrapper.processPullResult adds them.
func (a *Admin) Pull(ctx context.Context, addr, group string, mq body.MessageQueue, subExpression string, offset int64, maxNums int) (*PullResult, error) {
	sub := body.ParseTagExpression(mq.Topic, subExpression)
	req := newRequest(requestcode.PullMessage,
		"consumerGroup", group,
		"topic", mq.Topic,
		"queueId", itoa32(mq.QueueID),
		"queueOffset", strconv.FormatInt(offset, 10),
		"maxMsgNums", strconv.Itoa(maxNums),
		"sysFlag", "4", // subscription carried in the request, no suspend, no commit
		"commitOffset", "0",
		"suspendTimeoutMillis", "20000",
		"subscription", subExpression,
		"subVersion", "0",
		"expressionType", body.ExpressionTag)
	resp, err := a.call(ctx, RoleBroker, addr, req, requestcode.Success, requestcode.PullNotFound,
		requestcode.PullRetryImmediately, requestcode.PullOffsetMoved)
	if err != nil {
		return nil, err
	}
	res := &PullResult{}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"nextBeginOffset", &res.NextBeginOffset}, {"minOffset", &res.MinOffset}, {"maxOffset", &res.MaxOffset}} {
		if v, ok := resp.Get(f.name); ok {
			if *f.dst, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("pull from broker %s: %s %q: %w", addr, f.name, v, err)
			}
		}
	}
	switch requestcode.ResponseCode(resp.Code) {
	case requestcode.Success:
		res.Status = PullFound
	case requestcode.PullNotFound:
		res.Status = PullNoNewMsg
	case requestcode.PullRetryImmediately:
		res.Status = PullNoMatchedMsg
	default:
		res.Status = PullOffsetIllegal
	}
	if res.Status != PullFound {
		return res, nil
	}
	msgs, err := DecodeMessages(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("pull %s from broker %s: %w", mq, addr, err)
	}
	for _, m := range msgs {
		if !sub.MatchesAll() {
			tag, ok := m.Property(message.PropertyTags)
			if !ok || !containsString(sub.TagsSet, tag) {
				continue
			}
		}
		m.Properties.Put(message.PropertyMinOffset, strconv.FormatInt(res.MinOffset, 10))
		m.Properties.Put(message.PropertyMaxOffset, strconv.FormatInt(res.MaxOffset, 10))
		m.BrokerName = mq.BrokerName
		res.Messages = append(res.Messages, m)
	}
	return res, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// SubscribeQueues returns the readable queues of a topic, sorted
// (Java topicRouteData2TopicSubscribeInfo), with each broker's address.
func SubscribeQueues(topic string, route *body.TopicRouteData) []QueueAddr {
	addrs := map[string]string{}
	for i := range route.BrokerDatas {
		addrs[route.BrokerDatas[i].BrokerName] = SelectBrokerAddr(&route.BrokerDatas[i])
	}
	var out []QueueAddr
	for _, qd := range route.QueueDatas {
		if qd.Perm&body.PermRead == 0 {
			continue
		}
		for i := int32(0); i < qd.ReadQueueNums; i++ {
			out = append(out, QueueAddr{Queue: body.MessageQueue{Topic: topic, BrokerName: qd.BrokerName, QueueID: i}, Addr: addrs[qd.BrokerName]})
		}
	}
	// Java returns a HashSet; sorted here so the listing is repeatable.
	sort.Slice(out, func(i, j int) bool { return out[i].Queue.Less(out[j].Queue) })
	return out
}

// QueueAddr is a queue and the address of its broker.
type QueueAddr struct {
	Queue body.MessageQueue
	Addr  string
}

// publishQueues returns the writable queues of a route on brokers with a
// master (Java topicRouteData2TopicPublishInfo), at most limit per broker
// when limit > 0.
func publishQueues(topic string, route *body.TopicRouteData, limit int32) []QueueAddr {
	masters := map[string]string{}
	for i := range route.BrokerDatas {
		if addr := route.BrokerDatas[i].BrokerAddrs[body.MasterID]; addr != "" {
			masters[route.BrokerDatas[i].BrokerName] = addr
		}
	}
	var out []QueueAddr
	for _, qd := range route.QueueDatas {
		addr, ok := masters[qd.BrokerName]
		if !ok || qd.Perm&body.PermWrite == 0 {
			continue
		}
		n := qd.WriteQueueNums
		if limit > 0 && n > limit {
			n = limit
		}
		for i := int32(0); i < n; i++ {
			out = append(out, QueueAddr{Queue: body.MessageQueue{Topic: topic, BrokerName: qd.BrokerName, QueueID: i}, Addr: addr})
		}
	}
	return out
}

// SendRequest is one message to send (Java Message plus a target queue).
type SendRequest struct {
	Topic string
	Tags  string
	Keys  string
	Body  []byte
	// BrokerName and QueueID pick the queue; QueueID < 0 lets the admin
	// choose one.
	BrokerName string
	QueueID    int32
	// ProducerGroup defaults to the current time in milliseconds, as Java's
	// sendMessage command names its producer.
	ProducerGroup string
	// Properties, when set, replace Tags, Keys and WAIT: a message sent
	// again keeps its properties, its UNIQ_KEY included (queryMsgById -s).
	Properties *message.PropertyMap
}

// SendStatus is Java's SendStatus.
type SendStatus string

// Send outcomes a broker reports as a stored message.
const (
	SendOK                SendStatus = "SEND_OK"
	SendFlushDiskTimeout  SendStatus = "FLUSH_DISK_TIMEOUT"
	SendFlushSlaveTimeout SendStatus = "FLUSH_SLAVE_TIMEOUT"
	SendSlaveNotAvailable SendStatus = "SLAVE_NOT_AVAILABLE"
)

// SendResult is Java's SendResult.
type SendResult struct {
	Status      SendStatus
	MsgID       string // the producer's unique id (UNIQ_KEY)
	OffsetMsgID string
	Queue       body.MessageQueue
	QueueOffset int64
	BrokerAddr  string
}

// Send stores one message the way DefaultMQProducer does: a unique id is
// set, the properties go in HashMap order, and the request is
// SEND_MESSAGE_V2. Without a target queue a writable queue of the topic's
// route is picked in turn; a topic without a route goes through TBW102's
// brokers with 4 queues, which auto-creates it where allowed.
func (a *Admin) Send(ctx context.Context, sr SendRequest) (*SendResult, error) {
	target, err := a.sendTarget(ctx, sr)
	if err != nil {
		return nil, err
	}
	group := sr.ProducerGroup
	if group == "" {
		group = strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	var props message.PropertyMap
	if sr.Properties != nil {
		sr.Properties.Range(func(n, v string) bool {
			props.Put(n, v)
			return true
		})
	} else {
		if sr.Tags != "" {
			props.Put(message.PropertyTags, sr.Tags)
		}
		if sr.Keys != "" {
			props.Put(message.PropertyKeys, sr.Keys)
		}
		props.Put(message.PropertyWaitStoreMsgOK, "true")
	}
	// MessageClientIDSetter.setUniqID keeps an id already there.
	uniq, ok := props.Get(message.PropertyUniqClientMessageIDKeyIdx)
	if !ok {
		uniq = a.ids.newID(time.Now())
		props.Put(message.PropertyUniqClientMessageIDKeyIdx, uniq)
	}
	req := newRequest(requestcode.SendMessageV2,
		"a", group,
		"b", sr.Topic,
		"c", DefaultTopic,
		"d", "4",
		"e", itoa32(target.Queue.QueueID),
		"f", "0",
		"g", strconv.FormatInt(time.Now().UnixMilli(), 10),
		"h", "0",
		"i", string(props.AppendTo(nil)),
		"j", "0",
		"k", "false",
		"m", "false")
	req.Body = sr.Body
	resp, err := a.call(ctx, RoleBroker, target.Addr, req, requestcode.Success, requestcode.FlushDiskTimeout,
		requestcode.FlushSlaveTimeout, requestcode.SlaveNotAvailable)
	if err != nil {
		return nil, err
	}
	res := &SendResult{MsgID: uniq, OffsetMsgID: resp.Value("msgId"), Queue: target.Queue, BrokerAddr: target.Addr}
	switch requestcode.ResponseCode(resp.Code) {
	case requestcode.Success:
		res.Status = SendOK
	case requestcode.FlushDiskTimeout:
		res.Status = SendFlushDiskTimeout
	case requestcode.FlushSlaveTimeout:
		res.Status = SendFlushSlaveTimeout
	default:
		res.Status = SendSlaveNotAvailable
	}
	if v, ok := resp.Get("queueId"); ok {
		if n, err := strconv.ParseInt(v, 10, 32); err == nil {
			res.Queue.QueueID = int32(n)
		}
	}
	if v, ok := resp.Get("queueOffset"); ok {
		res.QueueOffset, _ = strconv.ParseInt(v, 10, 64)
	}
	return res, nil
}

func (a *Admin) sendTarget(ctx context.Context, sr SendRequest) (QueueAddr, error) {
	route, err := a.TopicRoute(ctx, sr.Topic)
	limit := int32(0)
	if code, ok := ResponseCode(err); ok && code == requestcode.TopicNotExist {
		// DefaultMQProducerImpl.tryToFindTopicPublishInfo falls back to
		// the default topic's route with defaultTopicQueueNums queues.
		route, err = a.TopicRoute(ctx, DefaultTopic)
		limit = 4
	}
	if err != nil {
		return QueueAddr{}, err
	}
	qs := publishQueues(sr.Topic, route, limit)
	if sr.BrokerName != "" && sr.QueueID >= 0 {
		for _, q := range qs {
			if q.Queue.BrokerName == sr.BrokerName {
				q.Queue.QueueID = sr.QueueID
				return q, nil
			}
		}
		return QueueAddr{}, fmt.Errorf("topic %s has no writable queue on broker %s", sr.Topic, sr.BrokerName)
	}
	if len(qs) == 0 {
		return QueueAddr{}, fmt.Errorf("topic %s has no writable queue", sr.Topic)
	}
	return qs[int(a.ids.next())%len(qs)], nil
}

// idGen makes unique message ids shaped like Java's
// MessageClientIDSetter.createUniqID: a process prefix (FIX_STRING: IPv4
// address, pid and a 4-byte class-loader hash, here random), the
// milliseconds since the start of the month and a 16-bit counter. The
// counter also rotates the queue choice of Send.
type idGen struct {
	once    sync.Once
	prefix  [10]byte
	mu      sync.Mutex
	counter uint16
}

func (g *idGen) next() uint16 {
	g.once.Do(func() {
		ip := localIPv4()
		copy(g.prefix[0:4], ip[:])
		binary.BigEndian.PutUint16(g.prefix[4:6], uint16(os.Getpid()))
		var r [6]byte
		_, _ = rand.Read(r[:])
		copy(g.prefix[6:10], r[:4])
		g.counter = binary.BigEndian.Uint16(r[4:6])
	})
	g.mu.Lock()
	defer g.mu.Unlock()
	g.counter++
	return g.counter
}

// newID returns a 32-hex-digit unique id.
func (g *idGen) newID(now time.Time) string {
	n := g.next()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	var b [16]byte
	copy(b[:10], g.prefix[:])
	binary.BigEndian.PutUint32(b[10:14], uint32(now.Sub(start).Milliseconds()))
	binary.BigEndian.PutUint16(b[14:16], n)
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func localIPv4() [4]byte {
	ifaces, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range ifaces {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				if ip := p.Addr().Unmap(); ip.Is4() && !ip.IsLoopback() {
					return ip.As4()
				}
			}
		}
	}
	return [4]byte{127, 0, 0, 1}
}
