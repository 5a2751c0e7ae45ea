package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const fixtureRoot = "../../../shared/testdata/java-4.9.7"

type manifest struct {
	CommitLog struct {
		FileSize     int64    `json:"fileSize"`
		Files        []string `json:"files"`
		MaxOffset    int64    `json:"maxOffset"`
		BlankRecords []struct {
			PhysicalOffset int64  `json:"physicalOffset"`
			TotalSize      int32  `json:"totalSize"`
			MagicCode      string `json:"magicCode"`
		} `json:"blankRecords"`
	} `json:"commitLog"`
	CommitLogRecords []struct {
		PhysicalOffset int64  `json:"physicalOffset"`
		TotalSize      int32  `json:"totalSize"`
		Kind           string `json:"kind"`
		Topic          string `json:"topic"`
		QueueID        int32  `json:"queueId"`
		QueueOffset    int64  `json:"queueOffset"`
		SysFlag        int32  `json:"sysFlag"`
		MsgID          string `json:"msgId"`
		Tags           string `json:"tags"`
	} `json:"commitLogRecords"`
	Messages []struct {
		Phase       string  `json:"phase"`
		MsgID       string  `json:"msgId"`
		OffsetMsgID *string `json:"offsetMsgId"`
		Keys        string  `json:"keys"`
		BodySha256  string  `json:"bodySha256"`
		BodyLength  int     `json:"bodyLength"`
		Compressed  bool    `json:"compressed"`
		Stored      []storedRecord
		SendResult  struct {
			OffsetMsgID *string `json:"offsetMsgId"`
		} `json:"sendResult"`
	} `json:"messages"`
	FillMessages []struct {
		Topic           string `json:"topic"`
		QueueID         int32  `json:"queueId"`
		QueueOffset     int64  `json:"queueOffset"`
		MsgID           string `json:"msgId"`
		OffsetMsgID     string `json:"offsetMsgId"`
		CommitLogOffset int64  `json:"commitLogOffset"`
		StoreSize       int32  `json:"storeSize"`
		Tags            string `json:"tags"`
		BodyLength      int    `json:"bodyLength"`
		BodySha256      string `json:"bodySha256"`
		BornTimestamp   int64  `json:"bornTimestamp"`
		StoreTimestamp  int64  `json:"storeTimestamp"`
	} `json:"fillMessages"`
	ConsumeQueues map[string]map[string]struct {
		UnitsDetail []struct {
			LogicalOffset   int64 `json:"logicalOffset"`
			CommitLogOffset int64 `json:"commitLogOffset"`
			Size            int32 `json:"size"`
			TagsCode        int64 `json:"tagsCode"`
		} `json:"unitsDetail"`
	} `json:"consumeQueues"`
}

type storedRecord struct {
	Kind                      string            `json:"kind"`
	PhysicalOffset            int64             `json:"physicalOffset"`
	TotalSize                 int32             `json:"totalSize"`
	MagicCode                 string            `json:"magicCode"`
	BodyCRC                   int32             `json:"bodyCRC"`
	QueueID                   int32             `json:"queueId"`
	Flag                      int32             `json:"flag"`
	QueueOffset               int64             `json:"queueOffset"`
	SysFlag                   int32             `json:"sysFlag"`
	BornTimestamp             int64             `json:"bornTimestamp"`
	BornHost                  string            `json:"bornHost"`
	StoreTimestamp            int64             `json:"storeTimestamp"`
	StoreHost                 string            `json:"storeHost"`
	ReconsumeTimes            int32             `json:"reconsumeTimes"`
	PreparedTransactionOffset int64             `json:"preparedTransactionOffset"`
	BodyLength                int               `json:"bodyLength"`
	BodySha256                string            `json:"bodySha256"`
	BodyText                  *string           `json:"bodyText"`
	BodyBase64                *string           `json:"bodyBase64"`
	Topic                     string            `json:"topic"`
	PropertiesLength          int               `json:"propertiesLength"`
	PropertiesString          string            `json:"propertiesString"`
	Properties                map[string]string `json:"properties"`
	OffsetMsgID               string            `json:"offsetMsgId"`
	Role                      string            `json:"role"`
}

type store struct {
	name  string
	m     manifest
	files [][]byte // commitlog files in order
}

func loadStore(t testing.TB, name string) *store {
	t.Helper()
	dir := filepath.Join(fixtureRoot, name)
	raw, err := os.ReadFile(filepath.Join(dir, "MANIFEST.json"))
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	s := &store{name: name}
	if err := json.Unmarshal(raw, &s.m); err != nil {
		t.Fatalf("MANIFEST.json: %v", err)
	}
	if len(s.m.CommitLog.Files) == 0 || s.m.CommitLog.FileSize == 0 {
		t.Fatalf("%s: manifest lists no commitlog files", name)
	}
	for i, f := range s.m.CommitLog.Files {
		b, err := os.ReadFile(filepath.Join(dir, "commitlog", f))
		if err != nil {
			t.Fatalf("fixture missing: %v", err)
		}
		if int64(len(b)) != s.m.CommitLog.FileSize {
			t.Fatalf("%s: size %d", f, len(b))
		}
		if want := strconv.FormatInt(int64(i)*s.m.CommitLog.FileSize, 10); strings.TrimLeft(f, "0") != strings.TrimLeft(want, "0") {
			t.Fatalf("file %s at index %d", f, i)
		}
		s.files = append(s.files, b)
	}
	return s
}

// at returns the bytes from physical offset off to the end of its file.
func (s *store) at(t testing.TB, off int64) []byte {
	t.Helper()
	fs := s.m.CommitLog.FileSize
	i := off / fs
	if i >= int64(len(s.files)) {
		t.Fatalf("offset %d beyond the commitlog", off)
	}
	return s.files[i][off%fs:]
}

var storeNames = []string{"store-small", "store-small-crashed"}

func TestFixtureCommitLogWalk(t *testing.T) {
	for _, name := range storeNames {
		t.Run(name, func(t *testing.T) {
			s := loadStore(t, name)
			want := s.m.CommitLogRecords
			if len(want) == 0 {
				t.Fatal("manifest has no commitLogRecords")
			}
			idx := 0
			var end int64
			for fi, f := range s.files {
				base := int64(fi) * s.m.CommitLog.FileSize
				sc := NewScanner(f, base, true)
				for sc.Next() {
					r := sc.Record()
					if idx >= len(want) {
						t.Fatalf("extra record at %d", sc.Offset())
					}
					w := want[idx]
					idx++
					if sc.Offset() != w.PhysicalOffset || r.TotalSize != w.TotalSize || r.Kind.String() != w.Kind {
						t.Fatalf("record %d: got %s at %d size %d, want %s at %d size %d", idx-1, r.Kind, sc.Offset(), r.TotalSize, w.Kind, w.PhysicalOffset, w.TotalSize)
					}
					if r.Kind == KindBlank {
						if sc.Offset()%s.m.CommitLog.FileSize+int64(r.TotalSize) != s.m.CommitLog.FileSize {
							t.Errorf("BLANK at %d does not reach the end of the file", sc.Offset())
						}
						continue
					}
					uniq, _ := r.UniqKey()
					tags, _ := r.Tags()
					if string(r.Topic) != w.Topic || r.QueueID != w.QueueID || r.QueueOffset != w.QueueOffset ||
						r.SysFlag != w.SysFlag || string(uniq) != w.MsgID || string(tags) != w.Tags || r.PhysicalOffset != w.PhysicalOffset {
						t.Errorf("record at %d: got %s/%d/%d sys %d uniq %s tags %s phys %d; want %+v", w.PhysicalOffset,
							r.Topic, r.QueueID, r.QueueOffset, r.SysFlag, uniq, tags, r.PhysicalOffset, w)
					}
					// Every record re-encodes to its own bytes.
					m := r.Message()
					got, err := AppendRecord(nil, &m)
					if err != nil || !bytes.Equal(got, r.Raw) {
						t.Errorf("record at %d does not re-encode identically (err %v)", w.PhysicalOffset, err)
					}
				}
				if err := sc.Err(); err != nil {
					t.Fatalf("file %d: %v", fi, err)
				}
				if fi < len(s.files)-1 && !sc.SawBlank() {
					t.Errorf("file %d does not end with a BLANK record", fi)
				}
				end = sc.Offset()
			}
			if idx != len(want) {
				t.Errorf("walked %d records, manifest has %d", idx, len(want))
			}
			if end != s.m.CommitLog.MaxOffset {
				t.Errorf("data ends at %d, manifest maxOffset %d", end, s.m.CommitLog.MaxOffset)
			}
			if len(s.m.CommitLog.BlankRecords) != 1 {
				t.Fatalf("want one BLANK record in the manifest, got %d", len(s.m.CommitLog.BlankRecords))
			}
			for _, b := range s.m.CommitLog.BlankRecords {
				raw := s.at(t, b.PhysicalOffset)
				r, err := Decode(raw, true)
				if err != nil || r.Kind != KindBlank || r.TotalSize != b.TotalSize ||
					"0x"+strings.ToUpper(strconv.FormatUint(uint64(uint32(r.MagicCode)), 16)) != b.MagicCode {
					t.Errorf("BLANK at %d: %+v %v", b.PhysicalOffset, r, err)
				}
				enc, _ := AppendBlank(nil, b.TotalSize)
				if !bytes.Equal(enc, raw[:8]) {
					t.Errorf("BLANK encodes to %X, file has %X", enc, raw[:8])
				}
				// Java writes only the 8-byte header; the rest stays zero in a preallocated file.
				if bytes.ContainsFunc(raw[8:b.TotalSize], func(r rune) bool { return r != 0 }) {
					t.Errorf("BLANK tail is not zero")
				}
			}
		})
	}
}

func TestFixtureStoredRecords(t *testing.T) {
	for _, name := range storeNames {
		t.Run(name, func(t *testing.T) {
			s := loadStore(t, name)
			if len(s.m.Messages) == 0 {
				t.Fatal("no messages in manifest")
			}
			nStored, nCompressed := 0, 0
			for _, msg := range s.m.Messages {
				if len(msg.Stored) == 0 {
					t.Fatalf("message %s has no stored records", msg.MsgID)
				}
				for _, st := range msg.Stored {
					nStored++
					checkStored(t, s, &st)
					if st.SysFlag&CompressedFlag != 0 {
						nCompressed++
						r, _ := Decode(s.at(t, st.PhysicalOffset), true)
						plain, err := Uncompress(r.SysFlag, r.Body)
						if err != nil {
							t.Fatalf("uncompress: %v", err)
						}
						if sum := sha256.Sum256(plain); hex.EncodeToString(sum[:]) != msg.BodySha256 || len(plain) != msg.BodyLength {
							t.Errorf("uncompressed body of %s: sha %x len %d, want %s %d", msg.MsgID, sum, len(plain), msg.BodySha256, msg.BodyLength)
						}
						if CompressionType(r.SysFlag) != CompressionZLIBType {
							t.Errorf("compression type 0x%X", CompressionType(r.SysFlag))
						}
					}
				}
				if msg.OffsetMsgID != nil {
					_, off, err := DecodeOffsetMsgID(*msg.OffsetMsgID)
					if err != nil {
						t.Fatal(err)
					}
					r, err := Decode(s.at(t, off), true)
					if err != nil || r.OffsetMsgID() != *msg.OffsetMsgID {
						t.Errorf("offsetMsgId %s: %v %s", *msg.OffsetMsgID, err, r.OffsetMsgID())
					}
					if u, _ := r.UniqKey(); string(u) != msg.MsgID {
						t.Errorf("offsetMsgId %s points at UNIQ_KEY %s, want %s", *msg.OffsetMsgID, u, msg.MsgID)
					}
				}
			}
			t.Logf("%d stored records checked, %d compressed", nStored, nCompressed)
			if name == "store-small" && nCompressed != 2 {
				t.Errorf("want 2 compressed records, got %d", nCompressed)
			}
		})
	}
}

func checkStored(t *testing.T, s *store, st *storedRecord) {
	t.Helper()
	raw := s.at(t, st.PhysicalOffset)
	r, err := Decode(raw, true)
	if err != nil {
		t.Fatalf("decode at %d: %v", st.PhysicalOffset, err)
	}
	var body []byte
	switch {
	case st.BodyText != nil:
		body = []byte(*st.BodyText)
	case st.BodyBase64 != nil:
		body, err = base64.StdEncoding.DecodeString(*st.BodyBase64)
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("record %d has no body in the manifest", st.PhysicalOffset)
	}
	sum := sha256.Sum256(r.Body)
	type cmp struct {
		name      string
		got, want any
	}
	for _, c := range []cmp{
		{"kind", r.Kind.String(), st.Kind},
		{"totalSize", r.TotalSize, st.TotalSize},
		{"magic", "0x" + strings.ToUpper(strconv.FormatUint(uint64(uint32(r.MagicCode)), 16)), st.MagicCode},
		{"bodyCRC", r.BodyCRC, st.BodyCRC},
		{"queueId", r.QueueID, st.QueueID},
		{"flag", r.Flag, st.Flag},
		{"queueOffset", r.QueueOffset, st.QueueOffset},
		{"physicalOffset", r.PhysicalOffset, st.PhysicalOffset},
		{"sysFlag", r.SysFlag, st.SysFlag},
		{"bornTimestamp", r.BornTimestamp, st.BornTimestamp},
		{"bornHost", r.BornHost.String(), st.BornHost},
		{"storeTimestamp", r.StoreTimestamp, st.StoreTimestamp},
		{"storeHost", r.StoreHost.String(), st.StoreHost},
		{"reconsumeTimes", r.ReconsumeTimes, st.ReconsumeTimes},
		{"preparedTransactionOffset", r.PreparedTransactionOffset, st.PreparedTransactionOffset},
		{"bodyLength", len(r.Body), st.BodyLength},
		{"body", string(r.Body), string(body)},
		{"bodySha256", hex.EncodeToString(sum[:]), st.BodySha256},
		{"topic", string(r.Topic), st.Topic},
		{"propertiesLength", len(r.Properties), st.PropertiesLength},
		{"propertiesString", string(r.Properties), st.PropertiesString},
		{"offsetMsgId", r.OffsetMsgID(), st.OffsetMsgID},
		{"crcValid", r.BodyCRCValid(), true},
	} {
		if c.got != c.want {
			t.Errorf("record at %d (%s): %s = %v, want %v", st.PhysicalOffset, st.Role, c.name, c.got, c.want)
		}
	}
	got := map[string]string{}
	for n, v := range r.Properties.All() {
		got[string(n)] = string(v)
	}
	if len(got) != len(st.Properties) {
		t.Errorf("record at %d: properties %v, want %v", st.PhysicalOffset, got, st.Properties)
	}
	for k, v := range st.Properties {
		if g, ok := r.Properties.GetString(k); !ok || g != v {
			t.Errorf("record at %d: property %s = %q, want %q", st.PhysicalOffset, k, g, v)
		}
	}
	// Re-encode from the fields: with the stored CRC, with a computed CRC, and
	// encoded with zero offsets then patched the way doAppend does.
	m := r.Message()
	enc, err := AppendRecord(nil, &m)
	if err != nil || !bytes.Equal(enc, r.Raw) {
		t.Errorf("record at %d: re-encode differs (%v)", st.PhysicalOffset, err)
	}
	m = Message{
		QueueID: st.QueueID, Flag: st.Flag, SysFlag: st.SysFlag, BornTimestamp: st.BornTimestamp,
		BornHost: mustHost(t, st.BornHost), StoreHost: mustHost(t, st.StoreHost),
		ReconsumeTimes: st.ReconsumeTimes, PreparedTransactionOffset: st.PreparedTransactionOffset,
		Body: body, Topic: st.Topic, Properties: []byte(st.PropertiesString),
	}
	enc, err = AppendRecord(enc[:0], &m)
	if err != nil {
		t.Fatal(err)
	}
	if err := Patch(enc, st.QueueOffset, st.PhysicalOffset, st.StoreTimestamp); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, raw[:st.TotalSize]) {
		t.Errorf("record at %d: encoded from manifest fields + Patch differs\n got %X\nwant %X", st.PhysicalOffset, enc, raw[:st.TotalSize])
	}
}

func mustHost(t testing.TB, s string) Host {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatalf("bad host %q: %v", s, err)
	}
	return HostFrom(ap)
}

func TestFixtureFillMessages(t *testing.T) {
	s := loadStore(t, "store-small")
	if len(s.m.FillMessages) != 1300 {
		t.Fatalf("want 1300 fill messages, got %d", len(s.m.FillMessages))
	}
	for _, f := range s.m.FillMessages {
		r, err := Decode(s.at(t, f.CommitLogOffset), true)
		if err != nil {
			t.Fatalf("fill at %d: %v", f.CommitLogOffset, err)
		}
		u, _ := r.UniqKey()
		tg, _ := r.Tags()
		sum := sha256.Sum256(r.Body)
		if r.TotalSize != f.StoreSize || string(r.Topic) != f.Topic || r.QueueID != f.QueueID || r.QueueOffset != f.QueueOffset ||
			string(u) != f.MsgID || string(tg) != f.Tags || len(r.Body) != f.BodyLength || hex.EncodeToString(sum[:]) != f.BodySha256 ||
			r.BornTimestamp != f.BornTimestamp || r.StoreTimestamp != f.StoreTimestamp || r.OffsetMsgID() != f.OffsetMsgID {
			t.Errorf("fill message at %d differs: %+v", f.CommitLogOffset, f)
		}
	}
}

func TestFixtureTagsCodes(t *testing.T) {
	for _, name := range storeNames {
		s := loadStore(t, name)
		n := 0
		for topic, queues := range s.m.ConsumeQueues {
			if topic == "SCHEDULE_TOPIC_XXXX" { // tagsCode = delivery time there
				continue
			}
			for _, q := range queues {
				for _, u := range q.UnitsDetail {
					r, err := Decode(s.at(t, u.CommitLogOffset), true)
					if err != nil {
						t.Fatal(err)
					}
					if r.TotalSize != u.Size || r.TagsCode() != u.TagsCode || r.QueueOffset != u.LogicalOffset {
						t.Errorf("%s: unit %+v: record size %d tagsCode %d", topic, u, r.TotalSize, r.TagsCode())
					}
					n++
				}
			}
		}
		if n == 0 {
			t.Fatal("no consume queue units checked")
		}
		t.Logf("%s: %d consume queue tags codes checked", name, n)
	}
}

// TestFixtureBatch rebuilds the SEND_BATCH_MESSAGE body of the fixture's
// batch from its records and checks that AppendBatch reproduces the five
// records byte for byte.
func TestFixtureBatch(t *testing.T) {
	s := loadStore(t, "store-small")
	var stored []storedRecord
	for _, m := range s.m.Messages {
		if m.Phase == "b_batch" {
			stored = append(stored, m.Stored...)
		}
	}
	if len(stored) != 5 {
		t.Fatalf("want 5 batch records, got %d", len(stored))
	}
	var pm PropertyMap
	pm.Put(PropertyWaitStoreMsgOK, "true") // the request header's properties
	pm.Put(PropertyCluster, "DefaultCluster")
	batchProps := pm.AppendTo(nil)
	if string(batchProps) != "CLUSTER\x01DefaultCluster\x02WAIT\x01true" {
		t.Fatalf("batch properties %q", batchProps)
	}
	var body []byte
	for _, st := range stored {
		item, ok := strings.CutSuffix(st.PropertiesString, "\x02"+string(batchProps))
		if !ok {
			t.Fatalf("record %d does not end with the batch properties", st.PhysicalOffset)
		}
		if strings.Count(st.PropertiesString, "WAIT\x01true") != 2 {
			t.Errorf("record %d: want WAIT twice", st.PhysicalOffset)
		}
		// The item's own string is a client HashMap serialization.
		var im PropertyMap
		names := []string{}
		for n := range Properties(item).All() {
			names = append(names, string(n))
		}
		slices.Sort(names)
		for _, n := range names {
			v, _ := Properties(item).GetString(n)
			im.Put(n, v)
		}
		if got := string(im.AppendTo(nil)); got != item {
			t.Errorf("item properties order %q, want %q", got, item)
		}
		b := []byte(*st.BodyText)
		var err error
		body, err = AppendBatchItem(body, st.Flag, b, []byte(item))
		if err != nil {
			t.Fatal(err)
		}
	}
	first := stored[0]
	bt := &Batch{
		Topic: first.Topic, QueueID: first.QueueID, SysFlag: first.SysFlag,
		BornTimestamp: first.BornTimestamp, BornHost: mustHost(t, first.BornHost),
		StoreTimestamp: 0, StoreHost: mustHost(t, first.StoreHost), ReconsumeTimes: first.ReconsumeTimes,
		Properties: batchProps,
	}
	enc, n, err := AppendBatch(nil, bt, body)
	if err != nil || n != 5 {
		t.Fatalf("AppendBatch: %d %v", n, err)
	}
	if k, err := PatchRun(enc, first.QueueOffset, first.PhysicalOffset, first.StoreTimestamp); err != nil || k != 5 {
		t.Fatalf("PatchRun: %d %v", k, err)
	}
	want := s.at(t, first.PhysicalOffset)[:len(enc)]
	if !bytes.Equal(enc, want) {
		t.Fatalf("batch records differ\n got %X\nwant %X", enc, want)
	}
	last := stored[4]
	if int64(len(enc)) != last.PhysicalOffset+int64(last.TotalSize)-first.PhysicalOffset {
		t.Errorf("batch length %d", len(enc))
	}
	// Written directly with the offsets, no patch.
	bt.QueueOffset, bt.PhysicalOffset, bt.StoreTimestamp = first.QueueOffset, first.PhysicalOffset, first.StoreTimestamp
	enc2, _, err := AppendBatch(make([]byte, 3, 4096), bt, body)
	if err != nil || !bytes.Equal(enc2[3:], want) {
		t.Fatalf("direct batch encoding differs: %v", err)
	}
}

// TestWireBatchBody decodes the SEND_BATCH_MESSAGE bodies the Java client
// sent in the wire captures and re-encodes them.
func TestWireBatchBody(t *testing.T) {
	for _, f := range []string{"011_SEND_BATCH_MESSAGE_request_json.bin", "059_SEND_BATCH_MESSAGE_request_rocketmq.bin"} {
		frame, err := os.ReadFile(filepath.Join(fixtureRoot, "wire", f))
		if err != nil {
			t.Fatalf("fixture missing: %v", err)
		}
		hl := int(binary.BigEndian.Uint32(frame[4:]) & 0xFFFFFF)
		body := frame[8+hl:]
		var re []byte
		n := 0
		for rest := body; len(rest) > 0; n++ {
			it, next, err := NextBatchItem(rest)
			if err != nil {
				t.Fatalf("%s item %d: %v", f, n, err)
			}
			if int(it.TotalSize) != len(rest)-len(next) || it.MagicCode != 0 || it.BodyCRC != 0 {
				t.Errorf("%s item %d: header %d/%d/%d", f, n, it.TotalSize, it.MagicCode, it.BodyCRC)
			}
			if _, ok := it.Properties.Get(PropertyUniqClientMessageIDKeyIdx); !ok {
				t.Errorf("%s item %d: no UNIQ_KEY", f, n)
			}
			if !it.Properties.WaitStoreMsgOK() {
				t.Errorf("%s item %d: WAIT", f, n)
			}
			re, _ = AppendBatchItem(re, it.Flag, it.Body, it.Properties)
			rest = next
		}
		if n != 3 || !bytes.Equal(re, body) {
			t.Errorf("%s: %d items, re-encoded equal=%v", f, n, bytes.Equal(re, body))
		}
	}
}

func TestFixturePropertyOrder(t *testing.T) {
	for _, name := range storeNames {
		s := loadStore(t, name)
		n, permuted := 0, 0
		for _, msg := range s.m.Messages {
			for _, st := range msg.Stored {
				if msg.Phase == "b_batch" {
					continue // two serializations concatenated
				}
				// Insert in stored order (what string2messageProperties does) and,
				// when no two names share a bucket, in reverse name order too.
				p := Properties(st.PropertiesString)
				var names []string
				for k := range p.All() {
					names = append(names, string(k))
				}
				var pm PropertyMap
				for _, k := range names {
					v, _ := p.GetString(k)
					pm.Put(k, v)
				}
				if got := string(pm.AppendTo(nil)); got != st.PropertiesString {
					t.Errorf("%s: order %q, want %q", st.Role, got, st.PropertiesString)
				}
				if !sharesBucket(names, 16) {
					slices.Sort(names)
					slices.Reverse(names)
					pm.Reset()
					for _, k := range names {
						v, _ := p.GetString(k)
						pm.Put(k, v)
					}
					if got := string(pm.AppendTo(nil)); got != st.PropertiesString {
						t.Errorf("%s: order %q, want %q", st.Role, got, st.PropertiesString)
					}
					permuted++
				}
				// Single sends: broker adds CLUSTER and drops WAIT; re-parse gives the same string.
				pm.ParseFrom(p)
				pm.Put(PropertyWaitStoreMsgOK, "true")
				pm.Remove(PropertyWaitStoreMsgOK)
				if _, had := p.Get(PropertyWaitStoreMsgOK); !had {
					if got := string(pm.AppendTo(nil)); got != st.PropertiesString {
						t.Errorf("%s: parse/put/remove order %q", st.Role, got)
					}
				}
				n++
			}
		}
		t.Logf("%s: %d property strings reproduced, %d also from a permuted insertion", name, n, permuted)
	}
}

func sharesBucket(names []string, capacity uint32) bool {
	seen := map[uint32]bool{}
	for _, n := range names {
		b := spreadHash(n) & (capacity - 1)
		if seen[b] {
			return true
		}
		seen[b] = true
	}
	return false
}

func TestScannerStopsAtCorruption(t *testing.T) {
	s := loadStore(t, "store-small")
	buf := slices.Clone(s.files[0][:219*3])
	for _, c := range []struct {
		pos      int
		checkCRC bool
		want     error
		n        int
	}{
		{219 + 97, true, ErrCorrupt, 1},  // topic length of record 2 becomes negative
		{219 + 90, true, ErrCRC, 1},      // body byte of record 2
		{219 + 90, false, nil, 3},        // not noticed without the CRC check
		{219 + 3, true, ErrCorrupt, 1},   // TOTALSIZE of record 2
		{438 + 5, true, ErrCorrupt, 2},   // magic of record 3
		{219 + 110, true, ErrCorrupt, 1}, // properties length of record 2
	} {
		b := slices.Clone(buf)
		b[c.pos] ^= 0xFF
		sc := NewScanner(b, 0, c.checkCRC)
		n := 0
		for sc.Next() {
			n++
		}
		if n != c.n || !errors.Is(sc.Err(), c.want) || (c.want == nil) != (sc.Err() == nil) {
			t.Errorf("flip at %d: n=%d err=%v off=%d", c.pos, n, sc.Err(), sc.Offset())
		}
	}
}
