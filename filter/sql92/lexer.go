package sql92

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind is a token kind of the selector grammar (Java
// SelectorParserConstants).
type tokKind uint8

const (
	tEOF tokKind = iota
	tNot
	tAnd
	tOr
	tBetween
	tIn
	tTrue
	tFalse
	tNull
	tIs
	tDecimal
	tFloat
	tString
	tID
	tEq     // =
	tNe     // <>
	tGt     // >
	tGe     // >=
	tLt     // <
	tLe     // <=
	tLParen // (
	tComma  // ,
	tRParen // )
	tPlus   // +
	tMinus  // -
)

var tokNames = [...]string{
	tEOF: "end of expression", tNot: "NOT", tAnd: "AND", tOr: "OR", tBetween: "BETWEEN", tIn: "IN",
	tTrue: "TRUE", tFalse: "FALSE", tNull: "NULL", tIs: "IS", tDecimal: "integer", tFloat: "number",
	tString: "string", tID: "identifier", tEq: "\"=\"", tNe: "\"<>\"", tGt: "\">\"", tGe: "\">=\"",
	tLt: "\"<\"", tLe: "\"<=\"", tLParen: "\"(\"", tComma: "\",\"", tRParen: "\")\"", tPlus: "\"+\"",
	tMinus: "\"-\"",
}

func (k tokKind) String() string { return tokNames[k] }

var keywords = [...]struct {
	word string
	kind tokKind
}{
	{"NOT", tNot}, {"AND", tAnd}, {"OR", tOr}, {"BETWEEN", tBetween}, {"IN", tIn},
	{"TRUE", tTrue}, {"FALSE", tFalse}, {"NULL", tNull}, {"IS", tIs},
}

// token is one lexed token; text is its image in the source.
type token struct {
	kind tokKind
	pos  int // byte offset of the first character
	text string
}

// lexer produces tokens on demand. The parser asks only for the tokens it
// has to look at, as JavaCC's generated parser does, so text after the end
// of the expression that is never looked at is never lexed.
type lexer struct {
	src string
	pos int
}

// next lexes the token at the current position.
func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	s, p := l.src, l.pos
	if p >= len(s) {
		return token{kind: tEOF, pos: p}, nil
	}
	c := s[p]
	one := func(k tokKind, n int) (token, error) {
		l.pos = p + n
		return token{kind: k, pos: p, text: s[p : p+n]}, nil
	}
	switch {
	case c == '=':
		return one(tEq, 1)
	case c == '<':
		if p+1 < len(s) && s[p+1] == '>' {
			return one(tNe, 2)
		}
		if p+1 < len(s) && s[p+1] == '=' {
			return one(tLe, 2)
		}
		return one(tLt, 1)
	case c == '>':
		if p+1 < len(s) && s[p+1] == '=' {
			return one(tGe, 2)
		}
		return one(tGt, 1)
	case c == '(':
		return one(tLParen, 1)
	case c == ')':
		return one(tRParen, 1)
	case c == ',':
		return one(tComma, 1)
	case c == '+':
		return one(tPlus, 1)
	case c == '-':
		// A "--" without a line end after it is not a comment (skip left
		// it): it is a minus sign, like Java's longest-match lexer sees it.
		return one(tMinus, 1)
	case c == '\'':
		return l.stringLit()
	case isDigit(c) || c == '.':
		return l.number()
	case isIDStart(c):
		n := p + 1
		for n < len(s) && isIDPart(s[n]) {
			n++
		}
		word := s[p:n]
		l.pos = n
		for _, kw := range keywords {
			if strings.EqualFold(word, kw.word) {
				return token{kind: kw.kind, pos: p, text: word}, nil
			}
		}
		return token{kind: tID, pos: p, text: word}, nil
	}
	r, _ := utf8.DecodeRuneInString(s[p:])
	return token{}, errorAt(s, p, "lexical error: unexpected character %q", r)
}

// skip passes white space and comments (Java SPECIAL_TOKEN and SKIP).
func (l *lexer) skip() error {
	s := l.src
	for l.pos < len(s) {
		switch c := s[l.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			l.pos++
		case c == '-' && strings.HasPrefix(s[l.pos:], "--"):
			// LINE_COMMENT needs its line end; without one the longest
			// match is the minus sign.
			end := strings.IndexAny(s[l.pos+2:], "\n\r")
			if end < 0 {
				return nil
			}
			l.pos += 2 + end + 1
		case c == '/' && strings.HasPrefix(s[l.pos:], "/*"):
			end := strings.Index(s[l.pos+2:], "*/")
			if end < 0 {
				return errorAt(s, l.pos, "lexical error: comment not closed")
			}
			l.pos += 2 + end + 2
		default:
			return nil
		}
	}
	return nil
}

// stringLit lexes a quoted string in which a doubled quote stands for
// one. As JavaCC's longest match, an unterminated string ends after the
// last quote that could have closed it: 'a, two quotes, b is the string
// 'a' and then an unterminated string.
func (l *lexer) stringLit() (token, error) {
	s, p := l.src, l.pos
	end := -1
	for i := p + 1; i < len(s); {
		if s[i] != '\'' {
			i++
			continue
		}
		end = i + 1
		if i+1 < len(s) && s[i+1] == '\'' {
			i += 2
			continue
		}
		break
	}
	if end < 0 {
		return token{}, errorAt(s, p, "lexical error: string not closed")
	}
	l.pos = end
	return token{kind: tString, pos: p, text: s[p:end]}, nil
}

// number lexes DECIMAL_LITERAL ("0" | [1-9][0-9]*[lL]?) or
// FLOATING_POINT_LITERAL (digits "." digits? exp? | "." digits exp? |
// digits exp), taking the longest.
func (l *lexer) number() (token, error) {
	s, p := l.src, l.pos
	digits := func(i int) int {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i
	}
	exponent := func(i int) int { // end of a complete exponent at i, or i
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if k := digits(j); k > j {
				return k
			}
		}
		return i
	}
	intEnd := digits(p)
	if intEnd == p { // starts with '.'
		fracEnd := digits(p + 1)
		if fracEnd == p+1 {
			return token{}, errorAt(s, p, "lexical error: unexpected character '.'")
		}
		end := exponent(fracEnd)
		l.pos = end
		return token{kind: tFloat, pos: p, text: s[p:end]}, nil
	}
	floatEnd := -1
	if intEnd < len(s) && s[intEnd] == '.' {
		floatEnd = exponent(digits(intEnd + 1))
	} else if e := exponent(intEnd); e > intEnd {
		floatEnd = e
	}
	decEnd := p + 1
	if s[p] != '0' {
		decEnd = intEnd
		if decEnd < len(s) && (s[decEnd] == 'l' || s[decEnd] == 'L') {
			decEnd++
		}
	}
	if floatEnd > decEnd {
		l.pos = floatEnd
		return token{kind: tFloat, pos: p, text: s[p:floatEnd]}, nil
	}
	l.pos = decEnd
	return token{kind: tDecimal, pos: p, text: s[p:decEnd]}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIDStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}
func isIDPart(c byte) bool { return isIDStart(c) || isDigit(c) }

// SyntaxError is a selector that does not parse, or that Java's parser
// refuses while building it (a comparison it cannot make, a literal out of
// range). Offset is a byte offset into the expression; Line and Column are
// 1-based, counting characters.
type SyntaxError struct {
	Offset int
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid SQL92 selector at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func errorAt(src string, off int, format string, args ...any) *SyntaxError {
	off = min(max(off, 0), len(src))
	line, col := 1, 1
	for i, r := range src[:off] {
		switch {
		case r == '\n':
			line, col = line+1, 1
		case r == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				continue
			}
			line, col = line+1, 1
		default:
			col++
		}
	}
	return &SyntaxError{Offset: off, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}
