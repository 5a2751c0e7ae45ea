package message

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func host(s string) Host { return HostFrom(netip.MustParseAddrPort(s)) }

// The worked example of STORE.md §2.
func workedExample() *Message {
	return &Message{
		Topic: "TopicTest", BornTimestamp: 1700000000000, BornHost: host("127.0.0.1:52000"),
		StoreTimestamp: 1700000000005, StoreHost: host("192.168.1.10:10911"),
		Body:       []byte("Hello RocketMQ"),
		Properties: []byte("KEYS\x01OrderID188\x02UNIQ_KEY\x01AC1100017A3C18B4AAC25C9F4D2A0000\x02CLUSTER\x01DefaultCluster\x02TAGS\x01TagA"),
	}
}

func TestWorkedExample(t *testing.T) {
	b, err := AppendRecord(nil, workedExample())
	if err != nil {
		t.Fatal(err)
	}
	want := "000000CC" + "DAA320A7" + "69C865ED" + "00000000" + "00000000" + "0000000000000000" + "0000000000000000" +
		"00000000" + "0000018BCFE56800" + "7F0000010000CB20" + "0000018BCFE56805" + "C0A8010A00002A9F" + "00000000" +
		"0000000000000000" + "0000000E" + "48656C6C6F20526F636B65744D51" + "09" + "546F70696354657374" + "005A"
	if got := strings.ToUpper(hex.EncodeToString(b[:114])); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if len(b) != 204 {
		t.Fatalf("len %d", len(b))
	}
}

type goldenCase struct {
	name  string
	build func(t *testing.T) []byte
	check func(t *testing.T, b []byte)
}

func goldenCases() []goldenCase {
	v6 := func(born, store string, sys int32) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			m := workedExample()
			m.BornHost, m.StoreHost, m.SysFlag = host(born), host(store), sys
			m.QueueID, m.Flag, m.QueueOffset, m.PhysicalOffset = 3, 7, 42, 1073741947
			m.ReconsumeTimes, m.PreparedTransactionOffset = 2, 7405
			b, err := AppendRecord(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	return []goldenCase{
		{"ipv4", v6("127.0.0.1:52000", "192.168.1.10:10911", 0), func(t *testing.T, b []byte) {
			expectAt(t, b, 56, "0000018BCFE56805") // STORETIMESTAMP
			expectAt(t, b, 84, "0000000E")         // body length
		}},
		{"ipv6-born", v6("[2001:db8::1]:52000", "192.168.1.10:10911", 0), func(t *testing.T, b []byte) {
			expectAt(t, b, 36, "00000010")
			expectAt(t, b, 48, "20010DB8000000000000000000000001")
			expectAt(t, b, 68, "0000018BCFE56805")
			expectAt(t, b, 76, "C0A8010A00002A9F")
			expectAt(t, b, 96, "0000000E")
		}},
		{"ipv6-both", v6("[2001:db8::1]:52000", "[2001:db8::2]:10911", 0), func(t *testing.T, b []byte) {
			expectAt(t, b, 36, "00000030")
			expectAt(t, b, 68, "0000018BCFE56805")
			expectAt(t, b, 76, "20010DB800000000000000000000000200002A9F")
			expectAt(t, b, 96, "00000002")
			expectAt(t, b, 108, "0000000E")
			if len(b) != 115+14+9+90 {
				t.Errorf("len %d", len(b))
			}
		}},
		{"ipv4-in-v6-flag", v6("127.0.0.1:52000", "192.168.1.10:10911", StoreHostAddressV6Flag), func(t *testing.T, b []byte) {
			expectAt(t, b, 64, "00000000000000000000FFFFC0A8010A00002A9F")
		}},
		{"blank", func(t *testing.T) []byte {
			b, err := AppendBlank(nil, 648)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, func(t *testing.T, b []byte) { expectAt(t, b, 0, "00000288CBD43194") }},
		{"batch-ipv6-store", func(t *testing.T) []byte {
			var body []byte
			body, _ = AppendBatchItem(body, 0, []byte("batch-0"), []byte("KEYS\x01k0\x02UNIQ_KEY\x01U0\x02WAIT\x01true\x02TAGS\x01T"))
			body, _ = AppendBatchItem(body, 5, []byte(""), nil)
			body, _ = AppendBatchItem(body, 6, []byte("batch-2"), []byte("TAGS\x01T\x02"))
			b, n, err := AppendBatch(nil, &Batch{
				Topic: "BatchTopic", QueueID: 1, BornTimestamp: 1795256350231, BornHost: host("127.0.0.1:52508"),
				StoreTimestamp: 1795256350234, StoreHost: host("[::1]:20911"),
				Properties: []byte("CLUSTER\x01DefaultCluster\x02WAIT\x01true"), QueueOffset: 5, PhysicalOffset: 4433,
			}, body)
			if err != nil || n != 3 {
				t.Fatal(n, err)
			}
			return b
		}, func(t *testing.T, b []byte) {
			var props []string
			off, qo := int64(4433), int64(5)
			for rest := b; len(rest) > 0; {
				r, err := Decode(rest, true)
				if err != nil {
					t.Fatal(err)
				}
				if r.PhysicalOffset != off || r.QueueOffset != qo || r.SysFlag != StoreHostAddressV6Flag || r.PreparedTransactionOffset != 0 {
					t.Errorf("record %+v", r)
				}
				props = append(props, string(r.Properties))
				off += int64(r.TotalSize)
				qo++
				rest = rest[r.TotalSize:]
			}
			want := []string{
				"KEYS\x01k0\x02UNIQ_KEY\x01U0\x02WAIT\x01true\x02TAGS\x01T\x02CLUSTER\x01DefaultCluster\x02WAIT\x01true",
				"CLUSTER\x01DefaultCluster\x02WAIT\x01true",              // no item properties: batch string alone
				"TAGS\x01T\x02CLUSTER\x01DefaultCluster\x02WAIT\x01true", // already ends in 0x02: none added
			}
			if !slices.Equal(props, want) {
				t.Errorf("properties %q", props)
			}
		}},
	}
}

func expectAt(t *testing.T, b []byte, off int, hexWant string) {
	t.Helper()
	n := len(hexWant) / 2
	if off+n > len(b) {
		t.Fatalf("record too short for %d+%d", off, n)
	}
	if got := strings.ToUpper(hex.EncodeToString(b[off : off+n])); got != hexWant {
		t.Errorf("at %d: %s, want %s", off, got, hexWant)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			b := c.build(t)
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(hex.Dump(b)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if string(want) != hex.Dump(b) {
				t.Errorf("differs from %s:\n%s", path, hex.Dump(b))
			}
			c.check(t, b)
			// Everything decodes and re-encodes to the same bytes.
			for rest := b; len(rest) > 0; {
				r, err := Decode(rest, true)
				if err != nil {
					t.Fatal(err)
				}
				var enc []byte
				if r.Kind == KindBlank {
					enc, _ = AppendBlank(nil, r.TotalSize)
					rest = nil
				} else {
					m := r.Message()
					enc, _ = AppendRecord(nil, &m)
					rest = rest[r.TotalSize:]
				}
				if !bytes.Equal(enc, r.Raw) {
					t.Errorf("re-encode differs")
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := AppendRecord(nil, workedExample())
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	for _, c := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrEndOfData},
		{"zeros", make([]byte, 64), ErrEndOfData},
		{"short zeros", make([]byte, 5), ErrEndOfData},
		{"short", []byte{0, 0, 1}, ErrTruncated},
		{"truncated", good[:150], ErrTruncated},
		{"bad magic", mod(func(b []byte) []byte { b[4] = 0; return b }), ErrCorrupt},
		{"v2 magic", mod(func(b []byte) []byte { b[7] = 0xAB; return b }), ErrCorrupt},
		{"size 0 magic ok", mod(func(b []byte) []byte { clear(b[:4]); return b }), ErrCorrupt},
		{"size too big", mod(func(b []byte) []byte { b[3]++; return b }), ErrTruncated},
		{"size too small", mod(func(b []byte) []byte { b[3]--; return b[:len(b)-1] }), ErrCorrupt},
		{"size tiny", mod(func(b []byte) []byte { b[3] = 10; return b }), ErrCorrupt},
		{"negative body", mod(func(b []byte) []byte { b[84] = 0xFF; return b }), ErrCorrupt},
		{"body overflow", mod(func(b []byte) []byte { b[87] = 0xF0; return b }), ErrCorrupt},
		{"negative topic", mod(func(b []byte) []byte { b[102] = 0x80; return b }), ErrCorrupt},
		{"topic overflow", mod(func(b []byte) []byte { b[102] = 0x7F; return b }), ErrCorrupt},
		{"negative props", mod(func(b []byte) []byte { b[112] = 0x80; return b }), ErrCorrupt},
		{"props mismatch", mod(func(b []byte) []byte { b[113]--; return b }), ErrCorrupt},
		{"v6 flag on v4 record", mod(func(b []byte) []byte { b[39] = 0x10; return b }), ErrCorrupt},
		{"crc", mod(func(b []byte) []byte { b[90] ^= 1; return b }), ErrCRC},
		{"blank too small", []byte{0, 0, 0, 4, 0xCB, 0xD4, 0x31, 0x94}, ErrCorrupt},
	} {
		_, err := Decode(c.in, true)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if r, err := Decode(good, true); err != nil || r.Kind != KindMessage {
		t.Fatal(err)
	}
	// A CRC of 0 on an empty body is never checked, as in Java.
	m := workedExample()
	m.Body, m.BodyCRC, m.KeepBodyCRC = nil, 12345, true
	b, _ := AppendRecord(nil, m)
	if _, err := Decode(b, true); err != nil {
		t.Errorf("empty body with nonzero CRC: %v", err)
	}
}

func TestEncodeLimits(t *testing.T) {
	m := workedExample()
	m.Topic = strings.Repeat("t", 128)
	if _, err := AppendRecord(nil, m); err != ErrTopicTooLong {
		t.Error(err)
	}
	m = workedExample()
	m.Properties = make([]byte, 32768)
	if _, err := AppendRecord(nil, m); err != ErrPropertiesTooLong {
		t.Error(err)
	}
	m = workedExample()
	m.Body = make([]byte, 100)
	if _, err := (Limits{MaxMessageBodySize: 99}).AppendRecord(nil, m); err != ErrBodyTooLarge {
		t.Error(err)
	}
	m.Body = make([]byte, 4*1024*1024)
	m.Properties = make([]byte, 32767)
	if _, err := AppendRecord(nil, m); err != nil {
		t.Error(err)
	}
	if !Fits(100, 108) || Fits(100, 107) {
		t.Error("Fits")
	}
	if _, err := AppendBlank(nil, 7); err == nil {
		t.Error("blank of 7 accepted")
	}
}

func TestPatch(t *testing.T) {
	for _, born := range []string{"127.0.0.1:1", "[2001:db8::1]:1"} {
		m := workedExample()
		m.BornHost = host(born)
		pre, _ := AppendRecord(nil, m)
		if err := Patch(pre, 11, 1410097, 1795256354751); err != nil {
			t.Fatal(err)
		}
		m.QueueOffset, m.PhysicalOffset, m.StoreTimestamp = 11, 1410097, 1795256354751
		want, _ := AppendRecord(nil, m)
		if !bytes.Equal(pre, want) {
			t.Errorf("%s: patched record differs", born)
		}
	}
	if err := Patch([]byte{0, 0, 0, 8, 0xCB, 0xD4, 0x31, 0x94}, 0, 0, 0); err == nil {
		t.Error("patched a BLANK")
	}
	if err := Patch(make([]byte, 3), 0, 0, 0); err == nil {
		t.Error("patched 3 bytes")
	}
}

func TestOffsetMsgID(t *testing.T) {
	h := host("192.168.1.10:10911")
	for _, c := range []struct {
		off  int64
		want string
	}{{0, "C0A8010A00002A9F0000000000000000"}, {1073741947, "C0A8010A00002A9F000000004000007B"}} {
		if got := OffsetMsgID(h, false, c.off); got != c.want {
			t.Errorf("%d: %s", c.off, got)
		}
		gh, off, err := DecodeOffsetMsgID(strings.ToLower(c.want))
		if err != nil || gh != h || off != c.off {
			t.Errorf("decode %s: %v %d %v", c.want, gh, off, err)
		}
	}
	h6 := host("[2001:db8::2]:10911")
	id := OffsetMsgID(h6, false, 7405)
	if len(id) != 56 || id != "20010DB800000000000000000000000200002A9F0000000000001CED" {
		t.Errorf("v6 id %s", id)
	}
	if gh, off, err := DecodeOffsetMsgID(id); err != nil || gh != h6 || off != 7405 {
		t.Errorf("v6 decode %v %d %v", gh, off, err)
	}
	for _, bad := range []string{"", "C0A8", strings.Repeat("G", 32), strings.Repeat("0", 33)} {
		if _, _, err := DecodeOffsetMsgID(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestProperties(t *testing.T) {
	p := Properties("a\x011\x02\x02x\x02\x01v\x02k\x01\x02TAGS\x01A\x02b\x01x\x01y\x02a\x012\x02")
	var got []string
	for n, v := range p.All() {
		got = append(got, string(n)+"="+string(v))
	}
	want := []string{"a=1", "TAGS=A", "b=x\x01y", "a=2"}
	if !slices.Equal(got, want) {
		t.Errorf("All %q", got)
	}
	if v, ok := p.Get("a"); !ok || string(v) != "2" {
		t.Errorf("Get a = %q", v)
	}
	if _, ok := p.Get("k"); ok {
		t.Error("empty value kept")
	}
	if !p.WaitStoreMsgOK() || !Properties("WAIT\x01TRUE").WaitStoreMsgOK() || Properties("WAIT\x01false").WaitStoreMsgOK() {
		t.Error("WaitStoreMsgOK")
	}
	if n := len(p.AppendPairs(nil)); n != 4 {
		t.Errorf("pairs %d", n)
	}
	var keys []string
	for k := range SplitKeys([]byte(" fixture-key-19  extra-key-19 ")) {
		keys = append(keys, string(k))
	}
	if !slices.Equal(keys, []string{"fixture-key-19", "extra-key-19"}) {
		t.Errorf("keys %q", keys)
	}
	for s, h := range map[string]int32{"": 0, "TagA": 2598919, "d": 100, "héllo": 103094734, "😀": 1772899} {
		if JavaHashString(s) != h || JavaHash([]byte(s)) != h {
			t.Errorf("hash %q = %d/%d, want %d", s, JavaHashString(s), JavaHash([]byte(s)), h)
		}
	}
	if TagsCode(nil) != 0 || TagsCode([]byte("TagA")) != 2598919 {
		t.Error("TagsCode")
	}
	// A negative hash stays negative (sign-extended).
	if TagsCode([]byte("polygenelubricants")) != -2147483648 {
		t.Errorf("TagsCode(polygenelubricants) = %d", TagsCode([]byte("polygenelubricants")))
	}
}

func TestPropertyMapJavaOrder(t *testing.T) {
	// STORE.md §2: producer {TAGS, KEYS, UNIQ_KEY, WAIT} + CLUSTER - WAIT.
	var m PropertyMap
	for _, kv := range [][2]string{{"TAGS", "TagA"}, {"KEYS", "OrderID188"}, {"UNIQ_KEY", "U"}, {"WAIT", "true"}} {
		m.Put(kv[0], kv[1])
	}
	m.Put(PropertyCluster, "DefaultCluster")
	m.Remove(PropertyWaitStoreMsgOK)
	if got := string(m.AppendTo(nil)); got != "KEYS\x01OrderID188\x02UNIQ_KEY\x01U\x02CLUSTER\x01DefaultCluster\x02TAGS\x01TagA" {
		t.Errorf("order %q", got)
	}
	// Transaction op message: WAIT, TAGS.
	m.Reset()
	m.Put("TAGS", "d")
	m.Put("WAIT", "true")
	if got := string(m.AppendTo(nil)); got != "WAIT\x01true\x02TAGS\x01d" {
		t.Errorf("op order %q", got)
	}
	// Growth past 12 entries rehashes into 32 buckets: order is bucket order.
	m.Reset()
	var names []string
	for i := range 20 {
		n := "k" + strings.Repeat("x", i)
		names = append(names, n)
		m.Put(n, "v")
	}
	var got []string
	m.Range(func(n, _ string) bool { got = append(got, n); return true })
	if m.capacity != 32 {
		t.Errorf("capacity %d", m.capacity)
	}
	for i := 1; i < len(got); i++ {
		if spreadHash(got[i-1])&31 > spreadHash(got[i])&31 {
			t.Errorf("not in bucket order: %q", got)
		}
	}
	if v, ok := m.Get("kx"); !ok || v != "v" || m.Len() != 20 || !m.ExactOrder() {
		t.Error("Get/Len")
	}
	// Nine names in one bucket double a 16-bucket table (treeifyBin).
	m.Reset()
	var same []string
	for i := 0; len(same) < 9; i++ {
		n := "n" + strconv.Itoa(i)
		if spreadHash(n)&63 == 5 {
			same = append(same, n)
		}
	}
	for _, n := range same {
		m.Put(n, "v")
	}
	if m.capacity != 32 {
		t.Errorf("capacity after 9 colliding puts %d, want 32", m.capacity)
	}
}
