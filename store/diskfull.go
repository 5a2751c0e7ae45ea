package store

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Errors of Put and PutBatch besides the commitlog's.
var (
	// ErrDiskFull: disk usage is above DiskSpaceWarningLevelRatio, so the
	// store takes no writes until it drops (Java RunningFlags DISK_FULL,
	// put status SERVICE_NOT_AVAILABLE).
	ErrDiskFull = errors.New("store: service not available now, maybe disk full")
	// ErrMessageTooLarge: a record longer than MaxMessageSize + 64 KiB,
	// the most Java's encoder writes (put status MESSAGE_ILLEGAL). The
	// encoder in package message rejects such messages earlier; this is
	// the store's own guard for callers that hand it raw records.
	ErrMessageTooLarge = message.ErrMessageTooLarge
)

// diskUsage is Java's UtilAll.getDiskPartitionSpaceUsedPercent: used /
// (used + available to unprivileged users), rounded up to whole percents,
// as a fraction.
func diskUsage(path string) (float64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return -1, fmt.Errorf("disk usage of %s: %w", path, err)
	}
	bsize := uint64(st.Bsize)
	total := st.Blocks * bsize
	if total == 0 {
		return -1, fmt.Errorf("disk usage of %s: partition reports no space", path)
	}
	used := total - st.Bfree*bsize
	entire := used + st.Bavail*bsize
	if entire == 0 {
		return -1, fmt.Errorf("disk usage of %s: partition reports no space", path)
	}
	pct := used * 100 / entire
	if used*100%entire != 0 {
		pct++
	}
	return float64(pct) / 100, nil
}

// usage asks cfg.DiskUsage, answering -1 on failure as Java does (which
// reads as "not full" for the write check and "reclaim" for retention).
func (s *Store) usage(path string) float64 {
	u, err := s.cfg.DiskUsage(path)
	if err != nil {
		s.log.WithField("path", path).WithError(err).Error("cannot measure disk usage")
		return -1
	}
	return u
}

// DiskFull reports whether writes are refused for lack of disk space.
func (s *Store) DiskFull() bool { return s.diskFull.Load() }

// markDiskFull sets or clears the disk-full state, logging only changes
// (Java getAndMakeDiskFull / getAndMakeDiskOK).
func (s *Store) markDiskFull(full bool, what string, used float64) {
	if s.diskFull.Swap(full) == full {
		return
	}
	s.refusals.Store(0)
	l := s.log.WithFields(logrus.Fields{"disk": what, "used": used})
	if full {
		l.Error("disk almost full: refusing writes")
	} else {
		l.Info("disk space OK again: accepting writes")
	}
}

// checkDisk is Java CleanCommitLogService.isSpaceFull, run every
// DiskCheckInterval: it alone lets writes resume once space was freed.
func (s *Store) checkDisk() bool {
	used := s.usage(s.cfg.StorePathCommitLog)
	if used > float64(s.cfg.DiskMaxUsedSpaceRatio)/100 {
		s.log.WithField("used", used).Info("commitlog disk usage above diskMaxUsedSpaceRatio")
	}
	full := used > s.cfg.DiskSpaceWarningLevelRatio
	s.markDiskFull(full, "commitlog", used)
	return full
}

// writable is Java's checkStoreStatus for the disk-full flag; refusals are
// logged on the first and then every 50000th attempt, as Java does.
func (s *Store) writable() error {
	if !s.diskFull.Load() {
		return nil
	}
	if s.refusals.Add(1)%50000 == 1 {
		s.log.Warn("store not writable: the disk is full")
	}
	return ErrDiskFull
}

// maxRecordSize is the largest record Java's encoder produces.
func (s *Store) maxRecordSize() int {
	if s.cfg.MaxMessageSize > (1<<31-1)-64*1024 {
		return 1<<31 - 1
	}
	return s.cfg.MaxMessageSize + 64*1024
}
