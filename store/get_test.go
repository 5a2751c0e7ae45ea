package store

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
)

// TestGetMessageStatuses drives GetMessage over the Java store-small
// FixtureTopic queue 0 (11 messages: TagA/TagB singles, a batch of 5
// TagBatch, a TagBig and a delayed TagDelay) through every status.
func TestGetMessageStatuses(t *testing.T) {
	s, err := Open(fixtureConfig(copyTree(t, filepath.Join(javaStores, "store-small"))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	tag := func(name string) TagFilter {
		code := message.TagsCode([]byte(name))
		return func(c int64) bool { return c == code }
	}
	cases := []struct {
		name      string
		topic     string
		offset    int64
		max       int
		filter    TagFilter
		status    GetStatus
		next      int64
		messages  int
		firstTags string
	}{
		{"all from 0", "FixtureTopic", 0, 32, nil, Found, 11, 11, ""},
		{"max count", "FixtureTopic", 0, 3, nil, Found, 3, 3, ""},
		{"batch tag only", "FixtureTopic", 0, 32, tag("TagBatch"), Found, 11, 5, "TagBatch"},
		{"no tag matches", "FixtureTopic", 0, 32, tag("NoSuchTag"), NoMatchedMessage, 11, 0, ""},
		{"at max", "FixtureTopic", 11, 32, nil, OffsetOverflowOne, 11, 0, ""},
		{"beyond max", "FixtureTopic", 50, 32, nil, OffsetOverflowBadly, 11, 0, ""},
		{"unknown queue", "NoSuchTopic", 0, 32, nil, NoMatchedLogicQueue, 0, 0, ""},
	}
	var buf []commitlog.View
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.GetMessage(tc.topic, 0, tc.offset, tc.max, tc.filter, buf)
			defer r.Release()
			if r.Status != tc.status || r.NextBeginOffset != tc.next || len(r.Messages) != tc.messages {
				t.Fatalf("got %s next %d with %d messages, want %s next %d with %d",
					r.Status, r.NextBeginOffset, len(r.Messages), tc.status, tc.next, tc.messages)
			}
			for i, v := range r.Messages {
				var rec message.Record
				if err := rec.Decode(v.Bytes, true); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if tags, _ := rec.Tags(); tc.firstTags != "" && string(tags) != tc.firstTags {
					t.Fatalf("message %d has tags %q", i, tags)
				}
				if tc.filter == nil && rec.QueueOffset != tc.offset+int64(i) {
					t.Fatalf("message %d has queue offset %d", i, rec.QueueOffset)
				}
			}
		})
	}
	// FillTopic queues hold 325 records of ~1 KiB: a pull of 32 is capped by
	// Java's 32-message in-memory transfer limit and continues from there.
	r := s.GetMessage("FillTopic", 1, 0, 64, nil, nil)
	if r.Status != Found || len(r.Messages) != 32 || r.NextBeginOffset != 32 || r.MaxOffset != 325 {
		t.Fatalf("FillTopic pull: %s %d messages next %d max %d", r.Status, len(r.Messages), r.NextBeginOffset, r.MaxOffset)
	}
	r.Release()
}

func BenchmarkGetMessage32(b *testing.B) {
	root := b.TempDir()
	cfg := DefaultConfig(root)
	cfg.MappedFileSizeCommitLog = 64 << 20
	cfg.Logger = quiet()
	s, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	t := &testing.T{}
	rec := newRecord(t, "BenchTopic", 0, string(make([]byte, 1024)))
	for i := 0; i < 1000; i++ {
		if _, err := s.Put("BenchTopic", 0, rec); err != nil {
			b.Fatal(err)
		}
	}
	for s.MaxOffsetInQueue("BenchTopic", 0) < 1000 {
	}
	buf := make([]commitlog.View, 0, 32)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := s.GetMessage("BenchTopic", 0, int64(i%900), 32, nil, buf)
		if len(r.Messages) != 32 {
			b.Fatalf("%s %d", r.Status, len(r.Messages))
		}
		r.Release()
		buf = r.Messages
	}
}

// BenchmarkDispatch is the dispatcher's work per record: consume queue
// entry, index entries for UNIQ_KEY and KEYS, checkpoint time.
func BenchmarkDispatch(b *testing.B) {
	cfg := DefaultConfig(b.TempDir())
	cfg.MappedFileSizeCommitLog = 1 << 20
	cfg.MaxHashSlotNum = 100_000
	cfg.Logger = quiet()
	s, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	props := message.AppendProperty(nil, 0, message.PropertyTags, "TagA")
	props = message.AppendProperty(props, len(props), message.PropertyKeys, "order-1 order-2")
	props = message.AppendProperty(props, len(props), message.PropertyUniqClientMessageIDKeyIdx, "C0A8000A1F4018B4AAC27A0C4F2A0000")
	h := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	raw, err := message.AppendRecord(nil, &message.Message{BornHost: h, StoreHost: h, Body: make([]byte, 128),
		Topic: "BenchTopic", Properties: props, StoreTimestamp: 1700000000000})
	if err != nil {
		b.Fatal(err)
	}
	var rec message.Record
	if err := rec.Decode(raw, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.QueueOffset = int64(i)
		s.reput.dispatch(&rec, int64(i)*int64(len(raw)))
	}
}
