package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// jsonFrame wraps a JSON header text (and body) into a frame.
func jsonFrame(header string, body []byte) []byte {
	f := make([]byte, 8, 8+len(header)+len(body))
	binary.BigEndian.PutUint32(f, uint32(4+len(header)+len(body)))
	binary.BigEndian.PutUint32(f[4:], uint32(len(header)))
	f = append(f, header...)
	return append(f, body...)
}

func TestJSONHeaderAccepts(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   Command
	}{
		{"go client order and empty remark",
			`{"code":105,"language":"GO","version":317,"opaque":7,"flag":0,"remark":"","extFields":{"topic":"TopicTest"}}`,
			Command{Code: 105, Language: LangGo, Version: 317, Opaque: 7, Ext: []Field{{"topic", "TopicTest"}}}},
		{"whitespace everywhere",
			" {\n\t\"code\" : 34 ,\r\n \"flag\":\t2 , \"opaque\" : -5 } ",
			Command{Code: 34, Flag: 2, Opaque: -5}},
		{"extFields null, remark null, language missing",
			`{"code":1,"extFields":null,"remark":null}`,
			Command{Code: 1}},
		{"numbers as strings, language lower case and ordinal",
			`{"code":"310","opaque":"9","language":"go"}`,
			Command{Code: 310, Opaque: 9, Language: LangGo}},
		{"language ordinal",
			`{"code":1,"language":1}`,
			Command{Code: 1, Language: LangCPP}},
		{"non-string extFields values kept as JSON text, null dropped",
			`{"code":1,"extFields":{"queueId":5,"neg":-1.5e3,"ok":true,"no":false,"gone":null}}`,
			Command{Code: 1, Ext: []Field{{"queueId", "5"}, {"neg", "-1.5e3"}, {"ok", "true"}, {"no", "false"}}}},
		{"unknown keys of every shape skipped",
			`{"x":{"a":[1,{"b":null}],"c":"\"}"},"serializeTypeCurrentRPC":"JSON","code":3,"y":[],"z":true}`,
			Command{Code: 3}},
		{"escapes, surrogate pair, lone surrogate",
			`{"code":1,"remark":"a\"b\\c\/d\n\u0001\u00e9\ud83d\ude00\ud800x"}`,
			Command{Code: 1, Remark: "a\"b\\c/d\n\x01é😀\uFFFDx"}},
		{"duplicate top-level key: last wins",
			`{"code":1,"code":2}`,
			Command{Code: 2}},
		{"code above int16 is fine in JSON",
			`{"code":200050}`,
			Command{Code: 200050}},
		{"empty object",
			`{}`,
			Command{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(jsonFrame(tc.header, nil))
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Serialize = JSON
			if tc.want.Ext == nil && got.Ext != nil && len(got.Ext) == 0 && strings.Contains(tc.header, `"extFields":{}`) {
				got.Ext = nil
			}
			assertSameCommand(t, got, &tc.want)
		})
	}
}

func assertSameCommand(t *testing.T, got, want *Command) {
	t.Helper()
	if got.Code != want.Code || got.Language != want.Language || got.Version != want.Version ||
		got.Opaque != want.Opaque || got.Flag != want.Flag || got.Remark != want.Remark ||
		got.Serialize != want.Serialize || !bytes.Equal(got.Body, want.Body) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if len(got.Ext) != len(want.Ext) {
		t.Fatalf("ext %v, want %v", got.Ext, want.Ext)
	}
	for i := range got.Ext {
		if got.Ext[i] != want.Ext[i] {
			t.Fatalf("ext %v, want %v", got.Ext, want.Ext)
		}
	}
}

func TestJSONHeaderRejects(t *testing.T) {
	for _, h := range []string{
		``, `{`, `[]`, `{"code":1`, `{"code":1,}`, `{"code":}`, `{"code":1}x`, `{"code":"abc"}`,
		`{"code":2147483648}`, `{"code":1.5}`, `{"code":01}`, `{"remark":"unterminated}`,
		`{"remark":"bad \x escape"}`, `{"remark":"\u12"}`, "{\"remark\":\"raw \x01 control\"}",
		`{"extFields":{"a":{"nested":1}}}`, `{"extFields":["a"]}`, `{"extFields":{"a" "b"}}`,
		`{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		`{"language":300}`, `{"code":tru}`, `{"code":-}`,
	} {
		if _, err := Decode(jsonFrame(h, nil)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: got %v, want ErrMalformed", h, err)
		}
	}
}

// TestJSONDecodeMatchesEncodingJSON checks the hand-written decoder against
// encoding/json on every captured Java header and on headers our encoder
// writes for awkward strings.
func TestJSONDecodeMatchesEncodingJSON(t *testing.T) {
	var headers []string
	for _, f := range loadIndex(t) {
		if f.HeaderText != "" {
			headers = append(headers, f.HeaderText)
		}
	}
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl \x00\x01\x1f\x7f \b\t\n\f\r",
		"C1 \u0080\u009f\u00a0", "utf8 é 漢字 😀", "slash / and \u2028", strings.Repeat("x", 300)} {
		c := &Command{Code: 1, Remark: s, Serialize: JSON}
		c.Set(s, s)
		c.Set("k", s)
		f, err := AppendFrame(nil, c)
		if err != nil {
			t.Fatal(err)
		}
		headers = append(headers, string(f[8:]))
	}
	for _, h := range headers {
		assertMatchesEncodingJSON(t, []byte(h))
	}
}

type stdHeader struct {
	Code      int32             `json:"code"`
	Language  string            `json:"language"`
	Version   int32             `json:"version"`
	Opaque    int32             `json:"opaque"`
	Flag      int32             `json:"flag"`
	Remark    string            `json:"remark"`
	ExtFields map[string]string `json:"extFields"`
}

// assertMatchesEncodingJSON decodes h with both decoders; when
// encoding/json accepts it into the header shape, ours must agree on every
// field.
func assertMatchesEncodingJSON(t testing.TB, h []byte) {
	var std stdHeader
	stdErr := json.Unmarshal(h, &std)
	got, err := Decode(jsonFrame(string(h), nil))
	if stdErr != nil {
		return // ours may be more lenient (numeric strings, ordinals)
	}
	if err != nil {
		t.Fatalf("encoding/json accepts %q, we reject it: %v", h, err)
	}
	ext := map[string]string{}
	for _, f := range got.Ext {
		ext[f.Key] = f.Value
	}
	if std.ExtFields == nil {
		std.ExtFields = map[string]string{}
	}
	// Only a known language name has a defined decoding; an empty or
	// unknown one is LangOther for us and null for Java.
	lang := std.Language
	if got.Code != std.Code || got.Version != std.Version || got.Opaque != std.Opaque ||
		got.Flag != std.Flag || got.Remark != std.Remark || !reflect.DeepEqual(ext, std.ExtFields) ||
		(lang != "" && languageFromName([]byte(lang)) != LangOther && !strings.EqualFold(got.Language.String(), lang)) {
		t.Fatalf("header %q\n ours %+v ext %v\n std  %+v", h, got, ext, std)
	}
}

func TestBinaryHeaderRejects(t *testing.T) {
	valid := &Command{Code: 105, Opaque: 7, Remark: "r", Serialize: RocketMQ}
	valid.Set("topic", "TopicTest")
	frame, err := AppendFrame(nil, valid)
	if err != nil {
		t.Fatal(err)
	}
	hdr := frame[8:]
	put := func(at int, v uint32) []byte {
		h := append([]byte(nil), hdr...)
		binary.BigEndian.PutUint32(h[at:], v)
		return h
	}
	bad := map[string][]byte{
		"short fixed part":       hdr[:10],
		"remark length negative": put(13, 0xFFFFFFFF),
		"remark length too long": put(13, 1000),
		"ext length too long":    put(18, 1000),
		"ext length negative":    put(18, 0x80000000),
		"ext value too long":     put(18+4+2+5, 0x7FFFFFFF),
		"ext entry truncated":    append(put(18, uint32(len(hdr)-22+1)), 0),
	}
	for name, h := range bad {
		f := make([]byte, 8, 8+len(h))
		binary.BigEndian.PutUint32(f, uint32(4+len(h)))
		binary.BigEndian.PutUint32(f[4:], 1<<24|uint32(len(h)))
		f = append(f, h...)
		if _, err := Decode(f); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestRoundTripBothSerializations(t *testing.T) {
	for _, st := range []SerializeType{JSON, RocketMQ} {
		c := &Command{Code: 11, Language: LangGo, Version: 317, Opaque: -42, Flag: FlagOneway,
			Remark: "héllo\nworld", Body: []byte("body\x00bytes"), Serialize: st}
		c.Set("consumerGroup", "g")
		c.Set("queueOffset", "12345678901234")
		c.Set("empty", "")
		f, err := AppendFrame(nil, c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		assertSameCommand(t, got, c)
	}
}

func TestFrameLimits(t *testing.T) {
	cases := []struct {
		name   string
		length uint32
		want   error
	}{
		{"negative", 0xFFFFFFFF, ErrFrameTooShort},
		{"zero", 0, ErrFrameTooShort},
		{"three", 3, ErrFrameTooShort},
		{"above 16 MiB", DefaultMaxFrameLength - 3, ErrFrameTooLarge},
		{"huge", 0x7FFFFFFF, ErrFrameTooLarge},
	}
	for _, tc := range cases {
		var p [4]byte
		binary.BigEndian.PutUint32(p[:], tc.length)
		if _, err := FrameLength(p[:], DefaultMaxFrameLength); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	binary.BigEndian.PutUint32(make([]byte, 4), 0)
	var p [4]byte
	binary.BigEndian.PutUint32(p[:], DefaultMaxFrameLength-4)
	if n, err := FrameLength(p[:], DefaultMaxFrameLength); err != nil || n != DefaultMaxFrameLength {
		t.Errorf("largest legal frame: %d, %v", n, err)
	}
	// Header length larger than the frame.
	f := jsonFrame(`{"code":1}`, nil)
	binary.BigEndian.PutUint32(f[4:], 100)
	if _, err := Decode(f); !errors.Is(err, ErrHeaderTooLarge) {
		t.Errorf("header beyond frame: %v", err)
	}
	// Unknown serialize type.
	f = jsonFrame(`{"code":1}`, nil)
	f[4] = 7
	if _, err := Decode(f); !errors.Is(err, ErrSerializeType) {
		t.Errorf("serialize type 7: %v", err)
	}
	// Encoding refuses what a Java peer would refuse to read.
	if _, err := AppendFrame(nil, &Command{Body: make([]byte, DefaultMaxFrameLength)}); err == nil {
		t.Error("encoded a frame above the limit")
	}
	if _, err := AppendFrame(nil, &Command{Code: 200050, Serialize: RocketMQ}); err == nil {
		t.Error("encoded code 200050 into an int16 field")
	}
}

// TestReaderOversizedNotRead: a declared 16 MiB+ frame is refused from its
// 4-byte prefix alone, before the peer sends (or we buffer) any of it.
func TestReaderOversizedNotRead(t *testing.T) {
	var p [4]byte
	binary.BigEndian.PutUint32(p[:], 1<<30)
	r := NewReader(io.MultiReader(bytes.NewReader(p[:]), blockingReader{t}), 0)
	if _, err := r.Next(); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("got %v", err)
	}
}

type blockingReader struct{ t *testing.T }

func (b blockingReader) Read([]byte) (int, error) {
	b.t.Fatal("reader read past an oversized length prefix")
	return 0, io.EOF
}

// TestReaderTruncated: a frame cut short is an error, and the reader does
// not allocate the declared size up front.
func TestReaderTruncated(t *testing.T) {
	var p [8]byte
	binary.BigEndian.PutUint32(p[:], 10<<20)
	r := NewReader(bytes.NewReader(p[:]), 0)
	_, err := r.Next()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v", err)
	}
	if cap(r.buf) > 2*readChunk {
		t.Fatalf("reader allocated %d bytes for 4 received", cap(r.buf))
	}
}

func TestSplitAtEveryBoundary(t *testing.T) {
	var stream []byte
	var want []*Command
	for i, st := range []SerializeType{JSON, RocketMQ, JSON} {
		c := &Command{Code: int32(10 + i), Opaque: int32(i), Body: bytes.Repeat([]byte{byte(i)}, 50*i), Serialize: st}
		c.Set("k", strings.Repeat("v", i))
		stream, _ = AppendFrame(stream, c)
		want = append(want, c)
	}
	for cut := 0; cut <= len(stream); cut++ {
		r := NewReader(io.MultiReader(bytes.NewReader(stream[:cut]), bytes.NewReader(stream[cut:])), 0)
		for i := range want {
			got, err := r.Next()
			if err != nil {
				t.Fatalf("cut %d frame %d: %v", cut, i, err)
			}
			assertSameCommand(t, got, want[i])
		}
	}
}

func TestDecodedCommandDoesNotAliasInput(t *testing.T) {
	c := &Command{Code: 1, Remark: "remark", Body: []byte("body"), Serialize: JSON}
	c.Set("key", "value")
	f, _ := AppendFrame(nil, c)
	got, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f {
		f[i] = 'X'
	}
	if got.Remark != "remark" || got.Value("key") != "value" || string(got.Body) != "body" {
		t.Fatalf("decoded command changed with its input: %+v", got)
	}
}

func TestCommandExt(t *testing.T) {
	c := &Command{}
	if _, ok := c.Get("a"); ok {
		t.Fatal("found a key in a nil map")
	}
	c.Set("a", "1")
	c.Set("b", "2")
	c.Set("a", "3")
	if c.Value("a") != "3" || len(c.Ext) != 2 {
		t.Fatalf("ext %v", c.Ext)
	}
	// Duplicate keys from a Java fast-encoded ROCKETMQ header: last wins.
	c.Ext = append(c.Ext, Field{"b", "4"})
	if c.Value("b") != "4" {
		t.Fatalf("duplicate key: %q", c.Value("b"))
	}
	r := NewResponse(&Command{Opaque: 77, Serialize: RocketMQ}, 17, "no route")
	if !r.IsResponse() || r.Opaque != 77 || r.Serialize != RocketMQ || r.Version != Version || r.Code != 17 {
		t.Fatalf("response %+v", r)
	}
}
