package checkpoint

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const javaCheckpoint = "../../../shared/testdata/java-4.9.7/store-small/checkpoint"

func TestReadsJavaCheckpointAndWritesItBack(t *testing.T) {
	java, err := os.ReadFile(javaCheckpoint)
	if err != nil {
		t.Fatalf("Java fixture missing: %v", err)
	}
	path := filepath.Join(t.TempDir(), "checkpoint")
	if err := os.WriteFile(path, java, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Values from the fixture's MANIFEST.json.
	if c.PhysicMsgTimestamp() != 1795256354751 || c.LogicsMsgTimestamp() != 1795256364989 || c.IndexMsgTimestamp() != 0 {
		t.Fatalf("read %d %d %d", c.PhysicMsgTimestamp(), c.LogicsMsgTimestamp(), c.IndexMsgTimestamp())
	}
	if c.MinTimestamp() != 1795256354751-3000 || c.MinTimestampIndex() != 0 {
		t.Fatalf("min timestamps %d %d", c.MinTimestamp(), c.MinTimestampIndex())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, java) {
		t.Fatal("rewriting the same values changed the file")
	}
}

func TestNewCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint")
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.MinTimestamp() != 0 {
		t.Fatalf("fresh min timestamp %d", c.MinTimestamp())
	}
	c.SetPhysicMsgTimestamp(10_000)
	c.SetLogicsMsgTimestamp(20_000)
	c.SetIndexMsgTimestamp(5_000)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() != FileSize {
		t.Fatalf("file has %d bytes", st.Size())
	}
	c, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.PhysicMsgTimestamp() != 10_000 || c.LogicsMsgTimestamp() != 20_000 || c.IndexMsgTimestamp() != 5_000 ||
		c.MinTimestamp() != 7_000 || c.MinTimestampIndex() != 5_000 {
		t.Fatal("values lost across reopen")
	}
}
