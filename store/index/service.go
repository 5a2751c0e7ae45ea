package index

import (
	"errors"
	"fmt"
	"github.com/sirupsen/logrus"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Config configures a Service.
type Config struct {
	Dir      string // the store's index/ directory
	Slots    int    // maxHashSlotNum (Java default 5,000,000)
	MaxIndex int    // maxIndexNum (Java default 20,000,000)
	// Now names new files; time.Now when nil.
	Now func() time.Time
	// FullFlushed, when set, is called (from a background goroutine) after
	// a full file was flushed, with its endTimestamp: the caller stores it
	// as checkpoint indexMsgTimestamp and flushes the checkpoint.
	FullFlushed func(indexMsgTimestamp int64)
	// Logger (default logrus.StandardLogger()).
	Logger logrus.FieldLogger
}

// Record is what the index needs of one dispatched commitlog record.
// BuildIndex keeps none of its strings, so they may alias a mapping.
type Record struct {
	Topic          string
	Keys           string // KEYS property, space separated
	UniqKey        string // UNIQ_KEY property ("" = absent)
	SysFlag        int32
	PhyOffset      int64
	StoreTimestamp int64
}

// QueryResult is Java's QueryOffsetResult.
type QueryResult struct {
	PhyOffsets []int64
	// End timestamp and end phy offset of the newest file.
	IndexLastUpdateTimestamp int64
	IndexLastUpdatePhyOffset int64
}

// Service is the list of index files of one store (Java IndexService).
// BuildIndex is for the single dispatcher; queries may run concurrently.
type Service struct {
	cfg   Config
	wmu   sync.Mutex // serialises BuildIndex / file creation
	mu    sync.RWMutex
	files []*File
	bg    sync.WaitGroup
}

// NewService returns an empty service; call Load before use.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Service{cfg: cfg}
}

// Load opens every file in Dir in name order. After an abnormal exit
// (lastExitOK false) files whose endTimestamp > indexMsgTimestamp
// (checkpoint) are deleted instead. A missing directory is empty.
func (s *Service) Load(lastExitOK bool, indexMsgTimestamp int64) error {
	ents, err := os.ReadDir(s.cfg.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list index dir: %w", err)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	var files []*File
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		// A crash between creating a file and sizing it leaves it empty: it
		// never held an entry, so it goes (Java's mapping would size it).
		if st, err := e.Info(); err == nil && st.Size() == 0 {
			if err := os.Remove(filepath.Join(s.cfg.Dir, e.Name())); err != nil {
				s.cfg.Logger.WithError(err).WithField("file", e.Name()).Warn("remove empty index file")
			}
			continue
		}
		f, err := Open(filepath.Join(s.cfg.Dir, e.Name()), s.cfg.Slots, s.cfg.MaxIndex)
		if err != nil {
			for _, g := range files {
				g.Close()
			}
			return err
		}
		if !lastExitOK && f.EndTimestamp() > indexMsgTimestamp {
			if err := f.Destroy(); err != nil {
				for _, g := range files {
					g.Close()
				}
				return fmt.Errorf("drop index file: %w", err)
			}
			continue
		}
		files = append(files, f)
	}
	s.mu.Lock()
	s.files = append(s.files, files...)
	s.mu.Unlock()
	return nil
}

// Files returns the current files, oldest first.
func (s *Service) Files() []*File {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*File(nil), s.files...)
}

// FileName is the name of a file created at t: yyyyMMddHHmmssSSS in t's
// location (Java UtilAll.timeMillisToHumanString, local time).
func FileName(t time.Time) string {
	return fmt.Sprintf("%04d%02d%02d%02d%02d%02d%03d", t.Year(), int(t.Month()), t.Day(),
		t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6)
}

// last returns the newest file that is not full, creating one when there
// is none (Java getAndCreateLastIndexFile). Caller holds wmu.
func (s *Service) last() (*File, error) {
	s.mu.RLock()
	var prev *File
	if n := len(s.files); n > 0 {
		prev = s.files[n-1]
	}
	s.mu.RUnlock()
	if prev != nil && !prev.IsFull() {
		return prev, nil
	}
	var endPhy, endTS int64
	if prev != nil {
		endPhy, endTS = prev.EndPhyOffset(), prev.EndTimestamp()
	}
	if err := os.MkdirAll(s.cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("index dir: %w", err)
	}
	// Java would reopen (and overwrite) a file of the same name; a name
	// taken within the same millisecond moves on by one millisecond.
	t := s.cfg.Now()
	var f *File
	var err error
	for range 1000 {
		f, err = CreateAfter(filepath.Join(s.cfg.Dir, FileName(t)), s.cfg.Slots, s.cfg.MaxIndex, endPhy, endTS)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		t = t.Add(time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.files = append(s.files, f)
	s.mu.Unlock()
	if prev != nil {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.flushFile(prev)
		}()
	}
	return f, nil
}

// flushFile is Java IndexService.flush.
func (s *Service) flushFile(f *File) {
	var ts int64
	if f.IsFull() {
		ts = f.EndTimestamp()
	}
	if err := f.Flush(); err != nil {
		// The checkpoint keeps the older time: abnormal recovery rebuilds
		// this file's entries.
		s.cfg.Logger.WithError(err).WithField("file", f.Name()).Error("flush full index file")
		return
	}
	if ts > 0 && s.cfg.FullFlushed != nil {
		s.cfg.FullFlushed(ts)
	}
}

// BuildIndex adds the record's keys (Java buildIndex): nothing when its
// offset is below the newest file's endPhyOffset (already indexed; an
// equal offset is indexed again, as in Java) or it is a rolled-back
// transaction; else topic#UNIQ_KEY, then topic#k for each non-empty
// space-separated piece of KEYS, moving to a new file when one fills.
func (s *Service) BuildIndex(r *Record) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	f, err := s.last()
	if err != nil {
		return err
	}
	if r.PhyOffset < f.EndPhyOffset() {
		return nil
	}
	if r.SysFlag&0xC == 0xC { // TRANSACTION_ROLLBACK_TYPE
		return nil
	}
	if r.UniqKey != "" {
		if f, err = s.put(f, TopicKeyHash(r.Topic, r.UniqKey), r); err != nil {
			return err
		}
	}
	keys := r.Keys
	for len(keys) > 0 {
		i := 0
		for i < len(keys) && keys[i] != ' ' {
			i++
		}
		if i > 0 {
			if f, err = s.put(f, TopicKeyHash(r.Topic, keys[:i]), r); err != nil {
				return err
			}
		}
		if i == len(keys) {
			break
		}
		keys = keys[i+1:]
	}
	return nil
}

func (s *Service) put(f *File, h int32, r *Record) (*File, error) {
	for !f.PutHash(h, r.PhyOffset, r.StoreTimestamp) {
		var err error
		if f, err = s.last(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// QueryOffset finds up to maxNum offsets of topic#key stored within
// [begin,end], newest file first (Java queryOffset; the caller applies
// Java's cap of maxMsgsNumBatch to maxNum).
func (s *Service) QueryOffset(topic, key string, maxNum int, begin, end int64) QueryResult {
	var res QueryResult
	h := TopicKeyHash(topic, key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := len(s.files) - 1; i >= 0; i-- {
		f := s.files[i]
		if i == len(s.files)-1 {
			res.IndexLastUpdateTimestamp = f.EndTimestamp()
			res.IndexLastUpdatePhyOffset = f.EndPhyOffset()
		}
		if f.TimeMatched(begin, end) {
			res.PhyOffsets = f.AppendQuery(res.PhyOffsets, h, maxNum, begin, end)
		}
		if f.BeginTimestamp() < begin || len(res.PhyOffsets) >= maxNum {
			break
		}
	}
	return res
}

// DeleteExpired deletes the oldest files whose endPhyOffset is below
// offset (the commitlog's min offset), never the newest file (Java
// deleteExpiredFile).
func (s *Service) DeleteExpired(offset int64) error {
	_, err := s.DeleteExpiredFiles(offset)
	return err
}

// DeleteExpiredFiles is DeleteExpired reporting how many files went.
func (s *Service) DeleteExpiredFiles(offset int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.files) == 0 || s.files[0].EndPhyOffset() >= offset {
		return 0, nil
	}
	n := 0
	for n < len(s.files)-1 && s.files[n].EndPhyOffset() < offset {
		n++
	}
	var err error
	for i := 0; i < n; i++ {
		if derr := s.files[i].Destroy(); derr != nil && err == nil {
			err = derr
		}
	}
	s.files = append(s.files[:0:0], s.files[n:]...)
	return n, err
}

// Flush flushes every file.
func (s *Service) Flush() error {
	var err error
	for _, f := range s.Files() {
		if ferr := f.Flush(); ferr != nil && err == nil {
			err = ferr
		}
	}
	return err
}

// Close waits for background flushes and closes every file.
func (s *Service) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.bg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for _, f := range s.files {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	s.files = nil
	return err
}
