// Package rebalancelock keeps, per consumer group, which client owns each
// message queue for orderly consumption (Java RebalanceLockManager).
//
// An orderly consumer locks the queues it was allocated before it consumes
// them and renews the locks every 20 s; a lock not renewed within
// MaxLiveTime (Java's system property
// rocketmq.broker.rebalance.lockMaxLiveTime, 60 s) expires and may be taken
// by another member of the group, which is how queues move between
// consumers whose client does not unlock them on rebalance. The table is in
// memory only, as in Java: after a broker restart every lock is free.
package rebalancelock

import (
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
)

// DefaultMaxLiveTime is Java's REBALANCE_LOCK_MAX_LIVE_TIME default.
const DefaultMaxLiveTime = 60 * time.Second

// MessageQueue identifies one queue of one broker (Java MessageQueue; its
// equals/hashCode use all three fields, as Go's == does).
type MessageQueue = body.MessageQueue

// Config configures a Manager.
type Config struct {
	// MaxLiveTime: a lock not renewed for longer than this is free
	// (default DefaultMaxLiveTime).
	MaxLiveTime time.Duration
	// Now is the clock (default time.Now); tests inject one.
	Now    func() time.Time
	Logger logrus.FieldLogger
}

// entry is Java's LockEntry: the owner and when it last locked.
type entry struct {
	clientID   string
	lastUpdate time.Time
}

// Manager is the lock table (Java RebalanceLockManager). All methods are
// safe for concurrent use; each holds one mutex for a batch of map
// operations and never across I/O.
type Manager struct {
	cfg    Config
	mu     sync.Mutex
	groups map[string]map[MessageQueue]*entry
}

// New returns an empty lock table.
func New(cfg Config) *Manager {
	if cfg.MaxLiveTime <= 0 {
		cfg.MaxLiveTime = DefaultMaxLiveTime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Manager{cfg: cfg, groups: map[string]map[MessageQueue]*entry{}}
}

// MaxLiveTime is the lock lifetime in force.
func (m *Manager) MaxLiveTime() time.Duration { return m.cfg.MaxLiveTime }

// expired is Java LockEntry.isExpired: strictly more than the lifetime
// since the last renewal.
func (m *Manager) expired(e *entry, now time.Time) bool {
	return now.Sub(e.lastUpdate) > m.cfg.MaxLiveTime
}

// TryLock locks one queue for clientID (Java tryLock); see TryLockBatch.
func (m *Manager) TryLock(group string, mq MessageQueue, clientID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lockLocked(group, mq, clientID, m.cfg.Now())
}

// TryLockBatch locks what it can of mqs for clientID and returns the
// queues clientID holds afterwards, in request order (Java tryLockBatch).
// A queue is granted when nobody holds it, when clientID already holds it
// (the lock is renewed), or when its holder's lock expired (the lock moves
// to clientID). Duplicates in mqs are answered once.
func (m *Manager) TryLockBatch(group string, mqs []MessageQueue, clientID string) []MessageQueue {
	return m.AppendLocked(nil, group, mqs, clientID)
}

// AppendLocked is TryLockBatch appending the granted queues to dst.
func (m *Manager) AppendLocked(dst []MessageQueue, group string, mqs []MessageQueue, clientID string) []MessageQueue {
	if len(mqs) == 0 {
		return dst
	}
	start := len(dst)
	m.mu.Lock()
	now := m.cfg.Now()
	for _, mq := range mqs {
		if m.lockLocked(group, mq, clientID, now) && !contains(dst[start:], mq) {
			dst = append(dst, mq)
		}
	}
	m.mu.Unlock()
	return dst
}

func contains(mqs []MessageQueue, mq MessageQueue) bool {
	for _, x := range mqs {
		if x == mq {
			return true
		}
	}
	return false
}

// lockLocked is the body of Java's tryLock / tryLockBatch for one queue;
// the caller holds m.mu.
func (m *Manager) lockLocked(group string, mq MessageQueue, clientID string, now time.Time) bool {
	g := m.groups[group]
	if g == nil {
		g = make(map[MessageQueue]*entry, 8)
		m.groups[group] = g
	}
	e := g[mq]
	if e == nil {
		g[mq] = &entry{clientID: clientID, lastUpdate: now}
		if m.debug() {
			m.cfg.Logger.WithFields(logrus.Fields{"group": group, "client": clientID, "mq": mq}).
				Debug("rebalance lock: queue was free, locked")
		}
		return true
	}
	if e.clientID == clientID && !m.expired(e, now) {
		e.lastUpdate = now
		return true
	}
	if m.expired(e, now) {
		old := e.clientID
		e.clientID, e.lastUpdate = clientID, now
		if old != clientID {
			m.cfg.Logger.WithFields(logrus.Fields{"group": group, "oldClient": old, "client": clientID, "mq": mq}).
				Info("rebalance lock: previous owner's lock expired, moved")
		}
		return true
	}
	if m.debug() {
		m.cfg.Logger.WithFields(logrus.Fields{"group": group, "owner": e.clientID, "client": clientID, "mq": mq}).
			Debug("rebalance lock: queue locked by another client")
	}
	return false
}

// UnlockBatch releases the queues of mqs that clientID holds (Java
// unlockBatch): a queue held by another client, or by nobody, is left as
// it is. Java releases a holder's queue even when its lock has expired;
// so does this.
func (m *Manager) UnlockBatch(group string, mqs []MessageQueue, clientID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.groups[group]
	if g == nil {
		return
	}
	for _, mq := range mqs {
		e := g[mq]
		switch {
		case e == nil:
		case e.clientID == clientID:
			delete(g, mq)
			if m.debug() {
				m.cfg.Logger.WithFields(logrus.Fields{"group": group, "client": clientID, "mq": mq}).Debug("rebalance lock: unlocked")
			}
		default:
			if m.debug() {
				m.cfg.Logger.WithFields(logrus.Fields{"group": group, "owner": e.clientID, "client": clientID, "mq": mq}).
					Debug("rebalance lock: unlock of a queue held by another client ignored")
			}
		}
	}
	// Java keeps the emptied group map; dropping it bounds the table by the
	// groups that hold locks. Nothing a client sees depends on it.
	if len(g) == 0 {
		delete(m.groups, group)
	}
}

// Owner reports the client holding mq in group and whether that lock is
// still live (not expired).
func (m *Manager) Owner(group string, mq MessageQueue) (clientID string, live bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.groups[group][mq]
	if e == nil {
		return "", false
	}
	return e.clientID, !m.expired(e, m.cfg.Now())
}

// debug reports whether debug logging is on, so the lock path builds no
// log fields for nothing (Java logs each of these at info or warn; every
// orderly consumer renews every 20 s, which is too chatty for info here).
func (m *Manager) debug() bool {
	switch l := m.cfg.Logger.(type) {
	case *logrus.Logger:
		return l.IsLevelEnabled(logrus.DebugLevel)
	case *logrus.Entry:
		return l.Logger.IsLevelEnabled(logrus.DebugLevel)
	}
	return true
}
