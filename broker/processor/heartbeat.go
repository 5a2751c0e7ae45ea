package processor

import (
	"strings"

	"github.com/rocketgo/rocketgo/broker/client"
	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// ClientManage handles HEART_BEAT and UNREGISTER_CLIENT as Java's
// ClientManageProcessor: heartbeats register the connection's producer and
// consumer groups (creating each consumer group's retry topic) and tell a
// group's members to rebalance when its membership or subscriptions change.
type ClientManage struct {
	env *Env
}

// NewClientManage returns the processor.
func NewClientManage(env *Env) *ClientManage { return &ClientManage{env: env} }

// ProcessRequest dispatches on the request code.
func (p *ClientManage) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.HeartBeat:
		return p.heartbeat(c, req)
	case requestcode.UnregisterClient:
		return p.unregister(c, req)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

func (p *ClientManage) heartbeat(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	hb, err := body.DecodeHeartbeatData(req.Body)
	if err != nil {
		p.env.Log.WithFields(logrus.Fields{"remote": c.RemoteAddr()}).WithError(err).Warn("malformed heartbeat")
		return respond(req, requestcode.SystemError, "malformed heartbeat body: "+err.Error()), nil
	}
	info := client.ChannelInfo{Channel: c, ClientID: hb.ClientID, Language: req.Language, Version: req.Version}
	set := p.env.Settings()
	for i := range hb.Consumers {
		cd := &hb.Consumers[i]
		if cd.GroupName == "" {
			continue
		}
		notify := true
		if sg, ok := p.env.Groups.FindOrCreate(cd.GroupName, set.AutoCreateSubscriptionGroup); ok {
			notify = sg.NotifyConsumerIdsChangedEnable
			var sysFlag int32
			if cd.UnitMode {
				sysFlag = topicconfig.SysFlagUnitSub
			}
			retry := retryGroupTopicPrefix + cd.GroupName
			p.env.Topics.CreateTopicInSendMessageBack(retry, sg.RetryQueueNums, body.PermWrite|body.PermRead, sysFlag)
		}
		p.env.Consumers.Register(info, cd, notify)
	}
	for _, g := range hb.Producers {
		if g != "" {
			p.env.Producers.Register(g, info)
		}
	}
	return respond(req, requestcode.Success, ""), nil
}

func (p *ClientManage) unregister(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if _, err := header.Required(req, "clientID"); err != nil {
		return nil, err
	}
	if g := strings.TrimSpace(req.Value("producerGroup")); g != "" {
		p.env.Producers.Unregister(g, c)
	}
	if g := strings.TrimSpace(req.Value("consumerGroup")); g != "" {
		notify := true
		if sg, ok := p.env.Groups.Find(g); ok {
			notify = sg.NotifyConsumerIdsChangedEnable
		}
		p.env.Consumers.Unregister(g, c, notify)
	}
	resp := respond(req, requestcode.Success, "")
	resp.SetEmptyExt()
	return resp, nil
}
