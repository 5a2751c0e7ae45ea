package codec

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting when skipping unknown values, so a crafted
// header cannot recurse deeply.
const maxJSONDepth = 32

// jsonScanner decodes a JSON header in place: h is the private header copy,
// and escaped strings are unescaped into the bytes they occupied (an escape
// never decodes to more bytes than it spans), so decoded strings need no
// allocation of their own.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: JSON header at byte %d: %s", ErrMalformed, s.i, fmt.Sprintf(format, args...))
}

// strSpecial marks the bytes that end the fast scan of a string: the
// closing quote, a backslash, and control characters (invalid unescaped).
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (s *jsonScanner) ws() {
	for s.i < len(s.b) && s.b[s.i] <= ' ' {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) expect(ch byte) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != ch {
		return s.errorf("expected %q", ch)
	}
	s.i++
	return nil
}

func (s *jsonScanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

func hexVal(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func (s *jsonScanner) hex4(at int) rune {
	if at+4 > len(s.b) {
		return -1
	}
	var r rune
	for _, c := range s.b[at : at+4] {
		v := hexVal(c)
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}

// str reads a string starting at its opening quote and returns its decoded
// bytes, which live in s.b.
func (s *jsonScanner) str() ([]byte, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, s.errorf("expected string")
	}
	s.i++
	start := s.i
	// Fast path: no escapes. One table lookup per byte.
	b := s.b
	i := s.i
	for i < len(b) && !strSpecial[b[i]] {
		i++
	}
	s.i = i
	if i < len(b) && b[i] == '"' {
		s.i++
		return b[start:i], nil
	}
	w := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start:w], nil
		case c < 0x20:
			return nil, s.errorf("control character in string")
		case c != '\\':
			s.b[w] = c
			w++
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			break
		}
		esc := s.b[s.i+1]
		s.i += 2
		var out byte
		switch esc {
		case '"', '\\', '/':
			out = esc
		case 'b':
			out = '\b'
		case 'f':
			out = '\f'
		case 'n':
			out = '\n'
		case 'r':
			out = '\r'
		case 't':
			out = '\t'
		case 'u':
			r := s.hex4(s.i)
			if r < 0 {
				return nil, s.errorf("bad \\u escape")
			}
			s.i += 4
			if utf16IsSurrogate(r) {
				r2 := rune(-1)
				if s.i+6 <= len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					r2 = s.hex4(s.i + 2)
				}
				if dec := decodeSurrogates(r, r2); dec != utf8.RuneError {
					s.i += 6
					r = dec
				} else {
					r = utf8.RuneError
				}
			}
			w += utf8.EncodeRune(s.b[w:], r)
			continue
		default:
			return nil, s.errorf("bad escape \\%c", esc)
		}
		s.b[w] = out
		w++
	}
	return nil, s.errorf("unterminated string")
}

func utf16IsSurrogate(r rune) bool { return r >= 0xD800 && r < 0xE000 }

func decodeSurrogates(hi, lo rune) rune {
	if hi >= 0xD800 && hi < 0xDC00 && lo >= 0xDC00 && lo < 0xE000 {
		return (hi-0xD800)<<10 | (lo - 0xDC00) + 0x10000
	}
	return utf8.RuneError
}

// number reads a JSON number and returns its text.
func (s *jsonScanner) number() ([]byte, error) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == digits || (s.b[digits] == '0' && s.i-digits > 1) {
		return nil, s.errorf("bad number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		f := s.i
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
		if s.i == f {
			return nil, s.errorf("bad number")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		f := s.i
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
		if s.i == f {
			return nil, s.errorf("bad number")
		}
	}
	return s.b[start:s.i], nil
}

// parseInt32 parses decimal text without allocating.
func parseInt32(b []byte) (int32, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// int32Value reads an int field: a JSON integer, or (as fastjson allows) a
// string holding one.
func (s *jsonScanner) int32Value(name string) (int32, error) {
	s.ws()
	var text []byte
	var err error
	if s.i < len(s.b) && s.b[s.i] == '"' {
		text, err = s.str()
	} else {
		text, err = s.number()
	}
	if err != nil {
		return 0, err
	}
	n, ok := parseInt32(text)
	if !ok {
		return 0, s.errorf("%s is not a 32-bit integer: %q", name, text)
	}
	return n, nil
}

// skip skips any JSON value.
func (s *jsonScanner) skip(depth int) error {
	if depth > maxJSONDepth {
		return s.errorf("nesting deeper than %d", maxJSONDepth)
	}
	s.ws()
	if s.i >= len(s.b) {
		return s.errorf("expected value")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == closer {
			s.i++
			return nil
		}
		for {
			if c == '{' {
				s.ws()
				if _, err := s.str(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) {
				return s.errorf("unterminated container")
			}
			if s.b[s.i] == closer {
				s.i++
				return nil
			}
			if s.b[s.i] != ',' {
				return s.errorf("expected ',' or %q", closer)
			}
			s.i++
		}
	case c == 't':
		if s.literal("true") {
			return nil
		}
	case c == 'f':
		if s.literal("false") {
			return nil
		}
	case c == 'n':
		if s.literal("null") {
			return nil
		}
	default:
		_, err := s.number()
		return err
	}
	return s.errorf("bad literal")
}

// scalarText reads a string, number, boolean or null. isNull reports null.
func (s *jsonScanner) scalarText() (text []byte, isNull bool, err error) {
	s.ws()
	if s.i >= len(s.b) {
		return nil, false, s.errorf("expected value")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		text, err = s.str()
		return text, false, err
	case c == 'n':
		if s.literal("null") {
			return nil, true, nil
		}
	case c == 't':
		start := s.i
		if s.literal("true") {
			return s.b[start:s.i], false, nil
		}
	case c == 'f':
		start := s.i
		if s.literal("false") {
			return s.b[start:s.i], false, nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		text, err = s.number()
		return text, false, err
	}
	return nil, false, s.errorf("expected a string, number, boolean or null")
}

func (s *jsonScanner) extFields(c *Command) error {
	s.ws()
	if s.literal("null") {
		c.Ext = nil
		return nil
	}
	if err := s.expect('{'); err != nil {
		return err
	}
	c.Ext = c.extInline[:0]
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		val, isNull, err := s.scalarText()
		if err != nil {
			return err
		}
		// A null value is an absent field, as for Java's header decoding.
		if !isNull {
			c.Ext = append(c.Ext, Field{bstr(key), bstr(val)})
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.errorf("unterminated extFields")
		}
		if s.b[s.i] == '}' {
			s.i++
			return nil
		}
		if s.b[s.i] != ',' {
			return s.errorf("expected ',' or '}' in extFields")
		}
		s.i++
	}
}

// headerKeys are the header fields the decoder fills. A key that matches
// none exactly is matched ignoring case, as fastjson (smart match), jsoniter
// (the Go client) and encoding/json all do.
var headerKeys = [...]string{"code", "opaque", "flag", "version", "language", "remark", "extFields"}

func canonicalKey(key []byte) string {
	for _, k := range headerKeys {
		if string(key) == k {
			return k
		}
	}
	for _, k := range headerKeys {
		if len(k) == len(key) && strings.EqualFold(k, string(key)) {
			return k
		}
	}
	return ""
}

func (s *jsonScanner) field(c *Command, key []byte) error {
	var err error
	switch canonicalKey(key) {
	case "code":
		c.Code, err = s.int32Value("code")
	case "opaque":
		c.Opaque, err = s.int32Value("opaque")
	case "flag":
		c.Flag, err = s.int32Value("flag")
	case "version":
		c.Version, err = s.int32Value("version")
	case "language":
		s.ws()
		quoted := s.i < len(s.b) && s.b[s.i] == '"'
		var text []byte
		var isNull bool
		text, isNull, err = s.scalarText()
		switch {
		case err != nil, isNull:
		case !quoted:
			// fastjson takes a number as the enum ordinal.
			n, ok := parseInt32(text)
			if !ok || n > 255 {
				return s.errorf("language ordinal %q", text)
			}
			c.Language = LanguageCode(n)
		default:
			c.Language = languageFromName(text)
		}
	case "remark":
		var text []byte
		var isNull bool
		text, isNull, err = s.scalarText()
		if err == nil && !isNull {
			c.Remark = bstr(text)
		}
	case "extFields":
		err = s.extFields(c)
	default:
		// serializeTypeCurrentRPC and anything a newer peer adds.
		err = s.skip(0)
	}
	return err
}

func decodeJSONHeader(c *Command, h []byte) error {
	s := jsonScanner{b: h}
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
	} else {
		for {
			s.ws()
			key, err := s.str()
			if err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			if err := s.field(c, key); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) {
				return s.errorf("unterminated header object")
			}
			if s.b[s.i] == '}' {
				s.i++
				break
			}
			if s.b[s.i] != ',' {
				return s.errorf("expected ',' or '}'")
			}
			s.i++
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return s.errorf("trailing bytes after header object")
	}
	return nil
}

const hexDigits = "0123456789ABCDEF"

// appendJSONString writes v quoted and escaped as fastjson 1.2.69 does:
// \b \t \n \f \r \" \\ in short form, other C0 controls and U+007F..U+009F
// as \u00XX, everything else (including '/') as is.
func appendJSONString(dst []byte, v string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		var short byte
		switch {
		case c >= 0x20 && c != '"' && c != '\\' && c < 0x7F:
			continue
		case c == '"', c == '\\':
			short = c
		case c == '\b':
			short = 'b'
		case c == '\t':
			short = 't'
		case c == '\n':
			short = 'n'
		case c == '\f':
			short = 'f'
		case c == '\r':
			short = 'r'
		case c < 0x20, c == 0x7F:
		case c == 0xC2 && i+1 < len(v) && v[i+1] >= 0x80 && v[i+1] <= 0x9F:
			// U+0080..U+009F, encoded C2 80..C2 9F.
			dst = append(dst, v[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[v[i+1]>>4], hexDigits[v[i+1]&15])
			i++
			start = i + 1
			continue
		default:
			continue
		}
		dst = append(dst, v[start:i]...)
		if short != 0 {
			dst = append(dst, '\\', short)
		} else {
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	dst = append(dst, v[start:]...)
	return append(dst, '"')
}

// appendJSONHeader writes the header as Java's fastjson does: keys in
// alphabetical order, absent remark/extFields omitted, extFields in c.Ext
// order, serializeTypeCurrentRPC included.
func appendJSONHeader(dst []byte, c *Command) []byte {
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(c.Code), 10)
	if c.Ext != nil {
		dst = append(dst, `,"extFields":{`...)
		for i, f := range c.Ext {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, f.Key)
			dst = append(dst, ':')
			dst = appendJSONString(dst, f.Value)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"flag":`...)
	dst = strconv.AppendInt(dst, int64(c.Flag), 10)
	dst = append(dst, `,"language":"`...)
	dst = append(dst, c.Language.String()...)
	dst = append(dst, `","opaque":`...)
	dst = strconv.AppendInt(dst, int64(c.Opaque), 10)
	if c.Remark != "" {
		dst = append(dst, `,"remark":`...)
		dst = appendJSONString(dst, c.Remark)
	}
	dst = append(dst, `,"serializeTypeCurrentRPC":"JSON","version":`...)
	dst = strconv.AppendInt(dst, int64(c.Version), 10)
	return append(dst, '}')
}
