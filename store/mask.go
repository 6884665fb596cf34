package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// secretKeys are the JSON keys whose values never reach the file in full
// (compared case-insensitively).
var secretKeys = map[string]bool{
	"secret":           true,
	"access_token":     true,
	"new_access_token": true,
	"public_token":     true,
	"public_tokens":    true, // Hosted Link's SESSION_FINISHED webhook
	"plaid-secret":     true, // a header, should one be recorded as JSON
}

var (
	// tokenShape finds access and public tokens anywhere in text, whatever
	// key (if any) holds them: "access-sandbox-<uuid>".
	tokenShape = regexp.MustCompile(`(?:access|public)-(?:sandbox|development|production)-[A-Za-z0-9][A-Za-z0-9-]*`)
	// jsonSecret finds "key": "value" pairs in text that is not valid JSON,
	// such as a truncated body.
	jsonSecret = regexp.MustCompile(`(?i)"(secret|access_token|new_access_token|public_token|plaid-secret)"(\s*:\s*")((?:[^"\\]|\\.)*)"`)
	// formSecret finds key=value pairs in query strings and form bodies.
	formSecret = regexp.MustCompile(`(?i)\b(secret|access_token|new_access_token|public_token)=([^&\s"']+)`)
	// tokenPrefix is the part of a token that is shown in full.
	tokenPrefix = regexp.MustCompile(`^(?:access|public|link)-(?:sandbox|development|production)-`)
)

// maskValue hides a secret value, keeping what helps a person recognise it:
// a token's type and environment prefix and its last 4 characters, or only
// the last 4 characters of any other value long enough to spare them. It is
// idempotent: a masked value masks to itself.
func maskValue(v string) string {
	if p := tokenPrefix.FindString(v); p != "" {
		return p + "…" + lastRunes(v[len(p):], 4)
	}
	if utf8.RuneCountInString(v) <= 8 {
		return "••••"
	}
	return "••••…" + lastRunes(v, 4)
}

// lastRunes returns the last n runes of s, or "" when s has no more than n
// (so that a short remainder is hidden whole).
func lastRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return ""
	}
	r := []rune(s)
	return string(r[len(r)-n:])
}

// maskText masks token-shaped strings and key=value or "key":"value" secrets
// in any text.
func maskText(s string) string {
	if mayNameSecret(s) {
		s = jsonSecret.ReplaceAllStringFunc(s, func(m string) string {
			g := jsonSecret.FindStringSubmatch(m)
			return `"` + g[1] + `"` + g[2] + maskValue(g[3]) + `"`
		})
		s = formSecret.ReplaceAllStringFunc(s, func(m string) string {
			g := formSecret.FindStringSubmatch(m)
			return g[1] + "=" + maskValue(g[2])
		})
	}
	if strings.Contains(s, "access-") || strings.Contains(s, "public-") {
		s = tokenShape.ReplaceAllStringFunc(s, maskValue)
	}
	return s
}

// mayNameSecret is a quick test, before the slower masking: whether text
// may hold one of secretKeys, plainly or behind a JSON escape.
func mayNameSecret(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "secret") || strings.Contains(l, "token") || strings.Contains(l, `\u`)
}

// maskJSON returns body with every secret masked. In valid JSON it masks
// the whole value of each secret key (strings, numbers, and everything
// inside arrays and objects), keeping the document's layout and key order;
// any other text is masked by pattern. Token-shaped strings are masked
// everywhere.
func maskJSON(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	if mayNameSecret(string(body)) && json.Valid(body) {
		if out, err := maskJSONValues(body); err == nil {
			body = out
		}
	}
	return []byte(maskText(string(body)))
}

// span is a byte range of a JSON document holding one scalar to mask.
type span struct{ start, end int }

// frame is an open JSON object or array while walking a document.
type frame struct {
	object    bool // an object, else an array
	expectKey bool // the next string in this object is a key
	maskAll   bool // every scalar inside is a secret
}

// maskJSONValues masks the values of secretKeys in a valid JSON document.
func maskJSONValues(doc []byte) ([]byte, error) {
	spans, err := secretSpans(doc)
	if err != nil || len(spans) == 0 {
		return doc, err
	}
	var out bytes.Buffer
	prev := 0
	for _, sp := range spans {
		out.Write(doc[prev:sp.start])
		out.Write(maskedLiteral(doc[sp.start:sp.end]))
		prev = sp.end
	}
	out.Write(doc[prev:])
	return out.Bytes(), nil
}

// secretSpans walks doc and returns the byte ranges of the scalars to mask,
// in order.
func secretSpans(doc []byte) ([]span, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var (
		stack   []frame
		pending bool // the value that comes next belongs to a secret key
		spans   []span
	)
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return spans, nil
		}
		if err != nil {
			return nil, err
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				inherit := pending || (top != nil && top.maskAll)
				stack = append(stack, frame{object: t == '{', expectKey: t == '{', maskAll: inherit})
				pending = false
				continue
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].expectKey = true
			}
			continue
		case string:
			if top != nil && top.object && top.expectKey {
				pending = secretKeys[strings.ToLower(t)]
				top.expectKey = false
				continue
			}
		}
		if tok != nil && (pending || (top != nil && top.maskAll)) {
			spans = append(spans, span{start: literalStart(doc, int(before)), end: int(dec.InputOffset())})
		}
		pending = false
		if top != nil && top.object {
			top.expectKey = true
		}
	}
}

// literalStart skips the whitespace and separators between the end of the
// previous token and the start of the next literal.
func literalStart(doc []byte, i int) int {
	for i < len(doc) && strings.IndexByte(" \t\r\n:,", doc[i]) >= 0 {
		i++
	}
	return i
}

// maskedLiteral turns a JSON scalar literal into a JSON string holding its
// masked value.
func maskedLiteral(lit []byte) []byte {
	v := string(lit)
	var s string
	if json.Unmarshal(lit, &s) == nil {
		v = s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(maskValue(v)); err != nil {
		return []byte(`"••••"`)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
