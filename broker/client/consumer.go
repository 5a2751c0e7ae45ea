// Package client keeps the broker's view of the clients connected to it:
// consumer groups with their members and subscriptions, and producer
// groups, learnt from heartbeats (Java broker.client.ConsumerManager,
// ConsumerGroupInfo, ProducerManager and ClientHousekeepingService).
package client

import (
	"sort"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// Channel is a client connection (a *remoting.Conn in the broker).
type Channel interface {
	ID() uint64
	RemoteAddr() string
	InvokeOneway(req *codec.Command) error
	Close() error
}

// ChannelInfo is one client connection of a group (Java ClientChannelInfo).
type ChannelInfo struct {
	Channel    Channel
	ClientID   string
	Language   codec.LanguageCode
	Version    int32
	LastUpdate time.Time
}

// Group is one consumer group (Java ConsumerGroupInfo). Fields are a
// snapshot: Manager hands out copies.
type Group struct {
	Name             string
	ConsumeType      string
	MessageModel     string
	ConsumeFromWhere string
	Channels         []ChannelInfo
	Subscriptions    map[string]body.SubscriptionData
	LastUpdate       time.Time
}

type group struct {
	name             string
	consumeType      string
	messageModel     string
	consumeFromWhere string
	channels         map[uint64]*ChannelInfo
	subs             map[string]*body.SubscriptionData
	lastUpdate       time.Time
}

// Event is what happened to a group's membership (Java
// ConsumerGroupEvent).
type Event int

// Group events.
const (
	EventChange Event = iota
	EventUnregister
	EventRegister
)

// ConsumerConfig configures a ConsumerManager.
type ConsumerConfig struct {
	// OnChange runs, outside the manager's lock, when a group's members or
	// subscriptions changed (Java ConsumerIdsChangeListener). channels is
	// the group's remaining members.
	OnChange func(ev Event, group string, channels []Channel)
	// ChannelExpiry drops a member silent for this long (Java 120 s).
	ChannelExpiry time.Duration
	Now           func() time.Time
	Logger        logrus.FieldLogger
}

// ConsumerManager is the table of consumer groups.
type ConsumerManager struct {
	cfg    ConsumerConfig
	mu     sync.RWMutex
	groups map[string]*group
}

// NewConsumerManager returns an empty table.
func NewConsumerManager(cfg ConsumerConfig) *ConsumerManager {
	if cfg.ChannelExpiry <= 0 {
		cfg.ChannelExpiry = 120 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	if cfg.OnChange == nil {
		cfg.OnChange = func(Event, string, []Channel) {}
	}
	return &ConsumerManager{cfg: cfg, groups: map[string]*group{}}
}

// Register records a heartbeat's consumer group for ch (Java
// ConsumerManager.registerConsumer). It reports whether the member set or
// the subscriptions changed; when they did and notify is set, OnChange runs
// with the group's members so they rebalance at once.
func (m *ConsumerManager) Register(info ChannelInfo, cd *body.ConsumerData, notify bool) bool {
	now := m.cfg.Now()
	m.mu.Lock()
	g := m.groups[cd.GroupName]
	if g == nil {
		g = &group{name: cd.GroupName, channels: map[uint64]*ChannelInfo{}, subs: map[string]*body.SubscriptionData{}}
		m.groups[cd.GroupName] = g
	}
	g.consumeType, g.messageModel, g.consumeFromWhere = cd.ConsumeType, cd.MessageModel, cd.ConsumeFromWhere
	changed := false
	id := info.Channel.ID()
	if old := g.channels[id]; old == nil {
		info.LastUpdate = now
		ci := info
		g.channels[id] = &ci
		changed = true
		m.cfg.Logger.WithFields(logrus.Fields{"group": g.name, "client": info.ClientID, "remote": info.Channel.RemoteAddr()}).
			Info("new consumer connected")
	} else {
		old.ClientID = info.ClientID
		old.LastUpdate = now
	}
	if g.updateSubscriptions(cd.Subscriptions) {
		changed = true
	}
	g.lastUpdate = now
	var chans []Channel
	if changed && notify {
		chans = g.channelList()
	}
	m.mu.Unlock()
	if chans != nil {
		m.cfg.OnChange(EventChange, cd.GroupName, chans)
	}
	return changed
}

// updateSubscriptions mirrors ConsumerGroupInfo.updateSubscription: a new
// topic or a removed one is a change; a newer subVersion replaces the entry
// without counting as one.
func (g *group) updateSubscriptions(list []body.SubscriptionData) bool {
	changed := false
	for i := range list {
		s := list[i]
		old := g.subs[s.Topic]
		switch {
		case old == nil:
			g.subs[s.Topic] = &s
			changed = true
		case s.SubVersion > old.SubVersion:
			g.subs[s.Topic] = &s
		}
	}
	for topic := range g.subs {
		found := false
		for i := range list {
			if list[i].Topic == topic {
				found = true
				break
			}
		}
		if !found {
			delete(g.subs, topic)
			changed = true
		}
	}
	return changed
}

func (g *group) channelList() []Channel {
	out := make([]Channel, 0, len(g.channels))
	for _, ci := range g.channels {
		out = append(out, ci.Channel)
	}
	return out
}

// Unregister removes ch from group (UNREGISTER_CLIENT).
func (m *ConsumerManager) Unregister(groupName string, ch Channel, notify bool) {
	m.mu.Lock()
	g := m.groups[groupName]
	if g == nil {
		m.mu.Unlock()
		return
	}
	delete(g.channels, ch.ID())
	ev, chans := m.afterRemoval(g)
	m.mu.Unlock()
	if notify || ev == EventUnregister {
		m.cfg.OnChange(ev, groupName, chans)
	}
}

// afterRemoval drops an emptied group. Called with mu held.
func (m *ConsumerManager) afterRemoval(g *group) (Event, []Channel) {
	if len(g.channels) == 0 {
		delete(m.groups, g.name)
		m.cfg.Logger.WithField("group", g.name).Info("consumer group has no member left, removed")
		return EventUnregister, nil
	}
	return EventChange, g.channelList()
}

// ChannelClosed removes ch from every group it was in (Java
// doChannelCloseEvent); the remaining members are told to rebalance.
func (m *ConsumerManager) ChannelClosed(ch Channel) {
	type note struct {
		ev    Event
		group string
		chans []Channel
	}
	var notes []note
	m.mu.Lock()
	for name, g := range m.groups {
		if _, ok := g.channels[ch.ID()]; !ok {
			continue
		}
		delete(g.channels, ch.ID())
		ev, chans := m.afterRemoval(g)
		notes = append(notes, note{ev, name, chans})
	}
	m.mu.Unlock()
	for _, n := range notes {
		m.cfg.OnChange(n.ev, n.group, n.chans)
	}
}

// ScanExpired closes and removes members whose last heartbeat is older
// than ChannelExpiry (Java ClientHousekeepingService, every 10 s). As in
// Java the scan itself sends no notification; the close does.
func (m *ConsumerManager) ScanExpired() []Channel {
	deadline := m.cfg.Now().Add(-m.cfg.ChannelExpiry)
	var expired []Channel
	m.mu.Lock()
	for _, g := range m.groups {
		for id, ci := range g.channels {
			if ci.LastUpdate.Before(deadline) {
				expired = append(expired, ci.Channel)
				delete(g.channels, id)
				m.cfg.Logger.WithFields(logrus.Fields{"group": g.name, "client": ci.ClientID, "remote": ci.Channel.RemoteAddr()}).
					Warn("consumer channel expired, closing it")
			}
		}
		if len(g.channels) == 0 {
			delete(m.groups, g.name)
		}
	}
	m.mu.Unlock()
	return expired
}

// ClientIDs lists the client ids of a group's members, sorted (Java
// getAllClientId; clients sort it themselves, sorting here makes replies
// stable).
func (m *ConsumerManager) ClientIDs(groupName string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	g := m.groups[groupName]
	if g == nil {
		return nil
	}
	ids := make([]string, 0, len(g.channels))
	for _, ci := range g.channels {
		ids = append(ids, ci.ClientID)
	}
	sort.Strings(ids)
	return ids
}

// Subscription returns the group's subscription to topic from its
// heartbeats (Java findSubscriptionData). The pointer is shared and must
// not be modified.
func (m *ConsumerManager) Subscription(groupName, topic string) (*body.SubscriptionData, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	g := m.groups[groupName]
	if g == nil {
		return nil, false
	}
	s, ok := g.subs[topic]
	return s, ok
}

// HasGroup reports whether any member of group is connected.
func (m *ConsumerManager) HasGroup(groupName string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.groups[groupName] != nil
}

// Group returns a snapshot of a group.
func (m *ConsumerManager) Group(groupName string) (Group, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	g := m.groups[groupName]
	if g == nil {
		return Group{}, false
	}
	out := Group{Name: g.name, ConsumeType: g.consumeType, MessageModel: g.messageModel,
		ConsumeFromWhere: g.consumeFromWhere, LastUpdate: g.lastUpdate,
		Subscriptions: make(map[string]body.SubscriptionData, len(g.subs))}
	for _, ci := range g.channels {
		out.Channels = append(out.Channels, *ci)
	}
	sort.Slice(out.Channels, func(i, j int) bool { return out.Channels[i].ClientID < out.Channels[j].ClientID })
	for t, s := range g.subs {
		out.Subscriptions[t] = *s
	}
	return out, true
}

// GroupsOfTopic lists the groups subscribed to topic (Java
// queryTopicConsumeByWho).
func (m *ConsumerManager) GroupsOfTopic(topic string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for name, g := range m.groups {
		if _, ok := g.subs[topic]; ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Groups lists every group name.
func (m *ConsumerManager) Groups() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.groups))
	for name := range m.groups {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
