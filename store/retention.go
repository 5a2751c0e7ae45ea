package store

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/store/consumequeue"
	"github.com/sirupsen/logrus"
)

// Retention limits fixed in Java (not configuration keys).
const (
	deleteFilesBatchMax = 10 // MappedFileQueue.DELETE_FILES_BATCH_MAX
	manualDeleteRounds  = 20 // CleanCommitLogService.MAX_MANUAL_DELETE_FILE_TIMES
)

// CleanStats says how many files one cleaner run deleted.
type CleanStats struct {
	CommitLogFiles    int
	ConsumeQueueFiles int
	IndexFiles        int
}

// cleaner is Java's CleanCommitLogService followed by
// CleanConsumeQueueService (one run every CleanResourceInterval, the
// first CleanFirstDelay after Open), plus the disk check of
// DefaultMessageStore's diskCheckScheduledExecutorService (every
// DiskCheckInterval). The Store owns it: Open starts it, Close stops it
// before any file is closed.
type cleaner struct {
	s *Store

	mu          sync.Mutex // one run at a time, periodic or requested
	closed      bool
	clean       bool  // Java cleanImmediately, set by spaceToDelete
	lastPhysMin int64 // Java lastPhysicalMinOffset

	manual atomic.Int32 // Java manualDeleteFileSeveralTimes

	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newCleaner(s *Store) *cleaner { return &cleaner{s: s, quit: make(chan struct{})} }

func (c *cleaner) start() {
	c.wg.Add(2)
	go c.loop(c.s.cfg.CleanFirstDelay, c.s.cfg.CleanResourceInterval, func() { c.run() })
	go c.loop(c.s.cfg.DiskCheckInterval, c.s.cfg.DiskCheckInterval, func() { c.s.checkDisk() })
}

// loop calls fn after first and then every period until stop.
func (c *cleaner) loop(first, period time.Duration, fn func()) {
	defer c.wg.Done()
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			fn()
			t.Reset(period)
		}
	}
}

// stop ends both loops, interrupts a run's pauses and waits for a run in
// progress; later runs do nothing.
func (c *cleaner) stop() {
	c.once.Do(func() { close(c.quit) })
	c.wg.Wait()
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}

// pause sleeps d (nothing when d <= 0); false when the store is closing.
func (c *cleaner) pause(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.quit:
		return false
	}
}

// RunCleanOnce runs the cleaner once now, as its timer does: commitlog
// files (when it is deleteWhen, the disk is above diskMaxUsedSpaceRatio
// or a manual deletion is pending), then the consume queue and index files
// below the commitlog's new minimum.
func (s *Store) RunCleanOnce() CleanStats { return s.clean.run() }

// ExecuteDeleteFilesManually makes the next 20 cleaner runs delete expired
// commitlog files whatever the hour (Java executeDeleteFilesManually, the
// admin DELETE_EXPIRED_COMMITLOG command).
func (s *Store) ExecuteDeleteFilesManually() {
	s.clean.manual.Store(manualDeleteRounds)
	s.log.Info("manual deletion of expired files requested")
}

// DeleteExpiredNow requests a manual deletion and runs the cleaner at once
// instead of waiting for its timer.
func (s *Store) DeleteExpiredNow() CleanStats {
	s.ExecuteDeleteFilesManually()
	return s.RunCleanOnce()
}

func (c *cleaner) run() CleanStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	var st CleanStats
	if c.closed {
		return st
	}
	st.CommitLogFiles = c.cleanCommitLog()
	st.ConsumeQueueFiles, st.IndexFiles = c.cleanQueues()
	return st
}

// cleanCommitLog is CleanCommitLogService.deleteExpiredFiles.
func (c *cleaner) cleanCommitLog() int {
	s := c.s
	timeUp, err := isItTimeToDo(s.cfg.DeleteWhen, s.cfg.Now())
	if err != nil {
		// Java's run ends on the parse exception; the queues are still
		// cleaned by their own service.
		s.log.WithError(err).Error("commitlog cleaner: bad deleteWhen")
		return 0
	}
	spaceFull := c.spaceToDelete()
	manual := c.manual.Load() > 0
	if !timeUp && !spaceFull && !manual {
		return 0
	}
	if manual {
		c.manual.Add(-1)
	}
	atOnce := s.cfg.CleanFileForciblyEnable && c.clean
	s.log.WithFields(logrus.Fields{"reservedHours": s.cfg.FileReservedTime, "timeUp": timeUp, "spaceFull": spaceFull,
		"manual": manual, "cleanAtOnce": atOnce}).Info("deleting expired commitlog files")
	n := c.deleteCommitLogFiles(time.Duration(s.cfg.FileReservedTime)*time.Hour, atOnce)
	if n == 0 && spaceFull {
		s.log.Warn("disk space will be full soon, but no commitlog file could be deleted")
	}
	return n
}

// deleteCommitLogFiles is MappedFileQueue.deleteExpiredFileByTime: from
// the oldest file, never the newest, delete while a file is older than
// reserved (by its modification time) or atOnce, stopping at the first
// file kept and after deleteFilesBatchMax files, pausing in between.
func (c *cleaner) deleteCommitLogFiles(reserved time.Duration, atOnce bool) int {
	files := c.s.cl.Files()
	now := c.s.cfg.Now().UnixMilli()
	fs := files.Files()
	last := len(fs) - 1
	n := 0
	for i := 0; i < last; i++ {
		f := fs[i]
		mt, err := f.ModTime()
		if err != nil {
			c.s.log.WithField("file", f.Path()).WithError(err).Warn("commitlog cleaner: cannot age file")
			break
		}
		if now < mt.UnixMilli()+reserved.Milliseconds() && !atOnce {
			break // never leave a hole: later files are younger
		}
		if !files.DeleteOldest(f) {
			break
		}
		n++
		c.s.log.WithFields(logrus.Fields{"file": f.Path(), "modified": mt}).Info("commitlog file deleted")
		if n >= deleteFilesBatchMax {
			break
		}
		if i+1 < last && !c.pause(c.s.cfg.DeleteCommitLogFilesInterval) {
			break
		}
	}
	return n
}

// spaceToDelete is CleanCommitLogService.isSpaceToDelete: the commitlog
// partition, then the consume queue partition, each above
// DiskSpaceWarningLevelRatio marks the disk full (and below
// DiskSpaceCleanForciblyRatio marks it OK), above the forcibly ratio asks
// for deletion regardless of age; above diskMaxUsedSpaceRatio or
// unmeasurable asks for deletion of expired files.
func (c *cleaner) spaceToDelete() bool {
	s := c.s
	ratio := float64(s.cfg.DiskMaxUsedSpaceRatio) / 100
	c.clean = false
	check := func(path, what string) bool {
		used := s.usage(path)
		switch {
		case used > s.cfg.DiskSpaceWarningLevelRatio:
			s.markDiskFull(true, what, used)
			c.clean = true
		case used > s.cfg.DiskSpaceCleanForciblyRatio:
			c.clean = true
		default:
			s.markDiskFull(false, what, used)
		}
		if used < 0 || used > ratio {
			s.log.WithFields(logrus.Fields{"disk": what, "used": used}).Info("disk usage high: reclaiming space")
			return true
		}
		return false
	}
	return check(s.cfg.StorePathCommitLog, "commitlog") ||
		check(filepath.Join(s.cfg.StorePathRootDir, "consumequeue"), "consumequeue")
}

// cleanQueues is CleanConsumeQueueService.deleteExpiredFiles: once the
// commitlog's minimum moved, every consume queue drops its files wholly
// below it and corrects its minimum, then the index drops its files.
func (c *cleaner) cleanQueues() (queueFiles, indexFiles int) {
	s := c.s
	minPhys := s.cl.MinOffset()
	if minPhys <= c.lastPhysMin {
		return 0, 0
	}
	c.lastPhysMin = minPhys
	s.qmu.RLock()
	qs := make([]*consumequeue.Queue, 0, len(s.queues))
	for _, q := range s.queues {
		qs = append(qs, q)
	}
	s.qmu.RUnlock()
	for _, q := range qs {
		n := q.DeleteExpired(minPhys)
		queueFiles += n
		if n > 0 && !c.pause(s.cfg.DeleteConsumeQueueFilesInterval) {
			return queueFiles, 0
		}
	}
	if s.idx != nil {
		n, err := s.idx.DeleteExpiredFiles(minPhys)
		if err != nil {
			s.log.WithError(err).Error("delete expired index files")
		}
		indexFiles = n
	}
	if queueFiles+indexFiles > 0 {
		s.log.WithFields(logrus.Fields{"minPhysOffset": minPhys, "queueFiles": queueFiles, "indexFiles": indexFiles}).
			Info("expired consume queue and index files deleted")
	}
	return queueFiles, indexFiles
}

// isItTimeToDo is Java UtilAll.isItTimeToDo: whether now's hour is one of
// the ";"-separated hours in when. Like Java it answers as soon as an item
// matches, and fails on the first item that is not a number.
func isItTimeToDo(when string, now time.Time) (bool, error) {
	items := strings.Split(when, ";")
	if when != "" { // String.split drops trailing empty items
		for len(items) > 0 && items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
	}
	for _, item := range items {
		h, err := strconv.ParseInt(item, 10, 32)
		if err != nil {
			return false, fmt.Errorf("deleteWhen %q: %w", when, err)
		}
		if int(h) == now.Hour() {
			return true, nil
		}
	}
	return false, nil
}
