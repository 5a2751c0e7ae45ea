package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// goClientWire holds request frames sent by rocketmq-client-go v2.1.2,
// captured by goclient_capture_test.go (build tag capture).
const goClientWire = "testdata/goclient"

type goClientIndexFrame struct {
	File       string `json:"file"`
	Code       int32  `json:"code"`
	Name       string `json:"name"`
	Opaque     int32  `json:"opaque"`
	Flag       int32  `json:"flag"`
	HeaderText string `json:"headerText"`
	BodyLength int    `json:"bodyLength"`
	Note       string `json:"note"`
}

// goClientHeader is the header as encoding/json reads it: an independent
// decode to compare ours with.
type goClientHeader struct {
	Code      int32
	Language  string
	Version   int32
	Opaque    int32
	Flag      int32
	Remark    string
	ExtFields map[string]string
}

// goClientKeyOrder is the order jsoniter writes the client's RemotingCommand
// struct fields in. Java (fastjson) and our encoder write them sorted, with
// serializeTypeCurrentRPC, so this order marks a frame as the Go client's.
var goClientKeyOrder = []string{"code", "language", "version", "opaque", "flag", "remark", "extFields"}

func loadGoClientIndex(t *testing.T) []goClientIndexFrame {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(goClientWire, "INDEX.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Frames []goClientIndexFrame `json:"frames"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Frames
}

// goClientKeys returns the keys of the JSON object b in text order.
func goClientKeys(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("want a JSON object, got %v (%v)", tok, err)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestGoClientFrames decodes every frame rocketmq-client-go v2.1.2 sent and
// compares it with encoding/json's reading of the same header text.
func TestGoClientFrames(t *testing.T) {
	frames := loadGoClientIndex(t)
	if len(frames) < 8 {
		t.Fatalf("INDEX.json lists %d frames, want at least 8", len(frames))
	}
	codes := map[int32]bool{}
	for _, f := range frames {
		codes[f.Code] = true
	}
	// The capture must keep covering the requests a server sees first.
	for _, code := range []int32{10, 11, 14, 15, 34, 38, 105, 320} {
		if !codes[code] {
			t.Errorf("no frame with code %d in %s", code, goClientWire)
		}
	}

	for _, f := range frames {
		t.Run(f.File, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(goClientWire, f.File))
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) < 8 {
				t.Fatalf("file of %d bytes", len(raw))
			}
			word := binary.BigEndian.Uint32(raw[4:])
			hlen := int(word & 0xFFFFFF)
			if word>>24 != uint32(JSON) || 8+hlen > len(raw) {
				t.Fatalf("header word %#x: want JSON, length within the %d-byte frame", word, len(raw))
			}
			header := raw[8 : 8+hlen]
			if string(header) != f.HeaderText {
				t.Fatalf("INDEX headerText does not match the file's header\nfile  %s\nindex %s", header, f.HeaderText)
			}

			var want goClientHeader
			if err := json.Unmarshal(header, &want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if want.Code != f.Code || want.Opaque != f.Opaque || want.Flag != f.Flag {
				t.Fatalf("INDEX says code %d opaque %d flag %d, header says %+v", f.Code, f.Opaque, f.Flag, want)
			}
			if want.Language != "GO" || want.Version != 317 {
				t.Fatalf("language %q version %d: not a rocketmq-client-go v2.1.2 frame", want.Language, want.Version)
			}
			if keys := goClientKeys(t, header); !slices.Equal(keys, goClientKeyOrder) {
				t.Fatalf("header keys %v, want the Go client's order %v", keys, goClientKeyOrder)
			}

			cmd, err := Decode(raw)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if cmd.Serialize != JSON || cmd.Code != want.Code || cmd.Opaque != want.Opaque ||
				cmd.Flag != want.Flag || cmd.Version != want.Version || cmd.Language != LangGo ||
				cmd.Language.String() != want.Language || cmd.Remark != want.Remark {
				t.Fatalf("decoded %s code %d lang %v version %d opaque %d flag %d remark %q, want %+v",
					cmd.Serialize, cmd.Code, cmd.Language, cmd.Version, cmd.Opaque, cmd.Flag, cmd.Remark, want)
			}
			// The client never sets the oneway bit, not even for requests
			// it sends oneway (UPDATE_CONSUMER_OFFSET).
			if cmd.IsResponse() || cmd.IsOneway() {
				t.Errorf("flag %d: want a plain request", cmd.Flag)
			}
			if want.ExtFields == nil || cmd.Ext == nil {
				t.Fatalf("extFields: decoded %v, encoding/json %v; the client always writes an object", cmd.Ext, want.ExtFields)
			}
			if len(cmd.Ext) != len(want.ExtFields) {
				t.Errorf("%d extFields, want %d: %v", len(cmd.Ext), len(want.ExtFields), cmd.Ext)
			}
			for k, v := range want.ExtFields {
				if got, ok := cmd.Get(k); !ok || got != v {
					t.Errorf("extFields[%q] = %q (present %v), want %q", k, got, ok, v)
				}
			}
			var members map[string]json.RawMessage
			if err := json.Unmarshal(header, &members); err != nil {
				t.Fatal(err)
			}
			extKeys := goClientKeys(t, members["extFields"])
			gotKeys := make([]string, len(cmd.Ext))
			for i, e := range cmd.Ext {
				gotKeys[i] = e.Key
			}
			if !slices.Equal(gotKeys, extKeys) {
				t.Errorf("extFields order %v, want wire order %v", gotKeys, extKeys)
			}
			body := raw[8+hlen:]
			if len(body) != f.BodyLength || len(cmd.Body) != len(body) || !bytes.Equal(cmd.Body, body) {
				t.Errorf("body of %d bytes, want the file's %d (INDEX %d)", len(cmd.Body), len(body), f.BodyLength)
			}

			// Our encoder writes Java's key order, so the bytes differ from
			// the client's; the decoded command must survive the trip.
			enc, err := AppendFrame(nil, cmd)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			again, err := Decode(enc)
			if err != nil {
				t.Fatalf("decode of re-encoded frame: %v", err)
			}
			if again.Serialize != cmd.Serialize || again.Code != cmd.Code || again.Language != cmd.Language ||
				again.Version != cmd.Version || again.Opaque != cmd.Opaque || again.Flag != cmd.Flag ||
				again.Remark != cmd.Remark || !slices.Equal(again.Ext, cmd.Ext) || (again.Ext == nil) != (cmd.Ext == nil) ||
				!bytes.Equal(again.Body, cmd.Body) {
				t.Errorf("re-encoded command differs\n got %+v\nwant %+v", again, cmd)
			}
		})
	}
}
