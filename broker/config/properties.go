package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
)

// ErrMalformedUnicodeEscape is returned for a \u escape that is not followed
// by four hex digits. java.util.Properties.load throws
// IllegalArgumentException on it, which makes BrokerStartup exit, so it is an
// error here too rather than something to skip.
var ErrMalformedUnicodeEscape = errors.New(`malformed \uxxxx encoding`)

// ParseProperties reads text in the java.util.Properties.load(InputStream)
// format, which is what BrokerStartup uses for broker.conf:
//
//   - the input is ISO-8859-1: every byte is one character, so UTF-8 text
//     comes out as one Latin-1 character per byte, exactly as Java sees it
//     (non-Latin-1 characters need \uXXXX escapes);
//   - lines end at \n, \r or \r\n; leading space, tab and form feed are
//     skipped; blank lines and lines whose first non-blank character is '#'
//     or '!' are comments (a comment never continues onto the next line);
//   - an odd number of trailing backslashes joins the next line, whose
//     leading blanks are dropped;
//   - the key ends at the first unescaped '=', ':', space, tab or form feed;
//     blanks around the separator are dropped, one '=' or ':' after blanks is
//     part of the separator, and trailing blanks of the value are kept;
//   - escapes \t \n \r \f \uXXXX are decoded and a backslash before any other
//     character stands for that character.
//
// A key given twice keeps its last value, as Hashtable.put does.
func ParseProperties(r io.Reader) (map[string]string, error) {
	props := map[string]string{}
	lr := lineReader{in: bufio.NewReader(r)}
	for n := 1; ; n++ {
		line, ok, err := lr.next()
		if err != nil {
			return nil, fmt.Errorf("read properties: %w", err)
		}
		if !ok {
			return props, nil
		}
		key, value, err := splitLogicalLine(line)
		if err != nil {
			return nil, fmt.Errorf("properties entry %d (%q): %w", n, truncate(string(line), 60), err)
		}
		props[key] = value
	}
}

// lineReader yields logical lines the way Properties.LineReader does:
// comments and blank lines are skipped, continuations are joined. The
// returned runes are still escaped; the continuation backslash is removed.
type lineReader struct {
	in     *bufio.Reader
	peeked bool // the reader stopped at a \r and must drop a following \n
	eof    bool
}

// nextByte returns the next input byte, or ok=false at end of input.
func (lr *lineReader) nextByte() (byte, bool, error) {
	if lr.eof {
		return 0, false, nil
	}
	b, err := lr.in.ReadByte()
	if err == io.EOF {
		lr.eof = true
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return b, true, nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

// next returns the next logical line, or ok=false at end of input.
func (lr *lineReader) next() (line []rune, ok bool, err error) {
	var (
		skipBlank    = true  // dropping leading blanks of a natural line
		continuation = false // the natural line being read continues a logical one
		newLine      = true  // the next non-blank byte starts a logical line
		comment      = false
		backslash    = false // an unpaired backslash precedes the current byte
	)
	for {
		c, more, err := lr.nextByte()
		if err != nil {
			return nil, false, err
		}
		if !more {
			if len(line) == 0 || comment {
				return nil, false, nil
			}
			if backslash {
				// A lone backslash at the very end of the input is dropped.
				line = line[:len(line)-1]
			}
			return line, true, nil
		}
		if lr.peeked {
			lr.peeked = false
			if c == '\n' {
				continue
			}
		}
		if skipBlank {
			if isBlank(c) {
				continue
			}
			if !continuation && (c == '\r' || c == '\n') {
				continue
			}
			skipBlank = false
			continuation = false
		}
		if newLine {
			newLine = false
			if c == '#' || c == '!' {
				comment = true
				continue
			}
		}
		if c != '\n' && c != '\r' {
			if !comment {
				line = append(line, rune(c)) // ISO-8859-1: byte value == code point
			}
			if c == '\\' {
				backslash = !backslash
			} else {
				backslash = false
			}
			continue
		}
		// End of a natural line.
		if comment || len(line) == 0 {
			comment, newLine, skipBlank, backslash = false, true, true, false
			line = line[:0]
			if c == '\r' {
				lr.peeked = true
			}
			continue
		}
		if c == '\r' {
			lr.peeked = true
		}
		if !backslash {
			return line, true, nil
		}
		line = line[:len(line)-1]
		skipBlank, continuation, backslash = true, true, false
	}
}

// splitLogicalLine separates key from value as Properties.load0 does and
// decodes both.
func splitLogicalLine(line []rune) (key, value string, err error) {
	keyLen := 0
	valueStart := len(line)
	hasSep := false
	backslash := false
	for keyLen < len(line) {
		c := line[keyLen]
		if (c == '=' || c == ':') && !backslash {
			valueStart = keyLen + 1
			hasSep = true
			break
		}
		if (c == ' ' || c == '\t' || c == '\f') && !backslash {
			valueStart = keyLen + 1
			break
		}
		if c == '\\' {
			backslash = !backslash
		} else {
			backslash = false
		}
		keyLen++
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if c != ' ' && c != '\t' && c != '\f' {
			if !hasSep && (c == '=' || c == ':') {
				hasSep = true
			} else {
				break
			}
		}
		valueStart++
	}
	if key, err = unescape(line[:keyLen]); err != nil {
		return "", "", err
	}
	if value, err = unescape(line[valueStart:]); err != nil {
		return "", "", err
	}
	return key, value, nil
}

// unescape decodes the escapes of Properties.loadConvert. Java strings are
// UTF-16, so a surrogate pair written as two \u escapes is one character.
func unescape(in []rune) (string, error) {
	if !containsRune(in, '\\') {
		return string(in), nil
	}
	units := make([]uint16, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			units = append(units, uint16(c)) // Latin-1, always one unit
			continue
		}
		i++
		if i >= len(in) {
			// Only a key that ends in a lone backslash gets here; there is
			// nothing left to escape.
			break
		}
		switch c = in[i]; c {
		case 'u':
			if i+4 >= len(in) {
				return "", ErrMalformedUnicodeEscape
			}
			var v uint16
			for _, h := range in[i+1 : i+5] {
				d, ok := hexDigit(h)
				if !ok {
					return "", ErrMalformedUnicodeEscape
				}
				v = v<<4 | d
			}
			i += 4
			units = append(units, v)
		case 't':
			units = append(units, '\t')
		case 'r':
			units = append(units, '\r')
		case 'n':
			units = append(units, '\n')
		case 'f':
			units = append(units, '\f')
		default:
			units = append(units, uint16(c))
		}
	}
	return string(utf16.Decode(units)), nil
}

func containsRune(rs []rune, r rune) bool {
	for _, c := range rs {
		if c == r {
			return true
		}
	}
	return false
}

func hexDigit(r rune) (uint16, bool) {
	switch {
	case r >= '0' && r <= '9':
		return uint16(r - '0'), true
	case r >= 'a' && r <= 'f':
		return uint16(r-'a') + 10, true
	case r >= 'A' && r <= 'F':
		return uint16(r-'A') + 10, true
	}
	return 0, false
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}
