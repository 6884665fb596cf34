package plaidspec

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Result is what Validate found in a request body. Plaid reports the
// problems in this order: Syntax, then the credentials, Unknown, Missing,
// Invalid.
type Result struct {
	// Syntax is set when the body is not one JSON object.
	Syntax string
	// Unknown lists the dotted paths of fields the schema does not have.
	Unknown []string
	// Missing lists the dotted paths of required fields that are absent,
	// null or "".
	Missing []string
	// Invalid is the first field of the wrong type, enum, format or range.
	Invalid *Invalid
	// The top-level client_id, secret and access_token.
	ClientID, Secret, AccessToken Captured
}

// Captured is a top-level field's value.
type Captured struct {
	Value     string
	Present   bool // present and not null
	NotString bool // present with a value that is not a string
}

// Invalid describes a field whose value the schema refuses.
type Invalid struct {
	Path    string
	Message string // a whole sentence that starts with Path
	// Schema is the field's schema (its Name says e.g. "Products").
	Schema *Schema
	// EnumValue is set for a value outside the field's enum.
	EnumValue string
	IsEnum    bool
}

// Validate checks body against s (an operation's request schema) in one
// pass over the bytes, without decoding it into values: it allocates only
// for what it reports.
func Validate(body []byte, s *Schema) Result {
	v := validator{b: body}
	v.ws()
	if v.i >= len(v.b) || v.b[v.i] != '{' {
		v.res.Syntax = "it must be one JSON object, like {\"client_id\": \"...\"}"
		return v.res
	}
	v.value(s, 0)
	if v.res.Syntax == "" {
		v.ws()
		if v.i != len(v.b) {
			v.syntax("unexpected data after the JSON object")
		}
	}
	if v.res.Syntax != "" {
		return Result{Syntax: v.res.Syntax}
	}
	return v.res
}

type seg struct {
	key   []byte
	index int // -1 for a key
}

// maxPath is how deep a path is tracked for messages; Plaid's requests
// nest a few levels, and deeper paths are cut short.
const maxPath = 16

type validator struct {
	b     []byte
	i     int
	res   Result
	path  [maxPath]seg
	depth int // segments in path (may exceed maxPath; the rest are not kept)
}

func (v *validator) syntax(msg string) {
	if v.res.Syntax == "" {
		v.res.Syntax = fmt.Sprintf("%s (at byte %d)", msg, v.i)
	}
	v.i = len(v.b)
}

func (v *validator) ws() {
	for v.i < len(v.b) {
		switch v.b[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// pathString renders the current path, plus name when not empty.
func (v *validator) pathString(name []byte) string {
	var sb strings.Builder
	for _, s := range v.path[:min(v.depth, maxPath)] {
		if s.index >= 0 {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(s.index))
			sb.WriteByte(']')
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.Write(unescapeKey(s.key))
	}
	if name != nil {
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.Write(unescapeKey(name))
	}
	return sb.String()
}

func unescapeKey(k []byte) []byte {
	for _, c := range k {
		if c == '\\' {
			var s string
			if json.Unmarshal(append(append([]byte{'"'}, k...), '"'), &s) == nil {
				return []byte(s)
			}
			return k
		}
	}
	return k
}

func (v *validator) invalid(s *Schema, format string, args ...any) *Invalid {
	if v.res.Invalid != nil {
		return nil
	}
	p := v.pathString(nil)
	v.res.Invalid = &Invalid{Path: p, Schema: s, Message: p + " " + fmt.Sprintf(format, args...)}
	return v.res.Invalid
}

var kindNames = [...]string{Any: "any value", Object: "an object", Array: "an array", String: "a string", Integer: "an integer", Number: "a number", Boolean: "a boolean"}

// jsonKind names the JSON type of a value starting with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// accepts reports whether a value starting with c can be of kind k.
func accepts(k Kind, c byte) bool {
	switch k {
	case Any:
		return true
	case Object:
		return c == '{'
	case Array:
		return c == '['
	case String:
		return c == '"'
	case Boolean:
		return c == 't' || c == 'f'
	default:
		return c == '-' || (c >= '0' && c <= '9')
	}
}

// value scans one value against s (nil: anything). empty reports null or
// "", which count as absent for a required field.
func (v *validator) value(s *Schema, depth int) (empty bool) {
	v.ws()
	if v.i >= len(v.b) {
		v.syntax("unexpected end of the body")
		return false
	}
	c := v.b[v.i]
	if c == 'n' {
		v.literal("null")
		return true // null stands for absent; required fields check it
	}
	if s != nil && len(s.Alts) > 0 {
		var pick *Schema
		for _, a := range s.Alts {
			if accepts(a.Kind, c) {
				pick = a
				break
			}
		}
		if pick == nil {
			names := make([]string, len(s.Alts))
			for i, a := range s.Alts {
				names[i] = kindNames[a.Kind]
			}
			v.invalid(s, "must be %s, not a JSON %s", strings.Join(names, " or "), jsonKind(c))
		}
		s = pick
	}
	if s != nil && !accepts(s.Kind, c) {
		v.invalid(s, "must be %s, not a JSON %s", kindNames[s.Kind], jsonKind(c))
		s = nil
	}
	if s != nil && s.Kind == Any {
		s = nil
	}
	switch {
	case c == '{':
		v.object(s, depth)
	case c == '[':
		v.array(s, depth)
	case c == '"':
		return v.str(s)
	case c == 't':
		v.literal("true")
	case c == 'f':
		v.literal("false")
	case c == '-' || (c >= '0' && c <= '9'):
		v.number(s)
	default:
		v.syntax(fmt.Sprintf("invalid character %q", c))
	}
	return false
}

func (v *validator) literal(word string) {
	if len(v.b)-v.i < len(word) || string(v.b[v.i:v.i+len(word)]) != word {
		v.syntax("invalid literal")
		return
	}
	v.i += len(word)
}

// rawString scans a JSON string; it returns its raw contents and whether
// they hold escapes.
func (v *validator) rawString() (raw []byte, escaped bool) {
	start := v.i + 1
	for j := start; j < len(v.b); j++ {
		switch c := v.b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			v.i = j + 1
			return v.b[start:j], escaped
		case c < 0x20:
			v.i = j
			v.syntax("control character in a string")
			return nil, false
		}
	}
	v.syntax("unterminated string")
	return nil, false
}

func (v *validator) str(s *Schema) (empty bool) {
	raw, escaped := v.rawString()
	if v.res.Syntax != "" {
		return false
	}
	text := raw
	if escaped {
		var u string
		if err := json.Unmarshal(v.b[v.i-len(raw)-2:v.i], &u); err != nil {
			v.syntax("invalid escape in a string")
			return false
		}
		text = []byte(u)
	}
	if len(text) == 0 {
		return true
	}
	if s == nil {
		return false
	}
	if s.Enum != nil && !s.Enum[string(text)] {
		if inv := v.invalid(s, "must be one of: %s (got %q)", strings.Join(s.EnumList, ", "), text); inv != nil {
			inv.IsEnum, inv.EnumValue = true, string(text)
		}
		return false
	}
	switch s.Format {
	case "date":
		if _, err := time.Parse(time.DateOnly, string(text)); err != nil {
			v.invalid(s, "must be a date in YYYY-MM-DD format (got %q)", text)
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, string(text)); err != nil {
			v.invalid(s, "must be an RFC 3339 date-time such as 2024-01-15T10:00:00Z (got %q)", text)
		}
	}
	if s.MinLen > 0 || s.MaxLen >= 0 {
		n := utf8.RuneCount(text)
		if n < s.MinLen {
			v.invalid(s, "must be at least %d characters long", s.MinLen)
		} else if s.MaxLen >= 0 && n > s.MaxLen {
			v.invalid(s, "must be at most %d characters long", s.MaxLen)
		}
	}
	return false
}

func (v *validator) number(s *Schema) {
	start := v.i
	integer := true
	digits := func() int {
		n := 0
		for v.i < len(v.b) && v.b[v.i] >= '0' && v.b[v.i] <= '9' {
			v.i++
			n++
		}
		return n
	}
	if v.b[v.i] == '-' {
		v.i++
	}
	lead := v.i
	if n := digits(); n == 0 || (n > 1 && v.b[lead] == '0') {
		v.syntax("invalid number")
		return
	}
	if v.i < len(v.b) && v.b[v.i] == '.' {
		integer = false
		v.i++
		if digits() == 0 {
			v.syntax("invalid number")
			return
		}
	}
	if v.i < len(v.b) && (v.b[v.i] == 'e' || v.b[v.i] == 'E') {
		integer = false
		v.i++
		if v.i < len(v.b) && (v.b[v.i] == '+' || v.b[v.i] == '-') {
			v.i++
		}
		if digits() == 0 {
			v.syntax("invalid number")
			return
		}
	}
	text := v.b[start:v.i]
	if s == nil || (s.Kind == Number && s.Min == nil && s.Max == nil) {
		return
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		f = 0 // out of float64's range: valid JSON all the same
	}
	if s.Kind == Integer && !integer && f != float64(int64(f)) {
		v.invalid(s, "must be an integer, not %s", text)
		return
	}
	if s.Min != nil && f < *s.Min {
		v.invalid(s, "must be at least %v (got %s)", *s.Min, text)
	} else if s.Max != nil && f > *s.Max {
		v.invalid(s, "must be at most %v (got %s)", *s.Max, text)
	}
}

func (v *validator) push(sg seg) {
	if v.depth < maxPath {
		v.path[v.depth] = sg
	}
	v.depth++
}

func (v *validator) pop() { v.depth-- }

func (v *validator) array(s *Schema, depth int) {
	v.i++ // [
	var items *Schema
	if s != nil {
		items = s.Items
	}
	n := 0
	v.ws()
	if v.i < len(v.b) && v.b[v.i] == ']' {
		v.i++
	} else {
		for v.res.Syntax == "" {
			v.push(seg{index: n})
			v.value(items, depth+1)
			v.pop()
			n++
			v.ws()
			if v.i >= len(v.b) {
				v.syntax("unterminated array")
				return
			}
			if v.b[v.i] == ',' {
				v.i++
				continue
			}
			if v.b[v.i] == ']' {
				v.i++
				break
			}
			v.syntax("expected , or ] in an array")
			return
		}
	}
	if s != nil && v.res.Syntax == "" {
		if n < s.MinItems {
			v.invalid(s, "must have at least %d item(s)", s.MinItems)
		} else if s.MaxItems >= 0 && n > s.MaxItems {
			v.invalid(s, "must have at most %d items", s.MaxItems)
		}
	}
}

func (v *validator) object(s *Schema, depth int) {
	v.i++ // {
	var seen uint64
	v.ws()
	if v.i < len(v.b) && v.b[v.i] == '}' {
		v.i++
	} else {
		for v.res.Syntax == "" {
			v.ws()
			if v.i >= len(v.b) || v.b[v.i] != '"' {
				v.syntax("expected a field name in an object")
				return
			}
			key, escaped := v.rawString()
			if v.res.Syntax != "" {
				return
			}
			name := key
			if escaped {
				name = unescapeKey(key)
			}
			v.ws()
			if v.i >= len(v.b) || v.b[v.i] != ':' {
				v.syntax("expected : after a field name")
				return
			}
			v.i++
			var ps *Schema
			known := true
			if s != nil {
				var ok bool
				ps, ok = s.Props[string(name)]
				if !ok {
					switch {
					case !s.Closed:
						ps = s.Extra
					case depth == 0 && (string(name) == "client_id" || string(name) == "secret"):
					default:
						known = false
						v.res.Unknown = append(v.res.Unknown, v.pathString(key))
					}
				}
			}
			v.ws()
			valStart := v.i
			v.push(seg{key: key, index: -1})
			empty := v.value(ps, depth+1)
			v.pop()
			if depth == 0 {
				v.capture(name, valStart, empty)
			}
			if known && s != nil && s.reqBit != nil && !empty {
				seen |= s.reqBit[string(name)]
			}
			v.ws()
			if v.i >= len(v.b) {
				v.syntax("unterminated object")
				return
			}
			if v.b[v.i] == ',' {
				v.i++
				continue
			}
			if v.b[v.i] == '}' {
				v.i++
				break
			}
			v.syntax("expected , or } in an object")
			return
		}
	}
	if s == nil || v.res.Syntax != "" {
		return
	}
	for b, name := range s.Required {
		if b < 64 && seen&(1<<b) != 0 {
			continue
		}
		if b >= 64 {
			continue // not tracked (no schema has this many)
		}
		v.res.Missing = append(v.res.Missing, v.pathString([]byte(name)))
	}
}

// capture keeps the top-level credentials and access_token.
func (v *validator) capture(name []byte, start int, empty bool) {
	var c *Captured
	switch string(name) {
	case "client_id":
		c = &v.res.ClientID
	case "secret":
		c = &v.res.Secret
	case "access_token":
		c = &v.res.AccessToken
	default:
		return
	}
	val := v.b[start:v.i]
	if string(val) == "null" {
		return
	}
	c.Present = true
	if len(val) == 0 || val[0] != '"' {
		c.NotString = true
		return
	}
	if empty {
		return
	}
	inner := val[1 : len(val)-1]
	for _, b := range inner {
		if b == '\\' {
			var s string
			if json.Unmarshal(val, &s) == nil {
				c.Value = s
			}
			return
		}
	}
	c.Value = string(inner)
}
