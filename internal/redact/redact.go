// Package redact is linkexplorer's one masking implementation: the flow
// engine, the session log, the emulator and the emulated Link all mask
// secrets and tokens with it, so one rule decides what is hidden and how
// much of it is shown.
//
// # What is masked
//
// A key is secret (IsSecretKey), compared case-insensitively and in the
// singular or plural, when it is secret, ends in _secret or -secret
// (client_secret, production_secret, the PLAID-SECRET header), or ends in
// _token or -token (access_token, new_access_token, public_token,
// processor_token, user_token, payment_token, asset_report_token,
// audit_copy_token, relay_token, deposit_switch_token, ...) and is not a
// link_token.
//
// A link_token is the one token deliberately left whole in bodies and
// free text: Plaid hands it to the browser by design, it expires within
// hours, and tools need it whole to find the request that created it and
// to drive the emulated Link (the emulator's control API takes it for
// autopilot and expiry, and the migration audit matches an app's token to
// the emulator's record of /link/token/create). Value still masks one when
// a caller shows it on purpose (link-sandbox-…8176).
//
// Token-shaped strings are masked wherever they appear, under any key and
// inside free text: access-, public-, processor-, user-, payment-token-,
// payment-profile-, assets-, a-, credit-relay- and deposit-switch- tokens
// of any environment, and 30-character lowercase hex strings, the shape of
// a Plaid secret.
//
// # How much is shown
//
// Value keeps a token's type and environment prefix (access-sandbox-) and,
// when at least 12 characters (runes, not bytes) follow it, their last 4:
// access-sandbox-…3f2a. Other values become ••••…a1b2, or •••• when shorter
// than 12. No more than 4 characters of a secret are ever shown, and
// masking is idempotent: a masked value masks to itself, so the session log
// can mask again on the way out.
//
// # Where
//
// JSON masks a body (the values of secret keys at any depth, arrays and
// objects under them included, and token shapes in every string), keeping
// everything else byte for byte. Text masks free text: "key": "value" pairs,
// key=value pairs of query strings, form bodies and .env lines, "Secret:
// value" header lines, and token shapes. Header masks an http.Header.
package redact

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Hidden is what a value too short to spare any characters becomes.
const Hidden = "••••"

// Version is the version of the masking rules (what JSON, Text, Value and
// Header hide, and how). The store records with each entry the version it
// was masked with, and masks again on export only entries of an older
// version: masking is idempotent, so an entry masked with the current rules
// would come out unchanged. Bump it whenever the rules change what they
// hide; TestVersionFingerprint fails, asking for the bump, when the masking
// of its sample changes.
const Version = 2

// ellipsis separates what is shown of a masked value from what is hidden.
const ellipsis = "…"

// minTailLen is the shortest secret part of which the last 4 characters
// may be shown; anything shorter is hidden entirely.
const minTailLen = 12

// tokenKinds are the first segments of Plaid's tokens, the link_token's
// included (Value masks it; free-text masking leaves it, see tokenShape).
const tokenKinds = `access|public|link|processor|user|payment-token|payment-profile|assets|a|credit-relay|deposit-switch`

// environments are the environment segments of Plaid's tokens.
const environments = `sandbox|development|production`

// kinds and envs are tokenKinds and environments as lists, for
// tokenPrefix.
var (
	kinds = strings.Split(tokenKinds, "|")
	envs  = strings.Split(environments, "|")
)

// tokenPrefix returns the part of a token Value shows in full, its kind
// and environment (access-sandbox-), or "" when s is no token.
func tokenPrefix(s string) string {
	for _, k := range kinds {
		rest, ok := strings.CutPrefix(s, k)
		if !ok || !strings.HasPrefix(rest, "-") {
			continue
		}
		for _, e := range envs {
			if strings.HasPrefix(rest[1:], e) && strings.HasPrefix(rest[1+len(e):], "-") {
				return s[:len(k)+len(e)+2]
			}
		}
	}
	return ""
}

var (
	// tokenShape finds the tokens that are secrets (every kind but link)
	// anywhere in text, whatever key (if any) holds them.
	tokenShape = regexp.MustCompile(`(?:access|public|processor|user|payment-token|payment-profile|assets|a|credit-relay|deposit-switch)-(?:` + environments + `)-[A-Za-z0-9][A-Za-z0-9-]*`)
	// secretShape finds a Plaid secret (30 lowercase hex characters) standing
	// alone in text.
	secretShape = regexp.MustCompile(`\b[0-9a-f]{30}\b`)
	// jsonPair finds "key": value pairs (a string, possibly unterminated
	// at the end of its line, or a number or boolean) in text that is not
	// valid JSON, such as a truncated body. IsSecretKey decides which keys
	// are secret.
	jsonPair = regexp.MustCompile(`(?m)"((?:[^"\\\n\r]|\\.)*)"(\s*:\s*)(?:("(?:[^"\\\n\r]|\\.)*\\?(?:"|$))|(-?[0-9][0-9.eE+-]*|true|false))`)
	// formPair finds key=value pairs of query strings, form bodies and
	// .env lines (PLAID_SECRET=...), also in a URL inside JSON text that
	// escapes & as \u0026, as Go's encoding/json does.
	formPair = regexp.MustCompile(`(?:\\u0026)?([A-Za-z0-9_.-]+)=([^&\s"'<>;,#=\\]+)`)
	// headerPair finds "Key: value" lines of headers and similar text
	// (PLAID-SECRET: ..., also inside Go's printing of an http.Header);
	// Text masks the value only when the key names a secret.
	headerPair = regexp.MustCompile(`([A-Za-z0-9_-]+)[ \t]*:[ \t]*\[?([^\s"',;&\[\]{}]+)`)
)

// IsSecretKey reports whether the value of a JSON key, form field or
// header named key is a secret: see the package documentation.
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	k = strings.TrimSuffix(k, "s")
	switch {
	case k == "secret", strings.HasSuffix(k, "_secret"), strings.HasSuffix(k, "-secret"):
		return true
	case strings.HasSuffix(k, "link_token"), strings.HasSuffix(k, "link-token"):
		return false
	case strings.HasSuffix(k, "_token"), strings.HasSuffix(k, "-token"):
		return true
	}
	return false
}

// Value masks one secret or token for display: a token keeps its type and
// environment prefix and, when long enough, its last 4 characters
// (access-sandbox-…3f2a, link-sandbox-…8176); anything else becomes
// ••••…a1b2, or •••• when short. The empty string stays empty, and a value
// already masked stays as it is.
func Value(s string) string {
	if s == "" || IsMasked(s) {
		return s
	}
	prefix := tokenPrefix(s)
	rest := s[len(prefix):]
	n := utf8.RuneCountInString(rest)
	switch {
	case n < minTailLen && prefix != "":
		return prefix + ellipsis
	case n < minTailLen:
		return Hidden
	case prefix == "":
		prefix = Hidden
	}
	return prefix + ellipsis + lastRunes(rest, 4)
}

// IsMasked reports whether s is already in a masked form: •••• alone, or
// a token prefix, •••• or nothing, then "…" and at most 4 characters.
func IsMasked(s string) bool {
	if s == Hidden {
		return true
	}
	if !strings.Contains(s, ellipsis) {
		return false
	}
	rest := s[len(tokenPrefix(s)):]
	rest = strings.TrimPrefix(rest, Hidden)
	tail, ok := strings.CutPrefix(rest, ellipsis)
	return ok && utf8.RuneCountInString(tail) <= 4 && !strings.Contains(tail, ellipsis)
}

// ClientID shortens a client_id (not a secret, but not for display in
// full either) for banners: its first and last 4 characters (abcd…wxyz).
// Short ids are hidden entirely; the empty string stays empty.
func ClientID(id string) string {
	if id == "" {
		return ""
	}
	r := []rune(id)
	if len(r) < minTailLen {
		return Hidden
	}
	return string(r[:4]) + ellipsis + string(r[len(r)-4:])
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	return string(r[len(r)-n:])
}

// Text masks secrets in free text: the values of secret keys in
// "key": "value" and key=value pairs, of secrets in "Key: value" pairs
// (PLAID-SECRET: ...), and every token- or secret-shaped string. Text
// with nothing to mask is returned unchanged.
func Text(s string) string {
	if mayNameSecret(s) {
		s = replacePairs(jsonPair, s, func(g []string) (string, string, bool) {
			key := decodeJSONString(g[1])
			if !IsSecretKey(key) {
				return "", "", false
			}
			if g[4] != "" { // a number or boolean
				return g[2], `"` + Value(g[4]) + `"`, true
			}
			content, closed := unquote(g[3])
			masked := `"` + escapeJSON(Value(decodeJSONString(content)))
			if closed {
				masked += `"`
			}
			return g[2], masked, true
		}, true)
		s = replacePairs(formPair, s, func(g []string) (string, string, bool) {
			return "=", Value(g[2]), IsSecretKey(g[1])
		}, false)
		s = replacePairs(headerPair, s, func(g []string) (string, string, bool) {
			// Only secrets: "step exchange-public-token: no public_token yet"
			// is prose, and tokens are found by their shape anyway.
			return "", Value(g[2]), IsSecretKey(g[1]) && containsFold(g[1], "secret")
		}, false)
	}
	// Each pattern runs only where it can match: most strings that reach
	// here hold a link_token (link-sandbox-…), which neither masks.
	if holdsSecretToken(s) {
		s = tokenShape.ReplaceAllStringFunc(s, Value)
	}
	if hexRun(s, 30) {
		s = secretShape.ReplaceAllStringFunc(s, Value)
	}
	return s
}

// secretKinds are tokenShape's kinds: tokenKinds without link; envSegments
// are the environments as they appear inside a token (-sandbox-).
var (
	secretKinds = slices.DeleteFunc(strings.Split(tokenKinds, "|"), func(k string) bool { return k == "link" })
	envSegments = []string{"-sandbox-", "-development-", "-production-"}
)

// holdsSecretToken reports whether tokenShape matches somewhere in s,
// without running it: an environment segment (-sandbox-) preceded by a
// secret token's kind and followed by a letter or digit.
func holdsSecretToken(s string) bool {
	for _, seg := range envSegments {
		for off := 0; ; {
			i := strings.Index(s[off:], seg)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if after := i + len(seg); after >= len(s) || !isAlnum(s[after]) {
				continue
			}
			for _, k := range secretKinds {
				if strings.HasSuffix(s[:i], k) {
					return true
				}
			}
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// hexRun reports whether s holds n lowercase hex digits in a row, which
// secretShape needs.
func hexRun[T string | []byte](s T, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; '0' <= c && c <= '9' || 'a' <= c && c <= 'f' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// unquote splits a JSON string literal found by jsonPair, which may lack
// its closing quote (a truncated body), into its raw content and whether
// it was closed.
func unquote(q string) (content string, closed bool) {
	content = q[1:]
	if !strings.HasSuffix(content, `"`) {
		return content, false
	}
	backslashes := 0
	for i := len(content) - 2; i >= 0 && content[i] == '\\'; i-- {
		backslashes++
	}
	if backslashes%2 == 1 { // an escaped quote: the literal runs to the end
		return content, false
	}
	return content[:len(content)-1], true
}

// replacePairs rewrites the value of each match of re whose key is secret.
// fn gets the submatches and returns the separator and the masked value
// (json: the whole match after the key is replaced by separator+value;
// otherwise only the value's submatch, group 2, is replaced).
func replacePairs(re *regexp.Regexp, s string, fn func(g []string) (sep, masked string, ok bool), json bool) string {
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		g := make([]string, len(m)/2)
		for i := range g {
			if m[2*i] >= 0 {
				g[i] = s[m[2*i]:m[2*i+1]]
			}
		}
		sep, masked, ok := fn(g)
		if !ok {
			continue
		}
		if json {
			// Keep "key", replace separator and value.
			b.WriteString(s[last:m[3]])
			b.WriteString(`"`)
			b.WriteString(sep)
			b.WriteString(masked)
		} else {
			if s[m[4]:m[5]] == masked {
				continue
			}
			b.WriteString(s[last:m[4]])
			b.WriteString(masked)
		}
		last = m[1]
		if !json {
			last = m[5]
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// Header returns a copy of h with the values of secret headers
// (PLAID-SECRET, anything IsSecretKey names) masked, and token shapes
// masked in the others.
func Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		masked := make([]string, len(vs))
		for i, v := range vs {
			if IsSecretKey(k) {
				masked[i] = Value(v)
			} else {
				masked[i] = Text(v)
			}
		}
		out[k] = masked
	}
	return out
}

// JSON masks a JSON body: the values of secret keys at any depth (strings,
// numbers and booleans, and every such value inside an array or object
// under a secret key; null stays null) and secrets in every other string
// (as Text does). Everything else, key order and formatting included, is
// kept byte for byte, and a body with nothing to mask is returned as is
// (the same slice). Input that is not valid JSON is masked as Text.
func JSON(body []byte) []byte {
	if !mayNeedMasking(body) {
		return body
	}
	if !json.Valid(body) {
		if out := Text(string(body)); out != string(body) {
			return []byte(out)
		}
		return body
	}
	w := walker{in: body}
	w.value(false)
	if w.out == nil {
		return body
	}
	return append(w.out, body[w.copied:]...)
}

// walker walks a valid JSON document and rewrites the spans of the values
// to mask. It allocates only when it masks something.
type walker struct {
	in     []byte
	pos    int
	out    []byte // nil until the first replacement
	copied int    // in[:copied] is handled (copied to out or replaced)
}

func (w *walker) skipSpace() {
	for w.pos < len(w.in) && isSpace(w.in[w.pos]) {
		w.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// value walks one value; sensitive means it belongs to a secret key.
func (w *walker) value(sensitive bool) {
	w.skipSpace()
	start := w.pos
	switch w.in[w.pos] {
	case '{':
		w.object(sensitive)
	case '[':
		w.array(sensitive)
	case '"':
		raw := w.str()
		switch {
		case sensitive:
			s := decodeQuoted(w.in[start:w.pos])
			if m := Value(s); m != s {
				w.replace(start, w.pos, m)
			}
		case mayNeedMasking(raw):
			s := decodeQuoted(w.in[start:w.pos])
			if m := Text(s); m != s {
				w.replace(start, w.pos, m)
			}
		}
	default: // number, true, false, null
		for w.pos < len(w.in) && !isSpace(w.in[w.pos]) && strings.IndexByte(",]}", w.in[w.pos]) < 0 {
			w.pos++
		}
		if lit := string(w.in[start:w.pos]); sensitive && lit != "null" {
			w.replace(start, w.pos, Value(lit))
		}
	}
}

func (w *walker) object(sensitive bool) {
	w.pos++ // {
	for {
		w.skipSpace()
		switch w.in[w.pos] {
		case '}':
			w.pos++
			return
		case ',':
			w.pos++
			w.skipSpace()
		}
		start := w.pos
		raw := w.str()
		secret := sensitive || isSecretRawKey(raw, w.in[start:w.pos])
		if mayNeedMasking(raw) && mayHoldShape(raw) { // a token as a key: mask it, keep the value's rule
			k := decodeQuoted(w.in[start:w.pos])
			if m := Text(k); m != k {
				w.replace(start, w.pos, m)
			}
		}
		w.skipSpace()
		w.pos++ // :
		w.value(secret)
	}
}

func (w *walker) array(sensitive bool) {
	w.pos++ // [
	for {
		w.skipSpace()
		switch w.in[w.pos] {
		case ']':
			w.pos++
			return
		case ',':
			w.pos++
		}
		w.value(sensitive)
	}
}

// str skips the string at w.pos and returns its raw content, without the
// quotes and with any escapes left as they are.
func (w *walker) str() []byte {
	w.pos++ // opening quote
	start := w.pos
	for w.in[w.pos] != '"' {
		if w.in[w.pos] == '\\' {
			w.pos++
		}
		w.pos++
	}
	w.pos++ // closing quote
	return w.in[start : w.pos-1]
}

func (w *walker) replace(start, end int, masked string) {
	if w.out == nil {
		w.out = make([]byte, 0, len(w.in))
	}
	w.out = append(w.out, w.in[w.copied:start]...)
	w.out = append(w.out, '"')
	w.out = append(w.out, escapeJSON(masked)...)
	w.out = append(w.out, '"')
	w.copied = end
}

// isSecretRawKey reports whether an object key (raw content; quoted is the
// key with its quotes, for the escaped case) is secret, without allocating
// for the usual unescaped keys that hold no "secret" or "token".
func isSecretRawKey(raw, quoted []byte) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		return IsSecretKey(decodeQuoted(quoted))
	}
	if !containsFold(raw, "secret") && !containsFold(raw, "token") {
		return false
	}
	return IsSecretKey(string(raw))
}

// decodeQuoted decodes a quoted JSON string taken from a valid document.
func decodeQuoted(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1])
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // valid: the document passed json.Valid
	return s
}

// decodeJSONString decodes the raw content of a JSON string found by a
// pattern; content that is not a valid JSON string is returned as it is.
func decodeJSONString(raw string) string {
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var s string
	if json.Unmarshal([]byte(`"`+raw+`"`), &s) != nil {
		return raw
	}
	return s
}

// escapeJSON returns the content of a JSON string holding s (without the
// quotes and without HTML escaping).
func escapeJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

// mayNameSecret is a quick test before the slower masking: whether text
// may hold a secret key, plainly or behind a JSON escape.
func mayNameSecret[T string | []byte](s T) bool {
	return containsFold(s, "secret") || containsFold(s, "token") || containsFold(s, `\u`)
}

// mayHoldShape is a quick test before the slower masking: whether text may
// hold a token or a secret by its shape.
func mayHoldShape[T string | []byte](s T) bool {
	for _, env := range envSegments {
		if containsFold(s, env) {
			return true
		}
	}
	return hexRun(s, 30)
}

// mayNeedMasking is mayNameSecret || mayHoldShape in one pass, for the
// bodies and strings JSON walks.
func mayNeedMasking[T string | []byte](s T) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'f' {
			if run++; run >= 30 {
				return true
			}
		} else {
			run = 0
		}
		switch c | 0x20 { // ASCII letters in lowercase
		case 's':
			if foldAt(s, i, "secret") {
				return true
			}
		case 't':
			if foldAt(s, i, "token") {
				return true
			}
		}
		switch c {
		case '\\':
			if i+1 < len(s) && s[i+1]|0x20 == 'u' {
				return true
			}
		case '-':
			if foldAt(s, i, "-sandbox-") || foldAt(s, i, "-development-") || foldAt(s, i, "-production-") {
				return true
			}
		}
	}
	return false
}

// foldAt reports whether s holds sub (lowercase ASCII) at i, ignoring
// ASCII case.
func foldAt[T string | []byte](s T, i int, sub string) bool {
	if len(s)-i < len(sub) {
		return false
	}
	for j := 0; j < len(sub); j++ {
		c := s[i+j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != sub[j] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains sub (lowercase ASCII),
// ignoring ASCII case, without allocating.
func containsFold[T string | []byte](s T, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}
