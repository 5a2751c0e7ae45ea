package rebalancelock

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func quiet() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func newManager(c *clock) *Manager {
	return New(Config{Now: c.now, Logger: quiet()})
}

func mq(id int32) MessageQueue { return MessageQueue{Topic: "T", BrokerName: "broker-a", QueueID: id} }

func TestLockOwnershipAndExpiry(t *testing.T) {
	c := &clock{t: time.UnixMilli(1_700_000_000_000)}
	m := newManager(c)
	if m.MaxLiveTime() != 60*time.Second {
		t.Fatalf("default lifetime %v, want Java's 60 s", m.MaxLiveTime())
	}
	all := []MessageQueue{mq(0), mq(1), mq(2), mq(3)}

	steps := []struct {
		name    string
		advance time.Duration
		group   string
		client  string
		ask     []MessageQueue
		want    []MessageQueue
	}{
		{"free queues go to the first asker", 0, "G", "A", all[:2], all[:2]},
		{"another client gets only the free ones", 0, "G", "B", all, all[2:]},
		{"the owner renews", 30 * time.Second, "G", "A", all[:2], all[:2]},
		{"another group is independent", 0, "G2", "B", all[:1], all[:1]},
		// A renewed at t=30 s; B locked 2,3 at t=0.
		{"at exactly the lifetime the lock still holds", 30 * time.Second, "G", "A", all[2:], nil},
		{"one millisecond later it moves", time.Millisecond, "G", "A", all[2:], all[2:]},
		{"A's queues 0,1 were renewed at 30 s: still A's", 0, "G", "B", all, nil},
		{"after 60 s without renewal everything is B's", 60*time.Second + time.Millisecond, "G", "B", all, all},
	}
	for _, s := range steps {
		c.add(s.advance)
		got := m.TryLockBatch(s.group, s.ask, s.client)
		if !reflect.DeepEqual(got, s.want) && !(len(got) == 0 && len(s.want) == 0) {
			t.Fatalf("%s: %s locked %v, want %v", s.name, s.client, got, s.want)
		}
	}
	if owner, live := m.Owner("G", mq(0)); owner != "B" || !live {
		t.Fatalf("owner of queue 0: %q live=%v", owner, live)
	}
}

func TestExpiredOwnerRelocksItsOwnQueue(t *testing.T) {
	c := &clock{t: time.Unix(100, 0)}
	m := newManager(c)
	if !m.TryLock("G", mq(0), "A") {
		t.Fatal("first lock refused")
	}
	c.add(2 * time.Minute)
	if _, live := m.Owner("G", mq(0)); live {
		t.Fatal("lock still live after 2 minutes")
	}
	if !m.TryLock("G", mq(0), "A") {
		t.Fatal("the expired owner could not lock again")
	}
	if m.TryLock("G", mq(0), "B") {
		t.Fatal("B took a freshly renewed lock")
	}
}

func TestUnlockOnlyByOwner(t *testing.T) {
	c := &clock{t: time.Unix(100, 0)}
	m := newManager(c)
	m.TryLockBatch("G", []MessageQueue{mq(0), mq(1)}, "A")

	m.UnlockBatch("G", []MessageQueue{mq(0), mq(1)}, "B") // not B's: ignored
	m.UnlockBatch("NoSuchGroup", []MessageQueue{mq(0)}, "A")
	if got := m.TryLockBatch("G", []MessageQueue{mq(0), mq(1)}, "B"); len(got) != 0 {
		t.Fatalf("B got %v after unlocking queues it did not hold", got)
	}
	m.UnlockBatch("G", []MessageQueue{mq(0)}, "A")
	if got := m.TryLockBatch("G", []MessageQueue{mq(0), mq(1)}, "B"); !reflect.DeepEqual(got, []MessageQueue{mq(0)}) {
		t.Fatalf("after A unlocked queue 0, B got %v", got)
	}
	// Java releases an expired lock on its holder's unlock too.
	c.add(5 * time.Minute)
	m.UnlockBatch("G", []MessageQueue{mq(1)}, "A")
	if owner, _ := m.Owner("G", mq(1)); owner != "" {
		t.Fatalf("queue 1 still owned by %q", owner)
	}
	m.UnlockBatch("G", []MessageQueue{mq(0)}, "B")
	if len(m.groups) != 0 {
		t.Fatalf("emptied group kept: %v", m.groups)
	}
}

func TestBatchDeduplicatesAndKeepsOrder(t *testing.T) {
	m := newManager(&clock{t: time.Unix(1, 0)})
	got := m.TryLockBatch("G", []MessageQueue{mq(3), mq(1), mq(3), mq(2)}, "A")
	if want := []MessageQueue{mq(3), mq(1), mq(2)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Queues differ by broker name and topic as well as id.
	other := []MessageQueue{{Topic: "T", BrokerName: "broker-b", QueueID: 3}, {Topic: "U", BrokerName: "broker-a", QueueID: 3}}
	if got := m.TryLockBatch("G", other, "B"); !reflect.DeepEqual(got, other) {
		t.Fatalf("distinct queues refused: %v", got)
	}
}

// TestConcurrentClientsNeverShareAQueue: many clients race for the same
// queues; at any moment each queue has one owner, and every grant a client
// saw is consistent with the table.
func TestConcurrentClientsNeverShareAQueue(t *testing.T) {
	m := New(Config{Logger: quiet()})
	all := []MessageQueue{mq(0), mq(1), mq(2), mq(3), mq(4), mq(5), mq(6), mq(7)}
	var mu sync.Mutex
	grants := map[MessageQueue]map[string]bool{}
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				for _, q := range m.TryLockBatch("G", all, id) {
					mu.Lock()
					if grants[q] == nil {
						grants[q] = map[string]bool{}
					}
					grants[q][id] = true
					mu.Unlock()
				}
			}
		}(fmt.Sprintf("client-%d", c))
	}
	wg.Wait()
	for q, owners := range grants {
		if len(owners) != 1 {
			t.Fatalf("queue %v granted to %d clients without expiry or unlock: %v", q, len(owners), owners)
		}
	}
}

func TestBodies(t *testing.T) {
	// What the Java client sends (wire capture 043) and what Go's
	// jsoniter writes (struct order, no onlyThisBroker).
	java := `{"clientId":"192.0.2.2@wireOrder","consumerGroup":"WireOrderGroup","mqSet":[{"brokerName":"broker-a","queueId":3,"topic":"WireTopic"}]}`
	goClient := `{"consumerGroup":"WireOrderGroup","clientId":"192.0.2.2@wireOrder","mqSet":[{"topic":"WireTopic","brokerName":"broker-a","queueId":3}]}`
	want := BatchRequest{ConsumerGroup: "WireOrderGroup", ClientID: "192.0.2.2@wireOrder", HasGroup: true, HasClientID: true,
		MQs: []MessageQueue{{Topic: "WireTopic", BrokerName: "broker-a", QueueID: 3}}}
	for _, in := range []string{java, goClient} {
		got, err := DecodeBatchRequest([]byte(in))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("decode %s: %+v %v", in, got, err)
		}
	}
	if enc := want.Encode(); string(enc) != java {
		t.Fatalf("encode: %s\nwant   %s", enc, java)
	}
	resp := AppendLockBatchResponse(nil, want.MQs)
	if string(resp) != `{"lockOKMQSet":[{"brokerName":"broker-a","queueId":3,"topic":"WireTopic"}]}` {
		t.Fatalf("response body %s", resp)
	}
	back, err := DecodeLockBatchResponse(resp)
	if err != nil || !reflect.DeepEqual(back, want.MQs) {
		t.Fatalf("response round trip: %v %v", back, err)
	}
	if s := string(AppendLockBatchResponse(nil, nil)); s != `{"lockOKMQSet":[]}` {
		t.Fatalf("empty response %s", s)
	}
	if s := string(appendString(nil, "a\"b\\c\nd\x01\x7fé")); s != `"a\"b\\c\nd\u0001\u007Fé"` {
		t.Fatalf("escaping: %s", s)
	}

	lenient := []struct {
		in   string
		want BatchRequest
	}{
		{`{"mqSet":[{"topic":"T","brokerName":"b","queueId":"7"}]}`, BatchRequest{MQs: []MessageQueue{{Topic: "T", BrokerName: "b", QueueID: 7}}}},
		{`{"consumerGroup":null,"clientId":"c","mqSet":null,"other":1}`, BatchRequest{ClientID: "c", HasClientID: true, MQs: []MessageQueue{}}},
		{` {"consumerGroup":"","clientId":""} `, BatchRequest{HasGroup: true, HasClientID: true, MQs: []MessageQueue{}}},
	}
	for _, tc := range lenient {
		got, err := DecodeBatchRequest([]byte(tc.in))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decode %s: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, why string }{
		{"", "empty"},
		{"null", "not a JSON object"},
		{"[1]", "not a JSON object"},
		{`{"mqSet":[{"queueId":"x"}]}`, "queueId"},
		{`{"mqSet":[{"queueId":99999999999}]}`, "queueId"},
		{`{"mqSet":{"topic":"T"}}`, "mqSet"},
		{`{"clientId":`, "unexpected end"},
	}
	for _, tc := range bad {
		_, err := DecodeBatchRequest([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("decode %q: error %v, want one mentioning %q", tc.in, err, tc.why)
		}
	}
}

func BenchmarkTryLockBatch16(b *testing.B) {
	m := New(Config{Logger: quiet()})
	mqs := make([]MessageQueue, 16)
	for i := range mqs {
		mqs[i] = MessageQueue{Topic: "BenchTopic", BrokerName: "broker-a", QueueID: int32(i)}
	}
	dst := make([]MessageQueue, 0, 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = m.AppendLocked(dst[:0], "BenchGroup", mqs, "10.0.0.1@bench")
		if len(dst) != 16 {
			b.Fatal(len(dst))
		}
	}
}

// BenchmarkLockBatchRequest16 is the whole per-request work of
// LOCK_BATCH_MQ for 16 queues: decode, lock, encode.
func BenchmarkLockBatchRequest16(b *testing.B) {
	m := New(Config{Logger: quiet()})
	req := BatchRequest{ConsumerGroup: "BenchGroup", ClientID: "10.0.0.1@bench"}
	for i := 0; i < 16; i++ {
		req.MQs = append(req.MQs, MessageQueue{Topic: "BenchTopic", BrokerName: "broker-a", QueueID: int32(i)})
	}
	body := req.Encode()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r, err := DecodeBatchRequest(body)
		if err != nil {
			b.Fatal(err)
		}
		out := AppendLockBatchResponse(nil, m.TryLockBatch(r.ConsumerGroup, r.MQs, r.ClientID))
		if len(out) == 0 {
			b.Fatal("empty")
		}
	}
}
