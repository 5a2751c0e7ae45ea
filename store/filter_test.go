package store

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/rocketgo/rocketgo/store/message"
)

// TestGetMessageFiltered: a record filter sees whole records read from a
// Java store and skips the ones it refuses, with Java's statuses and next
// offsets; RecordProperties finds each record's properties.
func TestGetMessageFiltered(t *testing.T) {
	s, err := Open(fixtureConfig(copyTree(t, filepath.Join(javaStores, "store-small"))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())

	seen := 0
	byTags := func(tags string) RecordFilter {
		return func(rec []byte) bool {
			seen++
			var r message.Record
			if err := r.Decode(rec, false); err != nil {
				t.Fatalf("filter got a record that does not decode: %v", err)
			}
			if got := RecordProperties(rec); !bytes.Equal(got, r.Properties) {
				t.Fatalf("RecordProperties = %q, decoded %q", got, r.Properties)
			}
			v, _ := r.Tags()
			return string(v) == tags
		}
	}
	for _, c := range []struct {
		name     string
		recs     RecordFilter
		status   GetStatus
		messages int
		seen     int
	}{
		{"none", nil, Found, 11, 0},
		{"batch tag", byTags("TagBatch"), Found, 5, 11},
		{"no record matches", byTags("NoSuchTag"), NoMatchedMessage, 0, 11},
	} {
		seen = 0
		r := s.GetMessageFiltered("FixtureTopic", 0, 0, 32, nil, c.recs, nil)
		if r.Status != c.status || len(r.Messages) != c.messages || r.NextBeginOffset != 11 || seen != c.seen {
			t.Errorf("%s: %s with %d messages next %d, filter saw %d; want %s %d next 11, saw %d",
				c.name, r.Status, len(r.Messages), r.NextBeginOffset, seen, c.status, c.messages, c.seen)
		}
		r.Release()
	}
	// The tag filter runs first: records it refuses are never read.
	all := s.GetMessage("FixtureTopic", 0, 0, 32, nil, nil)
	tagA := 0
	for _, v := range all.Messages {
		r, _ := message.Decode(v.Bytes, false)
		if tags, _ := r.Tags(); string(tags) == "TagA" {
			tagA++
		}
	}
	all.Release()
	seen = 0
	code := message.TagsCode([]byte("TagA"))
	r := s.GetMessageFiltered("FixtureTopic", 0, 0, 32, func(c int64) bool { return c == code }, byTags("TagA"), nil)
	if tagA == 0 || r.Status != Found || len(r.Messages) != tagA || seen != tagA {
		t.Errorf("tag then record filter: %s %d messages, record filter saw %d, want %d", r.Status, len(r.Messages), seen, tagA)
	}
	r.Release()
}

// TestRecordPropertiesDamaged: truncated or inconsistent records give no
// properties and never panic.
func TestRecordPropertiesDamaged(t *testing.T) {
	rec, err := message.AppendRecord(nil, &message.Message{Topic: "T", Body: []byte("body"),
		Properties: []byte("a\x017\x02b\x01x")})
	if err != nil {
		t.Fatal(err)
	}
	if got := RecordProperties(rec); string(got) != "a\x017\x02b\x01x" {
		t.Fatalf("RecordProperties = %q", got)
	}
	for n := 0; n < len(rec); n++ {
		if got := RecordProperties(rec[:n]); got != nil {
			t.Fatalf("truncated to %d bytes: %q", n, got)
		}
	}
	// Every byte replaced by values that make lengths huge, negative or
	// zero: never a panic, never an empty non-nil result.
	for pos := range rec {
		for _, b := range []byte{0x00, 0x7F, 0x80, 0xFF} {
			bad := bytes.Clone(rec)
			bad[pos] = b
			if got := RecordProperties(bad); got != nil && len(got) == 0 {
				t.Fatalf("byte %d = %#x: empty non-nil properties", pos, b)
			}
		}
	}
}
