package namesrv

import (
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

func (s *Server) registerKVHandlers() {
	s.handlers[requestcode.PutKvConfig] = s.putKVConfig
	s.handlers[requestcode.GetKvConfig] = s.getKVConfig
	s.handlers[requestcode.DeleteKvConfig] = s.deleteKVConfig
	s.handlers[requestcode.GetKvlistByNamespace] = s.getKVList
}

func nsAndKey(req *codec.Command) (ns, key string, err error) {
	if ns, err = header.Required(req, "namespace"); err != nil {
		return
	}
	key, err = header.Required(req, "key")
	return
}

func (s *Server) putKVConfig(_ Channel, req *codec.Command) (*codec.Command, error) {
	ns, key, err := nsAndKey(req)
	if err != nil {
		return nil, err
	}
	value, err := header.Required(req, "value")
	if err != nil {
		return nil, err
	}
	// Java logs a failed persist and still answers SUCCESS (the value is in
	// memory); so do we.
	_ = s.kv.Put(ns, key, value)
	return success(req), nil
}

func (s *Server) getKVConfig(_ Channel, req *codec.Command) (*codec.Command, error) {
	ns, key, err := nsAndKey(req)
	if err != nil {
		return nil, err
	}
	if v, ok := s.kv.Get(ns, key); ok {
		resp := successWithHeader(req)
		resp.Set("value", v)
		return resp, nil
	}
	resp := codec.NewResponse(req, int32(requestcode.QueryNotFound), "No config item, Namespace: "+ns+" Key: "+key)
	resp.SetEmptyExt()
	return resp, nil
}

func (s *Server) deleteKVConfig(_ Channel, req *codec.Command) (*codec.Command, error) {
	ns, key, err := nsAndKey(req)
	if err != nil {
		return nil, err
	}
	_ = s.kv.Delete(ns, key)
	return success(req), nil
}

func (s *Server) getKVList(_ Channel, req *codec.Command) (*codec.Command, error) {
	ns, err := header.Required(req, "namespace")
	if err != nil {
		return nil, err
	}
	if m := s.kv.Namespace(ns); m != nil {
		resp := success(req)
		resp.Body = (&body.KVTable{Table: m}).Encode()
		return resp, nil
	}
	return codec.NewResponse(req, int32(requestcode.QueryNotFound), "No config item, Namespace: "+ns), nil
}
