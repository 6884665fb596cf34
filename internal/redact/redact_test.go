package redact

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Real shapes, as Plaid and the emulator form them.
const (
	access    = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031f3f2a"
	public    = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce91bc"
	link      = "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176"
	processor = "processor-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
	secret    = "0123456789abcdef0123456789abcd" // 30 hex characters, as Plaid's
	longValue = "f0e1d2c3b4a5968778695a4b3c2da1b2"
)

func TestValue(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{access, "access-sandbox-…3f2a"},
		{public, "public-sandbox-…91bc"},
		{link, "link-sandbox-…8176"},
		{processor, "processor-sandbox-…993d"},
		{"access-production-de3ce8ef-33f8-452c-a685-8671031f3f2a", "access-production-…3f2a"},
		{"user-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d", "user-sandbox-…993d"},
		{"payment-token-sandbox-c6a26505-42b4-46fe-8ecf-bf9edcafbebb", "payment-token-sandbox-…bebb"},
		{"assets-sandbox-6f12f5bb-22dd-4855-b918-f47ec439198a", "assets-sandbox-…198a"},
		{"a-sandbox-3TAU2CWVYBDVRHUCAAAI27ULU4", "a-sandbox-…ULU4"},
		{longValue, "••••…a1b2"},
		{secret, "••••…abcd"},
		{"abcdefghijkl", "••••…ijkl"}, // 12 runes: the shortest that shows 4
		{"elevenchars", Hidden},
		{"short", Hidden},
		{"access-sandbox-abc", "access-sandbox-…"},
		{"access-production-ab", "access-production-…"},
		{"ünïcödé-secret-välüe", "••••…älüe"},
		{"ééééééééééé", Hidden}, // 11 runes, 22 bytes: runes count, not bytes
		{"12345678901234", "••••…1234"},
		// Masked values mask to themselves.
		{"access-sandbox-…3f2a", "access-sandbox-…3f2a"},
		{"access-sandbox-…", "access-sandbox-…"},
		{"••••…abcd", "••••…abcd"},
		{Hidden, Hidden},
		{"…cdef", "…cdef"},
	} {
		if got := Value(tt.in); got != tt.want {
			t.Errorf("Value(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValueNeverShowsMoreThanFourSecretChars(t *testing.T) {
	for _, s := range []string{"0123456789abcdefghijklmnopqrstuv", access, "access-sandbox-0123456789abcdefghijk"} {
		got := Value(s)
		rest := s[len(tokenPrefix(s)):]
		for i := 0; i+5 <= len(rest); i++ {
			if strings.Contains(got, rest[i:i+5]) {
				t.Fatalf("Value(%q) = %q shows 5 consecutive characters %q", s, got, rest[i:i+5])
			}
		}
	}
}

func TestClientID(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"5f2a8c1b9d3e4f6a7b8c9d0e", "5f2a…9d0e"},
		{"abc", Hidden},
	} {
		if got := ClientID(tt.in); got != tt.want {
			t.Errorf("ClientID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsSecretKey(t *testing.T) {
	secret := []string{
		"secret", "Secret", "SECRETS", "PLAID-SECRET", "Plaid-Secret", "PLAID_SECRET", "client_secret", "production_secret",
		"access_token", "ACCESS_TOKENS", "new_access_token", "target_access_token", "transactions_access_tokens",
		"public_token", "public_tokens", "processor_token", "user_token", "payment_token", "asset_report_token",
		"report_tokens", "audit_copy_token", "audit_copy_tokens", "relay_token", "payment_profile_token",
		"bank_account_token", "stripe_bank_account_token", "deposit_switch_token", "auth_token", "employment_report_token",
	}
	for _, k := range secret {
		if !IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"link_token", "Link_Tokens", "token", "secret_santa", "client_id", "request_id", "tokens_used", "item_id", "expiration", ""} {
		if IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = true", k)
		}
	}
}

func TestJSON(t *testing.T) {
	const uuid = "11111111-2222-4333-8444-555555555555"
	for _, tt := range []struct{ name, in, want string }{
		{
			"request with secret and access_token keeps key order and formatting",
			`{"client_id":"abc","secret":"` + longValue + `", "access_token" : "` + access + `"}`,
			`{"client_id":"abc","secret":"••••…a1b2", "access_token" : "access-sandbox-…3f2a"}`,
		},
		{
			"indented",
			"{\n  \"b\": 1,\n  \"access_token\" : \"" + access + "\"\n}",
			"{\n  \"b\": 1,\n  \"access_token\" : \"access-sandbox-…3f2a\"\n}",
		},
		{
			"exchange response",
			`{"access_token":"` + access + `","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"Aim3b"}`,
			`{"access_token":"access-sandbox-…3f2a","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"Aim3b"}`,
		},
		{
			"nested and in arrays",
			`{"a":[{"public_token":"` + public + `"},{"new_access_token":"` + access + `"}],"access_tokens":["` + access + `", null]}`,
			`{"a":[{"public_token":"public-sandbox-…91bc"},{"new_access_token":"access-sandbox-…3f2a"}],"access_tokens":["access-sandbox-…3f2a", null]}`,
		},
		{
			"header-style keys, any case",
			`{"headers":{"PLAID-SECRET":"` + longValue + `","Secret":"` + longValue + `"}}`,
			`{"headers":{"PLAID-SECRET":"••••…a1b2","Secret":"••••…a1b2"}}`,
		},
		{
			"other token-bearing fields of the API",
			`{"processor_token":"` + processor + `","user_token":"u-0123456789abcdef","audit_copy_token":"a-sandbox-3TAU2CWVYBDVRHUCAAAI27ULU4","asset_report_token":"assets-sandbox-6f12f5bb-22dd-4855-b918-f47ec439198a"}`,
			`{"processor_token":"processor-sandbox-…993d","user_token":"••••…cdef","audit_copy_token":"a-sandbox-…ULU4","asset_report_token":"assets-sandbox-…198a"}`,
		},
		{
			"every value inside an object or array under a secret key, null kept",
			`{"secret":{"a":["abcdefghijkl"]},"name":"secret","public_tokens":["abcdefghijkl",{"k":"mnopqrstuvwx"}],"after":"ok","access_token":null}`,
			`{"secret":{"a":["••••…ijkl"]},"name":"secret","public_tokens":["••••…ijkl",{"k":"••••…uvwx"}],"after":"ok","access_token":null}`,
		},
		{
			"numbers and booleans under a secret key",
			`[{"public_token":null},{"PUBLIC_TOKEN":12345678901234},{"secret":true}]`,
			`[{"public_token":null},{"PUBLIC_TOKEN":"••••…1234"},{"secret":"••••"}]`,
		},
		{
			"a short secret is hidden whole",
			`{"secret":"short"}`,
			`{"secret":"••••"}`,
		},
		{
			"a token under another key, whole or inside text",
			`{"note":"` + access + `","msg":"use ` + public + ` here","k":"my_` + access + `"}`,
			`{"note":"access-sandbox-…3f2a","msg":"use public-sandbox-…91bc here","k":"my_access-sandbox-…3f2a"}`,
		},
		{
			"a secret under another key and in a URL inside a string",
			`{"x":"` + secret + `","url":"http://127.0.0.1/cb?public_token=` + public + `&state=1&secret=abcdefghijklmn"}`,
			`{"x":"••••…abcd","url":"http://127.0.0.1/cb?public_token=public-sandbox-…91bc&state=1&secret=••••…klmn"}`,
		},
		{
			"link_token is kept whole",
			`{"link_token":"` + link + `","expiration":"2024-01-01T00:00:00Z","x":["link-sandbox-` + uuid + `"]}`,
			`{"link_token":"` + link + `","expiration":"2024-01-01T00:00:00Z","x":["link-sandbox-` + uuid + `"]}`,
		},
		{
			"escaped characters in other strings are kept byte for byte",
			`{"msg":"a \"quoted\" \u00e9 \\ value <&>","secret":"x\"yz-long-enough-secret"}`,
			`{"msg":"a \"quoted\" \u00e9 \\ value <&>","secret":"••••…cret"}`,
		},
		{
			"an escaped key",
			`{"secr\u0065t":"abcdefghijkl"}`,
			`{"secr\u0065t":"••••…ijkl"}`,
		},
		{
			"JSON inside a string is masked too",
			`{"k":"a\"secret\": \"x"}`,
			`{"k":"a\"secret\": \"••••"}`,
		},
		{
			"secret_santa is not a secret",
			`{"secret_santa":"visible-value-123"}`,
			`{"secret_santa":"visible-value-123"}`,
		},
		{"not JSON without secrets", `hello world`, `hello world`},
		{"empty", ``, ``},
		{"a JSON string", `"<&>"`, `"<&>"`},
		{
			"truncated JSON is masked by pattern",
			`{"client_id":"abc","secret":"` + longValue + `","access_token":"access-sandbox-de3ce8ef-33f8`,
			`{"client_id":"abc","secret":"••••…a1b2","access_token":"access-sandbox-…33f8`,
		},
		{"truncated in a secret", `{"secret": "0123456789abcdef`, `{"secret": "••••…cdef`},
		{"broken after a secret", `{"secret":"0123456789abcdef", broken`, `{"secret":"••••…cdef", broken`},
		{"broken, escaped quote", `{"secret": "abc\"defghijkl", "x":1`, `{"secret": "••••…ijkl", "x":1`},
		{"broken, a number", `{"secret":12345678901234,"a":1`, `{"secret":"••••…1234","a":1`},
		{"a form body", `client_id=a&secret=` + secret + `&x=1`, `client_id=a&secret=••••…abcd&x=1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := string(JSON([]byte(tt.in)))
			if got != tt.want {
				t.Errorf("JSON(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if json.Valid([]byte(tt.in)) && !json.Valid([]byte(got)) {
				t.Errorf("masking broke valid JSON: %s", got)
			}
			if again := string(JSON([]byte(got))); again != got {
				t.Errorf("masking again changed %s into %s", got, again)
			}
		})
	}
}

func TestJSONUnchangedReturnsSameSlice(t *testing.T) {
	for _, in := range [][]byte{
		[]byte(`{"request_id":"abc","accounts":[1,2,3]}`),
		[]byte(`{"link_token":"` + link + `","secret":null}`),
		[]byte(`{"secret":"••••…abcd"}`),
	} {
		if out := JSON(in); &out[0] != &in[0] {
			t.Errorf("JSON copied %s, which has nothing to mask", in)
		}
	}
}

func TestText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"nothing to see", "nothing to see"},
		{"exchanged " + public + " for " + access, "exchanged public-sandbox-…91bc for access-sandbox-…3f2a"},
		{"POST /item/get?access_token=" + access + "&x=1", "POST /item/get?access_token=access-sandbox-…3f2a&x=1"},
		{"https://h/cb?public_token=abcdefghijklmnop#x", "https://h/cb?public_token=••••…mnop#x"},
		{"PLAID_SECRET=" + secret + "\nPLAID_CLIENT_ID=5f2a8c1b9d3e4f6a7b8c9d0e", "PLAID_SECRET=••••…abcd\nPLAID_CLIENT_ID=5f2a8c1b9d3e4f6a7b8c9d0e"},
		{"PLAID-SECRET: linkexplorer-emulated-secret\r\nPLAID-CLIENT-ID: x", "PLAID-SECRET: ••••…cret\r\nPLAID-CLIENT-ID: x"},
		{"map[Plaid-Secret:[linkexplorer-emulated-secret] Accept:[*/*]]", "map[Plaid-Secret:[••••…cret] Accept:[*/*]]"},
		{"the secret is " + secret + ".", "the secret is ••••…abcd."},
		{`error: {"secret":"abcdefghijklmnop"} refused`, `error: {"secret":"••••…mnop"} refused`},
		{"link_token=" + link, "link_token=" + link},
		{"link " + link + " opened", "link " + link + " opened"},
		{"request_id Aim3bXsGaRzH1Kx at 12:30:45", "request_id Aim3bXsGaRzH1Kx at 12:30:45"},
	} {
		got := Text(tt.in)
		if got != tt.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if again := Text(got); again != got {
			t.Errorf("masking again changed %q into %q", got, again)
		}
	}
}

func TestHeader(t *testing.T) {
	h := http.Header{
		"Plaid-Secret":    {"linkexplorer-emulated-secret"},
		"Plaid-Client-Id": {"linkexplorer-emulated-client"},
		"Referer":         {"http://127.0.0.1/cb?public_token=" + public},
	}
	got := Header(h)
	if v := got.Get("Plaid-Secret"); v != "••••…cret" {
		t.Errorf("PLAID-SECRET = %q", v)
	}
	if v := got.Get("Plaid-Client-Id"); v != "linkexplorer-emulated-client" {
		t.Errorf("PLAID-CLIENT-ID = %q", v)
	}
	if v := got.Get("Referer"); v != "http://127.0.0.1/cb?public_token=public-sandbox-…91bc" {
		t.Errorf("Referer = %q", v)
	}
	if h.Get("Plaid-Secret") != "linkexplorer-emulated-secret" {
		t.Error("Header changed its argument")
	}
}

func TestTextLeavesProse(t *testing.T) {
	for _, s := range []string{
		"quickstart: step exchange-public-token: no public_token yet: the Link step has not succeeded; run it first",
		"Secrets, access_tokens and public_tokens are always masked.",
		"client id 5f2a…9d0e and its secret accepted by Plaid Sandbox (request_id Aim3b)",
	} {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q", s, got)
		}
	}
}
