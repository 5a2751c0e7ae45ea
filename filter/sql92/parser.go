package sql92

import (
	"math"
	"strconv"
	"strings"
)

// op is a node type, one per Java expression class (or anonymous
// subclass) with its own evaluation rule.
type op uint8

const (
	opConst     op = iota // ConstantExpression: string or number
	opBoolConst           // BooleanConstantExpression: TRUE, FALSE, NULL
	opProp                // PropertyExpression
	opNeg                 // UnaryExpression.createNegate
	opNot                 // UnaryExpression.createNOT
	opCast                // UnaryExpression.createBooleanCast of a property
	opIn                  // UnaryExpression.createInExpression (IN / NOT IN)
	opEq                  // ComparisonExpression.doCreateEqual
	opGt
	opGe
	opLt
	opLe
	opIsNull // doCreateEqual(x, NULL)
	opAnd
	opOr
)

// node is one expression node. Which fields are used depends on op: v for
// constants, name for properties and IN, l (and r) for operators.
type node struct {
	op   op
	l, r *node
	v    value
	name string
	list []string // IN
	not  bool     // NOT IN
}

// isBoolean: the node is a Java BooleanExpression.
func (n *node) isBoolean() bool {
	switch n.op {
	case opConst, opProp, opNeg:
		return false
	}
	return true
}

func (n *node) isConst() bool { return n.op == opConst || n.op == opBoolConst }

// Expr is a parsed selector.
type Expr struct {
	root *node
	src  string
}

// Source returns the expression text Parse was given.
func (e *Expr) Source() string { return e.src }

// Parse parses a selector as Java's SelectorParser.parse does, including
// the checks Java makes while building the expression tree. Errors are
// *SyntaxError.
func Parse(expr string) (*Expr, error) {
	p := &parser{lx: lexer{src: expr}, src: expr}
	root, err := p.selector()
	if err != nil {
		return nil, err
	}
	return &Expr{root: root, src: expr}, nil
}

// parser is a recursive-descent parser over a lazily lexed token stream
// with up to two tokens of lookahead.
type parser struct {
	lx  lexer
	src string
	la  [2]token
	n   int // tokens buffered in la
}

func (p *parser) peekN(i int) (token, error) {
	for p.n <= i {
		t, err := p.lx.next()
		if err != nil {
			return token{}, err
		}
		p.la[p.n] = t
		p.n++
	}
	return p.la[i], nil
}

func (p *parser) peek() (tokKind, error) {
	t, err := p.peekN(0)
	return t.kind, err
}

func (p *parser) take() token {
	t := p.la[0]
	p.la[0] = p.la[1]
	p.n--
	return t
}

// expect consumes a token of kind k.
func (p *parser) expect(k tokKind) (token, error) {
	t, err := p.peekN(0)
	if err != nil {
		return token{}, err
	}
	if t.kind != k {
		return token{}, p.unexpected(t, k.String())
	}
	return p.take(), nil
}

func (p *parser) unexpected(t token, want string) error {
	if t.kind == tEOF {
		return errorAt(p.src, t.pos, "unexpected end of expression, expected %s", want)
	}
	return errorAt(p.src, t.pos, "unexpected %q, expected %s", t.text, want)
}

func (p *parser) selector() (*node, error) {
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	return p.asBoolean(n, 0)
}

func (p *parser) or() (*node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for {
		if k, err := p.peek(); err != nil || k != tOr {
			return l, err
		}
		t := p.take()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		if l, err = p.logic(opOr, l, r, t.pos); err != nil {
			return nil, err
		}
	}
}

func (p *parser) and() (*node, error) {
	l, err := p.equality()
	if err != nil {
		return nil, err
	}
	for {
		if k, err := p.peek(); err != nil || k != tAnd {
			return l, err
		}
		t := p.take()
		r, err := p.equality()
		if err != nil {
			return nil, err
		}
		if l, err = p.logic(opAnd, l, r, t.pos); err != nil {
			return nil, err
		}
	}
}

func (p *parser) logic(o op, l, r *node, pos int) (*node, error) {
	l, err := p.asBoolean(l, pos)
	if err != nil {
		return nil, err
	}
	if r, err = p.asBoolean(r, pos); err != nil {
		return nil, err
	}
	return &node{op: o, l: l, r: r}, nil
}

// asBoolean is SelectorParser.asBooleanExpression: boolean expressions
// pass, a property is cast, anything else is refused.
func (p *parser) asBoolean(n *node, pos int) (*node, error) {
	switch {
	case n.op == opProp:
		return &node{op: opCast, l: n}, nil
	case n.isBoolean():
		return n, nil
	}
	return nil, errorAt(p.src, pos, "expression will not result in a boolean value: %s", n)
}

func (p *parser) equality() (*node, error) {
	l, err := p.comparison()
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peekN(0)
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tEq, tNe:
			p.take()
			r, err := p.comparison()
			if err != nil {
				return nil, err
			}
			if l, err = p.equal(l, r, t.pos); err != nil {
				return nil, err
			}
			if t.kind == tNe {
				l = &node{op: opNot, l: l}
			}
		case tIs:
			t2, err := p.peekN(1)
			if err != nil {
				return nil, err
			}
			p.take()
			not := false
			if t2.kind != tNull {
				if _, err := p.expect(tNot); err != nil {
					return nil, err
				}
				not = true
			}
			if _, err := p.expect(tNull); err != nil {
				return nil, err
			}
			l = &node{op: opIsNull, l: l}
			if not {
				l = &node{op: opNot, l: l}
			}
		default:
			return l, nil
		}
	}
}

// equal is ComparisonExpression.createEqual with its operand checks.
func (p *parser) equal(l, r *node, pos int) (*node, error) {
	for _, x := range []*node{l, r} {
		if x.isConst() && x.v.k == kNull {
			return nil, errorAt(p.src, pos, "'%s' cannot be compared", x)
		}
	}
	if l.isConst() && r.isConst() && l.isBoolean() && !r.isBoolean() {
		return nil, errorAt(p.src, pos, "'%s' cannot be compared with '%s'", l, r)
	}
	return &node{op: opEq, l: l, r: r}, nil
}

// ordered builds > >= < <= after checkLessThanOperand on both sides: only
// numbers among constants, no boolean expressions.
func (p *parser) ordered(o op, l, r *node, pos int) (*node, error) {
	for _, x := range []*node{l, r} {
		if x.isConst() && !x.v.isNumber() || !x.isConst() && x.isBoolean() {
			return nil, errorAt(p.src, pos, "value '%s' cannot be compared", x)
		}
	}
	return &node{op: o, l: l, r: r}, nil
}

func (p *parser) comparison() (*node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t, err := p.peekN(0)
		if err != nil {
			return nil, err
		}
		var o op
		switch t.kind {
		case tGt:
			o = opGt
		case tGe:
			o = opGe
		case tLt:
			o = opLt
		case tLe:
			o = opLe
		case tBetween:
			p.take()
			if l, err = p.between(l, false, t.pos); err != nil {
				return nil, err
			}
			continue
		case tIn:
			p.take()
			if l, err = p.in(l, false, t.pos); err != nil {
				return nil, err
			}
			continue
		case tNot:
			t2, err := p.peekN(1)
			if err != nil {
				return nil, err
			}
			switch t2.kind {
			case tBetween:
				p.take()
				p.take()
				l, err = p.between(l, true, t.pos)
			case tIn:
				p.take()
				p.take()
				l, err = p.in(l, true, t.pos)
			default:
				return nil, p.unexpected(t2, "BETWEEN or IN after NOT")
			}
			if err != nil {
				return nil, err
			}
			continue
		default:
			return l, nil
		}
		p.take()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if l, err = p.ordered(o, l, r, t.pos); err != nil {
			return nil, err
		}
	}
}

// between is createBetween (v >= low AND v <= high, with low <= high
// checked when both are constants) or createNotBetween (v < low OR
// v > high, unchecked).
func (p *parser) between(v *node, not bool, pos int) (*node, error) {
	low, err := p.unary()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tAnd); err != nil {
		return nil, err
	}
	high, err := p.unary()
	if err != nil {
		return nil, err
	}
	if not {
		lt, err := p.ordered(opLt, v, low, pos)
		if err != nil {
			return nil, err
		}
		gt, err := p.ordered(opGt, v, high, pos)
		if err != nil {
			return nil, err
		}
		return &node{op: opOr, l: lt, r: gt}, nil
	}
	if low.isConst() && high.isConst() {
		if low.v.k == kNull || high.v.k == kNull {
			return nil, errorAt(p.src, pos, "illegal values of between, values can not be null")
		}
		c, ok := compare(high.v, low.v)
		if !ok {
			return nil, errorAt(p.src, pos, "illegal values of between: %s and %s do not compare", low, high)
		}
		if c < 0 {
			return nil, errorAt(p.src, pos, "illegal values of between, left value (%s) must be less than or equal to right value (%s)", low, high)
		}
	}
	ge, err := p.ordered(opGe, v, low, pos)
	if err != nil {
		return nil, err
	}
	le, err := p.ordered(opLe, v, high, pos)
	if err != nil {
		return nil, err
	}
	return &node{op: opAnd, l: ge, r: le}, nil
}

// in parses "( 'a', 'b' )" after IN; the left side must be a property.
func (p *parser) in(l *node, not bool, pos int) (*node, error) {
	if _, err := p.expect(tLParen); err != nil {
		return nil, err
	}
	var list []string
	for {
		t, err := p.expect(tString)
		if err != nil {
			return nil, err
		}
		list = append(list, unquote(t.text))
		k, err := p.peek()
		if err != nil {
			return nil, err
		}
		if k != tComma {
			break
		}
		p.take()
	}
	if _, err := p.expect(tRParen); err != nil {
		return nil, err
	}
	if l.op != opProp {
		return nil, errorAt(p.src, pos, "expected a property for IN, got: %s", l)
	}
	return &node{op: opIn, name: l.name, list: list, not: not}, nil
}

func (p *parser) unary() (*node, error) {
	t, err := p.peekN(0)
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tPlus:
		p.take()
		return p.unary()
	case tMinus:
		p.take()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: opNeg, l: x}, nil
	case tNot:
		p.take()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if x, err = p.asBoolean(x, t.pos); err != nil {
			return nil, err
		}
		return &node{op: opNot, l: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*node, error) {
	t, err := p.peekN(0)
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tString:
		p.take()
		return &node{op: opConst, v: value{k: kString, s: unquote(t.text)}}, nil
	case tDecimal:
		p.take()
		return p.decimal(t)
	case tFloat:
		p.take()
		return p.float(t)
	case tTrue, tFalse:
		p.take()
		return &node{op: opBoolConst, v: boolV(t.kind == tTrue)}, nil
	case tNull:
		p.take()
		return &node{op: opBoolConst, v: nullV}, nil
	case tID:
		p.take()
		return &node{op: opProp, name: t.text}, nil
	case tLParen:
		p.take()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return x, nil
	}
	return nil, p.unexpected(t, "a value, property, NOT, \"-\" or \"(\"")
}

// decimal is ConstantExpression.createFromDecimal: the L suffix dropped,
// a long that must fit 64 bits, an int when it fits 32.
func (p *parser) decimal(t token) (*node, error) {
	text := strings.TrimRight(t.text, "lL")
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, errorAt(p.src, t.pos, "number %s is out of the long range", t.text)
	}
	k := kLong
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		k = kInt
	}
	return &node{op: opConst, v: value{k: k, i: n}}, nil
}

// float is ConstantExpression.createFloat: a double that must be finite
// and at least Double.MIN_VALUE (a literal is never negative, so zero is
// refused too).
func (p *parser) float(t token) (*node, error) {
	f, ok := javaParseDouble(t.text)
	if !ok || math.IsInf(f, 0) {
		return nil, errorAt(p.src, t.pos, "%s is greater than %v", t.text, math.MaxFloat64)
	}
	if f < math.SmallestNonzeroFloat64 {
		return nil, errorAt(p.src, t.pos, "%s is less than %v", t.text, math.SmallestNonzeroFloat64)
	}
	return &node{op: opConst, v: value{k: kDouble, f: f}}, nil
}

// unquote decodes a string literal's image: the enclosing quotes
// dropped, doubled quotes made single.
func unquote(image string) string {
	s := image[1 : len(image)-1]
	if !strings.Contains(s, "''") {
		return s
	}
	return strings.ReplaceAll(s, "''", "'")
}
