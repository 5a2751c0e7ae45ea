package remoting

import (
	"sync"
)

// WorkerPool runs blocking processors off the event loops. It has a fixed
// number of workers and a bounded queue; when the queue is full a request is
// refused (the server answers SYSTEM_BUSY) instead of queueing without
// bound, as Java's BrokerController executors with bounded queues do.
type WorkerPool struct {
	name  string
	tasks chan func()
	wg    sync.WaitGroup
	once  sync.Once

	mu      sync.RWMutex // guards stopped against a send on the closed queue
	stopped bool
}

// NewWorkerPool starts workers goroutines serving a queue of queueSize.
// The pool is stopped by Stop (the Server that owns it calls it).
func NewWorkerPool(name string, workers, queueSize int) *WorkerPool {
	if workers < 1 {
		workers = 1
	}
	if queueSize < 0 {
		queueSize = 0
	}
	p := &WorkerPool{name: name, tasks: make(chan func(), queueSize)}
	p.wg.Add(workers)
	for i := 0; i < workers; i++ {
		go p.work()
	}
	return p
}

func (p *WorkerPool) work() {
	defer p.wg.Done()
	for task := range p.tasks {
		task()
	}
}

// Name is the pool's name, for logs.
func (p *WorkerPool) Name() string { return p.name }

// Submit queues task unless the queue is full or the pool is stopped; it
// never blocks. Services that hand work to a pool from their own goroutines
// (the long-poll wake-ups) use it.
func (p *WorkerPool) Submit(task func()) bool { return p.trySubmit(task) }

func (p *WorkerPool) trySubmit(task func()) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.stopped {
		return false
	}
	select {
	case p.tasks <- task:
		return true
	default:
		return false
	}
}

// Queued is the number of tasks waiting for a worker.
func (p *WorkerPool) Queued() int { return len(p.tasks) }

// Stop lets the workers finish every queued task, then returns.
func (p *WorkerPool) Stop() {
	p.once.Do(func() {
		p.mu.Lock()
		p.stopped = true
		close(p.tasks)
		p.mu.Unlock()
	})
	p.wg.Wait()
}
