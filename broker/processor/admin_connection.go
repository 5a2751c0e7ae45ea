package processor

import (
	"sort"

	"github.com/rocketgo/rocketgo/broker/client"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// ConnectionAdmin answers who is connected and who consumes: the codes of
// mqadmin consumerConnection, producerConnection and topicRoute/consumer
// lookups — GET_CONSUMER_CONNECTION_LIST, GET_PRODUCER_CONNECTION_LIST and
// QUERY_TOPIC_CONSUME_BY_WHO (Java AdminBrokerProcessor's
// getConsumerConnectionList, getProducerConnectionList and
// queryTopicConsumeByWho).
type ConnectionAdmin struct {
	env *Env
}

// NewConnectionAdmin returns the processor.
func NewConnectionAdmin(env *Env) *ConnectionAdmin { return &ConnectionAdmin{env: env} }

// ProcessRequest dispatches on the request code.
func (p *ConnectionAdmin) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetConsumerConnectionList:
		return p.consumerConnections(req)
	case requestcode.GetProducerConnectionList:
		return p.producerConnections(req)
	case requestcode.QueryTopicConsumeByWho:
		return p.consumeByWho(req)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

func connections(infos []client.ChannelInfo) []body.Connection {
	out := make([]body.Connection, 0, len(infos))
	for _, ci := range infos {
		out = append(out, body.Connection{
			ClientID:   ci.ClientID,
			ClientAddr: ci.Channel.RemoteAddr(),
			Language:   ci.Language.String(),
			Version:    ci.Version,
		})
	}
	body.SortConnections(out)
	return out
}

func (p *ConnectionAdmin) consumerConnections(req *codec.Command) (*codec.Command, error) {
	group, err := header.Required(req, "consumerGroup")
	if err != nil {
		return nil, err
	}
	g, ok := p.env.Consumers.Group(group)
	if !ok {
		return respond(req, requestcode.ConsumerNotOnline, "the consumer group["+group+"] not online"), nil
	}
	cc := body.ConsumerConnection{
		ConnectionSet:     connections(g.Channels),
		SubscriptionTable: g.Subscriptions,
		ConsumeType:       g.ConsumeType,
		MessageModel:      g.MessageModel,
		ConsumeFromWhere:  g.ConsumeFromWhere,
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = cc.Encode()
	return resp, nil
}

func (p *ConnectionAdmin) producerConnections(req *codec.Command) (*codec.Command, error) {
	group, err := header.Required(req, "producerGroup")
	if err != nil {
		return nil, err
	}
	infos := p.env.Producers.Channels(group)
	if len(infos) == 0 {
		return respond(req, requestcode.SystemError, "the producer group["+group+"] not exist"), nil
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = (&body.ProducerConnection{ConnectionSet: connections(infos)}).Encode()
	return resp, nil
}

// consumeByWho lists the groups online on the topic and the groups with a
// committed offset on it.
func (p *ConnectionAdmin) consumeByWho(req *codec.Command) (*codec.Command, error) {
	topic, err := header.Required(req, "topic")
	if err != nil {
		return nil, err
	}
	set := map[string]struct{}{}
	for _, g := range p.env.Consumers.GroupsOfTopic(topic) {
		set[g] = struct{}{}
	}
	for _, g := range p.env.Offsets.Groups(topic) {
		set[g] = struct{}{}
	}
	groups := make([]string, 0, len(set))
	for g := range set {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	resp := respond(req, requestcode.Success, "")
	resp.Body = (&body.GroupList{GroupList: groups}).Encode()
	return resp, nil
}
