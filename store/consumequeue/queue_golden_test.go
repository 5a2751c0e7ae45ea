package consumequeue

import (
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGoldenFiles pins the bytes of consume queue files this package
// writes (Java ConsumeQueue: 20-byte big-endian units of commitlog offset,
// size, tags code; fillers before a late first entry), so a change of the
// layout fails here. Regenerate with -update only for a deliberate change.
func TestGoldenFiles(t *testing.T) {
	const unitsPerFile = 6
	for _, c := range []struct {
		name    string
		first   int64 // queue offset of the first entry
		entries []Entry
	}{
		{"entries", 0, []Entry{
			{Offset: 0, Size: 204, TagsCode: 2598919}, // "TagA".hashCode()
			{Offset: 204, Size: 221, TagsCode: 0},
			{Offset: 425, Size: 1 << 20, TagsCode: -1}, // negative tags code (a delay-queue time would be positive)
			{Offset: 1<<40 + 7, Size: 99, TagsCode: 1795256469270},
			{Offset: 1<<40 + 106, Size: 100, TagsCode: 2598920},
		}},
		// A queue whose first message has queue offset 8 starts in its
		// second file, behind two fillers (Java fillPreBlank).
		{"late-start", 8, []Entry{
			{Offset: 4096, Size: 300, TagsCode: 2598919},
			{Offset: 4396, Size: 301, TagsCode: 2598920},
		}},
		// Seven entries roll into a second file.
		{"roll", 0, []Entry{
			{0, 100, 1}, {100, 100, 2}, {200, 100, 3}, {300, 100, 4}, {400, 100, 5}, {500, 100, 6}, {600, 100, 7},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			q, err := Open(Config{Dir: dir, FileSize: unitsPerFile * UnitSize, Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Recover(); err != nil {
				t.Fatal(err)
			}
			for i, e := range c.entries {
				if ok, err := q.Put(c.first+int64(i), e); !ok || err != nil {
					t.Fatalf("put %d: %v %v", i, ok, err)
				}
			}
			if err := q.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			got := dumpDir(t, dir)
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if string(want) != got {
				t.Fatalf("differs from %s:\n%s", path, got)
			}
			// And the files read back as the entries that were put.
			q, err = Open(Config{Dir: dir, FileSize: unitsPerFile * UnitSize, Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			if err := q.Recover(); err != nil {
				t.Fatal(err)
			}
			if q.MaxOffset() != c.first+int64(len(c.entries)) {
				t.Fatalf("max offset %d after reopen", q.MaxOffset())
			}
			for i, e := range c.entries {
				if g, ok := q.Get(c.first + int64(i)); !ok || g != e {
					t.Errorf("entry %d reads back as %+v %v", i, g, ok)
				}
			}
		})
	}
}

// dumpDir renders every file of a queue directory: name, then hex dump.
func dumpDir(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out += "file " + e.Name() + "\n" + hex.Dump(b)
	}
	return out
}
