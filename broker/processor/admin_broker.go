package processor

import (
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// BrokerInfo answers GET_BROKER_RUNTIME_INFO (a KVTable of statistics, Java
// prepareRuntimeInfo) and GET_BROKER_CONFIG (every setting as properties
// text, Java getAllConfigsFormatString, with the configuration's
// DataVersion in the "version" header).
type BrokerInfo struct {
	env     *Env
	runtime func() map[string]string
	config  func() (text []byte, version []byte)
}

// NewBrokerInfo returns the processor; the broker supplies the two
// snapshots.
func NewBrokerInfo(env *Env, runtime func() map[string]string, config func() ([]byte, []byte)) *BrokerInfo {
	return &BrokerInfo{env: env, runtime: runtime, config: config}
}

// ProcessRequest dispatches on the request code.
func (p *BrokerInfo) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetBrokerRuntimeInfo:
		resp := respond(req, requestcode.Success, "")
		resp.Body = (&body.KVTable{Table: p.runtime()}).Encode()
		return resp, nil
	case requestcode.GetBrokerConfig:
		text, version := p.config()
		resp := respond(req, requestcode.Success, "")
		resp.Set("version", string(version))
		resp.Body = text
		return resp, nil
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}
