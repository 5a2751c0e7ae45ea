package sql92

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// result renders a three-valued evaluation (plus Java's exception) so the
// tables can say what Java's evaluate returns, not only whether it matched.
func result(v value) string {
	switch v.k {
	case kNull:
		return "NULL"
	case kErr:
		return "ERROR"
	case kBool:
		if v.b {
			return "TRUE"
		}
		return "FALSE"
	}
	return "NOT-BOOLEAN"
}

func mustParse(t testing.TB, s string) *Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}

// TestParseAcceptsAndRefuses: what Java's SelectorParser accepts and what
// it refuses while building the tree, with the canonical form of what it
// built.
func TestParseAcceptsAndRefuses(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // canonical form; "" = must fail
	}{
		{"a > 5 AND b = 'x'", "((a > 5) AND (b = 'x'))"},
		{"a>5 and b='x'", "((a > 5) AND (b = 'x'))"},
		{"A Or b AnD NoT c", "(A OR (b AND (NOT c)))"},
		{"(a > 10 AND a < 100) OR (b IS NOT NULL AND b = TRUE)",
			"(((a > 10) AND (a < 100)) OR ((NOT (b IS NULL)) AND (b = TRUE)))"},
		{"a <> 'x'", "(NOT (a = 'x'))"},
		{"a = 'it''s'", "(a = 'it''s')"},
		{"a IN ('x', 'y')", "(a IN ('x', 'y'))"},
		{"a NOT IN ('x')", "(a NOT IN ('x'))"},
		{"(a) IN ('x')", "(a IN ('x'))"},
		{"a BETWEEN 1 AND 3", "((a >= 1) AND (a <= 3))"},
		{"a BETWEEN 1 AND 1", "((a >= 1) AND (a <= 1))"},
		{"a BETWEEN b AND 1", "((a >= b) AND (a <= 1))"},
		{"a NOT BETWEEN 3 AND 1", "((a < 3) OR (a > 1))"},
		{"a IS NULL", "(a IS NULL)"},
		{"a IS NOT NULL", "(NOT (a IS NULL))"},
		{"5 IS NULL", "(5 IS NULL)"},
		{"a", "a"},
		{"NOT a", "(NOT a)"},
		{"TRUE", "TRUE"},
		{"NULL", "NULL"},
		{"+a > 5", "(a > 5)"},
		{"a > -5", "(a > (-5))"},
		{"a > - -5", "(a > (-(-5)))"},
		{"a > --5", "(a > (-(-5)))"}, // "--" without a line end is not a comment
		{"a = 5L", "(a = 5)"},
		{"a = 2147483648", "(a = 2147483648)"},
		{"a = 9223372036854775807", "(a = 9223372036854775807)"},
		{"a > 1.5", "(a > 1.5)"},
		{"a > .5", "(a > 0.5)"},
		{"a > 5.", "(a > 5.0)"},
		{"a > 5e3", "(a > 5000.0)"},
		{"a > 1E21", "(a > 1e+21)"},
		{"a > 4.9e-324", "(a > 5e-324)"},
		{"5 = TRUE", "(5 = TRUE)"},
		{"TRUE = FALSE", "(TRUE = FALSE)"},
		{"'true' = TRUE", "('true' = TRUE)"},
		{"NOT a = 5", "((NOT a) = 5)"},
		{"(a > 5) = TRUE", "((a > 5) = TRUE)"},
		{"a = -TRUE", "(a = (-TRUE))"},
		{"$x_1 = 1", "($x_1 = 1)"},
		// Comments.
		{"/* c */ a = 1", "(a = 1)"},
		{"a = 1 -- trailing\n AND b = 2", "((a = 1) AND (b = 2))"},
		{"a = /* x * y **/ 1", "(a = 1)"},
		// Java's parser stops after one expression and never asks for the
		// end of input.
		{"a = 1 b", "(a = 1)"},
		{"a = 1 -- no line end", "(a = 1)"},
		{"a = 0L", "(a = 0)"},
		{"a = 05", "(a = 0)"},
		{"a = 1 b #", "(a = 1)"},

		{"", ""},
		{"   ", ""},
		{"a >", ""},
		{"a > 5 AND", ""},
		{"(a > 5", ""},
		{"a = 1 #", ""},
		{"a != 5", ""},
		{"a == 5", ""},
		{"a = 'x", ""},
		{"a = 'x''", ""},
		{"/* a = 1", ""},
		{"a = 1 /", ""},
		{"a > --5\n", ""},
		{"a > 'x'", ""},
		{"'x' < a", ""},
		{"a > TRUE", ""},
		{"a > NULL", ""},
		{"a = NULL", ""},
		{"NULL = a", ""},
		{"a <> NULL", ""},
		{"TRUE = 5", ""},
		{"FALSE = 'x'", ""},
		{"TRUE = 'true'", ""},
		{"(a > 5) > 3", ""},
		{"NOT a > 5", ""},
		{"a IN ('x') > 1", ""},
		{"5", ""},
		{"'x'", ""},
		{"-a", ""},
		{"a AND 5", ""},
		{"NOT 'x'", ""},
		{"5 IN ('x')", ""},
		{"(a > 1) IN ('x')", ""},
		{"a IN (5)", ""},
		{"a IN ()", ""},
		{"a IN 'x'", ""},
		{"a BETWEEN 2 AND 1", ""},
		{"a BETWEEN 'x' AND 'y'", ""},
		{"a BETWEEN NULL AND 1", ""},
		{"a BETWEEN 1 AND 'x'", ""},
		{"a BETWEEN 1", ""},
		{"a NOT x", ""},
		{"a NOT", ""},
		{"a IS 5", ""},
		{"a IS NOT 5", ""},
		{"a = 9223372036854775808", ""},
		{"a > 0.0", ""},
		{"a > 0e5", ""},
		{"a > 1e400", ""},
		{"a > 1e-400", ""},
		{"a > .", ""},
		{"é = 1", ""},
		{"a = ", ""},
		{"+", ""},
		{"()", ""},
	} {
		e, err := Parse(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("Parse(%q) = %s, want an error", c.in, e)
			} else if se := (*SyntaxError)(nil); !errors.As(err, &se) {
				t.Errorf("Parse(%q) error %T is not a *SyntaxError", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := e.String(); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
		if e.Source() != c.in {
			t.Errorf("Source() = %q", e.Source())
		}
	}
}

// TestSyntaxErrorPosition: errors name where the problem is.
func TestSyntaxErrorPosition(t *testing.T) {
	for _, c := range []struct {
		in           string
		offset, line int
		col          int
		msg          string
	}{
		{"a >", 3, 1, 4, "unexpected end of expression"},
		{"a > 5 AND b = #", 14, 1, 15, "unexpected character '#'"},
		{"a > 5\nAND b ! 1", 12, 2, 7, "unexpected character '!'"},
		{"a > 'x'", 2, 1, 3, "cannot be compared"},
		{"é = 'x' AND (", 0, 1, 1, "unexpected character 'é'"},
		{"'é' = a AND (b", 15, 1, 15, "expected \")\""},
		{"a = 'x", 4, 1, 5, "string not closed"},
	} {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) = %v, want a *SyntaxError", c.in, err)
		}
		if se.Offset != c.offset || se.Line != c.line || se.Column != c.col || !strings.Contains(se.Error(), c.msg) {
			t.Errorf("Parse(%q): offset %d line %d col %d %q, want %d %d %d containing %q",
				c.in, se.Offset, se.Line, se.Column, se.Error(), c.offset, c.line, c.col, c.msg)
		}
	}
}

// TestEvaluateJavaSemantics: three-valued results as Java's evaluate
// returns them for property maps (missing = absent key).
func TestEvaluateJavaSemantics(t *testing.T) {
	type P = Map
	for _, c := range []struct {
		expr  string
		props P
		want  string
	}{
		// The compat scenario and its edges: an int constant makes Java
		// read the property with Integer.valueOf.
		{"a > 5 AND b = 'x'", P{"a": "7", "b": "x"}, "TRUE"},
		{"a > 5 AND b = 'x'", P{"a": "5", "b": "x"}, "FALSE"},
		{"a > 5 AND b = 'x'", P{"a": "7", "b": "y"}, "FALSE"},
		{"a > 5 AND b = 'x'", P{"b": "x"}, "NULL"},
		{"a > 5 AND b = 'x'", P{"a": "7"}, "NULL"},
		{"a > 5 AND b = 'x'", P{"a": "abc", "b": "x"}, "ERROR"},
		{"a > 5 AND b = 'x'", P{"a": "6.5", "b": "x"}, "ERROR"},
		{"a > 5 AND b = 'x'", P{"a": "3000000000", "b": "x"}, "ERROR"},
		{"a > 5 AND b = 'x'", P{"a": "+7", "b": "x"}, "TRUE"},
		{"a > 5 AND b = 'x'", P{"a": "-7", "b": "x"}, "FALSE"},
		{"a > 5 AND b = 'x'", P{"a": " 7", "b": "x"}, "ERROR"},
		{"a > 5 AND b = 'x'", P{"a": "\u0667", "b": "x"}, "TRUE"}, // Arabic-Indic seven
		{"a > 5 AND b = 'x'", P{"a": "\uff17", "b": "x"}, "TRUE"}, // fullwidth seven
		{"a > 5 AND b = 'x'", P{"a": "", "b": "x"}, "ERROR"},
		{"a > 5 AND b = 'x'", P{"a": "-", "b": "x"}, "ERROR"},
		{"a > 5 AND b = 'x'", P{"a": "2147483647", "b": "x"}, "TRUE"},
		{"a > 5 AND b = 'x'", P{"a": "2147483648", "b": "x"}, "ERROR"},
		{"a < 5 AND b = 'x'", P{"a": "-2147483648", "b": "x"}, "TRUE"},
		{"a < 5 AND b = 'x'", P{"a": "-2147483649", "b": "x"}, "ERROR"},
		// An exception aborts the whole evaluation, also inside OR...
		{"a > 5 OR b = 'x'", P{"a": "abc", "b": "x"}, "ERROR"},
		// ...but short-circuits come first.
		{"b = 'x' OR a > 5", P{"a": "abc", "b": "x"}, "TRUE"},
		{"a > 5 OR b = 'x'", P{"a": "7"}, "TRUE"},
		{"a > 5 OR b = 'x'", P{"a": "3"}, "NULL"},
		{"a > 5 OR b = 'x'", P{"a": "3", "b": "y"}, "FALSE"},
		{"a = 5 AND b > 1", P{"a": "4", "b": "abc"}, "FALSE"},
		{"a > 5 AND b > 1", P{"b": "abc"}, "ERROR"},
		// Long and double constants convert with Long.valueOf and
		// Double.valueOf.
		{"a > 3000000000", P{"a": "3000000001"}, "TRUE"},
		{"a > 3000000000", P{"a": "1.5"}, "ERROR"},
		{"a > 5.0", P{"a": "6.5"}, "TRUE"},
		{"a > 5.0", P{"a": "1e1"}, "TRUE"},
		{"a > 5.0", P{"a": " 6.5\t"}, "TRUE"},
		{"a > 5.0", P{"a": "6.5f"}, "TRUE"},
		{"a > 5.0", P{"a": "6.5D"}, "TRUE"},
		{"a > 5.0", P{"a": "0x1p3"}, "TRUE"},
		{"a > 5.0", P{"a": "0x1.8P1"}, "FALSE"},
		{"a > 5.0", P{"a": "0x1"}, "ERROR"},
		{"a > 5.0", P{"a": "NaN"}, "TRUE"},
		{"a > 5.0", P{"a": "Infinity"}, "TRUE"},
		{"a > 5.0", P{"a": "-Infinity"}, "FALSE"},
		{"a > 5.0", P{"a": "inf"}, "ERROR"},
		{"a > 5.0", P{"a": "1_0"}, "ERROR"},
		{"a > 5.0", P{"a": "6e"}, "ERROR"},
		{"a > 5.0", P{"a": "."}, "ERROR"},
		{"a > 5.0", P{"a": "\u0667"}, "ERROR"},
		{"a > 5.0", P{"a": "1e999"}, "TRUE"},
		{"a >= 5", P{"a": "5"}, "TRUE"},
		{"a <= 5", P{"a": "5"}, "TRUE"},
		{"a < 5", P{"a": "5"}, "FALSE"},
		// Two properties with > are both read as doubles.
		{"a > b", P{"a": "10", "b": "9"}, "TRUE"},
		{"a > b", P{"a": "x", "b": "1"}, "ERROR"},
		{"a > b", P{"a": "1"}, "NULL"},
		// Equality: strings as strings, numbers converted to the
		// constant's type, null asymmetry.
		{"a = b", P{"a": "x", "b": "x"}, "TRUE"},
		{"a = b", P{"a": "1.0", "b": "1"}, "FALSE"},
		{"a = 5", P{"a": "5"}, "TRUE"},
		{"a = 5", P{"a": "05"}, "TRUE"},
		{"a = 5", P{"a": "5.0"}, "ERROR"},
		{"a = 5", P{}, "NULL"},
		{"5 = a", P{}, "FALSE"},
		{"NOT (5 = a)", P{}, "TRUE"},
		{"NOT (a = 5)", P{}, "NULL"},
		{"a <> 5", P{}, "NULL"},
		{"a <> 5", P{"a": "6"}, "TRUE"},
		{"'x' <> a", P{}, "TRUE"},
		{"a = 'x'", P{"a": "X"}, "FALSE"},
		{"a = TRUE", P{"a": "true"}, "TRUE"},
		{"a = TRUE", P{"a": "TrUe"}, "TRUE"},
		{"a = TRUE", P{"a": "yes"}, "FALSE"},
		{"a = FALSE", P{"a": "yes"}, "TRUE"},
		{"(a > 5) = TRUE", P{"a": "7"}, "TRUE"},
		{"(a > 5) = 'true'", P{"a": "7"}, "ERROR"},
		{"'true' = TRUE", P{}, "TRUE"},
		{"1 = 1.0", P{}, "TRUE"},
		{"3000000000 = 3000000000.0", P{}, "TRUE"},
		{"1 = 3000000000", P{}, "FALSE"},
		{"1 = '1'", P{}, "TRUE"},
		{"1 = 'x'", P{}, "ERROR"},
		{"1 = TRUE", P{}, "FALSE"},
		{"a = -5", P{"a": "-5"}, "TRUE"},
		{"a > -(5)", P{"a": "-4"}, "TRUE"},
		{"-a > 5", P{"a": "-7"}, "NULL"},
		// A bare property is Java's boolean cast of a String.
		{"a", P{"a": "true"}, "FALSE"},
		{"a", P{}, "NULL"},
		{"NOT a", P{"a": "x"}, "TRUE"},
		{"NOT a", P{}, "NULL"},
		// IN, IS NULL, BETWEEN.
		{"a IN ('x', 'y')", P{"a": "x"}, "TRUE"},
		{"a IN ('x', 'y')", P{"a": "z"}, "FALSE"},
		{"a IN ('x', 'y')", P{}, "NULL"},
		{"a NOT IN ('x')", P{"a": "z"}, "TRUE"},
		{"a NOT IN ('x')", P{"a": "x"}, "FALSE"},
		{"a NOT IN ('x')", P{}, "NULL"},
		{"a IN ('it''s')", P{"a": "it's"}, "TRUE"},
		{"a IS NULL", P{}, "TRUE"},
		{"a IS NULL", P{"a": "x"}, "FALSE"},
		{"a IS NOT NULL", P{"a": "x"}, "TRUE"},
		{"(a > 1) IS NULL", P{}, "TRUE"},
		{"(a > 1) IS NULL", P{"a": "x"}, "ERROR"},
		{"a BETWEEN 1 AND 3", P{"a": "2"}, "TRUE"},
		{"a BETWEEN 1 AND 3", P{"a": "4"}, "FALSE"},
		{"a BETWEEN 1 AND 3", P{}, "NULL"},
		{"a NOT BETWEEN 1 AND 3", P{"a": "4"}, "TRUE"},
		{"a NOT BETWEEN 1 AND 3", P{"a": "2"}, "FALSE"},
		{"a BETWEEN 1.5 AND 2.5", P{"a": "2"}, "TRUE"},
		// Constants.
		{"TRUE", P{}, "TRUE"},
		{"FALSE", P{}, "FALSE"},
		{"NULL", P{}, "NULL"},
		{"NOT NULL", P{}, "NULL"},
		{"TRUE AND NULL", P{}, "NULL"},
		{"FALSE AND NULL", P{}, "FALSE"},
		{"TRUE OR NULL", P{}, "TRUE"},
		{"FALSE OR NULL", P{}, "NULL"},
	} {
		e := mustParse(t, c.expr)
		src := source{lookup: c.props}
		if got := result(e.root.eval(&src)); got != c.want {
			t.Errorf("%s with %v = %s, want %s", c.expr, c.props, got, c.want)
		}
		if got := e.Evaluate(c.props); got != (c.want == "TRUE") {
			t.Errorf("%s with %v: Evaluate = %v", c.expr, c.props, got)
		}
	}
}

// props serializes name/value pairs as a record stores them.
func props(kv ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		if len(b) > 0 {
			b = append(b, 2)
		}
		b = append(b, kv[i]...)
		b = append(b, 1)
		b = append(b, kv[i+1]...)
	}
	return b
}

// TestEvaluateProperties: the stored properties string is read as Java's
// string2messageProperties reads it.
func TestEvaluateProperties(t *testing.T) {
	e := mustParse(t, "a > 5 AND b = 'x'")
	for _, c := range []struct {
		raw  []byte
		want bool
	}{
		{props("a", "7", "b", "x"), true},
		{props("TAGS", "t", "a", "7", "UNIQ_KEY", "k", "b", "x"), true},
		{props("a", "7", "b", "y"), false},
		{props("a", "1", "b", "x", "a", "7"), true}, // last one wins
		{props("a", "7", "b", "x", "a", "1"), false},
		{props("aa", "7", "b", "x"), false},
		{props("a", "7", "bb", "x"), false},
		{append(props("a", "7", "b", "x"), 2), true}, // trailing separator
		{[]byte("a\x017\x02b\x01\x02b\x01x"), true},  // an empty value is no entry
		{[]byte("a\x017\x02\x01x\x02b\x01x"), true},  // neither is an empty name
		{[]byte("a\x017\x02b\x01x\x01y"), false},     // value "x\x01y"
		{[]byte("a\x017\x02b\x01x\x02b\x01"), true},  // "b\x01" alone is skipped
		{nil, false},
	} {
		if got := e.EvaluateProperties(c.raw); got != c.want {
			t.Errorf("%q: %v, want %v", c.raw, got, c.want)
		}
	}
}

// TestRoundTrip: the canonical form parses back to itself and evaluates
// the same.
func TestRoundTrip(t *testing.T) {
	sets := evalSets()
	for _, s := range fuzzSeeds {
		checkRoundTrip(t, s, sets)
	}
}

func evalSets() []Map {
	return []Map{{}, {"a": "7", "b": "x"}, {"a": "abc", "b": "5", "c": "true"}, {"a": "-3.5", "b": "x", "c": "1"},
		{"a": "NaN"}, {"b": "'"}}
}

func checkRoundTrip(t *testing.T, s string, sets []Map) {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		return
	}
	out := e.String()
	e2, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(%q) = %s, which does not parse: %v", s, out, err)
	}
	if out2 := e2.String(); out2 != out {
		t.Fatalf("Parse(%q) = %s, re-parsed as %s", s, out, out2)
	}
	for _, m := range sets {
		s1, s2 := source{lookup: m}, source{lookup: m}
		if r1, r2 := result(e.root.eval(&s1)), result(e2.root.eval(&s2)); r1 != r2 {
			t.Fatalf("%q = %s and %s = %s with %v", s, r1, out, r2, m)
		}
	}
}

var fuzzSeeds = []string{
	"a > 5 AND b = 'x'",
	"(a > 10 AND a < 100) OR (b IS NOT NULL AND b = TRUE)",
	"a NOT BETWEEN 1 AND 2 OR c IN ('x', 'y''z')",
	"NOT a = -(-5)",
	"a > 1.5e-3 AND b <> 'q' AND c NOT IN ('1')",
	"a BETWEEN -1 AND 2.5",
	"'x' = a OR 3000000000 < b",
	"a = 1 /* c */ -- d\n OR b IS NULL",
	"TRUE = FALSE OR NULL",
	"a > 4.9e-324",
	"a > 1.7976931348623157e308",
}

// TestJavaNumberParsing: Integer.parseInt, Long.parseLong and
// Double.parseDouble as Java reads property values.
func TestJavaNumberParsing(t *testing.T) {
	for _, c := range []struct {
		in   string
		bits int
		want int64
		ok   bool
	}{
		{"0", 32, 0, true}, {"-0", 32, 0, true}, {"+12", 32, 12, true},
		{"2147483647", 32, math.MaxInt32, true}, {"-2147483648", 32, math.MinInt32, true},
		{"2147483648", 32, 0, false}, {"-2147483649", 32, 0, false},
		{"9223372036854775807", 64, math.MaxInt64, true}, {"-9223372036854775808", 64, math.MinInt64, true},
		{"9223372036854775808", 64, 0, false}, {"99999999999999999999", 64, 0, false},
		{"", 32, 0, false}, {"+", 32, 0, false}, {"1 ", 32, 0, false}, {"1e3", 32, 0, false},
		{"\u0661\u0662", 32, 12, true}, {"\U0001D7CF", 32, 0, false},
	} {
		got, ok := javaParseInt(c.in, c.bits)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("javaParseInt(%q, %d) = %d %v, want %d %v", c.in, c.bits, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"1.", 1, true}, {".5", 0.5, true}, {"-2.5e2", -250, true}, {"+1E-1", 0.1, true},
		{"  3d ", 3, true}, {"\x01 3\x1f", 3, true}, {"0x10p0", 16, true}, {"-0x.8p1", -1, true}, {"0X1P-1f", 0.5, true},
		{"Infinity", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true},
		{"", 0, false}, {"e1", 0, false}, {"1e", 0, false}, {"1e+", 0, false}, {"0x", 0, false}, {"0x1", 0, false},
		{"0x1.p", 0, false}, {"infinity", 0, false}, {"NaN1", 0, false}, {"1ff", 0, false}, {"1_000", 0, false},
		{"0x_1p0", 0, false}, {"1,5", 0, false},
	} {
		got, ok := javaParseDouble(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("javaParseDouble(%q) = %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
	if f, ok := javaParseDouble("NaN"); !ok || f == f {
		t.Errorf("NaN: %v %v", f, ok)
	}
	if cmpDouble(math.NaN(), math.Inf(1)) != 1 || cmpDouble(math.Copysign(0, -1), 0) != -1 || cmpDouble(math.NaN(), math.NaN()) != 0 {
		t.Error("cmpDouble does not follow Double.compare")
	}
}

// TestCache: a cached parse returns the same expression (and error)
// without parsing again, and the cache stays within its bound.
func TestCache(t *testing.T) {
	c := NewCache(2)
	e1, err := c.Parse("a > 1")
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := c.Parse("a > 1")
	if e1 != e2 {
		t.Error("second parse of the same text is a new expression")
	}
	if _, err := c.Parse("a >"); err == nil {
		t.Error("bad expression parsed")
	}
	if _, err := c.Parse("a >"); err == nil {
		t.Error("cached error lost")
	}
	for _, s := range []string{"b > 1", "c > 1", "d > 1"} {
		if _, err := c.Parse(s); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() > 2 {
		t.Errorf("cache holds %d entries, bound 2", c.Len())
	}
}

// TestEvaluateDoesNotAllocate: the per-message path allocates nothing,
// also when a value has to be converted or fails to.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	e := mustParse(t, "(a > 5 AND b = 'x') OR c > 1.5 OR d IN ('p', 'q') OR NOT (e IS NULL)")
	for _, raw := range [][]byte{
		props("a", "7", "b", "x"),
		props("a", "1", "b", "x", "c", "2.5e0", "d", "z"),
		props("a", "abc", "b", "x"),
		props("UNIQ_KEY", "k", "c", " 1.0 ", "d", "q"),
	} {
		if n := testing.AllocsPerRun(100, func() { e.EvaluateProperties(raw) }); n != 0 {
			t.Errorf("%q: %v allocations per evaluation", raw, n)
		}
	}
}
