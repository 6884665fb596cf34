package flows

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// secretKeys are the JSON keys whose values are always masked, compared
// case-insensitively. access_tokens covers the array form some endpoints take.
var secretKeys = map[string]bool{
	"secret":           true,
	"access_token":     true,
	"access_tokens":    true,
	"new_access_token": true,
	"public_token":     true,
	"plaid-secret":     true,
}

// tokenPrefix matches Plaid token prefixes: access-sandbox-, public-sandbox-,
// link-sandbox-, processor-sandbox- and their other-environment forms.
var tokenPrefix = regexp.MustCompile(`^(access|public|link|processor)-(sandbox|development|production)-`)

// jsonString encodes s as a JSON string without HTML escaping.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// secretTokenValue matches a full access or public token found under any key,
// so a token is masked even where no known key names it.
var secretTokenValue = regexp.MustCompile(`^(access|public)-(sandbox|development|production)-[0-9A-Za-z-]{8,}$`)

// minMaskedLen is the shortest secret part of which the last 4 characters
// may be shown; anything shorter is hidden entirely.
const minMaskedLen = 12

// MaskSecret masks a secret or token for display: Plaid tokens keep their
// prefix and last 4 characters (access-sandbox-…3f2a), anything else becomes
// ••••…a1b2. Short values are hidden entirely, so no more than 4 characters
// of a secret are ever shown. The empty string stays empty.
func MaskSecret(s string) string {
	if s == "" {
		return ""
	}
	prefix := tokenPrefix.FindString(s)
	rest := []rune(s[len(prefix):])
	if len(rest) < minMaskedLen {
		if prefix != "" {
			return prefix + "…"
		}
		return "••••"
	}
	if prefix == "" {
		prefix = "••••"
	}
	return prefix + "…" + string(rest[len(rest)-4:])
}

// MaskClientID shortens a client_id for banners: the first and last 4
// characters (abcd…wxyz). Short ids are hidden entirely.
func MaskClientID(id string) string {
	if id == "" {
		return ""
	}
	r := []rune(id)
	if len(r) < minMaskedLen {
		return "••••"
	}
	return string(r[:4]) + "…" + string(r[len(r)-4:])
}

// MaskJSON masks, anywhere in a JSON document, the string values of the keys
// secret, access_token(s), new_access_token, public_token and PLAID-SECRET,
// and any string that is a full access or public token. Everything else,
// key order and formatting included, is kept byte for byte. Input with
// nothing to mask is returned unchanged. Input that is not valid JSON gets a
// best-effort pass over "key": "value" pairs of those keys.
func MaskJSON(body []byte) []byte {
	if !json.Valid(body) {
		return maskLoose(body)
	}
	m := jsonMasker{in: body}
	m.value(false)
	if m.out == nil {
		return body
	}
	m.out = append(m.out, body[m.copied:]...)
	return m.out
}

// looseSecret finds "key": "value" pairs of secret keys in text that is not
// valid JSON (a truncated body, for instance); an unterminated value is
// masked to the end of the text.
var looseSecret = regexp.MustCompile(`(?i)("(?:secret|access_tokens?|new_access_token|public_token|plaid-secret)"\s*:\s*)"((?:[^"\\]|\\.)*\\?)("|$)`)

func maskLoose(body []byte) []byte {
	if !looseSecret.Match(body) {
		return body
	}
	return looseSecret.ReplaceAllFunc(body, func(match []byte) []byte {
		sub := looseSecret.FindSubmatch(match)
		return append(append([]byte{}, sub[1]...), jsonString(MaskSecret(string(sub[2])))...)
	})
}

// jsonMasker walks a valid JSON document and rewrites the spans of string
// values that must be masked.
type jsonMasker struct {
	in     []byte
	pos    int
	out    []byte // nil until the first replacement
	copied int    // in[:copied] has been handled (copied to out or replaced)
}

func (m *jsonMasker) skipSpace() {
	for m.pos < len(m.in) && strings.IndexByte(" \t\r\n", m.in[m.pos]) >= 0 {
		m.pos++
	}
}

// value walks one value; sensitive means the key above it is a secret key.
func (m *jsonMasker) value(sensitive bool) {
	m.skipSpace()
	if m.pos >= len(m.in) {
		return
	}
	switch m.in[m.pos] {
	case '{':
		m.object()
	case '[':
		m.array(sensitive)
	case '"':
		start := m.pos
		raw := m.str()
		if sensitive || bytes.HasPrefix(raw, []byte("access-")) || bytes.HasPrefix(raw, []byte("public-")) {
			if s := decodeString(m.in[start:m.pos]); sensitive || secretTokenValue.MatchString(s) {
				m.replace(start, m.pos, MaskSecret(s))
			}
		}
	default: // number, true, false, null
		for m.pos < len(m.in) && strings.IndexByte(",]} \t\r\n", m.in[m.pos]) < 0 {
			m.pos++
		}
	}
}

func (m *jsonMasker) object() {
	m.pos++ // {
	for {
		m.skipSpace()
		switch m.in[m.pos] {
		case '}':
			m.pos++
			return
		case ',':
			m.pos++
			m.skipSpace()
		}
		start := m.pos
		key := m.str()
		secret := isSecretKey(key, m.in[start:m.pos])
		m.skipSpace()
		m.pos++ // :
		m.value(secret)
	}
}

func (m *jsonMasker) array(sensitive bool) {
	m.pos++ // [
	for {
		m.skipSpace()
		switch m.in[m.pos] {
		case ']':
			m.pos++
			return
		case ',':
			m.pos++
		}
		m.value(sensitive)
	}
}

// str skips the string at m.pos and returns its raw content, without the
// quotes and with any escapes left as they are.
func (m *jsonMasker) str() []byte {
	start := m.pos + 1
	m.pos++ // opening quote
	for m.in[m.pos] != '"' {
		if m.in[m.pos] == '\\' {
			m.pos++
		}
		m.pos++
	}
	m.pos++ // closing quote
	return m.in[start : m.pos-1]
}

// decodeString decodes a quoted JSON string taken from a valid document.
func decodeString(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1])
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // valid: the document passed json.Valid
	return s
}

// isSecretKey reports whether an object key (raw content; quoted is the
// same key with its quotes, for the escaped case) is a secret key, without
// allocating for the usual short, unescaped keys.
func isSecretKey(raw, quoted []byte) bool {
	var buf [len("new_access_token")]byte
	if len(raw) > len(buf) || bytes.IndexByte(raw, '\\') >= 0 {
		return secretKeys[strings.ToLower(decodeString(quoted))]
	}
	for i, c := range raw {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return secretKeys[string(buf[:len(raw)])]
}

func (m *jsonMasker) replace(start, end int, masked string) {
	enc := jsonString(masked)
	if m.out == nil {
		m.out = make([]byte, 0, len(m.in))
	}
	m.out = append(m.out, m.in[m.copied:start]...)
	m.out = append(m.out, enc...)
	m.copied = end
}
