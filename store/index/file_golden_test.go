package index

import (
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGoldenFiles pins the bytes of index files this package writes (Java
// IndexFile: 40-byte header, slot table, linked 20-byte entries), so a
// change of the layout fails here. Regenerate with -update only for a
// deliberate change.
func TestGoldenFiles(t *testing.T) {
	const slots, maxIndex = 8, 12
	const t0 = int64(1700000000000)
	type put struct {
		key  string
		hash int32 // used when key is ""
		phys int64
		ts   int64
	}
	for _, c := range []struct {
		name           string
		seedPhy, seedT int64 // CreateAfter values (a file following a full one)
		puts           []put
		query          string
		want           []int64
	}{
		{"puts", 0, 0, []put{
			{key: "TopicTest#OrderID188", phys: 0, ts: t0},
			{key: "TopicTest#AC1100017A3C18B4AAC25C9F4D2A0000", phys: 0, ts: t0},
			{hash: 3, phys: 204, ts: t0 + 1500},  // slot 3
			{hash: 11, phys: 425, ts: t0 + 2500}, // slot 3 again: chained to the entry before
			{key: "TopicTest#OrderID188", phys: 646, ts: t0 + 61_000},
		}, "TopicTest#OrderID188", []int64{646, 0}},
		{"after-full", 1410097, t0 + 90_000, []put{
			{key: "FixtureTopic#crash-key-0", phys: 1410097, ts: t0 + 90_500},
			{key: "FixtureTopic#crash-key-1", phys: 1410318, ts: t0 + 92_000},
		}, "FixtureTopic#crash-key-1", []int64{1410318}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "20231114221320000")
			f, err := CreateAfter(path, slots, maxIndex, c.seedPhy, c.seedT)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range c.puts {
				h := p.hash
				if p.key != "" {
					h = KeyHash(p.key)
				}
				if !f.PutHash(h, p.phys, p.ts) {
					t.Fatalf("put %d refused", i)
				}
			}
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := f.Query(c.query, 10, 0, t0+100_000); !slices.Equal(got, c.want) {
				t.Errorf("query %s: %v, want %v", c.query, got, c.want)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != FileSize(slots, maxIndex) {
				t.Fatalf("file has %d bytes, want %d", len(b), FileSize(slots, maxIndex))
			}
			golden := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(hex.Dump(b)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if string(want) != hex.Dump(b) {
				t.Fatalf("differs from %s:\n%s", golden, hex.Dump(b))
			}
			// The file reads back with the same header and answers.
			g, err := Open(path, slots, maxIndex)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if g.Header().IndexCount != int32(len(c.puts)+1) {
				t.Errorf("reopened index count %d", g.Header().IndexCount)
			}
			if got := g.Query(c.query, 10, 0, t0+100_000); !slices.Equal(got, c.want) {
				t.Errorf("reopened query %s: %v, want %v", c.query, got, c.want)
			}
		})
	}
}
