package store

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
)

// queried decodes a query result's records into their offsets and bodies.
func queried(t *testing.T, r QueryMessageResult) ([]int64, []string) {
	t.Helper()
	var offs []int64
	var bodies []string
	n := 0
	for _, v := range r.Messages {
		rec, err := message.Decode(v.Bytes, true)
		if err != nil {
			t.Fatalf("record %d: %v", len(offs), err)
		}
		offs = append(offs, rec.PhysicalOffset)
		bodies = append(bodies, string(rec.Body))
		n += len(v.Bytes)
	}
	if n != r.Bytes {
		t.Fatalf("Bytes = %d, records hold %d", r.Bytes, n)
	}
	return offs, bodies
}

// TestQueryMessageJavaIndex queries the index the Java broker wrote for
// store-small: by KEYS entries, by UNIQ_KEY, per topic (the scheduled,
// retried and half copies of a message are indexed under their own
// topics), with the newest index file's end as the freshness fields.
func TestQueryMessageJavaIndex(t *testing.T) {
	root := copyTree(t, filepath.Join(javaStores, "store-small"))
	s, err := Open(fixtureConfig(root))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())

	cases := []struct {
		topic, key string
		want       []int64
	}{
		{"FixtureTopic", "fixture-key-0", []int64{0}},
		{"FixtureTopic", "C000020205EF5FFD2B2769360D7E0000", []int64{0}},
		{"FixtureTopic", "fixture-key-19", []int64{4197}},
		{"FixtureTopic", "extra-key-19", []int64{4197}},
		{"FixtureTopic", "batch-key-3", []int64{5183}},
		{"FixtureTopic", "big-key-1", []int64{5980}},
		{"FixtureTopic", "fixture-key-5", []int64{1095}},
		{"%RETRY%FixtureGroup", "fixture-key-5", []int64{1409734}},
		{"FixtureTopic", "delay-key-0", []int64{6849}},
		{"SCHEDULE_TOPIC_XXXX", "delay-key-0", []int64{6279}},
		{"FixtureTopic", "C000020205EF5FFD2B2769360E32001B", []int64{6849}},
		{"FixtureTopic", "tx-key-commit", []int64{7723}},
		{"RMQ_SYS_TRANS_HALF_TOPIC", "tx-key-rollback", []int64{8029}},
		{"FixtureTopic", "tx-key-rollback", nil},
		{"FixtureTopic", "no-such-key", nil},
		{"NoSuchTopic", "fixture-key-0", nil},
	}
	for _, tc := range cases {
		r := s.QueryMessage(tc.topic, tc.key, 64, 0, math.MaxInt64, nil)
		offs, _ := queried(t, r)
		if !slices.Equal(offs, tc.want) {
			t.Errorf("%s#%s: offsets %v, want %v", tc.topic, tc.key, offs, tc.want)
		}
		if len(tc.want) > 0 && (r.IndexLastUpdateTimestamp != 1795256364989 || r.IndexLastUpdatePhyOffset != 1409734) {
			t.Errorf("%s#%s: index last update %d/%d, want the file header's 1795256364989/1409734",
				tc.topic, tc.key, r.IndexLastUpdateTimestamp, r.IndexLastUpdatePhyOffset)
		}
		if len(tc.want) == 0 && (r.IndexLastUpdateTimestamp != 0 || r.IndexLastUpdatePhyOffset != 0) {
			t.Errorf("%s#%s: nothing found but index fields %d/%d (Java leaves them 0)", tc.topic, tc.key,
				r.IndexLastUpdateTimestamp, r.IndexLastUpdatePhyOffset)
		}
		r.Release()
	}

	// Time ranges: the index keeps times at second resolution from the
	// file's begin time; a range after every message finds nothing.
	ft := loadFixtureTimes(t)
	first := ft.fixture[0]
	if r := s.QueryMessage("FixtureTopic", "fixture-key-0", 64, first+3_600_000, math.MaxInt64, nil); len(r.Messages) != 0 {
		t.Errorf("a range an hour after the message found %d records", len(r.Messages))
	}
	if r := s.QueryMessage("FixtureTopic", "fixture-key-0", 64, 0, first-3_600_000, nil); len(r.Messages) != 0 {
		t.Errorf("a range an hour before the message found %d records", len(r.Messages))
	}
	if r := s.QueryMessage("FixtureTopic", "fixture-key-0", 0, 0, math.MaxInt64, nil); len(r.Messages) != 0 {
		t.Errorf("maxNum 0 found %d records", len(r.Messages))
	}
}

// putKeyed stores n messages carrying key (and UNIQ_KEY "U-"+key) on a
// topic that has no other messages with that key, and waits until the
// index has them all.
func putKeyed(t testing.TB, s *Store, topic, key string, n int) []int64 {
	t.Helper()
	var offs []int64
	for i := 0; i < n; i++ {
		m, err := putRecognisable(s, topic, 0, []byte(fmt.Sprintf("%s-%d", key, i)), key)
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, m.phys)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := s.QueryMessage(topic, key, 64, 0, math.MaxInt64, nil)
		found := len(r.Messages) >= n
		r.Release()
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s#%s never indexed", topic, key)
		}
		time.Sleep(time.Millisecond)
	}
	return offs
}

func TestQueryMessageMaxNumAndOrder(t *testing.T) {
	s, err := Open(smallConfig(t.TempDir(), true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	putKeyed(t, s, "Other", "k", 3)
	offs := putKeyed(t, s, "Q", "k", 10)

	// The index walks newest first and stops at maxNum; the answer is
	// those records oldest first.
	r := s.QueryMessage("Q", "k", 4, 0, math.MaxInt64, nil)
	got, bodies := queried(t, r)
	if !slices.Equal(got, offs[6:]) {
		t.Fatalf("maxNum 4: %v, want the newest four %v", got, offs[6:])
	}
	if bodies[0] != "k-6" || bodies[3] != "k-9" {
		t.Fatalf("bodies %v", bodies)
	}
	if r.IndexLastUpdatePhyOffset != offs[9] || r.IndexLastUpdateTimestamp <= 0 {
		t.Fatalf("index last update %d/%d, want offset %d", r.IndexLastUpdateTimestamp, r.IndexLastUpdatePhyOffset, offs[9])
	}
	// The result's slice is reused.
	dst := r.Messages
	r.Release()
	r = s.QueryMessage("Q", "k", 64, 0, math.MaxInt64, dst)
	if got, _ := queried(t, r); !slices.Equal(got, offs) {
		t.Fatalf("all: %v, want %v", got, offs)
	}
	r.Release()
	if len(r.Messages) != 0 || r.Bytes != 0 {
		t.Fatalf("Release left %d views, %d bytes", len(r.Messages), r.Bytes)
	}

	// Unique key: exactly that message.
	// Unique key: putRecognisable gives every message of a key the same
	// one, so all three are found.
	r = s.QueryMessage("Other", "U-k", 32, 0, math.MaxInt64, nil)
	if got, bodies := queried(t, r); len(got) != 3 || bodies[0] != "k-0" {
		t.Fatalf("Other#U-k: %v %v", got, bodies)
	}
	r.Release()
}

func TestQueryMessageIndexDisabled(t *testing.T) {
	cfg := smallConfig(t.TempDir(), true)
	cfg.MessageIndexEnable = false
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if _, err := putRecognisable(s, "Q", 0, []byte("x"), "k"); err != nil {
		t.Fatal(err)
	}
	waitDispatched(t, s, "Q", 0, 1)
	if r := s.QueryMessage("Q", "k", 32, 0, math.MaxInt64, nil); len(r.Messages) != 0 || r.IndexLastUpdatePhyOffset != 0 {
		t.Fatalf("without an index the query found %d records", len(r.Messages))
	}
}

func BenchmarkQueryMessageByKey(b *testing.B) {
	cfg := DefaultConfig(b.TempDir())
	cfg.MappedFileSizeCommitLog = 64 << 20
	cfg.MaxHashSlotNum, cfg.MaxIndexNum = 100_000, 400_000
	cfg.Logger = quiet()
	s, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	for i := 0; i < 2000; i++ {
		putKeyedNoWait(b, s, "Bench", fmt.Sprintf("key-%d", i%500))
	}
	putKeyed(b, s, "Bench", "last", 1)
	var dst []commitlog.View
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := s.QueryMessage("Bench", "key-123", 32, 0, math.MaxInt64, dst)
		if len(r.Messages) != 4 {
			b.Fatalf("found %d", len(r.Messages))
		}
		dst = r.Messages
		r.Release()
	}
}

func putKeyedNoWait(tb testing.TB, s *Store, topic, key string) {
	if _, err := putRecognisable(s, topic, 0, []byte(key), key); err != nil {
		tb.Fatal(err)
	}
}
