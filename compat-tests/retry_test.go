package compat

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// retryFastLevels makes every delay level 1 s, so a consumer's retries
// (level 3 + reconsumeTimes) come back within a second.
var retryFastLevels = "messageDelayLevel=" + strings.TrimSpace(strings.Repeat("1s ", 18))

// retrySeen is one delivery the failing consumer saw.
type retrySeen struct {
	body      string
	topic     string
	reconsume int32
	origin    string
	at        time.Time
}

// retryRecorder fails every message and records each delivery.
type retryRecorder struct {
	mu   sync.Mutex
	seen []retrySeen
}

func (r *retryRecorder) consume(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.seen = append(r.seen, retrySeen{body: string(m.Body), topic: m.Topic, reconsume: m.ReconsumeTimes,
			origin: m.GetProperty(primitive.PropertyOriginMessageId), at: time.Now()})
	}
	return consumer.ConsumeRetryLater, nil
}

func (r *retryRecorder) snapshot() []retrySeen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]retrySeen(nil), r.seen...)
}

// TestRetryThenDeadLetter: a push consumer that answers "consume later"
// is given the same message again with a growing reconsume count; with
// maxReconsumeTimes 2 it sees it three times, after which the message is
// in %DLQ%{group} and a consumer of that topic reads it, with the
// reconsume count and origin it had.
func TestRetryThenDeadLetter(t *testing.T) {
	c := startCluster(t, retryFastLevels)
	const topic, group = "RetryTopic", "retry-group"
	createTopic(t, c, topic, 1)
	// The Go client learns routes at start and then every 30 s: a group's
	// retry topic the broker creates at the first heartbeat (as Java does)
	// would be pulled only after that refresh, so the test creates it
	// first, as an operator creating the group would.
	createTopic(t, c, "%RETRY%"+group, 1)
	p := newProducer(t, c, "retry-producer")
	res, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("fail-me")).WithTag("TagR"))
	if err != nil || res.Status != primitive.SendOK {
		t.Fatalf("send: %v %v", res, err)
	}

	rec := &retryRecorder{}
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
		consumer.WithMaxReconsumeTimes(2),
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
	defer func() { _ = pc.Shutdown() }()

	eventually(t, 20*time.Second, func() string {
		if n := len(rec.snapshot()); n < 3 {
			return fmt.Sprintf("the failing consumer saw the message %d times, want 3", n)
		}
		return ""
	})
	seen := rec.snapshot()
	for i, s := range seen[:3] {
		if s.body != "fail-me" || s.topic != topic || s.reconsume != int32(i) {
			t.Fatalf("delivery %d: %+v (want body fail-me, topic %s, reconsume %d)", i, s, topic, i)
		}
		if i > 0 && s.origin != res.OffsetMsgID {
			t.Fatalf("delivery %d: ORIGIN_MESSAGE_ID %q, want the first store's %q", i, s.origin, res.OffsetMsgID)
		}
		if i > 0 && s.at.Sub(seen[i-1].at) < 900*time.Millisecond {
			t.Fatalf("retry %d came %v after the failure, before the 1 s level", i, s.at.Sub(seen[i-1].at))
		}
	}

	// The third failure sent it to the dead-letter topic.
	dlqTopic := "%DLQ%" + group
	waitRoute(t, c, dlqTopic, 1)
	col := newCollector()
	startPushConsumer(t, c, "retry-dlq-reader", dlqTopic, "*", col)
	col.waitDistinct(t, 1, 20*time.Second)
	msgs, _ := col.snapshot()
	m := msgs[0]
	if string(m.Body) != "fail-me" || m.ReconsumeTimes != 3 || m.GetProperty(primitive.PropertyRetryTopic) != topic ||
		m.GetProperty(primitive.PropertyOriginMessageId) != res.OffsetMsgID || m.GetTags() != "TagR" {
		t.Fatalf("dead letter: body %q reconsume %d props %v", m.Body, m.ReconsumeTimes, m.GetProperties())
	}
	time.Sleep(1500 * time.Millisecond)
	if n := len(rec.snapshot()); n != 3 {
		t.Fatalf("the failing consumer saw the message %d times; after the DLQ it should not come back", n)
	}
}
