package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/message"
)

// FuzzRecover damages the newest commitlog file of a small valid store in
// arbitrary ways and opens it. Open must neither panic nor hang; it returns
// an error or a store whose recovered prefix is valid, whose queues serve
// only records below the recovered end and no more entries than there are
// valid records, and which accepts and serves a new message.
//
// Input: byte 0 selects the mode (bit 0: abort file present, abnormal
// recovery; bit 1: checkCRCOnRecover off; bit 2: consume queues deleted, so
// the dispatcher rebuilds them all from the commitlog; bit 3: the rest is a
// tail replacement instead of patches). Patches are 3-byte groups (2-byte
// position within the written part of the file plus a little, 1-byte
// value); a tail replacement is a 2-byte cut position followed by the bytes
// that replace everything after it.
func FuzzRecover(f *testing.F) {
	tpl := buildFuzzTemplate(f)
	f.Add([]byte{0})
	f.Add([]byte{1})
	f.Add([]byte{2})
	f.Add([]byte{5})
	f.Add([]byte{7})
	// A flipped body byte of the first record of the last file.
	flip := tpl.lastRecords[0].bodyPos
	f.Add([]byte{0, byte(flip >> 8), byte(flip), 0xFF})
	f.Add([]byte{3, byte(flip >> 8), byte(flip), 0xFF})
	// A torn tail: the last record cut after 20 bytes.
	cut := tpl.lastRecords[len(tpl.lastRecords)-1].pos + 20
	f.Add([]byte{8, byte(cut >> 8), byte(cut)})
	f.Add([]byte{13, byte(cut >> 8), byte(cut), 0xDA, 0xA3, 0x20, 0xA7})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		mode := data[0]
		data = data[1:]
		abnormal, crc, rebuild, tail := mode&1 != 0, mode&2 == 0, mode&4 != 0, mode&8 != 0
		root := t.TempDir()
		for rel, b := range tpl.files {
			if rebuild && strings.HasPrefix(rel, "consumequeue"+string(filepath.Separator)) {
				continue
			}
			if rel == tpl.last {
				b = mutate(b, tpl.dataEnd, data, tail)
			}
			p := filepath.Join(root, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		setAbort(t, root, abnormal)
		// A hang is a failure too: the fuzzer reports the input that caused it.
		watchdog := time.AfterFunc(30*time.Second, func() { panic("FuzzRecover: open or check hangs") })
		defer watchdog.Stop()
		s, err := Open(fuzzConfig(root, crc))
		if err != nil {
			return // refusing a damaged store is a valid answer
		}
		defer func() {
			if err := s.Close(context.Background()); err != nil {
				t.Errorf("close: %v", err)
			}
		}()
		checkFuzzedStore(t, s, tpl, rebuild)
	})
}

// fuzzTemplate is the valid store every fuzz input starts from.
type fuzzTemplate struct {
	files       map[string][]byte // by path relative to the root
	last        string            // the newest commitlog file
	lastStart   int64
	dataEnd     int // written bytes of the newest file
	lastRecords []span
}

const fuzzFileSize = 8 << 10

func fuzzConfig(root string, checkCRC bool) Config {
	c := DefaultConfig(root)
	c.MappedFileSizeCommitLog = fuzzFileSize
	c.MappedFileSizeConsumeQueue = 4 * 20
	c.MaxHashSlotNum = 16
	c.MaxIndexNum = 64
	c.CheckCRCOnRecover = checkCRC
	c.Logger = quiet()
	return c
}

// buildFuzzTemplate writes two topics of two queues until the commitlog
// has two files, closes the store and keeps its files in memory.
func buildFuzzTemplate(f *testing.F) fuzzTemplate {
	root := f.TempDir()
	s, err := Open(fuzzConfig(root, true))
	if err != nil {
		f.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	var last sentMsg
	for i := 0; s.CommitLog().MaxOffset() < fuzzFileSize+2500; i++ {
		body := make([]byte, 50+rng.IntN(500))
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		if last, err = putRecognisable(s, []string{"FuzzA", "FuzzB"}[i%2], int32(i/2%2), body, fmt.Sprintf("k%d", i)); err != nil {
			f.Fatal(err)
		}
	}
	end := s.CommitLog().MaxOffset()
	deadline := time.Now().Add(5 * time.Second)
	for s.MaxOffsetInQueue(last.topic, last.queue) <= last.qoff && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(context.Background()); err != nil {
		f.Fatal(err)
	}
	tpl := fuzzTemplate{files: map[string][]byte{}}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		tpl.files[rel] = b
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	tpl.lastStart = end - end%fuzzFileSize
	tpl.last = filepath.Join("commitlog", fmt.Sprintf("%020d", tpl.lastStart))
	tpl.dataEnd = int(end - tpl.lastStart)
	b, ok := tpl.files[tpl.last]
	if !ok || len(b) != fuzzFileSize {
		f.Fatalf("template has no full-size %s", tpl.last)
	}
	sc := message.NewScanner(b, 0, true)
	for sc.Next() {
		r := sc.Record()
		tail := len(r.Properties) + 2 + len(r.Topic) + 1 + len(r.Body)
		tpl.lastRecords = append(tpl.lastRecords, span{pos: int(sc.Offset()), size: int(r.TotalSize),
			bodyPos: int(sc.Offset()) + int(r.TotalSize) - tail, bodyLen: len(r.Body)})
	}
	if len(tpl.lastRecords) < 3 {
		f.Fatalf("template's last file holds %d records", len(tpl.lastRecords))
	}
	return tpl
}

// mutate returns a damaged copy of the newest commitlog file.
func mutate(orig []byte, dataEnd int, data []byte, tail bool) []byte {
	b := append([]byte(nil), orig...)
	reach := dataEnd + 64 // the written part and a little beyond
	if tail {
		if len(data) < 2 {
			return b
		}
		cut := int(binary.BigEndian.Uint16(data)) % reach
		clear(b[cut:])
		copy(b[cut:], data[2:])
		return b
	}
	for ; len(data) >= 3; data = data[3:] {
		b[int(binary.BigEndian.Uint16(data))%reach] = data[2]
	}
	return b
}

// checkFuzzedStore checks what a store opened on damaged data must still
// guarantee.
func checkFuzzedStore(t *testing.T, s *Store, tpl fuzzTemplate, rebuilt bool) {
	crc := s.cfg.CheckCRCOnRecover
	cl := s.CommitLog()
	end := cl.MaxOffset()
	if end > tpl.lastStart+fuzzFileSize {
		t.Fatalf("recovered end %d beyond the last file", end)
	}
	// Everything below the recovered end is valid records.
	valid := 0
	perQueue := map[queueKey]int64{}
	if err := walkCommitLog(s, crc, func(off int64, r *message.Record) {
		valid++
		perQueue[queueKey{string(r.Topic), r.QueueID}]++
	}); err != nil {
		t.Fatalf("recovered prefix: %v", err)
	}
	for _, k := range snapshotQueues(s) {
		lo, hi := s.MinOffsetInQueue(k.topic, k.id), s.MaxOffsetInQueue(k.topic, k.id)
		// A damaged QUEUEOFFSET field (the body CRC does not cover the
		// header) is dispatched as it is; a negative one makes a queue that
		// starts before offset 0 and whose bounds mean nothing. Such a
		// queue is only pulled from below, which must not fail.
		sane := lo >= 0
		if sane && (lo > hi || hi-lo > int64(valid)) {
			t.Fatalf("%s/%d serves [%d,%d) with %d valid records in the commitlog", k.topic, k.id, lo, hi, valid)
		}
		if sane && rebuilt && hi-lo > perQueue[k] {
			t.Fatalf("%s/%d serves [%d,%d) rebuilt from %d of its records", k.topic, k.id, lo, hi, perQueue[k])
		}
		for i := lo; sane && i < hi; i++ {
			e, ok := s.Entry(k.topic, k.id, i)
			if !ok {
				continue // a damaged QUEUEOFFSET can leave holes; they are not served
			}
			if e.Offset >= end {
				t.Fatalf("%s/%d/%d: entry %+v at or past the end %d", k.topic, k.id, i, e, end)
			}
			if !rebuilt {
				continue
			}
			// Rebuilt from the valid prefix: each entry is one of its records.
			v, ok := cl.Read(e.Offset, int(e.Size))
			if !ok {
				t.Fatalf("%s/%d/%d: entry %+v unreadable", k.topic, k.id, i, e)
			}
			var r message.Record
			err := r.Decode(v.Bytes, crc)
			v.Release()
			if err != nil || r.TotalSize != e.Size || string(r.Topic) != k.topic || r.QueueID != k.id {
				t.Fatalf("%s/%d/%d: entry %+v holds %s/%d size %d: %v", k.topic, k.id, i, e, r.Topic, r.QueueID, r.TotalSize, err)
			}
		}
		// Every message a consumer can pull decodes.
		for next, rounds := lo, 0; next < hi; rounds++ {
			if rounds > int(hi-lo)+1 {
				t.Fatalf("%s/%d: pulling from %d makes no progress", k.topic, k.id, lo)
			}
			res := s.GetMessage(k.topic, k.id, next, 32, nil, nil)
			for _, v := range res.Messages {
				if _, err := message.Decode(v.Bytes, false); err != nil {
					t.Errorf("%s/%d: pulled bytes do not decode: %v", k.topic, k.id, err)
				}
			}
			res.Release()
			if res.NextBeginOffset <= next {
				break
			}
			next = res.NextBeginOffset
		}
	}
	// The store takes a new message at the end of its queue and serves it.
	want := s.MaxOffsetInQueue("FuzzA", 0)
	m, err := putRecognisable(s, "FuzzA", 0, []byte("after the damage"), "after")
	if err != nil {
		t.Fatalf("put after recovery: %v", err)
	}
	if m.qoff != want {
		t.Fatalf("put after recovery got queue offset %d, the queue ends at %d", m.qoff, want)
	}
	waitDispatched(t, s, "FuzzA", 0, m.qoff+1)
	if err := checkServed(s, m); err != nil {
		t.Fatal(err)
	}
}
