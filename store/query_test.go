package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/message"
)

// fixtureTimes holds the store timestamps the Java broker gave the
// store-small messages, by queue offset.
type fixtureTimes struct {
	fill    []int64 // FillTopic queue 0
	fixture []int64 // FixtureTopic queue 0
}

func loadFixtureTimes(t *testing.T) fixtureTimes {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(javaStores, "store-small", "MANIFEST.json"))
	if err != nil {
		t.Fatalf("Java fixture missing: %v", err)
	}
	type stamped struct {
		Topic          string `json:"topic"`
		QueueID        int32  `json:"queueId"`
		QueueOffset    int64  `json:"queueOffset"`
		StoreTimestamp int64  `json:"storeTimestamp"`
		CommitLog      int64  `json:"commitLogOffset"`
	}
	var m struct {
		Fill       []stamped `json:"fillMessages"`
		Deliveries []stamped `json:"consumerDeliveries"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var ft fixtureTimes
	ft.fill = make([]int64, 325)
	for _, f := range m.Fill {
		if f.QueueID == 0 {
			ft.fill[f.QueueOffset] = f.StoreTimestamp
		}
	}
	ft.fixture = make([]int64, 11)
	for _, d := range m.Deliveries {
		// The retry delivery is listed under FixtureTopic too; it lives at
		// the end of the commitlog, in %RETRY%FixtureGroup.
		if d.Topic == "FixtureTopic" && d.QueueID == 0 && d.CommitLog < 1<<20 {
			ft.fixture[d.QueueOffset] = d.StoreTimestamp
		}
	}
	for i, ts := range append(append([]int64{}, ft.fill...), ft.fixture...) {
		if ts == 0 {
			t.Fatalf("manifest lacks a store time (entry %d)", i)
		}
	}
	return ft
}

func setMtime(t *testing.T, path string, ms int64) {
	t.Helper()
	mt := time.UnixMilli(ms)
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// javaByTime is what Java's getOffsetInQueueByTime answers for a queue
// whose entries have strictly increasing times, stated without the
// binary search: the first file modified at or after ts (else the last)
// is searched alone; an exact time gives its entry, else the nearer
// neighbour inside that file (the earlier on a tie), the file's first
// entry below it and its last entry above it.
func javaByTime(times []int64, perFile int, mtimes []int64, ts int64) int64 {
	file := len(mtimes) - 1
	for i, mt := range mtimes {
		if mt >= ts {
			file = i
			break
		}
	}
	lo := file * perFile
	hi := min(lo+perFile, len(times)) - 1
	switch {
	case ts <= times[lo]:
		return int64(lo)
	case ts >= times[hi]:
		return int64(hi)
	}
	k := sort.Search(hi-lo+1, func(i int) bool { return times[lo+i] >= ts }) + lo
	if times[k] == ts {
		return int64(k)
	}
	if ts-times[k-1] > times[k]-ts {
		return int64(k)
	}
	return int64(k - 1)
}

func TestOffsetByTimeJavaFixture(t *testing.T) {
	ft := loadFixtureTimes(t)
	root := copyTree(t, filepath.Join(javaStores, "store-small"))
	s, err := Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())

	// FillTopic/0: 325 entries, 300 per file. Give each file the time of
	// its last message, as a Java broker writing them leaves it.
	fill := ft.fill
	cq := filepath.Join(root, "consumequeue", "FillTopic", "0")
	mtimes := []int64{fill[299], fill[324]}
	setMtime(t, filepath.Join(cq, "00000000000000000000"), mtimes[0])
	setMtime(t, filepath.Join(cq, "00000000000000006000"), mtimes[1])

	t.Run("sweep", func(t *testing.T) {
		var probes []int64
		for k, ts := range fill {
			probes = append(probes, ts-1, ts, ts+1)
			if k+1 < len(fill) {
				probes = append(probes, (ts+fill[k+1])/2)
			}
		}
		probes = append(probes, 0, fill[0]-time.Hour.Milliseconds(), fill[324]+time.Hour.Milliseconds())
		for _, ts := range probes {
			if got, want := s.OffsetByTime("FillTopic", 0, ts), javaByTime(fill, 300, mtimes, ts); got != want {
				t.Errorf("ts %d: offset %d, Java %d", ts, got, want)
			}
		}
	})

	cases := []struct {
		name  string
		topic string
		ts    int64
		want  int64
	}{
		{"an hour before the first message", "FillTopic", fill[0] - 3_600_000, 0},
		{"exactly the first", "FillTopic", fill[0], 0},
		{"exactly entry 150", "FillTopic", fill[150], 150},
		{"nearer the earlier neighbour", "FillTopic", fill[150] + 1, 150},
		{"nearer the later neighbour", "FillTopic", fill[151] - 1, 151},
		{"exactly the last of the first file", "FillTopic", fill[299], 299},
		// 1 ms after entry 299, 3 ms before entry 300: the first file is
		// older than ts, so only the second is searched.
		{"just after the first file's mtime", "FillTopic", fill[299] + 1, 300},
		{"exactly the last message", "FillTopic", fill[324], 324},
		// After the last message: the last entry, not the max offset 325.
		{"after the last message", "FillTopic", fill[324] + 60_000, 324},
		// FixtureTopic/0 holds a batch of five sharing one store time at
		// offsets 5..9; the search probes offset 5 first.
		{"equal store times", "FixtureTopic", ft.fixture[5], 5},
		{"just before the equal times", "FixtureTopic", ft.fixture[5] - 1, 5},
		{"after the last FixtureTopic message", "FixtureTopic", ft.fixture[10] + 1, 10},
		{"unknown queue", "NoSuchTopic", fill[0], 0},
	}
	fq := filepath.Join(root, "consumequeue", "FixtureTopic", "0", "00000000000000000000")
	setMtime(t, fq, ft.fixture[10])
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.OffsetByTime(tc.topic, 0, tc.ts); got != tc.want {
				t.Fatalf("OffsetByTime(%s, %d) = %d, Java answers %d", tc.topic, tc.ts, got, tc.want)
			}
		})
	}

	// Files modified after every message (a copied store): the first file
	// is always searched, so a time past it answers its last entry.
	future := time.Now().Add(time.Hour).UnixMilli()
	setMtime(t, filepath.Join(cq, "00000000000000000000"), future)
	setMtime(t, filepath.Join(cq, "00000000000000006000"), future)
	if got := s.OffsetByTime("FillTopic", 0, fill[310]); got != 299 {
		t.Fatalf("with both files newer than every message, ts of entry 310 gave %d, Java 299", got)
	}
}

func TestStoreTimesAndLookups(t *testing.T) {
	ft := loadFixtureTimes(t)
	root := copyTree(t, filepath.Join(javaStores, "store-small"))
	s, err := Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}

	times := []struct {
		name string
		got  int64
		want int64
	}{
		{"earliest FixtureTopic/0", s.EarliestMessageTime("FixtureTopic", 0), ft.fixture[0]},
		{"earliest unknown queue", s.EarliestMessageTime("NoSuchTopic", 0), -1},
		{"store time FixtureTopic/0/10", s.MessageStoreTime("FixtureTopic", 0, 10), ft.fixture[10]},
		{"store time FillTopic/0/324", s.MessageStoreTime("FillTopic", 0, 324), ft.fill[324]},
		{"store time at max offset", s.MessageStoreTime("FixtureTopic", 0, 11), -1},
		{"store time unknown queue", s.MessageStoreTime("NoSuchTopic", 0, 0), -1},
		// Java reads 2 x maxMessageSize (8 MiB) at the first offset, more
		// than a 1 MiB commitlog file holds.
		{"earliest in store, 1 MiB files", s.EarliestMessageTimeAll(), -1},
		{"min phy offset", s.MinPhyOffset(), 0},
		{"max phy offset", s.MaxPhyOffset(), 1410097},
	}
	for _, tc := range times {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}

	lookups := []struct {
		phys int64
		ok   bool
		size int
		uniq string
	}{
		{0, true, 219, "C000020205EF5FFD2B2769360D7E0000"},
		{6279, true, 285, "C000020205EF5FFD2B2769360E32001B"}, // the scheduled copy
		{1409734, true, 363, ""},                              // the retry record
		{1410097, false, 0, ""},                               // the end
		{1047928 + 8, false, 0, ""},                           // inside the BLANK filler: TOTALSIZE reads 0
		{-1, false, 0, ""},
	}
	for _, tc := range lookups {
		v, ok := s.LookMessageByOffset(tc.phys)
		if ok != tc.ok {
			t.Errorf("LookMessageByOffset(%d): ok=%v", tc.phys, ok)
			continue
		}
		if !ok {
			continue
		}
		if len(v.Bytes) != tc.size {
			t.Errorf("LookMessageByOffset(%d): %d bytes, want %d", tc.phys, len(v.Bytes), tc.size)
		}
		rec, err := message.Decode(v.Bytes, true)
		if err != nil || rec.PhysicalOffset != tc.phys {
			t.Errorf("LookMessageByOffset(%d): %v, offset %d", tc.phys, err, rec.PhysicalOffset)
		}
		if u, _ := rec.UniqKey(); tc.uniq != "" && string(u) != tc.uniq {
			t.Errorf("LookMessageByOffset(%d): UNIQ_KEY %s", tc.phys, u)
		}
		v.Release()
	}
	if v, ok := s.SelectOneMessageByOffset(0, 219); !ok || len(v.Bytes) != 219 {
		t.Errorf("SelectOneMessageByOffset(0, 219): ok=%v", ok)
	} else {
		v.Release()
	}
	for _, size := range []int{0, -1, 2 << 20} {
		if _, ok := s.SelectOneMessageByOffset(0, size); ok {
			t.Errorf("SelectOneMessageByOffset(0, %d) succeeded", size)
		}
	}
	rec, v, ok := s.LookMessage(876)
	if !ok || rec.QueueOffset != 1 || string(rec.Topic) != "FixtureTopic" {
		t.Fatalf("LookMessage(876): ok=%v %s/%d", ok, rec.Topic, rec.QueueOffset)
	}
	v.Release()
	if _, _, ok := s.LookMessage(1047928); ok {
		t.Fatal("LookMessage decoded the BLANK record as a message")
	}
	s.Close(context.Background())

	// With maxMessageSize small enough for the window to fit the first
	// file, the earliest store time is the first record's.
	cfg := fixtureConfig(root)
	cfg.MaxMessageSize = 256 << 10
	s2, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	if got := s2.EarliestMessageTimeAll(); got != ft.fixture[0] {
		t.Fatalf("EarliestMessageTimeAll = %d, want %d", got, ft.fixture[0])
	}
}

// TestScheduleTagsCodeMatchesJava rebuilds every consume queue of the Java
// store from its commitlog and demands Java's bytes, including the
// SCHEDULE_TOPIC_XXXX entries whose tags code is the delivery time.
func TestScheduleTagsCodeMatchesJava(t *testing.T) {
	java := filepath.Join(javaStores, "store-small")
	root := copyTree(t, java)
	if err := os.RemoveAll(filepath.Join(root, "consumequeue")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}
	// Level 1 (1 s) for the two delayed sends, level 3 (10 s) for the
	// consumer's RECONSUME_LATER.
	for _, tc := range []struct {
		queue  int32
		offset int64
		want   int64
	}{{0, 0, 1795256350259 + 1000}, {0, 1, 1795256350268 + 1000}, {2, 0, 1795256364897}} {
		e, ok := s.Entry(ScheduleTopic, tc.queue, tc.offset)
		if !ok || e.TagsCode != tc.want {
			t.Errorf("%s/%d/%d: tags code %d (ok=%v), Java %d", ScheduleTopic, tc.queue, tc.offset, e.TagsCode, ok, tc.want)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	compared := 0
	err = filepath.WalkDir(filepath.Join(java, "consumequeue"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(java, path)
		want, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("%s not rebuilt: %v", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			for i := range want {
				if i >= len(got) || got[i] != want[i] {
					t.Errorf("%s differs from Java's from byte %d (entry %d)", rel, i, i/20)
					break
				}
			}
		}
		compared++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if compared < 10 {
		t.Fatalf("compared only %d consume queue files", compared)
	}
}

func TestParseDelayLevels(t *testing.T) {
	cases := []struct {
		in   string
		want DelayLevels
		err  bool
	}{
		{DefaultMessageDelayLevel, DelayLevels{1000, 5000, 10000, 30000, 60000, 120000, 180000, 240000, 300000, 360000,
			420000, 480000, 540000, 600000, 1200000, 1800000, 3600000, 7200000}, false},
		{"2d 3h", DelayLevels{2 * 86400000, 3 * 3600000}, false},
		{"1s 5s ", DelayLevels{1000, 5000}, false}, // trailing empties dropped, as String.split
		{"   ", DelayLevels{}, false},              // nothing but trailing empties: no levels
		{"+3m -1s", DelayLevels{180000, -1000}, false},
		{"", nil, true},
		{"1s  5s", nil, true}, // an empty item in the middle
		{" 1s", nil, true},
		{"1x", nil, true},
		{"s", nil, true},
		{"1.5s", nil, true},
	}
	for _, tc := range cases {
		got, err := ParseDelayLevels(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v", tc.in, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
		}
	}
	if _, err := Open(Config{StorePathRootDir: t.TempDir(), MessageDelayLevel: "1s 1q", Logger: quiet()}); err == nil {
		t.Fatal("opened a store with an unparsable messageDelayLevel (Java fails to load)")
	}
}

// TestScheduleTagsCodeDispatch puts schedule-topic records with assorted
// DELAY values and reads the tags codes the dispatcher wrote.
func TestScheduleTagsCodeDispatch(t *testing.T) {
	cfg := DefaultConfig(t.TempDir())
	cfg.MappedFileSizeCommitLog = 1 << 20
	cfg.MessageDelayLevel = "2s 4s 1m"
	cfg.Logger = quiet()
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	tagA := message.TagsCode([]byte("TagA"))
	cases := []struct {
		topic string
		delay string // "" = no DELAY property
		delta int64  // want tags code = store time + delta, or tagA when -1
	}{
		{ScheduleTopic, "1", 2000},
		{ScheduleTopic, "3", 60000},
		{ScheduleTopic, "99", 60000}, // clamped to the max level
		{ScheduleTopic, "0", -1},
		{ScheduleTopic, "-2", -1},
		{ScheduleTopic, "", -1},
		{ScheduleTopic, "two", -1},
		{"OtherTopic", "1", -1}, // DELAY only counts in the schedule topic
	}
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	for i, tc := range cases {
		props := message.AppendProperty(nil, 0, message.PropertyTags, "TagA")
		if tc.delay != "" {
			props = message.AppendProperty(props, 0, message.PropertyDelayTimeLevel, tc.delay)
		}
		rec, err := message.AppendRecord(nil, &message.Message{BornHost: h, StoreHost: h, Topic: tc.topic,
			Body: []byte("b"), Properties: props})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Put(tc.topic, 0, rec)
		if err != nil {
			t.Fatal(err)
		}
		waitDispatched(t, s, tc.topic, 0, res.QueueOffset+1)
		e, _ := s.Entry(tc.topic, 0, res.QueueOffset)
		want := tagA
		if tc.delta >= 0 {
			want = res.StoreTimestamp + tc.delta
		}
		if e.TagsCode != want {
			t.Errorf("case %d (%s DELAY=%q): tags code %d, want %d", i, tc.topic, tc.delay, e.TagsCode, want)
		}
	}
}

func BenchmarkOffsetByTime(b *testing.B) {
	cfg := DefaultConfig(b.TempDir())
	cfg.MappedFileSizeCommitLog = 64 << 20
	cfg.MessageIndexEnable = false
	cfg.Logger = quiet()
	s, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	rec := newRecord(&testing.T{}, "BenchTopic", 0, "x")
	const n = 50_000
	var first, last int64
	for i := 0; i < n; i++ {
		res, err := s.Put("BenchTopic", 0, rec)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = res.StoreTimestamp
		}
		last = res.StoreTimestamp
	}
	for s.MaxOffsetInQueue("BenchTopic", 0) < n {
		time.Sleep(time.Millisecond)
	}
	span := max(last-first, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if off := s.OffsetByTime("BenchTopic", 0, first+int64(i)%span); off < 0 || off >= n {
			b.Fatalf("offset %d", off)
		}
	}
}
