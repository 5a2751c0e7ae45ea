// Package consumerfilter keeps the compiled SQL92 subscriptions of
// consumer groups, per topic and group (Java ConsumerFilterManager and
// ConsumerFilterData), so that a pull evaluates an expression parsed once
// rather than on every request.
//
// Java registers filter data from every heartbeat. Here the pull path
// resolves it from the subscription the heartbeats registered with the
// consumer table: the first pull after a subscription changed compiles it,
// later pulls reuse the result. The outcome is Java's: a subscription that
// does not compile has no filter data (the pull answers
// FILTER_DATA_NOT_EXIST), a newer subscription version replaces the data,
// an older one is ignored. Data of a group that stopped subscribing is
// kept (retried messages are filtered with it) until it has been dead for
// filterDataCleanTimeSpan.
//
// Not kept: consumerFilter.json and the bloom filter bit maps behind
// enableCalcFilterBitMap (an optimisation Java leaves off by default); the
// filter data is in memory only and rebuilt from heartbeats after a
// restart, as the consumer table itself is.
package consumerfilter

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/filter/sql92"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
)

// ErrUnsupportedType is the error of compiling an expression type other
// than SQL92 (Java's FilterFactory has only the SQL92 filter).
var ErrUnsupportedType = errors.New("no filter for this expression type")

// Config configures a Manager.
type Config struct {
	// CacheSize bounds the parse cache for subscriptions that come with
	// each pull (default 1024).
	CacheSize int
	// CleanAfter drops the data of a group that has not subscribed to the
	// topic for this long (filterDataCleanTimeSpan; default 24 h).
	CleanAfter time.Duration
	Now        func() time.Time
	Logger     logrus.FieldLogger
}

// Data is one group's compiled subscription to one topic (Java
// ConsumerFilterData). It is immutable once handed out.
type Data struct {
	Group          string
	Topic          string
	Expression     string
	ExpressionType string
	ClientVersion  int64 // the subscription's subVersion
	Expr           *sql92.Expr
}

type key struct{ topic, group string }

type entry struct {
	sub       *body.SubscriptionData // the subscription last resolved
	data      *Data                  // nil: the subscription does not compile
	deadSince time.Time              // zero while the group subscribes
}

// Manager is the filter data table. Safe for concurrent use; it starts no
// goroutines (the broker calls Sweep periodically).
type Manager struct {
	cfg   Config
	cache *sql92.Cache
	mu    sync.RWMutex
	m     map[key]*entry
}

// New returns an empty table.
func New(cfg Config) *Manager {
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 1024
	}
	if cfg.CleanAfter <= 0 {
		cfg.CleanAfter = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Manager{cfg: cfg, cache: sql92.NewCache(cfg.CacheSize), m: map[key]*entry{}}
}

// Compile compiles an expression of the given type (FilterFactory.get(type)
// .compile(expr)), through the parse cache.
func (m *Manager) Compile(typ, expr string) (*sql92.Expr, error) {
	if typ != body.ExpressionSQL92 {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedType, typ)
	}
	return m.cache.Parse(expr)
}

// Resolve returns the filter data of group for its subscription sub (a
// non-TAG subscription from the consumer table), compiling sub when it is
// new or changed, or nil when it does not compile. Repeated calls with the
// same *SubscriptionData cost one map lookup.
func (m *Manager) Resolve(group string, sub *body.SubscriptionData) *Data {
	k := key{sub.Topic, group}
	m.mu.RLock()
	e := m.m[k]
	if e != nil && e.sub == sub && e.deadSince.IsZero() {
		d := e.data
		m.mu.RUnlock()
		return d
	}
	m.mu.RUnlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	e = m.m[k]
	if e == nil {
		e = &entry{}
		m.m[k] = e
	}
	if e.sub == sub {
		e.deadSince = time.Time{}
		return e.data
	}
	e.sub = sub
	e.deadSince = time.Time{}
	old := e.data
	switch {
	case old != nil && sub.SubVersion <= old.ClientVersion:
		// An older or equal version never replaces the data (Java logs
		// and ignores it).
		if sub.SubString != old.Expression || sub.ExpressionType != old.ExpressionType {
			m.cfg.Logger.WithFields(logrus.Fields{"group": group, "topic": sub.Topic, "version": sub.SubVersion,
				"current": old.ClientVersion}).Info("consumer filter not replaced by an older subscription version")
		}
	case old != nil && sub.SubString == old.Expression && sub.ExpressionType == old.ExpressionType:
		d := *old
		d.ClientVersion = sub.SubVersion
		e.data = &d
	default:
		e.data = m.build(group, sub)
	}
	return e.data
}

func (m *Manager) build(group string, sub *body.SubscriptionData) *Data {
	x, err := m.Compile(sub.ExpressionType, sub.SubString)
	if err != nil {
		m.cfg.Logger.WithFields(logrus.Fields{"group": group, "topic": sub.Topic, "type": sub.ExpressionType,
			"expression": sub.SubString}).WithError(err).Error("consumer filter does not compile")
		return nil
	}
	m.cfg.Logger.WithFields(logrus.Fields{"group": group, "topic": sub.Topic, "expression": sub.SubString,
		"version": sub.SubVersion}).Info("consumer filter registered")
	return &Data{Group: group, Topic: sub.Topic, Expression: sub.SubString, ExpressionType: sub.ExpressionType,
		ClientVersion: sub.SubVersion, Expr: x}
}

// Get returns the data registered for (topic, group), also when the group
// no longer subscribes (Java ConsumerFilterManager.get).
func (m *Manager) Get(topic, group string) *Data {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if e := m.m[key{topic, group}]; e != nil {
		return e.data
	}
	return nil
}

// Sweep marks the data of every (group, topic) that subscribed(group,
// topic) no longer reports as dead, revives the ones it reports again, and
// drops data dead for longer than CleanAfter (Java's unRegister,
// "make illegal topic dead" and clean).
func (m *Manager) Sweep(subscribed func(group, topic string) bool) {
	now := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, e := range m.m {
		switch {
		case subscribed(k.group, k.topic):
			e.deadSince = time.Time{}
		case e.deadSince.IsZero():
			e.deadSince = now
		case now.Sub(e.deadSince) >= m.cfg.CleanAfter:
			delete(m.m, k)
			m.cfg.Logger.WithFields(logrus.Fields{"group": k.group, "topic": k.topic}).Info("consumer filter removed, dead too long")
		}
	}
}

// Len is the number of (topic, group) entries.
func (m *Manager) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.m)
}
