package namesrv

import (
	"fmt"
	"github.com/rocketgo/rocketgo/protocol/header"
	"hash/crc32"
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// versionV3_0_11 is MQVersion V3_0_11: brokers at or above it send a
// RegisterBrokerBody, older ones a bare TopicConfigSerializeWrapper.
const versionV3_0_11 = 37

func (s *Server) registerBrokerHandlers() {
	s.handlers[requestcode.RegisterBroker] = s.registerBroker
	s.handlers[requestcode.UnregisterBroker] = s.unregisterBroker
	s.handlers[requestcode.QueryDataVersion] = s.queryDataVersion
}

// bodyCRC is Java UtilAll.crc32: CRC-32 (IEEE) masked to 31 bits.
func bodyCRC(b []byte) int32 { return int32(crc32.ChecksumIEEE(b) & 0x7FFFFFFF) }

func (s *Server) registerBroker(ch Channel, req *codec.Command) (*codec.Command, error) {
	reg := &Registration{Channel: ch}
	var err error
	if reg.BrokerName, err = header.Required(req, "brokerName"); err != nil {
		return nil, err
	}
	if reg.BrokerAddr, err = header.Required(req, "brokerAddr"); err != nil {
		return nil, err
	}
	if reg.ClusterName, err = header.Required(req, "clusterName"); err != nil {
		return nil, err
	}
	if reg.HaServerAddr, err = header.Required(req, "haServerAddr"); err != nil {
		return nil, err
	}
	if reg.BrokerID, err = header.RequiredInt64(req, "brokerId"); err != nil {
		return nil, err
	}
	compressed := header.OptionalBool(req, "compressed")
	if v, ok := req.Get("bodyCrc32"); ok {
		// Java: an unparsable value is logged and the field keeps its
		// default 0, which skips the check.
		if want, perr := strconv.ParseInt(v, 10, 32); perr == nil && want != 0 {
			if bodyCRC(req.Body) != int32(want) {
				s.log.WithField("broker", reg.BrokerAddr).Warn("register broker: crc32 not match")
				return codec.NewResponse(req, int32(requestcode.SystemError), "crc32 not match"), nil
			}
		}
	}

	if req.Version >= versionV3_0_11 {
		rb := &body.RegisterBrokerBody{FilterServerList: []string{}}
		if req.Body != nil {
			if rb, err = body.DecodeRegisterBrokerBody(req.Body, compressed); err != nil {
				return nil, fmt.Errorf("org.apache.rocketmq.remoting.exception.RemotingCommandException: Failed to decode RegisterBrokerBody: %v", err)
			}
			if rb.FilterServerList == nil {
				rb.FilterServerList = []string{}
			}
		}
		reg.Topics = &rb.TopicConfigSerializeWrapper
		reg.FilterServers = rb.FilterServerList
	} else {
		w := &body.TopicConfigSerializeWrapper{}
		if req.Body != nil {
			if w, err = body.DecodeTopicConfigSerializeWrapper(req.Body); err != nil {
				return nil, fmt.Errorf("org.apache.rocketmq.remoting.exception.RemotingCommandException: Failed to decode TopicConfigSerializeWrapper: %v", err)
			}
		}
		reg.Topics = w
	}

	ha, master := s.routes.RegisterBroker(reg)
	resp := successWithHeader(req)
	if ha != "" {
		resp.Set("haServerAddr", ha)
	}
	if master != "" {
		resp.Set("masterAddr", master)
	}
	if ns := s.kv.Namespace(NamespaceOrderTopicConfig); ns != nil {
		resp.Body = (&body.KVTable{Table: ns}).Encode()
	}
	return resp, nil
}

func (s *Server) unregisterBroker(_ Channel, req *codec.Command) (*codec.Command, error) {
	name, err := header.Required(req, "brokerName")
	if err != nil {
		return nil, err
	}
	addr, err := header.Required(req, "brokerAddr")
	if err != nil {
		return nil, err
	}
	cluster, err := header.Required(req, "clusterName")
	if err != nil {
		return nil, err
	}
	id, err := header.RequiredInt64(req, "brokerId")
	if err != nil {
		return nil, err
	}
	s.routes.UnregisterBroker(cluster, addr, name, id)
	return success(req), nil
}

func (s *Server) queryDataVersion(_ Channel, req *codec.Command) (*codec.Command, error) {
	for _, f := range []string{"brokerName", "brokerAddr", "clusterName"} {
		if _, err := header.Required(req, f); err != nil {
			return nil, err
		}
	}
	if _, err := header.RequiredInt64(req, "brokerId"); err != nil {
		return nil, err
	}
	var dv *body.DataVersion
	if len(req.Body) > 0 {
		v, err := body.DecodeDataVersion(req.Body)
		if err != nil {
			return nil, err
		}
		dv = &v
	}
	changed, stored := s.routes.QueryDataVersion(req.Value("brokerAddr"), dv)
	resp := successWithHeader(req)
	resp.Set("changed", strconv.FormatBool(changed))
	if stored != nil {
		resp.Body = stored.Encode()
	}
	return resp, nil
}
