package processor

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// DefaultReplyPushTimeout is how long the broker waits for the requesting
// client to acknowledge a pushed reply (Java Broker2Client.callClient).
const DefaultReplyPushTimeout = 10 * time.Second

// ReplyConfig configures the reply processor.
type ReplyConfig struct {
	// Context bounds every push to a requester; the broker cancels it
	// when it stops, so in-flight pushes give up at once instead of
	// holding the shutdown for PushTimeout. nil means never cancelled.
	Context context.Context
	// PushTimeout bounds one push (default DefaultReplyPushTimeout).
	PushTimeout time.Duration
}

// Reply handles SEND_REPLY_MESSAGE (long header keys) and
// SEND_REPLY_MESSAGE_V2 (short keys) as Java's ReplyMessageProcessor: the
// send checks of msgCheck (topic auto-creation included), then a
// PUSH_REPLY_MESSAGE_TO_CLIENT to the producer connection of the client
// named by the message's REPLY_TO_CLIENT property, then, with
// storeReplyMessageEnable, a store put of the reply on its topic (normally
// {cluster}_REPLY_TOPIC). The response code says whether the push
// succeeded; a store failure is only logged, as in Java.
type Reply struct {
	env     *Env
	send    *Send // msgCheck and the store-result mapping are the send path's
	ctx     context.Context
	timeout time.Duration
	recordPools
}

// NewReply returns the reply processor.
func NewReply(env *Env, cfg ReplyConfig) *Reply {
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.PushTimeout <= 0 {
		cfg.PushTimeout = DefaultReplyPushTimeout
	}
	return &Reply{env: env, send: NewSend(env), ctx: cfg.Context, timeout: cfg.PushTimeout}
}

// replyInvoker is what a producer connection must offer to take a pushed
// reply: a synchronous call (a *remoting.Conn).
type replyInvoker interface {
	Invoke(ctx context.Context, req *codec.Command) (*codec.Command, error)
}

// ProcessRequest pushes the reply to its requester and stores it.
func (r *Reply) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	h, err := decodeSendHeader(req)
	if err != nil {
		// Java fails the header decode with a RemotingCommandException,
		// answered SYSTEM_ERROR with its text.
		return nil, err
	}
	set := r.env.Settings()
	resp := respond(req, requestcode.SystemError, "")
	resp.Set("MSG_REGION", set.RegionID)
	resp.Set("TRACE_ON", strconv.FormatBool(set.TraceOn))

	if set.StartAcceptSendRequestTimeStamp > 0 && r.env.nowMillis() < set.StartAcceptSendRequestTimeStamp {
		resp.Remark = "broker unable to service, until " + humanMillis(set.StartAcceptSendRequestTimeStamp)
		return resp, nil
	}
	tc, ok := r.send.check(c, set, &h, resp)
	if !ok {
		return resp, nil
	}
	queueID := h.queueID
	if queueID < 0 {
		queueID = randomQueue(tc.WriteQueueNums)
	}

	if remark, ok := r.push(c, req, &h); ok {
		resp.Code = int32(requestcode.Success)
		resp.Remark = ""
		// Java answers "0" ids when the reply is not stored, so that the
		// client's response decoding does not fail.
		resp.Set("msgId", "0")
		resp.Set("queueId", strconv.Itoa(int(queueID)))
		resp.Set("queueOffset", "0")
	} else {
		resp.Code = int32(requestcode.SystemError)
		resp.Remark = remark
	}
	// Java stores the reply even when the push failed (the requester may
	// still read it from the reply topic); the stored position then
	// replaces the "0" ids, while the code stays the push's.
	if set.StoreReplyMessageEnable {
		r.store(c, req, set, &h, queueID, resp)
	}
	return resp, nil
}

// push sends the reply to the client named by REPLY_TO_CLIENT
// (ReplyMessageProcessor.pushReplyMessage). It returns Java's remark when
// the push failed.
func (r *Reply) push(c *remoting.Conn, req *codec.Command, h *sendHeader) (string, bool) {
	props := r.propMap()
	defer r.putPropMap(props)
	props.ParseFrom(message.Properties(h.properties))
	// Java's property parser drops an entry with an empty value, so an
	// empty REPLY_TO_CLIENT is as good as none.
	senderID, _ := props.Get(message.PropertyMessageReplyToClient)
	log := r.env.Log.WithFields(logrus.Fields{"topic": h.topic, "producer": c.RemoteAddr()})
	if senderID == "" {
		log.Warn("REPLY_TO_CLIENT is null, can not reply message")
		return "reply message properties[" + message.PropertyMessageReplyToClient + "] is null", false
	}
	ch, ok := r.env.Producers.FindChannel(senderID)
	if !ok {
		remark := "push reply message fail, channel of <" + senderID + "> not found."
		log.WithField("client", senderID).Warn(remark)
		return remark, false
	}
	failed := "push reply message to " + senderID + "fail."
	inv, ok := ch.(replyInvoker)
	if !ok {
		log.WithField("client", senderID).Warn("the requester's connection cannot take a pushed reply")
		return failed, false
	}

	now := r.env.nowMillis()
	props.Put(message.PropertyPushReplyTime, strconv.FormatInt(now, 10))
	bp := r.buf()
	defer r.putBuf(bp)
	*bp = props.AppendTo((*bp)[:0])

	// ReplyMessageRequestHeader, fields in its declaration order.
	pr := codec.NewRequest(int32(requestcode.PushReplyMessageToClient), 0)
	pr.Set("producerGroup", h.producerGroup)
	pr.Set("topic", h.topic)
	pr.Set("defaultTopic", h.defaultTopic)
	pr.Set("defaultTopicQueueNums", strconv.Itoa(int(h.defaultTopicQueueNums)))
	pr.Set("queueId", strconv.Itoa(int(h.queueID)))
	pr.Set("sysFlag", strconv.Itoa(int(h.sysFlag)))
	pr.Set("bornTimestamp", strconv.FormatInt(h.bornTimestamp, 10))
	pr.Set("flag", strconv.Itoa(int(h.flag)))
	pr.Set("properties", string(*bp))
	if r.hasReconsumeTimes(req) {
		// Nullable in Java: absent in the request, absent here.
		pr.Set("reconsumeTimes", strconv.Itoa(int(h.reconsumeTimes)))
	}
	pr.Set("unitMode", strconv.FormatBool(h.unitMode))
	pr.Set("bornHost", javaHostString(c.RemoteAddr()))
	pr.Set("storeHost", hostString(r.env.StoreHost))
	pr.Set("storeTimestamp", strconv.FormatInt(now, 10))
	pr.Body = req.Body

	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	ans, err := inv.Invoke(ctx, pr)
	if err != nil {
		log.WithField("client", senderID).WithError(err).Warn("push reply message failed")
		return failed, false
	}
	if ans.Code != int32(requestcode.Success) {
		log.WithFields(logrus.Fields{"client": senderID, "code": ans.Code, "remark": ans.Remark}).Warn("push reply message refused")
		return failed, false
	}
	return "", true
}

func (r *Reply) hasReconsumeTimes(req *codec.Command) bool {
	key := keysV1.reconsumeTimes
	if req.Code == int32(requestcode.SendReplyMessageV2) {
		key = keysV2.reconsumeTimes
	}
	_, ok := req.Get(key)
	return ok
}

// store puts the reply as Java builds it: the request's properties string
// verbatim (no CLUSTER, WAIT kept), sysFlag 0, the chosen queue.
func (r *Reply) store(c *remoting.Conn, req *codec.Command, set *Settings, h *sendHeader, queueID int32, resp *codec.Command) {
	log := r.env.Log.WithFields(logrus.Fields{"topic": h.topic, "producer": c.RemoteAddr()})
	if set.Slave {
		// The store refuses puts on a slave; Java only logs it here.
		log.Warn("reply message not stored: the broker is a slave")
		return
	}
	bp := r.buf()
	defer r.putBuf(bp)
	propBytes := append((*bp)[:0], h.properties...)
	m := message.Message{
		QueueID:        queueID,
		Flag:           h.flag,
		BornTimestamp:  h.bornTimestamp,
		BornHost:       remoteHost(c.RemoteAddr()),
		StoreHost:      r.env.StoreHost,
		ReconsumeTimes: h.reconsumeTimes,
		Body:           req.Body,
		Topic:          h.topic,
		Properties:     propBytes,
	}
	limits := message.Limits{MaxMessageBodySize: set.MaxMessageSize}
	buf, err := limits.AppendRecord(propBytes, &m)
	*bp = buf[:0]
	if err != nil {
		log.WithError(err).Warn("reply message not stored: the message is illegal")
		return
	}
	res, err := r.env.Store.Put(h.topic, queueID, buf[len(propBytes):])
	// A flush timeout still stored the message (Java counts
	// FLUSH_DISK_TIMEOUT as put).
	if err != nil && !errors.Is(err, commitlog.ErrFlushTimeout) {
		log.WithError(err).Warn("reply message not stored")
		return
	}
	r.env.PutNums.Add(1)
	resp.Set("msgId", message.OffsetMsgID(r.env.StoreHost, storeHostV6(r.env.StoreHost), res.PhysOffset))
	resp.Set("queueId", strconv.Itoa(int(queueID)))
	resp.Set("queueOffset", strconv.FormatInt(res.QueueOffset, 10))
}

// javaHostString formats a peer "ip:port" as Java's
// InetAddress.getHostAddress() + ":" + port: no brackets around IPv6.
func javaHostString(addr string) string {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return addr
	}
	return ap.Addr().Unmap().String() + ":" + strconv.Itoa(int(ap.Port()))
}

func hostString(h message.Host) string {
	return h.Addr.Unmap().String() + ":" + strconv.Itoa(int(h.Port))
}

// humanMillis is UtilAll.timeMillisToHumanString2 (local time).
func humanMillis(ms int64) string {
	t := time.UnixMilli(ms)
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d,%03d", t.Year(), int(t.Month()), t.Day(),
		t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/int(time.Millisecond))
}
