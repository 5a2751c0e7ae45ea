package namesrv

import (
	"errors"
	"fmt"
	"github.com/rocketgo/rocketgo/store/configfile"
	"io/fs"
	"os"
	"sync"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
)

// NamespaceOrderTopicConfig is the KV namespace holding "brokerName:queues;..."
// per ordered topic (Java NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG).
const NamespaceOrderTopicConfig = "ORDER_TOPIC_CONFIG"

// KVConfig is the NameServer's namespaced key/value store (Java
// KVConfigManager), persisted to kvConfig.json after every change.
type KVConfig struct {
	path string
	log  logrus.FieldLogger

	persistMu sync.Mutex // orders change+write pairs, so files never go back in time
	mu        sync.RWMutex
	table     map[string]map[string]string
}

// NewKVConfig returns an empty store persisted at path.
func NewKVConfig(path string, log logrus.FieldLogger) *KVConfig {
	return &KVConfig{path: path, log: log, table: map[string]map[string]string{}}
}

// Load reads kvConfig.json. A missing file is an empty store. If the file
// is unreadable or corrupt the .bak copy written by the previous save is
// tried (Java only logs and starts empty).
func (k *KVConfig) Load() error {
	w, err := readKVFile(k.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		k.log.WithError(err).WithField("path", k.path).Warn("kvConfig unreadable, trying the backup")
		w, err = readKVFile(k.path + ".bak")
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("namesrv: load %s: %w", k.path, err)
	}
	k.mu.Lock()
	for ns, m := range w.ConfigTable {
		k.table[ns] = m
	}
	k.mu.Unlock()
	k.log.WithField("path", k.path).Info("kvConfig loaded")
	return nil
}

func readKVFile(path string) (*body.KVConfigSerializeWrapper, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return body.DecodeKVConfigSerializeWrapper(data)
}

// Put stores a value and persists.
func (k *KVConfig) Put(ns, key, value string) error {
	k.persistMu.Lock()
	defer k.persistMu.Unlock()
	k.mu.Lock()
	m := k.table[ns]
	if m == nil {
		m = map[string]string{}
		k.table[ns] = m
	}
	m[key] = value
	snapshot := k.encodeLocked()
	k.mu.Unlock()
	k.log.WithFields(logrus.Fields{"namespace": ns, "key": key, "value": value}).Info("kv config put")
	return k.write(snapshot)
}

// Delete removes a key and persists. An emptied namespace stays (as Java).
func (k *KVConfig) Delete(ns, key string) error {
	k.persistMu.Lock()
	defer k.persistMu.Unlock()
	k.mu.Lock()
	if m := k.table[ns]; m != nil {
		delete(m, key)
	}
	snapshot := k.encodeLocked()
	k.mu.Unlock()
	k.log.WithFields(logrus.Fields{"namespace": ns, "key": key}).Info("kv config deleted")
	return k.write(snapshot)
}

// Get returns a value and whether it exists.
func (k *KVConfig) Get(ns, key string) (string, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	v, ok := k.table[ns][key]
	return v, ok
}

// Namespace returns a copy of a namespace, or nil if it does not exist.
func (k *KVConfig) Namespace(ns string) map[string]string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	m, ok := k.table[ns]
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for key, v := range m {
		out[key] = v
	}
	return out
}

func (k *KVConfig) encodeLocked() []byte {
	w := body.KVConfigSerializeWrapper{ConfigTable: k.table}
	return w.Encode()
}

// write replaces the file crash-safely with Java's MixAll.string2File
// sequence and .bak copy (store/configfile).
func (k *KVConfig) write(content []byte) error {
	if err := configfile.Write(k.path, content); err != nil {
		k.log.WithError(err).WithField("path", k.path).Error("persist kvConfig failed")
		return err
	}
	return nil
}
