// Package checkpoint is the store's checkpoint file, byte-identical to
// Java 4.9.7's StoreCheckpoint.
//
// # Layout
//
// The file "checkpoint" is 4096 bytes (one mapped page), big-endian:
//
//	offset  size  field
//	0       8     physicMsgTimestamp: store time of the last commitlog record flushed
//	8       8     logicsMsgTimestamp: store time of the last record put in a consume queue
//	16      8     indexMsgTimestamp: end time of the last index file flushed when full
//	24      4072  zero (5.x puts masterFlushedOffset and confirmPhyOffset at 24 and 32)
//
// Values are kept in memory and written with Flush (Java forces it on the
// thorough consume-queue flush, a full index file, and shutdown). A missing
// file reads as zeros.
package checkpoint

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/edsrzf/mmap-go"
	"os"
)

// FileSize is the checkpoint file's size.
const FileSize = 4096

// Checkpoint holds the three timestamps (Unix milliseconds).
type Checkpoint struct {
	f    *os.File
	data mmap.MMap

	physic atomic.Int64
	logics atomic.Int64
	index  atomic.Int64
}

// Open maps path, creating a zeroed file when missing, and reads the values.
func Open(path string) (*Checkpoint, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint: %w", err)
	}
	st, err := f.Stat()
	if err == nil && st.Size() < FileSize {
		err = f.Truncate(FileSize)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("size checkpoint %s: %w", path, err)
	}
	data, err := mmap.MapRegion(f, FileSize, mmap.RDWR, 0, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("map checkpoint %s: %w", path, err)
	}
	c := &Checkpoint{f: f, data: data}
	c.physic.Store(int64(binary.BigEndian.Uint64(data[0:])))
	c.logics.Store(int64(binary.BigEndian.Uint64(data[8:])))
	c.index.Store(int64(binary.BigEndian.Uint64(data[16:])))
	return c, nil
}

func (c *Checkpoint) PhysicMsgTimestamp() int64 { return c.physic.Load() }
func (c *Checkpoint) LogicsMsgTimestamp() int64 { return c.logics.Load() }
func (c *Checkpoint) IndexMsgTimestamp() int64  { return c.index.Load() }

func (c *Checkpoint) SetPhysicMsgTimestamp(ms int64) { c.physic.Store(ms) }
func (c *Checkpoint) SetLogicsMsgTimestamp(ms int64) { c.logics.Store(ms) }
func (c *Checkpoint) SetIndexMsgTimestamp(ms int64)  { c.index.Store(ms) }

// MinTimestamp is where abnormal recovery may start: the older of the
// physic and logics times, less 3 s (Java getMinTimestamp).
func (c *Checkpoint) MinTimestamp() int64 {
	m := min(c.physic.Load(), c.logics.Load()) - 3000
	return max(m, 0)
}

// MinTimestampIndex also covers the index (Java getMinTimestampIndex).
func (c *Checkpoint) MinTimestampIndex() int64 {
	return min(c.MinTimestamp(), c.index.Load())
}

// Flush writes the values into the mapping and forces it to disk.
func (c *Checkpoint) Flush() error {
	binary.BigEndian.PutUint64(c.data[0:], uint64(c.physic.Load()))
	binary.BigEndian.PutUint64(c.data[8:], uint64(c.logics.Load()))
	binary.BigEndian.PutUint64(c.data[16:], uint64(c.index.Load()))
	if err := c.data.Flush(); err != nil {
		return fmt.Errorf("flush checkpoint: %w", err)
	}
	return nil
}

// Close flushes and unmaps.
func (c *Checkpoint) Close() error {
	err := c.Flush()
	if uerr := c.data.Unmap(); err == nil && uerr != nil {
		err = uerr
	}
	if cerr := c.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}
