// Package store is the broker's message store (Java DefaultMessageStore):
// one commitlog, a consume queue per (topic, queue), index files and the
// checkpoint, laid out on disk exactly as the Java 4.9.7 broker lays them
// out, so either can open a directory the other wrote.
//
// The commitlog is the only thing a put writes synchronously; a single
// dispatcher goroutine (Java ReputMessageService) derives consume-queue and
// index entries from it in commitlog order. After a crash, recovery trusts
// the commitlog and rebuilds what the queues and index lack.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rocketgo/rocketgo/store/checkpoint"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/consumequeue"
	"github.com/rocketgo/rocketgo/store/ha"
	"github.com/rocketgo/rocketgo/store/index"
	"github.com/sirupsen/logrus"
)

// Config carries Java MessageStoreConfig's keys; zero values take Java's
// defaults.
type Config struct {
	StorePathRootDir           string // storePathRootDir
	StorePathCommitLog         string // storePathCommitLog (default <root>/commitlog)
	MappedFileSizeCommitLog    int    // 1 GiB
	MappedFileSizeConsumeQueue int    // 300000*20
	FlushDiskType              commitlog.FlushDiskType
	SyncFlushTimeout           time.Duration // 5 s
	CheckCRCOnRecover          bool          // default true in Java; set by DefaultConfig
	MessageIndexEnable         bool          // default true in Java; set by DefaultConfig
	MaxHashSlotNum             int           // 5,000,000
	MaxIndexNum                int           // 20,000,000
	// AccessMessageInMemoryMaxRatio: a reader further behind the commitlog
	// end than this percentage of RAM reads "from disk" (smaller batches,
	// suggestion to pull from a slave); default 40.
	AccessMessageInMemoryMaxRatio int
	// OnDispatch is called by the dispatcher after it appended entries to a
	// queue, with the queue's new max offset (the broker wakes held pulls).
	OnDispatch func(topic string, queueID int32, maxOffset int64)

	// MaxMessageSize (maxMessageSize, 4 MiB) bounds a message body; a
	// stored record may be up to 64 KiB larger (Java's encoder buffer).
	MaxMessageSize int
	// WarmMapedFileEnable (warmMapedFileEnable, false) pre-touches each
	// commitlog file created ahead of the writer: fewer page faults on
	// append, a whole file of memory and disk committed in advance.
	WarmMapedFileEnable bool
	// MessageDelayLevel (messageDelayLevel): the delay of each level,
	// space-separated, units s/m/h/d; default
	// "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h".
	MessageDelayLevel string

	// Retention (Java CleanCommitLogService / CleanConsumeQueueService).
	FileReservedTime      int    // fileReservedTime: hours a commitlog file is kept, 72
	DeleteWhen            string // deleteWhen: hours of day (local, ";"-separated) to delete at, "04"
	DiskMaxUsedSpaceRatio int    // diskMaxUsedSpaceRatio: percent; above it files are deleted at any hour; 75, clamped to [10,95]
	// DiskSpaceCleanForciblyRatio (system property
	// rocketmq.broker.diskSpaceCleanForciblyRatio, 0.85): above this
	// fraction of the disk used, files are deleted whatever their age.
	DiskSpaceCleanForciblyRatio float64
	// DiskSpaceWarningLevelRatio (rocketmq.broker.diskSpaceWarningLevelRatio,
	// 0.90): above it the store refuses writes with ErrDiskFull until
	// usage drops again.
	DiskSpaceWarningLevelRatio float64
	// CleanFileForciblyEnable (cleanFileForciblyEnable): allow the
	// age-independent deletion; default true in Java, set by DefaultConfig.
	CleanFileForciblyEnable bool
	// CleanResourceInterval (cleanResourceInterval, 10 s) is the cleaner's
	// period; its first run is CleanFirstDelay (Go only, Java's fixed 60 s)
	// after Open.
	CleanResourceInterval time.Duration
	CleanFirstDelay       time.Duration
	// DeleteCommitLogFilesInterval / DeleteConsumeQueueFilesInterval
	// (100 ms each) pause between two deletions to spread the disk work;
	// negative: no pause.
	DeleteCommitLogFilesInterval    time.Duration
	DeleteConsumeQueueFilesInterval time.Duration
	// DestroyMapedFileIntervalForcibly (destroyMapedFileIntervalForcibly,
	// 120 s) is accepted for broker.conf compatibility only. Java waits up
	// to it for readers before unmapping a deleted file; here a deleted
	// file leaves its queue at once and the last reader unmaps it, so no
	// deletion ever waits.
	DestroyMapedFileIntervalForcibly time.Duration
	// DiskCheckInterval (Go only; Java's fixed 10 s) is how often disk
	// usage is re-checked to set or clear the disk-full state.
	DiskCheckInterval time.Duration
	// DiskUsage returns the used fraction (0..1) of the partition holding
	// path; default: statfs, rounded up to whole percents as Java's
	// UtilAll.getDiskPartitionSpaceUsedPercent. Tests inject it.
	DiskUsage func(path string) (float64, error)
	// Now is the clock of retention (file ages, deleteWhen hours, in the
	// returned time's location); default time.Now.
	Now func() time.Time

	// Replication (Java HAService; see package ha and STORE.md §15).
	// BrokerRole (brokerRole) decides whether puts wait for a slave
	// (RoleSyncMaster) and whether the store follows a master
	// (RoleSlave); the zero value is ASYNC_MASTER, Java's default.
	BrokerRole Role
	// HAListenAddr is where slaves connect (haListenPort, Java listens on
	// all interfaces); "" runs no listener, port 0 picks one (HAAddr).
	HAListenAddr string
	// HAMasterAddr (haMasterAddress) is the master a slave follows until
	// SetHAMasterAddr changes it; "" waits for one.
	HAMasterAddr            string
	HASendHeartbeatInterval time.Duration // haSendHeartbeatInterval, 5 s
	HAHousekeepingInterval  time.Duration // haHousekeepingInterval, 20 s
	HATransferBatchSize     int           // haTransferBatchSize, 32 KiB
	HASlaveFallbehindMax    int64         // haSlaveFallbehindMax, 256 MiB
	// SlaveTimeout (slaveTimeout, 3 s) is how long a SYNC_MASTER put
	// waits for a slave's acknowledgement.
	SlaveTimeout time.Duration
	// HAReconnectInterval (Go only; Java's fixed 5 s) is how long a slave
	// waits before connecting again after a failed or short connection.
	HAReconnectInterval time.Duration

	Logger logrus.FieldLogger
}

// Role is Java's BrokerRole as far as the store cares.
type Role int

const (
	RoleAsyncMaster Role = iota // ASYNC_MASTER
	RoleSyncMaster              // SYNC_MASTER
	RoleSlave                   // SLAVE
)

func (r Role) String() string {
	switch r {
	case RoleAsyncMaster:
		return "ASYNC_MASTER"
	case RoleSyncMaster:
		return "SYNC_MASTER"
	case RoleSlave:
		return "SLAVE"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// DefaultConfig returns Java's defaults rooted at root.
func DefaultConfig(root string) Config {
	return Config{StorePathRootDir: root, CheckCRCOnRecover: true, MessageIndexEnable: true, CleanFileForciblyEnable: true}
}

func (c *Config) fill() {
	if c.StorePathCommitLog == "" {
		c.StorePathCommitLog = filepath.Join(c.StorePathRootDir, "commitlog")
	}
	if c.MappedFileSizeCommitLog <= 0 {
		c.MappedFileSizeCommitLog = 1 << 30
	}
	if c.MappedFileSizeConsumeQueue <= 0 {
		c.MappedFileSizeConsumeQueue = consumequeue.DefaultFileSize
	}
	c.MappedFileSizeConsumeQueue = consumequeue.FileSizeFor(c.MappedFileSizeConsumeQueue)
	if c.MaxHashSlotNum <= 0 {
		c.MaxHashSlotNum = 5_000_000
	}
	if c.MaxIndexNum <= 0 {
		c.MaxIndexNum = c.MaxHashSlotNum * 4
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = 4 << 20
	}
	if c.MessageDelayLevel == "" {
		c.MessageDelayLevel = DefaultMessageDelayLevel
	}
	if c.FileReservedTime <= 0 {
		c.FileReservedTime = 72
	}
	if c.DeleteWhen == "" {
		c.DeleteWhen = "04"
	}
	if c.DiskMaxUsedSpaceRatio == 0 {
		c.DiskMaxUsedSpaceRatio = 75
	}
	c.DiskMaxUsedSpaceRatio = min(max(c.DiskMaxUsedSpaceRatio, 10), 95)
	if c.DiskSpaceCleanForciblyRatio <= 0 {
		c.DiskSpaceCleanForciblyRatio = 0.85
	}
	if c.DiskSpaceWarningLevelRatio <= 0 {
		c.DiskSpaceWarningLevelRatio = 0.90
	}
	if c.CleanResourceInterval <= 0 {
		c.CleanResourceInterval = 10 * time.Second
	}
	if c.CleanFirstDelay <= 0 {
		c.CleanFirstDelay = time.Minute
	}
	if c.DeleteCommitLogFilesInterval == 0 {
		c.DeleteCommitLogFilesInterval = 100 * time.Millisecond
	}
	if c.DeleteConsumeQueueFilesInterval == 0 {
		c.DeleteConsumeQueueFilesInterval = 100 * time.Millisecond
	}
	if c.DestroyMapedFileIntervalForcibly <= 0 {
		c.DestroyMapedFileIntervalForcibly = 120 * time.Second
	}
	if c.DiskCheckInterval <= 0 {
		c.DiskCheckInterval = 10 * time.Second
	}
	if c.DiskUsage == nil {
		c.DiskUsage = diskUsage
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.SlaveTimeout <= 0 {
		c.SlaveTimeout = 3 * time.Second
	}
	if c.Logger == nil {
		c.Logger = logrus.StandardLogger()
	}
}

// ErrLocked: another process has the store open (Java "MQ already started").
var ErrLocked = errors.New("store: locked by another process")

type queueKey struct {
	topic string
	id    int32
}

// Store is an open message store.
type Store struct {
	cfg Config
	log logrus.FieldLogger

	lock *os.File
	cp   *checkpoint.Checkpoint
	cl   *commitlog.CommitLog
	idx  *index.Service

	qmu    sync.RWMutex
	queues map[queueKey]*consumequeue.Queue

	// next queue offset per queue (Java topicQueueTable). Only read and
	// advanced inside the commitlog's append lock (the assign callback) and
	// during recovery, before any put: it needs no lock of its own.
	next map[queueKey]int64

	reput    *reputService
	memory   int64 // RAM, read once (Java StoreUtil.TOTAL_PHYSICAL_MEMORY_SIZE)
	recovery commitlog.Recovery
	abnormal bool

	delay    DelayLevels // messageDelayLevel, parsed
	clean    *cleaner
	diskFull atomic.Bool  // Java RunningFlags DISK_FULL
	refusals atomic.Int64 // puts refused since the disk filled (Java printTimes)
	closed   atomic.Bool
	qflush   *queueFlusher
	// queueGen changes whenever queues leave the table (DeleteTopic), so
	// the dispatcher drops the queue it cached.
	queueGen atomic.Int64

	ha  *ha.Service // replication; set by Open, nil only while loading
	rep replica     // a slave's record assembly (the HA client's goroutine)
}

// Open locks, loads and recovers the store at cfg.StorePathRootDir, and
// starts the dispatcher once it has caught up with the commitlog.
func Open(cfg Config) (*Store, error) {
	cfg.fill()
	s := &Store{cfg: cfg, log: cfg.Logger, queues: map[queueKey]*consumequeue.Queue{}, next: map[queueKey]int64{},
		memory: totalMemory()}
	var err error
	if s.delay, err = ParseDelayLevels(cfg.MessageDelayLevel); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(cfg.StorePathRootDir, "consumequeue"), 0o755); err != nil {
		return nil, fmt.Errorf("store dir: %w", err)
	}
	if err := s.takeLock(); err != nil {
		return nil, err
	}
	if err := s.load(); err != nil {
		s.closeFiles()
		return nil, err
	}
	// Writes are refused from the start when the disk is already full.
	s.checkDisk()
	s.clean = newCleaner(s)
	s.clean.start()
	if err := s.startHA(); err != nil {
		_ = s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

func (s *Store) takeLock() error {
	f, err := os.OpenFile(filepath.Join(s.cfg.StorePathRootDir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("store lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("%w: %s: %v", ErrLocked, s.cfg.StorePathRootDir, err)
	}
	// Java writes the four bytes "lock" and forces them.
	if _, err := f.WriteAt([]byte("lock"), 0); err != nil {
		f.Close()
		return fmt.Errorf("store lock: %w", err)
	}
	s.lock = f
	return nil
}

func (s *Store) abortPath() string { return filepath.Join(s.cfg.StorePathRootDir, "abort") }

// load follows Java's order: commitlog files, consume queues, checkpoint,
// index, recovery; then the abort marker and the dispatcher.
func (s *Store) load() error {
	_, err := os.Stat(s.abortPath())
	s.abnormal = err == nil
	cl, err := commitlog.Open(commitlog.Config{
		Dir: s.cfg.StorePathCommitLog, FileSize: s.cfg.MappedFileSizeCommitLog,
		FlushDiskType: s.cfg.FlushDiskType, SyncFlushTimeout: s.cfg.SyncFlushTimeout, Logger: s.log,
		OnAppend: s.appended, WarmMappedFiles: s.cfg.WarmMapedFileEnable,
	})
	if err != nil {
		return err
	}
	s.cl = cl
	if err := s.loadQueues(); err != nil {
		return err
	}
	if s.cp, err = checkpoint.Open(filepath.Join(s.cfg.StorePathRootDir, "checkpoint")); err != nil {
		return err
	}
	if s.cfg.MessageIndexEnable {
		s.idx = index.NewService(index.Config{
			Dir: filepath.Join(s.cfg.StorePathRootDir, "index"), Slots: s.cfg.MaxHashSlotNum, MaxIndex: s.cfg.MaxIndexNum,
			Logger: s.log, FullFlushed: func(ts int64) {
				s.cp.SetIndexMsgTimestamp(ts)
				if err := s.cp.Flush(); err != nil {
					s.log.WithError(err).Error("flush checkpoint")
				}
			},
		})
		if err := s.idx.Load(!s.abnormal, s.cp.IndexMsgTimestamp()); err != nil {
			return fmt.Errorf("load index: %w", err)
		}
	}
	if err := s.recover(); err != nil {
		return err
	}
	if err := os.WriteFile(s.abortPath(), nil, 0o644); err != nil {
		return fmt.Errorf("create abort file: %w", err)
	}
	s.cl.Start()
	s.reput = newReputService(s, s.dispatchStart())
	s.reput.catchUp()
	// The catch-up may have added entries: queue offsets continue after
	// them (Java's start() rebuilds the topic-queue table here again).
	for k, q := range s.queues {
		s.next[k] = q.MaxOffset()
	}
	s.reput.start()
	s.startQueueFlusher()
	return nil
}

func (s *Store) loadQueues() error {
	root := filepath.Join(s.cfg.StorePathRootDir, "consumequeue")
	topics, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("list consume queues: %w", err)
	}
	for _, t := range topics {
		if !t.IsDir() {
			continue
		}
		ids, err := os.ReadDir(filepath.Join(root, t.Name()))
		if err != nil {
			return fmt.Errorf("list consume queues of %s: %w", t.Name(), err)
		}
		for _, id := range ids {
			n, err := strconv.ParseInt(id.Name(), 10, 32)
			if err != nil || !id.IsDir() {
				continue // Java skips names that are not queue ids
			}
			if _, err := s.openQueue(t.Name(), int32(n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) openQueue(topic string, id int32) (*consumequeue.Queue, error) {
	dir := filepath.Join(s.cfg.StorePathRootDir, "consumequeue", topic, strconv.Itoa(int(id)))
	q, err := consumequeue.Open(consumequeue.Config{Dir: dir, FileSize: s.cfg.MappedFileSizeConsumeQueue, Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.queues[queueKey{topic, id}] = q
	return q, nil
}

// queue returns the consume queue of (topic, id), creating it when create.
func (s *Store) queue(topic string, id int32, create bool) *consumequeue.Queue {
	k := queueKey{topic, id}
	s.qmu.RLock()
	q := s.queues[k]
	s.qmu.RUnlock()
	if q != nil || !create {
		return q
	}
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if q = s.queues[k]; q != nil {
		return q
	}
	q, err := s.openQueue(topic, id)
	if err != nil {
		s.log.WithError(err).WithFields(logrus.Fields{"topic": topic, "queue": id}).Error("create consume queue")
		return nil
	}
	return q
}

// recover: consume queues first, then the commitlog, then queues truncated
// to the commitlog's end, the topic-queue table rebuilt, minimums corrected.
func (s *Store) recover() error {
	maxPhys := int64(-1)
	for k, q := range s.queues {
		if err := q.Recover(); err != nil {
			return fmt.Errorf("recover consumequeue %s/%d: %w", k.topic, k.id, err)
		}
		maxPhys = max(maxPhys, q.MaxPhysicOffset())
	}
	// Java uses getMinTimestampIndex only with messageIndexSafe (default
	// false); the index skips entries it already has on re-dispatch anyway.
	rec, err := s.cl.Recover(s.abnormal, s.cp.MinTimestamp(), s.cfg.CheckCRCOnRecover)
	if err != nil {
		return err
	}
	s.recovery = rec
	if maxPhys >= rec.End {
		for k, q := range s.queues {
			if err := q.TruncatePhys(rec.End); err != nil {
				return fmt.Errorf("truncate consumequeue %s/%d: %w", k.topic, k.id, err)
			}
		}
	}
	minPhys := s.cl.MinOffset()
	for k, q := range s.queues {
		q.CorrectMinOffset(minPhys)
		s.next[k] = q.MaxOffset()
	}
	s.log.WithFields(logrus.Fields{"commitlogEnd": rec.End, "queues": len(s.queues), "abnormal": s.abnormal}).Info("store recovered")
	return nil
}

// dispatchStart is where the dispatcher resumes: after the last record any
// queue has (Java reputFromOffset), or earlier when abnormal recovery asked
// for a re-dispatch; never below the commitlog's first byte.
func (s *Store) dispatchStart() int64 {
	from := int64(0)
	for _, q := range s.queues {
		from = max(from, q.MaxPhysicOffset())
	}
	if s.recovery.RedispatchFrom >= 0 {
		from = min(from, s.recovery.RedispatchFrom)
	}
	return max(from, s.cl.MinOffset())
}

// Close stops the cleaner and the dispatcher, flushes everything and
// removes the abort marker, so the next Open recovers normally. Calls
// after the first do nothing.
func (s *Store) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	// Replication first: its writers read the mapped files and its
	// client appends to them.
	if s.ha != nil {
		_ = s.ha.Close()
	}
	if s.clean != nil {
		s.clean.stop()
	}
	if s.reput != nil {
		s.reput.stop(ctx)
	}
	var errs []error
	if s.qflush != nil {
		close(s.qflush.quit)
		<-s.qflush.done
	}
	if s.reput != nil {
		errs = append(errs, s.flushQueues())
	}
	caughtUp := s.reput == nil || s.reput.offset() >= s.cl.MaxOffset()
	s.closeFiles()
	if caughtUp {
		if err := os.Remove(s.abortPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Store) closeFiles() {
	if s.cl != nil {
		if err := s.cl.Close(); err != nil {
			s.log.WithError(err).Error("close commitlog")
		}
	}
	for _, q := range s.queues {
		_ = q.Close()
	}
	if s.idx != nil {
		_ = s.idx.Close()
	}
	if s.cp != nil {
		_ = s.cp.Close()
	}
	if s.lock != nil {
		_ = syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		_ = s.lock.Close()
	}
}

// CommitLog exposes the commitlog (reads, HA).
func (s *Store) CommitLog() *commitlog.CommitLog { return s.cl }

// MaxOffsetInQueue is the next queue offset of (topic, id), 0 if unknown.
func (s *Store) MaxOffsetInQueue(topic string, id int32) int64 {
	if q := s.queue(topic, id, false); q != nil {
		return q.MaxOffset()
	}
	return 0
}

// MinOffsetInQueue is the first readable queue offset, 0 if unknown.
func (s *Store) MinOffsetInQueue(topic string, id int32) int64 {
	if q := s.queue(topic, id, false); q != nil {
		return q.MinOffset()
	}
	return 0
}

// Put stores one encoded record (message.AppendRecord) for (topic, id).
// It fails with ErrDiskFull while the disk is almost full and with
// ErrMessageTooLarge for a record beyond MaxMessageSize + 64 KiB, and on a
// slave with ErrSlave. On SYNC_MASTER it waits after the write (and after
// the flush with SYNC_FLUSH) until a slave acknowledged the bytes, and
// returns the result together with ErrSlaveNotAvailable or
// ErrFlushSlaveTimeout when none did: the message is stored either way, as
// with commitlog.ErrFlushTimeout.
func (s *Store) Put(topic string, id int32, rec []byte) (commitlog.Result, error) {
	return s.put(topic, id, rec, 1, true)
}

// PutNoWait is Put for a message whose WAIT property is false: it neither
// waits for a SYNC_FLUSH group commit nor, on SYNC_MASTER, for a slave
// (Java handleDiskFlush/handleHA skip such messages). The broker's own
// re-puts use it, as Java clears WAIT on them.
func (s *Store) PutNoWait(topic string, id int32, rec []byte) (commitlog.Result, error) {
	return s.put(topic, id, rec, 1, false)
}

// Stored reports whether a Put's error still means the message is stored:
// nil, or a flush or replication wait that did not complete in time.
func Stored(err error) bool {
	return err == nil || errors.Is(err, commitlog.ErrFlushTimeout) ||
		errors.Is(err, ErrFlushSlaveTimeout) || errors.Is(err, ErrSlaveNotAvailable)
}

// PutBatch stores the n records of one batch.
func (s *Store) PutBatch(topic string, id int32, recs []byte, n int) (commitlog.Result, error) {
	return s.put(topic, id, recs, n, true)
}

// PutBatchNoWait is PutBatch without the flush and replication waits
// (a batch whose WAIT property is false).
func (s *Store) PutBatchNoWait(topic string, id int32, recs []byte, n int) (commitlog.Result, error) {
	return s.put(topic, id, recs, n, false)
}

func (s *Store) put(topic string, id int32, recs []byte, n int, wait bool) (commitlog.Result, error) {
	if s.cfg.BrokerRole == RoleSlave {
		return commitlog.Result{}, s.refuseOnSlave()
	}
	if err := s.writable(); err != nil {
		return commitlog.Result{}, err
	}
	if len(recs) > s.maxRecordSize() {
		return commitlog.Result{}, fmt.Errorf("%w: %d bytes, at most %d", ErrMessageTooLarge, len(recs), s.maxRecordSize())
	}
	k := queueKey{topic, id}
	// The slave timeout runs from the write, as Java's replica request
	// is made next to the flush request; the flush wait counts against it.
	began := time.Now()
	assign := func(count int) int64 {
		o := s.next[k]
		s.next[k] = o + int64(count)
		return o
	}
	var res commitlog.Result
	var err error
	if wait {
		res, err = s.cl.Append(recs, n, assign)
	} else {
		res, err = s.cl.AppendNoWait(recs, n, assign)
	}
	if err != nil && !errors.Is(err, commitlog.ErrFlushTimeout) {
		return res, err
	}
	s.reput.kick()
	if wait && s.cfg.BrokerRole == RoleSyncMaster {
		// A replica failure outranks a flush timeout (Java combines the
		// two, the replica status last).
		if rerr := s.ha.WaitReplicated(res.PhysOffset+int64(res.Bytes), began.Add(s.cfg.SlaveTimeout)); rerr != nil {
			err = rerr
		}
	}
	return res, err
}

// Entry returns the consume queue entry at offset of (topic, id).
func (s *Store) Entry(topic string, id int32, offset int64) (consumequeue.Entry, bool) {
	q := s.queue(topic, id, false)
	if q == nil {
		return consumequeue.Entry{}, false
	}
	return q.Get(offset)
}
