package body

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small, tolerant JSON reader and the string/number
// writers the body encoders share.
//
// The reader accepts what fastjson writes and what fastjson reads: standard
// JSON, object keys written without quotes (fastjson's integer map keys,
// {0:"a"}), single-quoted strings, and numbers given as strings. Bodies are
// small (a broker's topic table at most a few MiB) and decoded rarely (every
// 30 s per broker), so a generic tree is simple and fast enough.

const maxDepth = 64

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

// value is one parsed JSON value.
type value struct {
	k    kind
	b    bool
	s    string // string contents, or the number's text
	arr  []value
	keys []string // object keys in input order
	vals []value  // object values, parallel to keys
}

// get returns the member named key of an object (the last one if repeated).
func (v *value) get(key string) (*value, bool) {
	if v.k != kObject {
		return nil, false
	}
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i] == key {
			return &v.vals[i], true
		}
	}
	return nil, false
}

// asInt64 reads a number, or a string holding a number (fastjson accepts
// both). null and absent read as 0.
func (v *value) asInt64(name string) (int64, error) {
	switch v.k {
	case kNull:
		return 0, nil
	case kNumber, kString:
		if v.k == kString && v.s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v.s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(v.s, 64)
			if ferr != nil {
				return 0, fmt.Errorf("body: %s: %q is not a number", name, v.s)
			}
			n = int64(f)
		}
		return n, nil
	}
	return 0, fmt.Errorf("body: %s: expected a number", name)
}

func (v *value) asInt32(name string) (int32, error) {
	n, err := v.asInt64(name)
	if err != nil {
		return 0, err
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, fmt.Errorf("body: %s: %d out of int32 range", name, n)
	}
	return int32(n), nil
}

func (v *value) asBool(name string) (bool, error) {
	switch v.k {
	case kNull:
		return false, nil
	case kBool:
		return v.b, nil
	case kString:
		return v.s == "true", nil
	case kNumber:
		return v.s != "0", nil
	}
	return false, fmt.Errorf("body: %s: expected a boolean", name)
}

// asString reads a string; numbers and booleans are taken as their text,
// null as "".
func (v *value) asString(name string) (string, error) {
	switch v.k {
	case kNull:
		return "", nil
	case kString, kNumber:
		return v.s, nil
	case kBool:
		return strconv.FormatBool(v.b), nil
	}
	return "", fmt.Errorf("body: %s: expected a string", name)
}

func (v *value) asStrings(name string) ([]string, error) {
	switch v.k {
	case kNull:
		return nil, nil
	case kArray:
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			s, err := v.arr[i].asString(name)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("body: %s: expected an array", name)
}

// isObject reports whether v is an object; null counts as an empty one.
func (v *value) objectOrNull(name string) error {
	if v.k != kObject && v.k != kNull {
		return fmt.Errorf("body: %s: expected an object", name)
	}
	return nil
}

var errSyntax = errors.New("body: malformed JSON")

type parser struct {
	b   []byte
	pos int
}

func parse(b []byte) (value, error) {
	p := parser{b: b}
	// A UTF-8 byte-order mark is tolerated, as fastjson does.
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		p.pos = 3
	}
	v, err := p.value(0)
	if err != nil {
		return value{}, err
	}
	p.ws()
	if p.pos != len(p.b) {
		return value{}, p.errorf("trailing data")
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) ws() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\b':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, p.errorf("nested too deeply")
	}
	p.ws()
	if p.pos >= len(p.b) {
		return value{}, p.errorf("unexpected end")
	}
	switch c := p.b[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"' || c == '\'':
		s, err := p.str()
		return value{k: kString, s: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return value{k: kNumber, s: p.number()}, nil
	default:
		w := p.word()
		switch w {
		case "true":
			return value{k: kBool, b: true}, nil
		case "false":
			return value{k: kBool}, nil
		case "null":
			return value{}, nil
		}
		return value{}, p.errorf("unexpected %q", w)
	}
}

func (p *parser) object(depth int) (value, error) {
	p.pos++ // {
	v := value{k: kObject}
	p.ws()
	if p.pos < len(p.b) && p.b[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.ws()
		if p.pos >= len(p.b) {
			return value{}, p.errorf("unexpected end in object")
		}
		var key string
		switch c := p.b[p.pos]; {
		case c == '"' || c == '\'':
			s, err := p.str()
			if err != nil {
				return value{}, err
			}
			key = s
		case c == '-' || (c >= '0' && c <= '9'):
			// fastjson's unquoted integer map key
			key = p.number()
		default:
			key = p.word()
			if key == "" {
				return value{}, p.errorf("bad object key")
			}
		}
		p.ws()
		if p.pos >= len(p.b) || p.b[p.pos] != ':' {
			return value{}, p.errorf("expected ':'")
		}
		p.pos++
		val, err := p.value(depth + 1)
		if err != nil {
			return value{}, err
		}
		v.keys = append(v.keys, key)
		v.vals = append(v.vals, val)
		p.ws()
		if p.pos >= len(p.b) {
			return value{}, p.errorf("unexpected end in object")
		}
		switch p.b[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return v, nil
		default:
			return value{}, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *parser) array(depth int) (value, error) {
	p.pos++ // [
	v := value{k: kArray, arr: []value{}}
	p.ws()
	if p.pos < len(p.b) && p.b[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		el, err := p.value(depth + 1)
		if err != nil {
			return value{}, err
		}
		v.arr = append(v.arr, el)
		p.ws()
		if p.pos >= len(p.b) {
			return value{}, p.errorf("unexpected end in array")
		}
		switch p.b[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return v, nil
		default:
			return value{}, p.errorf("expected ',' or ']'")
		}
	}
}

// word reads an identifier-like token (unquoted key or literal).
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if c == '_' || c == '$' || c == '.' || c == '-' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z') {
			p.pos++
			continue
		}
		break
	}
	return string(p.b[start:p.pos])
}

func (p *parser) number() string {
	start := p.pos
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			p.pos++
			continue
		}
		break
	}
	return string(p.b[start:p.pos])
}

func hexDigit(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.b) {
		return 0, p.errorf("short \\u escape")
	}
	var r rune
	for i := 0; i < 4; i++ {
		d, ok := hexDigit(p.b[p.pos+i])
		if !ok {
			return 0, p.errorf("bad \\u escape")
		}
		r = r<<4 | d
	}
	p.pos += 4
	return r, nil
}

func (p *parser) str() (string, error) {
	quote := p.b[p.pos]
	p.pos++
	start := p.pos
	// fast path: no escapes
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if c == quote {
			s := string(p.b[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		p.pos++
	}
	buf := append([]byte(nil), p.b[start:p.pos]...)
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if c == quote {
			p.pos++
			return string(buf), nil
		}
		if c != '\\' {
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.b) {
			break
		}
		e := p.b[p.pos]
		p.pos++
		switch e {
		case 'n':
			buf = append(buf, '\n')
		case 't':
			buf = append(buf, '\t')
		case 'r':
			buf = append(buf, '\r')
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) && p.pos+6 <= len(p.b) && p.b[p.pos] == '\\' && p.b[p.pos+1] == 'u' {
				p.pos += 2
				lo, err := p.hex4()
				if err != nil {
					return "", err
				}
				r = utf16.DecodeRune(r, lo)
			}
			buf = utf8.AppendRune(buf, r)
		default: // \" \\ \/ \' and anything else: the character itself
			buf = append(buf, e)
		}
	}
	return "", p.errorf("unterminated string")
}

// ---- writing ----

const upperHex = "0123456789ABCDEF"

// appendString writes s as a JSON string the way fastjson does. In
// browser-compatible mode (the "standard JSON" route encoding) every
// character outside printable ASCII is written as \uXXXX with upper-case
// hex; otherwise only control characters are escaped and UTF-8 is raw.
func appendString(dst []byte, s string, browser bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			i++
			continue
		}
		if c >= 0x80 && !browser {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
			i++
		case c == '\n':
			dst = append(dst, '\\', 'n')
			i++
		case c == '\r':
			dst = append(dst, '\\', 'r')
			i++
		case c == '\t':
			dst = append(dst, '\\', 't')
			i++
		case c < 0x80:
			dst = appendU(dst, rune(c))
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				hi, lo := utf16.EncodeRune(r)
				dst = appendU(appendU(dst, hi), lo)
			} else {
				dst = appendU(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF])
}

func appendKey(dst []byte, key string, browser bool) []byte {
	dst = appendString(dst, key, browser)
	return append(dst, ':')
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func appendStringArray(dst []byte, ss []string, browser bool) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s, browser)
	}
	return append(dst, ']')
}

// appendStringMap writes a map[string]string with sorted keys.
func appendStringMap(dst []byte, m map[string]string) []byte {
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, k, false)
		dst = appendString(dst, m[k], false)
	}
	return append(dst, '}')
}

// decodeObject parses data and checks the top level is an object.
func decodeObject(data []byte, what string) (value, error) {
	v, err := parse(data)
	if err != nil {
		return value{}, fmt.Errorf("%s: %w", what, err)
	}
	if v.k != kObject {
		return value{}, fmt.Errorf("body: %s: expected a JSON object", what)
	}
	return v, nil
}
