package message

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func FuzzDecode(f *testing.F) {
	cl, err := os.ReadFile(filepath.Join(fixtureRoot, "store-small", "commitlog", "00000000000000000000"))
	if err != nil {
		f.Fatalf("fixture missing: %v", err)
	}
	first := cl[:219]
	f.Add(first, true)
	f.Add(first[:100], true)
	f.Add(cl[4433:4433+250], false) // batch record
	f.Add(cl[1047928:1047928+16], true)
	for _, n := range []byte{0, 1, 90, 0xFF} {
		b := bytes.Clone(first)
		b[3] = n
		f.Add(b, true)
	}
	m := workedExample()
	m.BornHost, m.StoreHost = host("[2001:db8::1]:1"), host("[::1]:2")
	v6, _ := AppendRecord(nil, m)
	f.Add(v6, true)
	f.Fuzz(func(t *testing.T, b []byte, checkCRC bool) {
		var r Record
		err := r.Decode(b, checkCRC)
		// Patch and the batch reader must not panic either.
		_ = Patch(bytes.Clone(b), 1, 2, 3)
		_, _, _ = NextBatchItem(b)
		_, _, _ = AppendBatch(nil, &Batch{Topic: "T"}, b)
		if err != nil {
			return
		}
		var enc []byte
		switch r.Kind {
		case KindBlank:
			enc, err = AppendBlank(nil, r.TotalSize)
		case KindMessage:
			msg := r.Message()
			enc, err = AppendRecord(nil, &msg)
			if r.OffsetMsgID() == "" {
				t.Fatal("empty msgId")
			}
		default:
			t.Fatalf("kind %v", r.Kind)
		}
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(enc, r.Raw) || !bytes.Equal(r.Raw, b[:len(r.Raw)]) {
			t.Fatalf("re-encode differs\n got %x\nwant %x", enc, r.Raw)
		}
	})
}

var benchSizes = []int{128, 1024, 4096}

func benchMessage(n int) *Message {
	m := workedExample()
	m.Body = bytes.Repeat([]byte("x"), n)
	return m
}

func BenchmarkAppendRecord(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			m := benchMessage(n)
			buf := make([]byte, 0, 8192)
			b.SetBytes(int64(m.RecordSize()))
			b.ReportAllocs()
			for b.Loop() {
				out, err := AppendRecord(buf[:0], m)
				if err != nil {
					b.Fatal(err)
				}
				_ = Patch(out, 1, 2, 3)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, n := range benchSizes {
		for _, crc := range []bool{false, true} {
			b.Run(strconv.Itoa(n)+"/crc="+strconv.FormatBool(crc), func(b *testing.B) {
				rec, _ := AppendRecord(nil, benchMessage(n))
				b.SetBytes(int64(len(rec)))
				b.ReportAllocs()
				var r Record
				for b.Loop() {
					if err := r.Decode(rec, crc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPhysicalLimit is the floor for encoding: CRC of the body plus
// copying the record-sized payload.
func BenchmarkPhysicalLimit(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			m := benchMessage(n)
			size := m.RecordSize()
			src := make([]byte, size)
			dst := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				c := crc32.ChecksumIEEE(m.Body)
				copy(dst, src)
				binary.BigEndian.PutUint32(dst[8:], c)
			}
		})
	}
}

func BenchmarkAppendBatch(b *testing.B) {
	var body []byte
	for range 10 {
		body, _ = AppendBatchItem(body, 0, bytes.Repeat([]byte("x"), 128), []byte("KEYS\x01k\x02UNIQ_KEY\x01C000020205EF5FFD2B2769360E170014\x02WAIT\x01true\x02TAGS\x01T"))
	}
	bt := &Batch{Topic: "FixtureTopic", BornHost: host("127.0.0.1:1"), StoreHost: host("127.0.0.1:2"), Properties: []byte("CLUSTER\x01DefaultCluster\x02WAIT\x01true")}
	buf := make([]byte, 0, 8192)
	b.ReportAllocs()
	for b.Loop() {
		out, _, err := AppendBatch(buf[:0], bt, body)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = PatchRun(out, 5, 4433, 1)
	}
}

func BenchmarkPropertiesGet(b *testing.B) {
	p := Properties("p1\x01v1-0\x02KEYS\x01fixture-key-0\x02UNIQ_KEY\x01C000020205EF5FFD2B2769360D7E0000\x02CLUSTER\x01DefaultCluster\x02TAGS\x01TagA\x02seq\x010")
	b.ReportAllocs()
	for b.Loop() {
		v, _ := p.Get(PropertyTags)
		_ = TagsCode(v)
	}
}

func BenchmarkPropertyMap(b *testing.B) {
	p := Properties("p1\x01v1-0\x02KEYS\x01fixture-key-0\x02UNIQ_KEY\x01C000020205EF5FFD2B2769360D7E0000\x02WAIT\x01true\x02TAGS\x01TagA\x02seq\x010")
	var m PropertyMap
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		m.ParseFrom(p)
		m.Put(PropertyCluster, "DefaultCluster")
		m.Remove(PropertyWaitStoreMsgOK)
		buf = m.AppendTo(buf[:0])
	}
}
