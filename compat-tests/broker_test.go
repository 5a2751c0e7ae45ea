package compat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// newProducer starts a Go client producer against c's NameServer.
func newProducer(t *testing.T, c *cluster, group string, opts ...producer.Option) rocketmq.Producer {
	t.Helper()
	opts = append([]producer.Option{
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		producer.WithGroupName(group),
		producer.WithRetry(2),
	}, opts...)
	p, err := producer.NewDefaultProducer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	return p
}

// createTopic creates topic on the broker through the Go client's admin
// API and waits until the NameServer serves its route.
func createTopic(t *testing.T, c *cluster, topic string, queues int) {
	t.Helper()
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = adm.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := adm.CreateTopic(ctx, admin.WithTopicCreate(topic), admin.WithBrokerAddrCreate(c.Broker()),
		admin.WithReadQueueNums(queues), admin.WithWriteQueueNums(queues)); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, c, topic, queues)
}

// collector gathers what a push consumer receives.
type collector struct {
	mu   sync.Mutex
	msgs []*primitive.MessageExt
	byID map[string]int
	ch   chan struct{}
}

func newCollector() *collector {
	return &collector{byID: map[string]int{}, ch: make(chan struct{}, 1)}
}

func (col *collector) consume(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	col.mu.Lock()
	for _, m := range msgs {
		col.msgs = append(col.msgs, m)
		col.byID[m.MsgId]++
	}
	col.mu.Unlock()
	select {
	case col.ch <- struct{}{}:
	default:
	}
	return consumer.ConsumeSuccess, nil
}

// waitDistinct waits until n distinct message ids arrived.
func (col *collector) waitDistinct(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		col.mu.Lock()
		got := len(col.byID)
		col.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-col.ch:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("received %d distinct messages, want %d", got, n)
		}
	}
}

func (col *collector) snapshot() ([]*primitive.MessageExt, map[string]int) {
	col.mu.Lock()
	defer col.mu.Unlock()
	ids := make(map[string]int, len(col.byID))
	for k, v := range col.byID {
		ids[k] = v
	}
	return append([]*primitive.MessageExt(nil), col.msgs...), ids
}

// startPushConsumer subscribes a push consumer and starts it.
func startPushConsumer(t *testing.T, c *cluster, group, topic, expr string, col *collector, opts ...consumer.Option) rocketmq.PushConsumer {
	t.Helper()
	opts = append([]consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}, opts...)
	pc, err := consumer.NewPushConsumer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: expr}, col.consume); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { _ = pc.Shutdown() }) })
	return pc
}

// TestSendModesAndFieldsArriveIntact: sync, async, oneway and batch sends
// through the Go client, consumed by a push consumer with every field the
// producer set.
func TestSendModesAndFieldsArriveIntact(t *testing.T) {
	c := startCluster(t)
	const topic = "FieldsTopic"
	createTopic(t, c, topic, 4)
	p := newProducer(t, c, "fields-producer")
	ctx := context.Background()
	before := time.Now().Add(-time.Second)

	sent := map[string]*primitive.Message{} // by UNIQ_KEY
	newMsg := func(i int) *primitive.Message {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("body-%d-%s", i, strings.Repeat("x", i%7))))
		m.WithTag("TagA").WithKeys([]string{"k" + strconv.Itoa(i), "shared"}).WithProperty("userProp", "v"+strconv.Itoa(i))
		return m
	}
	var offsetIDs []string
	for i := 0; i < 10; i++ {
		m := newMsg(i)
		res, err := p.SendSync(ctx, m)
		if err != nil || res.Status != primitive.SendOK {
			t.Fatalf("SendSync %d: %v %v", i, res, err)
		}
		if len(res.OffsetMsgID) != 32 || res.MsgID == "" {
			t.Fatalf("send result ids: msgId %q offsetMsgId %q", res.MsgID, res.OffsetMsgID)
		}
		offsetIDs = append(offsetIDs, res.OffsetMsgID)
		sent[res.MsgID] = m
	}
	var wg sync.WaitGroup
	var asyncErr error
	var amu sync.Mutex
	for i := 10; i < 20; i++ {
		m := newMsg(i)
		wg.Add(1)
		if err := p.SendAsync(ctx, func(_ context.Context, res *primitive.SendResult, err error) {
			defer wg.Done()
			amu.Lock()
			defer amu.Unlock()
			if err != nil || res.Status != primitive.SendOK {
				asyncErr = fmt.Errorf("async: %v %v", res, err)
				return
			}
			sent[res.MsgID] = m
		}, m); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if asyncErr != nil {
		t.Fatal(asyncErr)
	}
	for i := 20; i < 25; i++ {
		if err := p.SendOneWay(ctx, newMsg(i)); err != nil {
			t.Fatal(err)
		}
	}
	batch := []*primitive.Message{newMsg(25), newMsg(26), newMsg(27)}
	res, err := p.SendSync(ctx, batch...)
	if err != nil || res.Status != primitive.SendOK {
		t.Fatalf("batch send: %v %v", res, err)
	}
	if ids := strings.Split(res.OffsetMsgID, ","); len(ids) != 3 {
		t.Fatalf("batch offset ids %q", res.OffsetMsgID)
	}

	col := newCollector()
	startPushConsumer(t, c, "fields-consumer", topic, "*", col)
	col.waitDistinct(t, 28, 30*time.Second)
	msgs, _ := col.snapshot()
	seenOffsetIDs := map[string]bool{}
	bodies := map[string]bool{}
	for _, m := range msgs {
		seenOffsetIDs[m.OffsetMsgId] = true
		bodies[string(m.Body)] = true
		if m.GetTags() != "TagA" || m.GetProperty("userProp") == "" || !strings.Contains(m.GetKeys(), "shared") {
			t.Fatalf("message lost fields: tags %q keys %q props %v", m.GetTags(), m.GetKeys(), m.GetProperties())
		}
		if m.StoreTimestamp < before.UnixMilli() || m.BornTimestamp < before.UnixMilli() || m.StoreTimestamp < m.BornTimestamp-1000 {
			t.Fatalf("timestamps born %d store %d", m.BornTimestamp, m.StoreTimestamp)
		}
		if !strings.HasPrefix(m.BornHost, "127.0.0.1:") || m.StoreHost != c.Broker() {
			t.Fatalf("hosts born %q store %q (broker %s)", m.BornHost, m.StoreHost, c.Broker())
		}
		if m.ReconsumeTimes != 0 || m.GetProperty("CLUSTER") != "CompatCluster" {
			t.Fatalf("reconsume %d cluster %q", m.ReconsumeTimes, m.GetProperty("CLUSTER"))
		}
		if want, ok := sent[m.MsgId]; ok {
			if string(want.Body) != string(m.Body) || want.GetProperty("userProp") != m.GetProperty("userProp") {
				t.Fatalf("message %s: body %q prop %q, sent %q %q", m.MsgId, m.Body, m.GetProperty("userProp"),
					want.Body, want.GetProperty("userProp"))
			}
		}
	}
	for i := 0; i < 28; i++ {
		if !bodies[fmt.Sprintf("body-%d-%s", i, strings.Repeat("x", i%7))] {
			t.Fatalf("body of message %d never arrived", i)
		}
	}
	for _, id := range offsetIDs {
		if !seenOffsetIDs[id] {
			t.Fatalf("offset msgId %s of a sync send not seen by the consumer", id)
		}
	}
}

// TestAutoCreateTopicOnFirstSend: a send to an unknown topic goes through
// TBW102, the broker creates the topic and registers it, and the route
// appears with the producer's default 4 queues.
func TestAutoCreateTopicOnFirstSend(t *testing.T) {
	c := startCluster(t)
	p := newProducer(t, c, "auto-producer")
	res, err := p.SendSync(context.Background(), primitive.NewMessage("AutoCreated", []byte("hi")))
	if err != nil || res.Status != primitive.SendOK {
		t.Fatalf("first send: %v %v", res, err)
	}
	// The producer's default of 4 queues (TBW102 has 8).
	waitRoute(t, c, "AutoCreated", 4)
}

// TestClusterConsumersShareAndRebalance: two consumers of one group split
// the queues and receive each message exactly once; when one leaves, the
// other takes over its queues.
func TestClusterConsumersShareAndRebalance(t *testing.T) {
	c := startCluster(t)
	const topic = "ShareTopic"
	createTopic(t, c, topic, 4)
	p := newProducer(t, c, "share-producer")
	send := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("m"+strconv.Itoa(i)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	send(0, 40)
	colA, colB := newCollector(), newCollector()
	a := startPushConsumer(t, c, "share-group", topic, "*", colA, consumer.WithInstance("a"))
	startPushConsumer(t, c, "share-group", topic, "*", colB, consumer.WithInstance("b"))
	// Both members settle on two queues each after the change notification.
	eventually(t, 40*time.Second, func() string {
		_, a1 := colA.snapshot()
		_, b1 := colB.snapshot()
		if len(a1)+len(b1) < 40 {
			return fmt.Sprintf("a %d + b %d < 40", len(a1), len(b1))
		}
		return ""
	})
	send(40, 80)
	eventually(t, 40*time.Second, func() string {
		_, a1 := colA.snapshot()
		_, b1 := colB.snapshot()
		union := map[string]bool{}
		for id := range a1 {
			union[id] = true
		}
		for id := range b1 {
			union[id] = true
		}
		if len(union) < 80 {
			return fmt.Sprintf("received %d of 80", len(union))
		}
		return ""
	})
	if _, a1 := colA.snapshot(); len(a1) == 0 {
		t.Fatal("consumer a got nothing")
	}
	if _, b1 := colB.snapshot(); len(b1) == 0 {
		t.Fatal("consumer b got nothing")
	}
	// One member leaves: the other is told, rebalances, and gets the rest.
	if err := a.Shutdown(); err != nil {
		t.Fatal(err)
	}
	_, bBefore := colB.snapshot()
	send(80, 120)
	eventually(t, 40*time.Second, func() string {
		_, b1 := colB.snapshot()
		if got := len(b1) - len(bBefore); got < 40 {
			return fmt.Sprintf("after a left, b received %d of the 40 new messages", got)
		}
		return ""
	})
}

// TestBroadcastingConsumersEachGetAll: every member of a BROADCASTING
// group receives every message.
func TestBroadcastingConsumersEachGetAll(t *testing.T) {
	c := startCluster(t)
	const topic = "BroadcastTopic"
	createTopic(t, c, topic, 2)
	colA, colB := newCollector(), newCollector()
	startPushConsumer(t, c, "bc-group", topic, "*", colA, consumer.WithInstance("a"), consumer.WithConsumerModel(consumer.BroadCasting))
	startPushConsumer(t, c, "bc-group", topic, "*", colB, consumer.WithInstance("b"), consumer.WithConsumerModel(consumer.BroadCasting))
	p := newProducer(t, c, "bc-producer")
	for i := 0; i < 20; i++ {
		if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("b"+strconv.Itoa(i)))); err != nil {
			t.Fatal(err)
		}
	}
	colA.waitDistinct(t, 20, 30*time.Second)
	colB.waitDistinct(t, 20, 30*time.Second)
}

// TestTagFilter: a consumer of "TagA || TagB" gets exactly those.
func TestTagFilter(t *testing.T) {
	c := startCluster(t)
	const topic = "TagTopic"
	createTopic(t, c, topic, 2)
	p := newProducer(t, c, "tag-producer")
	want := 0
	for i := 0; i < 30; i++ {
		tag := []string{"TagA", "TagB", "TagC"}[i%3]
		if tag != "TagC" {
			want++
		}
		m := primitive.NewMessage(topic, []byte(tag+strconv.Itoa(i)))
		m.WithTag(tag)
		if _, err := p.SendSync(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	col := newCollector()
	startPushConsumer(t, c, "tag-group", topic, "TagA || TagB", col)
	col.waitDistinct(t, want, 30*time.Second)
	time.Sleep(500 * time.Millisecond)
	msgs, ids := col.snapshot()
	if len(ids) != want {
		t.Fatalf("got %d distinct, want %d", len(ids), want)
	}
	for _, m := range msgs {
		if m.GetTags() == "TagC" {
			t.Fatalf("TagC delivered: %s", m.Body)
		}
	}
}

// TestConsumeFromWhere: where a new group starts. Java 4.9.7 answers
// QUERY_CONSUMER_OFFSET for a group without an offset with 0 while the
// queue's first message is still in memory, so FIRST, LAST and TIMESTAMP
// all start at the beginning of a young queue (users rely on it;
// GO-CLIENT.md §1.3). The timestamp lookup itself (SEARCH_OFFSET_BY_TIMESTAMP,
// used once the first message has aged out of memory) answers the entry
// closest to the timestamp.
func TestConsumeFromWhere(t *testing.T) {
	c := startCluster(t)
	const topic = "WhereTopic"
	createTopic(t, c, topic, 1)
	p := newProducer(t, c, "where-producer")
	send := func(prefix string, n int) {
		for i := 0; i < n; i++ {
			if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte(prefix+strconv.Itoa(i)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("old", 5)
	time.Sleep(1500 * time.Millisecond)
	mark := time.Now()
	time.Sleep(300 * time.Millisecond)
	send("new", 5)

	for _, w := range []struct {
		name string
		opts []consumer.Option
	}{
		{"first", []consumer.Option{consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset)}},
		{"last", []consumer.Option{consumer.WithConsumeFromWhere(consumer.ConsumeFromLastOffset)}},
		{"timestamp", []consumer.Option{consumer.WithConsumeFromWhere(consumer.ConsumeFromTimestamp),
			consumer.WithConsumeTimestamp(mark.UTC().Format("20060102150405"))}},
	} {
		col := newCollector()
		opts := append([]consumer.Option{consumer.WithInstance(w.name)}, w.opts...)
		startPushConsumer(t, c, "where-"+w.name, topic, "*", col, opts...)
		col.waitDistinct(t, 10, 30*time.Second)
	}

	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	search := func(ts int64) int64 {
		req := codec.NewRequest(int32(requestcode.SearchOffsetByTimestamp), 0)
		req.Set("topic", topic)
		req.Set("queueId", "0")
		req.Set("timestamp", strconv.FormatInt(ts, 10))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := cl.Invoke(ctx, c.Broker(), req)
		if err != nil || resp.Code != 0 {
			t.Fatalf("search: %v %v", resp, err)
		}
		off, _ := strconv.ParseInt(resp.Value("offset"), 10, 64)
		return off
	}
	if got := search(mark.UnixMilli()); got != 5 {
		t.Fatalf("offset by timestamp between the batches = %d, want 5 (the closest entry)", got)
	}
	if got := search(0); got != 0 {
		t.Fatalf("offset by timestamp 0 = %d", got)
	}
}

// TestPullConsumerReadsByOffset: the client's pull API reads a queue from
// a given offset; at the end of the queue the pull is held (long polling)
// and answered as soon as the next message is stored. The client runs in
// its own process (see pullprobe).
func TestPullConsumerReadsByOffset(t *testing.T) {
	c := startCluster(t)
	const topic = "PullTopic"
	createTopic(t, c, topic, 1)
	p := newProducer(t, c, "pull-producer")
	for i := 0; i < 10; i++ {
		if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("p"+strconv.Itoa(i)))); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(binary(t, "pullprobe"), "-namesrv", c.Namesrv(), "-topic", topic, "-broker-name", "broker-compat")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	pull := func(offset, n int) pullResult {
		t.Helper()
		fmt.Fprintf(stdin, "%d %d\n", offset, n)
		if !lines.Scan() {
			t.Fatalf("pullprobe ended: %v\n%s", lines.Err(), stderr.String())
		}
		var r pullResult
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			t.Fatalf("pullprobe said %q: %v", lines.Text(), err)
		}
		if r.Err != "" {
			t.Fatalf("pull %d: %s", offset, r.Err)
		}
		return r
	}
	r := pull(4, 3)
	if r.Status != 0 || len(r.Bodies) != 3 || r.Next != 7 || r.Max != 10 {
		t.Fatalf("pull from 4: %+v", r)
	}
	for i, b := range r.Bodies {
		if b != "p"+strconv.Itoa(4+i) || r.Offsets[i] != int64(4+i) {
			t.Fatalf("message %d: %q at %d", i, b, r.Offsets[i])
		}
	}
	go func() {
		time.Sleep(500 * time.Millisecond)
		_, _ = p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("p10")))
	}()
	r = pull(10, 3)
	if r.Status != 0 || len(r.Bodies) != 1 || r.Bodies[0] != "p10" {
		t.Fatalf("held pull: %+v", r)
	}
	if r.ElapsedMS < 400 || r.ElapsedMS > 5000 {
		t.Fatalf("held pull answered after %d ms; the message was sent after 500 ms", r.ElapsedMS)
	}
}

type pullResult struct {
	Status    int      `json:"status"`
	Next      int64    `json:"next"`
	Max       int64    `json:"max"`
	Bodies    []string `json:"bodies"`
	Offsets   []int64  `json:"offsets"`
	ElapsedMS int64    `json:"elapsedMs"`
	Err       string   `json:"err"`
}
