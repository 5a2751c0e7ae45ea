package mappedfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/sirupsen/logrus"
)

// Config configures a Queue.
type Config struct {
	// Dir holds the files; it is created when missing.
	Dir string
	// FileSize is every file's size in bytes.
	FileSize int
	// Preallocate creates the next file in the background whenever a new
	// last file is created, so an append that rolls over never waits for
	// file creation (Java AllocateMappedFileService).
	Preallocate bool
	// Warm touches every page of a pre-allocated file (Java
	// warmMapedFileEnable): the first appends then fault no pages in, at
	// the price of a whole file of resident memory and disk blocks ahead
	// of the data. Off by default, as in Java.
	Warm bool
	// Logger (default logrus.StandardLogger()).
	Logger logrus.FieldLogger
}

// Queue is the ordered set of files of one log (Java MappedFileQueue).
type Queue struct {
	cfg Config
	log logrus.FieldLogger

	mu    sync.Mutex               // serialises changes to files
	files atomic.Pointer[[]*File]  // copy-on-write: readers never lock
	pre   map[int64]chan preResult // pre-allocations in flight, by start
	wg    sync.WaitGroup           // pre-allocation goroutines
}

type preResult struct {
	f   *File
	err error
}

// ErrCorrupt is returned by Load for a directory the Java broker would
// refuse too (a file of the wrong size, a gap between files).
var ErrCorrupt = errors.New("mapped file queue inconsistent")

// Open loads every file in cfg.Dir (sorted by name, each checked for its
// size and place), creating the directory when missing.
func Open(cfg Config) (*Queue, error) {
	if cfg.FileSize <= 0 {
		return nil, fmt.Errorf("mapped file queue %s: file size %d", cfg.Dir, cfg.FileSize)
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("mapped file queue dir: %w", err)
	}
	q := &Queue{cfg: cfg, log: cfg.Logger, pre: make(map[int64]chan preResult)}
	entries, err := os.ReadDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", cfg.Dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			if _, ok := parseName(e.Name()); ok {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	files := make([]*File, 0, len(names))
	for i, name := range names {
		start, _ := parseName(name)
		path := filepath.Join(cfg.Dir, name)
		st, err := os.Stat(path)
		if err != nil {
			closeAll(files)
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		// An empty newest file is one a crash caught between creating and
		// sizing it: it never held data, and openFile sizes it.
		if st.Size() != int64(cfg.FileSize) && !(st.Size() == 0 && i == len(names)-1) {
			closeAll(files)
			return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrCorrupt, path, st.Size(), cfg.FileSize)
		}
		if i > 0 && start != files[i-1].start+int64(cfg.FileSize) {
			closeAll(files)
			return nil, fmt.Errorf("%w: %s does not follow %s", ErrCorrupt, name, files[i-1].Name())
		}
		f, err := openFile(path, start, cfg.FileSize)
		if err != nil {
			closeAll(files)
			return nil, err
		}
		// Until recovery says otherwise, a loaded file counts as full and
		// flushed (Java sets the positions to the file size on load).
		f.SetWrote(cfg.FileSize)
		f.SetFlushed(cfg.FileSize)
		files = append(files, f)
	}
	q.files.Store(&files)
	return q, nil
}

func closeAll(files []*File) {
	for _, f := range files {
		f.retire(false)
	}
}

// Files returns the current files, oldest first. The slice is shared and
// must not be modified.
func (q *Queue) Files() []*File { return *q.files.Load() }

// FileSize is the size of every file.
func (q *Queue) FileSize() int { return q.cfg.FileSize }

// First and Last return the oldest and newest file, or nil.
func (q *Queue) First() *File {
	if fs := q.Files(); len(fs) > 0 {
		return fs[0]
	}
	return nil
}

func (q *Queue) Last() *File {
	if fs := q.Files(); len(fs) > 0 {
		return fs[len(fs)-1]
	}
	return nil
}

// MinOffset is the logical offset of the first byte kept, or 0.
func (q *Queue) MinOffset() int64 {
	if f := q.First(); f != nil {
		return f.start
	}
	return 0
}

// MaxOffset is the logical offset one past the last written byte.
func (q *Queue) MaxOffset() int64 {
	if f := q.Last(); f != nil {
		return f.start + int64(f.Wrote())
	}
	return 0
}

// Flushed is the logical offset up to which everything is on disk.
func (q *Queue) Flushed() int64 {
	fs := q.Files()
	for i := len(fs) - 1; i >= 0; i-- {
		if fl := fs[i].Flushed(); fl > 0 || i == 0 {
			return fs[i].start + int64(fl)
		}
	}
	return 0
}

// Find returns the file holding logical offset off, or nil.
func (q *Queue) Find(off int64) *File {
	fs := q.Files()
	if len(fs) == 0 || off < fs[0].start {
		return nil
	}
	i := int((off - fs[0].start) / int64(q.cfg.FileSize))
	if i >= len(fs) || off >= fs[i].start+int64(q.cfg.FileSize) {
		return nil
	}
	return fs[i]
}

// LastForAppend returns the file appends go to: the last file if it has
// room, otherwise a new file that starts where the last one ends (or at
// startOffset, rounded down to a file boundary, for an empty queue).
func (q *Queue) LastForAppend(startOffset int64) (*File, error) {
	if f := q.Last(); f != nil && !f.Full() {
		return f, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	fs := q.Files()
	var next int64
	if n := len(fs); n > 0 {
		if !fs[n-1].Full() {
			return fs[n-1], nil
		}
		next = fs[n-1].start + int64(q.cfg.FileSize)
	} else {
		next = startOffset - startOffset%int64(q.cfg.FileSize)
	}
	f, err := q.take(next)
	if err != nil {
		return nil, err
	}
	grown := make([]*File, len(fs), len(fs)+1)
	copy(grown, fs)
	grown = append(grown, f)
	q.files.Store(&grown)
	if q.cfg.Preallocate {
		q.preallocate(next + int64(q.cfg.FileSize))
	}
	return f, nil
}

// take returns the file at start: the pre-allocated one when there is one,
// else a newly created one. Called with q.mu held.
func (q *Queue) take(start int64) (*File, error) {
	if ch, ok := q.pre[start]; ok {
		delete(q.pre, start)
		r := <-ch
		if r.err == nil {
			return r.f, nil
		}
		q.log.WithError(r.err).WithField("file", FileName(start)).Warn("pre-allocation failed; creating the file now")
	}
	return openFile(filepath.Join(q.cfg.Dir, FileName(start)), start, q.cfg.FileSize)
}

// preallocate creates the file at start in the background. Called with
// q.mu held.
func (q *Queue) preallocate(start int64) {
	if _, ok := q.pre[start]; ok {
		return
	}
	ch := make(chan preResult, 1)
	q.pre[start] = ch
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		f, err := openFile(filepath.Join(q.cfg.Dir, FileName(start)), start, q.cfg.FileSize)
		if err == nil && q.cfg.Warm {
			// Touch every page now so the first writes do not fault them in.
			data := f.Bytes()
			for i := 0; i < len(data); i += os.Getpagesize() {
				data[i] = 0
			}
		}
		ch <- preResult{f, err}
	}()
}

// Flush flushes the file holding the flushed position and returns the new
// logical flushed offset. Files wholly flushed before stay as they are.
func (q *Queue) Flush() (int64, error) {
	fs := q.Files()
	// Only the newest files can be dirty: find the start of the unflushed
	// (or still empty) tail from the back instead of walking every file on
	// each flush.
	i := len(fs)
	for i > 0 && (fs[i-1].Flushed() < fs[i-1].Wrote() || fs[i-1].Wrote() == 0) {
		i--
	}
	for _, f := range fs[i:] {
		if _, err := f.Flush(); err != nil {
			return q.Flushed(), err
		}
	}
	return q.Flushed(), nil
}

// TruncateTo drops everything at and after logical offset off: later files
// are deleted, the file holding off has its positions moved back and the
// bytes after off zeroed (Java truncateDirtyFiles).
func (q *Queue) TruncateTo(off int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	fs := q.Files()
	keep := make([]*File, 0, len(fs))
	for _, f := range fs {
		end := f.start + int64(q.cfg.FileSize)
		switch {
		case end <= off:
			keep = append(keep, f)
		case f.start <= off:
			pos := int(off - f.start)
			data := f.Bytes()
			if w := f.Wrote(); w > pos {
				clear(data[pos:w])
			}
			f.SetWrote(pos)
			if f.Flushed() > pos {
				f.SetFlushed(pos)
			}
			keep = append(keep, f)
		default:
			f.retire(true)
		}
	}
	q.files.Store(&keep)
	return nil
}

// DeleteFirst removes the oldest n files (retention). Readers holding them
// keep them mapped until they release.
func (q *Queue) DeleteFirst(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	fs := q.Files()
	if n > len(fs) {
		n = len(fs)
	}
	for _, f := range fs[:n] {
		f.retire(true)
	}
	rest := append([]*File(nil), fs[n:]...)
	q.files.Store(&rest)
}

// DeleteOldest removes f when it is still the oldest file and not the only
// one (retention deletes one file at a time and never the file being
// written). It reports whether f went; like DeleteFirst, readers holding
// it keep it mapped until they release.
func (q *Queue) DeleteOldest(f *File) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	fs := q.Files()
	if len(fs) < 2 || fs[0] != f {
		return false
	}
	f.retire(true)
	rest := append([]*File(nil), fs[1:]...)
	q.files.Store(&rest)
	return true
}

// Close waits for pre-allocations and unmaps every file (deleting unused
// pre-allocated ones, as Java deletes its spare file on shutdown).
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wg.Wait()
	for start, ch := range q.pre {
		if r := <-ch; r.err == nil {
			r.f.retire(true)
		}
		delete(q.pre, start)
	}
	closeAll(q.Files())
	empty := []*File{}
	q.files.Store(&empty)
	return nil
}
