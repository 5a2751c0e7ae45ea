package namesrv

import (
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

func success(req *codec.Command) *codec.Command {
	return codec.NewResponse(req, int32(requestcode.Success), "")
}

// successWithHeader is a SUCCESS whose response header class exists in
// Java: extFields is written even when empty.
func successWithHeader(req *codec.Command) *codec.Command {
	resp := success(req)
	resp.SetEmptyExt()
	return resp
}
