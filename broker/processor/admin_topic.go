package processor

import (
	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// TopicAdmin handles UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER and
// GET_ALL_TOPIC_CONFIG (Java AdminBrokerProcessor).
type TopicAdmin struct {
	env *Env
	// Registered runs after a topic was created or updated so the
	// NameServers learn it at once (Java registerIncrementBrokerData).
	Registered func(tc body.TopicConfig)
	// Deleted runs after a topic was deleted: the store drops its queues.
	Deleted func(topic string)
}

// NewTopicAdmin returns the processor.
func NewTopicAdmin(env *Env) *TopicAdmin { return &TopicAdmin{env: env} }

const slaveModifyRemark = "Can't modify topic or subscription group from slave broker, please execute it from master broker."

// ProcessRequest dispatches on the request code.
func (p *TopicAdmin) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.UpdateAndCreateTopic:
		return p.update(c, req)
	case requestcode.DeleteTopicInBroker:
		return p.delete(c, req)
	case requestcode.GetAllTopicConfig:
		resp := respond(req, requestcode.Success, "")
		resp.SetEmptyExt()
		resp.Body = p.env.Topics.Encode()
		return resp, nil
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

func (p *TopicAdmin) update(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if p.env.Settings().Slave {
		return respond(req, requestcode.SystemError, slaveModifyRemark), nil
	}
	r := header.NewReader(req)
	tc := body.TopicConfig{
		TopicName:       r.String("topic"),
		ReadQueueNums:   r.Int32("readQueueNums"),
		WriteQueueNums:  r.Int32("writeQueueNums"),
		Perm:            r.Int32("perm"),
		TopicFilterType: r.String("topicFilterType"),
		TopicSysFlag:    r.OptInt32("topicSysFlag", 0),
		Order:           r.Bool("order"),
	}
	r.String("defaultTopic")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if tc.TopicFilterType != body.SingleTag && tc.TopicFilterType != body.MultiTag {
		tc.TopicFilterType = body.SingleTag
	}
	if resp := p.checkName(req, tc.TopicName); resp != nil {
		return resp, nil
	}
	p.env.Log.WithFields(logrus.Fields{"topic": tc.TopicName, "remote": c.RemoteAddr(), "read": tc.ReadQueueNums,
		"write": tc.WriteQueueNums, "perm": tc.Perm}).Info("updateAndCreateTopic")
	if err := p.env.Topics.Update(tc); err != nil {
		return nil, err
	}
	if p.Registered != nil {
		p.Registered(tc)
	}
	return respond(req, requestcode.Success, ""), nil
}

// checkName applies TopicValidator.validateTopic and isSystemTopic.
func (p *TopicAdmin) checkName(req *codec.Command, topic string) *codec.Command {
	if err := topicconfig.Validate(topic); err != nil {
		return respond(req, requestcode.SystemError, err.Error())
	}
	if topicconfig.IsSystemTopic(topic) {
		return respond(req, requestcode.SystemError, "The topic["+topic+"] is conflict with system topic.")
	}
	return nil
}

func (p *TopicAdmin) delete(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if p.env.Settings().Slave {
		return respond(req, requestcode.SystemError, slaveModifyRemark), nil
	}
	topic, err := header.Required(req, "topic")
	if err != nil {
		return nil, err
	}
	if resp := p.checkName(req, topic); resp != nil {
		return resp, nil
	}
	p.env.Log.WithFields(logrus.Fields{"topic": topic, "remote": c.RemoteAddr()}).Info("deleteTopic")
	if err := p.env.Topics.Delete(topic); err != nil {
		return nil, err
	}
	if p.Deleted != nil {
		p.Deleted(topic)
	}
	return respond(req, requestcode.Success, ""), nil
}
