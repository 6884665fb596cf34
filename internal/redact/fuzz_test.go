package redact

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// seeds are inputs of the real shapes: Plaid's tokens and secrets in
// request and response bodies, webhooks, URLs, headers and .env lines.
var seeds = []string{
	`{"client_id":"5f2a8c1b9d3e4f6a7b8c9d0e","secret":"` + secret + `","access_token":"` + access + `"}`,
	`{"access_token":"` + access + `","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"Aim3b"}`,
	`{"public_token":"` + public + `","request_id":"Aim3b"}`,
	`{"expiration":"2026-01-02T19:04:05Z","link_token":"` + link + `","request_id":"ReqTokenCreate1"}`,
	`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","public_tokens":["` + public + `"],"environment":"sandbox"}`,
	`{"processor_token":"` + processor + `","user_token":"user-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"}`,
	`{"secrets":{"sandbox":"b60b5201d006ca5a7081d27c824d77","development":"95e56a510204f293d3bebd4b9cf5c7"}}`,
	`{"audit_copy_token":"a-sandbox-3TAU2CWVYBDVRHUCAAAI27ULU4","asset_report_token":"assets-sandbox-6f12f5bb-22dd-4855-b918-f47ec439198a"}`,
	`{"a":[1,"x",{"Access_Tokens":["` + access + `",null,12345678901234,true]}],"secr\u0065t":"abcdefghijklmnop"}`,
	`{"secret": "unterminated-but-long-enough`,
	`{"access_token":"access-sandbox-de3ce8ef-33f8`,
	"http://127.0.0.1:7878/cb?public_token=" + public + "&state=x&secret=" + secret,
	"PLAID-SECRET: " + secret + "\r\nPLAID-CLIENT-ID: 5f2a8c1b9d3e4f6a7b8c9d0e\r\n",
	"PLAID_CLIENT_ID=5f2a8c1b9d3e4f6a7b8c9d0e\nPLAID_SECRET=" + secret + "\n",
	"exchange failed for " + public + " (request_id Aim3b): INVALID_PUBLIC_TOKEN",
	`"` + access + `"`,
	`["` + secret + `"]`,
}

// FuzzJSON: JSON never panics, keeps valid JSON valid, is idempotent, and
// leaves no token or secret shape and no unmasked secret-key value.
func FuzzJSON(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := JSON(in)
		if again := JSON(out); string(again) != string(out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		if !json.Valid(in) {
			checkText(t, string(in), string(out))
			return
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("valid input %q gave invalid output %q", in, out)
		}
		checkTree(t, v, false, out)
	})
}

// FuzzText: Text never panics, is idempotent and leaves no token or secret
// shape; the other functions never panic on the same input.
func FuzzText(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		if again := Text(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		checkText(t, in, out)

		v := Value(in)
		if Value(v) != v {
			t.Fatalf("Value is not idempotent: %q -> %q -> %q", in, v, Value(v))
		}
		checkValue(t, in, v)
		_ = ClientID(in)
		h := Header(http.Header{"Plaid-Secret": {in}, "X-Note": {in}})
		checkValue(t, in, h.Get("Plaid-Secret"))
		checkText(t, in, h.Get("X-Note"))
		IsSecretKey(in)
	})
}

// checkText fails if out holds a token or secret shape.
func checkText(t *testing.T, in, out string) {
	t.Helper()
	if m := tokenShape.FindString(out); m != "" {
		t.Fatalf("token %q survives: %q -> %q", m, in, out)
	}
	if m := secretShape.FindString(out); m != "" {
		t.Fatalf("secret %q survives: %q -> %q", m, in, out)
	}
}

// checkValue fails if masked shows more of in than its prefix and last 4.
func checkValue(t *testing.T, in, masked string) {
	t.Helper()
	if in != "" && masked == in && !IsMasked(in) {
		t.Fatalf("Value(%q) left it whole", in)
	}
	if !IsMasked(masked) && masked != "" {
		t.Fatalf("Value(%q) = %q, which is not a masked form", in, masked)
	}
}

// checkTree walks a decoded output: every value under a secret key is
// masked (or null), and no string or key holds a token or secret shape.
func checkTree(t *testing.T, v any, sensitive bool, out []byte) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			checkText(t, k, k)
			checkTree(t, vv, sensitive || IsSecretKey(k), out)
		}
	case []any:
		for _, vv := range x {
			checkTree(t, vv, sensitive, out)
		}
	case string:
		if sensitive && x != "" && !IsMasked(x) {
			t.Fatalf("secret value %q is not masked in %s", x, out)
		}
		checkText(t, x, x)
	case nil:
	default: // numbers and booleans
		if sensitive {
			t.Fatalf("secret value %v is not masked in %s", x, out)
		}
	}
}

// planted is a secret put into a generated input, and the part of it that
// must never appear in any output: all but its prefix and last 4.
type planted struct{ value, core string }

// TestNoSecretSurvives is the property: generated documents, texts, URLs
// and headers with secrets planted at random depths, under random secret
// keys (any case, singular or plural) and in token and secret shapes under
// any key, never show a planted secret's core through any function.
func TestNoSecretSurvives(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 2026))
	for i := range 2000 {
		g := gen{r: r}
		doc := g.value(0)
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if r.IntN(2) == 0 {
			body, _ = json.MarshalIndent(doc, "", "  ")
		}
		out := JSON(body)
		g.check(t, fmt.Sprintf("JSON #%d", i), string(body), string(out))
		if !json.Valid(out) {
			t.Fatalf("JSON #%d: invalid output %s", i, out)
		}
		// The same body cut short is no longer JSON: it is masked as text.
		cut := body[:len(body)*(1+r.IntN(3))/4]
		g.check(t, fmt.Sprintf("truncated JSON #%d", i), string(cut), string(JSON(cut)))

		text := g.text()
		g.check(t, fmt.Sprintf("Text #%d", i), text, Text(text))

		h := http.Header{}
		h.Set("PLAID-SECRET", g.secret())
		h.Set("Referer", g.text())
		masked := Header(h)
		g.check(t, fmt.Sprintf("Header #%d", i), fmt.Sprint(h), fmt.Sprint(masked))

		s := g.secret()
		g.check(t, fmt.Sprintf("Value #%d", i), s, Value(s))
	}
}

type gen struct {
	r       *rand.Rand
	planted []planted
}

var secretKeyNames = []string{
	"secret", "access_token", "public_token", "processor_token", "new_access_token", "user_token",
	"payment_token", "asset_report_token", "audit_copy_token", "relay_token", "PLAID-SECRET", "client_secret",
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *gen) rand(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *gen) uuid() string {
	h := "0123456789abcdef"
	return g.rand(8, h) + "-" + g.rand(4, h) + "-4" + g.rand(3, h) + "-8" + g.rand(3, h) + "-" + g.rand(12, h)
}

// shaped returns a token or secret recognisable by its shape alone.
func (g *gen) shaped() string {
	kinds := []string{"access", "public", "processor", "user", "payment-token", "assets", "credit-relay"}
	envs := []string{"sandbox", "development", "production"}
	var v, prefix string
	switch g.r.IntN(3) {
	case 0:
		v = g.rand(30, "0123456789abcdef")
	default:
		prefix = kinds[g.r.IntN(len(kinds))] + "-" + envs[g.r.IntN(len(envs))] + "-"
		v = prefix + g.uuid()
	}
	g.plant(v, prefix)
	return v
}

// secret returns any secret: a shaped one, or free-form of 12-40 runes
// (some not ASCII), recognisable only by the key that holds it.
func (g *gen) secret() string {
	if g.r.IntN(2) == 0 {
		return g.shaped()
	}
	v := g.rand(12+g.r.IntN(28), alnum)
	if g.r.IntN(4) == 0 {
		v = "é" + v + "ü"
	}
	g.plant(v, "")
	return v
}

func (g *gen) plant(v, prefix string) {
	rest := []rune(v[len(prefix):])
	g.planted = append(g.planted, planted{value: v, core: string(rest[:len(rest)-4])})
}

func (g *gen) key() string {
	k := secretKeyNames[g.r.IntN(len(secretKeyNames))]
	if g.r.IntN(3) == 0 {
		k = strings.ToUpper(k)
	}
	if g.r.IntN(3) == 0 && !strings.HasSuffix(k, "S") && !strings.HasSuffix(k, "s") {
		k += "s"
	}
	return k
}

func (g *gen) plain() string {
	return []string{"item_id", "request_id", "accounts", "name", "link_token", "webhook", "error", "metadata"}[g.r.IntN(8)]
}

// value generates a JSON value holding secrets.
func (g *gen) value(depth int) any {
	switch n := g.r.IntN(6); {
	case depth < 4 && n < 2:
		m := map[string]any{}
		for range 1 + g.r.IntN(4) {
			if g.r.IntN(2) == 0 {
				if g.r.IntN(4) == 0 {
					m[g.key()] = g.value(depth + 1) // an object or array under a secret key
				} else {
					m[g.key()] = g.secret()
				}
			} else {
				m[g.plain()] = g.value(depth + 1)
			}
		}
		return m
	case depth < 4 && n < 3:
		a := make([]any, 1+g.r.IntN(3))
		for i := range a {
			a[i] = g.value(depth + 1)
		}
		return a
	case n < 4:
		return "see " + g.shaped() + " and " + g.url()
	default:
		return g.r.IntN(1000)
	}
}

func (g *gen) url() string {
	return "http://127.0.0.1:7878/cb?state=1&" + g.key() + "=" + g.secret() + "&x=" + g.shaped()
}

// text generates free text with secrets in the forms free text holds them.
func (g *gen) text() string {
	forms := []func() string{
		func() string { return "token " + g.shaped() + " expired" },
		g.url,
		func() string { return "PLAID-SECRET: " + g.secret() },
		func() string { return "PLAID_SECRET=" + g.secret() },
		func() string { return `{"` + g.key() + `": "` + g.secret() + `", "x":` },
		func() string { return `{"` + g.key() + `":"` + g.secret() },
	}
	var parts []string
	for range 1 + g.r.IntN(3) {
		parts = append(parts, forms[g.r.IntN(len(forms))]())
	}
	return strings.Join(parts, "\n")
}

// check fails if out holds the core of a secret planted in in.
func (g *gen) check(t *testing.T, what, in, out string) {
	t.Helper()
	for _, p := range g.planted {
		if strings.Contains(in, p.value) && strings.Contains(out, p.core) {
			t.Fatalf("%s: %q survives\n in: %s\nout: %s", what, p.value, in, out)
		}
	}
}

// FuzzShapePrechecks: Text runs tokenShape only where holdsSecretToken
// says it matches, and secretShape only where a 30-digit hex run is: both
// checks must be true wherever their pattern matches, or a token would
// be left unmasked. holdsSecretToken is exact.
func FuzzShapePrechecks(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	for _, s := range []string{
		"link-sandbox-8a7b6c5d-1234-4f00-9abc-0123456789ab", "access-sandbox-x", "xaccess-sandbox-1",
		"data-sandbox-1", "a-sandbox-", "a-sandbox--", "public-production-Z", "payment-token-development-9",
		"link-sandbox-1 and public-sandbox-2", "-sandbox-1", "sandbox-1", "access-sandbox", "user-Sandbox-1",
		"deposit-switch-sandbox-ab", "credit-relay-production-a", "assets-sandbox-1", "processor-sandbox-1",
		"0123456789abcdef0123456789abcd", "0123456789abcdef0123456789abc", "g0123456789abcdef0123456789abcdg",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := holdsSecretToken(s), tokenShape.MatchString(s); got != want {
			t.Fatalf("holdsSecretToken(%q) = %v, tokenShape matches: %v", s, got, want)
		}
		if secretShape.MatchString(s) && !hexRun(s, 30) {
			t.Fatalf("secretShape matches %q but hexRun(30) is false", s)
		}
	})
}
