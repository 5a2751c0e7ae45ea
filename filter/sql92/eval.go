package sql92

import (
	"strings"
	"unsafe"
)

// Lookup gives property values by name; ok is false for a property the
// message does not have (Java's null).
type Lookup interface {
	Get(name string) (value string, ok bool)
}

// Map is a Lookup over a map (tests, tools).
type Map map[string]string

// Get returns m[name].
func (m Map) Get(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

// Evaluate reports whether a message with the properties l matches: the
// expression evaluates to TRUE (ExpressionMessageFilter.isMatchedByCommitLog).
// NULL, FALSE and an evaluation error do not match.
func (e *Expr) Evaluate(l Lookup) bool {
	s := source{lookup: l}
	return e.root.eval(&s).isTrue()
}

// EvaluateProperties is Evaluate over a message's serialized properties
// as stored in a commitlog record (name 0x01 value 0x02 ...), read the way
// MessageDecoder.string2messageProperties builds Java's map: entries
// without a name or a value are skipped and the last of duplicate names
// wins. It does not keep props and does not allocate (see the package
// documentation for the one exception).
func (e *Expr) EvaluateProperties(props []byte) bool {
	s := source{raw: unsafe.String(unsafe.SliceData(props), len(props))}
	return e.root.eval(&s).isTrue()
}

// source is where property values come from during one evaluation. Values
// taken from raw alias it; nothing outlives the evaluation.
type source struct {
	raw    string
	lookup Lookup
}

func (s *source) get(name string) (string, bool) {
	if s.lookup != nil {
		return s.lookup.Get(name)
	}
	return rawGet(s.raw, name)
}

// rawGet finds name in serialized properties (last occurrence wins).
func rawGet(p, name string) (val string, found bool) {
	for len(p) > 0 {
		seg := p
		if i := strings.IndexByte(p, 2); i >= 0 {
			seg, p = p[:i], p[i+1:]
		} else {
			p = ""
		}
		// Java takes the first 0x01 as the separator and needs a non-empty
		// name and value. The name has no 0x01, so a prefix test suffices.
		if len(seg) > len(name)+1 && len(name) > 0 && seg[len(name)] == 1 && seg[:len(name)] == name {
			val, found = seg[len(name)+1:], true
		}
	}
	return val, found
}

// eval evaluates n with Java's rules (see the Java class named at each op).
func (n *node) eval(src *source) value {
	switch n.op {
	case opConst, opBoolConst:
		return n.v
	case opProp:
		if s, ok := src.get(n.name); ok {
			return value{k: kString, s: s}
		}
		return nullV
	case opNeg:
		x := n.l.eval(src)
		switch x.k {
		case kErr:
			return x
		case kInt:
			return value{k: kInt, i: int64(-int32(x.i))}
		case kLong:
			return value{k: kLong, i: -x.i}
		case kDouble:
			return value{k: kDouble, f: -x.f}
		}
		return nullV
	case opNot:
		x := n.l.eval(src)
		if x.k != kBool {
			return x // NULL or an error
		}
		return boolV(!x.b)
	case opCast:
		x := n.l.eval(src)
		switch x.k {
		case kNull, kErr, kBool:
			return x
		}
		return falseV
	case opIn:
		s, ok := src.get(n.name)
		if !ok {
			return nullV
		}
		in := false
		for _, x := range n.list {
			if x == s {
				in = true
				break
			}
		}
		return boolV(in != n.not)
	case opIsNull:
		x := n.l.eval(src)
		if x.k == kErr {
			return x
		}
		return boolV(x.k == kNull)
	case opEq:
		l := n.l.eval(src)
		if l.k == kErr {
			return l
		}
		r := n.r.eval(src)
		switch {
		case r.k == kErr:
			return r
		case l.k == kNull && r.k == kNull:
			return trueV
		case l.k == kNull:
			return nullV
		case r.k == kNull:
			return falseV
		}
		c, ok := compare(l, r)
		if !ok {
			return errV
		}
		return boolV(c == 0)
	case opGt, opGe, opLt, opLe:
		l := n.l.eval(src)
		if l.k == kNull || l.k == kErr {
			return l
		}
		r := n.r.eval(src)
		if r.k == kNull || r.k == kErr {
			return r
		}
		var c int
		ok := true
		if l.k == kString && r.k == kString {
			// Two strings are compared as doubles or not at all.
			lf, lok := javaParseDouble(l.s)
			rf, rok := javaParseDouble(r.s)
			c, ok = cmpDouble(lf, rf), lok && rok
		} else {
			c, ok = compare(l, r)
		}
		if !ok {
			return errV
		}
		switch n.op {
		case opGt:
			return boolV(c > 0)
		case opGe:
			return boolV(c >= 0)
		case opLt:
			return boolV(c < 0)
		}
		return boolV(c <= 0)
	case opAnd:
		l := n.l.eval(src)
		if l.k == kErr || l.isFalse() {
			return l
		}
		r := n.r.eval(src)
		if r.k == kErr || r.isFalse() {
			return r
		}
		if l.k == kNull || r.k == kNull {
			return nullV
		}
		return trueV
	case opOr:
		l := n.l.eval(src)
		if l.k == kErr || l.isTrue() {
			return l
		}
		r := n.r.eval(src)
		if r.k == kErr || r.isTrue() {
			return r
		}
		if l.k == kNull || r.k == kNull {
			return nullV
		}
		return falseV
	}
	return errV
}

// String returns the expression in a canonical, fully parenthesized form
// that parses back to the same expression. NOT BETWEEN, <> and IS NOT NULL
// appear as what Java builds from them (OR of < and >, NOT of =, NOT of
// IS NULL).
func (e *Expr) String() string { return e.root.String() }

func (n *node) String() string {
	var sb strings.Builder
	n.render(&sb)
	return sb.String()
}

func (n *node) render(sb *strings.Builder) {
	binary := func(sym string) {
		sb.WriteByte('(')
		n.l.render(sb)
		sb.WriteString(sym)
		n.r.render(sb)
		sb.WriteByte(')')
	}
	switch n.op {
	case opConst, opBoolConst:
		n.v.render(sb)
	case opProp:
		sb.WriteString(n.name)
	case opCast:
		n.l.render(sb)
	case opNeg:
		sb.WriteString("(-")
		n.l.render(sb)
		sb.WriteByte(')')
	case opNot:
		sb.WriteString("(NOT ")
		n.l.render(sb)
		sb.WriteByte(')')
	case opIn:
		sb.WriteByte('(')
		sb.WriteString(n.name)
		if n.not {
			sb.WriteString(" NOT")
		}
		sb.WriteString(" IN (")
		for i, s := range n.list {
			if i > 0 {
				sb.WriteString(", ")
			}
			quote(sb, s)
		}
		sb.WriteString("))")
	case opIsNull:
		sb.WriteByte('(')
		n.l.render(sb)
		sb.WriteString(" IS NULL)")
	case opEq:
		binary(" = ")
	case opGt:
		binary(" > ")
	case opGe:
		binary(" >= ")
	case opLt:
		binary(" < ")
	case opLe:
		binary(" <= ")
	case opAnd:
		binary(" AND ")
	case opOr:
		binary(" OR ")
	}
}
