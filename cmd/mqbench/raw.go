package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/report"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

// rawProducer sends on rocketgo's own remoting client: SEND_MESSAGE_V2 (or
// SEND_BATCH_MESSAGE with --batch) with the short header keys a..m, up to
// --inflight requests outstanding per worker. Unlike the Go client it
// allocates little per message and never waits for one reply before the
// next request, so a single process can saturate a broker.
type rawProducer struct {
	o      *options
	c      *remoting.Client
	queues []queueRef
	runID  uint64
	body   []byte // the random filler every body starts from
}

// failKind classifies a transport failure for the error counts.
func failKind(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "TIMEOUT"
	case errors.Is(err, remoting.ErrClientClosed):
		return "CLOSED"
	}
	return "CONNECTION"
}

// sendRequest builds the request for the n messages in payload (one body,
// or a batch body) with the header of Java's SendMessageRequestHeaderV2.
func (p *rawProducer) sendRequest(q queueRef, n int, props string, payload []byte, born time.Time) *codec.Command {
	code := requestcode.SendMessageV2
	if n > 1 {
		code = requestcode.SendBatchMessage
	}
	req := codec.NewRequest(int32(code), 0)
	req.Set("a", p.o.producerGroup)
	req.Set("b", p.o.topic)
	req.Set("c", "TBW102")
	req.Set("d", "4")
	req.Set("e", strconv.Itoa(int(q.id)))
	req.Set("f", "0")
	req.Set("g", strconv.FormatInt(born.UnixMilli(), 10))
	req.Set("h", "0")
	req.Set("i", props)
	req.Set("j", "0")
	req.Set("k", "false")
	req.Set("l", "0")
	req.Set("m", strconv.FormatBool(n > 1))
	req.Body = payload
	return req
}

// worker sends quota messages (0: until ctx is done) and returns once
// every request it made is answered or timed out.
func (p *rawProducer) worker(ctx context.Context, id int, quota int64, m *report.Meter) {
	o := p.o
	slots := make(chan struct{}, o.inflight)
	var outstanding sync.WaitGroup
	defer outstanding.Wait()

	body := append([]byte(nil), p.body...)
	var batchBuf, propBuf []byte
	keys := newUniqKeys(p.runID, id)
	user := userProperties(o.propertySize, id)
	next := id
	for sent := int64(0); quota == 0 || sent < quota; {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		if ctx.Err() != nil {
			return
		}
		n := int64(o.batch)
		if quota > 0 {
			n = min(n, quota-sent)
		}
		q := p.queues[next%len(p.queues)]
		next++
		now := time.Now()
		var req *codec.Command
		if n == 1 {
			stamp(body, p.runID, now)
			propBuf = appendProperties(propBuf[:0], o.props(now, user, keys.next()))
			req = p.sendRequest(q, 1, string(propBuf), body, now)
		} else {
			batchBuf = batchBuf[:0]
			for range n {
				stamp(body, p.runID, now)
				propBuf = appendProperties(propBuf[:0], o.props(now, user, keys.next()))
				batchBuf, _ = message.AppendBatchItem(batchBuf, 0, body, propBuf)
			}
			req = p.sendRequest(q, int(n), "", batchBuf, now)
		}
		m.Sent(n, n*int64(len(body)))
		sent += n
		if o.oneway {
			// The body buffers are reused: the request is written before
			// InvokeOneway returns.
			err := p.c.InvokeOneway(ctx, q.addr, req)
			<-slots
			if err != nil {
				m.Failed(n, failKind(err))
				pause(ctx, 100*time.Millisecond)
			}
			continue
		}
		outstanding.Add(1)
		start := time.Now()
		bytes := n * int64(len(body))
		err := p.c.InvokeAsync(q.addr, req, o.timeout, func(resp *codec.Command, err error) {
			defer outstanding.Done()
			defer func() { <-slots }()
			lat := time.Since(start)
			if err != nil {
				m.Failed(n, failKind(err))
				return
			}
			ack(m, n, bytes, resp.Code, lat)
		})
		if err != nil {
			outstanding.Done()
			<-slots
			m.Failed(n, failKind(err))
			// Java's benchmark sleeps 3 s after a remoting failure; a
			// shorter pause keeps a dead broker from being hammered
			// without stalling a short run.
			pause(ctx, 100*time.Millisecond)
		}
	}
}

// ack accounts for a send reply: SEND_OK and the stored-with-a-warning
// codes (FLUSH_DISK_TIMEOUT, SLAVE_NOT_AVAILABLE, FLUSH_SLAVE_TIMEOUT,
// which Java's client turns into a SendStatus) are acknowledgements,
// anything else a refusal.
func ack(m *report.Meter, n, bytes int64, code int32, lat time.Duration) {
	switch requestcode.ResponseCode(code) {
	case requestcode.Success:
		m.Acked(n, bytes, lat)
	case requestcode.FlushDiskTimeout, requestcode.SlaveNotAvailable, requestcode.FlushSlaveTimeout:
		m.Acked(n, bytes, lat)
		m.Error(report.CodeKey(code), n)
	default:
		m.Refused(n, code)
	}
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Pull sysFlag bits (Java PullSysFlag).
const (
	pullCommitOffset = 1 << 0
	pullSuspend      = 1 << 1
	pullSubscription = 1 << 2
)

// brokerSuspendMax is how long the broker may hold a pull (Java
// DefaultMQPushConsumerImpl BROKER_SUSPEND_MAX_TIME_MILLIS).
const brokerSuspendMax = 15 * time.Second

// rawConsumer pulls every readable queue of the topic in its own loop,
// with long polling, and decodes the records itself (store/message).
type rawConsumer struct {
	o          *options
	c          *remoting.Client
	group      string
	expression string
	exprType   string
	runID      uint64
	filterRun  bool // count only messages marked with runID
	commit     bool // commit offsets with each pull
}

// pullLoop consumes queue q from offset until ctx is done.
func (rc *rawConsumer) pullLoop(ctx context.Context, q queueRef, offset int64, m *report.Meter) {
	var committed int64 = -1
	for ctx.Err() == nil {
		req := codec.NewRequest(int32(requestcode.PullMessage), 0)
		sysFlag := pullSuspend | pullSubscription
		if rc.commit && offset > 0 && offset != committed {
			sysFlag |= pullCommitOffset
		}
		req.Set("consumerGroup", rc.group)
		req.Set("topic", rc.o.topic)
		req.Set("queueId", strconv.Itoa(int(q.id)))
		req.Set("queueOffset", strconv.FormatInt(offset, 10))
		req.Set("maxMsgNums", "32")
		req.Set("sysFlag", strconv.Itoa(sysFlag))
		req.Set("commitOffset", strconv.FormatInt(offset, 10))
		req.Set("suspendTimeoutMillis", strconv.FormatInt(brokerSuspendMax.Milliseconds(), 10))
		req.Set("subscription", rc.expression)
		req.Set("subVersion", strconv.FormatInt(time.Now().UnixMilli(), 10))
		req.Set("expressionType", rc.exprType)
		callCtx, cancel := context.WithTimeout(ctx, brokerSuspendMax+rc.o.timeout)
		resp, err := rc.c.Invoke(callCtx, q.addr, req)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			m.Error("PULL_"+failKind(err), 1)
			pause(ctx, time.Second)
			continue
		}
		if sysFlag&pullCommitOffset != 0 {
			committed = offset
		}
		next, perr := strconv.ParseInt(resp.Value("nextBeginOffset"), 10, 64)
		switch requestcode.ResponseCode(resp.Code) {
		case requestcode.Success:
			rc.account(resp.Body, m)
		case requestcode.PullNotFound, requestcode.PullRetryImmediately:
		case requestcode.PullOffsetMoved:
			m.Error("PULL_"+report.CodeKey(resp.Code), 1)
		default:
			m.Error("PULL_"+report.CodeKey(resp.Code), 1)
			pause(ctx, time.Second)
			continue
		}
		if perr == nil {
			offset = next
		}
	}
}

// account counts the records of a FOUND pull body.
func (rc *rawConsumer) account(b []byte, m *report.Meter) {
	now := time.Now()
	var rec message.Record
	for len(b) > 0 {
		if err := rec.Decode(b, false); err != nil || rec.Kind != message.KindMessage {
			m.Error("PULL_BAD_RECORD", 1)
			return
		}
		b = b[rec.TotalSize:]
		lat, id, marked := e2eLatency(rec.Body, rec.BornTimestamp, now)
		if rc.filterRun && (!marked || id != rc.runID) {
			m.Foreign()
			continue
		}
		m.Consumed(int64(len(rec.Body)), lat)
	}
}
