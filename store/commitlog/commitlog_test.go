package commitlog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/checkpoint"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

const javaStores = "../../../shared/testdata/java-4.9.7"

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func openLog(t testing.TB, dir string, fileSize int, flush FlushDiskType) *CommitLog {
	t.Helper()
	c, err := Open(Config{Dir: dir, FileSize: fileSize, FlushDiskType: flush, Logger: quiet(),
		FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var host = message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}

func encode(t testing.TB, topic string, body string, queueID int32) []byte {
	t.Helper()
	props := message.AppendProperty(nil, 0, message.PropertyTags, "TagA")
	rec, err := message.AppendRecord(nil, &message.Message{
		QueueID: queueID, BornTimestamp: 1700000000000, BornHost: host, StoreHost: host,
		Body: []byte(body), Topic: topic, Properties: props,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// counter hands out queue offsets like the store's topic-queue table.
type counter struct{ next int64 }

func (c *counter) assign(n int) int64 { o := c.next; c.next += int64(n); return o }

func TestAppendReadAndBlankAtFileEnd(t *testing.T) {
	c := openLog(t, t.TempDir(), 4096, AsyncFlush)
	defer c.Close()
	if _, err := c.Recover(false, 0, true); err != nil {
		t.Fatal(err)
	}
	var q counter
	var results []Result
	for i := 0; i < 60; i++ {
		rec := encode(t, "T", fmt.Sprintf("body-%03d-%s", i, bytes.Repeat([]byte{'x'}, 100)), 0)
		res, err := c.Append(rec, 1, q.assign)
		if err != nil {
			t.Fatal(err)
		}
		if res.QueueOffset != int64(i) {
			t.Fatalf("queue offset %d for record %d", res.QueueOffset, i)
		}
		results = append(results, res)
	}
	if len(c.Files().Files()) < 3 {
		t.Fatalf("60 records of ~230 B in 4 KiB files used %d files", len(c.Files().Files()))
	}
	for i, res := range results {
		v, ok := c.Read(res.PhysOffset, res.Bytes)
		if !ok {
			t.Fatalf("record %d unreadable", i)
		}
		var r message.Record
		if err := r.Decode(v.Bytes, true); err != nil {
			t.Fatal(err)
		}
		if r.QueueOffset != int64(i) || r.PhysicalOffset != res.PhysOffset || r.StoreTimestamp != res.StoreTimestamp ||
			string(r.Body[:8]) != fmt.Sprintf("body-%03d", i) {
			t.Fatalf("record %d read back %+v", i, r)
		}
		v.Release()
	}
	// The first file ends with a BLANK record filling it.
	f := c.Files().Files()[0]
	sc := message.NewScanner(f.Bytes(), f.Start(), true)
	for sc.Next() {
	}
	if !sc.SawBlank() {
		t.Fatal("first file does not end with a BLANK record")
	}
}

func TestSyncFlushGroupCommit(t *testing.T) {
	c := openLog(t, t.TempDir(), 1<<20, SyncFlush)
	c.Start()
	defer c.Close()
	if _, err := c.Recover(false, 0, true); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var q counter
	assign := func(n int) int64 { mu.Lock(); defer mu.Unlock(); return q.assign(n) }
	var wg sync.WaitGroup
	var bad atomic.Int32
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				res, err := c.Append(encode(t, "T", fmt.Sprintf("g%d-%d", g, i), 0), 1, assign)
				// SEND_OK under SYNC_FLUSH means on disk.
				if err != nil || c.FlushedOffset() < res.PhysOffset+int64(res.Bytes) {
					bad.Add(1)
				}
			}
		}(g)
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d appends returned before their bytes were flushed", bad.Load())
	}
}

// TestSyncFlushNoWait: a WAIT=false append under SYNC_FLUSH returns
// without a group commit, and the flusher it wakes still makes it durable
// promptly.
func TestSyncFlushNoWait(t *testing.T) {
	c := openLog(t, t.TempDir(), 1<<20, SyncFlush)
	c.Start()
	defer c.Close()
	if _, err := c.Recover(false, 0, true); err != nil {
		t.Fatal(err)
	}
	var q counter
	res, err := c.AppendNoWait(encode(t, "T", "no-wait", 0), 1, q.assign)
	if err != nil {
		t.Fatal(err)
	}
	end := res.PhysOffset + int64(res.Bytes)
	deadline := time.Now().Add(5 * time.Second)
	for c.FlushedOffset() < end {
		if time.Now().After(deadline) {
			t.Fatalf("flushed %d, want %d: the woken flusher never flushed", c.FlushedOffset(), end)
		}
		time.Sleep(time.Millisecond)
	}
}

// copyStore copies a Java fixture commitlog directory.
func copyStore(t *testing.T, store string) string {
	t.Helper()
	from := filepath.Join(javaStores, store, "commitlog")
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatalf("Java fixture missing: %v", err)
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

func TestRecoverJavaStores(t *testing.T) {
	cases := []struct {
		store    string
		abnormal bool
		end      int64
	}{
		{"store-small", false, 1410097},
		{"store-small-crashed", true, 1412307},
	}
	for _, tc := range cases {
		t.Run(tc.store, func(t *testing.T) {
			dir := copyStore(t, tc.store)
			cp, err := checkpoint.Open(filepath.Join(t.TempDir(), "cp"))
			if err != nil {
				t.Fatal(err)
			}
			java, err := os.ReadFile(filepath.Join(javaStores, tc.store, "checkpoint"))
			if err != nil {
				t.Fatal(err)
			}
			cp.SetPhysicMsgTimestamp(int64(binary.BigEndian.Uint64(java)))
			cp.SetLogicsMsgTimestamp(int64(binary.BigEndian.Uint64(java[8:])))
			c := openLog(t, dir, 1<<20, AsyncFlush)
			defer c.Close()
			rec, err := c.Recover(tc.abnormal, cp.MinTimestamp(), true)
			if err != nil {
				t.Fatal(err)
			}
			if rec.End != tc.end || c.MaxOffset() != tc.end {
				t.Fatalf("recovered end %d (max %d), Java: %d", rec.End, c.MaxOffset(), tc.end)
			}
			if tc.abnormal && (rec.RedispatchFrom < 0 || rec.RedispatchFrom > tc.end) {
				t.Fatalf("abnormal recovery re-dispatches from %d", rec.RedispatchFrom)
			}
			// Writing continues exactly where Java would have written.
			var q counter
			res, err := c.Append(encode(t, "FixtureTopic", "after-recovery", 0), 1, q.assign)
			if err != nil || res.PhysOffset != tc.end {
				t.Fatalf("next record at %d (%v), want %d", res.PhysOffset, err, tc.end)
			}
		})
	}
	// The manifest agrees on the record count of the clean store.
	raw, err := os.ReadFile(filepath.Join(javaStores, "store-small", "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		CommitLogRecords []json.RawMessage `json:"commitLogRecords"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	c := openLog(t, copyStore(t, "store-small"), 1<<20, AsyncFlush)
	defer c.Close()
	rec, _ := c.Recover(false, 0, true)
	if rec.Records != 1338 {
		t.Fatalf("walked %d records, the Java store has 1338 (manifest lists %d entries incl. the BLANK)", rec.Records, len(m.CommitLogRecords))
	}
}

// TestRecoverTornTails: damage after the last good record of every kind
// recovers to exactly that record, and nothing past it survives.
func TestRecoverTornTails(t *testing.T) {
	damage := map[string]func(b []byte, lastStart, lastEnd int){
		"torn record":   func(b []byte, s, e int) { clear(b[s+(e-s)/2 : e]) },
		"bad body CRC":  func(b []byte, s, e int) { b[e-40] ^= 0xFF },
		"zeroed page":   func(b []byte, s, e int) { clear(b[s:e]) },
		"garbage magic": func(b []byte, s, e int) { binary.BigEndian.PutUint32(b[s+4:], 0x12345678) },
		"bad size":      func(b []byte, s, e int) { binary.BigEndian.PutUint32(b[s:], 7) },
	}
	for name, hurt := range damage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c := openLog(t, dir, 1<<16, AsyncFlush)
			if _, err := c.Recover(false, 0, true); err != nil {
				t.Fatal(err)
			}
			var q counter
			var last Result
			for i := 0; i < 20; i++ {
				var err error
				if last, err = c.Append(encode(t, "T", fmt.Sprintf("m%d-%s", i, bytes.Repeat([]byte{'b'}, 64)), 0), 1, q.assign); err != nil {
					t.Fatal(err)
				}
			}
			f := c.Files().Last()
			s := int(last.PhysOffset - f.Start())
			hurt(f.Bytes(), s, s+last.Bytes)
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			c = openLog(t, dir, 1<<16, AsyncFlush)
			defer c.Close()
			rec, err := c.Recover(true, 1<<62, true)
			if err != nil {
				t.Fatal(err)
			}
			if rec.End != last.PhysOffset || rec.Records != 19 {
				t.Fatalf("recovered to %d with %d records, want %d with 19", rec.End, rec.Records, last.PhysOffset)
			}
			if _, ok := c.Read(last.PhysOffset, last.Bytes); ok {
				t.Fatal("the damaged record is still readable")
			}
		})
	}
}

func benchAppend(b *testing.B, size int) {
	c := openLog(b, b.TempDir(), 256<<20, AsyncFlush)
	defer c.Close()
	if _, err := c.Recover(false, 0, true); err != nil {
		b.Fatal(err)
	}
	rec := encode(b, "BenchTopic", string(bytes.Repeat([]byte{'x'}, size)), 0)
	var q counter
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Append(rec, 1, q.assign); err != nil {
			b.Fatal(err)
		}
	}
}

// benchLimit is the physical limit an append is measured against: the
// body CRC32 the encoder computes plus one copy of the record into a large
// buffer, with nothing else (no lock, no offsets, no mapping).
func benchLimit(b *testing.B, size int) {
	rec := encode(b, "BenchTopic", string(bytes.Repeat([]byte{'x'}, size)), 0)
	body := bytes.Repeat([]byte{'x'}, size)
	dst := make([]byte, 256<<20)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	b.ResetTimer()
	pos := 0
	var sum uint32
	for i := 0; i < b.N; i++ {
		if pos+len(rec) > len(dst) {
			pos = 0
		}
		sum += crc32.ChecksumIEEE(body)
		pos += copy(dst[pos:], rec)
	}
	if sum == 1 {
		b.Log(sum)
	}
}

func BenchmarkLimit128(b *testing.B)  { benchLimit(b, 128) }
func BenchmarkLimit1KiB(b *testing.B) { benchLimit(b, 1024) }
func BenchmarkLimit4KiB(b *testing.B) { benchLimit(b, 4096) }

func BenchmarkAppend128(b *testing.B)  { benchAppend(b, 128) }
func BenchmarkAppend1KiB(b *testing.B) { benchAppend(b, 1024) }
func BenchmarkAppend4KiB(b *testing.B) { benchAppend(b, 4096) }
