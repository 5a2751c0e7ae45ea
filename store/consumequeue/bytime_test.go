package consumequeue

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/mappedfile"
)

// TestOffsetByTimeQuirks drives Java's getOffsetInQueueByTime corner cases
// on a queue of 25 entries, 10 per file: entry i is the record at
// commitlog offset 100·i, stored at time 1000 + 10·i.
func TestOffsetByTimeQuirks(t *testing.T) {
	dir := t.TempDir()
	q, err := Open(Config{Dir: dir, FileSize: 10 * UnitSize, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if got := q.OffsetByTime(1000, 0, nil); got != 0 {
		t.Fatalf("empty queue answered %d", got)
	}
	for i := int64(0); i < 25; i++ {
		if ok, err := q.Put(i, Entry{Offset: i * 100, Size: 100}); !ok || err != nil {
			t.Fatal(i, ok, err)
		}
	}
	times := func(phys int64, size int32) int64 { return 1000 + phys/100*10 }
	mtime := func(file int, ms int64) {
		t.Helper()
		mt := time.UnixMilli(ms)
		if err := os.Chtimes(filepath.Join(dir, mappedfile.FileName(int64(file*10*UnitSize))), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	future := time.Now().Add(time.Hour).UnixMilli()
	cases := []struct {
		name    string
		mtimes  [3]int64
		minPhys int64
		ts      int64
		times   StoreTimeFunc
		want    int64
	}{
		{"exact", [3]int64{future, future, future}, 0, 1030, times, 3},
		{"tie goes to the earlier", [3]int64{future, future, future}, 0, 1055, times, 5},
		{"nearer later", [3]int64{future, future, future}, 0, 1056, times, 6},
		{"before all", [3]int64{future, future, future}, 0, 0, times, 0},
		{"past the searched file", [3]int64{future, future, future}, 0, 5000, times, 9},
		{"second file by mtime", [3]int64{1090, 1190, 1240}, 0, 1091, times, 10},
		{"no file new enough: the last", [3]int64{1, 2, 3}, 0, 5000, times, 24},
		{"unreadable time ends with 0", [3]int64{future, future, future}, 0, 1030,
			func(int64, int32) int64 { return -1 }, 0},
		// Entries below the commitlog minimum are passed over leftwards
		// without a time; the answer is the first with one.
		{"deleted commitlog below", [3]int64{future, future, future}, 500, 0, times, 5},
		// Every entry of the searched file is below the minimum: Java's
		// position stays -1 and (fileStart - 1) / 20 is answered.
		{"all deleted, first file", [3]int64{future, future, future}, 1000, 0, times, 0},
		{"all deleted, second file", [3]int64{1, future, future}, 2000, 5, times, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i, ms := range tc.mtimes {
				mtime(i, ms)
			}
			if got := q.OffsetByTime(tc.ts, tc.minPhys, tc.times); got != tc.want {
				t.Fatalf("OffsetByTime(%d) = %d, want %d", tc.ts, got, tc.want)
			}
		})
	}
	// The search starts at the queue's minimum.
	for i := range 3 {
		mtime(i, future)
	}
	q.CorrectMinOffset(300)
	if got := q.OffsetByTime(0, 0, times); got != 3 {
		t.Fatalf("with min offset 3, before-all answered %d", got)
	}
}
