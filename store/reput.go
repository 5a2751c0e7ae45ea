package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/consumequeue"
	"github.com/rocketgo/rocketgo/store/index"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// reputService is Java's ReputMessageService: the one goroutine that
// turns commitlog records into consume-queue and index entries, in order.
// A put kicks it; a short tick covers anything a kick missed.
type reputService struct {
	s    *Store
	from atomic.Int64
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once

	// The queue of the last dispatched record (dispatcher goroutine only),
	// valid while the store's queueGen is lastGen.
	lastTopic string
	lastID    int32
	lastQueue *consumequeue.Queue
	lastGen   int64

	// lastTS is the store time of the last record put into a consume
	// queue. The checkpoint takes it only once the queues holding that
	// record are flushed (see flushQueues), never straight from here.
	lastTS atomic.Int64
}

func newReputService(s *Store, from int64) *reputService {
	r := &reputService{s: s, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	r.from.Store(from)
	return r
}

func (r *reputService) offset() int64 { return r.from.Load() }

func (r *reputService) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// limit is how far records may be dispatched: with SYNC_FLUSH only what is
// on disk, so a consumer never sees a message that a crash could still
// take away.
func (r *reputService) limit() int64 {
	if r.s.cfg.FlushDiskType == commitlog.SyncFlush {
		return r.s.cl.FlushedOffset()
	}
	return r.s.cl.MaxOffset()
}

// catchUp dispatches everything there is before the store opens (Java's
// start() waits for the same).
func (r *reputService) catchUp() {
	for r.round() {
	}
}

func (r *reputService) start() { go r.run() }

func (r *reputService) run() {
	defer close(r.done)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.quit:
			r.catchUp()
			return
		case <-r.wake:
		case <-tick.C:
		}
		for r.round() {
		}
	}
}

func (r *reputService) stop(ctx context.Context) {
	r.once.Do(func() { close(r.quit) })
	select {
	case <-r.done:
	case <-ctx.Done():
	}
}

// round dispatches the readable records of one file from the current
// offset and reports whether it made progress.
func (r *reputService) round() bool {
	s := r.s
	off := r.from.Load()
	limit := r.limit()
	if off >= limit {
		return false
	}
	if min := s.cl.MinOffset(); off < min {
		r.from.Store(min) // files below were deleted
		return true
	}
	v, ok := s.cl.ReadFrom(off)
	if !ok {
		return false
	}
	defer v.Release()
	buf := v.Bytes
	if int64(len(buf)) > limit-off {
		buf = buf[:limit-off]
	}
	var rec message.Record
	pos := 0
	for pos < len(buf) {
		err := rec.Decode(buf[pos:], false)
		if errors.Is(err, message.ErrEndOfData) || errors.Is(err, message.ErrTruncated) {
			break // the writer has not published more yet
		}
		if err != nil {
			// A master skips what it cannot read rather than stall (Java
			// does the same for brokerId 0).
			s.log.WithFields(logrus.Fields{"offset": off + int64(pos)}).WithError(err).
				Error("dispatch: unreadable record, skipping the rest of the readable bytes")
			pos = len(buf)
			break
		}
		if rec.Kind == message.KindBlank {
			r.from.Store(s.cl.NextFileStart(off))
			return true
		}
		r.dispatch(&rec, off+int64(pos))
		pos += int(rec.TotalSize)
	}
	r.from.Store(off + int64(pos))
	return pos > 0
}

// dispatch is CommitLogDispatcherBuildConsumeQueue + BuildIndex + the
// long-poll wake-up for one record. A SCHEDULE_TOPIC_XXXX entry carries
// the delivery time as its tags code (see scheduleTagsCode).
func (r *reputService) dispatch(rec *message.Record, phys int64) {
	s := r.s
	switch message.TransactionType(rec.SysFlag) {
	case message.TransactionNotType, message.TransactionCommitType:
		q := r.queueOf(rec)
		if q == nil {
			return
		}
		tagsCode := rec.TagsCode()
		if string(rec.Topic) == ScheduleTopic {
			tagsCode = s.scheduleTagsCode(rec, tagsCode)
		}
		written, err := q.Put(rec.QueueOffset, consumequeue.Entry{Offset: phys, Size: rec.TotalSize, TagsCode: tagsCode})
		if err != nil {
			s.log.WithError(err).WithFields(logrus.Fields{"topic": r.lastTopic, "queue": rec.QueueID}).Error("dispatch to consume queue")
			return
		}
		if written {
			r.lastTS.Store(rec.StoreTimestamp)
			if s.cfg.OnDispatch != nil {
				s.cfg.OnDispatch(r.lastTopic, rec.QueueID, rec.QueueOffset+1)
			}
		}
	}
	if s.idx != nil {
		keys, _ := rec.Keys()
		uniq, _ := rec.UniqKey()
		// BuildIndex only hashes these strings and keeps none of them, so
		// they may alias the record, which stays mapped for the round.
		if err := s.idx.BuildIndex(&index.Record{
			Topic: aliasString(rec.Topic), Keys: aliasString(keys), UniqKey: aliasString(uniq),
			SysFlag: rec.SysFlag, PhyOffset: phys, StoreTimestamp: rec.StoreTimestamp,
		}); err != nil {
			s.log.WithError(err).Error("dispatch to index")
		}
	}
}

// queueOf returns the record's consume queue. Records of one queue tend to
// come in runs, so the last queue is kept: no topic string is built and no
// table lock taken for a record of the same queue as the one before.
func (r *reputService) queueOf(rec *message.Record) *consumequeue.Queue {
	gen := r.s.queueGen.Load()
	if r.lastQueue != nil && gen == r.lastGen && rec.QueueID == r.lastID && string(rec.Topic) == r.lastTopic {
		return r.lastQueue
	}
	topic := string(rec.Topic)
	q := r.s.queue(topic, rec.QueueID, true)
	r.lastTopic, r.lastID, r.lastQueue, r.lastGen = topic, rec.QueueID, q, gen
	return q
}

func aliasString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
