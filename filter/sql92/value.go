package sql92

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is the Java type of a runtime value. The selector language can
// produce exactly these: Boolean, Integer, Long, Double, String and null,
// plus kErr for an exception thrown while evaluating (Java aborts the
// whole evaluation and the message does not match).
type kind uint8

const (
	kNull kind = iota
	kBool
	kInt  // java.lang.Integer, held in i
	kLong // java.lang.Long, held in i
	kDouble
	kString
	kErr
)

// value is one evaluation result. It is passed by value so that
// evaluating does not allocate.
type value struct {
	k kind
	b bool
	i int64
	f float64
	s string
}

var (
	nullV  = value{k: kNull}
	trueV  = value{k: kBool, b: true}
	falseV = value{k: kBool}
	errV   = value{k: kErr}
)

func boolV(b bool) value {
	if b {
		return trueV
	}
	return falseV
}

func (v value) isTrue() bool  { return v.k == kBool && v.b }
func (v value) isFalse() bool { return v.k == kBool && !v.b }
func (v value) isNumber() bool {
	return v.k == kInt || v.k == kLong || v.k == kDouble
}

// compare is ComparisonExpression.__compare with string conversion on (the
// parser always turns it on): values of different types are converted to
// the type of the other side where Java does, else compare as "less". ok
// is false where Java throws (a string that is not a number of the needed
// type, a Boolean compared with a String).
func compare(l, r value) (c int, ok bool) {
	if l.k == r.k {
		switch l.k {
		case kBool:
			return cmpBool(l.b, r.b), true
		case kInt, kLong:
			return cmpInt(l.i, r.i), true
		case kDouble:
			return cmpDouble(l.f, r.f), true
		case kString:
			// Byte order, not Java's UTF-16 order: they can disagree on
			// which string is smaller, but only equality of strings is
			// ever asked (> and < read strings as doubles, and refuse
			// string constants).
			return strings.Compare(l.s, r.s), true
		}
		return 0, true
	}
	switch l.k {
	case kBool:
		// Java casts the Boolean to a String here: ClassCastException.
		if r.k == kString {
			return 0, false
		}
	case kInt:
		switch r.k {
		case kLong:
			return cmpInt(l.i, r.i), true
		case kDouble:
			return cmpDouble(float64(l.i), r.f), true
		case kString:
			n, ok := javaParseInt(r.s, 32)
			return cmpInt(l.i, n), ok
		}
	case kLong:
		switch r.k {
		case kInt:
			return cmpInt(l.i, r.i), true
		case kDouble:
			return cmpDouble(float64(l.i), r.f), true
		case kString:
			n, ok := javaParseInt(r.s, 64)
			return cmpInt(l.i, n), ok
		}
	case kDouble:
		switch r.k {
		case kInt, kLong:
			return cmpDouble(l.f, float64(r.i)), true
		case kString:
			f, ok := javaParseDouble(r.s)
			return cmpDouble(l.f, f), ok
		}
	case kString:
		switch r.k {
		case kBool:
			return cmpBool(strings.EqualFold(l.s, "true"), r.b), true
		case kInt:
			n, ok := javaParseInt(l.s, 32)
			return cmpInt(n, r.i), ok
		case kLong:
			n, ok := javaParseInt(l.s, 64)
			return cmpInt(n, r.i), ok
		case kDouble:
			f, ok := javaParseDouble(l.s)
			return cmpDouble(f, r.f), ok
		}
	}
	return -1, true
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpDouble is Double.compare: numeric order, -0.0 below 0.0, NaN above
// everything and equal to itself.
func cmpDouble(a, b float64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	ab, bb := javaDoubleBits(a), javaDoubleBits(b)
	switch {
	case ab == bb:
		return 0
	case ab < bb:
		return -1
	}
	return 1
}

// javaDoubleBits is Double.doubleToLongBits (one canonical NaN).
func javaDoubleBits(f float64) int64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return int64(math.Float64bits(f))
}

// javaParseInt is Integer.parseInt (bits 32) or Long.parseLong (bits 64)
// in radix 10: an optional sign, then one or more digits (any Unicode
// decimal digit of the Basic Multilingual Plane, as Character.digit
// accepts), no spaces, no overflow.
func javaParseInt(s string, bits int) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	i := 0
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i = 1
		if len(s) == 1 {
			return 0, false
		}
	}
	limit := -int64(math.MaxInt64) // Java accumulates negatively
	if bits == 32 {
		limit = -math.MaxInt32
	}
	if neg {
		limit--
	}
	var acc int64
	for i < len(s) {
		d, n := javaDigit(s[i:])
		if d < 0 {
			return 0, false
		}
		i += n
		if acc < (limit+int64(d))/10 {
			return 0, false
		}
		acc = acc*10 - int64(d)
		if acc < limit {
			return 0, false
		}
	}
	if neg {
		return acc, true
	}
	return -acc, true
}

// javaDigit is Character.digit(ch, 10) of the character at the start of
// s, and that character's byte length; -1 when it is not a decimal digit.
// Characters outside the BMP are two chars in Java, neither a digit.
func javaDigit(s string) (int, int) {
	c := s[0]
	if c < utf8.RuneSelf {
		if isDigit(c) {
			return int(c - '0'), 1
		}
		return -1, 1
	}
	r, n := utf8.DecodeRuneInString(s)
	if r > 0xFFFF || !unicode.IsDigit(r) {
		return -1, n
	}
	// Decimal digits come in runs of ten starting at zero (a Unicode
	// stability rule); runs can abut, so count from the start of the run.
	start := r
	for start > 0 && unicode.IsDigit(start-1) && r-start < 100 {
		start--
	}
	return int(r-start) % 10, n
}

// javaParseDouble is Double.parseDouble: leading and trailing characters
// up to U+0020 trimmed, an optional sign, then NaN, Infinity, a decimal
// number with an optional exponent, or a hexadecimal one with a binary
// exponent; an optional f, F, d or D suffix. Digits are ASCII only.
func javaParseDouble(s string) (float64, bool) {
	s = javaTrim(s)
	if s == "" {
		return 0, false
	}
	body := s
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch body {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(body); n > 0 {
		switch body[n-1] {
		case 'f', 'F', 'd', 'D':
			body = body[:n-1]
			s = s[:len(s)-1]
		}
	}
	var ok bool
	if len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		ok = hexFloatSyntax(body[2:])
	} else {
		ok = decFloatSyntax(body)
	}
	if !ok {
		return 0, false
	}
	// The syntax is now one strconv reads identically; a range error still
	// carries the right value (±Inf or 0).
	f, _ := strconv.ParseFloat(s, 64)
	return f, true
}

func javaTrim(s string) string {
	for len(s) > 0 && s[0] <= ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] <= ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// decFloatSyntax: digits [. digits] [(e|E) [sign] digits], at least one
// mantissa digit.
func decFloatSyntax(s string) bool {
	i, mant := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, mant = i+1, mant+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, mant = i+1, mant+1
		}
	}
	if mant == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

// hexFloatSyntax (after 0x): hex digits [. hex digits] with at least one
// digit, then the mandatory (p|P) [sign] decimal digits.
func hexFloatSyntax(s string) bool {
	i, mant := 0, 0
	for i < len(s) && isHex(s[i]) {
		i, mant = i+1, mant+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHex(s[i]) {
			i, mant = i+1, mant+1
		}
	}
	if mant == 0 || i >= len(s) || (s[i] != 'p' && s[i] != 'P') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i > j && i == len(s)
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// render writes a constant as the selector literal that parses back to it.
func (v value) render(sb *strings.Builder) {
	switch v.k {
	case kNull:
		sb.WriteString("NULL")
	case kBool:
		if v.b {
			sb.WriteString("TRUE")
		} else {
			sb.WriteString("FALSE")
		}
	case kInt, kLong:
		sb.WriteString(strconv.FormatInt(v.i, 10))
	case kDouble:
		s := strconv.FormatFloat(v.f, 'g', -1, 64)
		sb.WriteString(s)
		if !strings.ContainsAny(s, ".e") {
			sb.WriteString(".0")
		}
	case kString:
		quote(sb, v.s)
	}
}

func quote(sb *strings.Builder, s string) {
	sb.WriteByte('\'')
	sb.WriteString(strings.ReplaceAll(s, "'", "''"))
	sb.WriteByte('\'')
}
