package broker

import (
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// stats keeps the day counters mqadmin brokerStatus shows (Java
// BrokerStats: totals at this and yesterday's midnight) and a rough TPS.
type stats struct {
	putTotal, getTotal         *atomic.Int64 // owned by the processors' Env
	putMorning, getMorning     atomic.Int64
	putYesterday, getYesterday atomic.Int64

	mu      sync.Mutex
	day     int
	lastAt  time.Time
	lastPut int64
	lastGet int64
	putTPS  float64
	getTPS  float64
}

// tick runs every 10 s: it rolls the midnight snapshots when the local day
// changed and samples the TPS.
func (s *stats) tick(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	put, get := s.putTotal.Load(), s.getTotal.Load()
	if d := now.YearDay(); d != s.day {
		if s.day != 0 {
			s.putYesterday.Store(s.putMorning.Load())
			s.getYesterday.Store(s.getMorning.Load())
			s.putMorning.Store(put)
			s.getMorning.Store(get)
		}
		s.day = d
	}
	if !s.lastAt.IsZero() {
		if secs := now.Sub(s.lastAt).Seconds(); secs > 0 {
			s.putTPS = float64(put-s.lastPut) / secs
			s.getTPS = float64(get-s.lastGet) / secs
		}
	}
	s.lastAt, s.lastPut, s.lastGet = now, put, get
}

// tps formats the last sampled rate of counter as Java does ("12.5 0 0").
func (s *stats) tps(counter *atomic.Int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.getTPS
	if counter == s.putTotal {
		v = s.putTPS
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// diskCapacityText is Java's "Total : 250.0 GiB, Free : 120.3 GiB." of the
// commitlog's partition.
func diskCapacityText(path string) string {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(path, &fs); err != nil {
		return "Total : 0, Free : 0."
	}
	gib := func(blocks uint64) string {
		return strconv.FormatFloat(float64(blocks*uint64(fs.Bsize))/(1<<30), 'f', 2, 64)
	}
	return "Total : " + gib(fs.Blocks) + " GiB, Free : " + gib(fs.Bavail) + " GiB."
}
