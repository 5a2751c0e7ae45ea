package processor

import (
	"strings"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// ConsumeStatsAdmin answers the statistics codes of mqadmin topicStatus
// and consumerProgress and of the dashboard: GET_TOPIC_STATS_INFO (each
// queue's min/max offset and last store time), GET_CONSUME_STATS (a
// group's lag per queue) and GET_BROKER_CONSUME_STATS (every group's lag),
// as Java AdminBrokerProcessor's getTopicStatsInfo, getConsumeStats and
// fetchAllConsumeStatsInBroker compute them.
//
// consumeTps is always 0: Java reads it from the broker's per-group pull
// statistics (BrokerStatsManager GROUP_GET_NUMS), which rocketgo does not
// keep.
type ConsumeStatsAdmin struct {
	env *Env
}

// NewConsumeStatsAdmin returns the processor.
func NewConsumeStatsAdmin(env *Env) *ConsumeStatsAdmin { return &ConsumeStatsAdmin{env: env} }

// ProcessRequest dispatches on the request code.
func (p *ConsumeStatsAdmin) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetTopicStatsInfo:
		return p.topicStats(req)
	case requestcode.GetConsumeStats:
		return p.consumeStats(req)
	case requestcode.GetBrokerConsumeStats:
		return p.brokerConsumeStats(req)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

func (p *ConsumeStatsAdmin) topicStats(req *codec.Command) (*codec.Command, error) {
	topic, err := header.Required(req, "topic")
	if err != nil {
		return nil, err
	}
	tc, ok := p.env.Topics.Get(topic)
	if !ok {
		return respond(req, requestcode.TopicNotExist, "topic["+topic+"] not exist"), nil
	}
	st := p.env.Store
	brokerName := p.env.Settings().BrokerName
	t := body.TopicStatsTable{OffsetTable: make(map[body.MessageQueue]body.TopicOffset, tc.WriteQueueNums)}
	for i := int32(0); i < tc.WriteQueueNums; i++ {
		o := body.TopicOffset{MinOffset: max(st.MinOffsetInQueue(topic, i), 0), MaxOffset: max(st.MaxOffsetInQueue(topic, i), 0)}
		if o.MaxOffset > 0 {
			// -1 when the last message cannot be read, as Java reports it
			o.LastUpdateTimestamp = st.MessageStoreTime(topic, i, o.MaxOffset-1)
		}
		t.OffsetTable[body.MessageQueue{Topic: topic, BrokerName: brokerName, QueueID: i}] = o
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = t.Encode()
	return resp, nil
}

func (p *ConsumeStatsAdmin) consumeStats(req *codec.Command) (*codec.Command, error) {
	group, err := header.Required(req, "consumerGroup")
	if err != nil {
		return nil, err
	}
	topic := req.Value("topic")
	var topics []string
	if strings.TrimSpace(topic) == "" {
		topics = p.env.Offsets.Topics(group)
	} else {
		topics = []string{topic}
	}
	cs := body.ConsumeStats{OffsetTable: map[body.MessageQueue]body.OffsetWrapper{}}
	for _, t := range topics {
		tc, ok := p.env.Topics.Get(t)
		if !ok || !p.subscribedOrUnknown(group, t) {
			continue
		}
		p.addQueues(&cs, group, t, tc.ReadQueueNums)
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = cs.Encode()
	return resp, nil
}

// subscribedOrUnknown is Java's filter of consume statistics: a topic the
// group's online members do not subscribe to is left out, unless no member
// reports any subscription at all (offline group: every topic with offsets
// counts).
func (p *ConsumeStatsAdmin) subscribedOrUnknown(group, topic string) bool {
	if _, ok := p.env.Consumers.Subscription(group, topic); ok {
		return true
	}
	g, online := p.env.Consumers.Group(group)
	return !online || len(g.Subscriptions) == 0
}

// addQueues adds queues 0..n-1 of topic with the group's progress.
func (p *ConsumeStatsAdmin) addQueues(cs *body.ConsumeStats, group, topic string, n int32) {
	st := p.env.Store
	brokerName := p.env.Settings().BrokerName
	for i := int32(0); i < n; i++ {
		o := body.OffsetWrapper{
			BrokerOffset:   max(st.MaxOffsetInQueue(topic, i), 0),
			ConsumerOffset: max(p.env.Offsets.Query(group, topic, i), 0),
		}
		if o.ConsumerOffset > 0 {
			if ts := st.MessageStoreTime(topic, i, o.ConsumerOffset-1); ts > 0 {
				o.LastTimestamp = ts
			}
		}
		cs.OffsetTable[body.MessageQueue{Topic: topic, BrokerName: brokerName, QueueID: i}] = o
	}
}

func (p *ConsumeStatsAdmin) brokerConsumeStats(req *codec.Command) (*codec.Command, error) {
	// isOrder is a @CFNotNull primitive: Java fails the request without it.
	if _, ok := req.Get("isOrder"); !ok {
		return nil, header.Missing("isOrder")
	}
	onlyOrder := header.OptionalBool(req, "isOrder")
	list := body.ConsumeStatsList{BrokerAddr: p.env.Settings().BrokerAddr}
	for _, group := range p.env.Groups.Names() {
		g := body.GroupConsumeStats{Group: group, Stats: []body.ConsumeStats{}}
		for _, topic := range p.env.Offsets.Topics(group) {
			tc, ok := p.env.Topics.Get(topic)
			if !ok || (onlyOrder && !tc.Order) || !p.subscribedOrUnknown(group, topic) {
				continue
			}
			cs := body.ConsumeStats{OffsetTable: map[body.MessageQueue]body.OffsetWrapper{}}
			// Java uses the write queue count here (and the read queue
			// count in GET_CONSUME_STATS).
			p.addQueues(&cs, group, topic, tc.WriteQueueNums)
			list.TotalDiff += cs.ComputeTotalDiff()
			g.Stats = append(g.Stats, cs)
		}
		list.ConsumeStatsList = append(list.ConsumeStatsList, g)
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = list.Encode()
	return resp, nil
}
