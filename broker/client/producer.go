package client

import (
	"sort"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// ProducerConfig configures a ProducerManager.
type ProducerConfig struct {
	ChannelExpiry time.Duration // Java 120 s
	Now           func() time.Time
	Logger        logrus.FieldLogger
}

// ProducerManager is the table of producer groups (Java ProducerManager):
// the broker asks a group's producer about unresolved transactions, pushes
// reply messages to the requesting client by its client id, and lists the
// connections to operators.
type ProducerManager struct {
	cfg    ProducerConfig
	mu     sync.RWMutex
	groups map[string]map[uint64]*ChannelInfo
	// clients indexes the connections by client id (Java
	// clientChannelTable), for the reply path's FindChannel.
	clients map[string]Channel
}

// NewProducerManager returns an empty table.
func NewProducerManager(cfg ProducerConfig) *ProducerManager {
	if cfg.ChannelExpiry <= 0 {
		cfg.ChannelExpiry = 120 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &ProducerManager{cfg: cfg, groups: map[string]map[uint64]*ChannelInfo{}, clients: map[string]Channel{}}
}

// Register records a heartbeat's producer group for the channel.
func (m *ProducerManager) Register(groupName string, info ChannelInfo) {
	now := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.groups[groupName]
	if g == nil {
		g = map[uint64]*ChannelInfo{}
		m.groups[groupName] = g
	}
	if info.ClientID != "" {
		// The latest heartbeat wins: a client that reconnected is reached
		// on its new connection even before the old one is noticed closed.
		m.clients[info.ClientID] = info.Channel
	}
	if old := g[info.Channel.ID()]; old != nil {
		old.LastUpdate = now
		return
	}
	info.LastUpdate = now
	g[info.Channel.ID()] = &info
	m.cfg.Logger.WithFields(logrus.Fields{"group": groupName, "client": info.ClientID, "remote": info.Channel.RemoteAddr()}).
		Info("new producer connected")
}

// Unregister removes the channel from group.
func (m *ProducerManager) Unregister(groupName string, ch Channel) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if g := m.groups[groupName]; g != nil {
		if ci := g[ch.ID()]; ci != nil {
			delete(g, ch.ID())
			m.dropClientLocked(ci.ClientID, ch.ID())
		}
		if len(g) == 0 {
			delete(m.groups, groupName)
		}
	}
}

// dropClientLocked removes clientID's index entry when it still points at
// the connection chID and no group holds that connection any more. Java
// drops the entry on any group's removal, which loses a client still
// producing for another group; this keeps it while it is reachable.
func (m *ProducerManager) dropClientLocked(clientID string, chID uint64) {
	ch, ok := m.clients[clientID]
	if !ok || ch.ID() != chID {
		return
	}
	for _, g := range m.groups {
		if _, ok := g[chID]; ok {
			return
		}
	}
	delete(m.clients, clientID)
}

// ChannelClosed removes the channel from every group.
func (m *ProducerManager) ChannelClosed(ch Channel) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, g := range m.groups {
		delete(g, ch.ID())
		if len(g) == 0 {
			delete(m.groups, name)
		}
	}
	for id, c := range m.clients {
		if c.ID() == ch.ID() {
			delete(m.clients, id)
		}
	}
}

// ScanExpired removes and returns channels silent for ChannelExpiry.
func (m *ProducerManager) ScanExpired() []Channel {
	deadline := m.cfg.Now().Add(-m.cfg.ChannelExpiry)
	var out []Channel
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, g := range m.groups {
		for id, ci := range g {
			if ci.LastUpdate.Before(deadline) {
				out = append(out, ci.Channel)
				delete(g, id)
				m.dropClientLocked(ci.ClientID, id)
			}
		}
		if len(g) == 0 {
			delete(m.groups, name)
		}
	}
	return out
}

// FindChannel returns the connection of the producer client with this
// client id (Java ProducerManager.findChannel): the reply path pushes a
// reply message to the client named by the request's REPLY_TO_CLIENT.
func (m *ProducerManager) FindChannel(clientID string) (Channel, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ch, ok := m.clients[clientID]
	return ch, ok
}

// Channels returns a snapshot of a group's connections sorted by client id.
func (m *ProducerManager) Channels(groupName string) []ChannelInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	g := m.groups[groupName]
	out := make([]ChannelInfo, 0, len(g))
	for _, ci := range g {
		out = append(out, *ci)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out
}

// Groups lists every producer group.
func (m *ProducerManager) Groups() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.groups))
	for name := range m.groups {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
