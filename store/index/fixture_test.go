package index

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	fixtureDir   = "../../../shared/testdata/java-4.9.7/store-small"
	fixtureName  = "20261121101910108"
	fixtureSlots = 1000
	fixtureMax   = 4000
)

type manifestEntry struct {
	Index     int    `json:"index"`
	KeyHash   int32  `json:"keyHash"`
	PhyOffset int64  `json:"phyOffset"`
	TimeDiff  int32  `json:"timeDiffSeconds"`
	PrevIndex int32  `json:"prevIndex"`
	Slot      int    `json:"slot"`
	Key       string `json:"key"`
}

type manifest struct {
	Index []struct {
		File     string `json:"file"`
		FileSize int64  `json:"fileSize"`
		Header   struct {
			BeginTimestamp int64 `json:"beginTimestamp"`
			EndTimestamp   int64 `json:"endTimestamp"`
			BeginPhyOffset int64 `json:"beginPhyOffset"`
			EndPhyOffset   int64 `json:"endPhyOffset"`
			HashSlotCount  int32 `json:"hashSlotCount"`
			IndexCount     int32 `json:"indexCount"`
		} `json:"header"`
		UsedSlots int             `json:"usedSlots"`
		Entries   []manifestEntry `json:"entries"`
	} `json:"index"`
	Messages []struct {
		MsgID           string `json:"msgId"`
		Keys            string `json:"keys"`
		Topic           string `json:"topic"`
		CommitLogOffset *int64 `json:"commitLogOffset"`
		Stored          []struct {
			PhysicalOffset int64  `json:"physicalOffset"`
			StoreTimestamp int64  `json:"storeTimestamp"`
			Topic          string `json:"topic"`
		} `json:"stored"`
	} `json:"messages"`
	FillMessages []struct {
		CommitLogOffset int64 `json:"commitLogOffset"`
		StoreTimestamp  int64 `json:"storeTimestamp"`
	} `json:"fillMessages"`
}

// loadFixture returns the manifest and the Java index file's bytes; it
// fails (never skips) when they are missing.
func loadFixture(t testing.TB) (*manifest, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "MANIFEST.json"))
	if err != nil {
		t.Fatalf("fixture manifest: %v", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse manifest: %v", err)
	}
	if len(m.Index) != 1 || m.Index[0].File != fixtureName {
		t.Fatalf("manifest index: want one file %s, got %+v", fixtureName, len(m.Index))
	}
	data, err := os.ReadFile(filepath.Join(fixtureDir, "index", fixtureName))
	if err != nil {
		t.Fatalf("fixture index file: %v", err)
	}
	if int64(len(data)) != FileSize(fixtureSlots, fixtureMax) || int64(len(data)) != m.Index[0].FileSize {
		t.Fatalf("fixture size %d, want %d", len(data), FileSize(fixtureSlots, fixtureMax))
	}
	return &m, data
}

func openFixtureCopy(t *testing.T, data []byte) *File {
	t.Helper()
	p := filepath.Join(t.TempDir(), fixtureName)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p, fixtureSlots, fixtureMax)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// storeTimes maps commitlog offsets to store timestamps from the manifest.
func storeTimes(m *manifest) map[int64]int64 {
	ts := map[int64]int64{}
	for _, msg := range m.Messages {
		for _, s := range msg.Stored {
			ts[s.PhysicalOffset] = s.StoreTimestamp
		}
	}
	for _, f := range m.FillMessages {
		ts[f.CommitLogOffset] = f.StoreTimestamp
	}
	return ts
}

func TestFixtureHeaderAndEntries(t *testing.T) {
	m, data := loadFixture(t)
	f := openFixtureCopy(t, data)
	mi := m.Index[0]
	want := Header{mi.Header.BeginTimestamp, mi.Header.EndTimestamp, mi.Header.BeginPhyOffset,
		mi.Header.EndPhyOffset, mi.Header.HashSlotCount, mi.Header.IndexCount}
	if got := f.Header(); got != want {
		t.Fatalf("header %+v, want %+v", got, want)
	}
	if f.EndPhyOffset() != want.EndPhyOffset || f.EndTimestamp() != want.EndTimestamp || f.IsFull() {
		t.Fatal("getters")
	}
	if len(mi.Entries) != int(want.IndexCount)-1 {
		t.Fatalf("%d entries, indexCount %d", len(mi.Entries), want.IndexCount)
	}
	newest := map[int]int32{}
	for i, e := range mi.Entries {
		if e.Index != i+1 {
			t.Fatalf("entry %d numbered %d", i+1, e.Index)
		}
		got := f.Entry(e.Index)
		if got != (Entry{e.KeyHash, e.PhyOffset, e.TimeDiff, e.PrevIndex}) {
			t.Fatalf("entry %d: %+v, manifest %+v", e.Index, got, e)
		}
		if h := KeyHash(e.Key); h != e.KeyHash {
			t.Fatalf("KeyHash(%q) = %d, want %d", e.Key, h, e.KeyHash)
		}
		if int(e.KeyHash)%fixtureSlots != e.Slot {
			t.Fatalf("entry %d slot %d", e.Index, e.Slot)
		}
		newest[e.Slot] = int32(e.Index)
	}
	if len(newest) != mi.UsedSlots || len(newest) != int(want.HashSlotCount) {
		t.Fatalf("used slots %d, manifest %d, header %d", len(newest), mi.UsedSlots, want.HashSlotCount)
	}
	for s := range fixtureSlots {
		if got := f.Slot(s); got != newest[s] {
			t.Fatalf("slot %d = %d, want %d", s, got, newest[s])
		}
	}
	for n := int(want.IndexCount); n < fixtureMax; n++ {
		if (f.Entry(n) != Entry{}) || f.Entry(0) != (Entry{}) {
			t.Fatalf("entry %d not zero", n)
		}
	}
}

func TestFixtureQuery(t *testing.T) {
	m, data := loadFixture(t)
	f := openFixtureCopy(t, data)
	entries := m.Index[0].Entries
	// expected: every entry with the same hash, newest first (Java compares
	// only hashes).
	expect := func(key string) []int64 {
		h := KeyHash(key)
		var out []int64
		for i := len(entries) - 1; i >= 0; i-- {
			if entries[i].KeyHash == h {
				out = append(out, entries[i].PhyOffset)
			}
		}
		return out
	}
	keys := map[string]bool{}
	for _, e := range entries {
		keys[e.Key] = true
	}
	for k := range keys {
		got := f.Query(k, 1<<20, 0, 1<<62)
		if want := expect(k); !slices.Equal(got, want) {
			t.Fatalf("Query(%q) = %v, want %v", k, got, want)
		}
	}

	// Named keys against the messages, not just the index entries.
	var uniqOff, key3Off, extraOff []int64
	var uniq string
	for _, msg := range m.Messages {
		if msg.Topic != "FixtureTopic" || msg.CommitLogOffset == nil {
			continue
		}
		if uniq == "" && msg.Stored != nil && msg.Stored[0].Topic == "FixtureTopic" {
			uniq = msg.MsgID
		}
		if msg.MsgID == uniq {
			uniqOff = append(uniqOff, *msg.CommitLogOffset)
		}
		for _, k := range strings.Fields(msg.Keys) {
			switch k {
			case "fixture-key-3":
				key3Off = append(key3Off, *msg.CommitLogOffset)
			case "extra-key-19":
				extraOff = append(extraOff, *msg.CommitLogOffset)
			}
		}
	}
	for _, c := range []struct {
		key  string
		want []int64
	}{
		{"FixtureTopic#fixture-key-3", key3Off},
		{"FixtureTopic#extra-key-19", extraOff},
		{"FixtureTopic#" + uniq, uniqOff},
	} {
		if len(c.want) == 0 {
			t.Fatalf("manifest has no message for %s", c.key)
		}
		if got := f.Query(c.key, 32, 0, 1<<62); !slices.Equal(got, c.want) {
			t.Fatalf("Query(%s) = %v, messages say %v", c.key, got, c.want)
		}
		s := NewService(Config{Dir: filepath.Dir(f.Path()), Slots: fixtureSlots, MaxIndex: fixtureMax})
		s.files = []*File{f}
		topic, key, _ := strings.Cut(c.key, "#")
		r := s.QueryOffset(topic, key, 32, 0, 1<<62)
		if !slices.Equal(r.PhyOffsets, c.want) || r.IndexLastUpdatePhyOffset != m.Index[0].Header.EndPhyOffset ||
			r.IndexLastUpdateTimestamp != m.Index[0].Header.EndTimestamp {
			t.Fatalf("QueryOffset(%s) = %+v", c.key, r)
		}
	}
	// A time range after the file ends finds nothing; maxNum caps.
	h := m.Index[0].Header
	if got := f.Query("FixtureTopic#fixture-key-3", 32, h.EndTimestamp+1000, h.EndTimestamp+2000); len(got) != 0 {
		t.Fatalf("late range: %v", got)
	}
	if got := f.Query("FixtureTopic#fixture-key-3", 0, 0, 1<<62); len(got) != 0 {
		t.Fatalf("maxNum 0: %v", got)
	}
}

func TestFixtureRebuild(t *testing.T) {
	m, data := loadFixture(t)
	mi := m.Index[0]
	ts := storeTimes(m)
	entries := mi.Entries

	build := func(name string, tsOf func(i int, e manifestEntry) int64) {
		t.Run(name, func(t *testing.T) {
			f, err := Create(filepath.Join(t.TempDir(), fixtureName), fixtureSlots, fixtureMax)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for i, e := range entries {
				if !f.Put(e.Key, e.PhyOffset, tsOf(i, e)) {
					t.Fatalf("put %d failed", i)
				}
			}
			if !bytes.Equal(f.data, data) {
				t.Fatalf("rebuilt file differs from Java's at byte %d", firstDiff(f.data, data))
			}
		})
	}
	build("storeTimestamps", func(_ int, e manifestEntry) int64 {
		v, ok := ts[e.PhyOffset]
		if !ok {
			t.Fatalf("no store timestamp for offset %d", e.PhyOffset)
		}
		return v
	})
	// begin + timeDiff*1000 reproduces every entry, but the header's
	// endTimestamp is the last record's exact time.
	build("timeDiff", func(i int, e manifestEntry) int64 {
		if i == len(entries)-1 {
			return mi.Header.EndTimestamp
		}
		return mi.Header.BeginTimestamp + int64(e.TimeDiff)*1000
	})

	t.Run("service", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "index")
		clock, _ := time.ParseInLocation("20060102150405.000", "20261121101910.108", time.Local)
		s := NewService(Config{Dir: dir, Slots: fixtureSlots, MaxIndex: fixtureMax, Now: func() time.Time { return clock }})
		if err := s.Load(true, 0); err != nil {
			t.Fatal(err)
		}
		// One record per run of entries with the same offset; the topic is
		// before the first '#', the keys are passed as a KEYS string.
		for i := 0; i < len(entries); {
			j := i
			var keys []string
			topic, _, _ := strings.Cut(entries[i].Key, "#")
			for ; j < len(entries) && entries[j].PhyOffset == entries[i].PhyOffset; j++ {
				_, k, _ := strings.Cut(entries[j].Key, "#")
				keys = append(keys, k)
			}
			r := &Record{Topic: topic, UniqKey: keys[0], Keys: " " + strings.Join(keys[1:], "  "),
				PhyOffset: entries[i].PhyOffset, StoreTimestamp: ts[entries[i].PhyOffset]}
			if err := s.BuildIndex(r); err != nil {
				t.Fatal(err)
			}
			i = j
		}
		fs := s.Files()
		if len(fs) != 1 || fs[0].Name() != fixtureName {
			t.Fatalf("files %v", fs)
		}
		if !bytes.Equal(fs[0].data, data) {
			t.Fatalf("service-built file differs at byte %d", firstDiff(fs[0].data, data))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, fixtureName))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("file on disk after Close differs (%v)", err)
		}
	})
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
