package client

import (
	"testing"
	"time"
)

// TestProducerFindChannel: the reply path finds a producer's connection by
// client id for as long as some group still holds that connection, and
// loses it once the connection closes, expires or leaves every group.
func TestProducerFindChannel(t *testing.T) {
	now := time.Unix(1000, 0)
	a, a2, b := &fakeChan{id: 1}, &fakeChan{id: 2}, &fakeChan{id: 3}
	type step struct {
		name string
		do   func(m *ProducerManager)
		want map[string]uint64 // client id → channel id; 0 = not found
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"register and close", []step{
			{"register", func(m *ProducerManager) { m.Register("P", ChannelInfo{Channel: a, ClientID: "ca"}) }, map[string]uint64{"ca": 1, "cb": 0}},
			{"other client", func(m *ProducerManager) { m.Register("P", ChannelInfo{Channel: b, ClientID: "cb"}) }, map[string]uint64{"ca": 1, "cb": 3}},
			{"close a", func(m *ProducerManager) { m.ChannelClosed(a) }, map[string]uint64{"ca": 0, "cb": 3}},
		}},
		{"unregister one of two groups keeps the client", []step{
			{"two groups", func(m *ProducerManager) {
				m.Register("P", ChannelInfo{Channel: a, ClientID: "ca"})
				m.Register("Q", ChannelInfo{Channel: a, ClientID: "ca"})
			}, map[string]uint64{"ca": 1}},
			{"unregister P", func(m *ProducerManager) { m.Unregister("P", a) }, map[string]uint64{"ca": 1}},
			{"unregister Q", func(m *ProducerManager) { m.Unregister("Q", a) }, map[string]uint64{"ca": 0}},
		}},
		{"reconnect moves the client to the new connection", []step{
			{"first", func(m *ProducerManager) { m.Register("P", ChannelInfo{Channel: a, ClientID: "ca"}) }, map[string]uint64{"ca": 1}},
			{"second", func(m *ProducerManager) { m.Register("P", ChannelInfo{Channel: a2, ClientID: "ca"}) }, map[string]uint64{"ca": 2}},
			{"old closes", func(m *ProducerManager) { m.ChannelClosed(a) }, map[string]uint64{"ca": 2}},
			{"old unregister is harmless", func(m *ProducerManager) { m.Unregister("P", a) }, map[string]uint64{"ca": 2}},
		}},
		{"expiry", []step{
			{"register", func(m *ProducerManager) { m.Register("P", ChannelInfo{Channel: a, ClientID: "ca"}) }, map[string]uint64{"ca": 1}},
			{"silent past expiry", func(m *ProducerManager) {
				now = now.Add(121 * time.Second)
				if got := m.ScanExpired(); len(got) != 1 || got[0] != a {
					t.Fatalf("expired %v", got)
				}
			}, map[string]uint64{"ca": 0}},
		}},
		{"empty client id is not indexed", []step{
			{"register", func(m *ProducerManager) { m.Register("P", ChannelInfo{Channel: a}) }, map[string]uint64{"": 0}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewProducerManager(ProducerConfig{Now: func() time.Time { return now }})
			for _, st := range tc.steps {
				st.do(m)
				for id, want := range st.want {
					ch, ok := m.FindChannel(id)
					switch {
					case want == 0 && ok:
						t.Fatalf("%s: FindChannel(%q) = channel %d, want none", st.name, id, ch.ID())
					case want != 0 && (!ok || ch.ID() != want):
						t.Fatalf("%s: FindChannel(%q) = %v %v, want channel %d", st.name, id, ch, ok, want)
					}
				}
			}
		})
	}
}
