package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqbench/internal/report"
	"github.com/rocketgo/rocketgo/store/message"
)

func TestParseOptions(t *testing.T) {
	cases := []struct {
		name  string
		mode  string
		args  []string
		check func(*options) bool
		err   string
	}{
		{"java producer defaults", "producer", nil, func(o *options) bool {
			return o.workers == 64 && o.size == 128 && o.topic == "BenchmarkTest" && !o.keys && o.quantity == 0 &&
				o.duration == 0 && o.serialize == "json" && o.inflight == 1 && o.batch == 1 && o.sendMode() == "sync"
		}, ""},
		{"java consumer defaults", "consumer", nil, func(o *options) bool {
			return o.workers == 20 && o.group == "benchmark_consumer" && o.batch == 1
		}, ""},
		{"java value booleans", "producer", []string{"-k", "true", "-y", "TRUE", "-d", "false", "-w", "8", "-s", "1024", "-l", "3"}, func(o *options) bool {
			return o.keys && o.async && !o.delay && o.workers == 8 && o.size == 1024 && o.tagCount == 3 && o.inflight == 128 && o.sendMode() == "async"
		}, ""},
		{"-q count", "producer", []string{"-q", "5000"}, func(o *options) bool { return o.quantity == 5000 && o.duration == 0 }, ""},
		{"-q duration", "e2e", []string{"-q", "30s"}, func(o *options) bool { return o.duration == 30*time.Second && o.quantity == 0 }, ""},
		{"raw defaults to ROCKETMQ headers", "producer", []string{"--raw", "--inflight", "32"}, func(o *options) bool {
			return o.serialize == "rocketmq" && o.inflight == 32 && o.sendMode() == "pipelined"
		}, ""},
		{"raw json", "producer", []string{"--raw", "--serialize", "JSON"}, func(o *options) bool { return o.serialize == "json" }, ""},
		{"double dash and batch", "e2e", []string{"--batch", "16", "--oneway", "-g", "G"}, func(o *options) bool {
			return o.batch == 16 && o.oneway && o.group == "G" && o.sendMode() == "oneway"
		}, ""},
		{"consumer filter", "consumer", []string{"-f", "tag", "-e", "/x", "-p", "true"}, func(o *options) bool {
			return o.filterType == "TAG" && o.expressionFile == "/x" && o.groupSuffix
		}, ""},
		{"go client cannot rocketmq", "producer", []string{"--serialize", "rocketmq"}, nil, "needs --raw"},
		{"bad serialize", "producer", []string{"--raw", "--serialize", "xml"}, nil, "want json or rocketmq"},
		{"bad -q", "producer", []string{"-q", "soon"}, nil, "neither a message count"},
		{"negative -q", "producer", []string{"-q", "-3"}, nil, "must not be negative"},
		{"async and oneway", "producer", []string{"--async", "--oneway"}, nil, "exclude each other"},
		{"e2e needs room for the marker", "e2e", []string{"-s", "8"}, nil, "-s >= 20"},
		{"trace unsupported", "producer", []string{"-m", "true"}, nil, "not supported"},
		{"unknown mode", "bogus", nil, nil, "unknown mode"},
		{"stray argument", "producer", []string{"extra"}, nil, "unexpected argument"},
		{"zero workers", "producer", []string{"-w", "0"}, nil, "-w must be"},
		{"fail rate raw", "consumer", []string{"-r", "0.5", "--raw"}, nil, "needs the Go client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NAMESRV_ADDR", "")
			o, err := parseOptions(tc.mode, tc.args, io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.namesrv != "127.0.0.1:9876" {
				t.Errorf("namesrv default %q", o.namesrv)
			}
			if !tc.check(o) {
				t.Fatalf("options %+v", o)
			}
		})
	}
	t.Run("NAMESRV_ADDR", func(t *testing.T) {
		t.Setenv("NAMESRV_ADDR", "10.0.0.1:9876;10.0.0.2:9876")
		o, err := parseOptions("producer", nil, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.namesrvAddrs(); len(got) != 2 || got[1] != "10.0.0.2:9876" {
			t.Fatalf("namesrv addrs %v", got)
		}
	})
}

func TestQuotas(t *testing.T) {
	cases := []struct {
		total   int64
		workers int
		want    []int64
	}{
		{0, 3, []int64{0, 0, 0}},
		{10, 3, []int64{4, 3, 3}},
		{2, 4, []int64{2, 0, 0, 0}},
	}
	for _, tc := range cases {
		got := quotas(tc.total, tc.workers)
		if len(got) != len(tc.want) {
			t.Fatalf("quotas(%d,%d) = %v", tc.total, tc.workers, got)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("quotas(%d,%d) = %v, want %v", tc.total, tc.workers, got, tc.want)
			}
		}
	}
}

func TestMarkerAndProperties(t *testing.T) {
	body := filler(64)
	now := time.UnixMicro(1_700_000_000_123_456)
	stamp(body, 0xABCDEF, now)
	id, sent, ok := readMarker(body)
	if !ok || id != 0xABCDEF || !sent.Equal(now) {
		t.Fatalf("marker: %x %v %v", id, sent, ok)
	}
	lat, id2, marked := e2eLatency(body, 0, now.Add(1500*time.Microsecond))
	if !marked || id2 != id || lat != 1500*time.Microsecond {
		t.Fatalf("e2e latency %v marked %v", lat, marked)
	}
	// Short bodies carry no marker: latency from the born timestamp (ms).
	short := filler(8)
	stamp(short, 1, now)
	if _, _, ok := readMarker(short); ok {
		t.Fatal("short body marked")
	}
	lat, _, marked = e2eLatency(short, now.UnixMilli()-3, now)
	if marked || lat < 3*time.Millisecond || lat >= 4*time.Millisecond {
		t.Fatalf("born-time latency %v", lat)
	}
	// Clock skew never gives a negative latency.
	if lat, _, _ := e2eLatency(body, 0, now.Add(-time.Second)); lat != 0 {
		t.Fatalf("negative latency not clamped: %v", lat)
	}

	u := newUniqKeys(7, 3)
	seen := map[string]bool{}
	for range 1000 {
		k := u.next()
		if len(k) != 32 || strings.ToUpper(k) != k || seen[k] {
			t.Fatalf("uniq key %q (dup %v)", k, seen[k])
		}
		seen[k] = true
	}

	user := userProperties(30, 5)
	size := 0
	for _, kv := range user {
		size += len(kv[0]) + len(kv[1])
	}
	if size <= 30 || user[0][0] != "prop0" || user[0][1] != "hello5" || user[1][1] != "5" {
		t.Fatalf("user properties %v (size %d)", user, size)
	}
	props := message.Properties(appendProperties(nil, messageProps{keys: "K", tags: "tag1", delay: 3, user: user[:2], uniq: "U"}))
	for k, want := range map[string]string{"KEYS": "K", "TAGS": "tag1", "DELAY": "3", "prop0": "hello5", "UNIQ_KEY": "U", "WAIT": "true"} {
		if got, ok := props.GetString(k); !ok || got != want {
			t.Errorf("property %s = %q, want %q", k, got, want)
		}
	}
}

func TestParseVmRSS(t *testing.T) {
	rss, anon, err := parseStatusRSS([]byte("Name:\trocketgo\nVmPeak:\t  999 kB\nVmRSS:\t   12345 kB\nRssAnon:\t  2345 kB\nRssFile:\t 10000 kB\nThreads: 4\n"))
	if err != nil || rss != 12345 || anon != 2345 {
		t.Fatalf("VmRSS %d RssAnon %d %v", rss, anon, err)
	}
	if rss, anon, err := parseStatusRSS([]byte("VmRSS: 7 kB\n")); err != nil || rss != 7 || anon != 0 {
		t.Fatalf("without RssAnon: %d %d %v", rss, anon, err)
	}
	if _, _, err := parseStatusRSS([]byte("Name: x\n")); err == nil {
		t.Fatal("missing VmRSS accepted")
	}
	if _, _, err := parseStatusRSS([]byte("VmRSS: lots kB\n")); err == nil {
		t.Fatal("bad VmRSS accepted")
	}
	// Our own process: a sampler sees a positive RSS.
	s := startRSS(os.Getpid(), 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	r, err := s.stop()
	if err != nil || r.Peak <= 0 || r.First <= 0 || r.Peak < r.First || r.PeakAnon <= 0 || r.PeakAnon > r.Peak || r.Samples < 2 {
		t.Fatalf("sampler: %+v err %v", r, err)
	}
	if _, err := startRSS(1<<30, time.Millisecond).stop(); err == nil {
		t.Fatal("sampling a missing pid reported no error")
	}
}

func TestTableCommand(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, s := range []*report.Summary{
		{Mode: "e2e", MessageSize: 128, Workers: 1, Inflight: 1, SendTPS: 1234.4, SendMBps: 0.15, Sent: 10, Acked: 10, Consumed: 10,
			SendLatencyUs: &report.Latency{P50: 250, P99: 1000, P999: 2000, Max: 5000},
			E2ELatencyUs:  &report.Latency{P50: 500, P99: 1500, P999: 2500, Max: 6000}, BrokerPeakRSSKiB: 51200, BrokerPeakAnonKiB: 10240},
		{Mode: "producer", MessageSize: 1024, Workers: 64, Inflight: 1, Sent: 5, Acked: 4, Failed: 1, Errors: map[string]int64{"TIMEOUT": 1}},
	} {
		data, err := s.JSON()
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, strings.Repeat("x", i+1)+".json")
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append([]string{"table"}, files...), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("table:\n%s", out.String())
	}
	want1 := "| 128 B | 1 | 1 | 1234 | 0.15 | 0.25 | 1.00 | 2.00 | 5.00 | 0.50 | 1.50 | 2.50 | 6.00 | 10 | 10 | 10 | none | 50.0 (10.0) |"
	want2 := "| 1 KiB | 64 | 1 | 0 | 0.00 | - | - | - | - | - | - | - | - | 5 | 4 | 0 | TIMEOUT=1 | - |"
	if lines[2] != want1 || lines[3] != want2 {
		t.Fatalf("rows:\n%s\n%s\nwant\n%s\n%s", lines[2], lines[3], want1, want2)
	}
	for _, l := range lines {
		if strings.Count(l, "|") != 19 {
			t.Fatalf("row with %d cells: %s", strings.Count(l, "|")-1, l)
		}
	}
	if code := run(context.Background(), []string{"table"}, &out, &errOut); code != 2 {
		t.Fatalf("table without files: exit %d", code)
	}
	if code := run(context.Background(), []string{"table", filepath.Join(dir, "missing.json")}, &out, &errOut); code != 1 {
		t.Fatalf("table with a missing file: exit %d", code)
	}
}

// progressLine is the grammar of progress lines (see the report package).
var progressLine = regexp.MustCompile(`^\[\s*\d+s\]( send\s+\d+ msg/s\s+[\d.]+ MB/s lat\(ms\) p50 [\d.]+ p99 [\d.]+ p99\.9 [\d.]+ max [\d.]+ \|)?` +
	`( recv\s+\d+ msg/s\s+[\d.]+ MB/s e2e\(ms\) p50 [\d.]+ p99 [\d.]+ p99\.9 [\d.]+ max [\d.]+ \|)? errors \S.*$`)

// checkHuman asserts that the human output holds well-formed progress
// lines (at least minProgress) and the summary.
func checkHuman(t *testing.T, out string, minProgress int, mode string) {
	t.Helper()
	progress := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "[") && !strings.HasPrefix(l, "[Complete]") {
			if !progressLine.MatchString(l) {
				t.Errorf("malformed progress line %q", l)
			}
			progress++
		}
	}
	if progress < minProgress {
		t.Errorf("%d progress lines, want at least %d:\n%s", progress, minProgress, out)
	}
	if !strings.Contains(out, "--- mqbench "+mode+" summary: ") {
		t.Errorf("no summary in:\n%s", out)
	}
}

func decodeReport(t *testing.T, stdout []byte) *report.Summary {
	t.Helper()
	var s report.Summary
	dec := json.NewDecoder(bytes.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("more than one document on stdout:\n%s", stdout)
	}
	return &s
}

// checkCounts asserts sent = acked = consumed (when consuming) > 0 with no
// failure.
func checkCounts(t *testing.T, s *report.Summary, consuming bool) {
	t.Helper()
	if s.Sent == 0 || s.Acked != s.Sent || s.Failed != 0 || len(s.Errors) != 0 {
		t.Fatalf("sent %d acked %d failed %d errors %v", s.Sent, s.Acked, s.Failed, s.Errors)
	}
	if consuming && s.Consumed != s.Acked {
		t.Fatalf("sent %d acked %d consumed %d", s.Sent, s.Acked, s.Consumed)
	}
	if s.SendLatencyUs == nil || s.SendLatencyUs.Count == 0 || s.SendLatencyUs.P50 > s.SendLatencyUs.P99 || s.SendLatencyUs.P99 > s.SendLatencyUs.Max {
		t.Fatalf("send latency %+v", s.SendLatencyUs)
	}
	if consuming && (s.E2ELatencyUs == nil || s.E2ELatencyUs.Count != s.Consumed) {
		t.Fatalf("e2e latency %+v for %d consumed", s.E2ELatencyUs, s.Consumed)
	}
}

func runInProcess(t *testing.T, args ...string) (*report.Summary, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, args, &stdout, &stderr); code != 0 {
		t.Fatalf("mqbench %v: exit %d\n%s", args, code, stderr.String())
	}
	return decodeReport(t, stdout.Bytes()), stderr.String()
}

// TestRawLive runs the raw client against a live in-process rocketgo.
func TestRawLive(t *testing.T) {
	ns := startCluster(t)

	t.Run("e2e timed, ROCKETMQ headers", func(t *testing.T) {
		s, human := runInProcess(t, "e2e", "--raw", "-n", ns, "-t", "RawE2E", "-w", "3", "--inflight", "4", "-q", "2s",
			"--interval", "500ms", "--json", "-k", "true", "-l", "4")
		checkCounts(t, s, true)
		checkHuman(t, human, 2, "e2e")
		if s.Mode != "e2e" || s.Client != "raw" || s.Serialize != "ROCKETMQ" || s.SendMode != "pipelined" || s.Workers != 3 || s.Inflight != 4 {
			t.Fatalf("report header %+v", s)
		}
		if s.DurationSec < 1.9 || s.DurationSec > 10 || s.SendTPS <= 0 || s.RecvTPS <= 0 {
			t.Fatalf("duration %.2f s, send %.0f/s, recv %.0f/s", s.DurationSec, s.SendTPS, s.RecvTPS)
		}
	})

	t.Run("e2e counted batches, JSON headers", func(t *testing.T) {
		s, human := runInProcess(t, "e2e", "--raw", "--serialize", "json", "-n", ns, "-t", "RawBatch", "-w", "2", "--batch", "4",
			"--inflight", "2", "-q", "1001", "--json")
		checkCounts(t, s, true)
		checkHuman(t, human, 0, "e2e")
		if s.Sent != 1001 || s.Serialize != "JSON" || s.Batch != 4 {
			t.Fatalf("sent %d serialize %s batch %d", s.Sent, s.Serialize, s.Batch)
		}
	})

	t.Run("producer then consumer", func(t *testing.T) {
		s, _ := runInProcess(t, "producer", "--raw", "-n", ns, "-t", "RawPC", "-w", "4", "-q", "800", "--json", "-s", "1024")
		checkCounts(t, s, false)
		if s.Sent != 800 || s.MessageSize != 1024 || s.SendMBps <= 0 {
			t.Fatalf("producer report %+v", s)
		}
		// A new group starts at the queue's first offset (the broker's
		// answer for a group with no committed offset when the queue
		// still starts at 0, as Java's): it reads all 800.
		c, human := runInProcess(t, "consumer", "--raw", "-n", ns, "-t", "RawPC", "-g", "raw_group", "-q", "800", "--json")
		if c.Consumed != 800 || c.Sent != 0 || c.E2ELatencyUs == nil || c.E2ELatencyUs.Count != 800 {
			t.Fatalf("consumer report %+v", c)
		}
		checkHuman(t, human, 0, "consumer")
	})

	t.Run("no broker", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"producer", "--raw", "-n", "127.0.0.1:1", "-q", "1", "--timeout", "500ms"}, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "127.0.0.1:1") {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
	})
}

// TestGoClientLive runs mqbench with rocketmq-client-go against a live
// in-process rocketgo. mqbench runs as its own process built without the
// race detector: rocketmq-client-go v2.1.2 has data races of its own (see
// compat-tests/cluster_test.go) that would fail this test whatever mqbench
// does. The broker, in this process, still runs under the detector.
func TestGoClientLive(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "mqbench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build mqbench: %v\n%s", err, out)
	}
	ns := startCluster(t)
	runBin := func(args ...string) (*report.Summary, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("mqbench %v: %v\n%s", args, err, stderr.String())
		}
		return decodeReport(t, stdout.Bytes()), stderr.String()
	}

	s, human := runBin("e2e", "-n", ns, "-t", "GoE2E", "-w", "2", "-q", "2s", "--interval", "500ms", "--json")
	checkCounts(t, s, true)
	checkHuman(t, human, 2, "e2e")
	if s.Client != "go" || s.Serialize != "JSON" || s.SendMode != "sync" {
		t.Fatalf("report header %+v", s)
	}

	s, _ = runBin("e2e", "-n", ns, "-t", "GoAsync", "-w", "2", "--async", "--inflight", "8", "--batch", "2", "-q", "301", "--json")
	checkCounts(t, s, true)
	if s.Sent != 301 || s.SendMode != "async" {
		t.Fatalf("async report %+v", s)
	}
}
