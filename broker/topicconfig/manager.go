package topicconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store/configfile"
	"github.com/sirupsen/logrus"
)

// Config configures a Manager. The zero value is not Java's defaults (the
// booleans default to true there): start from DefaultConfig.
type Config struct {
	// StorePathRootDir is the store root; the table is kept in
	// <root>/config/topics.json (BrokerPathConfigHelper.getTopicConfigPath).
	StorePathRootDir string
	// Path, when set, is the file itself and overrides StorePathRootDir.
	Path string

	BrokerClusterName     string // default "DefaultCluster"
	BrokerName            string // default: the host name, as Java
	AutoCreateTopicEnable bool   // creates TBW102 and lets sends auto-create topics
	DefaultTopicQueueNums int    // TBW102's queues; default 8
	ClusterTopicEnable    bool   // the cluster-name topic is readable and writable
	BrokerTopicEnable     bool   // the broker-name topic is readable and writable
	TraceTopicEnable      bool   // creates MsgTraceTopicName
	MsgTraceTopicName     string // default "RMQ_SYS_TRACE_TOPIC"

	Logger logrus.FieldLogger // default logrus.StandardLogger()
	Now    func() time.Time   // default time.Now; stamps the DataVersion
	// OnChange, if set, is called (outside the manager's locks) after the
	// changes Java follows with an immediate registerBrokerAll: a topic
	// auto-created by a send, a retry/DLQ topic created by
	// CreateTopicInSendMessageBack, TRANS_CHECK_MAX_TIME_TOPIC, and unit
	// flag updates. Update and Delete do not call it; the admin processor
	// registers those itself, as Java's does.
	OnChange func()
}

// DefaultConfig returns Java 4.9.7's BrokerConfig defaults.
func DefaultConfig() Config {
	return Config{
		BrokerClusterName:     "DefaultCluster",
		BrokerName:            defaultBrokerName(),
		AutoCreateTopicEnable: true,
		DefaultTopicQueueNums: 8,
		ClusterTopicEnable:    true,
		BrokerTopicEnable:     true,
		MsgTraceTopicName:     TraceTopic,
	}
}

// defaultBrokerName is BrokerConfig.localHostName.
func defaultBrokerName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "DEFAULT_BROKER"
}

// Manager is the broker's topic table (Java TopicConfigManager): the system
// topics created at start, the topics from topics.json merged over them,
// and every topic created or changed since, persisted to topics.json after
// each change. It is safe for concurrent use and starts no goroutines.
//
// The table is written in the order Java's ConcurrentHashMap(1024) would
// list it, so a topics.json loaded and persisted again is byte-identical to
// what the Java broker writes.
type Manager struct {
	cfg  Config
	log  logrus.FieldLogger
	now  func() time.Time
	file *configfile.File
	// system holds the names the constructor registers as system topics
	// beyond TopicValidator's fixed set (Java's addSystemTopic).
	system map[string]struct{}

	// persistMu orders change+write pairs so the file never goes back in
	// time; mu guards the table.
	persistMu sync.Mutex
	mu        sync.RWMutex
	table     map[string]body.TopicConfig
	order     *body.MapOrder[string]
	version   body.DataVersion
}

// New builds the system topics (STORE.md §16) and merges topics.json, or
// its .bak, over them.
func New(cfg Config) (*Manager, error) {
	m, err := newManager(cfg)
	if err != nil {
		return nil, err
	}
	if err := m.Load(); err != nil {
		return nil, err
	}
	return m, nil
}

func newManager(cfg Config) (*Manager, error) {
	if cfg.Path == "" {
		if cfg.StorePathRootDir == "" {
			return nil, errors.New("topicconfig: neither Path nor StorePathRootDir is set")
		}
		cfg.Path = filepath.Join(cfg.StorePathRootDir, "config", "topics.json")
	}
	if cfg.BrokerClusterName == "" {
		cfg.BrokerClusterName = "DefaultCluster"
	}
	if cfg.BrokerName == "" {
		cfg.BrokerName = defaultBrokerName()
	}
	if cfg.DefaultTopicQueueNums <= 0 {
		cfg.DefaultTopicQueueNums = 8
	}
	if cfg.MsgTraceTopicName == "" {
		cfg.MsgTraceTopicName = TraceTopic
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Manager{
		cfg:    cfg,
		log:    cfg.Logger.WithField("component", "topicconfig"),
		now:    cfg.Now,
		file:   configfile.New(cfg.Path, cfg.Logger),
		system: map[string]struct{}{},
		table:  make(map[string]body.TopicConfig, 64),
		order:  body.NewStringMapOrder(1024),
	}
	m.version = body.DataVersion{Timestamp: m.nowMillis()}
	m.createSystemTopics()
	return m, nil
}

// createSystemTopics mirrors the TopicConfigManager constructor, in its
// order (which decides the order of colliding names in the table).
func (m *Manager) createSystemTopics() {
	c := &m.cfg
	add := func(name string, queues int32, perm int32) {
		tc := body.NewTopicConfig(name)
		tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm = queues, queues, perm
		m.system[name] = struct{}{}
		m.put(tc)
	}
	rw := body.PermRead | body.PermWrite
	add(SelfTestTopic, 1, rw)
	if c.AutoCreateTopicEnable {
		n := int32(c.DefaultTopicQueueNums)
		add(AutoCreateTopicKeyTopic, n, body.PermInherit|rw)
	}
	add(BenchmarkTopic, 1024, rw)
	perm := body.PermInherit
	if c.ClusterTopicEnable {
		perm |= rw
	}
	add(c.BrokerClusterName, 16, perm)
	perm = body.PermInherit
	if c.BrokerTopicEnable {
		perm |= rw
	}
	add(c.BrokerName, 1, perm)
	add(OffsetMovedEventTopic, 1, rw)
	add(ScheduleTopic, ScheduleTopicQueueNums, rw)
	if c.TraceTopicEnable {
		add(c.MsgTraceTopicName, 1, rw)
	}
	add(c.BrokerClusterName+"_"+ReplyTopicPostfix, 1, rw)
}

// put stores tc; the caller holds mu (or owns m exclusively).
func (m *Manager) put(tc body.TopicConfig) {
	m.table[tc.TopicName] = tc
	m.order.Add(tc.TopicName)
}

func (m *Manager) nowMillis() int64 { return m.now().UnixMilli() }

// nextVersion is DataVersion.nextVersion; the caller holds mu.
func (m *Manager) nextVersion() {
	m.version.Timestamp = m.nowMillis()
	m.version.Counter++
}

// Path is the topics.json path.
func (m *Manager) Path() string { return m.cfg.Path }

// Load merges topics.json (or topics.json.bak when the file is missing,
// empty or corrupt) over the table and takes the file's DataVersion, as
// TopicConfigManager.decode does. A missing file leaves the table as is.
func (m *Manager) Load() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	from, err := m.file.LoadWith(func(data []byte) error {
		w, err := body.DecodeTopicConfigSerializeWrapper(data)
		if err != nil {
			return err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		// fastjson fills a no-argument ConcurrentHashMap in text order and
		// putAll walks that map.
		src := body.NewStringMapOrder(0)
		for _, name := range w.TopicOrder {
			src.Add(name)
		}
		keys := src.Keys()
		m.order.AddAll(keys)
		for _, name := range keys {
			m.table[name] = *w.TopicConfigTable[name]
		}
		if w.DataVersion == (body.DataVersion{}) {
			// no dataVersion in the file: fastjson's default one
			m.version = body.DataVersion{Timestamp: m.nowMillis()}
		} else {
			m.version = w.DataVersion
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load topics.json: %w", err)
	}
	if from != "" {
		m.mu.RLock()
		n := len(m.table)
		m.mu.RUnlock()
		m.log.WithFields(logrus.Fields{"file": from, "topics": n}).Info("topic config loaded")
	}
	return nil
}

// Persist writes topics.json.
func (m *Manager) Persist() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.RLock()
	data := m.encodeLocked(true)
	m.mu.RUnlock()
	return m.write(data)
}

// write stores data; the caller holds persistMu.
func (m *Manager) write(data []byte) error {
	if err := m.file.Write(data); err != nil {
		return fmt.Errorf("persist topics.json: %w", err)
	}
	return nil
}

// changed finishes a change made under persistMu and mu (both held, mu
// for writing): it encodes the table, releases mu, writes the file and
// releases persistMu. A write error is logged (Java logs and goes on) and
// returned.
func (m *Manager) changed() error {
	data := m.encodeLocked(true)
	m.mu.Unlock()
	err := m.write(data)
	m.persistMu.Unlock()
	if err != nil {
		m.log.WithError(err).Error("persist topic config")
	}
	return err
}

func (m *Manager) notify() {
	if m.cfg.OnChange != nil {
		m.cfg.OnChange()
	}
}

func (m *Manager) lockForChange() {
	m.persistMu.Lock()
	m.mu.Lock()
}

func (m *Manager) unlockNoChange() {
	m.mu.Unlock()
	m.persistMu.Unlock()
}

// Get returns a topic's config (TopicConfigManager.selectTopicConfig).
func (m *Manager) Get(topic string) (body.TopicConfig, bool) {
	m.mu.RLock()
	tc, ok := m.table[topic]
	m.mu.RUnlock()
	return tc, ok
}

// Update creates or replaces a topic, bumps the DataVersion and persists
// (TopicConfigManager.updateTopicConfig). A replaced topic keeps its place
// in the table's order.
func (m *Manager) Update(tc body.TopicConfig) error {
	m.lockForChange()
	old, existed := m.table[tc.TopicName]
	m.put(tc)
	m.nextVersion()
	if existed {
		m.log.WithFields(logrus.Fields{"old": String(&old), "new": String(&tc)}).Info("update topic config")
	} else {
		m.log.WithField("topic", String(&tc)).Info("create new topic")
	}
	return m.changed()
}

// Delete removes a topic, bumps the DataVersion and persists
// (TopicConfigManager.deleteTopicConfig). Deleting an unknown topic only
// logs.
func (m *Manager) Delete(topic string) error {
	m.lockForChange()
	old, ok := m.table[topic]
	if !ok {
		m.unlockNoChange()
		m.log.WithField("topic", topic).Warn("delete topic config failed, topic does not exist")
		return nil
	}
	delete(m.table, topic)
	m.order.Remove(topic)
	m.nextVersion()
	m.log.WithField("topic", String(&old)).Info("delete topic config")
	return m.changed()
}

// CreateTopicInSendMessage auto-creates topic on its first send from the
// producer's default topic (TopicConfigManager.createTopicInSendMessageMethod):
// the default topic must exist and carry the INHERIT permission; the new
// topic gets min(clientDefaultQueueNums, default topic's write queues)
// queues (never negative), the default topic's permission without INHERIT
// and its filter type, and topicSysFlag. An existing topic is returned as
// it is. ok is false when nothing could be created.
//
// As in Java, when autoCreateTopicEnable is off a TBW102 found in the table
// (left by an earlier run) is first stripped to read+write, so it no longer
// lets sends create topics.
func (m *Manager) CreateTopicInSendMessage(topic, defaultTopic, remoteAddr string, clientDefaultQueueNums int32, topicSysFlag int32) (body.TopicConfig, bool) {
	m.lockForChange()
	if tc, ok := m.table[topic]; ok {
		m.unlockNoChange()
		return tc, true
	}
	log := m.log.WithFields(logrus.Fields{"topic": topic, "defaultTopic": defaultTopic, "producer": remoteAddr})
	def, ok := m.table[defaultTopic]
	if !ok {
		m.unlockNoChange()
		log.Warn("create new topic failed, the default topic does not exist")
		return body.TopicConfig{}, false
	}
	if defaultTopic == AutoCreateTopicKeyTopic && !m.cfg.AutoCreateTopicEnable {
		def.Perm = body.PermRead | body.PermWrite
		m.table[defaultTopic] = def
	}
	if def.Perm&body.PermInherit == 0 {
		m.unlockNoChange()
		log.WithField("perm", def.Perm).Warn("create new topic failed, the default topic has no inherit permission")
		return body.TopicConfig{}, false
	}
	n := min(clientDefaultQueueNums, def.WriteQueueNums)
	if n < 0 {
		n = 0
	}
	tc := body.NewTopicConfig(topic)
	tc.ReadQueueNums, tc.WriteQueueNums = n, n
	tc.Perm = def.Perm &^ body.PermInherit
	tc.TopicSysFlag = topicSysFlag
	tc.TopicFilterType = def.TopicFilterType
	m.put(tc)
	m.nextVersion()
	log.WithField("config", String(&tc)).Info("create new topic by default topic")
	_ = m.changed()
	m.notify()
	return tc, true
}

// CreateTopicInSendMessageBack creates a topic the broker itself needs (a
// group's %RETRY% or %DLQ% topic, the transaction half topic) with the
// given queues, permission and flags, unless it exists
// (TopicConfigManager.createTopicInSendMessageBackMethod).
func (m *Manager) CreateTopicInSendMessageBack(topic string, queueNums, perm, topicSysFlag int32) (body.TopicConfig, bool) {
	if tc, ok := m.Get(topic); ok {
		return tc, true
	}
	m.lockForChange()
	if tc, ok := m.table[topic]; ok {
		m.unlockNoChange()
		return tc, true
	}
	tc := body.NewTopicConfig(topic)
	tc.ReadQueueNums, tc.WriteQueueNums = queueNums, queueNums
	tc.Perm = perm
	tc.TopicSysFlag = topicSysFlag
	m.put(tc)
	m.nextVersion()
	m.log.WithField("config", String(&tc)).Info("create new topic")
	_ = m.changed()
	m.notify()
	return tc, true
}

// CreateTopicOfTranCheckMaxTime creates TRANS_CHECK_MAX_TIME_TOPIC, where
// the transaction checker parks half messages checked too often
// (TopicConfigManager.createTopicOfTranCheckMaxTime).
func (m *Manager) CreateTopicOfTranCheckMaxTime(queueNums, perm int32) (body.TopicConfig, bool) {
	return m.CreateTopicInSendMessageBack(TransCheckMaxTimeTopic, queueNums, perm, 0)
}

// UpdateTopicUnitFlag sets or clears a topic's unit flag
// (TopicConfigManager.updateTopicUnitFlag).
func (m *Manager) UpdateTopicUnitFlag(topic string, unit bool) {
	m.updateSysFlag(topic, SysFlagUnit, unit)
}

// UpdateTopicUnitSubFlag sets or clears a topic's unit-sub flag
// (TopicConfigManager.updateTopicUnitSubFlag).
func (m *Manager) UpdateTopicUnitSubFlag(topic string, hasUnitSub bool) {
	m.updateSysFlag(topic, SysFlagUnitSub, hasUnitSub)
}

func (m *Manager) updateSysFlag(topic string, flag int32, set bool) {
	m.lockForChange()
	tc, ok := m.table[topic]
	if !ok {
		m.unlockNoChange()
		return
	}
	old := tc.TopicSysFlag
	if set {
		tc.TopicSysFlag |= flag
	} else {
		tc.TopicSysFlag &^= flag
	}
	m.table[topic] = tc
	m.nextVersion()
	m.log.WithFields(logrus.Fields{"topic": topic, "old": old, "new": tc.TopicSysFlag}).Info("update topic sys flag")
	_ = m.changed()
	m.notify()
}

// UpdateOrderTopics applies the NameServer's ORDER_TOPIC_CONFIG table
// (TopicConfigManager.updateOrderTopicConfig): topics named in it become
// ordered, every other topic unordered; the table is persisted if anything
// changed. A nil map (Java's null KVTable) changes nothing.
func (m *Manager) UpdateOrderTopics(orderTopics map[string]string) error {
	if orderTopics == nil {
		return nil
	}
	m.lockForChange()
	changed := false
	for name, tc := range m.table {
		_, want := orderTopics[name]
		if tc.Order != want {
			tc.Order = want
			m.table[name] = tc
			changed = true
			m.log.WithFields(logrus.Fields{"topic": name, "order": want}).Info("update order topic config")
		}
	}
	if !changed {
		m.unlockNoChange()
		return nil
	}
	m.nextVersion()
	return m.changed()
}

// IsOrderTopic reports whether a topic is marked ordered.
func (m *Manager) IsOrderTopic(topic string) bool {
	tc, ok := m.Get(topic)
	return ok && tc.Order
}

// IsSystemTopic reports whether topic is a system topic for this broker:
// TopicValidator's fixed set, the "rmq_sys_" prefix, or a name the
// constructor registered (cluster, broker name, reply topic, trace topic).
func (m *Manager) IsSystemTopic(topic string) bool {
	if IsSystemTopic(topic) {
		return true
	}
	_, ok := m.system[topic]
	return ok
}

// DataVersion returns the table's version.
func (m *Manager) DataVersion() body.DataVersion {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.version
}

// All returns a snapshot of the table.
func (m *Manager) All() map[string]body.TopicConfig {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]body.TopicConfig, len(m.table))
	for k, v := range m.table {
		out[k] = v
	}
	return out
}

// Names returns the topic names in the table's (Java's) order.
func (m *Manager) Names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.order.Keys()
}

// Wrapper returns a snapshot of the table and its version, for the
// REGISTER_BROKER body (TopicConfigManager.buildTopicConfigSerializeWrapper).
// The caller owns it.
func (m *Manager) Wrapper() body.TopicConfigSerializeWrapper {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.wrapperLocked()
}

func (m *Manager) wrapperLocked() body.TopicConfigSerializeWrapper {
	names := m.order.Keys()
	configs := make([]body.TopicConfig, len(names))
	w := body.TopicConfigSerializeWrapper{
		TopicConfigTable: make(map[string]*body.TopicConfig, len(names)),
		TopicOrder:       names,
		DataVersion:      m.version,
	}
	for i, name := range names {
		configs[i] = m.table[name]
		w.TopicConfigTable[name] = &configs[i]
	}
	return w
}

func (m *Manager) encodeLocked(pretty bool) []byte {
	w := m.wrapperLocked()
	if pretty {
		return w.EncodePretty()
	}
	return w.Encode()
}

// Encode returns the compact table, the GET_ALL_TOPIC_CONFIG body
// (TopicConfigManager.encode()).
func (m *Manager) Encode() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.encodeLocked(false)
}

// EncodePretty returns what Persist writes.
func (m *Manager) EncodePretty() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.encodeLocked(true)
}

// SyncFrom replaces the table with a master's when their versions differ
// and persists it (SlaveSynchronize.syncTopicConfig). It reports whether
// anything was replaced.
func (m *Manager) SyncFrom(w *body.TopicConfigSerializeWrapper) (bool, error) {
	m.lockForChange()
	if m.version == w.DataVersion {
		m.unlockNoChange()
		return false, nil
	}
	m.version = w.DataVersion
	clear(m.table)
	m.order.Clear()
	src := body.NewStringMapOrder(0)
	names := w.TopicOrder
	if len(names) != len(w.TopicConfigTable) {
		names = names[:0:0]
		for name := range w.TopicConfigTable {
			names = append(names, name)
		}
	}
	for _, name := range names {
		src.Add(name)
	}
	keys := src.Keys()
	m.order.AddAll(keys)
	for _, name := range keys {
		if tc := w.TopicConfigTable[name]; tc != nil {
			m.table[name] = *tc
		} else {
			m.order.Remove(name)
		}
	}
	return true, m.changed()
}
