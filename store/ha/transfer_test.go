package ha

import (
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/sirupsen/logrus"
)

// TestWaitList: one acknowledgement completes every waiter it covers, the
// others time out at their deadline, and closing answers the rest at once.
func TestWaitList(t *testing.T) {
	var l waitList
	type outcome struct {
		target int64
		err    error
		took   time.Duration
	}
	results := make(chan outcome, 4)
	var wg sync.WaitGroup
	for _, target := range []int64{10, 20, 30, 40} {
		w, ok := l.add(target)
		if !ok {
			t.Fatal("add refused")
		}
		deadline := time.Now().Add(time.Hour)
		if target == 30 {
			deadline = time.Now().Add(100 * time.Millisecond)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			err := l.wait(w, deadline)
			results <- outcome{target, err, time.Since(began)}
		}()
	}
	l.release(25)
	got := map[int64]outcome{}
	for range 3 {
		o := <-results
		got[o.target] = o
	}
	if got[10].err != nil || got[20].err != nil {
		t.Fatalf("covered waiters: %v, %v", got[10].err, got[20].err)
	}
	if !errors.Is(got[30].err, ErrFlushSlaveTimeout) || got[30].took < 100*time.Millisecond {
		t.Fatalf("waiter past its deadline: %v after %v", got[30].err, got[30].took)
	}
	if l.n.Load() != 1 {
		t.Fatalf("%d waiters left, want 1", l.n.Load())
	}
	l.closeAll()
	if o := <-results; o.target != 40 || !errors.Is(o.err, ErrFlushSlaveTimeout) {
		t.Fatalf("after close: %+v", o)
	}
	wg.Wait()
	if _, ok := l.add(50); ok {
		t.Fatal("a closed list took a waiter")
	}
}

// TestSignal: a broadcast wakes every channel taken before it, and a
// broadcast with no one waiting is lost without harm.
func TestSignal(t *testing.T) {
	var s signal
	s.broadcast()
	a, b := s.channel(), s.channel()
	select {
	case <-a:
		t.Fatal("woken before a broadcast")
	default:
	}
	s.broadcast()
	for _, ch := range []<-chan struct{}{a, b} {
		select {
		case <-ch:
		case <-time.After(time.Second):
			t.Fatal("not woken")
		}
	}
	select {
	case <-s.channel():
		t.Fatal("a new channel is already closed")
	default:
	}
}

type emptyLog struct{}

func (emptyLog) MaxOffset() int64                      { return 1000 }
func (emptyLog) ReadFrom(int64) (commitlog.View, bool) { return commitlog.View{}, false }
func quietLogger() logrus.FieldLogger                  { l := logrus.New(); l.SetOutput(io.Discard); return l }
func newQuiet(t *testing.T, c Config) *Service {
	t.Helper()
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWaitReplicatedRules: without a slave, or with one too far behind, a
// SYNC_MASTER put is answered at once; New validates its config.
func TestWaitReplicatedRules(t *testing.T) {
	s := newQuiet(t, Config{Log: emptyLog{}, FileSize: 1 << 20, FallbehindMax: 100, Logger: quietLogger()})
	defer s.Close()
	s.Start()
	if err := s.WaitReplicated(10, time.Now().Add(time.Hour)); !errors.Is(err, ErrSlaveNotAvailable) {
		t.Fatalf("no slave: %v", err)
	}
	s.nconn.Add(1) // a connected slave that acknowledged nothing
	if err := s.WaitReplicated(100, time.Now().Add(time.Hour)); !errors.Is(err, ErrSlaveNotAvailable) {
		t.Fatalf("slave 100 behind with fallbehind 100: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.WaitReplicated(99, time.Now().Add(time.Hour)) }()
	time.Sleep(20 * time.Millisecond)
	s.acked(99)
	if err := <-done; err != nil {
		t.Fatalf("acknowledged: %v", err)
	}
	if s.AckOffset() != 99 {
		t.Fatalf("ack %d", s.AckOffset())
	}
	s.acked(50) // acknowledgements never go back
	if s.AckOffset() != 99 {
		t.Fatalf("ack went back to %d", s.AckOffset())
	}
	if _, err := New(Config{FileSize: 1}); err == nil {
		t.Fatal("New without a Log")
	}
	if _, err := New(Config{Log: emptyLog{}, FileSize: 1, Slave: true}); err == nil {
		t.Fatal("a slave without Append")
	}
	if _, err := New(Config{Log: emptyLog{}, FileSize: 1, ListenAddr: "256.0.0.1:0"}); err == nil {
		t.Fatal("listening on a bad address")
	}
}
