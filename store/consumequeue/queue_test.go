package consumequeue

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sirupsen/logrus"
)

const javaStore = "../../../shared/testdata/java-4.9.7/store-small"

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

type manifestQueue struct {
	BrokerMinOffset int64    `json:"brokerMinOffset"`
	BrokerMaxOffset int64    `json:"brokerMaxOffset"`
	Files           []string `json:"files"`
	Units           int      `json:"units"`
	UnitsDetail     []struct {
		CommitLogOffset int64 `json:"commitLogOffset"`
		LogicalOffset   int64 `json:"logicalOffset"`
		Size            int32 `json:"size"`
		TagsCode        int64 `json:"tagsCode"`
	} `json:"unitsDetail"`
}

func loadManifest(t *testing.T) map[string]map[string]manifestQueue {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(javaStore, "MANIFEST.json"))
	if err != nil {
		t.Fatalf("Java store fixture missing (shared/ must sit beside the repo): %v", err)
	}
	var m struct {
		ConsumeQueues map[string]map[string]manifestQueue `json:"consumeQueues"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.ConsumeQueues
}

// copyDir copies a queue directory so tests never touch the fixture.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// TestJavaQueuesRecover opens every consume queue the Java 4.9.7 broker
// wrote, recovers it, and reads back every entry the manifest lists, with
// the min/max offsets the running Java broker reported.
func TestJavaQueuesRecover(t *testing.T) {
	queues := loadManifest(t)
	n := 0
	for topic, byID := range queues {
		for id, mq := range byID {
			dir := copyDir(t, filepath.Join(javaStore, "consumequeue", topic, id))
			q, err := Open(Config{Dir: dir, FileSize: FileSizeFor(6000), Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Recover(); err != nil {
				t.Fatal(err)
			}
			if q.MinOffset() != mq.BrokerMinOffset || q.MaxOffset() != mq.BrokerMaxOffset {
				t.Errorf("%s/%s: offsets [%d,%d), Java reported [%d,%d)", topic, id,
					q.MinOffset(), q.MaxOffset(), mq.BrokerMinOffset, mq.BrokerMaxOffset)
			}
			for _, u := range mq.UnitsDetail {
				e, ok := q.Get(u.LogicalOffset)
				if !ok || e.Offset != u.CommitLogOffset || e.Size != u.Size || e.TagsCode != u.TagsCode {
					t.Errorf("%s/%s entry %d: got %+v %v, want %+v", topic, id, u.LogicalOffset, e, ok, u)
				}
			}
			n++
			q.Close()
		}
	}
	if n < 10 {
		t.Fatalf("checked only %d queues", n)
	}
}

// TestPutWritesJavaBytes rebuilds FixtureTopic queue 0 entry by entry and
// demands the Java file's bytes.
func TestPutWritesJavaBytes(t *testing.T) {
	mq := loadManifest(t)["FixtureTopic"]["0"]
	q, err := Open(Config{Dir: t.TempDir(), FileSize: 6000, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for _, u := range mq.UnitsDetail {
		ok, err := q.Put(u.LogicalOffset, Entry{u.CommitLogOffset, u.Size, u.TagsCode})
		if err != nil || !ok {
			t.Fatalf("put %d: %v %v", u.LogicalOffset, ok, err)
		}
	}
	java, err := os.ReadFile(filepath.Join(javaStore, "consumequeue", "FixtureTopic", "0", "00000000000000000000"))
	if err != nil {
		t.Fatal(err)
	}
	ours := q.files.First().Bytes()
	if string(ours) != string(java) {
		t.Fatal("our consume queue file differs from Java's")
	}
	// A replay of an entry already there is skipped, not duplicated.
	u := mq.UnitsDetail[0]
	if ok, _ := q.Put(u.LogicalOffset, Entry{u.CommitLogOffset, u.Size, u.TagsCode}); ok || q.MaxOffset() != int64(len(mq.UnitsDetail)) {
		t.Fatalf("replayed entry written again: max %d", q.MaxOffset())
	}
}

func TestLateQueueFilledAndRecovered(t *testing.T) {
	dir := t.TempDir()
	q, err := Open(Config{Dir: dir, FileSize: 200, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	// The first entry of this queue is index 13: file 00..0200 (bytes
	// 200..399) is created, and indexes 10..12 are fillers.
	if ok, err := q.Put(13, Entry{5000, 100, 7}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if q.MinOffset() != 13 || q.MaxOffset() != 14 {
		t.Fatalf("offsets [%d,%d)", q.MinOffset(), q.MaxOffset())
	}
	for i := int64(14); i < 25; i++ {
		if ok, err := q.Put(i, Entry{5000 + (i-13)*100, 100, 7}); !ok || err != nil {
			t.Fatal(i, ok, err)
		}
	}
	q.Close()
	q, err = Open(Config{Dir: dir, FileSize: 200, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Recover(); err != nil {
		t.Fatal(err)
	}
	if q.MaxOffset() != 25 || q.MaxPhysicOffset() != 5000+12*100 {
		t.Fatalf("recovered max %d maxPhys %d", q.MaxOffset(), q.MaxPhysicOffset())
	}
	q.CorrectMinOffset(0)
	if q.MinOffset() != 13 {
		t.Fatalf("min offset %d after recovery, want 13", q.MinOffset())
	}
	// The commitlog lost its tail from 5800: entries from there go.
	if err := q.TruncatePhys(5800); err != nil {
		t.Fatal(err)
	}
	if q.MaxOffset() != 21 || q.MaxPhysicOffset() != 5800 {
		t.Fatalf("after truncation max %d maxPhys %d", q.MaxOffset(), q.MaxPhysicOffset())
	}
	// Retention: the commitlog now starts at 5600; the first file (entries
	// 10..19, last one at 5600) stays; the minimum moves to index 19.
	if n := q.DeleteExpired(5600); n != 0 || q.MinOffset() != 19 {
		t.Fatalf("deleted %d files, min %d", n, q.MinOffset())
	}
	if n := q.DeleteExpired(5700); n != 1 || q.MinOffset() != 20 {
		t.Fatalf("deleted %d files, min %d", n, q.MinOffset())
	}
}

func BenchmarkPut(b *testing.B) {
	q, err := Open(Config{Dir: b.TempDir(), FileSize: DefaultFileSize, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := q.Put(int64(i), Entry{int64(i) * 200, 200, 2598919}); err != nil {
			b.Fatal(err)
		}
	}
}
