package mappedfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sirupsen/logrus"
)

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func open(t *testing.T, dir string, size int, pre bool) *Queue {
	t.Helper()
	q, err := Open(Config{Dir: dir, FileSize: size, Preallocate: pre, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// appendAll appends records of n bytes, rolling to a new file when one does
// not fit (the caller's job; the commitlog writes a BLANK record there).
func appendAll(t *testing.T, q *Queue, recs [][]byte) []int64 {
	t.Helper()
	var offs []int64
	for _, r := range recs {
		f, err := q.LastForAppend(0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Free() < len(r) {
			f.SetWrote(f.Size()) // leave the tail, as after a BLANK record
			if f, err = q.LastForAppend(0); err != nil {
				t.Fatal(err)
			}
		}
		offs = append(offs, f.Start()+int64(f.Wrote()))
		if !f.Append(r) {
			t.Fatalf("append of %d bytes into %d free", len(r), f.Free())
		}
	}
	return offs
}

func TestAppendRollFindReload(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1024, true)
	var recs [][]byte
	for i := 0; i < 40; i++ {
		recs = append(recs, bytes.Repeat([]byte{byte('a' + i%26)}, 100))
	}
	offs := appendAll(t, q, recs)
	if n := len(q.Files()); n != 4 {
		t.Fatalf("%d files, want 4 (10 records of 100 B per 1 KiB file)", n)
	}
	for i, off := range offs {
		f := q.Find(off)
		if f == nil {
			t.Fatalf("record %d at %d: no file", i, off)
		}
		pos := int(off - f.Start())
		if !bytes.Equal(f.Bytes()[pos:pos+100], recs[i]) {
			t.Fatalf("record %d reads back wrong", i)
		}
	}
	if q.Find(-1) != nil || q.Find(q.Last().Start()+1024) != nil {
		t.Fatal("Find outside the queue returned a file")
	}
	if _, err := q.Flush(); err != nil {
		t.Fatal(err)
	}
	if q.Flushed() != q.MaxOffset() {
		t.Fatalf("flushed %d, max %d", q.Flushed(), q.MaxOffset())
	}
	// The next file was pre-created on disk when the last one was made.
	next := filepath.Join(dir, FileName(q.Last().Start()+1024))
	if st, err := os.Stat(next); err != nil || st.Size() != 1024 {
		t.Fatalf("pre-allocated file: %v %v", st, err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	// Like Java, the unused spare is deleted on shutdown.
	if _, err := os.Stat(next); !os.IsNotExist(err) {
		t.Fatalf("spare file left behind: %v", err)
	}

	q = open(t, dir, 1024, false)
	defer q.Close()
	if n := len(q.Files()); n != 4 {
		t.Fatalf("reloaded %d files", n)
	}
	f := q.Find(offs[39])
	pos := int(offs[39] - f.Start())
	if !bytes.Equal(f.Bytes()[pos:pos+100], recs[39]) {
		t.Fatal("data lost across reopen")
	}
}

func TestOpenRefusesWhatJavaRefuses(t *testing.T) {
	cases := map[string]func(dir string){
		"wrong size": func(dir string) {
			_ = os.WriteFile(filepath.Join(dir, FileName(0)), make([]byte, 1000), 0o644)
		},
		"gap": func(dir string) {
			_ = os.WriteFile(filepath.Join(dir, FileName(0)), make([]byte, 1024), 0o644)
			_ = os.WriteFile(filepath.Join(dir, FileName(2048)), make([]byte, 1024), 0o644)
		},
	}
	for name, setup := range cases {
		dir := t.TempDir()
		setup(dir)
		if _, err := Open(Config{Dir: dir, FileSize: 1024, Logger: quiet()}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
	// Names that are not 20-digit offsets are ignored, as Java skips them.
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o644)
	q := open(t, dir, 1024, false)
	defer q.Close()
	if len(q.Files()) != 0 {
		t.Fatal("loaded a file that is not a mapped file")
	}
}

func TestTruncateTo(t *testing.T) {
	q := open(t, t.TempDir(), 1024, false)
	defer q.Close()
	var recs [][]byte
	for i := 0; i < 25; i++ {
		recs = append(recs, bytes.Repeat([]byte{0xAB}, 100))
	}
	offs := appendAll(t, q, recs)
	cut := offs[12] // inside the second file
	if err := q.TruncateTo(cut); err != nil {
		t.Fatal(err)
	}
	if q.MaxOffset() != cut || len(q.Files()) != 2 {
		t.Fatalf("max %d files %d after truncating to %d", q.MaxOffset(), len(q.Files()), cut)
	}
	f := q.Last()
	if tail := f.Bytes()[cut-f.Start():]; bytes.IndexFunc(tail, func(r rune) bool { return r != 0 }) >= 0 {
		t.Fatal("bytes past the truncation point not zeroed")
	}
	// Appending continues at the cut.
	got := appendAll(t, q, [][]byte{[]byte("next")})
	if got[0] != cut {
		t.Fatalf("next append at %d, want %d", got[0], cut)
	}
}

func TestDeleteFirstWaitsForReaders(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, 1024, false)
	defer q.Close()
	appendAll(t, q, [][]byte{make([]byte, 1000), make([]byte, 1000)})
	first := q.First()
	if !first.Hold() {
		t.Fatal("hold failed")
	}
	q.DeleteFirst(1)
	if q.MinOffset() != 1024 {
		t.Fatalf("min offset %d after deleting the first file", q.MinOffset())
	}
	if first.Hold() {
		t.Fatal("a retired file accepted a new reader")
	}
	// Still mapped and on disk for the reader holding it.
	_ = first.Bytes()[0]
	if _, err := os.Stat(first.Path()); err != nil {
		t.Fatalf("file removed under a reader: %v", err)
	}
	first.Release()
	if _, err := os.Stat(first.Path()); !os.IsNotExist(err) {
		t.Fatalf("file kept after the last reader: %v", err)
	}
}

func BenchmarkAppend1KiB(b *testing.B) {
	q, err := Open(Config{Dir: b.TempDir(), FileSize: 64 << 20, Preallocate: true, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	rec := make([]byte, 1024)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := q.LastForAppend(0)
		if err != nil {
			b.Fatal(err)
		}
		if !f.Append(rec) {
			f.SetWrote(f.Size())
		}
	}
}

// TestPreallocateWarmsOnlyWhenAsked: the file created ahead of the writer
// stays sparse by default (Java's warmMapedFileEnable=false), so a broker
// that has stored one message does not hold a whole file of memory and
// disk; with Warm every page is touched and backed by disk blocks.
func TestPreallocateWarmsOnlyWhenAsked(t *testing.T) {
	const size = 8 << 20
	for _, warm := range []bool{false, true} {
		t.Run(fmt.Sprintf("warm=%v", warm), func(t *testing.T) {
			dir := t.TempDir()
			q, err := Open(Config{Dir: dir, FileSize: size, Preallocate: true, Warm: warm, Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := q.LastForAppend(0); err != nil {
				t.Fatal(err)
			}
			q.wg.Wait() // the background pre-allocation is done
			defer q.Close()
			var st syscall.Stat_t
			if err := syscall.Stat(filepath.Join(dir, FileName(size)), &st); err != nil {
				t.Fatalf("the next file was not pre-allocated: %v", err)
			}
			used := st.Blocks * 512
			if warm && used < size/2 {
				t.Fatalf("warmed file uses %d bytes on disk, want about %d", used, size)
			}
			if !warm && used > size/8 {
				t.Fatalf("unwarmed file uses %d bytes on disk, want a sparse file", used)
			}
		})
	}
}
