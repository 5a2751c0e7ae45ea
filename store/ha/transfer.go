package ha

import (
	"sync"
	"sync/atomic"
	"time"
)

// waitList holds the SYNC_MASTER puts waiting for a slave (Java
// GroupTransferService's request lists). Every acknowledgement walks it
// once and completes all waiters it covers, so concurrent puts share the
// wake-ups; each put waits in its own goroutine, the caller's.
type waitList struct {
	mu     sync.Mutex
	list   []*waiter
	n      atomic.Int32 // len(list), read without the lock by release
	closed bool
	pool   sync.Pool
}

type waiter struct {
	target int64
	ch     chan bool // capacity 1: true acknowledged, false closing
}

func (l *waitList) add(target int64) (*waiter, bool) {
	w, _ := l.pool.Get().(*waiter)
	if w == nil {
		w = &waiter{ch: make(chan bool, 1)}
	}
	w.target = target
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.pool.Put(w)
		return nil, false
	}
	l.list = append(l.list, w)
	l.n.Store(int32(len(l.list)))
	return w, true
}

// release completes every waiter whose target ack reaches.
func (l *waitList) release(ack int64) {
	if l.n.Load() == 0 {
		return
	}
	l.mu.Lock()
	keep := l.list[:0]
	for _, w := range l.list {
		if w.target <= ack {
			w.ch <- true
		} else {
			keep = append(keep, w)
		}
	}
	clear(l.list[len(keep):])
	l.list = keep
	l.n.Store(int32(len(keep)))
	l.mu.Unlock()
}

// wait blocks until w is completed or deadline passes. A waiter completed
// at the deadline counts as acknowledged.
func (l *waitList) wait(w *waiter, deadline time.Time) error {
	var ok bool
	select {
	case ok = <-w.ch:
	default:
		t := time.NewTimer(time.Until(deadline))
		select {
		case ok = <-w.ch:
		case <-t.C:
			if l.remove(w) {
				ok = false
			} else {
				ok = <-w.ch // completed meanwhile: its answer is on the way
			}
		}
		t.Stop()
	}
	// w is out of the list and its channel drained: it can be reused.
	l.pool.Put(w)
	if !ok {
		return ErrFlushSlaveTimeout
	}
	return nil
}

// remove takes w out of the list; false when it was completed already.
func (l *waitList) remove(w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, x := range l.list {
		if x == w {
			copy(l.list[i:], l.list[i+1:])
			l.list[len(l.list)-1] = nil
			l.list = l.list[:len(l.list)-1]
			l.n.Store(int32(len(l.list)))
			return true
		}
	}
	return false
}

// closeAll answers every waiter with "not acknowledged" and refuses new
// ones.
func (l *waitList) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for _, w := range l.list {
		w.ch <- false
	}
	clear(l.list)
	l.list = nil
	l.n.Store(0)
}

// signal is a broadcast wake-up without a lock on the notifying side: a
// waiter takes the current channel before it checks for work, a notifier
// closes and forgets it. A notification with nobody waiting costs one
// atomic load.
type signal struct {
	p atomic.Pointer[chan struct{}]
}

// channel returns the channel the next broadcast closes.
func (s *signal) channel() <-chan struct{} {
	for {
		if p := s.p.Load(); p != nil {
			return *p
		}
		ch := make(chan struct{})
		if s.p.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

func (s *signal) broadcast() {
	if s.p.Load() == nil {
		return
	}
	if p := s.p.Swap(nil); p != nil {
		close(*p)
	}
}
