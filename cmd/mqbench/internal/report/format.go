package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Progress is one progress interval.
type Progress struct {
	Elapsed time.Duration
	// SendRate and SendMBps count acknowledged messages and their body
	// bytes per second; SentRate and SentMBps what was handed to the
	// transport (oneway sends get no acknowledgement).
	SendRate, SendMBps float64
	SentRate, SentMBps float64
	SendLat            Latency // the interval's send latencies
	RecvRate, RecvMBps float64
	E2ELat             Latency // the interval's end-to-end latencies
	Errors             map[string]int64
}

// Parts selects the sections of a progress line: the producer's, the
// consumer's or both (e2e). With Oneway the send rate counts sent messages,
// as nothing is acknowledged.
type Parts struct{ Send, Recv, Oneway bool }

// ms formats microseconds as milliseconds with microsecond precision.
func ms(us int64) string { return fmt.Sprintf("%.3f", float64(us)/1000) }

func latencyFields(l Latency) string {
	return fmt.Sprintf("p50 %s p99 %s p99.9 %s max %s", ms(l.P50), ms(l.P99), ms(l.P999), ms(l.Max))
}

// FormatErrors renders error counts as "none" or "KEY=n KEY=n" sorted by
// key.
func FormatErrors(errs map[string]int64) string {
	if len(errs) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, k := range sortedKeys(errs) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, errs[k])
	}
	return b.String()
}

// FormatProgress renders one progress line (no newline), e.g.
//
//	[   3s] send   45012 msg/s   5.49 MB/s lat(ms) p50 0.412 p99 1.203 p99.9 2.110 max 3.004 | errors none
func FormatProgress(p Progress, parts Parts) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%4ds]", int64(p.Elapsed.Round(time.Second)/time.Second))
	if parts.Send {
		rate, mbps := p.SendRate, p.SendMBps
		if parts.Oneway {
			rate, mbps = p.SentRate, p.SentMBps
		}
		fmt.Fprintf(&b, " send %7.0f msg/s %6.2f MB/s lat(ms) %s |", rate, mbps, latencyFields(p.SendLat))
	}
	if parts.Recv {
		fmt.Fprintf(&b, " recv %7.0f msg/s %6.2f MB/s e2e(ms) %s |", p.RecvRate, p.RecvMBps, latencyFields(p.E2ELat))
	}
	fmt.Fprintf(&b, " errors %s", FormatErrors(p.Errors))
	return b.String()
}

// Summary is the final report of a run; it is also the --json document.
type Summary struct {
	Mode        string  `json:"mode"`      // producer, consumer or e2e
	Client      string  `json:"client"`    // go (rocketmq-client-go) or raw
	Serialize   string  `json:"serialize"` // JSON or ROCKETMQ request headers
	SendMode    string  `json:"sendMode,omitempty"`
	Topic       string  `json:"topic"`
	Workers     int     `json:"workers"`
	Inflight    int     `json:"inflight,omitempty"`
	Batch       int     `json:"batch,omitempty"`
	MessageSize int     `json:"messageSize,omitempty"`
	DurationSec float64 `json:"durationSec"` // the sending (or consuming) window

	Sent   int64 `json:"sent"`
	Acked  int64 `json:"acked"`
	Failed int64 `json:"failed"`
	// Refused is the part of Failed the broker answered with a failure
	// code (Java's "Response Failed"); the rest failed in transport.
	Refused  int64 `json:"refused"`
	Consumed int64 `json:"consumed"`
	// Foreign counts messages consumed that this run did not produce.
	Foreign int64 `json:"foreign,omitempty"`

	SendTPS  float64 `json:"sendTps"`
	SendMBps float64 `json:"sendMBps"`
	RecvTPS  float64 `json:"recvTps"`
	RecvMBps float64 `json:"recvMBps"`

	SendLatencyUs *Latency         `json:"sendLatencyUs,omitempty"`
	E2ELatencyUs  *Latency         `json:"e2eLatencyUs,omitempty"`
	Errors        map[string]int64 `json:"errors"`

	// The broker's resident set (--rss-pid): VmRSS peak and first sample,
	// and the peak of its anonymous part (RssAnon: heap and stacks, without
	// the mapped store files).
	BrokerPID         int   `json:"brokerPid,omitempty"`
	BrokerPeakRSSKiB  int64 `json:"brokerPeakRssKiB,omitempty"`
	BrokerPeakAnonKiB int64 `json:"brokerPeakAnonKiB,omitempty"`
	BrokerStartRSSKiB int64 `json:"brokerStartRssKiB,omitempty"`
	BrokerRSSSamples  int   `json:"brokerRssSamples,omitempty"`
}

// JSON is the --json document (indented, newline-terminated).
func (s *Summary) JSON() ([]byte, error) {
	if s.Errors == nil {
		s.Errors = map[string]int64{}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return append(b, '\n'), nil
}

func latencyLine(l *Latency) string {
	return fmt.Sprintf("count %d min %s mean %.3f p50 %s p90 %s p99 %s p99.9 %s p99.99 %s max %s",
		l.Count, ms(l.Min), l.Mean/1000, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.P9999), ms(l.Max))
}

// FormatSummary renders the human-readable summary, one fact per line.
func FormatSummary(s *Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- mqbench %s summary: %s client, %s headers", s.Mode, s.Client, s.Serialize)
	if s.SendMode != "" {
		fmt.Fprintf(&b, ", %s sends", s.SendMode)
	}
	fmt.Fprintf(&b, ", %d worker(s)", s.Workers)
	if s.Inflight > 0 {
		fmt.Fprintf(&b, " x %d in flight", s.Inflight)
	}
	if s.Batch > 1 {
		fmt.Fprintf(&b, ", batches of %d", s.Batch)
	}
	if s.MessageSize > 0 {
		fmt.Fprintf(&b, ", %d B bodies", s.MessageSize)
	}
	fmt.Fprintf(&b, ", topic %s, %.2f s ---\n", s.Topic, s.DurationSec)
	fmt.Fprintf(&b, "messages: sent %d acked %d failed %d consumed %d", s.Sent, s.Acked, s.Failed, s.Consumed)
	if s.Foreign > 0 {
		fmt.Fprintf(&b, " (and %d of other runs)", s.Foreign)
	}
	b.WriteByte('\n')
	if s.Mode != "consumer" {
		fmt.Fprintf(&b, "send: %.0f msg/s %.2f MB/s\n", s.SendTPS, s.SendMBps)
		if s.SendLatencyUs != nil {
			fmt.Fprintf(&b, "send latency (ms): %s\n", latencyLine(s.SendLatencyUs))
		}
	}
	if s.Mode != "producer" {
		fmt.Fprintf(&b, "recv: %.0f msg/s %.2f MB/s\n", s.RecvTPS, s.RecvMBps)
		if s.E2ELatencyUs != nil {
			fmt.Fprintf(&b, "e2e latency (ms): %s\n", latencyLine(s.E2ELatencyUs))
		}
	}
	fmt.Fprintf(&b, "errors: %s\n", FormatErrors(s.Errors))
	if s.BrokerPID > 0 {
		fmt.Fprintf(&b, "broker rss: peak %.1f MiB (anonymous %.1f MiB), at start %.1f MiB (pid %d, %d samples)\n",
			float64(s.BrokerPeakRSSKiB)/1024, float64(s.BrokerPeakAnonKiB)/1024, float64(s.BrokerStartRSSKiB)/1024, s.BrokerPID, s.BrokerRSSSamples)
	}
	if s.Mode != "consumer" {
		// Java benchmark Producer's closing line, same fields and layout.
		var maxRT int64
		var avgRT float64
		if s.SendLatencyUs != nil {
			maxRT, avgRT = s.SendLatencyUs.Max/1000, s.SendLatencyUs.Mean/1000
		}
		fmt.Fprintf(&b, "[Complete] Send Total: %d Send TPS: %d Max RT(ms): %d Average RT(ms): %7.3f Send Failed: %d Response Failed: %d\n",
			s.Sent, int64(s.SendTPS), maxRT, avgRT, s.Failed-s.Refused, s.Refused)
	}
	return b.String()
}
