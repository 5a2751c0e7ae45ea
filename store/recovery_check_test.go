package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
)

// Helpers shared by the crash, corruption and fuzz tests: messages that
// can be recognised after recovery, and a consistency check of a
// recovered store that relies only on what the store serves.

// sentMsg is what a test remembers of a message the store acknowledged.
type sentMsg struct {
	topic   string
	queue   int32
	qoff    int64
	phys    int64
	size    int32
	key     string
	bodySum string
	propSum string
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// recognisable encodes a message with TAGS, KEYS (key) and UNIQ_KEY set, so
// a recovered copy can be checked property by property and found in the
// index. It returns the record and its properties.
func recognisable(topic string, qid int32, body []byte, key string) ([]byte, []byte, error) {
	props := message.AppendProperty(nil, 0, message.PropertyTags, "Tag"+strconv.Itoa(len(body)%3))
	props = message.AppendProperty(props, 0, message.PropertyKeys, key)
	props = message.AppendProperty(props, 0, message.PropertyUniqClientMessageIDKeyIdx, "U-"+key)
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	rec, err := message.AppendRecord(nil, &message.Message{
		QueueID: qid, BornTimestamp: time.Now().UnixMilli(), BornHost: h, StoreHost: h,
		Body: body, Topic: topic, Properties: props,
	})
	return rec, props, err
}

// putRecognisable stores a recognisable message and returns what was acknowledged.
func putRecognisable(s *Store, topic string, qid int32, body []byte, key string) (sentMsg, error) {
	rec, props, err := recognisable(topic, qid, body, key)
	if err != nil {
		return sentMsg{}, err
	}
	res, err := s.Put(topic, qid, rec)
	if err != nil {
		return sentMsg{}, fmt.Errorf("put %s: %w", key, err)
	}
	return sentMsg{topic: topic, queue: qid, qoff: res.QueueOffset, phys: res.PhysOffset, size: int32(len(rec)),
		key: key, bodySum: digest(body), propSum: digest(props)}, nil
}

// checkServed reads m back through its consume queue entry and demands the
// same place, body and properties.
func checkServed(s *Store, m sentMsg) error {
	e, ok := s.Entry(m.topic, m.queue, m.qoff)
	if !ok {
		return fmt.Errorf("%s: no entry at %s/%d/%d (queue max %d)", m.key, m.topic, m.queue, m.qoff,
			s.MaxOffsetInQueue(m.topic, m.queue))
	}
	if e.Offset != m.phys || e.Size != m.size {
		return fmt.Errorf("%s: entry %s/%d/%d points at %d+%d, stored at %d+%d", m.key, m.topic, m.queue, m.qoff,
			e.Offset, e.Size, m.phys, m.size)
	}
	v, ok := s.CommitLog().Read(e.Offset, int(e.Size))
	if !ok {
		return fmt.Errorf("%s: commitlog %d+%d unreadable", m.key, e.Offset, e.Size)
	}
	defer v.Release()
	var r message.Record
	if err := r.Decode(v.Bytes, true); err != nil {
		return fmt.Errorf("%s: record at %d: %w", m.key, m.phys, err)
	}
	switch {
	case string(r.Topic) != m.topic || r.QueueID != m.queue || r.QueueOffset != m.qoff || r.PhysicalOffset != m.phys:
		return fmt.Errorf("%s: record at %d is %s/%d/%d@%d", m.key, m.phys, r.Topic, r.QueueID, r.QueueOffset, r.PhysicalOffset)
	case digest(r.Body) != m.bodySum:
		return fmt.Errorf("%s: body changed", m.key)
	case digest(r.Properties) != m.propSum:
		return fmt.Errorf("%s: properties changed: %q", m.key, r.Properties)
	}
	return nil
}

// indexFinds reports whether the index finds the message by its key.
func indexFinds(s *Store, m sentMsg) bool {
	return slices.Contains(s.idx.QueryOffset(m.topic, m.key, 64, 0, math.MaxInt64).PhyOffsets, m.phys)
}

// closeIfOpen closes a store a test may have replaced by a failed reopen.
func closeIfOpen(s *Store) {
	if s != nil {
		_ = s.Close(context.Background())
	}
}

// errCap reports up to 20 errors and then stops the test, so one broken
// invariant does not print a line per message.
type errCap struct {
	t testing.TB
	n int
}

func (c *errCap) errorf(format string, args ...any) {
	c.t.Helper()
	c.n++
	c.t.Errorf(format, args...)
	if c.n >= 20 {
		c.t.Fatal("too many errors")
	}
}

// snapshotQueues returns every consume queue the store has.
func snapshotQueues(s *Store) []queueKey {
	s.qmu.RLock()
	defer s.qmu.RUnlock()
	keys := make([]queueKey, 0, len(s.queues))
	for k := range s.queues {
		keys = append(keys, k)
	}
	return keys
}

// walkCommitLog visits every record between the commitlog's first byte and
// its end, following BLANKs to the next file, and reports where the walk
// found data it could not read.
func walkCommitLog(s *Store, checkCRC bool, visit func(off int64, r *message.Record)) error {
	cl := s.CommitLog()
	off, end := cl.MinOffset(), cl.MaxOffset()
	for off < end {
		v, ok := cl.ReadFrom(off)
		if !ok {
			return fmt.Errorf("commitlog unreadable at %d (end %d)", off, end)
		}
		sc := message.NewScanner(v.Bytes, off, checkCRC)
		for sc.Next() {
			if sc.Record().Kind == message.KindMessage {
				visit(sc.Offset(), sc.Record())
			}
		}
		err, blank, stop := sc.Err(), sc.SawBlank(), sc.Offset()
		v.Release()
		switch {
		case err != nil:
			return fmt.Errorf("invalid record at %d below the recovered end %d: %w", stop, end, err)
		case blank:
			off = cl.NextFileStart(off)
		case stop < end:
			return fmt.Errorf("data stops at %d below the recovered end %d", stop, end)
		default:
			off = stop
		}
	}
	return nil
}

// dispatched reports whether the dispatcher puts the record into a consume
// queue (prepared and rolled-back transaction records stay out).
func dispatched(r *message.Record) bool {
	tt := message.TransactionType(r.SysFlag)
	return tt == message.TransactionNotType || tt == message.TransactionCommitType
}

// checkConsistent checks a store after recovery against its own commitlog:
// every record below the end is valid (with the body CRC when the store
// checks it on recovery) and is the entry
// of its queue at its queue offset; every queue entry points below the end
// at a record of that topic, queue and queue offset; each queue holds
// exactly its records, no gaps; and GetMessage serves every queue from its
// minimum to its maximum and nothing past the commitlog end. It returns the
// queues' max offsets.
func checkConsistent(t testing.TB, s *Store) map[queueKey]int64 {
	t.Helper()
	c := &errCap{t: t}
	cl := s.CommitLog()
	end := cl.MaxOffset()
	crc := s.cfg.CheckCRCOnRecover
	counts := map[queueKey]int64{}
	err := walkCommitLog(s, crc, func(off int64, r *message.Record) {
		if !dispatched(r) {
			return
		}
		if r.PhysicalOffset != off {
			// Java patches a record before copying it into the mapping; a
			// record copied first and killed before its patch reads as
			// valid with QUEUEOFFSET and PHYSICALOFFSET still 0.
			c.errorf("record at %d (%s/%d) carries PHYSICALOFFSET %d, QUEUEOFFSET %d: written but never patched",
				off, r.Topic, r.QueueID, r.PhysicalOffset, r.QueueOffset)
		}
		k := queueKey{string(r.Topic), r.QueueID}
		counts[k]++
		e, ok := s.Entry(k.topic, k.id, r.QueueOffset)
		if !ok || e.Offset != off || e.Size != r.TotalSize {
			c.errorf("record at %d (%s/%d/%d) is not its queue's entry (%+v %v)", off, k.topic, k.id, r.QueueOffset, e, ok)
		}
	})
	if err != nil {
		c.errorf("%v", err)
	}
	maxes := map[queueKey]int64{}
	var buf []commitlog.View
	for _, k := range snapshotQueues(s) {
		lo, hi := s.MinOffsetInQueue(k.topic, k.id), s.MaxOffsetInQueue(k.topic, k.id)
		maxes[k] = hi
		if hi-lo != counts[k] {
			c.errorf("%s/%d serves [%d,%d) but the commitlog holds %d of its records", k.topic, k.id, lo, hi, counts[k])
		}
		for i := lo; i < hi; i++ {
			e, ok := s.Entry(k.topic, k.id, i)
			if !ok || !e.Valid() || e.Offset+int64(e.Size) > end {
				c.errorf("%s/%d/%d: entry %+v %v (commitlog end %d)", k.topic, k.id, i, e, ok, end)
				continue
			}
			v, ok := cl.Read(e.Offset, int(e.Size))
			if !ok {
				c.errorf("%s/%d/%d: commitlog %d+%d unreadable", k.topic, k.id, i, e.Offset, e.Size)
				continue
			}
			var r message.Record
			if err := r.Decode(v.Bytes, crc); err != nil || string(r.Topic) != k.topic || r.QueueID != k.id ||
				r.QueueOffset != i || r.PhysicalOffset != e.Offset {
				c.errorf("%s/%d/%d: entry points at %s/%d/%d@%d (%v)", k.topic, k.id, i, r.Topic, r.QueueID, r.QueueOffset, r.PhysicalOffset, err)
			}
			v.Release()
		}
		// What a consumer pulls: everything from the minimum, in order, and
		// nothing past the end.
		next, got := lo, int64(0)
		for next < hi {
			res := s.GetMessage(k.topic, k.id, next, 32, nil, buf)
			if res.Status != Found {
				c.errorf("%s/%d: pull at %d: %s", k.topic, k.id, next, res.Status)
				break
			}
			for j, v := range res.Messages {
				var r message.Record
				if err := r.Decode(v.Bytes, crc); err != nil || r.PhysicalOffset+int64(r.TotalSize) > end ||
					r.QueueOffset != next+int64(j) {
					c.errorf("%s/%d: pulled record %d at %d+%d (end %d): %v", k.topic, k.id, r.QueueOffset, r.PhysicalOffset, r.TotalSize, end, err)
				}
				got++
			}
			next = res.NextBeginOffset
			res.Release()
			buf = res.Messages
		}
		if got != hi-lo {
			c.errorf("%s/%d: pulled %d messages of [%d,%d)", k.topic, k.id, got, lo, hi)
		}
		if res := s.GetMessage(k.topic, k.id, hi, 32, nil, nil); hi > 0 && res.Status != OffsetOverflowOne {
			c.errorf("%s/%d: pull at max %d: %s", k.topic, k.id, hi, res.Status)
		}
	}
	// The truncated tail of the last file is zeros: nothing past the end
	// can come back on the next recovery.
	if f := cl.Files().Last(); f != nil {
		if i := slices.IndexFunc(f.Bytes()[f.Wrote():], func(b byte) bool { return b != 0 }); i >= 0 {
			c.errorf("byte %d past the commitlog end %d is not zero", f.Start()+int64(f.Wrote()+i), end)
		}
	}
	return maxes
}

// appendAfterRecovery puts one message into each queue and checks that it
// goes where a recovered store must put it: at the commitlog end (or the
// next file) and at the queue's max offset, without a gap.
func appendAfterRecovery(t *testing.T, s *Store, queues []queueKey, tag string) []sentMsg {
	t.Helper()
	var sent []sentMsg
	for i, k := range queues {
		want := s.MaxOffsetInQueue(k.topic, k.id)
		end := s.CommitLog().MaxOffset()
		m, err := putRecognisable(s, k.topic, k.id, []byte(fmt.Sprintf("after %s %d", tag, i)), fmt.Sprintf("%s-%d", tag, i))
		if err != nil {
			t.Fatalf("append after recovery: %v", err)
		}
		if m.qoff != want {
			t.Errorf("%s/%d: new message got queue offset %d, the queue ends at %d", k.topic, k.id, m.qoff, want)
		}
		if m.phys != end && m.phys != s.CommitLog().NextFileStart(end) {
			t.Errorf("%s/%d: new message at %d, the commitlog ended at %d", k.topic, k.id, m.phys, end)
		}
		sent = append(sent, m)
	}
	for _, m := range sent {
		waitDispatched(t, s, m.topic, m.queue, m.qoff+1)
		if err := checkServed(s, m); err != nil {
			t.Error(err)
		}
	}
	return sent
}
