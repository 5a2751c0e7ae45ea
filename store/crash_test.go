package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/commitlog"
)

// SIGKILL crash tests. The test binary runs itself as a child process
// (TestCrashChild) that puts messages from several goroutines into a store
// and prints a line for every put the store acknowledged; the parent kills
// it with SIGKILL at a random moment, opens the store (abort file present:
// abnormal recovery) and checks that every acknowledged message is there,
// that queues and commitlog agree, that appends continue where the
// recovered data ends, and that a clean reopen sees the same store.
//
// `make test` runs three iterations; `make soak` (ROCKETGO_SOAK=1) runs 50,
// or ROCKETGO_SOAK_ITER. ROCKETGO_CRASH_SEED replays one seed.

const crashChildEnv = "ROCKETGO_CRASH_CHILD"

// crashSpec is what the parent tells the child.
type crashSpec struct {
	Dir      string
	Async    bool
	FileSize int
	Workers  int
	Seed     uint64
	Gen      int // generation: a store may be crashed more than once
}

var crashTopics = []string{"CrashA", "CrashB", "CrashC"}

const crashQueues = 3

func crashConfig(spec crashSpec) Config {
	c := DefaultConfig(spec.Dir)
	c.MappedFileSizeCommitLog = spec.FileSize
	c.MappedFileSizeConsumeQueue = 64 * 20
	c.MaxHashSlotNum = 64
	c.MaxIndexNum = 256
	c.FlushDiskType = commitlog.SyncFlush
	if spec.Async {
		c.FlushDiskType = commitlog.AsyncFlush
	}
	c.Logger = quiet()
	return c
}

// TestCrashChild is the child process of TestCrashRecovery; run on its
// own (without the environment variable) it does nothing.
func TestCrashChild(t *testing.T) {
	raw := os.Getenv(crashChildEnv)
	if raw == "" {
		return
	}
	var spec crashSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Printf("ERR spec: %v\n", err)
		os.Exit(2)
	}
	var out sync.Mutex
	say := func(line string) {
		out.Lock()
		defer out.Unlock()
		os.Stdout.WriteString(line) // one write per line: a pipe keeps it whole
	}
	s, err := Open(crashConfig(spec))
	if err != nil {
		say(fmt.Sprintf("ERR open: %v\n", err))
		os.Exit(2)
	}
	// Killed long before; the deadline only stops an orphan.
	deadline := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	for w := range spec.Workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(spec.Seed, uint64(w)))
			for seq := 0; time.Now().Before(deadline); seq++ {
				topic, qid := crashTopics[rng.IntN(len(crashTopics))], int32(rng.IntN(crashQueues))
				n := 1 + rng.IntN(2500)
				if rng.IntN(20) == 0 {
					n = 6000 + rng.IntN(6000) // now and then a record that forces a roll-over
				}
				body := make([]byte, n)
				for i := range body {
					body[i] = byte(rng.Uint32())
				}
				m, err := putRecognisable(s, topic, qid, body, fmt.Sprintf("g%d-w%d-%d", spec.Gen, w, seq))
				if err != nil {
					say(fmt.Sprintf("ERR %v\n", err))
					os.Exit(2)
				}
				say(fmt.Sprintf("ACK %s %d %d %d %d %s %s %s\n", m.topic, m.queue, m.qoff, m.phys, m.size, m.key, m.bodySum, m.propSum))
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}

func parseAck(line string) (sentMsg, error) {
	f := strings.Fields(line)
	if len(f) != 9 {
		return sentMsg{}, fmt.Errorf("bad ack line %q", line)
	}
	q, err1 := strconv.ParseInt(f[2], 10, 32)
	qoff, err2 := strconv.ParseInt(f[3], 10, 64)
	phys, err3 := strconv.ParseInt(f[4], 10, 64)
	size, err4 := strconv.ParseInt(f[5], 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return sentMsg{}, fmt.Errorf("bad ack line %q", line)
	}
	return sentMsg{topic: f[1], queue: int32(q), qoff: qoff, phys: phys, size: int32(size), key: f[6], bodySum: f[7], propSum: f[8]}, nil
}

// crashMode is one way to crash the child.
type crashMode struct {
	name  string
	async bool
	// roll: kill just after a put lands near the end of a commitlog file,
	// while the next puts write the BLANK record and open the next file.
	roll bool
	gens int // child runs (each killed) before the final check
}

var crashModes = []crashMode{
	{name: "sync", gens: 2},
	{name: "sync-rollover", roll: true, gens: 1},
	{name: "async", async: true, gens: 1},
}

func crashIterations() int {
	if os.Getenv("ROCKETGO_SOAK") == "" {
		return len(crashModes)
	}
	if n, err := strconv.Atoi(os.Getenv("ROCKETGO_SOAK_ITER")); err == nil && n > 0 {
		return n
	}
	return 50
}

func TestCrashRecovery(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("ROCKETGO_CRASH_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("ROCKETGO_CRASH_SEED: %v", err)
		}
	}
	n := crashIterations()
	start := time.Now()
	for i := range n {
		mode := crashModes[i%len(crashModes)]
		s := seed + uint64(i)
		t.Run(fmt.Sprintf("%d-%s", i, mode.name), func(t *testing.T) {
			t.Logf("ROCKETGO_CRASH_SEED=%d", s)
			runCrash(t, mode, s, os.Getenv("ROCKETGO_SOAK") != "")
		})
	}
	t.Logf("%d crash iterations in %v", n, time.Since(start).Round(time.Millisecond))
}

func runCrash(t *testing.T, mode crashMode, seed uint64, soak bool) {
	rng := rand.New(rand.NewPCG(seed, 0))
	spec := crashSpec{Dir: t.TempDir(), Async: mode.async, FileSize: 64 << 10, Workers: 2 + rng.IntN(3), Seed: seed}
	gens := mode.gens
	if soak && !mode.async {
		// ASYNC_FLUSH may lose acknowledged puts, whose places a later
		// generation reuses: only SYNC_FLUSH stores are crashed repeatedly.
		gens = 1 + rng.IntN(3)
	}
	var acks []sentMsg
	for g := range gens {
		spec.Gen = g
		spec.Seed = seed + uint64(g)<<32
		got, err := crashChild(spec, mode, rng, soak)
		if err != nil {
			t.Fatalf("generation %d: %v", g, err)
		}
		t.Logf("generation %d: %d workers, %d acknowledged puts before SIGKILL", g, spec.Workers, len(got))
		acks = append(acks, got...)
	}
	verifyCrashedStore(t, crashConfig(spec), acks, mode.async)
}

// crashChild runs one child on spec.Dir, kills it and returns its acks.
func crashChild(spec crashSpec, mode crashMode, rng *rand.Rand, soak bool) ([]sentMsg, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	killed := false
	kill := func() {
		mu.Lock()
		defer mu.Unlock()
		if !killed {
			killed = true
			_ = cmd.Process.Kill() // SIGKILL
		}
	}
	var timedOut atomic.Bool
	guard := time.AfterFunc(30*time.Second, func() { timedOut.Store(true); kill() })
	defer guard.Stop()
	// When to kill: a random time after the first acknowledged put, or
	// (roll-over mode) right after a put lands in the last 15% of a file,
	// while the next puts write the BLANK and move to the next file.
	maxDelay := 250 * time.Millisecond
	if soak {
		maxDelay = time.Second
	}
	delay := time.Duration(rng.Int64N(int64(maxDelay)))
	if mode.roll {
		delay = 3 * time.Second // only if no put lands near a file end
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var acks []sentMsg
	var childErr error
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ACK "):
			m, err := parseAck(line)
			if err != nil {
				childErr = err
				kill()
				continue
			}
			acks = append(acks, m)
			if timer == nil {
				timer = time.AfterFunc(delay, kill)
			}
			if mode.roll && m.phys >= int64(spec.FileSize) && m.phys%int64(spec.FileSize) > int64(spec.FileSize)*85/100 {
				kill()
			}
		case strings.HasPrefix(line, "ERR "):
			childErr = fmt.Errorf("child: %s", line)
			kill()
		}
	}
	werr := cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	switch {
	case childErr != nil:
		return acks, childErr
	case timedOut.Load():
		return acks, fmt.Errorf("child made no progress in 30 s: %s", stderr.String())
	case !killed:
		return acks, fmt.Errorf("child exited on its own (%v): %s", werr, stderr.String())
	case strings.Contains(stderr.String(), "DATA RACE"):
		return acks, fmt.Errorf("child: %s", stderr.String())
	}
	return acks, nil
}

// verifyCrashedStore opens the killed store and checks it.
func verifyCrashedStore(t *testing.T, cfg Config, acks []sentMsg, async bool) {
	t.Helper()
	// The store never handed out a queue offset or a position twice.
	seenQ := map[string]string{}
	seenPhys := map[int64]string{}
	for _, m := range acks {
		q := fmt.Sprintf("%s/%d/%d", m.topic, m.queue, m.qoff)
		if other, dup := seenQ[q]; dup {
			t.Errorf("%s and %s both acknowledged at %s", other, m.key, q)
		}
		if other, dup := seenPhys[m.phys]; dup {
			t.Errorf("%s and %s both acknowledged at commitlog %d", other, m.key, m.phys)
		}
		seenQ[q], seenPhys[m.phys] = m.key, m.key
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("open after SIGKILL: %v", err)
	}
	defer func() { closeIfOpen(s) }()
	if !s.abnormal {
		t.Fatal("a killed store recovered as a clean one")
	}
	end := s.CommitLog().MaxOffset()
	lost := 0
	c := &errCap{t: t}
	for _, m := range acks {
		// SYNC_FLUSH: every acknowledged put survives. ASYNC_FLUSH: what
		// survives is a prefix of what was written, all of it intact.
		if async && m.phys+int64(m.size) > end {
			lost++
			if e, ok := s.Entry(m.topic, m.queue, m.qoff); ok && e.Offset == m.phys {
				c.errorf("%s at %d past the recovered end %d is still served", m.key, m.phys, end)
			}
			continue
		}
		if err := checkServed(s, m); err != nil {
			c.errorf("acknowledged message lost or damaged: %v", err)
			continue
		}
		if !indexFinds(s, m) {
			c.errorf("%s at %d not found by its key", m.key, m.phys)
		}
	}
	if lost > 0 {
		t.Logf("ASYNC_FLUSH: %d of %d acknowledged puts past the recovered end", lost, len(acks))
	}
	checkConsistent(t, s)
	var queues []queueKey
	for _, topic := range crashTopics {
		for q := range crashQueues {
			queues = append(queues, queueKey{topic, int32(q)})
		}
	}
	added := appendAfterRecovery(t, s, queues, "after-crash")
	maxes := checkConsistent(t, s)
	newEnd := s.CommitLog().MaxOffset()
	err = s.Close(context.Background())
	if s = nil; err != nil {
		t.Fatalf("close: %v", err)
	}
	if s, err = Open(cfg); err != nil {
		t.Fatalf("clean reopen: %v", err)
	}
	if s.abnormal || s.CommitLog().MaxOffset() != newEnd {
		t.Fatalf("clean reopen: abnormal=%v end %d, want %d", s.abnormal, s.CommitLog().MaxOffset(), newEnd)
	}
	if again := checkConsistent(t, s); !maps.Equal(again, maxes) {
		t.Fatalf("clean reopen: queues %v, before %v", again, maxes)
	}
	for _, m := range acks {
		if async && m.phys+int64(m.size) > end {
			continue // lost with ASYNC_FLUSH; its place may hold a new message
		}
		added = append(added, m)
	}
	for _, m := range added {
		if err := checkServed(s, m); err != nil {
			c.errorf("after the clean reopen: %v", err)
		}
	}
}
