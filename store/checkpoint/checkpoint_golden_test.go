package checkpoint

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGoldenFile pins the bytes of the checkpoint file this package writes
// (Java StoreCheckpoint: three big-endian longs in a 4 KiB page), so a
// change of the layout fails here. Regenerate with -update only for a
// deliberate change.
func TestGoldenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint")
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c.SetPhysicMsgTimestamp(1795256354751)
	c.SetLogicsMsgTimestamp(1795256364989)
	c.SetIndexMsgTimestamp(1700000000000)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := dump(b)
	golden := filepath.Join("testdata", "checkpoint.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != got {
		t.Fatalf("differs from %s:\n%s", golden, got)
	}
}

// dump is a hex dump in which a run of zero rows after the first shows as
// one "*" (as hexdump prints it), ending with the length, so a 4 KiB page
// of mostly zeros stays readable.
func dump(b []byte) string {
	var out strings.Builder
	zero := make([]byte, 16)
	starred := false
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		if off >= 16 && bytes.Equal(row, zero) && bytes.Equal(b[off-16:off], zero) {
			if !starred {
				out.WriteString("*\n")
				starred = true
			}
			continue
		}
		starred = false
		fmt.Fprintf(&out, "%08x  % x\n", off, row)
	}
	fmt.Fprintf(&out, "%08x\n", len(b))
	return out.String()
}
