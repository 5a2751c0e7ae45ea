package mappedfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"
)

// File is one mapped file (Java MappedFile).
type File struct {
	path   string
	start  int64 // logical offset of byte 0 (the file name)
	size   int
	f      *os.File
	data   mmap.MMap
	wrote  atomic.Int64 // bytes written, from the start of the file
	flush  atomic.Int64 // bytes known to be on disk
	refs   atomic.Int64 // 1 for the queue + one per Hold
	gone   atomic.Bool  // removed from its queue; unmapped at refs==0
	delete bool         // remove the file from disk when unmapped
	once   sync.Once
}

// FileName is the 20-digit name of a file starting at offset.
func FileName(offset int64) string { return fmt.Sprintf("%020d", offset) }

// openFile maps path, creating it at full size if it does not exist.
func openFile(path string, start int64, size int) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open mapped file %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat mapped file %s: %w", path, err)
	}
	if st.Size() != int64(size) {
		if st.Size() != 0 {
			f.Close()
			return nil, fmt.Errorf("mapped file %s has %d bytes, want %d", path, st.Size(), size)
		}
		if err := f.Truncate(int64(size)); err != nil {
			f.Close()
			return nil, fmt.Errorf("size mapped file %s: %w", path, err)
		}
	}
	data, err := mmap.MapRegion(f, size, mmap.RDWR, 0, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("map %s: %w", path, err)
	}
	mf := &File{path: path, start: start, size: size, f: f, data: data}
	mf.refs.Store(1)
	return mf, nil
}

// Path is the file's path.
func (m *File) Path() string { return m.path }

// Name is the file's base name.
func (m *File) Name() string { return filepath.Base(m.path) }

// Start is the logical offset of the file's first byte.
func (m *File) Start() int64 { return m.start }

// Size is the file's fixed size.
func (m *File) Size() int { return m.size }

// Wrote is how many bytes of the file are written.
func (m *File) Wrote() int { return int(m.wrote.Load()) }

// Flushed is how many bytes of the file are known to be on disk.
func (m *File) Flushed() int { return int(m.flush.Load()) }

// ModTime is the file's modification time on disk (Java
// MappedFile.getLastModifiedTimestamp): retention ages commitlog files by
// it and the time search of a consume queue picks its file by it.
func (m *File) ModTime() (time.Time, error) {
	st, err := os.Stat(m.path)
	if err != nil {
		return time.Time{}, fmt.Errorf("stat mapped file: %w", err)
	}
	return st.ModTime(), nil
}

// Full reports whether nothing more fits.
func (m *File) Full() bool { return m.Wrote() >= m.size }

// Free is the room left.
func (m *File) Free() int { return m.size - m.Wrote() }

// Bytes is the whole mapping. Only the writer may write into it, and only
// at and beyond Wrote; readers read below Wrote.
func (m *File) Bytes() []byte { return m.data }

// Append copies b at the write position and publishes it. It reports false
// (writing nothing) when b does not fit.
func (m *File) Append(b []byte) bool {
	pos := m.wrote.Load()
	if int(pos)+len(b) > m.size {
		return false
	}
	copy(m.data[pos:], b)
	m.wrote.Store(pos + int64(len(b)))
	return true
}

// SetWrote publishes n written bytes after the writer filled
// Bytes()[Wrote():n] itself (an encoder writing in place), or moves the
// position back in recovery.
func (m *File) SetWrote(n int) { m.wrote.Store(int64(n)) }

// SetFlushed records that the first n bytes are on disk (recovery).
func (m *File) SetFlushed(n int) { m.flush.Store(int64(n)) }

// Flush writes the dirty pages between the flushed and the wrote position
// to disk (msync) and returns the new flushed position.
func (m *File) Flush() (int, error) {
	wrote := m.wrote.Load()
	flushed := m.flush.Load()
	if wrote <= flushed {
		return int(flushed), nil
	}
	page := int64(os.Getpagesize())
	from := flushed / page * page
	if err := unix.Msync(m.data[from:wrote], unix.MS_SYNC); err != nil {
		return int(flushed), fmt.Errorf("msync %s [%d,%d): %w", m.path, from, wrote, err)
	}
	m.flush.Store(wrote)
	return int(wrote), nil
}

// Hold takes a reader reference; it fails once the file has left its
// queue. Every successful Hold is paired with a Release.
func (m *File) Hold() bool {
	for {
		n := m.refs.Load()
		// A reader racing the retirement may still win; the mapping then
		// lives until its Release, which is all a reader needs.
		if n <= 0 || m.gone.Load() {
			return false
		}
		if m.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release drops a reference; the last one unmaps (and, for a deleted file,
// removes it).
func (m *File) Release() {
	if m.refs.Add(-1) == 0 {
		m.destroy()
	}
}

func (m *File) destroy() {
	m.once.Do(func() {
		_ = m.data.Unmap()
		_ = m.f.Close()
		if m.delete {
			_ = os.Remove(m.path)
		}
	})
}

// retire takes the file out of service: its queue reference is dropped and
// it is unmapped (and removed from disk when remove) once readers are done.
func (m *File) retire(remove bool) {
	if m.gone.Swap(true) {
		return
	}
	m.delete = remove
	m.Release()
}

// parseName returns the start offset a file name stands for.
func parseName(name string) (int64, bool) {
	if len(name) != 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(name, 10, 64)
	return n, err == nil && n >= 0
}
