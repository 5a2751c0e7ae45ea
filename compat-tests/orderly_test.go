package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// orderlyLockLifetimeEnv stands in for Java's system property
// rocketmq.broker.rebalance.lockMaxLiveTime (see broker/orderly.go). The
// tests shorten the 60 s lifetime so that locks move within seconds; the
// broker process inherits the test's environment.
const orderlyLockLifetimeEnv = "ROCKETMQ_BROKER_REBALANCE_LOCKMAXLIVETIME"

// orderlyDelivery is one message an orderly consumer was handed: when its
// listener call began and when it returned.
type orderlyDelivery struct {
	key      string
	seq      int
	queue    int
	at, done time.Time
}

// orderlyRecorder records what one orderly consumer received, in order.
// Once pausing is switched on, the next call for each queue takes pause
// before it returns: a consumer busy with a message while its queue is
// reallocated.
type orderlyRecorder struct {
	pause   time.Duration
	pausing atomic.Bool

	mu     sync.Mutex
	paused map[int]bool
	got    []orderlyDelivery
}

func (r *orderlyRecorder) consume(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	start := time.Now()
	if len(msgs) == 0 {
		return consumer.ConsumeSuccess, nil
	}
	q := msgs[0].Queue.QueueId // an orderly batch is from one queue
	r.mu.Lock()
	pause := r.pausing.Load() && !r.paused[q]
	if pause {
		if r.paused == nil {
			r.paused = map[int]bool{}
		}
		r.paused[q] = true
	}
	r.mu.Unlock()
	if pause {
		time.Sleep(r.pause)
	}
	end := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		seq, _ := strconv.Atoi(m.GetProperty("seq"))
		r.got = append(r.got, orderlyDelivery{key: m.GetKeys(), seq: seq, queue: m.Queue.QueueId, at: start, done: end})
	}
	return consumer.ConsumeSuccess, nil
}

// pausedQueues is the number of queues a pause began on.
func (r *orderlyRecorder) pausedQueues() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.paused)
}

func (r *orderlyRecorder) snapshot() []orderlyDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]orderlyDelivery(nil), r.got...)
}

// orderlyCheckOrder fails when a consumer saw a key's sequence numbers
// other than strictly increasing.
func orderlyCheckOrder(t *testing.T, who string, got []orderlyDelivery) {
	t.Helper()
	last := map[string]int{}
	for _, d := range got {
		if prev, ok := last[d.key]; ok && d.seq <= prev {
			t.Fatalf("%s received %s #%d after #%d: order broken", who, d.key, d.seq, prev)
		}
		last[d.key] = d.seq
	}
}

// orderlyKeys picks perQueue keys for each of n queues as the Go client's
// hash selector places them (fnv-32a of the sharding key, modulo n).
func orderlyKeys(n, perQueue int) []string {
	counts := make([]int, n)
	var keys []string
	for i := 0; len(keys) < n*perQueue; i++ {
		k := "order-key-" + strconv.Itoa(i)
		h := fnv.New32a()
		h.Write([]byte(k))
		q := int(h.Sum32()) % n
		if q < 0 {
			q = -q
		}
		if counts[q] < perQueue {
			counts[q]++
			keys = append(keys, k)
		}
	}
	return keys
}

// orderlyConsumer starts an orderly push consumer of group (instance
// names one client of several in this process) that records into rec.
func orderlyConsumer(t *testing.T, c *cluster, group, topic, instance string, rec *orderlyRecorder) rocketmq.PushConsumer {
	t.Helper()
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
		consumer.WithConsumerOrder(true),
		consumer.WithInstance(instance),
		// Renew well within the broker's (shortened) lock lifetime, as the
		// client's 20 s default does within Java's 60 s.
		consumer.WithRebalanceLockInterval(500*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}, rec.consume); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Shutdown() })
	return pc
}

// TestOrderlyConsumerKeepsKeyOrderAcrossJoin: an orderly producer (hash
// queue selector on the sharding key) sends each key's messages in
// sequence; one orderly push consumer receives every key in order; a
// second one joins mid-stream, and the queues it is allocated move to it
// only once the first one's broker lock on them is gone — each queue is
// consumed by one member at a time, and each member sees every key in
// order.
func TestOrderlyConsumerKeepsKeyOrderAcrossJoin(t *testing.T) {
	// Lock lifetime 5 s, renewed every 500 ms by the clients (Java: 60 s
	// and 20 s).
	t.Setenv(orderlyLockLifetimeEnv, "5000")
	t0 := time.Now()
	stage := func(what string) { t.Logf("%v: %s", time.Since(t0).Round(time.Millisecond), what) }
	c := startCluster(t)
	stage("cluster up")
	const topic, group = "OrderTopic", "order-group"
	createTopic(t, c, topic, 4)
	p := newProducer(t, c, "order-producer", producer.WithQueueSelector(producer.NewHashQueueSelector()))
	keys := orderlyKeys(4, 2)

	var seq atomic.Int64 // messages sent so far per key = seq/len(keys)
	send := func(n int) {
		for i := 0; i < n; i++ {
			s := int(seq.Load())
			k := keys[s%len(keys)]
			m := primitive.NewMessage(topic, []byte(k+"#"+strconv.Itoa(s/len(keys))))
			m.WithShardingKey(k)
			m.WithKeys([]string{k})
			m.WithProperty("seq", strconv.Itoa(s/len(keys)))
			if _, err := p.SendSync(context.Background(), m); err != nil {
				t.Errorf("send %s #%d: %v", k, s/len(keys), err)
				return
			}
			seq.Add(1)
		}
	}

	// B joins while A is busy with a message of every queue (for 4 s,
	// less than the lock lifetime): A's broker locks on the queues that
	// move to B must keep B off them until A is done.
	recA, recB := &orderlyRecorder{pause: 4 * time.Second}, &orderlyRecorder{}
	orderlyConsumer(t, c, group, topic, "orderA", recA)
	stage("A started")
	send(80)
	stage("80 sent")
	eventually(t, 20*time.Second, func() string {
		if n := len(recA.snapshot()); n < 80 {
			return fmt.Sprintf("consumer A received %d of 80", n)
		}
		return ""
	})
	stage("A has the first 80")
	aQueues := map[int]bool{}
	for _, d := range recA.snapshot() {
		aQueues[d.queue] = true
	}
	if len(aQueues) != 4 {
		t.Fatalf("alone, A consumed queues %v, want all 4", aQueues)
	}

	// Keep sending while B joins.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			send(8)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	recA.pausing.Store(true)
	eventually(t, 5*time.Second, func() string {
		if n := recA.pausedQueues(); n < 4 {
			return fmt.Sprintf("A is busy on %d queues, want 4", n)
		}
		return ""
	})
	joined := time.Now()
	b := orderlyConsumer(t, c, group, topic, "orderB", recB)
	// The Go client rebalances every 20 s and v2.1.2 does not unlock the
	// queues a rebalance takes away (Java's client does): B gets them at
	// its first rebalance after A's locks have expired. Bring that
	// rebalance forward instead of waiting up to 20 s for the client's
	// ticker.
	rebalancer, _ := b.(interface{ Rebalance() })
	eventually(t, 25*time.Second, func() string {
		if len(recB.snapshot()) > 0 {
			return ""
		}
		if rebalancer != nil {
			rebalancer.Rebalance()
		}
		return "consumer B received nothing since joining"
	})
	stage("B received")
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	total := int(seq.Load())

	eventually(t, 20*time.Second, func() string {
		seen := map[string]bool{}
		for _, d := range append(recA.snapshot(), recB.snapshot()...) {
			seen[d.key+"#"+strconv.Itoa(d.seq)] = true
		}
		if len(seen) < total {
			return fmt.Sprintf("received %d of %d distinct messages", len(seen), total)
		}
		return ""
	})
	stage("all received")
	gotA, gotB := recA.snapshot(), recB.snapshot()
	orderlyCheckOrder(t, "consumer A", gotA)
	orderlyCheckOrder(t, "consumer B", gotB)

	// Queue ownership: on every queue B consumed, A's last listener call
	// had returned before B's first began; the two split the queues.
	firstB, lastA := map[int]time.Time{}, map[int]time.Time{}
	for _, d := range gotB {
		if _, ok := firstB[d.queue]; !ok {
			firstB[d.queue] = d.at
		}
	}
	for _, d := range gotA {
		if d.done.After(lastA[d.queue]) {
			lastA[d.queue] = d.done
		}
	}
	if len(firstB) == 0 || len(firstB) == 4 {
		t.Fatalf("B consumed queues %v: want a share of the 4", firstB)
	}
	var moves []string
	for q, fb := range firstB {
		moves = append(moves, fmt.Sprintf("queue %d: A done at %v, B's first at %v", q,
			lastA[q].Sub(joined).Round(time.Millisecond), fb.Sub(joined).Round(time.Millisecond)))
		if !lastA[q].Before(fb) {
			t.Errorf("queue %d consumed by both at once: A's last call returned %v after the join, B's first began %v after it",
				q, lastA[q].Sub(joined), fb.Sub(joined))
		}
	}
	sort.Strings(moves)
	t.Logf("sent %d; A received %d, B %d; %s", total, len(gotA), len(gotB), strings.Join(moves, "; "))
}

// orderlyLock sends LOCK_BATCH_MQ as clientID and returns the granted
// queue ids, sorted.
func orderlyLock(t *testing.T, cl *remoting.Client, addr, group, clientID string, ids ...int) []int {
	t.Helper()
	var mqs []string
	for _, id := range ids {
		mqs = append(mqs, fmt.Sprintf(`{"brokerName":"broker-compat","queueId":%d,"topic":"LockTopic"}`, id))
	}
	req := codec.NewRequest(int32(requestcode.LockBatchMq), 0)
	req.Body = []byte(fmt.Sprintf(`{"clientId":%q,"consumerGroup":%q,"mqSet":[%s]}`, clientID, group, strings.Join(mqs, ",")))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, req)
	if err != nil || resp.Code != int32(requestcode.Success) {
		t.Fatalf("lock: %v %v", resp, err)
	}
	// The Go client's own parse of the reply.
	var body struct {
		MQs []primitive.MessageQueue `json:"lockOKMQSet"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatalf("lock reply %s: %v", resp.Body, err)
	}
	got := []int{}
	for _, mq := range body.MQs {
		if mq.Topic != "LockTopic" || mq.BrokerName != "broker-compat" {
			t.Fatalf("lock reply names %v", mq)
		}
		got = append(got, mq.QueueId)
	}
	sort.Ints(got)
	return got
}

// TestLockBatchOneOwnerUntilExpiry: through the broker process, a queue
// locked by one client is refused to another of the same group until the
// owner unlocks it or its lock outlives the lock lifetime.
func TestLockBatchOneOwnerUntilExpiry(t *testing.T) {
	t.Setenv(orderlyLockLifetimeEnv, "1500")
	c := startCluster(t)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	addr := c.Broker()
	check := func(what string, got, want []int) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
	check("A locks all", orderlyLock(t, cl, addr, "G", "A", 0, 1, 2, 3), []int{0, 1, 2, 3})
	check("B while A holds them", orderlyLock(t, cl, addr, "G", "B", 0, 1, 2, 3), []int{})
	check("B in another group", orderlyLock(t, cl, addr, "G2", "B", 0), []int{0})

	unlock := codec.NewRequest(int32(requestcode.UnlockBatchMq), 0)
	unlock.Body = []byte(`{"clientId":"A","consumerGroup":"G","mqSet":[{"brokerName":"broker-compat","queueId":3,"topic":"LockTopic"}]}`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if resp, err := cl.Invoke(ctx, addr, unlock); err != nil || resp.Code != int32(requestcode.Success) {
		t.Fatalf("unlock: %v %v", resp, err)
	}
	check("B after A unlocked queue 3", orderlyLock(t, cl, addr, "G", "B", 0, 1, 2, 3), []int{3})

	// A keeps renewing 0 and 1 and lets 2 lapse.
	deadline := time.Now().Add(2500 * time.Millisecond)
	for time.Now().Before(deadline) {
		check("A renews", orderlyLock(t, cl, addr, "G", "A", 0, 1), []int{0, 1})
		time.Sleep(300 * time.Millisecond)
	}
	check("B after queue 2's lock expired", orderlyLock(t, cl, addr, "G", "B", 0, 1, 2), []int{2})
	check("A lost queue 2 to B", orderlyLock(t, cl, addr, "G", "A", 2), []int{})
}
