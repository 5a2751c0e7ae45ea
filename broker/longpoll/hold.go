// Package longpoll parks pull requests that found no new message until one
// arrives or their suspend time runs out (Java broker.longpolling
// PullRequestHoldService and NotifyMessageArrivingListener).
//
// Java re-checks every parked request every 5 s and is also woken by the
// dispatcher. Here the dispatcher's notification is the only path for new
// messages (Notify, called for every queue that grew), and one timer —
// set to the earliest deadline — answers requests whose time is up, so a
// parked pull costs no goroutine and no periodic scan.
package longpoll

import (
	"container/heap"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
)

// Request is one parked pull. The processor fills it; the service owns it
// until it calls Wake.
type Request struct {
	Topic    string
	QueueID  int32
	Offset   int64     // the queue offset the pull waits to see exist
	Deadline time.Time // answer with "no new message" at this time
	// Payload is the processor's own state (the request, its connection,
	// the parsed header and filter).
	Payload any

	index int // position in the deadline heap, -1 when not parked
}

// Config configures a Service.
type Config struct {
	// Wake is called once per parked request, when its queue grew past
	// Offset (timedOut false) or its deadline passed (timedOut true). It
	// runs on the notifier's or the timer's goroutine and must not block:
	// hand the work to a pool.
	Wake func(r *Request, timedOut bool)
	// Now is the clock (tests inject one).
	Now    func() time.Time
	Logger logrus.FieldLogger
}

type key struct {
	topic string
	queue int32
}

// Service holds parked pulls by queue.
type Service struct {
	cfg Config

	mu        sync.Mutex
	byQueue   map[key][]*Request
	deadlines deadlineHeap
	parked    atomic.Int64 // len(deadlines), read without the lock by Notify

	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	started atomic.Bool
	stopped atomic.Bool
}

// New returns a stopped service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Service{
		cfg:     cfg,
		byQueue: map[key][]*Request{},
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// Start runs the deadline timer.
func (s *Service) Start() {
	if s.started.CompareAndSwap(false, true) {
		go s.run()
	}
}

// Hold parks r. It returns false once the service is stopped (the caller
// answers at once).
func (s *Service) Hold(r *Request) bool {
	if s.stopped.Load() {
		return false
	}
	s.mu.Lock()
	k := key{r.Topic, r.QueueID}
	s.byQueue[k] = append(s.byQueue[k], r)
	heap.Push(&s.deadlines, r)
	s.parked.Store(int64(len(s.deadlines)))
	first := r.index == 0
	s.mu.Unlock()
	if first {
		s.poke()
	}
	return true
}

// Len is the number of parked requests.
func (s *Service) Len() int { return int(s.parked.Load()) }

func (s *Service) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Notify wakes the requests parked on (topic, queueID) that wait for an
// offset below maxOffset (Java notifyMessageArriving). The dispatcher calls
// it for every queue it appended to; with nothing parked it costs one
// atomic load.
func (s *Service) Notify(topic string, queueID int32, maxOffset int64) {
	if s.parked.Load() == 0 {
		return
	}
	var woken []*Request
	s.mu.Lock()
	k := key{topic, queueID}
	list, ok := s.byQueue[k]
	if ok {
		kept := list[:0]
		for _, r := range list {
			if maxOffset > r.Offset {
				heap.Remove(&s.deadlines, r.index)
				woken = append(woken, r)
			} else {
				kept = append(kept, r)
			}
		}
		for i := len(kept); i < len(list); i++ {
			list[i] = nil
		}
		if len(kept) == 0 {
			delete(s.byQueue, k)
		} else {
			s.byQueue[k] = kept
		}
		s.parked.Store(int64(len(s.deadlines)))
	}
	s.mu.Unlock()
	for _, r := range woken {
		s.cfg.Wake(r, false)
	}
}

// removeLocked drops r from its queue list (it has left the heap already).
func (s *Service) removeLocked(r *Request) {
	k := key{r.Topic, r.QueueID}
	list := s.byQueue[k]
	for i, x := range list {
		if x == r {
			copy(list[i:], list[i+1:])
			list[len(list)-1] = nil
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(s.byQueue, k)
	} else {
		s.byQueue[k] = list
	}
}

func (s *Service) run() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := s.cfg.Now()
		var expired []*Request
		s.mu.Lock()
		for len(s.deadlines) > 0 && !s.deadlines[0].Deadline.After(now) {
			r := heap.Pop(&s.deadlines).(*Request)
			s.removeLocked(r)
			expired = append(expired, r)
		}
		wait := time.Hour
		if len(s.deadlines) > 0 {
			wait = s.deadlines[0].Deadline.Sub(now)
		}
		s.parked.Store(int64(len(s.deadlines)))
		s.mu.Unlock()
		for _, r := range expired {
			s.cfg.Wake(r, true)
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.kick:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-s.stop:
			return
		}
	}
}

// Shutdown stops the timer and wakes every parked request as timed out,
// so each gets its answer before the connections close.
func (s *Service) Shutdown() {
	if !s.stopped.CompareAndSwap(false, true) {
		return
	}
	if s.started.Load() {
		close(s.stop)
		<-s.done
	}
	s.mu.Lock()
	all := make([]*Request, 0, len(s.deadlines))
	for len(s.deadlines) > 0 {
		all = append(all, heap.Pop(&s.deadlines).(*Request))
	}
	s.byQueue = map[key][]*Request{}
	s.parked.Store(0)
	s.mu.Unlock()
	for _, r := range all {
		s.cfg.Wake(r, true)
	}
}

// deadlineHeap orders parked requests by deadline.
type deadlineHeap []*Request

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].Deadline.Before(h[j].Deadline) }
func (h deadlineHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *deadlineHeap) Push(x any) {
	r := x.(*Request)
	r.index = len(*h)
	*h = append(*h, r)
}
func (h *deadlineHeap) Pop() any {
	old := *h
	n := len(old)
	r := old[n-1]
	old[n-1] = nil
	r.index = -1
	*h = old[:n-1]
	return r
}
