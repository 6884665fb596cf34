// Package jsonenc writes JSON byte for byte as encoding/json does, without
// reflection, for the hot paths that cannot afford it: the emulator's
// busiest responses and the store's export of a whole log. Its fuzz tests
// hold it to encoding/json's output.
package jsonenc

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, as encoding/json writes it with
// HTML escaping (its default): <, > and & as \u003c, \u003e and \u0026,
// U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func AppendString[S string | []byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		var r rune
		var size int
		switch v := any(s).(type) {
		case string:
			r, size = utf8.DecodeRuneInString(v[i:])
		case []byte:
			r, size = utf8.DecodeRune(v[i:])
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendFloat appends f as encoding/json writes a float64 (which must be
// finite).
func AppendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// maxDepth is encoding/json's limit on nesting: deeper documents are
// invalid to it.
const maxDepth = 10000

// AppendCompact appends src, which must be one JSON value (with optional
// white space around it), as encoding/json writes a json.RawMessage:
// compacted (no insignificant white space) and HTML-escaped (<, >, & and
// U+2028/U+2029 in strings as \u escapes). It checks src in the same pass:
// when src is not valid JSON it returns dst unchanged and false, where
// encoding/json would fail. Invalid UTF-8 inside strings is copied as it
// is, as encoding/json copies it.
func AppendCompact(dst, src []byte) ([]byte, bool) {
	c := compactor{src: src, out: dst}
	c.skipSpace()
	if !c.value(0) {
		return dst, false
	}
	c.skipSpace()
	if c.i != len(src) {
		return dst, false
	}
	return c.out, true
}

type compactor struct {
	src []byte
	i   int
	out []byte
}

func (c *compactor) skipSpace() {
	for c.i < len(c.src) {
		switch c.src[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *compactor) value(depth int) bool {
	if c.i >= len(c.src) {
		return false
	}
	switch ch := c.src[c.i]; {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		return c.string()
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return false
}

func (c *compactor) literal(lit string) bool {
	if len(c.src)-c.i < len(lit) || string(c.src[c.i:c.i+len(lit)]) != lit {
		return false
	}
	c.out = append(c.out, lit...)
	c.i += len(lit)
	return true
}

func (c *compactor) object(depth int) bool {
	if depth > maxDepth {
		return false
	}
	c.out = append(c.out, '{')
	c.i++
	c.skipSpace()
	if c.i < len(c.src) && c.src[c.i] == '}' {
		c.out = append(c.out, '}')
		c.i++
		return true
	}
	for {
		if c.i >= len(c.src) || c.src[c.i] != '"' || !c.string() {
			return false
		}
		c.skipSpace()
		if c.i >= len(c.src) || c.src[c.i] != ':' {
			return false
		}
		c.out = append(c.out, ':')
		c.i++
		c.skipSpace()
		if !c.value(depth) {
			return false
		}
		c.skipSpace()
		if c.i >= len(c.src) {
			return false
		}
		switch c.src[c.i] {
		case ',':
			c.out = append(c.out, ',')
			c.i++
			c.skipSpace()
		case '}':
			c.out = append(c.out, '}')
			c.i++
			return true
		default:
			return false
		}
	}
}

func (c *compactor) array(depth int) bool {
	if depth > maxDepth {
		return false
	}
	c.out = append(c.out, '[')
	c.i++
	c.skipSpace()
	if c.i < len(c.src) && c.src[c.i] == ']' {
		c.out = append(c.out, ']')
		c.i++
		return true
	}
	for {
		if !c.value(depth) {
			return false
		}
		c.skipSpace()
		if c.i >= len(c.src) {
			return false
		}
		switch c.src[c.i] {
		case ',':
			c.out = append(c.out, ',')
			c.i++
			c.skipSpace()
		case ']':
			c.out = append(c.out, ']')
			c.i++
			return true
		default:
			return false
		}
	}
}

// string copies a string token (c.src[c.i] is '"'), escaping <, >, & and
// U+2028/U+2029.
func (c *compactor) string() bool {
	src := c.src
	start := c.i
	i := c.i + 1
	for i < len(src) {
		ch := src[i]
		switch {
		case ch == '"':
			c.out = append(c.out, src[start:i+1]...)
			c.i = i + 1
			return true
		case ch == '\\':
			if i+1 >= len(src) {
				return false
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) || !isHex(src[i+2]) || !isHex(src[i+3]) || !isHex(src[i+4]) || !isHex(src[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		case ch < 0x20:
			return false
		case ch == '<' || ch == '>' || ch == '&':
			c.out = append(c.out, src[start:i]...)
			c.out = append(c.out, '\\', 'u', '0', '0', hexDigits[ch>>4], hexDigits[ch&0xF])
			i++
			start = i
		case ch == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			c.out = append(c.out, src[start:i]...)
			c.out = append(c.out, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xF])
			i += 3
			start = i
		default:
			i++
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (c *compactor) number() bool {
	src := c.src
	start, i := c.i, c.i
	if src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && src[i] >= '1' && src[i] <= '9':
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(src) && src[i] == '.' {
		i++
		if i >= len(src) || !isDigit(src[i]) {
			return false
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) || !isDigit(src[i]) {
			return false
		}
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	c.out = append(c.out, src[start:i]...)
	c.i = i
	return true
}
