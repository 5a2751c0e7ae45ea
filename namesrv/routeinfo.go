package namesrv

import (
	"sort"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
)

// Channel is the connection a broker registered over. *remoting.Conn
// implements it; tests may use their own.
type Channel interface {
	ID() uint64
	RemoteAddr() string
	Close() error
}

type brokerLive struct {
	lastUpdate   time.Time
	dataVersion  body.DataVersion
	ch           Channel // nil when registered without a connection (tests)
	haServerAddr string
}

// RouteInfo is the NameServer's route table (Java RouteInfoManager).
//
// All tables sit behind one RWMutex. Writers (registration, removal,
// admin) keep their critical sections short: bodies are decoded before the
// lock is taken and closing connections happens after it is released.
// Readers (the route lookup hot path) copy what they need under the read
// lock and encode outside it.
type RouteInfo struct {
	log    logrus.FieldLogger
	now    func() time.Time
	expiry time.Duration

	mu                sync.RWMutex
	topicQueueTable   map[string]map[string]body.QueueData // topic -> brokerName -> queues
	brokerAddrTable   map[string]*body.BrokerData          // brokerName -> group
	clusterAddrTable  map[string]map[string]struct{}       // cluster -> brokerNames
	brokerLiveTable   map[string]*brokerLive               // brokerAddr -> liveness
	filterServerTable map[string][]string                  // brokerAddr -> filter servers
}

// NewRouteInfo returns an empty table using the given clock and expiry.
func NewRouteInfo(log logrus.FieldLogger, now func() time.Time, expiry time.Duration) *RouteInfo {
	return &RouteInfo{
		log:               log,
		now:               now,
		expiry:            expiry,
		topicQueueTable:   map[string]map[string]body.QueueData{},
		brokerAddrTable:   map[string]*body.BrokerData{},
		clusterAddrTable:  map[string]map[string]struct{}{},
		brokerLiveTable:   map[string]*brokerLive{},
		filterServerTable: map[string][]string{},
	}
}

// Registration is one REGISTER_BROKER.
type Registration struct {
	ClusterName, BrokerAddr, BrokerName, HaServerAddr string
	BrokerID                                          int64
	Topics                                            *body.TopicConfigSerializeWrapper
	// FilterServers nil means "not sent" (legacy body): the stored list is
	// kept. Non-nil replaces it (empty removes it).
	FilterServers []string
	Channel       Channel
}

// RegisterBroker applies a registration and returns the master's HA and
// service addresses when the registrant is a slave whose master is alive,
// as Java computes them.
func (r *RouteInfo) RegisterBroker(reg *Registration) (haServerAddr, masterAddr string) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()

	names := r.clusterAddrTable[reg.ClusterName]
	if names == nil {
		names = map[string]struct{}{}
		r.clusterAddrTable[reg.ClusterName] = names
	}
	names[reg.BrokerName] = struct{}{}

	first := false
	bd := r.brokerAddrTable[reg.BrokerName]
	if bd == nil {
		first = true
		bd = &body.BrokerData{Cluster: reg.ClusterName, BrokerName: reg.BrokerName, BrokerAddrs: map[int64]string{}}
		r.brokerAddrTable[reg.BrokerName] = bd
	}
	// One address maps to one id: a slave promoted to master first loses
	// its old id.
	for id, addr := range bd.BrokerAddrs {
		if addr == reg.BrokerAddr && id != reg.BrokerID {
			delete(bd.BrokerAddrs, id)
		}
	}
	oldAddr, had := bd.BrokerAddrs[reg.BrokerID]
	bd.BrokerAddrs[reg.BrokerID] = reg.BrokerAddr
	if reg.BrokerID == body.MasterID && had && oldAddr != reg.BrokerAddr {
		r.log.WithFields(logrus.Fields{"broker": reg.BrokerName, "old": oldAddr, "new": reg.BrokerAddr}).Info("master address changed")
	}
	first = first || !had

	var dv body.DataVersion
	if reg.Topics != nil {
		dv = reg.Topics.DataVersion
		if reg.BrokerID == body.MasterID && (first || r.topicConfigChangedLocked(reg.BrokerAddr, dv)) {
			for _, name := range sortedTopicNames(reg.Topics) {
				r.updateQueueDataLocked(reg.BrokerName, reg.Topics.TopicConfigTable[name])
			}
		}
	}
	prev := r.brokerLiveTable[reg.BrokerAddr]
	r.brokerLiveTable[reg.BrokerAddr] = &brokerLive{lastUpdate: now, dataVersion: dv, ch: reg.Channel, haServerAddr: reg.HaServerAddr}
	if prev == nil {
		r.log.WithFields(logrus.Fields{"broker": reg.BrokerName, "addr": reg.BrokerAddr, "id": reg.BrokerID, "cluster": reg.ClusterName}).Info("new broker registered")
	}
	if reg.FilterServers != nil {
		if len(reg.FilterServers) == 0 {
			delete(r.filterServerTable, reg.BrokerAddr)
		} else {
			r.filterServerTable[reg.BrokerAddr] = append([]string(nil), reg.FilterServers...)
		}
	}
	if reg.BrokerID != body.MasterID {
		if master, ok := bd.BrokerAddrs[body.MasterID]; ok {
			if live := r.brokerLiveTable[master]; live != nil {
				return live.haServerAddr, master
			}
		}
	}
	return "", ""
}

func sortedTopicNames(w *body.TopicConfigSerializeWrapper) []string {
	names := make([]string, 0, len(w.TopicConfigTable))
	for n := range w.TopicConfigTable {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// updateQueueDataLocked creates or replaces a broker's QueueData of a
// topic. The topic is the config's own name (as Java), not the map key.
func (r *RouteInfo) updateQueueDataLocked(brokerName string, tc *body.TopicConfig) {
	qd := body.QueueData{
		BrokerName:     brokerName,
		ReadQueueNums:  tc.ReadQueueNums,
		WriteQueueNums: tc.WriteQueueNums,
		Perm:           tc.Perm,
		TopicSysFlag:   tc.TopicSysFlag,
	}
	m := r.topicQueueTable[tc.TopicName]
	if m == nil {
		m = map[string]body.QueueData{}
		r.topicQueueTable[tc.TopicName] = m
	}
	if old, ok := m[brokerName]; ok && old != qd {
		r.log.WithFields(logrus.Fields{"topic": tc.TopicName, "old": old, "new": qd}).Info("topic queue data changed")
	}
	m[brokerName] = qd
}

func (r *RouteInfo) topicConfigChangedLocked(addr string, dv body.DataVersion) bool {
	live := r.brokerLiveTable[addr]
	return live == nil || live.dataVersion != dv
}

// QueryDataVersion answers QUERY_DATA_VERSION: whether dv differs from
// the stored version (or none is stored), refreshing the broker's liveness
// when it does not; and the stored version. dv nil (no body) counts as
// changed.
func (r *RouteInfo) QueryDataVersion(addr string, dv *body.DataVersion) (changed bool, stored *body.DataVersion) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	live := r.brokerLiveTable[addr]
	if live == nil {
		return true, nil
	}
	changed = dv == nil || live.dataVersion != *dv
	if !changed {
		live.lastUpdate = now
	}
	v := live.dataVersion
	return changed, &v
}

// UnregisterBroker removes one broker (UNREGISTER_BROKER), with the
// cascade: an emptied broker group leaves its cluster and every topic.
func (r *RouteInfo) UnregisterBroker(clusterName, brokerAddr, brokerName string, brokerID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.brokerLiveTable, brokerAddr)
	delete(r.filterServerTable, brokerAddr)
	removeName := false
	if bd := r.brokerAddrTable[brokerName]; bd != nil {
		delete(bd.BrokerAddrs, brokerID)
		if len(bd.BrokerAddrs) == 0 {
			delete(r.brokerAddrTable, brokerName)
			removeName = true
		}
	}
	r.log.WithFields(logrus.Fields{"broker": brokerName, "addr": brokerAddr, "id": brokerID}).Info("broker unregistered")
	if removeName {
		if names := r.clusterAddrTable[clusterName]; names != nil {
			delete(names, brokerName)
			if len(names) == 0 {
				delete(r.clusterAddrTable, clusterName)
			}
		}
		r.removeTopicsOfBrokerLocked(brokerName)
	}
}

func (r *RouteInfo) removeTopicsOfBrokerLocked(brokerName string) {
	for topic, m := range r.topicQueueTable {
		delete(m, brokerName)
		if len(m) == 0 {
			delete(r.topicQueueTable, topic)
		}
	}
}

// PickupTopicRouteData returns the route of a topic, or nil when the topic
// has no queue data or none of its broker groups is registered.
func (r *RouteInfo) PickupTopicRouteData(topic string) *body.TopicRouteData {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m := r.topicQueueTable[topic]
	if m == nil {
		return nil
	}
	route := &body.TopicRouteData{
		QueueDatas:        make([]body.QueueData, 0, len(m)),
		BrokerDatas:       make([]body.BrokerData, 0, len(m)),
		FilterServerTable: map[string][]string{},
	}
	for _, qd := range m {
		route.QueueDatas = append(route.QueueDatas, qd)
		bd := r.brokerAddrTable[qd.BrokerName]
		if bd == nil {
			continue
		}
		clone := bd.Clone()
		route.BrokerDatas = append(route.BrokerDatas, clone)
		if len(r.filterServerTable) > 0 {
			for _, addr := range clone.BrokerAddrs {
				if fs, ok := r.filterServerTable[addr]; ok {
					route.FilterServerTable[addr] = append([]string(nil), fs...)
				}
			}
		}
	}
	if len(route.BrokerDatas) == 0 {
		return nil
	}
	sort.Slice(route.QueueDatas, func(i, j int) bool { return route.QueueDatas[i].BrokerName < route.QueueDatas[j].BrokerName })
	sort.Slice(route.BrokerDatas, func(i, j int) bool { return route.BrokerDatas[i].BrokerName < route.BrokerDatas[j].BrokerName })
	return route
}

// ClusterInfo returns a copy of the broker and cluster tables.
func (r *RouteInfo) ClusterInfo() *body.ClusterInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ci := &body.ClusterInfo{
		BrokerAddrTable:  make(map[string]*body.BrokerData, len(r.brokerAddrTable)),
		ClusterAddrTable: make(map[string][]string, len(r.clusterAddrTable)),
	}
	for name, bd := range r.brokerAddrTable {
		c := bd.Clone()
		ci.BrokerAddrTable[name] = &c
	}
	for cluster, names := range r.clusterAddrTable {
		ci.ClusterAddrTable[cluster] = sortedSet(names)
	}
	return ci
}

func sortedSet(s map[string]struct{}) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DeleteTopic drops a topic's route everywhere.
func (r *RouteInfo) DeleteTopic(topic string) {
	r.mu.Lock()
	delete(r.topicQueueTable, topic)
	r.mu.Unlock()
}

// DeleteTopicInCluster drops the queue data of a topic on the brokers of
// one cluster, and the topic when nothing is left.
func (r *RouteInfo) DeleteTopicInCluster(topic, cluster string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.topicQueueTable[topic]
	names := r.clusterAddrTable[cluster]
	if m == nil || len(names) == 0 {
		return
	}
	for name := range names {
		delete(m, name)
	}
	if len(m) == 0 {
		delete(r.topicQueueTable, topic)
	}
}

// AllTopics returns every topic name, sorted.
func (r *RouteInfo) AllTopics() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.topicQueueTable))
	for t := range r.topicQueueTable {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// TopicsByCluster returns the topics with queues on a broker of cluster
// (empty for an unknown cluster, as Java's swallowed NPE gives).
func (r *RouteInfo) TopicsByCluster(cluster string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []string{}
	for name := range r.clusterAddrTable[cluster] {
		for topic, m := range r.topicQueueTable {
			if _, ok := m[name]; ok {
				out = append(out, topic)
			}
		}
	}
	sort.Strings(out)
	return out
}

// SystemTopics returns the cluster names and broker names (Java treats
// them as system topics) and one broker address.
func (r *RouteInfo) SystemTopics() (topics []string, brokerAddr string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	seen := map[string]struct{}{}
	for cluster, names := range r.clusterAddrTable {
		seen[cluster] = struct{}{}
		for n := range names {
			seen[n] = struct{}{}
		}
	}
	topics = sortedSet(seen)
	for _, name := range sortedKeysOf(r.brokerAddrTable) {
		bd := r.brokerAddrTable[name]
		if len(bd.BrokerAddrs) == 0 {
			continue
		}
		lowest := int64(-1)
		for id := range bd.BrokerAddrs {
			if lowest < 0 || id < lowest {
				lowest = id
			}
		}
		brokerAddr = bd.BrokerAddrs[lowest]
		break
	}
	return topics, brokerAddr
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TopicsWithFlag returns the topics whose queue data (Java looks at one,
// any) satisfies pick.
func (r *RouteInfo) TopicsWithFlag(pick func(sysFlag int32) bool) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []string{}
	for topic, m := range r.topicQueueTable {
		for _, qd := range m {
			if pick(qd.TopicSysFlag) {
				out = append(out, topic)
			}
			break
		}
	}
	sort.Strings(out)
	return out
}

// WipeWritePerm clears PERM_WRITE on every queue data of brokerName and
// returns how many topics it touched.
func (r *RouteInfo) WipeWritePerm(brokerName string) int {
	return r.setPerm(brokerName, func(p int32) int32 { return p &^ body.PermWrite })
}

// AddWritePerm sets perm to READ|WRITE on every queue data of brokerName.
func (r *RouteInfo) AddWritePerm(brokerName string) int {
	return r.setPerm(brokerName, func(int32) int32 { return body.PermRead | body.PermWrite })
}

func (r *RouteInfo) setPerm(brokerName string, f func(int32) int32) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.topicQueueTable {
		if qd, ok := m[brokerName]; ok {
			qd.Perm = f(qd.Perm)
			m[brokerName] = qd
			n++
		}
	}
	return n
}

// ScanNotActiveBroker removes every broker not heard from within the
// expiry, closes its connection, and returns how many it removed.
func (r *RouteInfo) ScanNotActiveBroker() int {
	now := r.now()
	var expired []string
	var chans []Channel
	r.mu.Lock()
	for addr, live := range r.brokerLiveTable {
		if live.lastUpdate.Add(r.expiry).Before(now) {
			expired = append(expired, addr)
			if live.ch != nil {
				chans = append(chans, live.ch)
			}
		}
	}
	for _, addr := range expired {
		r.log.WithFields(logrus.Fields{"addr": addr, "expiry": r.expiry}).Warn("broker expired, removing it")
		r.removeBrokerAddrLocked(addr)
	}
	r.mu.Unlock()
	for _, ch := range chans {
		_ = ch.Close()
	}
	return len(expired)
}

// OnChannelDestroy handles a closed connection: the broker registered over
// it (or, failing that, the broker whose address equals the connection's
// remote address, as Java does) is removed with the full cascade.
func (r *RouteInfo) OnChannelDestroy(remoteAddr string, ch Channel) {
	r.mu.RLock()
	found := ""
	if ch != nil {
		for addr, live := range r.brokerLiveTable {
			if live.ch != nil && live.ch.ID() == ch.ID() {
				found = addr
				break
			}
		}
	}
	if found == "" {
		found = remoteAddr
	}
	known := false
	if found != "" {
		_, known = r.brokerLiveTable[found]
		for _, bd := range r.brokerAddrTable {
			for _, a := range bd.BrokerAddrs {
				if a == found {
					known = true
				}
			}
		}
	}
	r.mu.RUnlock()
	if !known {
		return // an ordinary client connection: nothing to do
	}
	r.mu.Lock()
	// Still registered over this very channel? A broker that reconnected
	// meanwhile keeps its new registration.
	if live := r.brokerLiveTable[found]; live == nil || ch == nil || live.ch == nil || live.ch.ID() == ch.ID() {
		r.log.WithFields(logrus.Fields{"addr": found}).Info("broker connection closed, removing it")
		r.removeBrokerAddrLocked(found)
	}
	r.mu.Unlock()
}

// removeBrokerAddrLocked is Java's onChannelDestroy cascade for one
// address: liveness and filter servers go; the address leaves its broker
// group; an emptied group leaves the broker table, its cluster (an emptied
// cluster goes too) and every topic (an emptied topic goes too). While a
// group has other addresses its queue data stays.
func (r *RouteInfo) removeBrokerAddrLocked(addr string) {
	delete(r.brokerLiveTable, addr)
	delete(r.filterServerTable, addr)
	nameFound := ""
	removeName := false
	for _, name := range sortedKeysOf(r.brokerAddrTable) {
		bd := r.brokerAddrTable[name]
		for id, a := range bd.BrokerAddrs {
			if a == addr {
				nameFound = name
				delete(bd.BrokerAddrs, id)
				break
			}
		}
		if nameFound != "" {
			if len(bd.BrokerAddrs) == 0 {
				removeName = true
				delete(r.brokerAddrTable, name)
			}
			break
		}
	}
	if nameFound == "" || !removeName {
		return
	}
	for cluster, names := range r.clusterAddrTable {
		if _, ok := names[nameFound]; ok {
			delete(names, nameFound)
			if len(names) == 0 {
				delete(r.clusterAddrTable, cluster)
			}
			break
		}
	}
	r.removeTopicsOfBrokerLocked(nameFound)
}

// liveBrokers returns the number of registered broker addresses (tests,
// logs).
func (r *RouteInfo) liveBrokers() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.brokerLiveTable)
}
