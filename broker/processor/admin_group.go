package processor

import (
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// GroupAdmin handles UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG and DELETE_SUBSCRIPTIONGROUP (Java
// AdminBrokerProcessor).
type GroupAdmin struct {
	env *Env
}

// NewGroupAdmin returns the processor.
func NewGroupAdmin(env *Env) *GroupAdmin { return &GroupAdmin{env: env} }

// ProcessRequest dispatches on the request code.
func (p *GroupAdmin) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.UpdateAndCreateSubscriptiongroup:
		if p.env.Settings().Slave {
			return respond(req, requestcode.SystemError, slaveModifyRemark), nil
		}
		sg, err := body.DecodeSubscriptionGroupConfig(req.Body)
		if err != nil {
			return respond(req, requestcode.SystemError, "malformed subscription group body: "+err.Error()), nil
		}
		if sg.GroupName == "" {
			return respond(req, requestcode.SystemError, "subscription group name is empty"), nil
		}
		p.env.Log.WithFields(logrus.Fields{"group": sg.GroupName, "remote": c.RemoteAddr()}).Info("updateAndCreateSubscriptionGroup")
		if err := p.env.Groups.Update(sg); err != nil {
			return nil, err
		}
		return respond(req, requestcode.Success, ""), nil
	case requestcode.GetAllSubscriptiongroupConfig:
		resp := respond(req, requestcode.Success, "")
		resp.Body = p.env.Groups.Encode()
		return resp, nil
	case requestcode.DeleteSubscriptiongroup:
		if p.env.Settings().Slave {
			return respond(req, requestcode.SystemError, slaveModifyRemark), nil
		}
		group, err := header.Required(req, "groupName")
		if err != nil {
			return nil, err
		}
		p.env.Log.WithFields(logrus.Fields{"group": group, "remote": c.RemoteAddr()}).Info("deleteSubscriptionGroup")
		if err := p.env.Groups.Delete(group); err != nil {
			return nil, err
		}
		if header.OptionalBool(req, "removeOffset") {
			p.env.Offsets.RemoveGroup(group)
		}
		return respond(req, requestcode.Success, ""), nil
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}
