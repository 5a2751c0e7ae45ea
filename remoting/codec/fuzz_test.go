package codec

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
	"unicode/utf8"
)

// seedFrames adds every captured Java frame plus hostile shapes: truncated
// frames, oversized lengths, unterminated JSON, overlong ROCKETMQ fields.
func seedFrames(f *testing.F) {
	for _, fr := range loadIndex(f) {
		raw, err := os.ReadFile(frameFile(fr))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		f.Add(raw[:len(raw)/2])
	}
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Add(jsonFrame(`{"code":1,"remark":"unterminated`, nil))
	f.Add(jsonFrame(`{"code":1,"extFields":{"a":"b"`, nil))
	long := make([]byte, 30)
	binary.BigEndian.PutUint32(long[13:], 0x7FFFFFF0)
	f.Add(append([]byte{0, 0, 0, 34, 1, 0, 0, 30}, long...))
}

// FuzzDecodeFrame: any input either decodes or returns ErrMalformed; a
// decoded command re-encodes and decodes to itself.
func FuzzDecodeFrame(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 4 {
			if _, err := FrameLength(data, DefaultMaxFrameLength); err != nil {
				return
			}
		}
		cmd, err := Decode(data)
		if err != nil {
			return
		}
		enc, err := AppendFrame(nil, cmd)
		if err != nil {
			return // e.g. a language byte JSON cannot name, codes outside int16
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded frame does not decode: %v\n%q", err, enc)
		}
		if again.Code != cmd.Code || again.Opaque != cmd.Opaque || again.Flag != cmd.Flag ||
			again.Remark != cmd.Remark || !bytes.Equal(again.Body, cmd.Body) || len(again.Ext) != len(cmd.Ext) {
			t.Fatalf("round trip changed the command:\n%+v\n%+v", cmd, again)
		}
	})
}

// FuzzJSONHeader compares the JSON header decoder with encoding/json.
func FuzzJSONHeader(f *testing.F) {
	for _, fr := range loadIndex(f) {
		if fr.HeaderText != "" {
			f.Add([]byte(fr.HeaderText))
		}
	}
	f.Add([]byte(`{"code":105,"language":"GO","version":317,"opaque":7,"flag":0,"remark":"","extFields":{"topic":"T"}}`))
	f.Add([]byte(`{"remark":"\ud83d\ude00\u0001\"","x":[{"y":null}]}`))
	f.Fuzz(func(t *testing.T, h []byte) {
		if !utf8.Valid(h) {
			return // encoding/json substitutes U+FFFD; we pass bytes through
		}
		assertMatchesEncodingJSON(t, h)
	})
}

// FuzzBinaryHeader: arbitrary ROCKETMQ headers never panic and, when they
// decode, re-encode to the same bytes.
func FuzzBinaryHeader(f *testing.F) {
	for _, fr := range loadIndex(f) {
		if fr.SerializeType == "ROCKETMQ" {
			raw, _ := os.ReadFile(frameFile(fr))
			f.Add(raw[8 : 8+fr.HeaderLength])
		}
	}
	f.Fuzz(func(t *testing.T, h []byte) {
		frame := make([]byte, 8, 8+len(h))
		binary.BigEndian.PutUint32(frame, uint32(4+len(h)))
		binary.BigEndian.PutUint32(frame[4:], 1<<24|uint32(len(h)))
		frame = append(frame, h...)
		cmd, err := Decode(frame)
		if err != nil {
			return
		}
		enc, err := AppendFrame(nil, cmd)
		if err != nil {
			t.Fatalf("decoded header does not encode: %v", err)
		}
		// Java writes a zero-length map for an empty one; only then may the
		// bytes differ (a non-zero ext length with no entries cannot occur).
		if !bytes.Equal(enc, frame) {
			t.Fatalf("re-encoding differs:\n%x\n%x", enc, frame)
		}
	})
}
