package codec

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// javaWire holds the frames captured from the real Java 4.9.7 NameServer,
// broker, clients and mqadmin (see shared/testdata/java-4.9.7/README.md).
const javaWire = "../../../shared/testdata/java-4.9.7/wire"

type indexFrame struct {
	File          string `json:"file"`
	Code          int32  `json:"code"`
	Opaque        int32  `json:"opaque"`
	Flag          int32  `json:"flag"`
	SerializeType string `json:"serializeType"`
	HeaderLength  int    `json:"headerLength"`
	BodyLength    int    `json:"bodyLength"`
	HeaderText    string `json:"headerText"`
	Scenario      string `json:"scenario"`
	Header        struct {
		Code      int32             `json:"code"`
		Language  string            `json:"language"`
		Version   int32             `json:"version"`
		Opaque    int32             `json:"opaque"`
		Flag      int32             `json:"flag"`
		Remark    *string           `json:"remark"`
		ExtFields map[string]string `json:"extFields"`
	} `json:"header"`
}

func loadIndex(t testing.TB) []indexFrame {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(javaWire, "INDEX.json"))
	if err != nil {
		t.Fatalf("golden wire fixtures missing (shared/ must sit beside the repo): %v", err)
	}
	var idx struct {
		Frames []indexFrame `json:"frames"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Frames) != 197 {
		t.Fatalf("INDEX.json lists %d frames, want 197", len(idx.Frames))
	}
	return idx.Frames
}

func frameFile(f indexFrame) string { return filepath.Join(javaWire, f.File) }

// TestJavaFramesDecode decodes every captured frame and compares it with
// the header recorded in INDEX.json.
func TestJavaFramesDecode(t *testing.T) {
	for _, f := range loadIndex(t) {
		t.Run(f.File, func(t *testing.T) {
			raw, err := os.ReadFile(frameFile(f))
			if err != nil {
				t.Fatal(err)
			}
			cmd, err := Decode(raw)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			wantST := JSON
			if f.SerializeType == "ROCKETMQ" {
				wantST = RocketMQ
			}
			h := f.Header
			if cmd.Serialize != wantST || cmd.Code != h.Code || cmd.Opaque != h.Opaque ||
				cmd.Flag != h.Flag || cmd.Version != h.Version || cmd.Language.String() != h.Language {
				t.Fatalf("decoded %+v, want %+v (%s)", cmd, h, f.SerializeType)
			}
			wantRemark := ""
			if h.Remark != nil {
				wantRemark = *h.Remark
			}
			if cmd.Remark != wantRemark {
				t.Errorf("remark %q, want %q", cmd.Remark, wantRemark)
			}
			if len(cmd.Ext) != len(h.ExtFields) {
				t.Errorf("extFields %v, want %v", cmd.Ext, h.ExtFields)
			}
			for k, v := range h.ExtFields {
				if got, ok := cmd.Get(k); !ok || got != v {
					t.Errorf("extFields[%q] = %q, want %q", k, got, v)
				}
			}
			hl := f.HeaderLength
			if !bytes.Equal(cmd.Body, raw[8+hl:]) || len(cmd.Body) != f.BodyLength {
				t.Errorf("body of %d bytes, want %d", len(cmd.Body), f.BodyLength)
			}
		})
	}
}

// TestJavaFramesReencode re-encodes every decoded frame and demands the
// captured bytes back: field order, escapes and lengths as Java writes them.
func TestJavaFramesReencode(t *testing.T) {
	for _, f := range loadIndex(t) {
		raw, err := os.ReadFile(frameFile(f))
		if err != nil {
			t.Fatal(err)
		}
		cmd, err := Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		got, err := AppendFrame(nil, cmd)
		if err != nil {
			t.Fatalf("%s: encode: %v", f.File, err)
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("%s: re-encoded frame differs\n got %q\nwant %q", f.File, got[8:8+f.HeaderLength], raw[8:8+f.HeaderLength])
		}
		if f.HeaderText != "" && string(raw[8:8+f.HeaderLength]) != f.HeaderText {
			t.Errorf("%s: fixture header text does not match the file", f.File)
		}
	}
}

type streamFrame struct {
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	Code          int32  `json:"code"`
	Opaque        int32  `json:"opaque"`
	Response      bool   `json:"response"`
	Oneway        bool   `json:"oneway"`
	SerializeType string `json:"serializeType"`
	BodyLength    int    `json:"bodyLength"`
}

type stream struct {
	File   string        `json:"file"`
	Frames []streamFrame `json:"frames"`
}

func loadStreams(t testing.TB) []stream {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(javaWire, "streams", "STREAMS.json"))
	if err != nil {
		t.Fatalf("golden stream fixtures missing: %v", err)
	}
	var s struct {
		Streams []stream `json:"streams"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s.Streams
}

// TestJavaStreamsSplit feeds every captured per-connection byte stream
// through the Reader and checks it splits into exactly the recorded frames.
func TestJavaStreamsSplit(t *testing.T) {
	total := 0
	for _, s := range loadStreams(t) {
		raw, err := os.ReadFile(filepath.Join(javaWire, s.File))
		if err != nil {
			t.Fatal(err)
		}
		// iotest-style one-byte reads exercise every split point.
		r := NewReader(&oneByteReader{raw}, 0)
		for i, want := range s.Frames {
			cmd, err := r.Next()
			if err != nil {
				t.Fatalf("%s frame %d: %v", s.File, i, err)
			}
			if cmd.Code != want.Code || cmd.Opaque != want.Opaque || cmd.IsResponse() != want.Response ||
				cmd.IsOneway() != want.Oneway || cmd.Serialize.String() != want.SerializeType ||
				len(cmd.Body) != want.BodyLength {
				t.Fatalf("%s frame %d: got code %d opaque %d flag %d %s body %d, want %+v",
					s.File, i, cmd.Code, cmd.Opaque, cmd.Flag, cmd.Serialize, len(cmd.Body), want)
			}
			enc, err := AppendFrame(nil, cmd)
			if err != nil || !bytes.Equal(enc, raw[want.Offset:want.Offset+want.Length]) {
				t.Fatalf("%s frame %d: re-encoding differs (%v)", s.File, i, err)
			}
			total++
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("%s: want EOF after %d frames, got %v", s.File, len(s.Frames), err)
		}
	}
	if total != 1278 {
		t.Fatalf("split %d frames, want 1278", total)
	}
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}
