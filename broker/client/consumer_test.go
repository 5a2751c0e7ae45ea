package client

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

type fakeChan struct {
	id     uint64
	closed bool
}

func (f *fakeChan) ID() uint64                        { return f.id }
func (f *fakeChan) RemoteAddr() string                { return "127.0.0.1:1" }
func (f *fakeChan) InvokeOneway(*codec.Command) error { return nil }
func (f *fakeChan) Close() error                      { f.closed = true; return nil }

type changes struct {
	mu  sync.Mutex
	evs []string
}

func (c *changes) on(ev Event, group string, chans []Channel) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kind := map[Event]string{EventChange: "change", EventUnregister: "unregister"}[ev]
	c.evs = append(c.evs, kind+":"+group+":"+string(rune('0'+len(chans))))
}

func consumerData(group string, topics ...string) *body.ConsumerData {
	cd := &body.ConsumerData{GroupName: group, ConsumeType: "CONSUME_PASSIVELY", MessageModel: "CLUSTERING"}
	for _, t := range topics {
		cd.Subscriptions = append(cd.Subscriptions, body.ParseTagExpression(t, "*"))
	}
	return cd
}

func TestConsumerMembershipAndNotifications(t *testing.T) {
	ch := &changes{}
	now := time.Unix(1000, 0)
	m := NewConsumerManager(ConsumerConfig{OnChange: ch.on, Now: func() time.Time { return now }})
	a, b := &fakeChan{id: 1}, &fakeChan{id: 2}

	if !m.Register(ChannelInfo{Channel: a, ClientID: "c-a"}, consumerData("G", "T"), true) {
		t.Fatal("first member is a change")
	}
	if m.Register(ChannelInfo{Channel: a, ClientID: "c-a"}, consumerData("G", "T"), true) {
		t.Fatal("a repeated heartbeat is not a change")
	}
	m.Register(ChannelInfo{Channel: b, ClientID: "c-b"}, consumerData("G", "T"), true)
	if got := m.ClientIDs("G"); !reflect.DeepEqual(got, []string{"c-a", "c-b"}) {
		t.Fatalf("ClientIDs = %v", got)
	}
	// A new topic in the subscriptions is a change; a removed one too.
	if !m.Register(ChannelInfo{Channel: b, ClientID: "c-b"}, consumerData("G", "T", "U"), true) {
		t.Fatal("added subscription not a change")
	}
	if _, ok := m.Subscription("G", "U"); !ok {
		t.Fatal("subscription to U missing")
	}
	if !m.Register(ChannelInfo{Channel: b, ClientID: "c-b"}, consumerData("G", "T"), true) {
		t.Fatal("removed subscription not a change")
	}
	m.ChannelClosed(a)
	if got := m.ClientIDs("G"); !reflect.DeepEqual(got, []string{"c-b"}) {
		t.Fatalf("after close ClientIDs = %v", got)
	}
	m.ChannelClosed(b)
	if m.HasGroup("G") {
		t.Fatal("empty group kept")
	}
	want := []string{"change:G:1", "change:G:2", "change:G:2", "change:G:2", "change:G:1", "unregister:G:0"}
	if !reflect.DeepEqual(ch.evs, want) {
		t.Fatalf("events %v, want %v", ch.evs, want)
	}
}

func TestConsumerExpiry(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewConsumerManager(ConsumerConfig{Now: func() time.Time { return now }})
	a, b := &fakeChan{id: 1}, &fakeChan{id: 2}
	m.Register(ChannelInfo{Channel: a, ClientID: "a"}, consumerData("G", "T"), false)
	now = now.Add(100 * time.Second)
	m.Register(ChannelInfo{Channel: b, ClientID: "b"}, consumerData("G", "T"), false)
	now = now.Add(30 * time.Second)
	exp := m.ScanExpired()
	if len(exp) != 1 || exp[0] != Channel(a) {
		t.Fatalf("expired %v, want only a", exp)
	}
	if got := m.ClientIDs("G"); !reflect.DeepEqual(got, []string{"b"}) {
		t.Fatalf("ClientIDs = %v", got)
	}
}

func TestProducerTable(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewProducerManager(ProducerConfig{Now: func() time.Time { return now }})
	a := &fakeChan{id: 1}
	m.Register("P", ChannelInfo{Channel: a, ClientID: "a"})
	m.Register("Q", ChannelInfo{Channel: a, ClientID: "a"})
	if got := m.Groups(); !reflect.DeepEqual(got, []string{"P", "Q"}) {
		t.Fatalf("groups %v", got)
	}
	m.ChannelClosed(a)
	if got := m.Groups(); len(got) != 0 {
		t.Fatalf("groups after close %v", got)
	}
}
