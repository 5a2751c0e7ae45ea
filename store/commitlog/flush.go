package commitlog

import (
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// flusher is Java's FlushRealTimeService (ASYNC_FLUSH) and
// GroupCommitService (SYNC_FLUSH) in one goroutine: with SYNC_FLUSH every
// waiter whose offset the flushed position passes is completed by one
// msync, so concurrent senders share a disk flush.
type flusher struct {
	c *CommitLog

	mu      sync.Mutex
	waiters []*waiter
	kick    chan struct{} // capacity 1: a pending wake-up
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
	started bool

	pool sync.Pool // *waiter
}

type waiter struct {
	target int64
	ch     chan error // capacity 1
}

func newFlusher(c *CommitLog) *flusher {
	f := &flusher{c: c, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	f.pool.New = func() any { return &waiter{ch: make(chan error, 1)} }
	return f
}

func (f *flusher) start() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started {
		return
	}
	f.started = true
	go f.run()
}

func (f *flusher) wake() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// waitFlushed blocks until the log is on disk up to target, or timeout.
func (f *flusher) waitFlushed(target int64, timeout time.Duration) error {
	if f.c.files.Flushed() >= target {
		return nil
	}
	w := f.pool.Get().(*waiter)
	w.target = target
	f.mu.Lock()
	if !f.started {
		f.mu.Unlock()
		f.pool.Put(w)
		// Not started (tests, tools): flush inline.
		if _, err := f.c.files.Flush(); err != nil {
			return err
		}
		return nil
	}
	f.waiters = append(f.waiters, w)
	f.mu.Unlock()
	f.wake()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-w.ch:
		f.pool.Put(w)
		return err
	case <-t.C:
		// The waiter stays with the flusher, which answers it later; it is
		// not reused (its channel may still receive).
		return ErrFlushTimeout
	}
}

func (f *flusher) run() {
	defer close(f.done)
	c := f.c
	tick := time.NewTicker(c.cfg.FlushInterval)
	defer tick.Stop()
	lastThorough := time.Now()
	page := int64(os.Getpagesize())
	for {
		select {
		case <-f.quit:
			f.flushAndAnswer()
			return
		case <-f.kick: // only SYNC_FLUSH waiters kick
			f.flushAndAnswer()
		case <-tick.C:
			thorough := time.Since(lastThorough) >= c.cfg.ThoroughInterval
			dirty := c.files.MaxOffset() - c.files.Flushed()
			if c.cfg.FlushDiskType == SyncFlush || thorough || dirty >= int64(c.cfg.FlushLeastPages)*page {
				f.flushAndAnswer()
				if thorough {
					lastThorough = time.Now()
				}
			}
		}
	}
}

// flushAndAnswer flushes and completes every waiter it covers.
func (f *flusher) flushAndAnswer() {
	flushed, err := f.c.files.Flush()
	if err != nil {
		f.c.log.WithError(err).Error("commitlog flush failed")
	}
	f.mu.Lock()
	keep := f.waiters[:0]
	for _, w := range f.waiters {
		switch {
		case err != nil:
			w.ch <- err
		case flushed >= w.target:
			w.ch <- nil
		default:
			keep = append(keep, w)
		}
	}
	clear(f.waiters[len(keep):])
	f.waiters = keep
	pending := len(keep) > 0
	f.mu.Unlock()
	if pending {
		f.wake()
	}
}

func (f *flusher) stop() {
	f.once.Do(func() {
		f.mu.Lock()
		started := f.started
		f.mu.Unlock()
		if started {
			close(f.quit)
			<-f.done
		}
	})
	f.c.log.WithFields(logrus.Fields{"flushed": f.c.files.Flushed()}).Debug("commitlog flusher stopped")
}
