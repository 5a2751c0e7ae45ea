package commitlog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestAppendReplica: replicated bytes land verbatim where the log ends,
// roll into the next file only at a boundary, and anything else is refused
// without writing.
func TestAppendReplica(t *testing.T) {
	const size = 4096
	chunk := func(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }
	t.Run("empty log starts at the master's file", func(t *testing.T) {
		dir := t.TempDir()
		c := openLog(t, dir, size, AsyncFlush)
		defer c.Close()
		var ends []int64
		c.cfg.OnAppend = func(end int64) { ends = append(ends, end) }
		if err := c.AppendReplica(3*size, chunk(1000, 1), chunk(24, 2)); err != nil {
			t.Fatal(err)
		}
		if c.MinOffset() != 3*size || c.MaxOffset() != 3*size+1024 || len(ends) != 1 || ends[0] != 3*size+1024 {
			t.Fatalf("log [%d,%d), OnAppend %v", c.MinOffset(), c.MaxOffset(), ends)
		}
		v, ok := c.ReadFrom(3 * size)
		if !ok || !bytes.Equal(v.Bytes, append(chunk(1000, 1), chunk(24, 2)...)) {
			t.Fatal("bytes differ")
		}
		v.Release()
		// The rest of the file, then the next file.
		if err := c.AppendReplica(3*size+1024, chunk(size-1024, 3)); err != nil {
			t.Fatal(err)
		}
		if err := c.AppendReplica(4*size, chunk(10, 4)); err != nil {
			t.Fatal(err)
		}
		if c.MaxOffset() != 4*size+10 {
			t.Fatalf("end %d", c.MaxOffset())
		}
	})
	t.Run("an empty file at 0 gives way", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "00000000000000000000"), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		c := openLog(t, dir, size, AsyncFlush)
		defer c.Close()
		if _, err := c.Recover(false, 0, true); err != nil {
			t.Fatal(err)
		}
		if err := c.AppendReplica(2*size, chunk(8, 1)); err != nil {
			t.Fatal(err)
		}
		if c.MinOffset() != 2*size {
			t.Fatalf("log starts at %d", c.MinOffset())
		}
		if _, err := os.Stat(filepath.Join(dir, "00000000000000000000")); !os.IsNotExist(err) {
			t.Fatal("the empty file at 0 stayed")
		}
	})
	refused := []struct {
		name string
		off  int64
		n    int
	}{
		{"gap", 110, 5},
		{"overlap", 90, 5},
		{"crossing the file end", 100, size},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			c := openLog(t, t.TempDir(), size, AsyncFlush)
			defer c.Close()
			if err := c.AppendReplica(0, chunk(100, 1)); err != nil {
				t.Fatal(err)
			}
			if err := c.AppendReplica(tc.off, chunk(tc.n, 2)); !errors.Is(err, ErrReplicaOffset) {
				t.Fatalf("append %d at %d: %v", tc.n, tc.off, err)
			}
			if c.MaxOffset() != 100 {
				t.Fatalf("log moved to %d", c.MaxOffset())
			}
		})
	}
	t.Run("not at a file boundary in an empty log", func(t *testing.T) {
		c := openLog(t, t.TempDir(), size, AsyncFlush)
		defer c.Close()
		if err := c.AppendReplica(size+7, chunk(5, 1)); !errors.Is(err, ErrReplicaOffset) {
			t.Fatalf("append inside a file of an empty log: %v", err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		c := openLog(t, t.TempDir(), size, AsyncFlush)
		c.Close()
		if err := c.AppendReplica(0, chunk(5, 1)); !errors.Is(err, ErrClosed) {
			t.Fatalf("append to a closed log: %v", err)
		}
	})
}
