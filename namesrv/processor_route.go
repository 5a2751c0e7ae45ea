package namesrv

import (
	"github.com/rocketgo/rocketgo/protocol/header"
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// versionV4_9_4 is MQVersion V4_9_4: route requests at or above it get
// standard JSON (quoted integer map keys).
const versionV4_9_4 = 401

// faqApplyTopic is FAQUrl.suggestTodo(APPLY_TOPIC_URL) as 4.9.7 writes it.
const faqApplyTopic = "\nSee http://rocketmq.apache.org/docs/faq/ for further details."

func (s *Server) registerRouteHandlers() {
	s.handlers[requestcode.GetRouteinfoByTopic] = s.getRouteInfoByTopic
	s.handlers[requestcode.GetBrokerClusterInfo] = s.getBrokerClusterInfo
	s.handlers[requestcode.WipeWritePermOfBroker] = s.wipeWritePerm
	s.handlers[requestcode.AddWritePermOfBroker] = s.addWritePerm
	s.handlers[requestcode.GetAllTopicListFromNameserver] = s.topicList(func() []string { return s.routes.AllTopics() })
	s.handlers[requestcode.DeleteTopicInNamesrv] = s.deleteTopic
	s.handlers[requestcode.GetTopicsByCluster] = s.getTopicsByCluster
	s.handlers[requestcode.GetSystemTopicListFromNs] = s.getSystemTopicList
	s.handlers[requestcode.GetUnitTopicList] = s.topicList(func() []string {
		return s.routes.TopicsWithFlag(func(f int32) bool { return f&body.FlagUnit != 0 })
	})
	s.handlers[requestcode.GetHasUnitSubTopicList] = s.topicList(func() []string {
		return s.routes.TopicsWithFlag(func(f int32) bool { return f&body.FlagUnitSub != 0 })
	})
	s.handlers[requestcode.GetHasUnitSubUnunitTopicList] = s.topicList(func() []string {
		return s.routes.TopicsWithFlag(func(f int32) bool { return f&body.FlagUnit == 0 && f&body.FlagUnitSub != 0 })
	})
}

func (s *Server) getRouteInfoByTopic(_ Channel, req *codec.Command) (*codec.Command, error) {
	topic, err := header.Required(req, "topic")
	if err != nil {
		return nil, err
	}
	route := s.routes.PickupTopicRouteData(topic)
	if route == nil {
		return codec.NewResponse(req, int32(requestcode.TopicNotExist),
			"No topic route info in name server for the topic: "+topic+faqApplyTopic), nil
	}
	if s.orderEnabled.Load() {
		route.OrderTopicConf, _ = s.kv.Get(NamespaceOrderTopicConfig, topic)
	}
	mode := body.Fastjson
	if req.Version >= versionV4_9_4 || header.OptionalBool(req, "acceptStandardJsonOnly") {
		mode = body.Standard
	}
	resp := success(req)
	resp.Body = route.AppendJSON(make([]byte, 0, 256), mode)
	return resp, nil
}

func (s *Server) getBrokerClusterInfo(_ Channel, req *codec.Command) (*codec.Command, error) {
	resp := success(req)
	resp.Body = s.routes.ClusterInfo().Encode()
	return resp, nil
}

func (s *Server) wipeWritePerm(ch Channel, req *codec.Command) (*codec.Command, error) {
	name, err := header.Required(req, "brokerName")
	if err != nil {
		return nil, err
	}
	n := s.routes.WipeWritePerm(name)
	s.log.WithFields(logrus.Fields{"broker": name, "topics": n, "client": remoteOf(ch)}).Info("wipe write perm of broker")
	resp := successWithHeader(req)
	resp.Set("wipeTopicCount", strconv.Itoa(n))
	return resp, nil
}

func (s *Server) addWritePerm(ch Channel, req *codec.Command) (*codec.Command, error) {
	name, err := header.Required(req, "brokerName")
	if err != nil {
		return nil, err
	}
	n := s.routes.AddWritePerm(name)
	s.log.WithFields(logrus.Fields{"broker": name, "topics": n, "client": remoteOf(ch)}).Info("add write perm of broker")
	resp := successWithHeader(req)
	resp.Set("addTopicCount", strconv.Itoa(n))
	return resp, nil
}

func remoteOf(ch Channel) string {
	if ch == nil {
		return ""
	}
	return ch.RemoteAddr()
}

func (s *Server) topicList(list func() []string) handler {
	return func(_ Channel, req *codec.Command) (*codec.Command, error) {
		resp := success(req)
		resp.Body = (&body.TopicList{TopicList: list()}).Encode()
		return resp, nil
	}
}

func (s *Server) deleteTopic(_ Channel, req *codec.Command) (*codec.Command, error) {
	topic, err := header.Required(req, "topic")
	if err != nil {
		return nil, err
	}
	if cluster := req.Value("clusterName"); cluster != "" {
		s.routes.DeleteTopicInCluster(topic, cluster)
	} else {
		s.routes.DeleteTopic(topic)
	}
	return success(req), nil
}

func (s *Server) getTopicsByCluster(_ Channel, req *codec.Command) (*codec.Command, error) {
	cluster, err := header.Required(req, "cluster")
	if err != nil {
		return nil, err
	}
	resp := success(req)
	resp.Body = (&body.TopicList{TopicList: s.routes.TopicsByCluster(cluster)}).Encode()
	return resp, nil
}

func (s *Server) getSystemTopicList(_ Channel, req *codec.Command) (*codec.Command, error) {
	topics, addr := s.routes.SystemTopics()
	resp := success(req)
	resp.Body = (&body.TopicList{TopicList: topics, BrokerAddr: addr}).Encode()
	return resp, nil
}
