package store

import (
	"errors"
	"time"

	"github.com/rocketgo/rocketgo/store/consumequeue"
)

// queueFlushInterval is Java's flushIntervalConsumeQueue (1 s).
const queueFlushInterval = time.Second

// queueFlusher is Java's FlushConsumeQueueService: it flushes the consume
// queues and then moves the checkpoint forward, so that an abnormal
// recovery starts from the last commitlog file that may hold records the
// queues do not durably know, instead of from the first file.
type queueFlusher struct {
	quit chan struct{}
	done chan struct{}
}

func (s *Store) startQueueFlusher() {
	f := &queueFlusher{quit: make(chan struct{}), done: make(chan struct{})}
	s.qflush = f
	go func() {
		defer close(f.done)
		t := time.NewTicker(queueFlushInterval)
		defer t.Stop()
		for {
			select {
			case <-f.quit:
				return
			case <-t.C:
				if err := s.flushQueues(); err != nil {
					s.log.WithError(err).Error("flush consume queues")
				}
			}
		}
	}()
}

// flushQueues flushes every consume queue, then records in the checkpoint
// the store time of the last record dispatched before the flush — only if
// the commitlog is durable up to it too — and flushes the checkpoint.
func (s *Store) flushQueues() error {
	ts := s.reput.lastTS.Load()
	dispatched := s.reput.offset()
	var errs []error
	for _, q := range s.queueList() {
		errs = append(errs, q.Flush())
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if ts > 0 && s.cl.FlushedOffset() >= dispatched {
		s.cp.SetPhysicMsgTimestamp(ts)
		s.cp.SetLogicsMsgTimestamp(ts)
	}
	return s.cp.Flush()
}

// queueList snapshots the open queues, so that their flushes (msync) run
// without the table lock a new queue's creation needs.
func (s *Store) queueList() []*consumequeue.Queue {
	s.qmu.RLock()
	defer s.qmu.RUnlock()
	out := make([]*consumequeue.Queue, 0, len(s.queues))
	for _, q := range s.queues {
		out = append(out, q)
	}
	return out
}
