package longpoll

import (
	"sync"
	"testing"
	"time"
)

type woken struct {
	mu  sync.Mutex
	got []string
	ch  chan struct{}
}

func (w *woken) wake(r *Request, timedOut bool) {
	w.mu.Lock()
	tag := r.Payload.(string)
	if timedOut {
		tag += ":timeout"
	}
	w.got = append(w.got, tag)
	w.mu.Unlock()
	w.ch <- struct{}{}
}

func (w *woken) wait(t *testing.T, n int) []string {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-w.ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d wake-ups arrived", i, n)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.got...)
}

func TestNotifyWakesOnlyRequestsBelowTheNewOffset(t *testing.T) {
	w := &woken{ch: make(chan struct{}, 16)}
	s := New(Config{Wake: w.wake})
	s.Start()
	defer s.Shutdown()
	far := time.Now().Add(time.Hour)
	s.Hold(&Request{Topic: "T", QueueID: 0, Offset: 5, Deadline: far, Payload: "a"})
	s.Hold(&Request{Topic: "T", QueueID: 0, Offset: 7, Deadline: far, Payload: "b"})
	s.Hold(&Request{Topic: "T", QueueID: 1, Offset: 0, Deadline: far, Payload: "c"})
	if s.Len() != 3 {
		t.Fatalf("Len = %d, want 3", s.Len())
	}
	s.Notify("T", 0, 5) // offset 5 is not there yet: nobody wakes
	s.Notify("U", 0, 100)
	s.Notify("T", 0, 6)
	got := w.wait(t, 1)
	if len(got) != 1 || got[0] != "a" {
		t.Fatalf("woken %v, want [a]", got)
	}
	if s.Len() != 2 {
		t.Fatalf("Len = %d after one wake, want 2", s.Len())
	}
	s.Notify("T", 1, 1)
	s.Notify("T", 0, 8)
	got = w.wait(t, 2)
	if len(got) != 3 {
		t.Fatalf("woken %v", got)
	}
	if s.Len() != 0 {
		t.Fatalf("Len = %d, want 0", s.Len())
	}
}

func TestDeadlineAnswersInOrder(t *testing.T) {
	w := &woken{ch: make(chan struct{}, 16)}
	s := New(Config{Wake: w.wake})
	s.Start()
	defer s.Shutdown()
	now := time.Now()
	start := time.Now()
	s.Hold(&Request{Topic: "T", Offset: 0, Deadline: now.Add(300 * time.Millisecond), Payload: "late"})
	s.Hold(&Request{Topic: "T", Offset: 0, Deadline: now.Add(100 * time.Millisecond), Payload: "early"})
	got := w.wait(t, 2)
	if got[0] != "early:timeout" || got[1] != "late:timeout" {
		t.Fatalf("order %v", got)
	}
	if el := time.Since(start); el < 300*time.Millisecond || el > 3*time.Second {
		t.Fatalf("took %v for a 300ms deadline", el)
	}
	// A woken request is gone from the deadline heap: notify finds nothing.
	s.Notify("T", 0, 10)
	select {
	case <-w.ch:
		t.Fatal("a timed-out request was woken again")
	case <-time.After(50 * time.Millisecond):
	}
}

func TestShutdownAnswersEveryParkedRequest(t *testing.T) {
	w := &woken{ch: make(chan struct{}, 16)}
	s := New(Config{Wake: w.wake})
	s.Start()
	far := time.Now().Add(time.Hour)
	for _, p := range []string{"a", "b", "c"} {
		s.Hold(&Request{Topic: "T", Deadline: far, Payload: p})
	}
	s.Shutdown()
	if got := w.wait(t, 3); len(got) != 3 {
		t.Fatalf("woken %v", got)
	}
	if s.Hold(&Request{Topic: "T", Deadline: far, Payload: "x"}) {
		t.Fatal("Hold accepted a request after Shutdown")
	}
}

func BenchmarkNotifyNothingParked(b *testing.B) {
	s := New(Config{Wake: func(*Request, bool) {}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Notify("TopicTest", 3, int64(i))
	}
}

func BenchmarkHoldAndNotify(b *testing.B) {
	s := New(Config{Wake: func(*Request, bool) {}})
	far := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Hold(&Request{Topic: "TopicTest", QueueID: 3, Offset: int64(i), Deadline: far})
		s.Notify("TopicTest", 3, int64(i)+1)
	}
}
