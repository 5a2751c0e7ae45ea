package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/report"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// bench is one run of a mode.
type bench struct {
	o     *options
	out   io.Writer // progress lines and the summary
	log   logrus.FieldLogger
	runID uint64
}

func newBench(o *options, out io.Writer, log logrus.FieldLogger) *bench {
	return &bench{o: o, out: out, log: log, runID: rand.Uint64()}
}

func (b *bench) producing() bool { return b.o.mode != modeConsumer }
func (b *bench) consuming() bool { return b.o.mode != modeProducer }

// quotas splits -q messages over the workers as Java's benchmark does
// (the remainder goes to the first); zero means no limit.
func quotas(total int64, workers int) []int64 {
	q := make([]int64, workers)
	if total <= 0 {
		return q
	}
	for i := range q {
		q[i] = total / int64(workers)
	}
	q[0] += total % int64(workers)
	return q
}

// consumerGroup is the group of a consuming run: a fresh one per e2e run
// (so no committed offset from an earlier run applies), Java's -g with its
// optional "_<millis%100>" suffix otherwise.
func (b *bench) consumerGroup() string {
	o := b.o
	switch {
	case o.mode == modeE2E && o.group == "":
		return fmt.Sprintf("benchmark_e2e_%08x", uint32(b.runID))
	case o.groupSuffix:
		return fmt.Sprintf("%s_%d", o.group, time.Now().UnixMilli()%100)
	}
	return o.group
}

// expression returns the subscription expression and type.
func (b *bench) expression() (string, string, error) {
	o := b.o
	if o.filterType == "" || o.expressionFile == "" {
		return "*", "TAG", nil
	}
	data, err := os.ReadFile(o.expressionFile)
	if err != nil {
		return "", "", fmt.Errorf("read expression file: %w", err)
	}
	return strings.TrimSpace(string(data)), o.filterType, nil
}

// banner is the first line, listing the settings as Java's tools do.
func (b *bench) banner(group string) string {
	o := b.o
	client := "rocketmq-client-go"
	if o.raw {
		client = "raw remoting"
	}
	s := fmt.Sprintf("mqbench %s: namesrv %s topic %s client %s serialize %s", o.mode, o.namesrv, o.topic, client, strings.ToUpper(o.serialize))
	if b.producing() {
		s += fmt.Sprintf(" threadCount %d messageSize %d keyEnable %t tagCount %d propertySize %d delayEnable %t send %s inflight %d batch %d",
			o.workers, o.size, o.keys, o.tagCount, o.propertySize, o.delay, o.sendMode(), o.inflight, o.batch)
	}
	if b.consuming() {
		s += " group " + group
	}
	if o.duration > 0 {
		s += " duration " + o.duration.String()
	} else if o.quantity > 0 {
		s += fmt.Sprintf(" messageQuantity %d", o.quantity)
	}
	return s
}

// run carries out the mode and returns its summary.
func (b *bench) run(ctx context.Context) (*report.Summary, error) {
	o := b.o
	ser := codec.JSON
	if o.serialize == "rocketmq" {
		ser = codec.RocketMQ
	}
	client := remoting.NewClient(remoting.ClientConfig{RequestTimeout: o.timeout, Serialize: ser, Logger: b.log})
	defer client.Close()
	adm := &admin{c: client, namesrv: o.namesrvAddrs(), timeout: o.timeout}
	route, err := adm.ensureTopic(ctx, o.topic, o.queues, o.createTopic)
	if err != nil {
		return nil, err
	}
	wq, rq := queues(route, true), queues(route, false)
	if b.producing() && len(wq) == 0 {
		return nil, fmt.Errorf("topic %s has no writable queue on a master", o.topic)
	}
	if b.consuming() && len(rq) == 0 {
		return nil, fmt.Errorf("topic %s has no readable queue on a master", o.topic)
	}
	if !o.raw {
		quietGoClient()
	}

	var rss *rssSampler
	if o.rssPID > 0 {
		rss = startRSS(o.rssPID, 200*time.Millisecond)
	}
	col := report.NewCollector(time.Now())
	group := b.consumerGroup()
	fmt.Fprintln(b.out, b.banner(group))

	// The consumer first: in e2e mode it must be in place before the
	// first message is sent.
	stopConsumer := func() {}
	if b.consuming() {
		stop, err := b.startConsumer(ctx, adm, client, rq, group, col)
		if err != nil {
			if rss != nil {
				rss.stop()
			}
			return nil, err
		}
		stopConsumer = stop
	}
	defer func() { stopConsumer() }()

	// Producers.
	start := time.Now()
	col.SetStart(start)
	parts := report.Parts{Send: b.producing(), Recv: b.consuming(), Oneway: o.oneway}
	stopReporter := b.startReporter(col, parts)
	prodDone := make(chan struct{})
	closeProducer := func() {}
	if b.producing() {
		worker, closeFn, err := b.newProducer(client, wq)
		if err != nil {
			stopReporter()
			if rss != nil {
				rss.stop()
			}
			return nil, err
		}
		closeProducer = closeFn
		prodCtx, cancel := context.WithCancel(ctx)
		if o.duration > 0 {
			prodCtx, cancel = context.WithTimeout(ctx, o.duration)
		}
		var wg sync.WaitGroup
		for i, q := range quotas(o.quantity, o.workers) {
			if o.quantity > 0 && q == 0 {
				break
			}
			m := col.NewMeter()
			wg.Add(1)
			go func() {
				defer wg.Done()
				worker(prodCtx, i, q, m)
			}()
		}
		go func() {
			wg.Wait()
			cancel()
			close(prodDone)
		}()
	} else {
		close(prodDone)
	}

	var sendEnd, recvEnd time.Time
	switch o.mode {
	case modeProducer:
		<-prodDone
		sendEnd = time.Now()
	case modeE2E:
		<-prodDone
		sendEnd = time.Now()
		recvEnd = b.drain(ctx, col)
	case modeConsumer:
		recvEnd = b.consumeUntilDone(ctx, col, start)
	}
	stopReporter()
	stopConsumer()
	stopConsumer = func() {}
	closeProducer()

	t := col.Totals(time.Now())
	s := b.summary(&t, start, sendEnd, recvEnd)
	if rss != nil {
		r, err := rss.stop()
		if err != nil {
			b.log.WithError(err).WithField("pid", o.rssPID).Warn("broker RSS not sampled")
		} else {
			s.BrokerPID, s.BrokerPeakRSSKiB, s.BrokerPeakAnonKiB = o.rssPID, r.Peak, r.PeakAnon
			s.BrokerStartRSSKiB, s.BrokerRSSSamples = r.First, r.Samples
		}
	}
	return s, nil
}

// startReporter prints a progress line every interval until the returned
// function is called.
func (b *bench) startReporter(col *report.Collector, parts report.Parts) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(b.o.interval)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				p := col.Tick(now)
				if !b.o.quiet {
					fmt.Fprintln(b.out, report.FormatProgress(p, parts))
				}
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-stopped
		})
	}
}

// newProducer returns the per-worker send loop of the selected client and
// the function that releases the client.
func (b *bench) newProducer(client *remoting.Client, wq []queueRef) (func(context.Context, int, int64, *report.Meter), func(), error) {
	body := filler(b.o.size)
	if b.o.raw {
		p := &rawProducer{o: b.o, c: client, queues: wq, runID: b.runID, body: body}
		return p.worker, func() {}, nil
	}
	p, err := newGoProducer(b.o, b.runID, body)
	if err != nil {
		return nil, nil, err
	}
	return p.worker, p.close, nil
}

// startConsumer starts the selected consumer and returns its stop
// function.
func (b *bench) startConsumer(ctx context.Context, adm *admin, client *remoting.Client, rq []queueRef, group string, col *report.Collector) (func(), error) {
	o := b.o
	expr, exprType, err := b.expression()
	if err != nil {
		return nil, err
	}
	e2e := o.mode == modeE2E
	meters := make([]*report.Meter, len(rq))
	for i := range meters {
		meters[i] = col.NewMeter()
	}
	if !o.raw {
		c, err := startGoConsumer(o, group, expr, exprType, b.runID, e2e, meters)
		if err != nil {
			return nil, err
		}
		return c.close, nil
	}
	// Raw: start offsets are the queue ends now (e2e, and a group with no
	// committed offset), else the group's committed offsets.
	starts := make([]int64, len(rq))
	for i, q := range rq {
		if !e2e {
			off, found, err := adm.offsetCall(ctx, requestcode.QueryConsumerOffset, q, o.topic, group)
			if err != nil {
				return nil, err
			}
			if found {
				starts[i] = off
				continue
			}
		}
		off, _, err := adm.offsetCall(ctx, requestcode.GetMaxOffset, q, o.topic, "")
		if err != nil {
			return nil, err
		}
		starts[i] = off
	}
	rc := &rawConsumer{o: o, c: client, group: group, expression: expr, exprType: exprType,
		runID: b.runID, filterRun: e2e, commit: !e2e}
	pullCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, q := range rq {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc.pullLoop(pullCtx, q, starts[i], meters[i])
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}, nil
}

// drain waits after the last send until the consumer has every message
// the broker acknowledged (sent ones for oneway), until it makes no
// progress for --drain, or until ctx is done. It returns when consumption
// ended.
func (b *bench) drain(ctx context.Context, col *report.Collector) time.Time {
	last, lastChange := int64(-1), time.Now()
	for {
		t := col.Totals(time.Now())
		want := t.Acked
		if b.o.oneway {
			want = t.Sent
		}
		if t.Consumed >= want {
			return time.Now()
		}
		if t.Consumed != last {
			last, lastChange = t.Consumed, time.Now()
		} else if time.Since(lastChange) > b.o.drain {
			b.log.WithFields(logrus.Fields{"consumed": t.Consumed, "expected": want}).Warn("consumer stopped making progress; giving up")
			return lastChange
		}
		select {
		case <-ctx.Done():
			return time.Now()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// consumeUntilDone runs a consumer-only mode until -q messages, -q time or
// an interrupt.
func (b *bench) consumeUntilDone(ctx context.Context, col *report.Collector, start time.Time) time.Time {
	o := b.o
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, start.Add(o.duration))
		defer cancel()
	}
	for {
		if o.quantity > 0 && col.Totals(time.Now()).Consumed >= o.quantity {
			return time.Now()
		}
		select {
		case <-ctx.Done():
			return time.Now()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// summary turns the final totals into the report.
func (b *bench) summary(t *report.Totals, start, sendEnd, recvEnd time.Time) *report.Summary {
	o := b.o
	client := "go"
	if o.raw {
		client = "raw"
	}
	s := &report.Summary{
		Mode: o.mode, Client: client, Serialize: strings.ToUpper(o.serialize), SendMode: o.sendMode(),
		Topic: o.topic, Workers: o.workers,
		Sent: t.Sent, Acked: t.Acked, Failed: t.Failed, Refused: t.Refused, Consumed: t.Consumed, Foreign: t.Foreign,
		Errors: t.Errors,
	}
	if b.producing() {
		s.Inflight, s.Batch, s.MessageSize = o.inflight, o.batch, o.size
		win := sendEnd.Sub(start).Seconds()
		s.DurationSec = win
		if win > 0 {
			n, bytes := t.Acked, t.AckedBytes
			if o.oneway {
				n, bytes = t.Sent, t.SentBytes
			}
			s.SendTPS = float64(n) / win
			s.SendMBps = float64(bytes) / win / (1 << 20)
		}
		if t.SendLat.Count() > 0 {
			l := report.Summarize(t.SendLat)
			s.SendLatencyUs = &l
		}
	}
	if b.consuming() {
		win := recvEnd.Sub(start).Seconds()
		if !b.producing() {
			s.DurationSec = win
		}
		if win > 0 {
			s.RecvTPS = float64(t.Consumed) / win
			s.RecvMBps = float64(t.ConsumedBytes) / win / (1 << 20)
		}
		if t.E2ELat.Count() > 0 {
			l := report.Summarize(t.E2ELat)
			s.E2ELatencyUs = &l
		}
	}
	return s
}

// errUsage marks a command-line error (exit status 2).
var errUsage = errors.New("usage")
