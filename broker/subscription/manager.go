// Package subscription keeps the broker's consumer-group settings (Java
// SubscriptionGroupManager), persisted to config/subscriptionGroup.json in
// the byte layout and map order the Java broker writes.
package subscription

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store/configfile"
	"github.com/sirupsen/logrus"
)

// Built-in groups present from start (MixAll), in the order the Java
// constructor puts them.
const (
	ToolsConsumerGroup       = "TOOLS_CONSUMER"
	FiltersrvConsumerGroup   = "FILTERSRV_CONSUMER"
	SelfTestConsumerGroup    = "SELF_TEST_C_GROUP"
	OnsHTTPProxyGroup        = "CID_ONS-HTTP-PROXY"
	CIDOnsAPIPullGroup       = "CID_ONSAPI_PULL"
	CIDOnsAPIPermissionGroup = "CID_ONSAPI_PERMISSION"
	CIDOnsAPIOwnerGroup      = "CID_ONSAPI_OWNER"

	// SysConsumerGroupPrefix marks the broker's own groups, which are
	// created on first use even when auto-creation is off
	// (MixAll.isSysConsumerGroup).
	SysConsumerGroupPrefix = "CID_RMQ_SYS_"
)

func builtinGroups() []string {
	return []string{ToolsConsumerGroup, FiltersrvConsumerGroup, SelfTestConsumerGroup, OnsHTTPProxyGroup,
		CIDOnsAPIPullGroup, CIDOnsAPIPermissionGroup, CIDOnsAPIOwnerGroup}
}

// Config configures a Manager.
type Config struct {
	// StorePathRootDir is the store root; the table is kept in
	// <root>/config/subscriptionGroup.json.
	StorePathRootDir string
	// Path, when set, is the file itself and overrides StorePathRootDir.
	Path string

	Logger logrus.FieldLogger // default logrus.StandardLogger()
	Now    func() time.Time   // default time.Now; stamps the DataVersion
}

// Manager is the group table. It is safe for concurrent use and starts no
// goroutines; every change is persisted before the call returns, as in
// Java.
type Manager struct {
	log  logrus.FieldLogger
	now  func() time.Time
	path string
	file *configfile.File

	persistMu sync.Mutex // orders change+write pairs
	mu        sync.RWMutex
	table     map[string]body.SubscriptionGroupConfig
	order     *body.MapOrder[string]
	version   body.DataVersion
}

// New builds the built-in groups and loads subscriptionGroup.json (or its
// .bak) over them.
func New(cfg Config) (*Manager, error) {
	if cfg.Path == "" {
		if cfg.StorePathRootDir == "" {
			return nil, errors.New("subscription: neither Path nor StorePathRootDir is set")
		}
		cfg.Path = filepath.Join(cfg.StorePathRootDir, "config", "subscriptionGroup.json")
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Manager{
		log:  cfg.Logger.WithField("component", "subscription"),
		now:  cfg.Now,
		path: cfg.Path,
		file: configfile.New(cfg.Path, cfg.Logger),
	}
	m.table, m.order = newTable()
	m.version = body.DataVersion{Timestamp: m.nowMillis()}
	if err := m.Load(); err != nil {
		return nil, err
	}
	return m, nil
}

// newTable is the constructor's table: a ConcurrentHashMap(1024) holding
// the built-in groups with default settings.
func newTable() (map[string]body.SubscriptionGroupConfig, *body.MapOrder[string]) {
	table := make(map[string]body.SubscriptionGroupConfig, 16)
	order := body.NewStringMapOrder(1024)
	for _, g := range builtinGroups() {
		table[g] = body.NewSubscriptionGroupConfig(g)
		order.Add(g)
	}
	return table, order
}

func (m *Manager) nowMillis() int64 { return m.now().UnixMilli() }

// Path is the subscriptionGroup.json path.
func (m *Manager) Path() string { return m.path }

// Load merges subscriptionGroup.json (or its .bak when the file is
// missing, empty or corrupt) over the table. As in Java the file's
// dataVersion is not taken: fastjson does not fill the getter-only
// property, so the version restarts at counter 0 with the load time.
func (m *Manager) Load() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	from, err := m.file.LoadWith(func(data []byte) error {
		w, err := body.DecodeSubscriptionGroupWrapper(data)
		if err != nil {
			return err
		}
		// Java: fastjson builds a second manager (built-ins included),
		// putAll's the file's no-argument map into its table, and the
		// broker's table putAll's that table.
		src := body.NewStringMapOrder(0)
		for _, g := range w.GroupOrder {
			src.Add(g)
		}
		_, staged := newTable()
		staged.AddAll(src.Keys())
		keys := staged.Keys()
		m.mu.Lock()
		defer m.mu.Unlock()
		m.order.AddAll(keys)
		for _, g := range keys {
			if c, ok := w.SubscriptionGroupTable[g]; ok {
				m.table[g] = *c
			} else if _, ok := m.table[g]; !ok {
				m.table[g] = body.NewSubscriptionGroupConfig(g)
			}
		}
		m.version = body.DataVersion{Timestamp: m.nowMillis()}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load subscriptionGroup.json: %w", err)
	}
	if from != "" {
		m.mu.RLock()
		n := len(m.table)
		m.mu.RUnlock()
		m.log.WithFields(logrus.Fields{"file": from, "groups": n}).Info("subscription groups loaded")
	}
	return nil
}

// Persist writes subscriptionGroup.json.
func (m *Manager) Persist() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.RLock()
	data := m.encodeLocked(true)
	m.mu.RUnlock()
	return m.write(data)
}

func (m *Manager) write(data []byte) error {
	if err := m.file.Write(data); err != nil {
		return fmt.Errorf("persist subscriptionGroup.json: %w", err)
	}
	return nil
}

// changed finishes a change made with persistMu and mu held: it encodes,
// unlocks mu, writes and unlocks persistMu. Write errors are logged (Java
// logs and goes on) and returned.
func (m *Manager) changed() error {
	data := m.encodeLocked(true)
	m.mu.Unlock()
	err := m.write(data)
	m.persistMu.Unlock()
	if err != nil {
		m.log.WithError(err).Error("persist subscription groups")
	}
	return err
}

func (m *Manager) nextVersion() {
	m.version.Timestamp = m.nowMillis()
	m.version.Counter++
}

// Find returns a group's settings without creating it.
func (m *Manager) Find(group string) (body.SubscriptionGroupConfig, bool) {
	m.mu.RLock()
	c, ok := m.table[group]
	m.mu.RUnlock()
	return c, ok
}

// FindOrCreate returns a group's settings, creating the group with
// default settings (and persisting) when it is unknown and autoCreate is
// set (brokerConfig autoCreateSubscriptionGroup) or it is a CID_RMQ_SYS_
// group (SubscriptionGroupManager.findSubscriptionGroupConfig).
func (m *Manager) FindOrCreate(group string, autoCreate bool) (body.SubscriptionGroupConfig, bool) {
	if c, ok := m.Find(group); ok {
		return c, true
	}
	if !autoCreate && !strings.HasPrefix(group, SysConsumerGroupPrefix) {
		return body.SubscriptionGroupConfig{}, false
	}
	m.persistMu.Lock()
	m.mu.Lock()
	if c, ok := m.table[group]; ok {
		m.mu.Unlock()
		m.persistMu.Unlock()
		return c, true
	}
	c := body.NewSubscriptionGroupConfig(group)
	m.table[group] = c
	m.order.Add(group)
	m.nextVersion()
	m.log.WithField("group", group).Info("auto create a subscription group")
	_ = m.changed()
	return c, true
}

// Update creates or replaces a group and persists
// (SubscriptionGroupManager.updateSubscriptionGroupConfig). A replaced
// group keeps its place in the table's order.
func (m *Manager) Update(c *body.SubscriptionGroupConfig) error {
	m.persistMu.Lock()
	m.mu.Lock()
	_, existed := m.table[c.GroupName]
	m.table[c.GroupName] = *c
	m.order.Add(c.GroupName)
	m.nextVersion()
	m.log.WithFields(logrus.Fields{"group": c.GroupName, "existed": existed}).Info("update subscription group config")
	return m.changed()
}

// Delete removes a group and persists
// (SubscriptionGroupManager.deleteSubscriptionGroupConfig); an unknown
// group only logs.
func (m *Manager) Delete(group string) error {
	m.persistMu.Lock()
	m.mu.Lock()
	if _, ok := m.table[group]; !ok {
		m.mu.Unlock()
		m.persistMu.Unlock()
		m.log.WithField("group", group).Warn("delete subscription group failed, group does not exist")
		return nil
	}
	delete(m.table, group)
	m.order.Remove(group)
	m.nextVersion()
	m.log.WithField("group", group).Info("delete subscription group")
	return m.changed()
}

// DisableConsume turns consumption off for a group and bumps the version
// without persisting, as Java's disableConsume does (the next persist
// writes it).
func (m *Manager) DisableConsume(group string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.table[group]; ok {
		c.ConsumeEnable = false
		m.table[group] = c
		m.nextVersion()
	}
}

// DataVersion returns the table's version.
func (m *Manager) DataVersion() body.DataVersion {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.version
}

// All returns a snapshot of the table.
func (m *Manager) All() map[string]body.SubscriptionGroupConfig {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]body.SubscriptionGroupConfig, len(m.table))
	for k, v := range m.table {
		out[k] = v
	}
	return out
}

// Names returns the group names in the table's (Java's) order.
func (m *Manager) Names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.order.Keys()
}

// Wrapper returns a snapshot of the table as the wire/file body.
func (m *Manager) Wrapper() body.SubscriptionGroupWrapper {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.wrapperLocked()
}

func (m *Manager) wrapperLocked() body.SubscriptionGroupWrapper {
	names := m.order.Keys()
	configs := make([]body.SubscriptionGroupConfig, len(names))
	w := body.SubscriptionGroupWrapper{
		SubscriptionGroupTable: make(map[string]*body.SubscriptionGroupConfig, len(names)),
		GroupOrder:             names,
		DataVersion:            m.version,
	}
	for i, g := range names {
		configs[i] = m.table[g]
		w.SubscriptionGroupTable[g] = &configs[i]
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

// Encode returns the compact GET_ALL_SUBSCRIPTIONGROUP_CONFIG body.
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
// and persists it (SlaveSynchronize.syncSubscriptionGroupConfig). It
// reports whether anything was replaced.
func (m *Manager) SyncFrom(w *body.SubscriptionGroupWrapper) (bool, error) {
	m.persistMu.Lock()
	m.mu.Lock()
	if m.version == w.DataVersion {
		m.mu.Unlock()
		m.persistMu.Unlock()
		return false, nil
	}
	m.version = w.DataVersion
	clear(m.table)
	m.order.Clear()
	names := w.GroupOrder
	if len(names) != len(w.SubscriptionGroupTable) {
		names = names[:0:0]
		for g := range w.SubscriptionGroupTable {
			names = append(names, g)
		}
	}
	src := body.NewStringMapOrder(0)
	for _, g := range names {
		if w.SubscriptionGroupTable[g] != nil {
			src.Add(g)
		}
	}
	keys := src.Keys()
	m.order.AddAll(keys)
	for _, g := range keys {
		m.table[g] = *w.SubscriptionGroupTable[g]
	}
	return true, m.changed()
}
