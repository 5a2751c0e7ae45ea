package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
)

// javaStore is the store a Java 4.9.7 broker wrote, with the text Java's
// mqadmin printed for it while that broker ran (times in UTC).
const javaStore = "../../../shared/testdata/java-4.9.7/store-small"

func javaOutput(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(javaStore, "mqadmin", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyStore copies the read-only fixture store into a writable temp dir.
func copyStore(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "store")
	err := filepath.WalkDir(javaStore, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(javaStore, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// diff reports the first differing line of two texts.
func diff(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("%s differs from Java at line %d:\n got %q\nwant %q\n--- got:\n%s", what, i+1, gl, wl, got)
		}
	}
	t.Fatalf("%s differs from Java (line ends):\n got %q\nwant %q", what, got, want)
}

// TestJavaStoreOutputsMatch takes over the Java broker's store and runs
// the commands Java's mqadmin was run with; the output must be Java's,
// byte for byte, except for the live consume TPS and the body file
// directory.
func TestJavaStoreOutputsMatch(t *testing.T) {
	c := startCluster(t, copyStore(t), map[string]string{
		"mappedFileSizeCommitLog":    "1048576",
		"mappedFileSizeConsumeQueue": "6000",
	})
	c.waitRoute("FixtureTopic", func(*body.TopicRouteData) bool { return true })

	for _, topic := range []string{"FixtureTopic", "FillTopic", "%RETRY%FixtureGroup", "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC"} {
		r := c.mqadmin("topicStatus", "-t", topic).ok(t)
		diff(t, "topicStatus "+topic, r.stdout, javaOutput(t, "topicStatus-"+topic+".txt"))
	}

	r := c.mqadmin("consumerProgress", "-g", "FixtureGroup").ok(t)
	want := javaOutput(t, "consumerProgress-FixtureGroup.txt")
	// The consume TPS is a rate measured while Java's consumer ran.
	want = strings.Replace(want, "Consume TPS: 0.02\n", "Consume TPS: 0.00\n", 1)
	diff(t, "consumerProgress", r.stdout, want)

	r = c.mqadmin("queryMsgByKey", "-t", "FixtureTopic", "-k", "extra-key-19").ok(t)
	diff(t, "queryMsgByKey", r.stdout, javaOutput(t, "queryMsgByKey-extra-key-19.txt"))

	r = c.mqadmin("queryMsgByUniqueKey", "-t", "FixtureTopic", "-i", "C000020205EF5FFD2B2769360E32001B").ok(t)
	want = strings.ReplaceAll(javaOutput(t, "queryMsgByUniqueKey-C000020205EF5FFD2B2769360E32001B.txt"), defaultBodyDir, c.bodyDir)
	diff(t, "queryMsgByUniqueKey", r.stdout, want)
	if b, err := os.ReadFile(filepath.Join(c.bodyDir, "C000020205EF5FFD2B2769360E32001B")); err != nil || len(b) == 0 {
		t.Fatalf("body file: %v %q", err, b)
	}

	// topicList.txt was taken before the transaction phase created
	// RMQ_SYS_TRANS_HALF_TOPIC (whose topicStatus was taken later); every
	// other topic must be listed, one per line.
	r = c.mqadmin("topicList").ok(t)
	gotTopics := map[string]bool{}
	for _, l := range r.lines() {
		gotTopics[l] = true
	}
	wantTopics := strings.Split(strings.TrimSpace(javaOutput(t, "topicList.txt")), "\n")
	for _, w := range wantTopics {
		if !gotTopics[w] {
			t.Fatalf("topicList lacks %s:\n%s", w, r.stdout)
		}
	}
	if len(gotTopics) != len(wantTopics)+1 || !gotTopics["RMQ_SYS_TRANS_HALF_TOPIC"] {
		t.Fatalf("topicList: %d topics, want Java's %d and RMQ_SYS_TRANS_HALF_TOPIC:\n%s", len(gotTopics), len(wantTopics), r.stdout)
	}

	r = c.mqadmin("updateTopic", "-c", "DefaultCluster", "-t", "FixtureTopic", "-r", "4", "-w", "4").ok(t)
	diff(t, "updateTopic", r.stdout, strings.ReplaceAll(javaOutput(t, "updateTopic-FixtureTopic.txt"), "127.0.0.1:20911", c.brokerAddr))

	// brokerStatus: the keys rocketgo reports are a subset of Java's; those
	// that describe the store must have Java's values, laid out as Java's.
	r = c.mqadmin("brokerStatus", "-b", c.brokerAddr).ok(t)
	for _, line := range []string{
		"brokerVersion                   : 407",
		"brokerVersionDesc               : V4_9_7",
		"commitLogMaxOffset              : 1410097",
		"commitLogMinOffset              : 0",
	} {
		if !strings.Contains(r.stdout, line+"\n") {
			t.Fatalf("brokerStatus lacks %q:\n%s", line, r.stdout)
		}
	}
	keys := []string{}
	for _, l := range r.lines() {
		k, _, ok := strings.Cut(l, ": ")
		name := strings.TrimRight(k, " ")
		if !ok || (len(name) < 32 && len(k) != 32) {
			t.Fatalf("brokerStatus line %q not %%-32s: %%s", l)
		}
		keys = append(keys, name)
	}
	if !sort.StringsAreSorted(keys) {
		t.Fatalf("brokerStatus keys not sorted: %v", keys)
	}
}

// TestQueryMsgByIDLayoutMatchesJava renders the two messages Java's
// queryMsgById printed, decoded from the Java commitlog (one compressed),
// and compares with Java's text: the properties in HashMap order, the
// times, hosts and flags. (Run live, the offset ids would point at the
// Java broker's address, 127.0.0.1:20911.)
func TestQueryMsgByIDLayoutMatchesJava(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(javaStore, "commitlog", "00000000000000000000"))
	if err != nil {
		t.Fatal(err)
	}
	tracks := []admin.MessageTrack{{ConsumerGroup: "FixtureGroup", TrackType: admin.TrackNotOnline,
		ExceptionDesc: "CODE:206 DESC:the consumer group[FixtureGroup] not online"}}
	for _, tc := range []struct {
		offset   int
		id       string
		bodySize int
		bodySHA  string
	}{
		{0, "7F000001000051AF0000000000000000", 9, "1bbcad29320f20847a515cc854063cda0ddaea20cdcff45eb6b5e0e9ee15fbd4"},
		{5683, "7F000001000051AF0000000000001633", 6000, ""},
	} {
		msgs, err := admin.DecodeMessages(data[tc.offset:])
		if len(msgs) == 0 {
			t.Fatalf("decode at %d: %v", tc.offset, err)
		}
		m := msgs[0]
		if m.OffsetMsgID != tc.id {
			t.Fatalf("offset id %s, want %s", m.OffsetMsgID, tc.id)
		}
		if len(m.Body) != tc.bodySize {
			t.Fatalf("%s: body of %d bytes, want %d (uncompressed)", tc.id, len(m.Body), tc.bodySize)
		}
		if tc.bodySHA != "" {
			if s := sha256.Sum256(m.Body); hex.EncodeToString(s[:]) != tc.bodySHA {
				t.Fatalf("%s: body sha256 %x", tc.id, s)
			}
		}
		var out bytes.Buffer
		renderMessageDetail(&output{w: &out}, io.Discard, time.UTC, m, true, defaultBodyDir+"/"+m.MsgID(), tracks, nil)
		diff(t, "queryMsgById "+tc.id, out.String(), javaOutput(t, "queryMsgById-"+tc.id+".txt"))
	}
}
