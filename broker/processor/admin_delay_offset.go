package processor

import (
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// DelayOffsetAdmin answers GET_ALL_DELAY_OFFSET: the schedule service's
// progress as the compact delayOffset.json a slave stores unchanged (Java
// AdminBrokerProcessor.getAllDelayOffset). The broker hands in where the
// table comes from, because on a slave no schedule service runs.
type DelayOffsetAdmin struct {
	env     *Env
	offsets func() ([]byte, error)
}

// NewDelayOffsetAdmin returns the processor; offsets returns the encoded
// table.
func NewDelayOffsetAdmin(env *Env, offsets func() ([]byte, error)) *DelayOffsetAdmin {
	return &DelayOffsetAdmin{env: env, offsets: offsets}
}

// ProcessRequest answers the table, or SYSTEM_ERROR when there is none.
func (p *DelayOffsetAdmin) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if requestcode.RequestCode(req.Code) != requestcode.GetAllDelayOffset {
		return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
	}
	data, err := p.offsets()
	if err != nil {
		p.env.Log.WithField("remote", adminRemote(c)).WithError(err).Error("get all delay offset")
		return respond(req, requestcode.SystemError, "cannot read the delay offsets: "+err.Error()), nil
	}
	if len(data) == 0 {
		p.env.Log.WithFields(logrus.Fields{"remote": adminRemote(c)}).Error("no delay offset in this broker")
		return respond(req, requestcode.SystemError, "No delay offset in this broker"), nil
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = data
	return resp, nil
}
