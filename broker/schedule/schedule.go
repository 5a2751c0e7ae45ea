// Package schedule delivers delay messages (Java ScheduleMessageService).
//
// A message sent with a DELAY level is stored in SCHEDULE_TOPIC_XXXX,
// queue level-1, with its real topic and queue in the REAL_TOPIC and
// REAL_QID properties; the store gives its consume-queue entry the
// delivery time as tags code. The Service reads each level's queue in
// order from its offset and, once an entry's time has come, stores a copy
// of the message on its real topic and queue and moves the level's offset
// on. Entries of one level are in delivery order (same delay, increasing
// store time), so only the head of each queue has to be watched.
//
// Progress is kept in config/delayOffset.json (Java's
// DelayOffsetSerializeWrapper layout and map order), written every
// FlushInterval and at Shutdown, loaded and range-corrected by New. A
// clean restart therefore neither loses nor repeats a delivery. After a
// crash the offsets written last are up to FlushInterval old: messages
// delivered after that are delivered again (at least once, as in Java).
//
// One goroutine serves every level: it delivers what is due, then sleeps
// until the earliest head entry is due or PollInterval has passed (a level
// with nothing queued looks for new entries that often, as Java's timer
// tasks do every 100 ms). A second goroutine persists the offsets. The
// broker runs the service on a master only.
package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/configfile"
	"github.com/rocketgo/rocketgo/store/consumequeue"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Store is what the service needs of the message store (*store.Store).
type Store interface {
	Entry(topic string, id int32, offset int64) (consumequeue.Entry, bool)
	MinOffsetInQueue(topic string, id int32) int64
	MaxOffsetInQueue(topic string, id int32) int64
	SelectOneMessageByOffset(phys int64, size int) (commitlog.View, bool)
	PutNoWait(topic string, id int32, rec []byte) (commitlog.Result, error)
}

// Defaults of the Config durations.
const (
	// DefaultFlushInterval is Java's flushDelayOffsetInterval default.
	DefaultFlushInterval = 10 * time.Second
	// DefaultPollInterval is Java's DELAY_FOR_A_WHILE: how soon a level
	// with nothing due looks again, and how soon a failed put is retried.
	DefaultPollInterval = 100 * time.Millisecond
	// batchPerLevel bounds the deliveries of one level per round, so a
	// large backlog on one level does not hold up the others.
	batchPerLevel = 64
)

// Config configures a Service.
type Config struct {
	Store Store
	// Levels is the delay of each level, level 1 first (the store's
	// parsed messageDelayLevel).
	Levels store.DelayLevels
	// Path is config/delayOffset.json.
	Path string
	// FlushInterval is flushDelayOffsetInterval (default 10 s).
	FlushInterval time.Duration
	// PollInterval: see DefaultPollInterval.
	PollInterval time.Duration
	// MaxMessageSize is maxMessageSize, the body limit of the records the
	// service writes (0: 4 MiB).
	MaxMessageSize int
	// Now is the clock deliveries are timed by (default time.Now).
	Now    func() time.Time
	Logger logrus.FieldLogger
}

// Service is the schedule service of one broker.
type Service struct {
	cfg  Config
	log  logrus.FieldLogger
	file *configfile.File

	mu      sync.Mutex
	offsets map[int32]int64 // delay level → next queue index to deliver
	order   *body.MapOrder[int32]

	persistMu sync.Mutex // one file write at a time, in order

	started  atomic.Bool
	stopped  atomic.Bool
	quit     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once

	// Owned by the delivery goroutine.
	rec       message.Record
	props     message.PropertyMap
	buf       []byte
	failedAt  map[int32]int64 // level → offset whose put failure was logged
	delivered atomic.Int64
}

// New loads delayOffset.json (or its .bak) and corrects offsets outside
// their queue's range (ScheduleMessageService.load / correctDelayOffset).
// A file that neither it nor its backup can parse is an error: starting
// from zero would deliver everything again.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("schedule: no store")
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	s := &Service{
		cfg:      cfg,
		log:      cfg.Logger.WithField("service", "schedule"),
		file:     configfile.New(cfg.Path, cfg.Logger),
		offsets:  map[int32]int64{},
		order:    body.NewIntMapOrder(32), // Java: new ConcurrentHashMap<>(32)
		quit:     make(chan struct{}),
		failedAt: map[int32]int64{},
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.correctOffsets()
	return s, nil
}

func (s *Service) load() error {
	from, err := s.file.LoadWith(func(data []byte) error {
		w, err := body.DecodeDelayOffsetSerializeWrapper(data)
		if err != nil {
			return err
		}
		keys := make([]int32, 0, len(w.OffsetTable))
		for _, e := range w.OffsetTable {
			s.offsets[e.ID] = e.Offset
			keys = append(keys, e.ID)
		}
		s.order.AddAll(keys)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load delayOffset.json: %w", err)
	}
	if from != "" {
		s.log.WithFields(logrus.Fields{"file": from, "levels": len(s.offsets)}).Info("delay offsets loaded")
	}
	return nil
}

// correctOffsets moves each level's offset into [min, max] of its queue.
func (s *Service) correctOffsets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for level := 1; level <= s.cfg.Levels.Max(); level++ {
		cur, ok := s.offsets[int32(level)]
		if !ok {
			continue
		}
		if fixed := s.clamp(level, cur); fixed != cur {
			s.offsets[int32(level)] = fixed
		}
	}
}

// clamp returns off moved into its level's queue range, logging a move.
func (s *Service) clamp(level int, off int64) int64 {
	q := int32(level - 1)
	lo, hi := s.cfg.Store.MinOffsetInQueue(store.ScheduleTopic, q), s.cfg.Store.MaxOffsetInQueue(store.ScheduleTopic, q)
	fixed := min(max(off, lo), hi)
	if fixed != off {
		s.log.WithFields(logrus.Fields{"level": level, "offset": off, "queueMin": lo, "queueMax": hi, "corrected": fixed}).
			Error("delay offset outside its schedule queue, corrected")
	}
	return fixed
}

// Start starts delivering and the periodic persistence. It does nothing
// when called again.
func (s *Service) Start() {
	if !s.started.CompareAndSwap(false, true) || s.stopped.Load() {
		return
	}
	s.wg.Add(2)
	go s.run()
	go s.flushLoop()
	s.log.WithFields(logrus.Fields{"levels": s.cfg.Levels.Max()}).Info("schedule service started")
}

// Shutdown stops delivering (a put in progress completes) and persists
// the offsets. It is safe without Start and when called twice.
func (s *Service) Shutdown() error {
	var err error
	s.stopOnce.Do(func() {
		s.stopped.Store(true)
		close(s.quit)
		s.wg.Wait()
		if err = s.Persist(); err != nil {
			s.log.WithError(err).Error("persist delayOffset.json at shutdown")
		}
	})
	return err
}

func (s *Service) flushLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			if err := s.Persist(); err != nil {
				s.log.WithError(err).Error("persist delayOffset.json")
			}
		}
	}
}

// Persist writes delayOffset.json (pretty, as a Java master does).
func (s *Service) Persist() error {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	w := s.Wrapper()
	if err := s.file.Write(w.EncodePretty()); err != nil {
		return fmt.Errorf("persist delayOffset.json: %w", err)
	}
	return nil
}

// Wrapper returns the offsets in Java's map order (delayOffset.json and
// the GET_ALL_DELAY_OFFSET body).
func (s *Service) Wrapper() body.DelayOffsetSerializeWrapper {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := body.DelayOffsetSerializeWrapper{OffsetTable: make([]body.OffsetEntry, 0, len(s.offsets))}
	for _, level := range s.order.Keys() {
		w.OffsetTable = append(w.OffsetTable, body.OffsetEntry{ID: level, Offset: s.offsets[level]})
	}
	return w
}

// Offset returns a level's next queue index to deliver (false: none
// recorded yet, i.e. 0).
func (s *Service) Offset(level int) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	off, ok := s.offsets[int32(level)]
	return off, ok
}

// Delivered counts the messages moved to their real topic since New.
func (s *Service) Delivered() int64 { return s.delivered.Load() }

func (s *Service) setOffset(level int, off int64) {
	s.mu.Lock()
	if _, ok := s.offsets[int32(level)]; !ok {
		s.order.Add(int32(level))
	}
	s.offsets[int32(level)] = off
	s.mu.Unlock()
}

func (s *Service) stopping() bool { return s.stopped.Load() }

// run is the delivery loop.
func (s *Service) run() {
	defer s.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-timer.C:
		}
		timer.Reset(s.round())
	}
}

// round delivers what is due on every level and returns how long to wait
// before the next round.
func (s *Service) round() time.Duration {
	wait := s.cfg.PollInterval
	for level := 1; level <= s.cfg.Levels.Max() && !s.stopping(); level++ {
		wait = min(wait, s.deliverLevel(level))
	}
	return wait
}

// outcome of one delivery attempt.
type outcome int

const (
	delivered outcome = iota
	skipped           // nothing to deliver there; move on
	retry             // the put failed; try the same entry later
)

// deliverLevel is DeliverDelayedMessageTimerTask.executeOnTimeup for one
// level: deliver due entries from the level's offset, stop at the first
// one not due yet. It returns when to look again: 0 when the batch budget
// ran out with more due, the time until the head entry is due, or the
// poll interval.
func (s *Service) deliverLevel(level int) time.Duration {
	q := int32(level - 1)
	delay := s.cfg.Levels[level-1]
	off, _ := s.Offset(level)
	st := s.cfg.Store
	for n := 0; !s.stopping(); n++ {
		if n == batchPerLevel {
			return 0
		}
		e, ok := st.Entry(store.ScheduleTopic, q, off)
		if !ok {
			// Past the end (nothing new yet) or outside the queue's range
			// (files deleted, offsets from another store): Java resets to
			// the nearest bound and looks again later.
			if fixed := s.clamp(level, off); fixed != off {
				s.setOffset(level, fixed)
			}
			return s.cfg.PollInterval
		}
		now := s.cfg.Now().UnixMilli()
		due := e.TagsCode
		if due > now+delay {
			// Further ahead than the level's delay: the clock went back
			// (Java correctDeliverTimestamp delivers it now).
			due = now
		}
		if due > now {
			return time.Duration(due-now) * time.Millisecond
		}
		if s.deliver(level, off, e) == retry {
			return s.cfg.PollInterval
		}
		off++
		s.setOffset(level, off)
	}
	return s.cfg.PollInterval
}

// deliver stores the message of schedule entry e on its real topic.
func (s *Service) deliver(level int, off int64, e consumequeue.Entry) outcome {
	fields := logrus.Fields{"level": level, "offset": off, "commitLogOffset": e.Offset}
	if !e.Valid() {
		return skipped
	}
	v, ok := s.cfg.Store.SelectOneMessageByOffset(e.Offset, int(e.Size))
	if !ok {
		// Java lookMessageByOffset returns null and the entry is skipped.
		s.log.WithFields(fields).Warn("scheduled message not readable, skipped")
		return skipped
	}
	defer v.Release()
	if err := s.rec.Decode(v.Bytes, false); err != nil || s.rec.Kind != message.KindMessage {
		s.log.WithFields(fields).WithError(err).Warn("scheduled message not decodable, skipped")
		return skipped
	}
	topic, qid, rec, err := s.timeUp(&s.rec)
	if err != nil {
		// Java would retry such a record forever and hold up the level.
		s.log.WithFields(fields).WithError(err).Error("scheduled message cannot be delivered, skipped")
		return skipped
	}
	if topic == topicconfig.TransHalfTopic {
		s.log.WithFields(fields).Error("[BUG] the real topic of a scheduled message is the half topic, message dropped")
		return skipped
	}
	// Java's messageTimeup clears WAIT: the delivery waits for neither a
	// SYNC_FLUSH nor a SYNC_MASTER slave.
	_, err = s.cfg.Store.PutNoWait(topic, qid, rec)
	switch {
	case store.Stored(err):
		delete(s.failedAt, int32(level))
		s.delivered.Add(1)
		return delivered
	case errors.Is(err, store.ErrMessageTooLarge), errors.Is(err, commitlog.ErrTooLarge):
		s.log.WithFields(fields).WithError(err).Error("scheduled message too large for the store, skipped")
		return skipped
	default:
		if at, ok := s.failedAt[int32(level)]; !ok || at != off {
			s.failedAt[int32(level)] = off
			s.log.WithFields(fields).WithError(err).Warn("cannot deliver a scheduled message, retrying")
		}
		return retry
	}
}

// timeUp is ScheduleMessageService.messageTimeup: the record that
// delivers the scheduled record rec, encoded into the service's buffer.
// It keeps body, flag, sysflag, born time and host, store host and
// reconsume times; the topic and queue come from REAL_TOPIC and REAL_QID.
// The properties string is the scheduled one re-serialized as it was
// decoded, so it still holds DELAY, REAL_TOPIC and REAL_QID: Java clears
// DELAY only after serializing. The store computes the tags code from
// TAGS when it dispatches the record.
func (s *Service) timeUp(rec *message.Record) (string, int32, []byte, error) {
	s.props.ParseFrom(rec.Properties)
	topic, ok := s.props.Get(message.PropertyRealTopic)
	if !ok || topic == "" {
		return "", 0, nil, errors.New("no REAL_TOPIC property")
	}
	qs, _ := s.props.Get(message.PropertyRealQueueID)
	qid, err := strconv.ParseInt(qs, 10, 32)
	if err != nil {
		return "", 0, nil, fmt.Errorf("REAL_QID %q is not a queue id", qs)
	}
	propBytes := s.props.AppendTo(s.buf[:0])
	m := message.Message{
		QueueID:        int32(qid),
		Flag:           rec.Flag,
		SysFlag:        rec.SysFlag,
		BornTimestamp:  rec.BornTimestamp,
		BornHost:       rec.BornHost,
		StoreHost:      rec.StoreHost,
		ReconsumeTimes: rec.ReconsumeTimes,
		Body:           rec.Body,
		Topic:          topic,
		Properties:     propBytes,
	}
	buf, err := message.Limits{MaxMessageBodySize: s.cfg.MaxMessageSize}.AppendRecord(propBytes, &m)
	s.buf = buf[:0]
	if err != nil {
		return "", 0, nil, err
	}
	return topic, int32(qid), buf[len(propBytes):], nil
}
