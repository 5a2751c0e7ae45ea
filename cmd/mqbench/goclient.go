package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/report"
	"github.com/sirupsen/logrus"
)

// quietGoClient sets the Go client's two global hooks: its log level (only
// errors matter here) and its panic handler. v2.1.2 dereferences the nil
// reply of an async send that timed out after calling back with the error;
// without a handler that panic ends the process, with it only the client
// goroutine ends (the send was already counted as failed). It is called
// once, before any client starts.
func quietGoClient() {
	rlog.SetLogLevel("error")
	primitive.PanicHandler = func(r any) {
		logrus.WithField("panic", fmt.Sprint(r)).Debug("rocketmq-client-go goroutine panicked")
	}
}

// codeRe finds the response code in the Go client's send errors
// ("CODE: 14, DESC: ...").
var codeRe = regexp.MustCompile(`CODE: (-?\d+)`)

// goFailure accounts for a Go client send error.
func goFailure(m *report.Meter, n int64, err error) {
	if sm := codeRe.FindStringSubmatch(err.Error()); sm != nil {
		if code, perr := strconv.Atoi(sm[1]); perr == nil {
			m.Refused(n, int32(code))
			return
		}
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "timeout") || strings.Contains(msg, "deadline"):
		m.Failed(n, "TIMEOUT")
	case strings.Contains(msg, "route"):
		m.Failed(n, "NO_ROUTE")
	default:
		m.Failed(n, "CLIENT")
	}
}

// goProducer sends with rocketmq-client-go's DefaultProducer, configured
// as Java's benchmark Producer configures its DefaultMQProducer (no body
// compression).
type goProducer struct {
	o     *options
	p     rocketmqProducer
	runID uint64
	body  []byte
}

// rocketmqProducer is the part of producer.Producer mqbench uses.
type rocketmqProducer interface {
	SendSync(ctx context.Context, msgs ...*primitive.Message) (*primitive.SendResult, error)
	SendAsync(ctx context.Context, f func(context.Context, *primitive.SendResult, error), msgs ...*primitive.Message) error
	SendOneWay(ctx context.Context, msgs ...*primitive.Message) error
	Shutdown() error
}

func instanceName(role string) string {
	return fmt.Sprintf("mqbench-%d-%s-%d", os.Getpid(), role, time.Now().UnixNano())
}

func newGoProducer(o *options, runID uint64, body []byte) (*goProducer, error) {
	p, err := producer.NewDefaultProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver(o.namesrvAddrs())),
		producer.WithGroupName(o.producerGroup),
		producer.WithInstanceName(instanceName("p")),
		producer.WithSendMsgTimeout(o.timeout),
		producer.WithCompressMsgBodyOverHowmuch(math.MaxInt32),
	)
	if err != nil {
		return nil, fmt.Errorf("create Go client producer: %w", err)
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("start Go client producer: %w", err)
	}
	// One synchronous send first, not counted: the client fetches the
	// route on its first sync send, while an async or oneway send without
	// a route fails at once. Its marker carries another run id, so an e2e
	// consumer counts it as foreign.
	warm := append([]byte(nil), body...)
	stamp(warm, ^runID, time.Now())
	if _, err := p.SendSync(context.Background(), primitive.NewMessage(o.topic, warm)); err != nil {
		_ = p.Shutdown()
		return nil, fmt.Errorf("first send to %s: %w", o.topic, err)
	}
	return &goProducer{o: o, p: p, runID: runID, body: body}, nil
}

func (g *goProducer) close() { _ = g.p.Shutdown() }

// message builds one message with a fresh body (the client may still hold
// the previous one).
func (g *goProducer) message(now time.Time, user [][2]string) *primitive.Message {
	body := append([]byte(nil), g.body...)
	stamp(body, g.runID, now)
	msg := primitive.NewMessage(g.o.topic, body)
	p := g.o.props(now, user, "")
	if p.keys != "" {
		msg.WithKeys([]string{p.keys})
	}
	if p.tags != "" {
		msg.WithTag(p.tags)
	}
	if p.delay > 0 {
		msg.WithDelayTimeLevel(p.delay)
	}
	for _, kv := range user {
		msg.WithProperty(kv[0], kv[1])
	}
	return msg
}

// worker sends quota messages (0: until ctx is done).
func (g *goProducer) worker(ctx context.Context, id int, quota int64, m *report.Meter) {
	o := g.o
	user := userProperties(o.propertySize, id)
	slots := make(chan struct{}, o.inflight)
	var outstanding sync.WaitGroup
	defer outstanding.Wait()
	for sent := int64(0); quota == 0 || sent < quota; {
		if o.async {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
		if ctx.Err() != nil {
			return
		}
		n := int64(o.batch)
		if quota > 0 {
			n = min(n, quota-sent)
		}
		now := time.Now()
		msgs := make([]*primitive.Message, n)
		var bytes int64
		for i := range msgs {
			msgs[i] = g.message(now, user)
			bytes += int64(len(msgs[i].Body))
		}
		m.Sent(n, bytes)
		sent += n
		// Sends run to completion on their own timeout: the end of a
		// timed run must not turn the last requests into failures.
		start := time.Now()
		switch {
		case o.oneway:
			if err := g.p.SendOneWay(context.Background(), msgs...); err != nil {
				goFailure(m, n, err)
			}
		case o.async:
			outstanding.Add(1)
			var once sync.Once
			err := g.p.SendAsync(context.Background(), func(_ context.Context, _ *primitive.SendResult, err error) {
				// v2.1.2 may call back twice for one failed send.
				once.Do(func() {
					defer outstanding.Done()
					defer func() { <-slots }()
					if err != nil {
						goFailure(m, n, err)
						return
					}
					m.Acked(n, bytes, time.Since(start))
				})
			}, msgs...)
			if err != nil {
				once.Do(func() {
					outstanding.Done()
					<-slots
					goFailure(m, n, err)
				})
			}
		default:
			res, err := g.p.SendSync(context.Background(), msgs...)
			lat := time.Since(start)
			if err != nil {
				goFailure(m, n, err)
				pause(ctx, 100*time.Millisecond)
				continue
			}
			m.Acked(n, bytes, lat)
			if res.Status != primitive.SendOK {
				m.Error("STATUS_"+strconv.Itoa(int(res.Status)), n)
			}
		}
	}
}

// goConsumer consumes with rocketmq-client-go's push consumer.
type goConsumer struct {
	c rocketmqConsumer
}

type rocketmqConsumer interface {
	Start() error
	Shutdown() error
}

// startGoConsumer subscribes and starts. In e2e mode the group is new and
// starts at the run's start time (CONSUME_FROM_TIMESTAMP), so nothing sent
// by this run is skipped however long the first rebalance takes; other
// runs' messages are told apart by the body marker.
func startGoConsumer(o *options, group string, expr, exprType string, runID uint64, e2e bool, meters []*report.Meter) (*goConsumer, error) {
	threads := o.workers
	if o.mode == modeE2E {
		threads = o.consumerThreads
	}
	opts := []consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver(o.namesrvAddrs())),
		consumer.WithGroupName(group),
		consumer.WithInstance(instanceName("c")),
		consumer.WithConsumeGoroutineNums(threads),
	}
	if e2e {
		// The client parses this as UTC.
		ts := time.Now().UTC().Add(-2 * time.Second).Format("20060102150405")
		opts = append(opts, consumer.WithConsumeFromWhere(consumer.ConsumeFromTimestamp), consumer.WithConsumeTimestamp(ts))
	}
	c, err := consumer.NewPushConsumer(opts...)
	if err != nil {
		return nil, fmt.Errorf("create Go client consumer: %w", err)
	}
	sel := consumer.MessageSelector{Type: consumer.TAG, Expression: expr}
	if exprType == "SQL92" {
		sel.Type = consumer.SQL92
	}
	failRate := o.failRate
	err = c.Subscribe(o.topic, sel, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		now := time.Now()
		for _, msg := range msgs {
			m := meters[int(msg.Queue.QueueId)%len(meters)]
			lat, id, marked := e2eLatency(msg.Body, msg.BornTimestamp, now)
			if e2e && (!marked || id != runID) {
				m.Foreign()
				continue
			}
			m.Consumed(int64(len(msg.Body)), lat)
		}
		if failRate > 0 && rand.Float64() < failRate {
			return consumer.ConsumeRetryLater, nil
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", o.topic, err)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("start Go client consumer: %w", err)
	}
	return &goConsumer{c: c}, nil
}

func (g *goConsumer) close() { _ = g.c.Shutdown() }
