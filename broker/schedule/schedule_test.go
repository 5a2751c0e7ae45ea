package schedule

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

const javaStore = "../../../shared/testdata/java-4.9.7/store-small"

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// clock is a test clock: real time plus an adjustable offset.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// copyTree copies a fixture store so tests never modify it.
func copyTree(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func openStore(tb testing.TB, root, levels string, flush commitlog.FlushDiskType) *store.Store {
	tb.Helper()
	c := store.DefaultConfig(root)
	c.MappedFileSizeCommitLog = 1 << 20
	c.MappedFileSizeConsumeQueue = 6000
	c.MaxHashSlotNum = 1000
	c.MaxIndexNum = 4000
	c.MessageDelayLevel = levels
	c.FlushDiskType = flush
	c.Logger = quiet()
	s, err := store.Open(c)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func newService(tb testing.TB, st *store.Store, root string, now func() time.Time) *Service {
	tb.Helper()
	svc, err := New(Config{
		Store: st, Levels: st.DelayLevels(), Path: filepath.Join(root, "config", "delayOffset.json"),
		PollInterval: 5 * time.Millisecond, Now: now, Logger: quiet(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = svc.Shutdown() })
	return svc
}

var testHost = message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}

// putScheduled stores a message as the send path parks it: in the schedule
// topic, queue level-1, with DELAY / REAL_TOPIC / REAL_QID.
func putScheduled(tb testing.TB, st *store.Store, level int, realTopic string, realQID int, body string, extra ...string) {
	tb.Helper()
	var props message.PropertyMap
	props.Put(message.PropertyTags, "TagD")
	props.Put(message.PropertyDelayTimeLevel, strconv.Itoa(level))
	props.Put(message.PropertyRealTopic, realTopic)
	props.Put(message.PropertyRealQueueID, strconv.Itoa(realQID))
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			props.Remove(extra[i])
		} else {
			props.Put(extra[i], extra[i+1])
		}
	}
	rec, err := message.AppendRecord(nil, &message.Message{
		QueueID: int32(level - 1), BornTimestamp: time.Now().UnixMilli(), BornHost: testHost, StoreHost: testHost,
		ReconsumeTimes: 2, Flag: 7, Body: []byte(body), Topic: store.ScheduleTopic, Properties: props.AppendTo(nil),
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.Put(store.ScheduleTopic, int32(level-1), rec); err != nil {
		tb.Fatal(err)
	}
}

func waitQueue(tb testing.TB, st *store.Store, topic string, qid int32, n int64, within time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for st.MaxOffsetInQueue(topic, qid) < n {
		if time.Now().After(deadline) {
			tb.Fatalf("%s/%d holds %d entries, want %d", topic, qid, st.MaxOffsetInQueue(topic, qid), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// bodies reads the bodies of topic/qid from offset 0.
func bodies(t *testing.T, st *store.Store, topic string, qid int32) []string {
	t.Helper()
	var out []string
	for off := int64(0); off < st.MaxOffsetInQueue(topic, qid); off++ {
		e, ok := st.Entry(topic, qid, off)
		if !ok {
			t.Fatalf("entry %d of %s/%d", off, topic, qid)
		}
		rec, v, ok := st.LookMessage(e.Offset)
		if !ok {
			t.Fatalf("message at %d", e.Offset)
		}
		out = append(out, string(rec.Body))
		v.Release()
	}
	return out
}

// TestTimeUpMatchesJava: the record that delivers a scheduled message is
// byte for byte the one Java 4.9.7 wrote for the same scheduled record
// (a delay message and a consumer retry in the fixture store), once the
// position fields the store assigns are the same.
func TestTimeUpMatchesJava(t *testing.T) {
	root := copyTree(t, javaStore)
	st := openStore(t, root, store.DefaultMessageDelayLevel, commitlog.AsyncFlush)
	svc := newService(t, st, root, nil)
	for _, tc := range []struct {
		name              string
		scheduled, wanted int64
		topic             string
		qid               int32
	}{
		{"delay level 1", 6279, 6849, "FixtureTopic", 3},
		{"second delay level 1", 6564, 7127, "FixtureTopic", 0},
		{"retry level 3", 1409371, 1409734, "%RETRY%FixtureGroup", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sched, v1, ok := st.LookMessage(tc.scheduled)
			if !ok {
				t.Fatal("scheduled record not found")
			}
			defer v1.Release()
			want, v2, ok := st.LookMessage(tc.wanted)
			if !ok {
				t.Fatal("delivered record not found")
			}
			defer v2.Release()
			topic, qid, rec, err := svc.timeUp(&sched)
			if err != nil {
				t.Fatal(err)
			}
			if topic != tc.topic || qid != tc.qid {
				t.Fatalf("delivered to %s/%d, want %s/%d", topic, qid, tc.topic, tc.qid)
			}
			got := append([]byte(nil), rec...)
			if err := message.Patch(got, want.QueueOffset, want.PhysicalOffset, want.StoreTimestamp); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Raw) {
				g, _ := message.Decode(got, false)
				t.Fatalf("record differs from Java's\n got props %q\nwant props %q\n got %x\nwant %x",
					g.Properties, want.Properties, got, want.Raw)
			}
		})
	}
}

// TestFixtureDelayOffsets: Java's delayOffset.json loads, and persisting it
// unchanged writes the same bytes.
func TestFixtureDelayOffsets(t *testing.T) {
	root := copyTree(t, javaStore)
	st := openStore(t, root, store.DefaultMessageDelayLevel, commitlog.AsyncFlush)
	path := filepath.Join(root, "config", "delayOffset.json")
	javaBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, st, root, nil)
	for level, want := range map[int]int64{1: 2, 3: 1} {
		if got, ok := svc.Offset(level); !ok || got != want {
			t.Fatalf("level %d offset %d %v, want %d", level, got, ok, want)
		}
	}
	if _, ok := svc.Offset(2); ok {
		t.Fatal("level 2 has an offset the file does not list")
	}
	if err := svc.Persist(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, javaBytes) {
		t.Fatalf("delayOffset.json rewritten as\n%q\nJava wrote\n%q", got, javaBytes)
	}
	// Everything in the fixture was delivered: starting delivers nothing.
	svc.Start()
	time.Sleep(50 * time.Millisecond)
	if n := svc.Delivered(); n != 0 {
		t.Fatalf("%d already delivered messages delivered again", n)
	}
}

// TestDeliversWhenDue: a scheduled message stays put until its level's
// delay has passed, then lands on its real topic and queue; the level's
// offset advances.
func TestDeliversWhenDue(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "1s 5s 10s", commitlog.AsyncFlush)
	clk := &clock{}
	svc := newService(t, st, root, clk.Now)
	putScheduled(t, st, 2, "Real", 3, "m0")
	putScheduled(t, st, 1, "Real", 1, "early")
	waitQueue(t, st, store.ScheduleTopic, 1, 1, 5*time.Second)
	waitQueue(t, st, store.ScheduleTopic, 0, 1, 5*time.Second)
	svc.Start()
	time.Sleep(100 * time.Millisecond)
	if n := st.MaxOffsetInQueue("Real", 3) + st.MaxOffsetInQueue("Real", 1); n != 0 {
		t.Fatalf("%d messages delivered before their delay", n)
	}
	clk.advance(1100 * time.Millisecond) // level 1 due, level 2 not
	waitQueue(t, st, "Real", 1, 1, 5*time.Second)
	time.Sleep(50 * time.Millisecond)
	if n := st.MaxOffsetInQueue("Real", 3); n != 0 {
		t.Fatal("the level 2 message was delivered after the level 1 delay")
	}
	clk.advance(4 * time.Second)
	waitQueue(t, st, "Real", 3, 1, 5*time.Second)
	if got := bodies(t, st, "Real", 3); len(got) != 1 || got[0] != "m0" {
		t.Fatalf("Real/3 holds %q", got)
	}
	e, _ := st.Entry("Real", 3, 0)
	rec, v, _ := st.LookMessage(e.Offset)
	defer v.Release()
	if rec.Flag != 7 || rec.ReconsumeTimes != 2 || rec.QueueID != 3 || e.TagsCode != message.TagsCode([]byte("TagD")) {
		t.Fatalf("delivered record: flag %d reconsume %d queue %d tags code %d", rec.Flag, rec.ReconsumeTimes, rec.QueueID, e.TagsCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		o1, _ := svc.Offset(1)
		o2, _ := svc.Offset(2)
		if o1 == 1 && o2 == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("offsets %d %d, want 1 1", o1, o2)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRestartResumesFromPersistedOffset: after a shutdown (which persists)
// a new service over the same store delivers only what is new: nothing is
// lost and nothing delivered twice.
func TestRestartResumesFromPersistedOffset(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "1s", commitlog.AsyncFlush)
	clk := &clock{}
	clk.advance(time.Hour) // everything is due at once
	svc := newService(t, st, root, clk.Now)
	for i := 0; i < 5; i++ {
		putScheduled(t, st, 1, "Real", 0, "a"+strconv.Itoa(i))
	}
	svc.Start()
	waitQueue(t, st, "Real", 0, 5, 5*time.Second)
	if err := svc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		putScheduled(t, st, 1, "Real", 0, "b"+strconv.Itoa(i))
	}
	waitQueue(t, st, store.ScheduleTopic, 0, 8, 5*time.Second)
	again := newService(t, st, root, clk.Now)
	if off, _ := again.Offset(1); off != 5 {
		t.Fatalf("reloaded offset %d, want 5", off)
	}
	again.Start()
	waitQueue(t, st, "Real", 0, 8, 5*time.Second)
	time.Sleep(50 * time.Millisecond)
	got := bodies(t, st, "Real", 0)
	want := []string{"a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2"}
	if len(got) != len(want) {
		t.Fatalf("Real/0 holds %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Real/0 holds %q, want %q", got, want)
		}
	}
}

// TestOutOfRangeOffsetsCorrected: offsets beyond the queue's end or below
// its start are moved into range when loaded, and the next message is
// delivered rather than skipped or waited for forever.
func TestOutOfRangeOffsetsCorrected(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "1s 2s", commitlog.AsyncFlush)
	putScheduled(t, st, 1, "Real", 0, "x0")
	putScheduled(t, st, 1, "Real", 0, "x1")
	waitQueue(t, st, store.ScheduleTopic, 0, 2, 5*time.Second)
	path := filepath.Join(root, "config", "delayOffset.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{\n\t\"offsetTable\":{1:100,2:-4\n\t}\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	clk.advance(time.Hour)
	svc := newService(t, st, root, clk.Now)
	if off, _ := svc.Offset(1); off != 2 {
		t.Fatalf("level 1 offset corrected to %d, want the queue end 2", off)
	}
	if off, _ := svc.Offset(2); off != 0 {
		t.Fatalf("level 2 offset corrected to %d, want 0", off)
	}
	svc.Start()
	putScheduled(t, st, 1, "Real", 0, "x2")
	putScheduled(t, st, 2, "Real", 1, "y0")
	waitQueue(t, st, "Real", 0, 1, 5*time.Second)
	waitQueue(t, st, "Real", 1, 1, 5*time.Second)
	if got := bodies(t, st, "Real", 0); len(got) != 1 || got[0] != "x2" {
		t.Fatalf("Real/0 holds %q, want only the message after the corrected offset", got)
	}
}

// TestUndeliverableSkipped: a scheduled record without REAL_TOPIC, one
// whose REAL_QID is garbage and one aimed at the transaction half topic
// are skipped (logged) and do not hold up the level.
func TestUndeliverableSkipped(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "1s", commitlog.AsyncFlush)
	putScheduled(t, st, 1, "Real", 0, "no-topic", message.PropertyRealTopic, "")
	putScheduled(t, st, 1, "Real", 0, "bad-qid", message.PropertyRealQueueID, "x")
	putScheduled(t, st, 1, "RMQ_SYS_TRANS_HALF_TOPIC", 0, "half")
	putScheduled(t, st, 1, "Real", 0, "good")
	waitQueue(t, st, store.ScheduleTopic, 0, 4, 5*time.Second)
	clk := &clock{}
	clk.advance(time.Hour)
	svc := newService(t, st, root, clk.Now)
	svc.Start()
	waitQueue(t, st, "Real", 0, 1, 5*time.Second)
	if got := bodies(t, st, "Real", 0); len(got) != 1 || got[0] != "good" {
		t.Fatalf("Real/0 holds %q", got)
	}
	if n := st.MaxOffsetInQueue("RMQ_SYS_TRANS_HALF_TOPIC", 0); n != 0 {
		t.Fatal("a scheduled message was delivered to the half topic")
	}
}

// TestClockBackDeliversNow: an entry due further ahead than its level's
// delay (the clock went back) is delivered at once, as Java's
// correctDeliverTimestamp does.
func TestClockBackDeliversNow(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "10s", commitlog.AsyncFlush)
	putScheduled(t, st, 1, "Real", 0, "m")
	waitQueue(t, st, store.ScheduleTopic, 0, 1, 5*time.Second)
	clk := &clock{}
	clk.advance(-time.Minute)
	svc := newService(t, st, root, clk.Now)
	svc.Start()
	waitQueue(t, st, "Real", 0, 1, 5*time.Second)
}

// TestUnparsableOffsetsFile: a delayOffset.json that neither it nor its
// backup parses fails New rather than starting from zero.
func TestUnparsableOffsetsFile(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "1s", commitlog.AsyncFlush)
	path := filepath.Join(root, "config", "delayOffset.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Store: st, Levels: st.DelayLevels(), Path: path, Logger: quiet()}); err == nil {
		t.Fatal("New accepted an unparsable delayOffset.json")
	}
}

// TestShutdownWithoutStart: Shutdown is safe before Start and twice.
func TestShutdownWithoutStart(t *testing.T) {
	root := t.TempDir()
	st := openStore(t, root, "1s", commitlog.AsyncFlush)
	svc := newService(t, st, root, nil)
	if err := svc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	svc.Start() // after Shutdown: does nothing
}

// BenchmarkDeliver measures delivering due scheduled messages (read the
// entry and record, rebuild, store), per message.
func BenchmarkDeliver(b *testing.B) {
	root := b.TempDir()
	st := openStore(b, root, "1s", commitlog.AsyncFlush)
	for i := 0; i < b.N; i++ {
		putScheduled(b, st, 1, "Real", 0, "benchmark-body-0123456789", message.PropertyKeys, "k"+strconv.Itoa(i),
			message.PropertyUniqClientMessageIDKeyIdx, "7F0000010000000000000000000000"+strconv.Itoa(i%100))
	}
	waitQueue(b, st, store.ScheduleTopic, 0, int64(b.N), time.Minute)
	far := time.Now().Add(time.Hour)
	svc, err := New(Config{Store: st, Levels: st.DelayLevels(), Path: filepath.Join(root, "d.json"),
		Now: func() time.Time { return far }, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; {
		svc.deliverLevel(1)
		off, _ := svc.Offset(1)
		n = int(off)
	}
}
