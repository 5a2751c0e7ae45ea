// Package report keeps mqbench's counters and prints them: the once-a-second
// progress line, the final summary (with the "[Complete]" line Java's
// benchmark Producer prints, so scripts reading that keep working) and the
// machine-readable JSON report.
//
// Every worker owns a Meter and updates it with atomic adds only; the
// Collector sums all meters when asked, so the send and consume paths never
// take a lock (error counting, which is rare, does).
package report

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/hist"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

// Meter is one worker's counters. Its methods may be called from any
// goroutine.
type Meter struct {
	sent, acked, failed, sentBytes   atomic.Int64
	ackedBytes                       atomic.Int64
	refused                          atomic.Int64
	consumed, consumedBytes, foreign atomic.Int64
	sendLat, e2eLat                  *hist.Recorder
	errMu                            sync.Mutex
	errs                             map[string]int64
}

func newMeter() *Meter {
	return &Meter{sendLat: hist.NewRecorder(), e2eLat: hist.NewRecorder(), errs: map[string]int64{}}
}

// Sent counts n messages of bytes body bytes in total handed to the
// transport.
func (m *Meter) Sent(n, bytes int64) {
	m.sent.Add(n)
	m.sentBytes.Add(bytes)
}

// Acked counts n messages (of bytes body bytes) the broker acknowledged
// and records the send latency (ack time - send time) of the request that
// carried them.
func (m *Meter) Acked(n, bytes int64, latency time.Duration) {
	m.ackedBytes.Add(bytes)
	m.acked.Add(n)
	m.sendLat.Record(latency.Microseconds())
}

// Failed counts n messages whose send failed in transport (kind is
// TIMEOUT, CONNECTION, ...): Java's "Send Failed".
func (m *Meter) Failed(n int64, kind string) {
	m.failed.Add(n)
	m.Error(kind, n)
}

// Refused counts n messages the broker answered with a failure code:
// Java's "Response Failed".
func (m *Meter) Refused(n int64, code int32) {
	m.failed.Add(n)
	m.refused.Add(n)
	m.Error(CodeKey(code), n)
}

// CodeKey names a response code in error counts: "SYSTEM_BUSY(2)", or
// "CODE(n)" for a code Java 4.9.7 does not define.
func CodeKey(code int32) string {
	name := requestcode.ResponseCode(code).String()
	if strings.HasPrefix(name, "ResponseCode(") {
		name = "CODE"
	}
	return name + "(" + strconv.Itoa(int(code)) + ")"
}

// Error counts n occurrences of key without failing a message: a
// consumer's failed pull, or a send stored with a warning status
// (FLUSH_DISK_TIMEOUT and the like).
func (m *Meter) Error(key string, n int64) {
	m.errMu.Lock()
	m.errs[key] += n
	m.errMu.Unlock()
}

// Consumed counts one message of this run received by a consumer, with
// its end-to-end latency (consume time - born time).
func (m *Meter) Consumed(bytes int64, e2e time.Duration) {
	m.consumed.Add(1)
	m.consumedBytes.Add(bytes)
	m.e2eLat.Record(e2e.Microseconds())
}

// Foreign counts a consumed message that another run produced (it is not
// in the consumed count).
func (m *Meter) Foreign() { m.foreign.Add(1) }

// Totals is the sum of all meters at one instant.
type Totals struct {
	At                               time.Time
	Sent, Acked, Failed, SentBytes   int64
	AckedBytes                       int64
	Refused                          int64 // of Failed, answered with a failure code
	Consumed, ConsumedBytes, Foreign int64
	SendLat, E2ELat                  *hist.Histogram
	Errors                           map[string]int64
}

// Collector owns the meters of a run.
type Collector struct {
	start time.Time
	mu    sync.Mutex
	meter []*Meter
	prev  Totals
}

// NewCollector starts a collection at start (the time elapsed is counted
// from it).
func NewCollector(start time.Time) *Collector {
	return &Collector{start: start, prev: Totals{At: start, SendLat: hist.New(), E2ELat: hist.New(), Errors: map[string]int64{}}}
}

// Start is when the collection began.
func (c *Collector) Start() time.Time { return c.start }

// SetStart moves the start of the collection (and of the first progress
// interval) to t: set-up time before the first send is not counted. Call
// it before the first Tick.
func (c *Collector) SetStart(t time.Time) {
	c.start = t
	c.prev.At = t
}

// NewMeter adds a meter for one worker.
func (c *Collector) NewMeter() *Meter {
	m := newMeter()
	c.mu.Lock()
	c.meter = append(c.meter, m)
	c.mu.Unlock()
	return m
}

// Totals sums every meter now.
func (c *Collector) Totals(now time.Time) Totals {
	c.mu.Lock()
	meters := append([]*Meter(nil), c.meter...)
	c.mu.Unlock()
	t := Totals{At: now, SendLat: hist.New(), E2ELat: hist.New(), Errors: map[string]int64{}}
	for _, m := range meters {
		// Outcomes before the sends they follow, so that a snapshot
		// taken mid-run never shows more answers than requests.
		t.Acked += m.acked.Load()
		t.AckedBytes += m.ackedBytes.Load()
		t.Failed += m.failed.Load()
		t.Refused += m.refused.Load()
		t.Sent += m.sent.Load()
		t.SentBytes += m.sentBytes.Load()
		t.Consumed += m.consumed.Load()
		t.ConsumedBytes += m.consumedBytes.Load()
		t.Foreign += m.foreign.Load()
		m.sendLat.AddTo(t.SendLat)
		m.e2eLat.AddTo(t.E2ELat)
		m.errMu.Lock()
		for k, v := range m.errs {
			t.Errors[k] += v
		}
		m.errMu.Unlock()
	}
	return t
}

// Tick returns the progress since the previous Tick (or the start).
func (c *Collector) Tick(now time.Time) Progress {
	cur := c.Totals(now)
	prev := c.prev
	c.prev = cur
	secs := cur.At.Sub(prev.At).Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	p := Progress{
		Elapsed:  cur.At.Sub(c.start),
		SendRate: float64(cur.Acked-prev.Acked) / secs,
		SentRate: float64(cur.Sent-prev.Sent) / secs,
		SendMBps: float64(cur.AckedBytes-prev.AckedBytes) / secs / (1 << 20),
		SentMBps: float64(cur.SentBytes-prev.SentBytes) / secs / (1 << 20),
		SendLat:  Summarize(cur.SendLat.Sub(prev.SendLat)),
		RecvRate: float64(cur.Consumed-prev.Consumed) / secs,
		RecvMBps: float64(cur.ConsumedBytes-prev.ConsumedBytes) / secs / (1 << 20),
		E2ELat:   Summarize(cur.E2ELat.Sub(prev.E2ELat)),
		Errors:   cur.Errors,
	}
	return p
}

// Latency is a latency distribution in microseconds.
type Latency struct {
	Count int64   `json:"count"`
	Min   int64   `json:"min"`
	Mean  float64 `json:"mean"`
	P50   int64   `json:"p50"`
	P90   int64   `json:"p90"`
	P99   int64   `json:"p99"`
	P999  int64   `json:"p999"`
	P9999 int64   `json:"p9999"`
	Max   int64   `json:"max"`
}

// Summarize reads the percentiles mqbench reports from h (µs samples).
func Summarize(h *hist.Histogram) Latency {
	return Latency{
		Count: h.Count(), Min: h.Min(), Mean: h.Mean(),
		P50: h.Quantile(0.5), P90: h.Quantile(0.9), P99: h.Quantile(0.99),
		P999: h.Quantile(0.999), P9999: h.Quantile(0.9999), Max: h.Max(),
	}
}

// sortedKeys returns m's keys in order, for stable output.
func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
