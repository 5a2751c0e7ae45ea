package compat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// delayArrivals records when each message (by UNIQ_KEY) arrived and how
// often.
type delayArrivals struct {
	mu    sync.Mutex
	first map[string]time.Time
	count map[string]int
	queue map[string]int
}

func newDelayArrivals() *delayArrivals {
	return &delayArrivals{first: map[string]time.Time{}, count: map[string]int{}, queue: map[string]int{}}
}

func (d *delayArrivals) consume(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range msgs {
		if _, ok := d.first[m.MsgId]; !ok {
			d.first[m.MsgId] = now
			d.queue[m.MsgId] = m.Queue.QueueId
		}
		d.count[m.MsgId]++
	}
	return consumer.ConsumeSuccess, nil
}

// waitAll waits until every id arrived.
func (d *delayArrivals) waitAll(t *testing.T, ids []string, within time.Duration) {
	t.Helper()
	eventually(t, within, func() string {
		d.mu.Lock()
		defer d.mu.Unlock()
		missing := 0
		for _, id := range ids {
			if d.count[id] == 0 {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Sprintf("%d of %d delay messages not delivered", missing, len(ids))
		}
		return ""
	})
}

// delaySent is one delay message as sent.
type delaySent struct {
	id      string
	level   int
	queue   int
	started time.Time
}

func delaySendLevels(t *testing.T, c *cluster, topic string, levels ...int) []delaySent {
	t.Helper()
	p := newProducer(t, c, "delay-producer-"+topic)
	var out []delaySent
	for i, level := range levels {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("delay-%d-level-%d", i, level)))
		m.WithDelayTimeLevel(level)
		start := time.Now()
		res, err := p.SendSync(context.Background(), m)
		if err != nil || res.Status != primitive.SendOK {
			t.Fatalf("send level %d: %v %v", level, res, err)
		}
		out = append(out, delaySent{id: res.MsgID, level: level, queue: res.MessageQueue.QueueId, started: start})
	}
	return out
}

// TestDelayLevelsArriveOnTime: with the default table, level 1, 2 and 3
// messages (1 s, 5 s, 10 s) reach a running consumer no earlier than
// their delay after the send and within 1.5 s after it, on the queue they
// were sent to.
func TestDelayLevelsArriveOnTime(t *testing.T) {
	c := startCluster(t)
	const topic = "DelayTopic"
	createTopic(t, c, topic, 2)
	arr := newDelayArrivals()
	delayStartConsumer(t, c, "delay-group", topic, arr)
	// Let the consumer's first rebalance and pulls settle.
	time.Sleep(2 * time.Second)
	sent := delaySendLevels(t, c, topic, 1, 2, 3, 1)
	ids := make([]string, len(sent))
	for i, s := range sent {
		ids[i] = s.id
	}
	arr.waitAll(t, ids, 20*time.Second)
	delays := map[int]time.Duration{1: time.Second, 2: 5 * time.Second, 3: 10 * time.Second}
	arr.mu.Lock()
	defer arr.mu.Unlock()
	for _, s := range sent {
		took := arr.first[s.id].Sub(s.started)
		want := delays[s.level]
		// Store times are whole milliseconds: allow one.
		t.Logf("level %d: arrived %v after the send", s.level, took)
		if took < want-time.Millisecond || took > want+1500*time.Millisecond {
			t.Errorf("level %d message arrived %v after its send, want within [%v, %v]", s.level, took, want, want+1500*time.Millisecond)
		}
		if arr.queue[s.id] != s.queue {
			t.Errorf("level %d message arrived on queue %d, sent to %d", s.level, arr.queue[s.id], s.queue)
		}
	}
}

// delayStartConsumer starts a push consumer of topic that hands every
// message to arr.
func delayStartConsumer(t *testing.T, c *cluster, group, topic string, arr *delayArrivals) {
	t.Helper()
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}, arr.consume); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Shutdown() })
}

// delayCheckAfterRestart sends level 1 and level 2 messages, waits until
// the level 1 ones are due, takes the broker down with down, restarts it
// and consumes: every message must arrive, and with exactly it arrives
// once. Level 2 messages still respect their 5 s.
func delayCheckAfterRestart(t *testing.T, c *cluster, topic string, down func(), exactly bool) {
	t.Helper()
	createTopic(t, c, topic, 2)
	sent := delaySendLevels(t, c, topic, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2)
	time.Sleep(1500 * time.Millisecond) // level 1 delivered, level 2 waiting
	down()
	c.restart()
	waitRoute(t, c, topic, 2)
	arr := newDelayArrivals()
	delayStartConsumer(t, c, "delay-restart-group", topic, arr)
	ids := make([]string, len(sent))
	for i, s := range sent {
		ids[i] = s.id
	}
	arr.waitAll(t, ids, 25*time.Second)
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show up
	arr.mu.Lock()
	defer arr.mu.Unlock()
	for _, s := range sent {
		if n := arr.count[s.id]; exactly && n != 1 {
			t.Errorf("level %d message delivered %d times across the restart", s.level, n)
		}
		if s.level == 2 {
			if took := arr.first[s.id].Sub(s.started); took < 5*time.Second-time.Millisecond {
				t.Errorf("level 2 message arrived %v after its send, before its 5 s", took)
			}
		}
	}
}

// TestDelaySurvivesBrokerStop: a clean stop (SIGTERM) while delay messages
// wait, then a restart: each one is delivered exactly once, the ones
// delivered before the stop included.
func TestDelaySurvivesBrokerStop(t *testing.T) {
	c := startCluster(t)
	delayCheckAfterRestart(t, c, "DelayStopTopic", c.stop, true)
}

// TestDelaySurvivesBrokerKill: SIGKILL while delay messages wait: after
// the restart none is lost (one delivered since the last offset flush may
// come twice, as with Java).
func TestDelaySurvivesBrokerKill(t *testing.T) {
	c := startCluster(t, "flushDelayOffsetInterval=500")
	delayCheckAfterRestart(t, c, "DelayKillTopic", c.kill, false)
}
