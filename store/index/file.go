package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/edsrzf/mmap-go"
)

// Sizes of the parts of an index file.
const (
	HeaderSize = 40
	SlotSize   = 4
	EntrySize  = 20
)

// Header field offsets.
const (
	offBeginTimestamp = 0
	offEndTimestamp   = 8
	offBeginPhyOffset = 16
	offEndPhyOffset   = 24
	offHashSlotCount  = 32
	offIndexCount     = 36
)

// FileSize is the size of an index file with the given geometry.
func FileSize(slots, maxIndex int) int64 {
	return HeaderSize + int64(slots)*SlotSize + int64(maxIndex)*EntrySize
}

// Header is an index file's 40-byte header.
type Header struct {
	BeginTimestamp int64
	EndTimestamp   int64
	BeginPhyOffset int64
	EndPhyOffset   int64
	HashSlotCount  int32
	IndexCount     int32
}

// Entry is one 20-byte entry.
type Entry struct {
	KeyHash   int32
	PhyOffset int64
	TimeDiff  int32
	PrevIndex int32
}

// File is one mapped index file. Put is for one writer at a time; queries
// and getters may run concurrently with it.
type File struct {
	mu       sync.RWMutex
	f        *os.File
	data     mmap.MMap
	path     string
	slots    int
	maxIndex int
	entries  int // byte offset of entry 0
	h        Header
	closed   bool
}

// ErrGeometry reports an existing file whose size does not match the
// configured slots and maxIndex.
var ErrGeometry = errors.New("index file size does not match slots/maxIndex")

// Create makes a new zeroed index file at path (which must not exist).
func Create(path string, slots, maxIndex int) (*File, error) {
	return CreateAfter(path, slots, maxIndex, 0, 0)
}

// CreateAfter makes a new index file seeded, as Java does for the file
// following a full one, with that file's endPhyOffset and endTimestamp as
// both begin and end values (each only when > 0).
func CreateAfter(path string, slots, maxIndex int, endPhyOffset, endTimestamp int64) (*File, error) {
	if slots <= 0 || maxIndex <= 0 {
		return nil, fmt.Errorf("index: bad geometry slots=%d maxIndex=%d", slots, maxIndex)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create index file: %w", err)
	}
	size := FileSize(slots, maxIndex)
	if err := f.Truncate(size); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("size index file %s: %w", path, err)
	}
	x, err := mapFile(f, path, slots, maxIndex)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	x.h.IndexCount = 1
	if endPhyOffset > 0 {
		x.setBeginPhyOffset(endPhyOffset)
		x.setEndPhyOffset(endPhyOffset)
	}
	if endTimestamp > 0 {
		x.setBeginTimestamp(endTimestamp)
		x.setEndTimestamp(endTimestamp)
	}
	return x, nil
}

// Open maps an existing index file and loads its header (an indexCount
// <= 0 reads as 1, as Java's IndexHeader.load).
func Open(path string, slots, maxIndex int) (*File, error) {
	if slots <= 0 || maxIndex <= 0 {
		return nil, fmt.Errorf("index: bad geometry slots=%d maxIndex=%d", slots, maxIndex)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open index file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat index file %s: %w", path, err)
	}
	if st.Size() != FileSize(slots, maxIndex) {
		f.Close()
		return nil, fmt.Errorf("%w: %s is %d bytes, want %d", ErrGeometry, path, st.Size(), FileSize(slots, maxIndex))
	}
	x, err := mapFile(f, path, slots, maxIndex)
	if err != nil {
		f.Close()
		return nil, err
	}
	d := x.data
	x.h = Header{
		BeginTimestamp: int64(binary.BigEndian.Uint64(d[offBeginTimestamp:])),
		EndTimestamp:   int64(binary.BigEndian.Uint64(d[offEndTimestamp:])),
		BeginPhyOffset: int64(binary.BigEndian.Uint64(d[offBeginPhyOffset:])),
		EndPhyOffset:   int64(binary.BigEndian.Uint64(d[offEndPhyOffset:])),
		HashSlotCount:  int32(binary.BigEndian.Uint32(d[offHashSlotCount:])),
		IndexCount:     int32(binary.BigEndian.Uint32(d[offIndexCount:])),
	}
	if x.h.IndexCount <= 0 {
		x.h.IndexCount = 1
	}
	return x, nil
}

func mapFile(f *os.File, path string, slots, maxIndex int) (*File, error) {
	size := FileSize(slots, maxIndex)
	if size > math.MaxInt32 && int64(int(size)) != size {
		return nil, fmt.Errorf("index file %s too large to map", path)
	}
	data, err := mmap.MapRegion(f, int(size), mmap.RDWR, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("map index file %s: %w", path, err)
	}
	return &File{
		f: f, data: data, path: path, slots: slots, maxIndex: maxIndex,
		entries: HeaderSize + slots*SlotSize,
	}, nil
}

// Path is the file's path; Name its base name.
func (x *File) Path() string { return x.path }
func (x *File) Name() string { return filepath.Base(x.path) }

// Header returns the in-memory header.
func (x *File) Header() Header {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.h
}

func (x *File) BeginTimestamp() int64 { x.mu.RLock(); defer x.mu.RUnlock(); return x.h.BeginTimestamp }
func (x *File) EndTimestamp() int64   { x.mu.RLock(); defer x.mu.RUnlock(); return x.h.EndTimestamp }
func (x *File) BeginPhyOffset() int64 { x.mu.RLock(); defer x.mu.RUnlock(); return x.h.BeginPhyOffset }
func (x *File) EndPhyOffset() int64   { x.mu.RLock(); defer x.mu.RUnlock(); return x.h.EndPhyOffset }

// IsFull reports indexCount >= maxIndex (Java isWriteFull).
func (x *File) IsFull() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return int(x.h.IndexCount) >= x.maxIndex
}

// Slot returns the value stored in slot s.
func (x *File) Slot(s int) int32 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return int32(binary.BigEndian.Uint32(x.data[HeaderSize+s*SlotSize:]))
}

// Entry returns entry n as stored (0 <= n < maxIndex).
func (x *File) Entry(n int) Entry {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p := x.data[x.entries+n*EntrySize:]
	return Entry{
		KeyHash:   int32(binary.BigEndian.Uint32(p)),
		PhyOffset: int64(binary.BigEndian.Uint64(p[4:])),
		TimeDiff:  int32(binary.BigEndian.Uint32(p[12:])),
		PrevIndex: int32(binary.BigEndian.Uint32(p[16:])),
	}
}

func (x *File) putInt(off int, v int32)  { binary.BigEndian.PutUint32(x.data[off:], uint32(v)) }
func (x *File) putLong(off int, v int64) { binary.BigEndian.PutUint64(x.data[off:], uint64(v)) }

func (x *File) setBeginTimestamp(v int64) { x.h.BeginTimestamp = v; x.putLong(offBeginTimestamp, v) }
func (x *File) setEndTimestamp(v int64)   { x.h.EndTimestamp = v; x.putLong(offEndTimestamp, v) }
func (x *File) setBeginPhyOffset(v int64) { x.h.BeginPhyOffset = v; x.putLong(offBeginPhyOffset, v) }
func (x *File) setEndPhyOffset(v int64)   { x.h.EndPhyOffset = v; x.putLong(offEndPhyOffset, v) }

// Put adds key for the record at phyOffset stored at storeTimestamp (ms).
// It returns false when the file is full (or closed).
func (x *File) Put(key string, phyOffset, storeTimestamp int64) bool {
	return x.PutHash(KeyHash(key), phyOffset, storeTimestamp)
}

// PutHash is Put with a precomputed KeyHash (must be >= 0).
func (x *File) PutHash(keyHash int32, phyOffset, storeTimestamp int64) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	count := x.h.IndexCount
	if x.closed || int(count) >= x.maxIndex || count < 0 {
		return false
	}
	slotPos := HeaderSize + int(keyHash)%x.slots*SlotSize
	slotValue := int32(binary.BigEndian.Uint32(x.data[slotPos:]))
	if slotValue <= 0 || slotValue > count {
		slotValue = 0
	}
	timeDiff := (storeTimestamp - x.h.BeginTimestamp) / 1000
	switch {
	case x.h.BeginTimestamp <= 0:
		timeDiff = 0
	case timeDiff > math.MaxInt32:
		timeDiff = math.MaxInt32
	case timeDiff < 0:
		timeDiff = 0
	}
	p := x.entries + int(count)*EntrySize
	x.putInt(p, keyHash)
	x.putLong(p+4, phyOffset)
	x.putInt(p+12, int32(timeDiff))
	x.putInt(p+16, slotValue)
	x.putInt(slotPos, count)
	if count <= 1 {
		x.setBeginPhyOffset(phyOffset)
		x.setBeginTimestamp(storeTimestamp)
	}
	if slotValue == 0 {
		x.h.HashSlotCount++
		x.putInt(offHashSlotCount, x.h.HashSlotCount)
	}
	x.h.IndexCount++
	x.putInt(offIndexCount, x.h.IndexCount)
	x.setEndPhyOffset(phyOffset)
	x.setEndTimestamp(storeTimestamp)
	return true
}

// TimeMatched reports whether [begin,end] overlaps the file's time range
// (Java isTimeMatched).
func (x *File) TimeMatched(begin, end int64) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.timeMatched(begin, end)
}

func (x *File) timeMatched(begin, end int64) bool {
	b, e := x.h.BeginTimestamp, x.h.EndTimestamp
	return (begin < b && end > e) ||
		(begin >= b && begin <= e) ||
		(end >= b && end <= e)
}

// Query returns the phy offsets of entries whose hash equals key's and
// whose time is within [begin,end], newest first, at most maxNum.
func (x *File) Query(key string, maxNum int, begin, end int64) []int64 {
	return x.AppendQuery(nil, KeyHash(key), maxNum, begin, end)
}

// AppendQuery is Java's selectPhyOffset: it appends to dst until len(dst)
// reaches maxNum.
func (x *File) AppendQuery(dst []int64, keyHash int32, maxNum int, begin, end int64) []int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return dst
	}
	count := x.h.IndexCount
	slotValue := int32(binary.BigEndian.Uint32(x.data[HeaderSize+int(keyHash)%x.slots*SlotSize:]))
	if slotValue <= 0 || slotValue > count || count <= 1 {
		return dst
	}
	for next := slotValue; len(dst) < maxNum; {
		p := x.entries + int(next)*EntrySize
		if p+EntrySize > len(x.data) {
			break // Java: IndexOutOfBoundsException, logged
		}
		e := x.data[p : p+EntrySize]
		hashRead := int32(binary.BigEndian.Uint32(e))
		phyRead := int64(binary.BigEndian.Uint64(e[4:]))
		timeDiff := int64(int32(binary.BigEndian.Uint32(e[12:])))
		prev := int32(binary.BigEndian.Uint32(e[16:]))
		if timeDiff < 0 {
			break
		}
		timeRead := x.h.BeginTimestamp + timeDiff*1000
		if hashRead == keyHash && timeRead >= begin && timeRead <= end {
			dst = append(dst, phyRead)
		}
		if prev <= 0 || prev > count || prev == next || timeRead < begin {
			break
		}
		next = prev
	}
	return dst
}

// Flush writes the whole header into the mapping and msyncs (Java flush).
func (x *File) Flush() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.writeHeader()
	if err := x.data.Flush(); err != nil {
		return fmt.Errorf("flush index file %s: %w", x.path, err)
	}
	return nil
}

func (x *File) writeHeader() {
	x.putLong(offBeginTimestamp, x.h.BeginTimestamp)
	x.putLong(offEndTimestamp, x.h.EndTimestamp)
	x.putLong(offBeginPhyOffset, x.h.BeginPhyOffset)
	x.putLong(offEndPhyOffset, x.h.EndPhyOffset)
	x.putInt(offHashSlotCount, x.h.HashSlotCount)
	x.putInt(offIndexCount, x.h.IndexCount)
}

// Close unmaps the file without flushing (Java's shutdown does not flush
// index files either; the mapping's pages reach disk through the OS).
func (x *File) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	err := x.data.Unmap()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Destroy closes and deletes the file.
func (x *File) Destroy() error {
	err := x.Close()
	if rerr := os.Remove(x.path); err == nil {
		err = rerr
	}
	return err
}
