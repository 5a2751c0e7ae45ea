package codec

import (
	"encoding/json"
	"testing"
)

// sendV2 is a SEND_MESSAGE_V2 request as the Java 4.9.7 producer sends it.
func sendV2(st SerializeType) *Command {
	c := &Command{Code: 310, Language: LangJava, Version: 407, Opaque: 42, Serialize: st, Body: make([]byte, 128)}
	for _, f := range []Field{{"a", "PG"}, {"b", "TopicTest"}, {"c", "TBW102"}, {"d", "4"}, {"e", "1"},
		{"f", "0"}, {"g", "1700000000000"}, {"h", "0"},
		{"i", "UNIQ_KEY\x01C0A8000A1F4018B4AAC27A0C4F2A0000\x02WAIT\x01true\x02TAGS\x01TagA"},
		{"j", "0"}, {"k", "false"}, {"m", "false"}, {"n", "broker-a"}} {
		c.Set(f.Key, f.Value)
	}
	return c
}

func benchDecodeEncode(b *testing.B, st SerializeType) {
	frame, err := AppendFrame(nil, sendV2(st))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, len(frame))
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd, err := Decode(frame)
		if err != nil {
			b.Fatal(err)
		}
		buf, err = AppendFrame(buf[:0], cmd)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendV2DecodeEncodeJSON(b *testing.B)     { benchDecodeEncode(b, JSON) }
func BenchmarkSendV2DecodeEncodeRocketMQ(b *testing.B) { benchDecodeEncode(b, RocketMQ) }

func benchHeaderDecode(b *testing.B, st SerializeType) {
	c := sendV2(st)
	c.Body = nil
	frame, _ := AppendFrame(nil, c)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendV2HeaderDecodeJSON(b *testing.B)     { benchHeaderDecode(b, JSON) }
func BenchmarkSendV2HeaderDecodeRocketMQ(b *testing.B) { benchHeaderDecode(b, RocketMQ) }

// BenchmarkSendV2HeaderDecodeEncodingJSON is the reflection-based baseline
// the hand-written decoder replaces, measured in the same run.
func BenchmarkSendV2HeaderDecodeEncodingJSON(b *testing.B) {
	c := sendV2(JSON)
	c.Body = nil
	frame, _ := AppendFrame(nil, c)
	hdr := frame[8:]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var h stdHeader
		if err := json.Unmarshal(hdr, &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendV2HeaderEncodeJSON(b *testing.B) {
	c := sendV2(JSON)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = AppendFrameHeader(buf[:0], c)
	}
}

func BenchmarkSendV2HeaderEncodeEncodingJSON(b *testing.B) {
	c := sendV2(JSON)
	h := stdHeader{Code: c.Code, Language: "JAVA", Version: c.Version, Opaque: c.Opaque, ExtFields: map[string]string{}}
	for _, f := range c.Ext {
		h.ExtFields[f.Key] = f.Value
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := json.Marshal(&h); err != nil {
			b.Fatal(err)
		}
	}
}
