package namesrv

import (
	"bytes"
	"github.com/rocketgo/rocketgo/store/configfile"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

func (s *Server) registerConfigHandlers() {
	s.handlers[requestcode.UpdateNamesrvConfig] = s.updateConfig
	s.handlers[requestcode.GetNamesrvConfig] = s.getConfig
}

// updateConfig applies a properties body. Like Java it refuses to move the
// KV and config files (NO_PERMISSION), ignores unknown keys, and persists
// the whole configuration to configStorePath. Only orderMessageEnable
// takes effect at run time; listener settings apply at the next start.
func (s *Server) updateConfig(ch Channel, req *codec.Command) (*codec.Command, error) {
	s.log.WithField("client", remoteOf(ch)).Info("updateConfig called")
	if req.Body == nil {
		return success(req), nil
	}
	props, err := ParseProperties(bytes.NewReader(req.Body))
	if err != nil {
		return codec.NewResponse(req, int32(requestcode.SystemError), "string2Properties error"), nil
	}
	if _, ok := props["kvConfigPath"]; ok {
		return codec.NewResponse(req, int32(requestcode.NoPermission), "Can not update config path"), nil
	}
	if _, ok := props["configStorePath"]; ok {
		return codec.NewResponse(req, int32(requestcode.NoPermission), "Can not update config path"), nil
	}
	s.cfgMu.Lock()
	next := s.cfg
	unknown, err := next.Apply(props)
	if err == nil {
		s.cfg = next
		s.orderEnabled.Store(next.OrderMessageEnable)
	}
	content := s.cfg.Properties()
	path := s.cfg.ConfigStorePath
	s.cfgMu.Unlock()
	if err != nil {
		// Java swallows per-field parse errors; we report them.
		return codec.NewResponse(req, int32(requestcode.SystemError), err.Error()), nil
	}
	if len(unknown) > 0 {
		s.log.WithField("keys", unknown).Warn("updateConfig: unknown keys ignored")
	}
	if path != "" {
		if werr := configfile.Write(path, []byte(content)); werr != nil {
			s.log.WithError(werr).WithFields(logrus.Fields{"path": path}).Error("persist namesrv config failed")
		}
	}
	return success(req), nil
}

func (s *Server) getConfig(_ Channel, req *codec.Command) (*codec.Command, error) {
	s.cfgMu.RLock()
	content := s.cfg.Properties()
	s.cfgMu.RUnlock()
	resp := success(req)
	resp.Body = []byte(content)
	return resp, nil
}
