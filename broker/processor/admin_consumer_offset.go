package processor

import (
	"strings"

	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// ConsumerOffsetAdmin answers GET_ALL_CONSUMER_OFFSET (the whole offset
// table, consumerOffset.json's content, which a slave copies from its
// master) and CLONE_GROUP_OFFSET (mqadmin cloneGroupOffset: copy a group's
// committed offsets to another group), as Java AdminBrokerProcessor's
// getAllConsumerOffset and cloneGroupOffset do.
type ConsumerOffsetAdmin struct {
	env *Env
}

// NewConsumerOffsetAdmin returns the processor.
func NewConsumerOffsetAdmin(env *Env) *ConsumerOffsetAdmin { return &ConsumerOffsetAdmin{env: env} }

// ProcessRequest dispatches on the request code.
func (p *ConsumerOffsetAdmin) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetAllConsumerOffset:
		resp := respond(req, requestcode.Success, "")
		resp.Body = p.env.Offsets.Encode()
		return resp, nil
	case requestcode.CloneGroupOffset:
		return p.clone(c, req)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

// clone copies srcGroup's offsets of topic (of every topic srcGroup has
// offsets on when topic is blank) to destGroup. Unless offline is set, a
// topic the online source group does not subscribe to is skipped.
//
// Java passes the header's topic, not the loop's, to cloneOffset, so with a
// blank topic it clones nothing; mqadmin always sends one, and here the
// loop's topic is used so a blank topic clones them all.
func (p *ConsumerOffsetAdmin) clone(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	r := header.NewReader(req)
	src, dest := r.String("srcGroup"), r.String("destGroup")
	if err := r.Err(); err != nil {
		return nil, err
	}
	topic, offline := req.Value("topic"), header.OptionalBool(req, "offline")
	var topics []string
	if strings.TrimSpace(topic) == "" {
		topics = p.env.Offsets.Topics(src)
	} else {
		topics = []string{topic}
	}
	for _, t := range topics {
		if _, ok := p.env.Topics.Get(t); !ok {
			continue
		}
		if !offline {
			_, subscribed := p.env.Consumers.Subscription(src, t)
			if g, online := p.env.Consumers.Group(src); online && len(g.Subscriptions) > 0 && !subscribed {
				continue
			}
		}
		p.env.Offsets.CloneOffset(src, dest, t)
		p.env.Log.WithFields(logrus.Fields{"src": src, "dest": dest, "topic": t, "remote": adminRemote(c)}).Info("cloneGroupOffset")
	}
	return respond(req, requestcode.Success, ""), nil
}

// adminRemote is the peer address for logs; tests may call processors
// without a connection.
func adminRemote(c *remoting.Conn) string {
	if c == nil {
		return ""
	}
	return c.RemoteAddr()
}
