package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// rssSampler reads a process's resident set size (VmRSS in
// /proc/<pid>/status, Linux) periodically and keeps the first value and
// the peaks. VmHWM would give the peak for free, but over the process's
// whole life, not over one run. The anonymous part (RssAnon: heap, stacks)
// is kept apart because a broker's VmRSS is mostly its mapped store files
// (RssFile), which the kernel can drop at will.
type rssSampler struct {
	pid     int
	done    chan struct{}
	stopped chan struct{}

	res rssResult
	err error
}

// rssResult is what a sampler saw, in KiB.
type rssResult struct {
	First, Peak, PeakAnon int64
	Samples               int
}

func startRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, done: make(chan struct{}), stopped: make(chan struct{})}
	go s.loop(every)
	return s
}

func (s *rssSampler) loop(every time.Duration) {
	defer close(s.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.done:
			s.sample()
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	rss, anon, err := readRSS(s.pid)
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	if s.res.Samples == 0 {
		s.res.First = rss
	}
	s.res.Samples++
	s.res.Peak = max(s.res.Peak, rss)
	s.res.PeakAnon = max(s.res.PeakAnon, anon)
}

// stop ends sampling and returns what it saw; err is set only when no
// sample could be read.
func (s *rssSampler) stop() (rssResult, error) {
	close(s.done)
	<-s.stopped
	if s.res.Samples == 0 {
		if s.err == nil {
			s.err = fmt.Errorf("no RSS sample of pid %d", s.pid)
		}
		return rssResult{}, s.err
	}
	return s.res, nil
}

// readRSS returns VmRSS and RssAnon of pid in KiB.
func readRSS(pid int) (rss, anon int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read status of pid %d: %w", pid, err)
	}
	return parseStatusRSS(data)
}

// parseStatusRSS reads the "VmRSS:   1234 kB" and "RssAnon: 567 kB" lines
// of a /proc status file (RssAnon, from Linux 4.5, reads 0 when absent).
func parseStatusRSS(status []byte) (rss, anon int64, err error) {
	found := false
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok || (string(name) != "VmRSS" && string(name) != "RssAnon") {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return 0, 0, fmt.Errorf("%s: no value", name)
		}
		n, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s %q: %w", name, rest, err)
		}
		if string(name) == "VmRSS" {
			rss, found = n, true
		} else {
			anon = n
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("no VmRSS line")
	}
	return rss, anon, nil
}
