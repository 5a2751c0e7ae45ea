package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/consumequeue"
	"github.com/rocketgo/rocketgo/store/mappedfile"
	"github.com/rocketgo/rocketgo/store/message"
)

// testEnv is the clock and disk the store sees in retention tests.
type testEnv struct {
	now      atomic.Int64  // Unix ms
	usage    atomic.Uint64 // float64 bits, the commitlog partition
	logics   atomic.Uint64 // float64 bits, the consume queue partition; 0 = same as usage
	usageErr atomic.Bool
}

func newEnv(now time.Time, usage float64) *testEnv {
	e := &testEnv{}
	e.now.Store(now.UnixMilli())
	e.setUsage(usage)
	return e
}

func (e *testEnv) setUsage(u float64) { e.usage.Store(math.Float64bits(u)) }
func (e *testEnv) clock() time.Time   { return time.UnixMilli(e.now.Load()) }

func (e *testEnv) diskUsage(path string) (float64, error) {
	if e.usageErr.Load() {
		return 0, errors.New("statfs: input/output error")
	}
	if l := e.logics.Load(); l != 0 && filepath.Base(path) == "consumequeue" {
		return math.Float64frombits(l), nil
	}
	return math.Float64frombits(e.usage.Load()), nil
}

// config: 8 KiB commitlog files (~25 records), consume queue files of 10
// entries, index files of 63 entries, no pauses, no timer-driven runs.
func (e *testEnv) config(root string) Config {
	c := DefaultConfig(root)
	c.MappedFileSizeCommitLog = 8 << 10
	c.MappedFileSizeConsumeQueue = 10 * consumequeue.UnitSize
	c.MaxHashSlotNum = 16
	c.MaxIndexNum = 64
	c.DeleteCommitLogFilesInterval = -1
	c.DeleteConsumeQueueFilesInterval = -1
	c.CleanFirstDelay = time.Hour
	c.DiskCheckInterval = time.Hour
	c.Now = e.clock
	c.DiskUsage = e.diskUsage
	c.Logger = quiet()
	return c
}

func keyedRecord(t testing.TB, topic string, qid int32, i int) []byte {
	t.Helper()
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	props := message.AppendProperty(nil, 0, message.PropertyTags, "TagR")
	props = message.AppendProperty(props, 0, message.PropertyKeys, "key-"+strconv.Itoa(i))
	body := fmt.Sprintf("retention-%05d-%0200d", i, 0)
	rec, err := message.AppendRecord(nil, &message.Message{QueueID: qid, BornTimestamp: 1700000000000, BornHost: h,
		StoreHost: h, Body: []byte(body), Topic: topic, Properties: props})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

const retTopic = "RetTopic"

// filled is a store whose commitlog has a number of files, with the
// commitlog offset of every message of both queues of retTopic.
type filled struct {
	s     *Store
	root  string
	files []*mappedfile.File // commitlog files before any deletion
	phys  [2][]int64         // by queue id, by queue offset
}

func fillStore(t *testing.T, cfg Config, files int) *filled {
	t.Helper()
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	f := &filled{s: s, root: cfg.StorePathRootDir}
	// Until the last file is reached, then a few more so that it holds
	// messages of both queues.
	for i, extra := 0, 4; extra > 0; i++ {
		if len(s.cl.Files().Files()) >= files {
			extra--
		}
		qid := int32(i % 2)
		res, err := s.Put(retTopic, qid, keyedRecord(t, retTopic, qid, i))
		if err != nil {
			t.Fatal(err)
		}
		f.phys[qid] = append(f.phys[qid], res.PhysOffset)
	}
	if n := len(s.cl.Files().Files()); n != files {
		t.Fatalf("filled %d commitlog files, want %d", n, files)
	}
	for qid := range f.phys {
		waitDispatched(t, s, retTopic, int32(qid), int64(len(f.phys[qid])))
	}
	if _, err := s.cl.Files().Flush(); err != nil {
		t.Fatal(err)
	}
	f.files = s.cl.Files().Files()
	return f
}

// age sets the modification time of every commitlog file but the last.
func (f *filled) age(t *testing.T, now time.Time, age func(i int) time.Duration) {
	t.Helper()
	for i, mf := range f.files[:len(f.files)-1] {
		mt := now.Add(-age(i))
		if err := os.Chtimes(mf.Path(), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

// check verifies the store after deleted commitlog files went: files gone
// from disk, minimums moved, reads below them refused, consume queue and
// index files below the new commitlog start gone.
func (f *filled) check(t *testing.T, deleted int) {
	t.Helper()
	s := f.s
	for i, mf := range f.files {
		_, err := os.Stat(mf.Path())
		if gone := errors.Is(err, os.ErrNotExist); gone != (i < deleted) {
			t.Errorf("commitlog file %d (%s): gone=%v, %d files deleted", i, mf.Name(), gone, deleted)
		}
	}
	minPhys := f.files[deleted].Start()
	if s.MinPhyOffset() != minPhys {
		t.Fatalf("MinPhyOffset %d, want %d", s.MinPhyOffset(), minPhys)
	}
	for qid, phys := range f.phys {
		wantMin := int64(0)
		for wantMin < int64(len(phys)) && phys[wantMin] < minPhys {
			wantMin++
		}
		if got := s.MinOffsetInQueue(retTopic, int32(qid)); got != wantMin {
			t.Errorf("queue %d: min offset %d, want %d (first message at or after %d)", qid, got, wantMin, minPhys)
		}
		if wantMin > 0 {
			r := s.GetMessage(retTopic, int32(qid), 0, 32, nil, nil)
			if r.Status != OffsetTooSmall || r.NextBeginOffset != wantMin {
				t.Errorf("queue %d: read at 0 gave %s next %d, want OFFSET_TOO_SMALL next %d", qid, r.Status, r.NextBeginOffset, wantMin)
			}
			r.Release()
		}
		r := s.GetMessage(retTopic, int32(qid), wantMin, 1, nil, nil)
		if r.Status != Found {
			t.Errorf("queue %d: read at the new min %d gave %s", qid, wantMin, r.Status)
		}
		r.Release()
		if got, want := s.EarliestMessageTime(retTopic, int32(qid)), s.MessageStoreTime(retTopic, int32(qid), wantMin); got != want || got <= 0 {
			t.Errorf("queue %d: earliest time %d, store time at min %d", qid, got, want)
		}
		// Consume queue file j holds offsets [10j, 10j+10); it is deleted
		// when its last entry's record is below the commitlog start, never
		// when it is the last file.
		per := int64(10)
		files := (int64(len(phys)) + per - 1) / per
		for j := int64(0); j < files; j++ {
			last := min((j+1)*per, int64(len(phys))) - 1
			wantGone := j < files-1 && phys[last] < minPhys
			_, err := os.Stat(filepath.Join(f.root, "consumequeue", retTopic, strconv.Itoa(qid), mappedfile.FileName(j*per*consumequeue.UnitSize)))
			if gone := errors.Is(err, os.ErrNotExist); gone != wantGone {
				t.Errorf("queue %d file %d: gone=%v, want %v", qid, j, gone, wantGone)
			}
		}
	}
	idx := s.idx.Files()
	for _, x := range idx[:len(idx)-1] {
		if x.EndPhyOffset() < minPhys {
			t.Errorf("index file %s ends at %d, below the commitlog start %d", x.Name(), x.EndPhyOffset(), minPhys)
		}
	}
}

// youngAt ages every file 100 hours except file k, 1 hour old.
func youngAt(k int) func(int) time.Duration {
	return func(i int) time.Duration {
		if i == k {
			return time.Hour
		}
		return 100 * time.Hour
	}
}

func TestCommitLogRetention(t *testing.T) {
	at := func(hour int) time.Time { return time.Date(2026, 3, 10, hour, 30, 0, 0, time.Local) }
	old := func(int) time.Duration { return 100 * time.Hour }
	young := func(int) time.Duration { return time.Hour }
	cases := []struct {
		name   string
		now    time.Time
		usage  float64
		broken bool // disk usage unmeasurable
		age    func(i int) time.Duration
		tune   func(*Config)
		manual bool
		want   int
	}{
		{"outside deleteWhen, disk fine", at(10), 0.5, false, old, nil, false, 0},
		{"at deleteWhen: at most 10 a run", at(4), 0.5, false, old, nil, false, 10},
		{"at deleteWhen, files young", at(4), 0.5, false, young, nil, false, 0},
		{"at deleteWhen, stop at the first young file", at(4), 0.5, false, youngAt(3), nil, false, 3},
		{"deleteWhen list", at(16), 0.5, false, old, func(c *Config) { c.DeleteWhen = "01;16" }, false, 10},
		{"reserved time of 2 hours", at(4), 0.5, false, func(int) time.Duration { return 3 * time.Hour },
			func(c *Config) { c.FileReservedTime = 2 }, false, 10},
		{"disk above diskMaxUsedSpaceRatio", at(10), 0.80, false, old, nil, false, 10},
		{"disk above diskMaxUsedSpaceRatio, files young", at(10), 0.80, false, young, nil, false, 0},
		{"diskMaxUsedSpaceRatio clamped to 95", at(10), 0.96, false, old, func(c *Config) {
			c.DiskMaxUsedSpaceRatio = 99
			c.CleanFileForciblyEnable = false
		}, false, 10},
		{"disk above the forcibly ratio, files young", at(10), 0.86, false, young, nil, false, 10},
		{"forcible cleaning disabled", at(10), 0.86, false, young, func(c *Config) { c.CleanFileForciblyEnable = false }, false, 0},
		{"manual deletion", at(10), 0.5, false, old, nil, true, 10},
		{"manual deletion, files young", at(10), 0.5, false, young, nil, true, 0},
		{"disk usage unmeasurable", at(10), 0, true, old, nil, false, 10},
		{"bad deleteWhen", at(4), 0.5, false, old, func(c *Config) { c.DeleteWhen = "4am" }, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(tc.now, 0.5)
			cfg := env.config(t.TempDir())
			if tc.tune != nil {
				tc.tune(&cfg)
			}
			f := fillStore(t, cfg, 13)
			f.age(t, tc.now, tc.age)
			env.setUsage(tc.usage)
			env.usageErr.Store(tc.broken)
			if tc.manual {
				f.s.ExecuteDeleteFilesManually()
			}
			st := f.s.RunCleanOnce()
			if st.CommitLogFiles != tc.want {
				t.Fatalf("deleted %d commitlog files, want %d", st.CommitLogFiles, tc.want)
			}
			if tc.want > 0 && (st.ConsumeQueueFiles == 0 || st.IndexFiles == 0) {
				t.Errorf("after the commitlog moved: %d consume queue and %d index files deleted", st.ConsumeQueueFiles, st.IndexFiles)
			}
			f.check(t, tc.want)
		})
	}
}

// TestRetentionKeepsLastFile: forced deletion takes every file but the one
// being written, over as many runs as it needs, and the store keeps
// working (and reopens) at the new start.
func TestRetentionKeepsLastFile(t *testing.T) {
	now := time.Now()
	env := newEnv(now, 0.5)
	cfg := env.config(t.TempDir())
	f := fillStore(t, cfg, 14)
	env.setUsage(0.88)
	total := 0
	for run := 0; run < 4; run++ {
		total += f.s.RunCleanOnce().CommitLogFiles
	}
	if total != 13 {
		t.Fatalf("deleted %d of 13 deletable files", total)
	}
	f.check(t, 13)
	if len(f.s.cl.Files().Files()) != 1 {
		t.Fatalf("%d commitlog files left", len(f.s.cl.Files().Files()))
	}
	env.setUsage(0.5)
	res, err := f.s.Put(retTopic, 0, keyedRecord(t, retTopic, 0, 99999))
	if err != nil {
		t.Fatal(err)
	}
	waitDispatched(t, f.s, retTopic, 0, res.QueueOffset+1)
	minQ := f.s.MinOffsetInQueue(retTopic, 0)
	if err := f.s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if s.MinPhyOffset() != f.files[13].Start() || s.MinOffsetInQueue(retTopic, 0) != minQ ||
		s.MaxOffsetInQueue(retTopic, 0) != res.QueueOffset+1 {
		t.Fatalf("reopened: commitlog from %d, queue [%d,%d); want %d, [%d,%d)", s.MinPhyOffset(),
			s.MinOffsetInQueue(retTopic, 0), s.MaxOffsetInQueue(retTopic, 0), f.files[13].Start(), minQ, res.QueueOffset+1)
	}
}

// TestQueueWhollyExpired: a queue whose every message is in deleted
// commitlog files keeps its last consume queue file and, as in Java, its
// minimum (no entry reaches the commitlog start to move it to), so reads
// walk forward through missing files and removed messages.
func TestQueueWhollyExpired(t *testing.T) {
	env := newEnv(time.Now(), 0.5)
	cfg := env.config(t.TempDir())
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	for i := 0; i < 30; i++ {
		if _, err := s.Put("Early", 0, keyedRecord(t, "Early", 0, i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; len(s.cl.Files().Files()) < 5; i++ {
		if _, err := s.Put(retTopic, 0, keyedRecord(t, retTopic, 0, i)); err != nil {
			t.Fatal(err)
		}
	}
	waitDispatched(t, s, "Early", 0, 30)
	env.setUsage(0.87)
	if st := s.RunCleanOnce(); st.CommitLogFiles != 4 {
		t.Fatalf("deleted %d commitlog files", st.CommitLogFiles)
	}
	dir := filepath.Join(cfg.StorePathRootDir, "consumequeue", "Early", "0")
	for j, wantGone := range []bool{true, true, false} {
		_, err := os.Stat(filepath.Join(dir, mappedfile.FileName(int64(j*10*consumequeue.UnitSize))))
		if gone := errors.Is(err, os.ErrNotExist); gone != wantGone {
			t.Errorf("Early/0 file %d: gone=%v", j, gone)
		}
	}
	if lo, hi := s.MinOffsetInQueue("Early", 0), s.MaxOffsetInQueue("Early", 0); lo != 0 || hi != 30 {
		t.Fatalf("Early/0 offsets [%d,%d), Java keeps [0,30)", lo, hi)
	}
	reads := []struct {
		offset int64
		status GetStatus
		next   int64
	}{
		{0, OffsetFoundNull, 10},
		{10, OffsetFoundNull, 20},
		{20, MessageWasRemoving, 30},
	}
	for _, r := range reads {
		got := s.GetMessage("Early", 0, r.offset, 32, nil, nil)
		if got.Status != r.status || got.NextBeginOffset != r.next {
			t.Errorf("read at %d: %s next %d, want %s next %d", r.offset, got.Status, got.NextBeginOffset, r.status, r.next)
		}
	}
	if ts := s.EarliestMessageTime("Early", 0); ts != -1 {
		t.Errorf("earliest time %d of a queue without messages", ts)
	}
}

// TestReadWhileQueueNotYetCleaned: between the commitlog deletion and the
// consume queue pass, a read of the deleted range says the messages are
// being removed; after the pass, that the offset is too small.
func TestReadWhileQueueNotYetCleaned(t *testing.T) {
	now := time.Now()
	env := newEnv(now, 0.5)
	f := fillStore(t, env.config(t.TempDir()), 6)
	s := f.s
	if n := s.clean.deleteCommitLogFiles(0, true); n != 5 {
		t.Fatalf("deleted %d files", n)
	}
	r := s.GetMessage(retTopic, 0, 0, 32, nil, nil)
	if r.Status != MessageWasRemoving || r.NextBeginOffset != 10 || len(r.Messages) != 0 {
		t.Fatalf("read of deleted records: %s next %d (%d messages), want MESSAGE_WAS_REMOVING next 10", r.Status, r.NextBeginOffset, len(r.Messages))
	}
	if st := s.RunCleanOnce(); st.CommitLogFiles != 0 || st.ConsumeQueueFiles == 0 {
		t.Fatalf("queue pass: %+v", st)
	}
	r = s.GetMessage(retTopic, 0, 0, 32, nil, nil)
	if r.Status != OffsetTooSmall {
		t.Fatalf("after the queue pass: %s", r.Status)
	}
	f.check(t, 5)
}

// TestCleanerRunsOnItsOwn: the store's timer deletes without being asked,
// and Close interrupts a run pausing between deletions.
func TestCleanerRunsOnItsOwn(t *testing.T) {
	env := newEnv(time.Now(), 0.5)
	cfg := env.config(t.TempDir())
	cfg.CleanFirstDelay = time.Millisecond
	cfg.CleanResourceInterval = 2 * time.Millisecond
	f := fillStore(t, cfg, 4)
	env.setUsage(0.87) // above the forcibly ratio: files go whatever their age
	deadline := time.Now().Add(5 * time.Second)
	for f.s.MinPhyOffset() != f.files[3].Start() || f.s.MinOffsetInQueue(retTopic, 0) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("cleaner did not run: commitlog from %d, queue min %d", f.s.MinPhyOffset(), f.s.MinOffsetInQueue(retTopic, 0))
		}
		time.Sleep(time.Millisecond)
	}
	f.check(t, 3)

	env2 := newEnv(time.Now(), 0.87)
	cfg2 := env2.config(t.TempDir())
	cfg2.DeleteCommitLogFilesInterval = time.Hour
	g := fillStore(t, cfg2, 4)
	done := make(chan CleanStats)
	go func() { done <- g.s.RunCleanOnce() }()
	for g.s.MinPhyOffset() == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan error)
	go func() { closed <- g.s.Close(context.Background()) }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the cleaner's pause")
	}
	if st := <-done; st.CommitLogFiles != 1 {
		t.Fatalf("interrupted run deleted %d files", st.CommitLogFiles)
	}
	if st := g.s.RunCleanOnce(); st != (CleanStats{}) {
		t.Fatalf("run after Close: %+v", st)
	}
}

func TestIsItTimeToDo(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 1, 2, h, 0, 0, 0, time.Local) }
	cases := []struct {
		when string
		hour int
		want bool
		err  bool
	}{
		{"04", 4, true, false},
		{"04", 5, false, false},
		{"4", 4, true, false},
		{"+4", 4, true, false},
		{"01;16", 16, true, false},
		{"01;16", 2, false, false},
		{"04;", 4, true, false},  // trailing empty item dropped
		{"04;x", 4, true, false}, // answered before the bad item
		{"04;x", 5, false, true},
		{"x;04", 4, false, true},
		{"", 4, false, true},
		{" 4", 4, false, true},
	}
	for _, tc := range cases {
		got, err := isItTimeToDo(tc.when, at(tc.hour))
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("isItTimeToDo(%q, %d h) = %v, %v", tc.when, tc.hour, got, err)
		}
	}
}
