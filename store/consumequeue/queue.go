package consumequeue

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/rocketgo/rocketgo/store/mappedfile"
	"github.com/sirupsen/logrus"
)

// UnitSize is the size of one entry (Java CQ_STORE_UNIT_SIZE).
const UnitSize = 20

// DefaultFileSize is Java's default mappedFileSizeConsumeQueue.
const DefaultFileSize = 300000 * UnitSize

// FileSizeFor rounds a configured file size up to whole entries, as Java's
// MessageStoreConfig.getMappedFileSizeConsumeQueue does.
func FileSizeFor(configured int) int {
	return (configured + UnitSize - 1) / UnitSize * UnitSize
}

// Entry is one consume queue unit.
type Entry struct {
	Offset   int64 // commitlog physical offset
	Size     int32
	TagsCode int64
}

// Valid reports whether e marks written data (Java: offset >= 0 && size > 0).
func (e Entry) Valid() bool { return e.Offset >= 0 && e.Size > 0 }

// filler is what Java writes before the first entry of a queue created
// late (fillPreBlank).
var filler = Entry{Offset: 0, Size: math.MaxInt32, TagsCode: 0}

func decode(b []byte) Entry {
	return Entry{
		Offset:   int64(binary.BigEndian.Uint64(b)),
		Size:     int32(binary.BigEndian.Uint32(b[8:])),
		TagsCode: int64(binary.BigEndian.Uint64(b[12:])),
	}
}

func encode(b []byte, e Entry) {
	binary.BigEndian.PutUint64(b, uint64(e.Offset))
	binary.BigEndian.PutUint32(b[8:], uint32(e.Size))
	binary.BigEndian.PutUint64(b[12:], uint64(e.TagsCode))
}

// Config configures a Queue.
type Config struct {
	Dir      string // consumequeue/{topic}/{queueId}
	FileSize int    // a multiple of UnitSize (see FileSizeFor)
	Logger   logrus.FieldLogger
}

// Queue is one consume queue. Put is for the single dispatcher goroutine;
// reads may run concurrently with it.
type Queue struct {
	files *mappedfile.Queue
	log   logrus.FieldLogger

	minLogic atomic.Int64 // byte offset of the first live entry
	maxPhys  atomic.Int64 // end (offset+size) of the last entry's record
}

// Open loads the queue's files. Call Recover before use.
func Open(cfg Config) (*Queue, error) {
	if cfg.FileSize <= 0 || cfg.FileSize%UnitSize != 0 {
		return nil, fmt.Errorf("consume queue %s: file size %d is not a positive multiple of %d", cfg.Dir, cfg.FileSize, UnitSize)
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	files, err := mappedfile.Open(mappedfile.Config{Dir: cfg.Dir, FileSize: cfg.FileSize, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("open consume queue %s: %w", cfg.Dir, err)
	}
	q := &Queue{files: files, log: cfg.Logger}
	q.maxPhys.Store(-1)
	return q, nil
}

// Recover finds the end of valid entries, as Java's ConsumeQueue.recover:
// walk from the third-last file, stop at the first invalid entry, drop what
// follows.
func (q *Queue) Recover() error {
	fs := q.files.Files()
	if len(fs) == 0 {
		return nil
	}
	i := len(fs) - 3
	if i < 0 {
		i = 0
	}
	end := fs[i].Start()
	maxPhys := int64(-1)
walk:
	for ; i < len(fs); i++ {
		data := fs[i].Bytes()
		for pos := 0; pos+UnitSize <= len(data); pos += UnitSize {
			e := decode(data[pos:])
			if !e.Valid() {
				end = fs[i].Start() + int64(pos)
				break walk
			}
			end = fs[i].Start() + int64(pos) + UnitSize
			if e.Size != filler.Size || e.Offset != 0 {
				maxPhys = e.Offset + int64(e.Size)
			}
		}
	}
	if err := q.files.TruncateTo(end); err != nil {
		return fmt.Errorf("recover consume queue: %w", err)
	}
	q.maxPhys.Store(maxPhys)
	if q.minLogic.Load() < q.files.MinOffset() {
		q.minLogic.Store(q.files.MinOffset())
	}
	return nil
}

// MinOffset is the first readable entry index.
func (q *Queue) MinOffset() int64 { return q.minLogic.Load() / UnitSize }

// MaxOffset is the next entry index to be written.
func (q *Queue) MaxOffset() int64 { return q.files.MaxOffset() / UnitSize }

// MaxPhysicOffset is the commitlog end of the last entry's record, or -1.
func (q *Queue) MaxPhysicOffset() int64 { return q.maxPhys.Load() }

// Get returns entry index i, or false when it is outside [MinOffset, MaxOffset).
func (q *Queue) Get(i int64) (Entry, bool) {
	if i < q.MinOffset() || i >= q.MaxOffset() {
		return Entry{}, false
	}
	off := i * UnitSize
	f := q.files.Find(off)
	// Held while read: retention may take the file away meanwhile.
	if f == nil || !f.Hold() {
		return Entry{}, false
	}
	defer f.Release()
	pos := int(off - f.Start())
	if pos+UnitSize > f.Wrote() {
		return Entry{}, false
	}
	return decode(f.Bytes()[pos:]), true
}

// Put appends the entry for queue offset index (the record's QUEUEOFFSET),
// as Java's putMessagePositionInfo: an entry whose record ends at or below
// MaxPhysicOffset is already there; a first file started late is filled
// with fillers before index; an index below the end is a duplicate and
// skipped. It reports whether the entry was written.
func (q *Queue) Put(index int64, e Entry) (bool, error) {
	if e.Offset+int64(e.Size) <= q.maxPhys.Load() {
		return false, nil
	}
	want := index * UnitSize
	f, err := q.files.LastForAppend(want)
	if err != nil {
		return false, fmt.Errorf("consume queue put: %w", err)
	}
	if len(q.files.Files()) == 1 && f.Wrote() == 0 && index != 0 {
		// First file of a queue that starts late.
		q.fillBefore(f, int(want-f.Start()))
		q.minLogic.Store(want)
	}
	cur := f.Start() + int64(f.Wrote())
	if index != 0 {
		if want < cur {
			return false, nil // duplicate
		}
		if want > cur {
			q.log.WithFields(logrus.Fields{"expected": want / UnitSize, "end": cur / UnitSize}).
				Warn("consume queue gap: appending at the current end")
		}
	}
	var buf [UnitSize]byte
	encode(buf[:], e)
	if !f.Append(buf[:]) {
		return false, fmt.Errorf("consume queue put: no room in %s", f.Name())
	}
	q.maxPhys.Store(e.Offset + int64(e.Size))
	return true, nil
}

func (q *Queue) fillBefore(f *mappedfile.File, n int) {
	var buf [UnitSize]byte
	encode(buf[:], filler)
	for pos := 0; pos+UnitSize <= n; pos += UnitSize {
		f.Append(buf[:])
	}
}

// TruncatePhys drops every entry whose record starts at or after phys, the
// recovered commitlog end (Java truncateDirtyLogicFiles).
func (q *Queue) TruncatePhys(phys int64) error {
	fs := q.files.Files()
	cut := q.files.MaxOffset()
	maxPhys := int64(-1)
	for i := len(fs) - 1; i >= 0; i-- {
		data := fs[i].Bytes()
		found := false
		for pos := fs[i].Wrote() - UnitSize; pos >= 0; pos -= UnitSize {
			e := decode(data[pos:])
			if e.Offset < phys || (e.Offset == 0 && e.Size == filler.Size) {
				if e.Size != filler.Size {
					maxPhys = e.Offset + int64(e.Size)
				}
				found = true
				break
			}
			cut = fs[i].Start() + int64(pos)
		}
		if found {
			break
		}
	}
	if err := q.files.TruncateTo(cut); err != nil {
		return err
	}
	q.maxPhys.Store(maxPhys)
	return nil
}

// CorrectMinOffset moves the minimum to the first entry whose record is at
// or after minPhys, the commitlog's first kept byte (Java correctMinOffset).
func (q *Queue) CorrectMinOffset(minPhys int64) {
	f := q.files.First()
	if f == nil {
		return
	}
	data := f.Bytes()
	for pos := 0; pos+UnitSize <= f.Wrote(); pos += UnitSize {
		e := decode(data[pos:])
		if e.Valid() && e.Size != filler.Size && e.Offset >= minPhys {
			if v := f.Start() + int64(pos); v > q.minLogic.Load() {
				q.minLogic.Store(v)
			}
			return
		}
	}
}

// DeleteExpired removes whole leading files whose last entry's record is
// below minPhys, the commitlog's first kept byte, and corrects the minimum.
// It returns how many files went.
func (q *Queue) DeleteExpired(minPhys int64) int {
	fs := q.files.Files()
	n := 0
	for _, f := range fs[:max(len(fs)-1, 0)] { // never the file being written
		last := decode(f.Bytes()[f.Size()-UnitSize:])
		if !last.Valid() || last.Offset >= minPhys {
			break
		}
		n++
	}
	if n > 0 {
		q.files.DeleteFirst(n)
	}
	q.CorrectMinOffset(minPhys)
	return n
}

// Flush writes dirty entries to disk.
func (q *Queue) Flush() error {
	_, err := q.files.Flush()
	return err
}

// Close unmaps the queue's files.
func (q *Queue) Close() error { return q.files.Close() }

// Window is the written entries from one index to the end of that index's
// file (Java getIndexBuffer), holding the file mapped until Release.
type Window struct {
	b []byte
	f *mappedfile.File
}

// Len is the number of entries in the window.
func (w Window) Len() int { return len(w.b) / UnitSize }

// At returns entry k of the window.
func (w Window) At(k int) Entry { return decode(w.b[k*UnitSize:]) }

// Release lets the file go.
func (w Window) Release() {
	if w.f != nil {
		w.f.Release()
	}
}

// Window returns the entries from index i to the end of its file, or false
// when i is outside [MinOffset, MaxOffset) or its file is gone.
func (q *Queue) Window(i int64) (Window, bool) {
	if i < q.MinOffset() || i >= q.MaxOffset() {
		return Window{}, false
	}
	off := i * UnitSize
	f := q.files.Find(off)
	if f == nil || !f.Hold() {
		return Window{}, false
	}
	pos := int(off - f.Start())
	w := f.Wrote()
	if pos >= w {
		f.Release()
		return Window{}, false
	}
	return Window{b: f.Bytes()[pos:w], f: f}, true
}

// NextFileIndex is the first index of the file after the one holding i
// (Java rollNextFile).
func (q *Queue) NextFileIndex(i int64) int64 {
	per := int64(q.files.FileSize() / UnitSize)
	return i - i%per + per
}
