package processor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rocketgo/rocketgo/broker/client"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

// minRelayClientVersion is MQVersion V3_1_8_SNAPSHOT, the first client
// that answers broker-relayed calls.
const minRelayClientVersion = 62

// relayTimeout is Java Broker2Client.callClient's invokeSync timeout.
const relayTimeout = 10 * time.Second

// invoker is a client connection the broker can call and wait on (a
// *remoting.Conn; client.Channel only promises oneway sends).
type invoker interface {
	Invoke(ctx context.Context, req *codec.Command) (*codec.Command, error)
}

// ConsumerRelay forwards an admin's GET_CONSUMER_RUNNING_INFO and
// CONSUME_MESSAGE_DIRECTLY to the consumer client named by clientId and
// relays its reply unchanged (Java AdminBrokerProcessor.callConsumer via
// Broker2Client.callClient). For CONSUME_MESSAGE_DIRECTLY the broker first
// loads the message named by the offset msgId into the body and adds its
// brokerName to the header.
type ConsumerRelay struct {
	env *Env
	// Timeout bounds the wait for the client (default relayTimeout).
	Timeout time.Duration
}

// NewConsumerRelay returns the processor.
func NewConsumerRelay(env *Env) *ConsumerRelay {
	return &ConsumerRelay{env: env, Timeout: relayTimeout}
}

// ProcessRequest handles both codes.
func (p *ConsumerRelay) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetConsumerRunningInfo:
		r := header.NewReader(req)
		group, clientID := r.String("consumerGroup"), r.String("clientId")
		if err := r.Err(); err != nil {
			return nil, err
		}
		return p.call(req, group, clientID, req.Body)
	case requestcode.ConsumeMessageDirectly:
		group, err := header.Required(req, "consumerGroup")
		if err != nil {
			return nil, err
		}
		rec, failed := p.loadMessage(req)
		if failed != nil {
			return failed, nil
		}
		return p.call(req, group, req.Value("clientId"), rec)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

// loadMessage reads the stored record the msgId header names. Java leaves
// a malformed or unknown id to fail with an exception; here it is a
// SYSTEM_ERROR naming the id.
func (p *ConsumerRelay) loadMessage(req *codec.Command) ([]byte, *codec.Command) {
	msgID := req.Value("msgId")
	_, phys, err := message.DecodeOffsetMsgID(msgID)
	if err != nil {
		return nil, respond(req, requestcode.SystemError, fmt.Sprintf("bad msgId <%s>: not an offset message id", msgID))
	}
	view, ok := p.env.Store.LookMessageByOffset(phys)
	if !ok {
		return nil, respond(req, requestcode.SystemError, fmt.Sprintf("no message with msgId <%s> in this broker", msgID))
	}
	rec := append([]byte(nil), view.Bytes...)
	view.Release()
	return rec, nil
}

// findChannel is Java ConsumerManager.findChannel(group, clientId).
func (p *ConsumerRelay) findChannel(group, clientID string) (client.ChannelInfo, bool) {
	g, ok := p.env.Consumers.Group(group)
	if !ok {
		return client.ChannelInfo{}, false
	}
	for _, ci := range g.Channels {
		if ci.ClientID == clientID {
			return ci, true
		}
	}
	return client.ChannelInfo{}, false
}

func (p *ConsumerRelay) call(req *codec.Command, group, clientID string, payload []byte) (*codec.Command, error) {
	ci, ok := p.findChannel(group, clientID)
	if !ok {
		return respond(req, requestcode.SystemError, fmt.Sprintf("The Consumer <%s> <%s> not online", group, clientID)), nil
	}
	if ci.Version < minRelayClientVersion {
		return respond(req, requestcode.SystemError, fmt.Sprintf(
			"The Consumer <%s> Version <%d> too low to finish, please upgrade it to V3_1_8_SNAPSHOT", clientID, ci.Version)), nil
	}
	inv, ok := ci.Channel.(invoker)
	if !ok {
		return respond(req, requestcode.SystemError, fmt.Sprintf("invoke consumer <%s> <%s> Exception: connection cannot be called", group, clientID)), nil
	}
	fwd := codec.NewRequest(req.Code, 0)
	for _, f := range req.Ext {
		fwd.Set(f.Key, f.Value)
	}
	if req.Code == int32(requestcode.ConsumeMessageDirectly) {
		fwd.Set("brokerName", p.env.Settings().BrokerName)
	}
	fwd.Body = payload
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = relayTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, err := inv.Invoke(ctx, fwd)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return respond(req, requestcode.ConsumeMsgTimeout, fmt.Sprintf("consumer <%s> <%s> Timeout: %v", group, clientID, err)), nil
	case err != nil:
		return respond(req, requestcode.SystemError, fmt.Sprintf("invoke consumer <%s> <%s> Exception: %v", group, clientID, err)), nil
	}
	// The client's reply goes back as it is; the server gives it the
	// admin request's opaque.
	return resp, nil
}
