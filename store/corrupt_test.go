package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/mappedfile"
	"github.com/rocketgo/rocketgo/store/message"
)

// Damaged-tail recovery: a store is written and closed (or, for the Java
// fixture, taken as the Java broker left it), the last commitlog file is
// damaged the way a crash or a bad disk damages it, and the store must come
// back at the last valid record before the damage (Java CommitLog
// recoverNormally / recoverAbnormally), with consume queues and index cut
// there, serving nothing past it and appending from it.

const pageSize = 4096

// smallConfig makes files small enough that a few hundred KiB of messages
// span several commitlog, consume queue and index files.
func smallConfig(root string, checkCRC bool) Config {
	c := DefaultConfig(root)
	c.MappedFileSizeCommitLog = 64 << 10
	c.MappedFileSizeConsumeQueue = 32 * 20
	c.MaxHashSlotNum = 64
	c.MaxIndexNum = 256
	c.CheckCRCOnRecover = checkCRC
	c.FlushDiskType = commitlog.SyncFlush
	c.Logger = quiet()
	return c
}

// span is where one record lies in a commitlog file.
type span struct {
	pos, size        int // in the file
	bodyPos, bodyLen int // in the file
	propsPos         int // in the file
}

// fileRecords lists the message records of a commitlog file's bytes.
func fileRecords(t *testing.T, b []byte) []span {
	t.Helper()
	var recs []span
	sc := message.NewScanner(b, 0, true)
	for sc.Next() {
		r := sc.Record()
		if r.Kind != message.KindMessage {
			continue
		}
		pos := int(sc.Offset())
		tail := len(r.Properties) + 2 + len(r.Topic) + 1 + len(r.Body)
		recs = append(recs, span{pos: pos, size: int(r.TotalSize), bodyPos: pos + int(r.TotalSize) - tail, bodyLen: len(r.Body),
			propsPos: pos + int(r.TotalSize) - len(r.Properties)})
	}
	if sc.Err() != nil {
		t.Fatalf("undamaged file does not scan: %v", sc.Err())
	}
	if len(recs) < 4 {
		t.Fatalf("last commitlog file holds only %d records", len(recs))
	}
	return recs
}

// pageInBody finds a page-aligned position at or after from whose 4 KiB
// page starts inside a record's body and covers the rest of that record,
// so zeroing the page damages the record whatever the CRC setting.
func pageInBody(recs []span, from int) (int, span, bool) {
	for p := (from + pageSize - 1) / pageSize * pageSize; ; p += pageSize {
		i := slices.IndexFunc(recs, func(r span) bool { return r.bodyPos < p && p < r.bodyPos+r.bodyLen })
		if i >= 0 && recs[i].pos+recs[i].size <= p+pageSize {
			return p, recs[i], true
		}
		if p > recs[len(recs)-1].pos {
			return 0, span{}, false
		}
	}
}

// damage changes the bytes of the last commitlog file and returns the
// file position recovery must stop at.
type damage func(t *testing.T, b []byte, recs []span) int

var damages = []struct {
	name string
	// crcOff: recovery runs with checkCRCOnRecover false.
	crcOff bool
	// accepted: the damaged record is the last one recovered.
	accepted bool
	do       damage
}{
	{"torn last record", false, false, func(t *testing.T, b []byte, recs []span) int {
		last := recs[len(recs)-1]
		clear(b[last.bodyPos+last.bodyLen/2:]) // the write stopped inside the body
		return last.pos
	}},
	// A tear inside the properties leaves every length field intact: the
	// record passes every check Java makes (properties carry no checksum)
	// and is recovered with zeros in its properties.
	{"torn inside properties", false, true, func(t *testing.T, b []byte, recs []span) int {
		last := recs[len(recs)-1]
		clear(b[last.propsPos+5:])
		return last.pos + last.size
	}},
	{"torn last header", false, false, func(t *testing.T, b []byte, recs []span) int {
		last := recs[len(recs)-1]
		clear(b[last.pos+4 : last.pos+last.size]) // only TOTALSIZE reached the disk
		return last.pos
	}},
	{"bad body CRC checked", false, false, func(t *testing.T, b []byte, recs []span) int {
		last := recs[len(recs)-1]
		b[last.bodyPos+last.bodyLen/2] ^= 0x5A
		return last.pos
	}},
	{"bad body CRC unchecked", true, true, func(t *testing.T, b []byte, recs []span) int {
		last := recs[len(recs)-1]
		b[last.bodyPos+last.bodyLen/2] ^= 0x5A
		return last.pos + last.size // accepted, as Java does without the check
	}},
	{"zeroed page mid-file", false, false, func(t *testing.T, b []byte, recs []span) int {
		p, r, ok := pageInBody(recs, recs[len(recs)/3].pos)
		if !ok {
			t.Fatal("no page starts inside a body")
		}
		clear(b[p : p+pageSize])
		return r.pos
	}},
	{"zeroed page mid-file unchecked", true, false, func(t *testing.T, b []byte, recs []span) int {
		p, r, ok := pageInBody(recs, recs[len(recs)/3].pos)
		if !ok {
			t.Fatal("no page starts inside a body")
		}
		clear(b[p : p+pageSize])
		return r.pos
	}},
	{"garbage magic mid-file", false, false, func(t *testing.T, b []byte, recs []span) int {
		mid := recs[len(recs)/2]
		binary.BigEndian.PutUint32(b[mid.pos+4:], 0xDEADBEEF)
		return mid.pos
	}},
	{"garbage size mid-file", false, false, func(t *testing.T, b []byte, recs []span) int {
		mid := recs[len(recs)/2]
		binary.BigEndian.PutUint32(b[mid.pos:], uint32(mid.size+7))
		return mid.pos
	}},
}

// lastCommitLogFile returns the path and start offset of the newest file.
func lastCommitLogFile(t *testing.T, root string) (string, int64) {
	t.Helper()
	dir := filepath.Join(root, "commitlog")
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("commitlog files: %v (%d)", err, len(ents))
	}
	name := ents[len(ents)-1].Name()
	start, err := strconv.ParseInt(name, 10, 64)
	if err != nil {
		t.Fatalf("commitlog file name %q: %v", name, err)
	}
	return filepath.Join(dir, name), start
}

// applyDamage damages the newest commitlog file of root and returns the
// commitlog offset recovery must stop at.
func applyDamage(t *testing.T, root string, d damage) int64 {
	t.Helper()
	path, start := lastCommitLogFile(t, root)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := fileRecords(t, b)
	want := d(t, b, recs)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return start + int64(want)
}

func setAbort(t *testing.T, root string, abnormal bool) {
	t.Helper()
	p := filepath.Join(root, "abort")
	var err error
	if abnormal {
		err = os.WriteFile(p, nil, 0o644)
	} else if err = os.Remove(p); errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if err != nil {
		t.Fatal(err)
	}
}

// writeBaseStore writes messages of random sizes to two topics of two
// queues each until the commitlog has three files, and closes the store.
func writeBaseStore(t *testing.T) (string, []sentMsg) {
	t.Helper()
	root := t.TempDir()
	s, err := Open(smallConfig(root, true))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var sent []sentMsg
	for i := 0; s.CommitLog().MaxOffset() < 2*(64<<10)+40<<10; i++ {
		topic := []string{"DamageA", "DamageB"}[rng.IntN(2)]
		body := make([]byte, 300+rng.IntN(1200))
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		m, err := putRecognisable(s, topic, int32(rng.IntN(2)), body, fmt.Sprintf("k%d", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m)
	}
	last := sent[len(sent)-1]
	waitDispatched(t, s, last.topic, last.queue, last.qoff+1)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return root, sent
}

func TestRecoverDamagedTail(t *testing.T) {
	base, sent := writeBaseStore(t)
	queues := []queueKey{{"DamageA", 0}, {"DamageA", 1}, {"DamageB", 0}, {"DamageB", 1}}
	for _, d := range damages {
		for _, abnormal := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/abnormal=%v", d.name, abnormal), func(t *testing.T) {
				root := copyTree(t, base)
				end := applyDamage(t, root, d.do)
				setAbort(t, root, abnormal)
				cfg := smallConfig(root, !d.crcOff)
				s, err := Open(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { closeIfOpen(s) }()
				if s.abnormal != abnormal {
					t.Fatalf("recovered as abnormal=%v", s.abnormal)
				}
				if got := s.CommitLog().MaxOffset(); got != end {
					t.Fatalf("recovered commitlog end %d, want %d", got, end)
				}
				kept := 0
				for _, m := range sent {
					switch {
					case d.accepted && m.phys+int64(m.size) == end:
						// The damaged record is served as stored.
						if err := checkServed(s, m); err == nil {
							t.Errorf("damaged record %s served intact", m.key)
						}
						kept++
					case m.phys < end:
						if err := checkServed(s, m); err != nil {
							t.Error(err)
						}
						if !indexFinds(s, m) {
							t.Errorf("%s at %d not in the index", m.key, m.phys)
						}
						kept++
					default:
						if e, ok := s.Entry(m.topic, m.queue, m.qoff); ok {
							t.Errorf("%s past the end %d still has entry %+v", m.key, end, e)
						}
						for _, off := range s.idx.QueryOffset(m.topic, m.key, 64, 0, math.MaxInt64).PhyOffsets {
							if off < end {
								t.Errorf("index finds lost %s at %d below the end %d", m.key, off, end)
							}
						}
					}
				}
				if kept == len(sent) && !d.accepted {
					t.Fatal("the damage lost nothing")
				}
				checkConsistent(t, s)
				added := appendAfterRecovery(t, s, queues, "new")
				maxes := checkConsistent(t, s)
				newEnd := s.CommitLog().MaxOffset()
				err = s.Close(context.Background())
				if s = nil; err != nil {
					t.Fatal(err)
				}
				// A clean reopen agrees with what the recovered store had.
				if s, err = Open(cfg); err != nil {
					t.Fatal(err)
				}
				if s.abnormal || s.CommitLog().MaxOffset() != newEnd {
					t.Fatalf("reopen: abnormal=%v end %d, want %d", s.abnormal, s.CommitLog().MaxOffset(), newEnd)
				}
				if again := checkConsistent(t, s); !maps.Equal(again, maxes) {
					t.Fatalf("reopen: queues %v, before %v", again, maxes)
				}
				for _, m := range added {
					if err := checkServed(s, m); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
}

// TestRecoverDamagedJavaTail applies the same damage to a copy of the
// store the Java broker left behind when it was SIGKILLed.
func TestRecoverDamagedJavaTail(t *testing.T) {
	var msgs []javaMsg
	for _, name := range []string{"store-small", "store-small-crashed"} {
		msgs = append(msgs, javaMessages(loadManifest(t, name))...)
	}
	queues := []queueKey{{"FixtureTopic", 0}, {"FixtureTopic", 1}, {"FixtureTopic", 2}, {"FixtureTopic", 3}}
	for _, d := range damages {
		for _, abnormal := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/abnormal=%v", d.name, abnormal), func(t *testing.T) {
				root := copyTree(t, filepath.Join(javaStores, "store-small-crashed"))
				end := applyDamage(t, root, d.do)
				setAbort(t, root, abnormal)
				cfg := fixtureConfig(root)
				cfg.CheckCRCOnRecover = !d.crcOff
				s, err := Open(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { closeIfOpen(s) }()
				if got := s.CommitLog().MaxOffset(); got != end {
					t.Fatalf("recovered commitlog end %d, want %d (Java end 1412307)", got, end)
				}
				kept, lost := 0, 0
				for _, m := range msgs {
					e, ok := s.Entry(m.topic, m.queue, m.qoff)
					switch {
					case m.phys < end:
						kept++
						if !ok || e.Offset != m.phys {
							t.Errorf("%s at %d: entry %+v %v", m.id, m.phys, e, ok)
						}
					default:
						lost++
						if ok {
							t.Errorf("%s at %d past the end %d still has entry %+v", m.id, m.phys, end, e)
						}
					}
				}
				if lost == 0 && !d.accepted {
					t.Fatal("the damage lost no manifest message")
				}
				t.Logf("recovered to %d: %d manifest messages kept, %d lost", end, kept, lost)
				checkConsistent(t, s)
				appendAfterRecovery(t, s, queues, "after-damage")
				checkConsistent(t, s)
			})
		}
	}
}

type javaMsg struct {
	id         string
	topic      string
	queue      int32
	qoff, phys int64
}

func javaMessages(m manifest) []javaMsg {
	var out []javaMsg
	for _, msg := range m.Messages {
		if msg.Topic == nil || (msg.Consumable != nil && !*msg.Consumable) {
			continue
		}
		out = append(out, javaMsg{msg.MsgID, *msg.Topic, msg.QueueID, msg.QueueOffset, msg.CommitLog})
	}
	return out
}

// TestRecoverShortCommitLogFile: a commitlog file shorter than the
// configured size is refused, as Java's MappedFileQueue.load refuses it,
// with an error and without touching the files.
func TestRecoverShortCommitLogFile(t *testing.T) {
	base, _ := writeBaseStore(t)
	for _, abnormal := range []bool{false, true} {
		root := copyTree(t, base)
		setAbort(t, root, abnormal)
		path, _ := lastCommitLogFile(t, root)
		if err := os.Truncate(path, 10_000); err != nil {
			t.Fatal(err)
		}
		s, err := Open(smallConfig(root, true))
		if err == nil {
			s.Close(context.Background())
			t.Fatalf("abnormal=%v: opened a store with a short commitlog file", abnormal)
		}
		if !errors.Is(err, mappedfile.ErrCorrupt) {
			t.Errorf("abnormal=%v: error %v does not say the file is inconsistent", abnormal, err)
		}
		if st, _ := os.Stat(path); st.Size() != 10_000 {
			t.Errorf("the short file was changed to %d bytes", st.Size())
		}
		// The lock is released: a fixed store opens.
		if err := os.Truncate(path, 64<<10); err != nil {
			t.Fatal(err)
		}
		s, err = Open(smallConfig(root, true))
		if err != nil {
			t.Fatalf("after the fix: %v", err)
		}
		checkConsistent(t, s)
		s.Close(context.Background())
	}
}

// TestNextQueueOffsetAfterRedispatch: when the consume queue lags the
// commitlog (a crash before the dispatcher caught up), opening the store
// re-dispatches the missing entries, and the next put must continue after
// them (Java's start() rebuilds the topic-queue table after the catch-up).
func TestNextQueueOffsetAfterRedispatch(t *testing.T) {
	for _, abnormal := range []bool{false, true} {
		root := t.TempDir()
		cfg := smallConfig(root, true)
		s, err := Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ {
			if _, err := putRecognisable(s, "Lag", 0, []byte("body"), fmt.Sprintf("k%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		waitDispatched(t, s, "Lag", 0, 10)
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The last three entries never reached the consume queue.
		p := filepath.Join(root, "consumequeue", "Lag", "0", mappedfile.FileName(0))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		clear(b[7*20 : 10*20])
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		setAbort(t, root, abnormal)
		if s, err = Open(cfg); err != nil {
			t.Fatal(err)
		}
		if got := s.MaxOffsetInQueue("Lag", 0); got != 10 {
			t.Fatalf("abnormal=%v: re-dispatch left max offset %d, want 10", abnormal, got)
		}
		m, err := putRecognisable(s, "Lag", 0, []byte("next"), "next")
		if err != nil {
			t.Fatal(err)
		}
		if m.qoff != 10 {
			t.Errorf("abnormal=%v: next put got queue offset %d, want 10 (the queue already serves 0..9)", abnormal, m.qoff)
		}
		waitDispatched(t, s, "Lag", 0, 11)
		checkConsistent(t, s)
		s.Close(context.Background())
	}
}

// TestRecoverZeroLengthNewestFile: a process killed between creating a
// file and sizing it (the commitlog's pre-allocated next file, a consume
// queue's or the index's new file) leaves an empty newest file. It cannot
// hold data, so the store opens as if it were not there. (Found by
// TestCrashRecovery: Java would refuse the commitlog and consume queue
// case in MappedFileQueue.load.)
func TestRecoverZeroLengthNewestFile(t *testing.T) {
	base, sent := writeBaseStore(t)
	last := sent[len(sent)-1]
	for _, c := range []struct {
		name string
		path func(root string) string
	}{
		{"commitlog", func(root string) string {
			_, start := lastCommitLogFile(t, root)
			return filepath.Join(root, "commitlog", mappedfile.FileName(start+64<<10))
		}},
		{"consume queue", func(root string) string {
			dir := filepath.Join(root, "consumequeue", last.topic, strconv.Itoa(int(last.queue)))
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := strconv.ParseInt(ents[len(ents)-1].Name(), 10, 64)
			return filepath.Join(dir, mappedfile.FileName(n+32*20))
		}},
		{"index", func(root string) string {
			ents, err := os.ReadDir(filepath.Join(root, "index"))
			if err != nil || len(ents) == 0 {
				t.Fatalf("index files: %v", err)
			}
			n, _ := strconv.ParseInt(ents[len(ents)-1].Name(), 10, 64)
			return filepath.Join(root, "index", strconv.FormatInt(n+1, 10))
		}},
	} {
		for _, abnormal := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/abnormal=%v", c.name, abnormal), func(t *testing.T) {
				root := copyTree(t, base)
				if err := os.WriteFile(c.path(root), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				setAbort(t, root, abnormal)
				s, err := Open(smallConfig(root, true))
				if err != nil {
					t.Fatalf("open with an empty newest file: %v", err)
				}
				defer s.Close(context.Background())
				for _, m := range sent {
					if err := checkServed(s, m); err != nil {
						t.Error(err)
					}
					if !indexFinds(s, m) {
						t.Errorf("%s not found by its key", m.key)
					}
				}
				checkConsistent(t, s)
				appendAfterRecovery(t, s, []queueKey{{last.topic, last.queue}}, "after")
				checkConsistent(t, s)
			})
		}
	}
}

// TestRebuildQueuesAfterFirstFileGone: consume queues deleted (to have
// them rebuilt) after retention removed the first commitlog file. Queue
// Q/0 then starts at queue offset 4, exactly on a consume queue file
// boundary; its minimum must be 4, as Java's putMessagePositionInfo sets
// it for a queue whose first file starts late, not 0.
func TestRebuildQueuesAfterFirstFileGone(t *testing.T) {
	root := t.TempDir()
	cfg := smallConfig(root, true)
	cfg.MappedFileSizeConsumeQueue = 4 * 20
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var sent []sentMsg
	for i := range 8 {
		// Four records of ~15 KB fill a 64 KiB file: the first file holds
		// queue offsets 0..3, the second starts with 4.
		m, err := putRecognisable(s, "Q", 0, bytes.Repeat([]byte{byte(i + 1)}, 15000), fmt.Sprintf("k%d", i))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m)
	}
	if sent[3].phys >= 64<<10 || sent[4].phys != 64<<10 {
		t.Fatalf("layout: record 3 at %d, record 4 at %d", sent[3].phys, sent[4].phys)
	}
	waitDispatched(t, s, "Q", 0, 8)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join("commitlog", mappedfile.FileName(0)), "consumequeue"} {
		if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	if s, err = Open(cfg); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if lo, hi := s.MinOffsetInQueue("Q", 0), s.MaxOffsetInQueue("Q", 0); lo != 4 || hi != 8 {
		t.Fatalf("rebuilt queue serves [%d,%d), want [4,8)", lo, hi)
	}
	if r := s.GetMessage("Q", 0, 0, 32, nil, nil); r.Status != OffsetTooSmall || r.NextBeginOffset != 4 {
		t.Fatalf("pull at 0: %s next %d, want OFFSET_TOO_SMALL next 4", r.Status, r.NextBeginOffset)
	}
	for _, m := range sent[4:] {
		if err := checkServed(s, m); err != nil {
			t.Error(err)
		}
	}
	checkConsistent(t, s)
	appendAfterRecovery(t, s, []queueKey{{"Q", 0}}, "after")
}
