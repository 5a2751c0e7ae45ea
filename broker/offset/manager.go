// Package offset keeps the consumer groups' committed offsets (Java
// ConsumerOffsetManager) and persists them to config/consumerOffset.json
// in the byte layout and map order the Java broker writes. It starts no
// goroutines: the broker calls Persist on its flush interval and at
// shutdown.
package offset

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store/configfile"
	"github.com/sirupsen/logrus"
)

// Separator joins topic and group in the table's keys ("topic@group").
const Separator = "@"

// Config configures a Manager.
type Config struct {
	// StorePathRootDir is the store root; offsets are kept in
	// <root>/config/consumerOffset.json.
	StorePathRootDir string
	// Path, when set, is the file itself and overrides StorePathRootDir.
	Path string

	Logger logrus.FieldLogger // default logrus.StandardLogger()
}

// Manager is the offset table, "topic@group" → queue id → the next queue
// index the group will consume. It is safe for concurrent use.
//
// Commit, called on every pull, takes the table lock shared and a
// per-key lock, and allocates nothing once the key and queue are known.
type Manager struct {
	log  logrus.FieldLogger
	path string
	file *configfile.File

	persistMu sync.Mutex // one Persist at a time
	mu        sync.RWMutex
	table     map[string]*queueOffsets
	order     *body.MapOrder[string]
}

// queueOffsets is one key's queue → offset map (Java's inner
// ConcurrentHashMap<Integer, Long>).
type queueOffsets struct {
	mu      sync.Mutex
	offsets map[int32]int64
	order   *body.MapOrder[int32]
}

// Java's map sizes: the table is new ConcurrentHashMap(512) and each new
// key's queue map new ConcurrentHashMap(32). Tables read back by fastjson
// are no-argument maps (capacity 0 here).
const (
	tableCapacity = 512
	queueCapacity = 32
)

func newQueueOffsets(capacity int) *queueOffsets {
	return &queueOffsets{offsets: make(map[int32]int64, 8), order: body.NewIntMapOrder(capacity)}
}

// set stores an offset; the caller holds q.mu.
func (q *queueOffsets) set(id int32, off int64) (old int64, had bool) {
	old, had = q.offsets[id]
	q.offsets[id] = off
	if !had {
		q.order.Add(id)
	}
	return old, had
}

// New loads consumerOffset.json (or its .bak).
func New(cfg Config) (*Manager, error) {
	if cfg.Path == "" {
		if cfg.StorePathRootDir == "" {
			return nil, errors.New("offset: neither Path nor StorePathRootDir is set")
		}
		cfg.Path = filepath.Join(cfg.StorePathRootDir, "config", "consumerOffset.json")
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	m := &Manager{
		log:   cfg.Logger.WithField("component", "offset"),
		path:  cfg.Path,
		file:  configfile.New(cfg.Path, cfg.Logger),
		table: map[string]*queueOffsets{},
		order: body.NewStringMapOrder(tableCapacity),
	}
	if err := m.Load(); err != nil {
		return nil, err
	}
	return m, nil
}

// Path is the consumerOffset.json path.
func (m *Manager) Path() string { return m.path }

// Load replaces the table with consumerOffset.json (or its .bak when the
// file is missing, empty or corrupt), as ConsumerOffsetManager.decode
// does. A missing file leaves the table as is.
func (m *Manager) Load() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	from, err := m.file.LoadWith(func(data []byte) error {
		w, err := body.DecodeConsumerOffsetSerializeWrapper(data)
		if err != nil {
			return err
		}
		table, order := tableFrom(w)
		m.mu.Lock()
		m.table, m.order = table, order
		m.mu.Unlock()
		return nil
	})
	if err != nil {
		return fmt.Errorf("load consumerOffset.json: %w", err)
	}
	if from != "" {
		m.mu.RLock()
		n := len(m.table)
		m.mu.RUnlock()
		m.log.WithFields(logrus.Fields{"file": from, "keys": n}).Info("consumer offsets loaded")
	}
	return nil
}

// tableFrom builds the maps fastjson builds from a wrapper: no-argument
// ConcurrentHashMaps filled in text order.
func tableFrom(w *body.ConsumerOffsetSerializeWrapper) (map[string]*queueOffsets, *body.MapOrder[string]) {
	keys := w.Order
	if len(keys) != len(w.OffsetTable) {
		keys = slices.Sorted(maps.Keys(w.OffsetTable))
	}
	table := make(map[string]*queueOffsets, len(keys))
	order := body.NewStringMapOrder(0)
	for _, key := range keys {
		q := newQueueOffsets(0)
		for _, e := range w.OffsetTable[key] {
			q.set(e.ID, e.Offset)
		}
		table[key] = q
		order.Add(key)
	}
	return table, order
}

// appendKey builds "topic@group" into dst.
func appendKey(dst []byte, topic, group string) []byte {
	dst = append(dst, topic...)
	dst = append(dst, Separator...)
	return append(dst, group...)
}

// lookup finds a key's queue map without building a string.
func (m *Manager) lookup(topic, group string) *queueOffsets {
	var buf [256]byte
	key := appendKey(buf[:0], topic, group)
	m.mu.RLock()
	q := m.table[string(key)]
	m.mu.RUnlock()
	return q
}

// Commit stores a group's consumed offset of a queue
// (ConsumerOffsetManager.commitOffset). Like Java it accepts an offset
// lower than the stored one, with a warning.
func (m *Manager) Commit(clientHost, group, topic string, queueID int32, offset int64) {
	q := m.lookup(topic, group)
	if q == nil {
		key := string(appendKey(nil, topic, group))
		m.mu.Lock()
		if q = m.table[key]; q == nil {
			q = newQueueOffsets(queueCapacity)
			m.table[key] = q
			m.order.Add(key)
		}
		m.mu.Unlock()
	}
	q.mu.Lock()
	old, had := q.set(queueID, offset)
	q.mu.Unlock()
	if had && offset < old {
		m.log.WithFields(logrus.Fields{"client": clientHost, "topic": topic, "group": group, "queue": queueID,
			"offset": offset, "stored": old}).Warn("update consumer offset less than store")
	}
}

// Query returns a group's committed offset of a queue, or -1 when none is
// stored (ConsumerOffsetManager.queryOffset).
func (m *Manager) Query(group, topic string, queueID int32) int64 {
	q := m.lookup(topic, group)
	if q == nil {
		return -1
	}
	q.mu.Lock()
	off, ok := q.offsets[queueID]
	q.mu.Unlock()
	if !ok {
		return -1
	}
	return off
}

// QueryAll returns a copy of a group's offsets of a topic, nil when none.
func (m *Manager) QueryAll(group, topic string) map[int32]int64 {
	q := m.lookup(topic, group)
	if q == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[int32]int64, len(q.offsets))
	for k, v := range q.offsets {
		out[k] = v
	}
	return out
}

// splitKey is Java's key.split("@") with its length-2 check: trailing
// empty parts are dropped and a key with more than one '@' has no
// topic/group.
func splitKey(key string) (topic, group string, ok bool) {
	parts := strings.Split(key, Separator)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// Topics returns the topics a group has offsets for, sorted
// (ConsumerOffsetManager.whichTopicByConsumer).
func (m *Manager) Topics(group string) []string {
	return m.collect(func(topic, g string) (string, bool) { return topic, g == group })
}

// Groups returns the groups with offsets for a topic, sorted
// (ConsumerOffsetManager.whichGroupByTopic).
func (m *Manager) Groups(topic string) []string {
	return m.collect(func(t, group string) (string, bool) { return group, t == topic })
}

func (m *Manager) collect(pick func(topic, group string) (string, bool)) []string {
	m.mu.RLock()
	var out []string
	for key := range m.table {
		if t, g, ok := splitKey(key); ok {
			if v, want := pick(t, g); want {
				out = append(out, v)
			}
		}
	}
	m.mu.RUnlock()
	slices.Sort(out)
	return slices.Compact(out)
}

// Keys returns the table's "topic@group" keys in Java's order.
func (m *Manager) Keys() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.order.Keys()
}

// RemoveGroup drops every offset of a group (ConsumerOffsetManager.removeOffset,
// used when a group is deleted with removeOffset).
func (m *Manager) RemoveGroup(group string) []string {
	return m.removeIf(func(_, g string) bool { return g == group })
}

// RemoveTopic drops every group's offsets of a topic (when the topic is
// deleted; 5.x cleanOffsetByTopic).
func (m *Manager) RemoveTopic(topic string) []string {
	return m.removeIf(func(t, _ string) bool { return t == topic })
}

// Remove drops one group's offsets of one topic.
func (m *Manager) Remove(topic, group string) bool {
	key := string(appendKey(nil, topic, group))
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.table[key]; !ok {
		return false
	}
	delete(m.table, key)
	m.order.Remove(key)
	return true
}

// removeIf drops the keys whose topic and group match and returns them.
func (m *Manager) removeIf(match func(topic, group string) bool) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var removed []string
	for _, key := range m.order.Keys() {
		if t, g, ok := splitKey(key); ok && match(t, g) {
			delete(m.table, key)
			m.order.Remove(key)
			removed = append(removed, key)
		}
	}
	for _, key := range removed {
		m.log.WithField("key", key).Warn("clean consumer offsets")
	}
	return removed
}

// CloneOffset copies srcGroup's offsets of topic to destGroup, replacing
// destGroup's (ConsumerOffsetManager.cloneOffset).
func (m *Manager) CloneOffset(srcGroup, destGroup, topic string) {
	src := m.lookup(topic, srcGroup)
	if src == nil {
		return
	}
	src.mu.Lock()
	c := &queueOffsets{offsets: make(map[int32]int64, len(src.offsets)), order: src.order.CopyOf()}
	for k, v := range src.offsets {
		c.offsets[k] = v
	}
	src.mu.Unlock()
	key := string(appendKey(nil, topic, destGroup))
	m.mu.Lock()
	m.table[key] = c
	m.order.Add(key)
	m.mu.Unlock()
}

// Wrapper returns a snapshot of the table in Java's order.
func (m *Manager) Wrapper() body.ConsumerOffsetSerializeWrapper {
	m.mu.RLock()
	defer m.mu.RUnlock()
	keys := m.order.Keys()
	w := body.ConsumerOffsetSerializeWrapper{OffsetTable: make(map[string][]body.OffsetEntry, len(keys)), Order: keys}
	var ids []int32
	for _, key := range keys {
		q := m.table[key]
		q.mu.Lock()
		ids = q.order.AppendKeys(ids[:0])
		entries := make([]body.OffsetEntry, len(ids))
		for i, id := range ids {
			entries[i] = body.OffsetEntry{ID: id, Offset: q.offsets[id]}
		}
		q.mu.Unlock()
		w.OffsetTable[key] = entries
	}
	return w
}

// Encode returns the compact GET_ALL_CONSUMER_OFFSET body.
func (m *Manager) Encode() []byte {
	w := m.Wrapper()
	return w.Encode()
}

// EncodePretty returns what Persist writes.
func (m *Manager) EncodePretty() []byte {
	w := m.Wrapper()
	return w.EncodePretty()
}

// Persist writes consumerOffset.json.
func (m *Manager) Persist() error {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	if err := m.file.Write(m.EncodePretty()); err != nil {
		return fmt.Errorf("persist consumerOffset.json: %w", err)
	}
	return nil
}

// SyncFrom merges a master's offsets over the table and persists it
// (SlaveSynchronize.syncConsumerOffset: putAll, so each key's queue map is
// replaced by the master's).
func (m *Manager) SyncFrom(w *body.ConsumerOffsetSerializeWrapper) error {
	incoming, src := tableFrom(w)
	keys := src.Keys()
	m.mu.Lock()
	m.order.AddAll(keys)
	for _, key := range keys {
		m.table[key] = incoming[key]
	}
	m.mu.Unlock()
	return m.Persist()
}
