package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// TopicStats reads one broker's queues of a topic (GET_TOPIC_STATS_INFO).
func (a *Admin) TopicStats(ctx context.Context, addr, topic string) (*body.TopicStatsTable, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetTopicStatsInfo, "topic", topic))
	if err != nil {
		return nil, err
	}
	t, err := body.DecodeTopicStatsTable(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("topic stats of %s from broker %s: %w", topic, addr, err)
	}
	return t, nil
}

// ConsumeStats reads one broker's progress of a group (GET_CONSUME_STATS),
// for one topic when topic is set.
func (a *Admin) ConsumeStats(ctx context.Context, addr, group, topic string) (*body.ConsumeStats, error) {
	req := newRequest(requestcode.GetConsumeStats, "consumerGroup", group)
	if topic != "" {
		req.Set("topic", topic)
	}
	resp, err := a.call(ctx, RoleBroker, addr, req)
	if err != nil {
		return nil, err
	}
	cs, err := body.DecodeConsumeStats(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("consume stats of %s from broker %s: %w", group, addr, err)
	}
	return cs, nil
}

// ConsumerConnection reads a group's live consumers from one broker
// (GET_CONSUMER_CONNECTION_LIST).
func (a *Admin) ConsumerConnection(ctx context.Context, addr, group string) (*body.ConsumerConnection, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetConsumerConnectionList, "consumerGroup", group))
	if err != nil {
		return nil, err
	}
	cc, err := body.DecodeConsumerConnection(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("consumer connections of %s from broker %s: %w", group, addr, err)
	}
	return cc, nil
}

// ProducerConnection reads a group's live producers from one broker
// (GET_PRODUCER_CONNECTION_LIST).
func (a *Admin) ProducerConnection(ctx context.Context, addr, group string) (*body.ProducerConnection, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetProducerConnectionList, "producerGroup", group))
	if err != nil {
		return nil, err
	}
	pc, err := body.DecodeProducerConnection(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("producer connections of %s from broker %s: %w", group, addr, err)
	}
	return pc, nil
}

// TopicConsumeByWho lists the groups consuming a topic on one broker
// (QUERY_TOPIC_CONSUME_BY_WHO).
func (a *Admin) TopicConsumeByWho(ctx context.Context, addr, topic string) ([]string, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.QueryTopicConsumeByWho, "topic", topic))
	if err != nil {
		return nil, err
	}
	gl, err := body.DecodeGroupList(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("groups of %s from broker %s: %w", topic, addr, err)
	}
	return gl.GroupList, nil
}

// ResetOffset asks one broker to move a group's offsets of a topic to a
// point in time (INVOKE_BROKER_TO_RESET_OFFSET); timestamp -1 means the
// end of each queue. With cpp the request is marked as coming from a C++
// client, which makes a Java broker answer the C++ body shape.
func (a *Admin) ResetOffset(ctx context.Context, addr, topic, group string, timestamp int64, force, cpp bool) (map[body.MessageQueue]int64, error) {
	req := newRequest(requestcode.InvokeBrokerToResetOffset, "topic", topic, "group", group,
		"timestamp", strconv.FormatInt(timestamp, 10), "isForce", strconv.FormatBool(force))
	if cpp {
		req.Language = codec.LangCPP
	}
	resp, err := a.call(ctx, RoleBroker, addr, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Body) == 0 {
		// Java's client treats a SUCCESS without body as a failure.
		return nil, &RemoteError{Role: RoleBroker, Addr: addr, Request: requestcode.InvokeBrokerToResetOffset,
			Code: requestcode.ResponseCode(resp.Code), Remark: "no offset table in the answer"}
	}
	rb, err := body.DecodeResetOffsetBody(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reset offsets of %s from broker %s: %w", group, addr, err)
	}
	return rb.OffsetTable, nil
}

// ConsumerRunningInfo asks a broker to relay GET_CONSUMER_RUNNING_INFO to
// one client of a group.
func (a *Admin) ConsumerRunningInfo(ctx context.Context, addr, group, clientID string, jstack bool) (*body.ConsumerRunningInfo, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetConsumerRunningInfo,
		"consumerGroup", group, "clientId", clientID, "jstackEnable", strconv.FormatBool(jstack)))
	if err != nil {
		return nil, err
	}
	ri, err := body.DecodeConsumerRunningInfo(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("running info of %s from broker %s: %w", clientID, addr, err)
	}
	return ri, nil
}

// ConsumeMessageDirectly asks a broker to hand one stored message to one
// client of a group (CONSUME_MESSAGE_DIRECTLY) and returns the client's
// verdict.
func (a *Admin) ConsumeMessageDirectly(ctx context.Context, addr, group, clientID, msgID string) (*body.ConsumeMessageDirectlyResult, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.ConsumeMessageDirectly,
		"consumerGroup", group, "clientId", clientID, "msgId", msgID))
	if err != nil {
		return nil, err
	}
	r, err := body.DecodeConsumeMessageDirectlyResult(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("consume result of %s from broker %s: %w", msgID, addr, err)
	}
	return r, nil
}

// ErrNotFound is wrapped by the Examine calls when the servers answered
// but had nothing to report (Java's "Not found ..." client exceptions).
var ErrNotFound = errors.New("not found")

// NotOnlineError is Java's CONSUMER_NOT_ONLINE client exception: the group
// has no consumer connected, or no offsets.
type NotOnlineError struct {
	Group  string
	Broker string
	Reason string
}

func (e *NotOnlineError) Error() string {
	s := "consumer group " + e.Group + " not online: " + e.Reason
	if e.Broker != "" {
		s += " (broker " + e.Broker + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotOnlineError) Is(target error) bool { return target == ErrNotFound }

// routeBrokers returns the address of every broker group of a route, in
// route order.
func routeBrokers(r *body.TopicRouteData) []brokerAddr {
	var out []brokerAddr
	for i := range r.BrokerDatas {
		if addr := SelectBrokerAddr(&r.BrokerDatas[i]); addr != "" {
			out = append(out, brokerAddr{name: r.BrokerDatas[i].BrokerName, addr: addr})
		}
	}
	return out
}

type brokerAddr struct{ name, addr string }

// ExamineTopicStats merges the topic stats of every broker in the topic's
// route (Java examineTopicStats).
func (a *Admin) ExamineTopicStats(ctx context.Context, topic string) (map[body.MessageQueue]body.TopicOffset, error) {
	route, err := a.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := map[body.MessageQueue]body.TopicOffset{}
	for _, b := range routeBrokers(route) {
		t, err := a.TopicStats(ctx, b.addr, topic)
		if err != nil {
			return nil, err
		}
		for q, o := range t.OffsetTable {
			out[q] = o
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("topic %s: no topic stats on its brokers: %w", topic, ErrNotFound)
	}
	return out, nil
}

// ExamineConsumeStats merges a group's progress from every broker that
// hosts its retry topic (Java examineConsumeStats); topic narrows it to
// one topic. The TPS of the brokers are summed.
func (a *Admin) ExamineConsumeStats(ctx context.Context, group, topic string) (*body.ConsumeStats, error) {
	route, err := a.TopicRoute(ctx, RetryGroupTopicPrefix+group)
	if err != nil {
		return nil, err
	}
	out := &body.ConsumeStats{OffsetTable: map[body.MessageQueue]body.OffsetWrapper{}}
	for _, b := range routeBrokers(route) {
		cs, err := a.ConsumeStats(ctx, b.addr, group, topic)
		if err != nil {
			return nil, err
		}
		for q, o := range cs.OffsetTable {
			out.OffsetTable[q] = o
		}
		out.ConsumeTps += cs.ConsumeTps
	}
	if len(out.OffsetTable) == 0 {
		return nil, &NotOnlineError{Group: group, Reason: "no consume stats (offset table empty); maybe the group has not consumed any message"}
	}
	return out, nil
}

// ExamineConsumerConnection reads a group's connections from a broker of
// its retry topic, or from brokerAddr when set (Java
// examineConsumerConnectionInfo). Java picks a random broker; this takes
// the first one, so the answer is repeatable.
func (a *Admin) ExamineConsumerConnection(ctx context.Context, group, brokerAddr string) (*body.ConsumerConnection, string, error) {
	addr := brokerAddr
	if addr == "" {
		route, err := a.TopicRoute(ctx, RetryGroupTopicPrefix+group)
		if err != nil {
			return nil, "", err
		}
		bs := routeBrokers(route)
		if len(bs) == 0 {
			return nil, "", &NotOnlineError{Group: group, Reason: "its retry topic has no broker"}
		}
		addr = bs[0].addr
	}
	cc, err := a.ConsumerConnection(ctx, addr, group)
	if err != nil {
		return nil, addr, err
	}
	if len(cc.ConnectionSet) == 0 {
		return nil, addr, &NotOnlineError{Group: group, Broker: addr, Reason: "no consumer connection"}
	}
	return cc, addr, nil
}

// ExamineProducerConnection reads a producer group's connections from a
// broker of the topic (Java examineProducerConnectionInfo; first broker
// instead of a random one).
func (a *Admin) ExamineProducerConnection(ctx context.Context, group, topic string) (*body.ProducerConnection, string, error) {
	route, err := a.TopicRoute(ctx, topic)
	if err != nil {
		return nil, "", err
	}
	bs := routeBrokers(route)
	if len(bs) == 0 {
		return nil, "", fmt.Errorf("topic %s has no broker: %w", topic, ErrNotFound)
	}
	pc, err := a.ProducerConnection(ctx, bs[0].addr, group)
	if err != nil {
		return nil, bs[0].addr, err
	}
	if len(pc.ConnectionSet) == 0 {
		return nil, bs[0].addr, fmt.Errorf("producer group %s has no connection on broker %s: %w", group, bs[0].addr, ErrNotFound)
	}
	return pc, bs[0].addr, nil
}

// QueryTopicConsumeByWho asks the first broker of the topic's route which
// groups consume it (Java queryTopicConsumeByWho).
func (a *Admin) QueryTopicConsumeByWho(ctx context.Context, topic string) ([]string, error) {
	route, err := a.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	bs := routeBrokers(route)
	if len(bs) == 0 {
		return nil, nil
	}
	return a.TopicConsumeByWho(ctx, bs[0].addr, topic)
}

// ResetOffsetByTimestamp resets a group's offsets of a topic on every
// broker of the topic's route (Java resetOffsetByTimestamp) and returns
// the new offsets.
func (a *Admin) ResetOffsetByTimestamp(ctx context.Context, topic, group string, timestamp int64, force, cpp bool) (map[body.MessageQueue]int64, error) {
	route, err := a.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := map[body.MessageQueue]int64{}
	for _, b := range routeBrokers(route) {
		t, err := a.ResetOffset(ctx, b.addr, topic, group, timestamp, force, cpp)
		if err != nil {
			return nil, err
		}
		for q, o := range t {
			out[q] = o
		}
	}
	return out, nil
}

// RollbackStat is one queue of the offline reset (Java RollbackStats).
type RollbackStat struct {
	BrokerName      string `json:"brokerName"`
	QueueID         int32  `json:"queueId"`
	BrokerOffset    int64  `json:"brokerOffset"`
	ConsumerOffset  int64  `json:"consumerOffset"`
	TimestampOffset int64  `json:"timestampOffset"`
	RollbackOffset  int64  `json:"rollbackOffset"`
}

// ResetOffsetOffline rewrites a group's committed offsets of a topic
// directly (Java resetOffsetByTimestampOld), for a group with no consumer
// online: the offset found for the timestamp (-1: the max offset) is
// committed when force is set or when it is not ahead of the committed
// one. Queues the group never consumed start from the queue's range.
func (a *Admin) ResetOffsetOffline(ctx context.Context, group, topic string, timestamp int64, force bool) ([]RollbackStat, error) {
	route, err := a.TopicRoute(ctx, topic)
	if err != nil {
		return nil, err
	}
	readQueues := map[string]int32{}
	for _, q := range route.QueueDatas {
		readQueues[q.BrokerName] = q.ReadQueueNums
	}
	var out []RollbackStat
	for _, b := range routeBrokers(route) {
		cs, err := a.ConsumeStats(ctx, b.addr, group, "")
		if err != nil {
			return nil, err
		}
		type entry struct {
			q body.MessageQueue
			o body.OffsetWrapper
		}
		var entries []entry
		for q, o := range cs.OffsetTable {
			if q.Topic == topic {
				entries = append(entries, entry{q, o})
			}
		}
		if len(entries) == 0 {
			ts, err := a.TopicStats(ctx, b.addr, topic)
			if err != nil {
				return nil, err
			}
			for i := int32(0); i < readQueues[b.name]; i++ {
				q := body.MessageQueue{Topic: topic, BrokerName: b.name, QueueID: i}
				to := ts.OffsetTable[q]
				entries = append(entries, entry{q, body.OffsetWrapper{BrokerOffset: to.MaxOffset, ConsumerOffset: to.MinOffset}})
			}
		}
		for _, e := range entries {
			var target int64
			if timestamp == -1 {
				target, err = a.MaxOffset(ctx, b.addr, e.q.Topic, e.q.QueueID)
			} else {
				target, err = a.SearchOffset(ctx, b.addr, e.q.Topic, e.q.QueueID, timestamp)
			}
			if err != nil {
				return nil, err
			}
			rs := RollbackStat{BrokerName: e.q.BrokerName, QueueID: e.q.QueueID, BrokerOffset: e.o.BrokerOffset,
				ConsumerOffset: e.o.ConsumerOffset, TimestampOffset: target, RollbackOffset: e.o.ConsumerOffset}
			if force || target <= e.o.ConsumerOffset {
				rs.RollbackOffset = target
				if err := a.UpdateConsumerOffset(ctx, b.addr, group, e.q, target); err != nil {
					return nil, err
				}
			}
			out = append(out, rs)
		}
	}
	return out, nil
}

// ExamineConsumerRunningInfo asks the first broker of the group's retry
// topic to relay GET_CONSUMER_RUNNING_INFO to clientID.
func (a *Admin) ExamineConsumerRunningInfo(ctx context.Context, group, clientID string) (*body.ConsumerRunningInfo, error) {
	route, err := a.TopicRoute(ctx, RetryGroupTopicPrefix+group)
	if err != nil {
		return nil, err
	}
	bs := routeBrokers(route)
	if len(bs) == 0 {
		return nil, &NotOnlineError{Group: group, Reason: "its retry topic has no broker"}
	}
	return a.ConsumerRunningInfo(ctx, bs[0].addr, group, clientID, false)
}

// Track types of a message for a group (Java TrackType).
const (
	TrackConsumed            = "CONSUMED"
	TrackConsumedButFiltered = "CONSUMED_BUT_FILTERED"
	TrackPull                = "PULL"
	TrackNotConsumeYet       = "NOT_CONSUME_YET"
	TrackNotOnline           = "NOT_ONLINE"
	TrackUnknown             = "UNKNOWN"
)

// MessageTrack says whether one group has consumed a message (Java
// MessageTrack). ExceptionDesc is "" where Java has null.
type MessageTrack struct {
	ConsumerGroup string `json:"consumerGroup"`
	TrackType     string `json:"trackType"`
	ExceptionDesc string `json:"exceptionDesc,omitempty"`
}

// exceptionDesc renders a failure as Java's track does: "CODE:n DESC:remark"
// for a server's refusal or a not-online group.
func exceptionDesc(err error) (desc string, notOnline bool) {
	var re *RemoteError
	if errors.As(err, &re) {
		return fmt.Sprintf("CODE:%d DESC:%s", int32(re.Code), re.Remark), re.Code == requestcode.ConsumerNotOnline
	}
	var no *NotOnlineError
	if errors.As(err, &no) {
		return fmt.Sprintf("CODE:%d DESC:%s", int32(requestcode.ConsumerNotOnline), no.Error()), true
	}
	return err.Error(), false
}

// MessageTrackDetail reports, for every group consuming the message's
// topic, whether it consumed the message (Java messageTrackDetail): a pull
// group cannot be judged; a push group has consumed it when its committed
// offset of the message's queue on the storing broker is past the
// message, unless its subscription filters the message's tag out.
func (a *Admin) MessageTrackDetail(ctx context.Context, m *Message) ([]MessageTrack, error) {
	groups, err := a.QueryTopicConsumeByWho(ctx, m.Topic)
	if err != nil {
		return nil, err
	}
	var out []MessageTrack
	for _, g := range groups {
		mt := MessageTrack{ConsumerGroup: g, TrackType: TrackUnknown}
		cc, _, err := a.ExamineConsumerConnection(ctx, g, "")
		if err != nil {
			desc, notOnline := exceptionDesc(err)
			var re *RemoteError
			if notOnline && errors.As(err, &re) {
				mt.TrackType = TrackNotOnline
			}
			mt.ExceptionDesc = desc
			out = append(out, mt)
			continue
		}
		switch cc.ConsumeType {
		case "CONSUME_ACTIVELY":
			mt.TrackType = TrackPull
		case "CONSUME_PASSIVELY":
			consumed, err := a.consumed(ctx, m, g)
			if err != nil {
				desc, notOnline := exceptionDesc(err)
				if notOnline {
					mt.TrackType = TrackNotOnline
				}
				mt.ExceptionDesc = desc
				out = append(out, mt)
				continue
			}
			if !consumed {
				mt.TrackType = TrackNotConsumeYet
				break
			}
			mt.TrackType = TrackConsumed
			tag, _ := m.Property("TAGS")
			for topic, sd := range cc.SubscriptionTable {
				if topic != m.Topic {
					continue
				}
				if len(sd.TagsSet) > 0 && !containsString(sd.TagsSet, tag) && !containsString(sd.TagsSet, "*") {
					mt.TrackType = TrackConsumedButFiltered
				}
			}
		}
		out = append(out, mt)
	}
	return out, nil
}

// consumed is Java's DefaultMQAdminExtImpl.consumed.
func (a *Admin) consumed(ctx context.Context, m *Message, group string) (bool, error) {
	cs, err := a.ExamineConsumeStats(ctx, group, "")
	if err != nil {
		return false, err
	}
	ci, err := a.ClusterInfo(ctx)
	if err != nil {
		return false, err
	}
	store := hostAddr(m.StoreHost)
	for q, o := range cs.OffsetTable {
		if q.Topic != m.Topic || q.QueueID != m.QueueID {
			continue
		}
		bd := ci.BrokerAddrTable[q.BrokerName]
		if bd == nil {
			continue
		}
		if resolveAddr(bd.BrokerAddrs[body.MasterID]) == store && o.ConsumerOffset > m.QueueOffset {
			return true, nil
		}
	}
	return false, nil
}

// resolveAddr is RemotingUtil.convert2IpString: "host:port" with the host
// resolved to an IP.
func resolveAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return net.JoinHostPort(ip.Unmap().String(), port)
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return addr
	}
	return net.JoinHostPort(ips[0].String(), port)
}
