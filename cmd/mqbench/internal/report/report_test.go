package report

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// progressRe is the grammar of a progress line; scripts may rely on it.
var progressRe = regexp.MustCompile(`^\[\s*(\d+)s\]` +
	`(?: send\s+(\d+) msg/s\s+([\d.]+) MB/s lat\(ms\) p50 ([\d.]+) p99 ([\d.]+) p99\.9 ([\d.]+) max ([\d.]+) \|)?` +
	`(?: recv\s+(\d+) msg/s\s+([\d.]+) MB/s e2e\(ms\) p50 ([\d.]+) p99 ([\d.]+) p99\.9 ([\d.]+) max ([\d.]+) \|)?` +
	` errors (none|(?:[A-Z0-9_]+(?:\(-?\d+\))?=\d+)(?: [A-Z0-9_]+(?:\(-?\d+\))?=\d+)*)$`)

func TestProgressLineParses(t *testing.T) {
	start := time.Unix(1000, 0)
	c := NewCollector(start)
	m1, m2 := c.NewMeter(), c.NewMeter()
	for i := range 1000 {
		m1.Sent(1, 128)
		m1.Acked(1, 128, time.Duration(100+i)*time.Microsecond)
		m2.Consumed(128, time.Duration(2000+i)*time.Microsecond)
	}
	m2.Refused(3, 2)
	m1.Failed(1, "TIMEOUT")
	p := c.Tick(start.Add(2 * time.Second))

	cases := []struct {
		name  string
		parts Parts
	}{
		{"producer", Parts{Send: true}},
		{"consumer", Parts{Recv: true}},
		{"e2e", Parts{Send: true, Recv: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			line := FormatProgress(p, tc.parts)
			sm := progressRe.FindStringSubmatch(line)
			if sm == nil {
				t.Fatalf("progress line does not parse: %q", line)
			}
			if sm[1] != "2" {
				t.Errorf("elapsed %q, want 2", sm[1])
			}
			if tc.parts.Send {
				// 1000 acks in 2 s; p50 of 100..1099 µs is about 0.6 ms.
				if sm[2] != "500" {
					t.Errorf("send rate %q, want 500 (line %q)", sm[2], line)
				}
				if p50, _ := strconv.ParseFloat(sm[4], 64); p50 < 0.595 || p50 > 0.61 {
					t.Errorf("send p50 %v ms, want ~0.6", p50)
				}
				if sm[7] != "1.099" {
					t.Errorf("send max %q, want 1.099", sm[7])
				}
			} else if sm[2] != "" {
				t.Errorf("send part present in %q", line)
			}
			if tc.parts.Recv {
				if sm[8] != "500" {
					t.Errorf("recv rate %q, want 500", sm[8])
				}
				if p50, _ := strconv.ParseFloat(sm[10], 64); p50 < 2.49 || p50 > 2.52 {
					t.Errorf("e2e p50 %v ms, want ~2.5", p50)
				}
			} else if sm[8] != "" {
				t.Errorf("recv part present in %q", line)
			}
			if sm[14] != "SYSTEM_BUSY(2)=3 TIMEOUT=1" {
				t.Errorf("errors %q", sm[14])
			}
		})
	}

	// The next interval holds only what happened since.
	m1.Sent(1, 128)
	m1.Acked(1, 128, 50*time.Millisecond)
	p = c.Tick(start.Add(3 * time.Second))
	if p.SendRate != 1 || p.SendLat.Count != 1 || p.SendLat.P50 != 50_000 || p.RecvRate != 0 || p.E2ELat.Count != 0 {
		t.Fatalf("second interval: rate %v count %d p50 %d recv %v e2e %d", p.SendRate, p.SendLat.Count, p.SendLat.P50, p.RecvRate, p.E2ELat.Count)
	}
	line := FormatProgress(p, Parts{Send: true, Recv: true})
	if !progressRe.MatchString(line) || !strings.Contains(line, "p50 50.000") {
		t.Fatalf("second line %q", line)
	}
	if !progressRe.MatchString(FormatProgress(Progress{}, Parts{Send: true})) {
		t.Fatal("empty progress line does not parse")
	}
}

func TestTotalsConcurrentMeters(t *testing.T) {
	c := NewCollector(time.Now())
	var wg sync.WaitGroup
	for range 4 {
		m := c.NewMeter()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				m.Sent(2, 256)
				m.Acked(2, 256, time.Duration(i)*time.Microsecond)
				m.Consumed(128, time.Millisecond)
				m.Consumed(128, time.Millisecond)
			}
			m.Foreign()
			m.Error("FLUSH_DISK_TIMEOUT(10)", 2)
		}()
	}
	// A reader while writers run (the race detector checks the rest).
	for range 5 {
		tt := c.Totals(time.Now())
		if tt.Acked > tt.Sent {
			t.Fatalf("acked %d > sent %d", tt.Acked, tt.Sent)
		}
	}
	wg.Wait()
	tt := c.Totals(time.Now())
	if tt.Sent != 40000 || tt.Acked != 40000 || tt.SentBytes != 4*5000*256 || tt.AckedBytes != tt.SentBytes || tt.Consumed != 40000 || tt.Foreign != 4 {
		t.Fatalf("totals %+v", tt)
	}
	if tt.SendLat.Count() != 20000 || tt.SendLat.Max() != 4999 || tt.E2ELat.Count() != 40000 {
		t.Fatalf("histograms: send %d (max %d) e2e %d", tt.SendLat.Count(), tt.SendLat.Max(), tt.E2ELat.Count())
	}
	if tt.Errors["FLUSH_DISK_TIMEOUT(10)"] != 8 || tt.Failed != 0 {
		t.Fatalf("errors %v failed %d", tt.Errors, tt.Failed)
	}
}

func sampleSummary() *Summary {
	return &Summary{
		Mode: "e2e", Client: "raw", Serialize: "ROCKETMQ", SendMode: "sync", Topic: "BenchmarkTest",
		Workers: 16, Inflight: 1, Batch: 1, MessageSize: 128, DurationSec: 5,
		Sent: 1000, Acked: 990, Failed: 10, Refused: 4, Consumed: 990,
		SendTPS: 198, SendMBps: 0.024, RecvTPS: 197, RecvMBps: 0.024,
		SendLatencyUs: &Latency{Count: 990, Min: 100, Mean: 410.6, P50: 400, P90: 700, P99: 1200, P999: 2100, P9999: 2500, Max: 3004},
		E2ELatencyUs:  &Latency{Count: 990, Min: 200, Mean: 900, P50: 800, P90: 1000, P99: 1500, P999: 2500, P9999: 3000, Max: 3100},
		Errors:        map[string]int64{"SYSTEM_BUSY(2)": 4, "TIMEOUT": 6},
		BrokerPID:     4242, BrokerPeakRSSKiB: 204800, BrokerPeakAnonKiB: 40960, BrokerStartRSSKiB: 102400, BrokerRSSSamples: 25,
	}
}

func TestSummaryLinesParse(t *testing.T) {
	out := FormatSummary(sampleSummary())
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^--- mqbench e2e summary: raw client, ROCKETMQ headers, sync sends, 16 worker\(s\) x 1 in flight, 128 B bodies, topic BenchmarkTest, 5\.00 s ---$`),
		regexp.MustCompile(`^messages: sent 1000 acked 990 failed 10 consumed 990$`),
		regexp.MustCompile(`^send: 198 msg/s 0\.02 MB/s$`),
		regexp.MustCompile(`^send latency \(ms\): count 990 min 0\.100 mean 0\.411 p50 0\.400 p90 0\.700 p99 1\.200 p99\.9 2\.100 p99\.99 2\.500 max 3\.004$`),
		regexp.MustCompile(`^recv: 197 msg/s 0\.02 MB/s$`),
		regexp.MustCompile(`^e2e latency \(ms\): count 990 min 0\.200 mean 0\.900 p50 0\.800 p90 1\.000 p99 1\.500 p99\.9 2\.500 p99\.99 3\.000 max 3\.100$`),
		regexp.MustCompile(`^errors: SYSTEM_BUSY\(2\)=4 TIMEOUT=6$`),
		regexp.MustCompile(`^broker rss: peak 200\.0 MiB \(anonymous 40\.0 MiB\), at start 100\.0 MiB \(pid 4242, 25 samples\)$`),
		// Java benchmark Producer's closing line.
		regexp.MustCompile(`^\[Complete\] Send Total: 1000 Send TPS: 198 Max RT\(ms\): 3 Average RT\(ms\):   0\.411 Send Failed: 6 Response Failed: 4$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("%d summary lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], re)
		}
	}

	// A consumer summary has no send part and no [Complete] line.
	c := &Summary{Mode: "consumer", Client: "go", Serialize: "JSON", Topic: "T", Workers: 20, DurationSec: 1, Consumed: 5}
	out = FormatSummary(c)
	if strings.Contains(out, "send") || strings.Contains(out, "[Complete]") || !strings.Contains(out, "recv: 0 msg/s") ||
		!strings.Contains(out, "errors: none") {
		t.Fatalf("consumer summary:\n%s", out)
	}
}

func TestJSONReport(t *testing.T) {
	s := sampleSummary()
	data, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) || data[len(data)-1] != '\n' {
		t.Fatalf("not one valid JSON document: %s", data)
	}
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mode", "client", "serialize", "sent", "acked", "failed", "consumed", "sendTps", "sendLatencyUs", "e2eLatencyUs", "errors", "brokerPeakRssKiB", "brokerPeakAnonKiB"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var back Summary
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Sent != s.Sent || back.SendLatencyUs.P999 != 2100 || back.E2ELatencyUs.Max != 3100 || back.Errors["TIMEOUT"] != 6 {
		t.Fatalf("round trip: %+v", back)
	}
	// Absent parts stay absent, errors is always an object.
	empty := &Summary{Mode: "producer"}
	data, err = empty.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "LatencyUs") || !strings.Contains(string(data), `"errors": {}`) {
		t.Fatalf("empty report: %s", data)
	}
}

func TestCodeKey(t *testing.T) {
	for code, want := range map[int32]string{2: "SYSTEM_BUSY(2)", 17: "TOPIC_NOT_EXIST(17)", 9999: "CODE(9999)"} {
		if got := CodeKey(code); got != want {
			t.Errorf("CodeKey(%d) = %q, want %q", code, got, want)
		}
	}
}
