package store

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

const javaStores = "../../shared/testdata/java-4.9.7"

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// copyTree copies a Java fixture store so tests never modify it.
func copyTree(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy Java fixture store: %v", err)
	}
	return to
}

// fixtureConfig is the broker.conf the Java fixtures were written with.
func fixtureConfig(root string) Config {
	c := DefaultConfig(root)
	c.MappedFileSizeCommitLog = 1 << 20
	c.MappedFileSizeConsumeQueue = 6000
	c.MaxHashSlotNum = 1000
	c.MaxIndexNum = 4000
	c.Logger = quiet()
	return c
}

type manifest struct {
	ConsumeQueues map[string]map[string]struct {
		BrokerMinOffset int64 `json:"brokerMinOffset"`
		BrokerMaxOffset int64 `json:"brokerMaxOffset"`
	} `json:"consumeQueues"`
	Messages []struct {
		MsgID       string  `json:"msgId"`
		Topic       *string `json:"topic"`
		QueueID     int32   `json:"queueId"`
		QueueOffset int64   `json:"queueOffset"`
		Consumable  *bool   `json:"consumable"`
		CommitLog   int64   `json:"commitLogOffset"`
		OffsetMsgID string  `json:"offsetMsgId"`
	} `json:"messages"`
	JavaRecoveryResult json.RawMessage `json:"javaRecoveryResult"`
}

func loadManifest(t *testing.T, store string) manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(javaStores, store, "MANIFEST.json"))
	if err != nil {
		t.Fatalf("Java fixture missing: %v", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkMessages reads every manifest message at its (topic, queue, queue
// offset) and demands the record the Java broker stored there.
func checkMessages(t *testing.T, s *Store, m manifest) int {
	t.Helper()
	n := 0
	for _, msg := range m.Messages {
		if msg.Topic == nil || (msg.Consumable != nil && !*msg.Consumable) {
			continue
		}
		e, ok := s.Entry(*msg.Topic, msg.QueueID, msg.QueueOffset)
		if !ok {
			t.Errorf("%s: no entry at %s/%d/%d", msg.MsgID, *msg.Topic, msg.QueueID, msg.QueueOffset)
			continue
		}
		v, ok := s.CommitLog().Read(e.Offset, int(e.Size))
		if !ok {
			t.Errorf("%s: commitlog %d unreadable", msg.MsgID, e.Offset)
			continue
		}
		var r message.Record
		if err := r.Decode(v.Bytes, true); err != nil {
			t.Errorf("%s: %v", msg.MsgID, err)
		} else if u, _ := r.UniqKey(); string(u) != msg.MsgID || r.OffsetMsgID() != msg.OffsetMsgID {
			t.Errorf("%s: found %s / %s", msg.MsgID, u, r.OffsetMsgID())
		}
		v.Release()
		n++
	}
	return n
}

func checkQueues(t *testing.T, s *Store, m manifest) {
	t.Helper()
	for topic, byID := range m.ConsumeQueues {
		for id, q := range byID {
			var qid int32
			for _, c := range id {
				qid = qid*10 + int32(c-'0')
			}
			if lo, hi := s.MinOffsetInQueue(topic, qid), s.MaxOffsetInQueue(topic, qid); lo != q.BrokerMinOffset || hi != q.BrokerMaxOffset {
				t.Errorf("%s/%s: [%d,%d), Java [%d,%d)", topic, id, lo, hi, q.BrokerMinOffset, q.BrokerMaxOffset)
			}
		}
	}
}

func TestOpenJavaCleanStore(t *testing.T) {
	root := copyTree(t, filepath.Join(javaStores, "store-small"))
	m := loadManifest(t, "store-small")
	s, err := Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}
	if s.abnormal {
		t.Fatal("a cleanly shut down store recovered as abnormal")
	}
	if s.CommitLog().MaxOffset() != 1410097 {
		t.Fatalf("commitlog max %d, Java 1410097", s.CommitLog().MaxOffset())
	}
	checkQueues(t, s, m)
	if n := checkMessages(t, s, m); n < 28 {
		t.Fatalf("checked %d messages", n)
	}
	// A second process cannot open the same store.
	if _, err := Open(fixtureConfig(root)); err == nil {
		t.Fatal("opened a store another Store holds")
	}
	// The next FixtureTopic/0 message gets queue offset 11 at 1410097, as
	// the Java broker would have given it.
	rec := newRecord(t, "FixtureTopic", 0, "after-java")
	res, err := s.Put("FixtureTopic", 0, rec)
	if err != nil || res.QueueOffset != 11 || res.PhysOffset != 1410097 {
		t.Fatalf("put: %+v %v", res, err)
	}
	waitDispatched(t, s, "FixtureTopic", 0, 12)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "abort")); !os.IsNotExist(err) {
		t.Fatalf("abort marker left after a clean close: %v", err)
	}
	// Reopened, the new message is there.
	s, err = Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if s.MaxOffsetInQueue("FixtureTopic", 0) != 12 {
		t.Fatalf("max offset %d after reopen", s.MaxOffsetInQueue("FixtureTopic", 0))
	}
}

func TestOpenJavaCrashedStore(t *testing.T) {
	root := copyTree(t, filepath.Join(javaStores, "store-small-crashed"))
	if _, err := os.Stat(filepath.Join(root, "abort")); err != nil {
		t.Fatalf("fixture lacks its abort file: %v", err)
	}
	s, err := Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if !s.abnormal || s.CommitLog().MaxOffset() != 1412307 {
		t.Fatalf("abnormal=%v end=%d, Java recovered 1412307", s.abnormal, s.CommitLog().MaxOffset())
	}
	for id, want := range []int64{13, 9, 9, 9} {
		if got := s.MaxOffsetInQueue("FixtureTopic", int32(id)); got != want {
			t.Errorf("FixtureTopic/%d max %d, Java %d", id, got, want)
		}
	}
	// The 10 messages acknowledged before the SIGKILL, and everything older.
	if n := checkMessages(t, s, loadManifest(t, "store-small-crashed")); n != 10 {
		t.Fatalf("checked %d of the 10 crash-run messages", n)
	}
	checkMessages(t, s, loadManifest(t, "store-small"))
}

func newRecord(t *testing.T, topic string, queueID int32, body string) []byte {
	t.Helper()
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	rec, err := message.AppendRecord(nil, &message.Message{
		QueueID: queueID, BornTimestamp: time.Now().UnixMilli(), BornHost: h, StoreHost: h,
		Body: []byte(body), Topic: topic, Properties: message.AppendProperty(nil, 0, message.PropertyTags, "TagA"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func waitDispatched(t *testing.T, s *Store, topic string, id int32, max int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.MaxOffsetInQueue(topic, id) < max {
		if time.Now().After(deadline) {
			t.Fatalf("%s/%d not dispatched to %d (at %d)", topic, id, max, s.MaxOffsetInQueue(topic, id))
		}
		time.Sleep(time.Millisecond)
	}
}
