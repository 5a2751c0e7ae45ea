// Package commitlog is the broker's single append-only log of stored
// messages (Java CommitLog): records in the layout of package message,
// kept in mapped files named by offset (package mappedfile).
//
// A record is encoded by the caller outside any lock; Append then takes the
// append lock only to reserve the position and the queue offsets, patch the
// three position fields and copy the bytes into the mapping, as Java's
// DefaultAppendMessageCallback does. When a record does not fit the rest of
// a file, a BLANK record fills it and the record goes to the next file.
package commitlog

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/store/mappedfile"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// FlushDiskType is Java's flushDiskType.
type FlushDiskType int

const (
	AsyncFlush FlushDiskType = iota // ASYNC_FLUSH
	SyncFlush                       // SYNC_FLUSH
)

// Config configures a CommitLog; zero values take Java's defaults.
type Config struct {
	Dir      string
	FileSize int // mappedFileSizeCommitLog, 1 GiB
	// FlushDiskType: with SyncFlush, Append returns once the record is on
	// disk (group commit), or ErrFlushTimeout after SyncFlushTimeout.
	FlushDiskType    FlushDiskType
	SyncFlushTimeout time.Duration // syncFlushTimeout, 5 s
	// Async flushing: every FlushInterval, when at least FlushLeastPages
	// dirty pages are waiting, and unconditionally every ThoroughInterval
	// (flushIntervalCommitLog 500 ms, flushCommitLogLeastPages 4,
	// flushCommitLogThoroughInterval 10 s).
	FlushInterval    time.Duration
	FlushLeastPages  int
	ThoroughInterval time.Duration
	// Now returns the store timestamp in Unix milliseconds (tests fix it).
	Now func() int64
	// OnAppend, when set, is called after every append (Append and
	// AppendReplica) once the append lock is released and before any
	// flush wait, with the new end of the log: replication starts
	// streaming the bytes while they are being flushed.
	OnAppend func(end int64)
	// WarmMappedFiles pre-touches each pre-allocated file
	// (warmMapedFileEnable, default false).
	WarmMappedFiles bool
	Logger          logrus.FieldLogger
}

// Errors of Append.
var (
	ErrFlushTimeout = errors.New("commitlog: sync flush timed out (FLUSH_DISK_TIMEOUT)")
	ErrClosed       = errors.New("commitlog: closed")
	ErrTooLarge     = errors.New("commitlog: record larger than a file")
	// ErrReplicaOffset: replicated bytes that do not continue the log
	// where it ends, or would cross a file (AppendReplica).
	ErrReplicaOffset = errors.New("commitlog: replicated bytes do not continue the log")
)

// CommitLog is the log. Append is safe for concurrent use.
type CommitLog struct {
	cfg   Config
	log   logrus.FieldLogger
	files *mappedfile.Queue

	mu     sync.Mutex // the append lock
	closed bool

	flush *flusher
}

// Open loads the log's files. Call Recover before appending.
func Open(cfg Config) (*CommitLog, error) {
	if cfg.FileSize <= 0 {
		cfg.FileSize = 1 << 30
	}
	if cfg.SyncFlushTimeout <= 0 {
		cfg.SyncFlushTimeout = 5 * time.Second
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 500 * time.Millisecond
	}
	if cfg.FlushLeastPages <= 0 {
		cfg.FlushLeastPages = 4
	}
	if cfg.ThoroughInterval <= 0 {
		cfg.ThoroughInterval = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = func() int64 { return time.Now().UnixMilli() }
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	files, err := mappedfile.Open(mappedfile.Config{Dir: cfg.Dir, FileSize: cfg.FileSize, Preallocate: true, Warm: cfg.WarmMappedFiles, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("open commitlog: %w", err)
	}
	c := &CommitLog{cfg: cfg, log: cfg.Logger, files: files}
	c.flush = newFlusher(c)
	return c, nil
}

// Start runs the flusher; Close stops it.
func (c *CommitLog) Start() { c.flush.start() }

// Files exposes the mapped files (recovery, retention, HA).
func (c *CommitLog) Files() *mappedfile.Queue { return c.files }

// MinOffset and MaxOffset bound the stored bytes; FlushedOffset is how far
// they are on disk.
func (c *CommitLog) MinOffset() int64     { return c.files.MinOffset() }
func (c *CommitLog) MaxOffset() int64     { return c.files.MaxOffset() }
func (c *CommitLog) FlushedOffset() int64 { return c.files.Flushed() }

// Result says where an append went.
type Result struct {
	PhysOffset     int64 // offset of the first record
	Bytes          int   // bytes written (all records)
	QueueOffset    int64 // queue offset of the first record
	Records        int
	StoreTimestamp int64
}

// Append stores one record or a run of batch records (as package message
// encoded them, position fields unset). assign is called under the append
// lock with the record count and returns the first queue offset, so queue
// offsets are handed out in commitlog order (Java's topicQueueTable update
// inside putMessage). The position fields of recs are patched in place
// before the copy. With SyncFlush it returns once the bytes are on disk.
func (c *CommitLog) Append(recs []byte, records int, assign func(n int) int64) (Result, error) {
	return c.append(recs, records, assign, true)
}

// AppendNoWait is Append for a message whose WAIT property is false (the
// broker's own re-puts: delay deliveries, send-backs, committed
// transactions): with SyncFlush it wakes the flusher but does not wait
// for the disk, as Java's handleDiskFlush does for such messages.
func (c *CommitLog) AppendNoWait(recs []byte, records int, assign func(n int) int64) (Result, error) {
	return c.append(recs, records, assign, false)
}

func (c *CommitLog) append(recs []byte, records int, assign func(n int) int64, wait bool) (Result, error) {
	if len(recs)+message.EndFileMinBlankLength > c.cfg.FileSize {
		return Result{}, fmt.Errorf("%w: %d bytes, files of %d", ErrTooLarge, len(recs), c.cfg.FileSize)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return Result{}, ErrClosed
	}
	res, err := c.appendLocked(recs, records, assign)
	c.mu.Unlock()
	if err != nil {
		return res, err
	}
	end := res.PhysOffset + int64(res.Bytes)
	if c.cfg.OnAppend != nil {
		c.cfg.OnAppend(end)
	}
	// ASYNC_FLUSH leaves the bytes to the flusher's next tick.
	if c.cfg.FlushDiskType == SyncFlush {
		if !wait {
			c.flush.wake()
			return res, nil
		}
		if err := c.flush.waitFlushed(end, c.cfg.SyncFlushTimeout); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (c *CommitLog) appendLocked(recs []byte, records int, assign func(n int) int64) (Result, error) {
	f, err := c.files.LastForAppend(0)
	if err != nil {
		return Result{}, fmt.Errorf("commitlog append: %w", err)
	}
	if !message.Fits(len(recs), f.Free()) {
		// Fill the rest of the file with a BLANK record (Java END_OF_FILE).
		pos := f.Wrote()
		if _, err := message.AppendBlank(f.Bytes()[pos:pos], int32(f.Free())); err != nil {
			return Result{}, fmt.Errorf("commitlog blank at %d: %w", f.Start()+int64(pos), err)
		}
		f.SetWrote(f.Size())
		if f, err = c.files.LastForAppend(0); err != nil {
			return Result{}, fmt.Errorf("commitlog roll: %w", err)
		}
	}
	now := c.cfg.Now()
	pos := f.Wrote()
	phys := f.Start() + int64(pos)
	// Patch the position fields before the copy, as Java's doAppend fills
	// its buffer before writing it: a crash mid-append must never leave a
	// CRC-valid record in the file whose offsets are still zero.
	qo := assign(records)
	if records == 1 {
		err = message.Patch(recs, qo, phys, now)
	} else {
		_, err = message.PatchRun(recs, qo, phys, now)
	}
	if err != nil {
		return Result{}, fmt.Errorf("commitlog patch: %w", err)
	}
	copy(f.Bytes()[pos:pos+len(recs)], recs)
	f.SetWrote(pos + len(recs))
	return Result{PhysOffset: phys, Bytes: len(recs), QueueOffset: qo, Records: records, StoreTimestamp: now}, nil
}

// AppendReplica writes bytes a master sent, the parts one after the
// other, verbatim at off, which must be where the log ends (Java
// CommitLog.appendData on a slave). A master's chunk never crosses a file:
// the bytes must fit the file holding off, which is created when the last
// file is full, or, for an empty log, as the file starting at the boundary
// at or below off. An empty log takes the master's offset as its start,
// dropping any empty file it had. The parts become readable together. It
// does not wait for a flush: with SYNC_FLUSH the flusher is only woken.
func (c *CommitLog) AppendReplica(off int64, parts ...[]byte) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	end, err := c.appendReplicaLocked(off, parts)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if c.cfg.OnAppend != nil {
		c.cfg.OnAppend(end)
	}
	if c.cfg.FlushDiskType == SyncFlush {
		c.flush.wake()
	}
	return nil
}

func (c *CommitLog) appendReplicaLocked(off int64, parts [][]byte) (int64, error) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	fs := c.files.Files()
	max := c.files.MaxOffset()
	if max == 0 && off != 0 && len(fs) > 0 {
		// Only an empty file at 0 can hold nothing: drop it so the log
		// starts where the master's stream does.
		c.files.DeleteFirst(len(fs))
	} else if len(fs) > 0 && off != max {
		return 0, fmt.Errorf("%w: offset %d, log ends at %d", ErrReplicaOffset, off, max)
	}
	if n == 0 {
		return off, nil
	}
	f, err := c.files.LastForAppend(off)
	if err != nil {
		return 0, fmt.Errorf("commitlog replica file at %d: %w", off, err)
	}
	pos := f.Wrote()
	if f.Start()+int64(pos) != off {
		return 0, fmt.Errorf("%w: offset %d, file %s is written to %d", ErrReplicaOffset, off, f.Name(), f.Start()+int64(pos))
	}
	if n > f.Free() {
		return 0, fmt.Errorf("%w: %d bytes at %d cross the end of file %s", ErrReplicaOffset, n, off, f.Name())
	}
	data := f.Bytes()
	w := pos
	for _, p := range parts {
		w += copy(data[w:], p)
	}
	f.SetWrote(w)
	return off + int64(n), nil
}

// View is a readable slice of the log that keeps its file mapped until
// Release.
type View struct {
	Bytes []byte
	file  *mappedfile.File
}

// Release lets the file go (retention may then unmap it).
func (v View) Release() {
	if v.file != nil {
		v.file.Release()
	}
}

// Read returns size bytes at offset off, which must lie in one file and
// below the written end.
func (c *CommitLog) Read(off int64, size int) (View, bool) {
	f := c.files.Find(off)
	if f == nil || !f.Hold() {
		return View{}, false
	}
	pos := int(off - f.Start())
	if size < 0 || pos+size > f.Wrote() {
		f.Release()
		return View{}, false
	}
	return View{Bytes: f.Bytes()[pos : pos+size : pos+size], file: f}, true
}

// ReadFrom returns the written bytes from off to the end of its file (what
// the dispatcher and replication walk).
func (c *CommitLog) ReadFrom(off int64) (View, bool) {
	f := c.files.Find(off)
	if f == nil || !f.Hold() {
		return View{}, false
	}
	pos := int(off - f.Start())
	w := f.Wrote()
	if pos > w {
		f.Release()
		return View{}, false
	}
	return View{Bytes: f.Bytes()[pos:w:w], file: f}, true
}

// NextFileStart is the offset where the file after the one holding off
// begins (the dispatcher jumps there after a BLANK record).
func (c *CommitLog) NextFileStart(off int64) int64 {
	return off - off%int64(c.cfg.FileSize) + int64(c.cfg.FileSize)
}

// Close stops the flusher, flushes and unmaps.
func (c *CommitLog) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.flush.stop()
	_, ferr := c.files.Flush()
	cerr := c.files.Close()
	if ferr != nil {
		return fmt.Errorf("close commitlog: %w", ferr)
	}
	return cerr
}
