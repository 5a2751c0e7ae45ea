package admin

import (
	"context"
	"fmt"
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

// ClusterInfo asks a NameServer for the brokers of every cluster
// (GET_BROKER_CLUSTER_INFO, Java examineBrokerClusterInfo).
func (a *Admin) ClusterInfo(ctx context.Context) (*body.ClusterInfo, error) {
	resp, addr, err := a.callNamesrv(ctx, newRequest(requestcode.GetBrokerClusterInfo))
	if err != nil {
		return nil, err
	}
	ci, err := body.DecodeClusterInfo(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("cluster info from namesrv %s: %w", addr, err)
	}
	return ci, nil
}

// TopicRoute asks a NameServer for a topic's route (GET_ROUTEINFO_BY_TOPIC).
// An unknown topic is a RemoteError with code TOPIC_NOT_EXIST.
func (a *Admin) TopicRoute(ctx context.Context, topic string) (*body.TopicRouteData, error) {
	resp, addr, err := a.callNamesrv(ctx, newRequest(requestcode.GetRouteinfoByTopic, "topic", topic))
	if err != nil {
		return nil, err
	}
	r, err := body.DecodeTopicRouteData(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("route of %s from namesrv %s: %w", topic, addr, err)
	}
	return r, nil
}

// TopicList asks a NameServer for every topic it knows
// (GET_ALL_TOPIC_LIST_FROM_NAMESERVER).
func (a *Admin) TopicList(ctx context.Context) ([]string, error) {
	resp, addr, err := a.callNamesrv(ctx, newRequest(requestcode.GetAllTopicListFromNameserver))
	if err != nil {
		return nil, err
	}
	tl, err := body.DecodeTopicList(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("topic list from namesrv %s: %w", addr, err)
	}
	return tl.TopicList, nil
}

// PutKVConfig stores a KV entry on every NameServer (PUT_KV_CONFIG); like
// Java it tries all of them and reports the last refusal.
func (a *Admin) PutKVConfig(ctx context.Context, namespace, key, value string) error {
	return a.everyNamesrv(ctx, func(addr string) error {
		_, err := a.call(ctx, RoleNamesrv, addr, newRequest(requestcode.PutKvConfig, "namespace", namespace, "key", key, "value", value))
		return err
	})
}

// DeleteKVConfig removes a KV entry on every NameServer (DELETE_KV_CONFIG).
func (a *Admin) DeleteKVConfig(ctx context.Context, namespace, key string) error {
	return a.everyNamesrv(ctx, func(addr string) error {
		_, err := a.call(ctx, RoleNamesrv, addr, newRequest(requestcode.DeleteKvConfig, "namespace", namespace, "key", key))
		return err
	})
}

// GetKVConfig reads a KV entry from a NameServer (GET_KV_CONFIG); found is
// false when the NameServer answers QUERY_NOT_FOUND.
func (a *Admin) GetKVConfig(ctx context.Context, namespace, key string) (value string, found bool, err error) {
	resp, _, err := a.callNamesrv(ctx, newRequest(requestcode.GetKvConfig, "namespace", namespace, "key", key))
	if code, ok := ResponseCode(err); ok && code == requestcode.QueryNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return resp.Value("value"), true, nil
}

func (a *Admin) everyNamesrv(ctx context.Context, f func(addr string) error) error {
	if len(a.cfg.NamesrvAddrs) == 0 {
		return ErrNoNamesrv
	}
	var last error
	for _, addr := range a.cfg.NamesrvAddrs {
		if err := f(addr); err != nil {
			last = err
		}
	}
	return last
}

// WipeWritePerm removes write permission from a broker's queues in one
// NameServer (WIPE_WRITE_PERM_OF_BROKER) and returns how many topics it
// changed.
func (a *Admin) WipeWritePerm(ctx context.Context, namesrvAddr, brokerName string) (int, error) {
	resp, err := a.call(ctx, RoleNamesrv, namesrvAddr, newRequest(requestcode.WipeWritePermOfBroker, "brokerName", brokerName))
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(resp.Value("wipeTopicCount"))
	if err != nil {
		return 0, fmt.Errorf("namesrv %s: wipeTopicCount %q: %w", namesrvAddr, resp.Value("wipeTopicCount"), err)
	}
	return n, nil
}

// NamesrvConfig reads one NameServer's settings (GET_NAMESRV_CONFIG).
func (a *Admin) NamesrvConfig(ctx context.Context, namesrvAddr string) (*Properties, error) {
	resp, err := a.call(ctx, RoleNamesrv, namesrvAddr, newRequest(requestcode.GetNamesrvConfig))
	if err != nil {
		return nil, err
	}
	return ParseProperties(string(resp.Body)), nil
}

// DeleteTopicInNamesrv drops a topic's route from one NameServer
// (DELETE_TOPIC_IN_NAMESRV), for one cluster when cluster is set.
func (a *Admin) DeleteTopicInNamesrv(ctx context.Context, namesrvAddr, topic, cluster string) error {
	req := newRequest(requestcode.DeleteTopicInNamesrv, "topic", topic)
	if cluster != "" {
		req.Set("clusterName", cluster)
	}
	_, err := a.call(ctx, RoleNamesrv, namesrvAddr, req)
	return err
}

// MasterAddrs returns the master address of every broker group of a
// cluster, sorted (Java CommandUtil.fetchMasterAddrByClusterName). An
// unknown cluster is an error naming it.
func MasterAddrs(ci *body.ClusterInfo, cluster string) ([]string, error) {
	names, ok := ci.ClusterAddrTable[cluster]
	if !ok {
		return nil, fmt.Errorf("cluster %q not found: make sure the cluster name exists and the NameServer is the right one", cluster)
	}
	var out []string
	for _, n := range sortedCopy(names) {
		if bd := ci.BrokerAddrTable[n]; bd != nil {
			if addr := bd.BrokerAddrs[body.MasterID]; addr != "" {
				out = append(out, addr)
			}
		}
	}
	return out, nil
}

// MasterAndSlaves maps each master of a cluster to its slaves (Java
// CommandUtil.fetchMasterAndSlaveDistinguish), masters sorted.
func MasterAndSlaves(ci *body.ClusterInfo, cluster string) ([]BrokerGroup, error) {
	names, ok := ci.ClusterAddrTable[cluster]
	if !ok {
		return nil, fmt.Errorf("cluster %q not found: make sure the cluster name exists and the NameServer is the right one", cluster)
	}
	var out []BrokerGroup
	for _, n := range sortedCopy(names) {
		bd := ci.BrokerAddrTable[n]
		if bd == nil {
			continue
		}
		g := BrokerGroup{BrokerName: n, Master: bd.BrokerAddrs[body.MasterID]}
		for _, id := range sortedIDs(bd.BrokerAddrs) {
			if id != body.MasterID {
				g.Slaves = append(g.Slaves, bd.BrokerAddrs[id])
			}
		}
		out = append(out, g)
	}
	return out, nil
}

// AllAddrs returns every broker address (masters and slaves) of a cluster
// (Java fetchMasterAndSlaveAddrByClusterName), grouped by broker name.
func AllAddrs(ci *body.ClusterInfo, cluster string) ([]string, error) {
	groups, err := MasterAndSlaves(ci, cluster)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range groups {
		if g.Master != "" {
			out = append(out, g.Master)
		}
		out = append(out, g.Slaves...)
	}
	return out, nil
}

// BrokerNameOf returns the broker name that has addr among its addresses
// (Java CommandUtil.fetchBrokerNameByAddr).
func BrokerNameOf(ci *body.ClusterInfo, addr string) (string, bool) {
	for name, bd := range ci.BrokerAddrTable {
		for _, a := range bd.BrokerAddrs {
			if a == addr {
				return name, true
			}
		}
	}
	return "", false
}

// BrokerGroup is one broker name's master and slaves.
type BrokerGroup struct {
	BrokerName string
	Master     string
	Slaves     []string
}

// SelectBrokerAddr picks the address of a broker group the Java client
// would talk to (BrokerData.selectBrokerAddr): the master, or any slave
// when there is no master. Slaves are taken in id order here, so the
// choice is stable.
func SelectBrokerAddr(bd *body.BrokerData) string {
	if addr := bd.BrokerAddrs[body.MasterID]; addr != "" {
		return addr
	}
	for _, id := range sortedIDs(bd.BrokerAddrs) {
		if addr := bd.BrokerAddrs[id]; addr != "" {
			return addr
		}
	}
	return ""
}
