package store

import (
	"context"
	"errors"
	"math"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/message"
)

// TestDiskFullRefusesWritesAndRecovers: the periodic check marks the disk
// full, puts are refused with ErrDiskFull, and once usage drops the store
// takes writes again without being told.
func TestDiskFullRefusesWritesAndRecovers(t *testing.T) {
	env := newEnv(time.Now(), 0.5)
	cfg := env.config(t.TempDir())
	cfg.DiskCheckInterval = 5 * time.Millisecond
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	rec := keyedRecord(t, "Full", 0, 1)
	if _, err := s.Put("Full", 0, rec); err != nil {
		t.Fatal(err)
	}

	env.setUsage(0.95)
	waitFor(t, "disk marked full", func() bool { return s.DiskFull() })
	_, err = s.Put("Full", 0, rec)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("put on a full disk: %v", err)
	}
	if _, err := s.PutBatch("Full", 0, append(append([]byte{}, rec...), rec...), 2); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("batch put on a full disk: %v", err)
	}
	waitDispatched(t, s, "Full", 0, 1)
	if got := s.MaxOffsetInQueue("Full", 0); got != 1 {
		t.Fatalf("refused puts stored something: max offset %d", got)
	}

	env.setUsage(0.5)
	waitFor(t, "writes accepted again", func() bool {
		_, err := s.Put("Full", 0, rec)
		return err == nil
	})
	if s.DiskFull() {
		t.Fatal("still marked full after a put succeeded")
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDiskFullThresholds(t *testing.T) {
	cases := []struct {
		name    string
		usage   float64
		broken  bool
		warning float64
		full    bool
	}{
		{"half used", 0.5, false, 0, false},
		{"at the warning level", 0.90, false, 0, false},
		{"above the warning level", 0.91, false, 0, true},
		{"unmeasurable counts as not full", 0, true, 0, false},
		{"lowered warning level", 0.6, false, 0.55, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(time.Now(), 0.5)
			cfg := env.config(t.TempDir())
			cfg.DiskSpaceWarningLevelRatio = tc.warning
			s, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())
			env.setUsage(tc.usage)
			env.usageErr.Store(tc.broken)
			if got := s.checkDisk(); got != tc.full || s.DiskFull() != tc.full {
				t.Fatalf("full=%v (flag %v), want %v", got, s.DiskFull(), tc.full)
			}
			_, err = s.Put("T", 0, keyedRecord(t, "T", 0, 0))
			if refused := errors.Is(err, ErrDiskFull); refused != tc.full {
				t.Fatalf("put: %v", err)
			}
		})
	}
}

// TestDiskFullAtOpen: a store opened on a full disk refuses the first put.
func TestDiskFullAtOpen(t *testing.T) {
	env := newEnv(time.Now(), 0.97)
	s, err := Open(env.config(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if _, err := s.Put("T", 0, keyedRecord(t, "T", 0, 0)); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("first put on a full disk: %v", err)
	}
}

// TestCleanerSetsDiskFull: the cleaner's run marks and clears the state as
// Java's isSpaceToDelete does, including its second look at the consume
// queue partition, which marks the disk OK when that one has room.
func TestCleanerSetsDiskFull(t *testing.T) {
	env := newEnv(time.Now(), 0.5)
	cfg := env.config(t.TempDir())
	cfg.DiskMaxUsedSpaceRatio = 95
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	steps := []struct {
		commitlog, logics float64
		full              bool
	}{
		{0.97, 0, true},    // above diskMaxUsedSpaceRatio: the run stops at the commitlog
		{0.5, 0, false},    // below the forcibly ratio: marked OK
		{0.93, 0.5, false}, // full commitlog, but the consume queue pass marks it OK again
		{0.93, 0.93, true}, // both full
		{0.87, 0.87, true}, // between the forcibly and the warning ratio: unchanged
		{0.5, 0.5, false},  // OK again
		{0.93, 0.87, true}, // the consume queue pass leaves the state
		{0.5, 0.96, true},  // a full consume queue partition marks the disk full
		{0.88, 0.5, false}, // and its room marks it OK
	}
	for i, st := range steps {
		env.setUsage(st.commitlog)
		env.logics.Store(math.Float64bits(st.logics))
		s.RunCleanOnce()
		if s.DiskFull() != st.full {
			t.Fatalf("step %d (commitlog %.2f, consume queue %.2f): full=%v, want %v", i, st.commitlog, st.logics, s.DiskFull(), st.full)
		}
	}
}

func TestMessageTooLarge(t *testing.T) {
	env := newEnv(time.Now(), 0.5)
	cfg := env.config(t.TempDir())
	cfg.MappedFileSizeCommitLog = 1 << 20
	cfg.MaxMessageSize = 1024
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	for _, tc := range []struct {
		body int
		ok   bool
	}{{2000, true}, {1024 + 64*1024 - 200, true}, {1024 + 64*1024, false}, {200 << 10, false}} {
		rec, err := message.AppendRecord(nil, &message.Message{BornHost: h, StoreHost: h, Topic: "Big", Body: make([]byte, tc.body)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Put("Big", 0, rec)
		if (err == nil) != tc.ok || (!tc.ok && !errors.Is(err, ErrMessageTooLarge)) {
			t.Errorf("record of %d bytes: %v", len(rec), err)
		}
	}
}

func TestDiskUsageStatfs(t *testing.T) {
	u, err := diskUsage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if u < 0 || u > 1 || math.Abs(u*100-math.Round(u*100)) > 1e-9 {
		t.Fatalf("usage %v: not a whole percentage in [0,1]", u)
	}
	if _, err := diskUsage(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("usage of a missing path")
	}
}
