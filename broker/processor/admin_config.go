package processor

import (
	"bytes"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// BrokerConfigUpdate answers UPDATE_BROKER_CONFIG (mqadmin
// updateBrokerConfig), as Java AdminBrokerProcessor.updateBrokerConfig:
// the body is java.util.Properties text; the broker applies the keys to
// its configuration and persists it. Which keys take effect at once is the
// broker's business (Apply); its remark, if any, is the answer's remark.
type BrokerConfigUpdate struct {
	env   *Env
	apply func(props map[string]string, remote string) (remark string, err error)
}

// NewBrokerConfigUpdate returns the processor; apply changes the broker's
// configuration.
func NewBrokerConfigUpdate(env *Env, apply func(props map[string]string, remote string) (string, error)) *BrokerConfigUpdate {
	return &BrokerConfigUpdate{env: env, apply: apply}
}

// ProcessRequest handles UPDATE_BROKER_CONFIG.
func (p *BrokerConfigUpdate) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if req.Code != int32(requestcode.UpdateBrokerConfig) {
		return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
	}
	if req.Body == nil {
		// Java answers a body-less update with SUCCESS and changes nothing.
		return respond(req, requestcode.Success, ""), nil
	}
	props, err := config.ParseProperties(bytes.NewReader(req.Body))
	if err != nil {
		p.env.Log.WithError(err).Warn("updateBrokerConfig: body is not properties text")
		return respond(req, requestcode.SystemError, "string2Properties error"), nil
	}
	p.env.Log.WithFields(logrus.Fields{"remote": adminRemote(c), "keys": len(props)}).Info("updateBrokerConfig")
	remark, err := p.apply(props, adminRemote(c))
	if err != nil {
		return nil, err
	}
	return respond(req, requestcode.Success, remark), nil
}
