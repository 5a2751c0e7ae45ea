package index

import (
	"errors"
	"github.com/rocketgo/rocketgo/store/message"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestKeyHash(t *testing.T) {
	for _, c := range []struct {
		key  string
		java int32 // Java String.hashCode
		want int32
	}{
		{"TopicTest#OrderID188", -1231271670, 1231271670},
		{"polygenelubricants", math.MinInt32, 0}, // abs(MIN_VALUE) < 0 -> 0
		{"", 0, 0},
		{"é", 233, 233},
		{"\U0001F600", 1772899, 1772899}, // surrogate pair D83D DE00
		{"a", 97, 97},
	} {
		if got := message.JavaHashContinue(0, c.key); got != c.java {
			t.Errorf("hashCode(%q) = %d, want %d", c.key, got, c.java)
		}
		if got := KeyHash(c.key); got != c.want {
			t.Errorf("KeyHash(%q) = %d, want %d", c.key, got, c.want)
		}
	}
	if KeyHash("TopicTest#OrderID188")%5000000 != 1271670 {
		t.Error("slot of TopicTest#OrderID188")
	}
	for _, p := range [][2]string{{"TopicTest", "OrderID188"}, {"T", "\U0001F600x"}, {"", ""}, {"%RETRY%G", "k k"}} {
		if TopicKeyHash(p[0], p[1]) != KeyHash(p[0]+"#"+p[1]) {
			t.Errorf("TopicKeyHash%v", p)
		}
	}
}

func newFile(t testing.TB, slots, maxIndex int) *File {
	t.Helper()
	f, err := Create(filepath.Join(t.TempDir(), "f"), slots, maxIndex)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestNegativeHashPut(t *testing.T) {
	f := newFile(t, 7, 10)
	for _, k := range []string{"TopicTest#OrderID188", "polygenelubricants"} {
		if !f.Put(k, 100, 5000) {
			t.Fatal("put")
		}
	}
	if e := f.Entry(1); e.KeyHash != 1231271670 || f.Slot(1231271670%7) != 1 {
		t.Fatalf("entry 1 %+v", e)
	}
	if e := f.Entry(2); e.KeyHash != 0 || f.Slot(0) != 2 {
		t.Fatalf("entry 2 %+v", e)
	}
	if got := f.Query("polygenelubricants", 10, 0, 1<<62); !slices.Equal(got, []int64{100}) {
		t.Fatalf("query %v", got)
	}
}

func TestFullAndHeader(t *testing.T) {
	f := newFile(t, 4, 5)
	if raw := f.data[offIndexCount : offIndexCount+4]; string(raw) != "\x00\x00\x00\x00" || f.Header().IndexCount != 1 {
		t.Fatal("fresh file: indexCount 1 in memory, 0 on disk")
	}
	for i := range 4 {
		if f.IsFull() || !f.Put("k", int64(i*10), 10_000+int64(i)*1500) {
			t.Fatalf("put %d", i)
		}
	}
	if !f.IsFull() || f.Put("k", 99, 1) {
		t.Fatal("5th put must fail")
	}
	h := f.Header()
	want := Header{BeginTimestamp: 10_000, EndTimestamp: 14_500, BeginPhyOffset: 0, EndPhyOffset: 30, HashSlotCount: 1, IndexCount: 5}
	if h != want {
		t.Fatalf("header %+v", h)
	}
	// timeDiff seconds truncated: 0, 1.5->1, 3->3, 4.5->4; chain 4->3->2->1.
	for n, w := range []Entry{{}, {KeyHash("k"), 0, 0, 0}, {KeyHash("k"), 10, 1, 1}, {KeyHash("k"), 20, 3, 2}, {KeyHash("k"), 30, 4, 3}} {
		if e := f.Entry(n); e != w {
			t.Fatalf("entry %d %+v want %+v", n, e, w)
		}
	}
	// Reopen: header read back.
	f.Close()
	g, err := Open(f.Path(), 4, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.Header() != want || !g.IsFull() {
		t.Fatalf("reopened %+v", g.Header())
	}
	if _, err := Open(f.Path(), 4, 6); !errors.Is(err, ErrGeometry) {
		t.Fatalf("wrong geometry: %v", err)
	}
	if _, err := Create(f.Path(), 4, 5); err == nil {
		t.Fatal("Create over an existing file")
	}
}

func TestTimeDiffClamp(t *testing.T) {
	f := newFile(t, 3, 10)
	f.Put("a", 1, 0) // beginTimestamp 0 -> timeDiff 0, begin stays 0
	f.Put("a", 2, 5_000)
	if f.Entry(2).TimeDiff != 0 {
		t.Fatal("beginTimestamp <= 0 must give 0")
	}
	g := newFile(t, 3, 10)
	g.Put("a", 1, 10_000)
	g.Put("a", 2, 1_000)               // negative -> 0
	g.Put("a", 3, 10_000+(1<<31)*1000) // > MaxInt32 s -> MaxInt32
	if g.Entry(2).TimeDiff != 0 || g.Entry(3).TimeDiff != math.MaxInt32 {
		t.Fatalf("clamp %+v %+v", g.Entry(2), g.Entry(3))
	}
}

func TestQueryTimeRangeAndStops(t *testing.T) {
	f := newFile(t, 1, 20) // one slot: every key in one chain
	base := int64(1_000_000)
	for i := range 10 {
		key := "k"
		if i%2 == 1 {
			key = "other"
		}
		f.Put(key, int64(i), base+int64(i)*1000)
	}
	all := f.Query("k", 100, 0, 1<<62)
	if !slices.Equal(all, []int64{8, 6, 4, 2, 0}) {
		t.Fatalf("all %v", all)
	}
	if got := f.Query("k", 2, 0, 1<<62); !slices.Equal(got, []int64{8, 6}) {
		t.Fatalf("maxNum %v", got)
	}
	// [base+2s, base+6s]: 6,4,2; walk stops after reaching an entry below begin.
	if got := f.Query("k", 100, base+2000, base+6000); !slices.Equal(got, []int64{6, 4, 2}) {
		t.Fatalf("range %v", got)
	}
	if got := f.Query("k", 100, base+6500, base+6900); len(got) != 0 {
		t.Fatalf("empty range %v", got)
	}
	// Service-level overlap test.
	if !f.TimeMatched(0, base) || !f.TimeMatched(base+9000, 1<<62) || !f.TimeMatched(0, 1<<62) ||
		f.TimeMatched(0, base-1) || f.TimeMatched(base+9001, 1<<62) {
		t.Fatal("TimeMatched")
	}

	// Invalid links: prev == self stops, prev > indexCount stops, negative
	// timeDiff stops before collecting.
	setPrev := func(n int, v int32) { f.putInt(f.entries+n*EntrySize+16, v) }
	setPrev(7, 7) // 9 -> 8 -> 7 (self)
	if got := f.Query("k", 100, 0, 1<<62); !slices.Equal(got, []int64{8, 6}) {
		t.Fatalf("self link %v", got)
	}
	setPrev(7, 99)
	if got := f.Query("k", 100, 0, 1<<62); !slices.Equal(got, []int64{8, 6}) {
		t.Fatalf("link past indexCount %v", got)
	}
	setPrev(7, 6)
	f.putInt(f.entries+8*EntrySize+12, -1) // 10 -> 9 (collect 8) -> 8 stops
	if got := f.Query("k", 100, 0, 1<<62); !slices.Equal(got, []int64{8}) {
		t.Fatalf("negative timeDiff %v", got)
	}
	// A slot pointing past indexCount reads as empty (and a put over it
	// counts a new used slot, as Java).
	f.putInt(HeaderSize, 1000)
	if got := f.Query("k", 100, 0, 1<<62); len(got) != 0 {
		t.Fatalf("bad slot %v", got)
	}
	before := f.Header().HashSlotCount
	f.Put("k", 50, base+50_000)
	if f.Header().HashSlotCount != before+1 || f.Entry(11).PrevIndex != 0 {
		t.Fatal("put over invalid slot")
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

func TestServiceRollover(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	c := &clock{time.Date(2026, 11, 21, 10, 0, 0, 5e6, time.Local)}
	var mu sync.Mutex
	var flushed []int64
	cfg := Config{Dir: dir, Slots: 8, MaxIndex: 4, Now: c.now, FullFlushed: func(ts int64) {
		mu.Lock()
		flushed = append(flushed, ts)
		mu.Unlock()
	}}
	s := NewService(cfg)
	if err := s.Load(false, 0); err != nil { // missing dir
		t.Fatal(err)
	}
	base := int64(1_000_000)
	// 5 records x 2 keys (uniq + one key; empty KEYS pieces skipped) = 10
	// keys, 3 per file -> 4 files.
	for i := range 5 {
		r := &Record{Topic: "T", UniqKey: "U" + string(rune('0'+i)), Keys: "  key ", PhyOffset: int64(i) * 100, StoreTimestamp: base + int64(i)*1000}
		if err := s.BuildIndex(r); err != nil {
			t.Fatal(err)
		}
	}
	// Already indexed (below endPhyOffset) and rolled back: skipped.
	s.BuildIndex(&Record{Topic: "T", Keys: "key", PhyOffset: 50, StoreTimestamp: base})
	s.BuildIndex(&Record{Topic: "T", Keys: "key", SysFlag: 0xC, PhyOffset: 1000, StoreTimestamp: base})
	files := s.Files()
	if len(files) != 4 {
		t.Fatalf("%d files", len(files))
	}
	names := []string{"20261121100001005", "20261121100002005", "20261121100003005", "20261121100004005"}
	for i, f := range files {
		if f.Name() != names[i] {
			t.Fatalf("file %d named %s", i, f.Name())
		}
	}
	// File 2 starts with the remaining key of record 1, seeded by file 1's end.
	if h := files[1].Header(); h.BeginPhyOffset != 100 || h.BeginTimestamp != base+1000 || h.IndexCount != 4 {
		t.Fatalf("file 1 header %+v", h)
	}
	if h := files[3].Header(); h.IndexCount != 2 || h.EndPhyOffset != 400 {
		t.Fatalf("last header %+v", h)
	}
	r := s.QueryOffset("T", "key", 32, 0, 1<<62)
	if !slices.Equal(r.PhyOffsets, []int64{400, 300, 200, 100, 0}) || r.IndexLastUpdatePhyOffset != 400 || r.IndexLastUpdateTimestamp != base+4000 {
		t.Fatalf("query %+v", r)
	}
	if r := s.QueryOffset("T", "key", 2, 0, 1<<62); !slices.Equal(r.PhyOffsets, []int64{400, 300}) {
		t.Fatalf("maxNum %+v", r)
	}
	if r := s.QueryOffset("T", "U2", 32, base+1500, base+2500); !slices.Equal(r.PhyOffsets, []int64{200}) {
		t.Fatalf("uniq %+v", r)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Each full file's endTimestamp reached the hook (background flushes,
	// any order).
	slices.Sort(flushed)
	if !slices.Equal(flushed, []int64{base + 1000, base + 2000, base + 4000}) {
		t.Fatalf("FullFlushed %v", flushed)
	}

	// Abnormal reload with indexMsgTimestamp = file 2's end: files 3 and 4
	// (end > checkpoint) are deleted.
	s = NewService(cfg)
	if err := s.Load(false, base+2000); err != nil {
		t.Fatal(err)
	}
	if fs := s.Files(); len(fs) != 2 || fs[1].Name() != names[1] {
		t.Fatalf("after abnormal load: %v", fs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Fatalf("%d files on disk", len(ents))
	}
	// Re-dispatch continues from file 2 (full) into a new file; a record at
	// exactly endPhyOffset is indexed again, as Java.
	if err := s.BuildIndex(&Record{Topic: "T", Keys: "key", PhyOffset: 200, StoreTimestamp: base + 2000}); err != nil {
		t.Fatal(err)
	}
	if fs := s.Files(); len(fs) != 3 || fs[2].Header().IndexCount != 2 {
		t.Fatalf("after re-dispatch %d files", len(fs))
	}
	if r := s.QueryOffset("T", "key", 32, 0, 1<<62); !slices.Equal(r.PhyOffsets, []int64{200, 200, 100, 0}) {
		t.Fatalf("query after reload %+v", r)
	}
	// Retention keeps the newest file.
	if err := s.DeleteExpired(1 << 40); err != nil {
		t.Fatal(err)
	}
	if fs := s.Files(); len(fs) != 1 {
		t.Fatalf("after DeleteExpired %d files", len(fs))
	}
	s.Close()
}

func BenchmarkPut(b *testing.B) {
	f := newFile(b, 5_000_000, 1<<20)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "TopicTest#OrderID" + string(rune('A'+i%26)) + string(rune('a'+i/26%26))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if !f.Put(keys[i&1023], int64(i), 1_000_000+int64(i)) {
			b.StopTimer()
			f.Close()
			f = newFile(b, 5_000_000, 1<<20)
			b.StartTimer()
		}
	}
}

func BenchmarkBuildIndex(b *testing.B) {
	s := NewService(Config{Dir: b.TempDir(), Slots: 5_000_000, MaxIndex: 1 << 20})
	defer s.Close()
	r := &Record{Topic: "TopicTest", UniqKey: "C000020205EF5FFD2B2769360D7E0000", Keys: "order-1 customer-7"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.PhyOffset = int64(i) * 200
		r.StoreTimestamp = 1_000_000 + int64(i)
		if err := s.BuildIndex(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuery(b *testing.B) {
	f := newFile(b, 5_000_000, 1<<16)
	for i := range 1 << 15 {
		f.Put("TopicTest#key"+string(rune('a'+i%16)), int64(i), 1_000_000+int64(i)*10)
	}
	dst := make([]int64, 0, 64)
	h := KeyHash("TopicTest#keyc")
	b.ReportAllocs()
	for b.Loop() {
		dst = f.AppendQuery(dst[:0], h, 64, 0, 1<<62)
	}
	if len(dst) != 64 {
		b.Fatal(len(dst))
	}
}

func TestServiceConcurrentQuery(t *testing.T) {
	s := NewService(Config{Dir: t.TempDir(), Slots: 16, MaxIndex: 50})
	defer s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 500 {
			if err := s.BuildIndex(&Record{Topic: "T", Keys: "a b", PhyOffset: int64(i), StoreTimestamp: 1_000_000 + int64(i)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			if r := s.QueryOffset("T", "a", 64, 0, 1<<62); len(r.PhyOffsets) != 64 || r.PhyOffsets[0] != 499 {
				t.Fatalf("final query %v", r.PhyOffsets)
			}
			return
		default:
			s.QueryOffset("T", "b", 64, 0, 1<<62)
		}
	}
}
