package flows

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMaskSecret(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6", "access-sandbox-…c0f6"},
		{"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce91bc", "public-sandbox-…91bc"},
		{"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176", "link-sandbox-…8176"},
		{"access-production-de3ce8ef-33f8-452c-a685-8671031f3f2a", "access-production-…3f2a"},
		{"f0e1d2c3b4a5968778695a4b3c2da1b2", "••••…a1b2"},
		{"short", "••••"},
		{"elevenchars", "••••"},
		{"access-sandbox-abc", "access-sandbox-…"},
		{"ünïcödé-secret-välüe", "••••…älüe"},
	}
	for _, tt := range tests {
		if got := MaskSecret(tt.in); got != tt.want {
			t.Errorf("MaskSecret(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskSecretNeverShowsMoreThanFourSecretChars(t *testing.T) {
	secret := "0123456789abcdefghijklmnopqrstuv"
	got := MaskSecret(secret)
	for i := 0; i+5 <= len(secret); i++ {
		if strings.Contains(got, secret[i:i+5]) {
			t.Fatalf("MaskSecret(%q) = %q shows 5 consecutive characters %q", secret, got, secret[i:i+5])
		}
	}
}

func TestMaskClientID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"5f2a8c1b9d3e4f6a7b8c9d0e", "5f2a…9d0e"},
		{"abc", "••••"},
	}
	for _, tt := range tests {
		if got := MaskClientID(tt.in); got != tt.want {
			t.Errorf("MaskClientID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	const (
		access = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031f3f2a"
		public = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce91bc"
		link   = "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176"
		secret = "f0e1d2c3b4a5968778695a4b3c2da1b2"
	)
	tests := []struct {
		name, in, want string
	}{
		{
			"request with secret and access_token keeps key order and formatting",
			`{"client_id":"abc","secret":"` + secret + `", "access_token" : "` + access + `"}`,
			`{"client_id":"abc","secret":"••••…a1b2", "access_token" : "access-sandbox-…3f2a"}`,
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
			"header-style key, any case",
			`{"headers":{"PLAID-SECRET":"` + secret + `","Secret":"` + secret + `"}}`,
			`{"headers":{"PLAID-SECRET":"••••…a1b2","Secret":"••••…a1b2"}}`,
		},
		{
			"a full token under another key is masked too",
			`{"note":"` + access + `"}`,
			`{"note":"access-sandbox-…3f2a"}`,
		},
		{
			"link_token is not a secret",
			`{"link_token":"` + link + `","expiration":"2024-01-01T00:00:00Z"}`,
			`{"link_token":"` + link + `","expiration":"2024-01-01T00:00:00Z"}`,
		},
		{
			"escaped characters in other strings are kept byte for byte",
			`{"msg":"a \"quoted\" \u00e9 \\ value","secret":"x\"yz-long-enough-secret"}`,
			`{"msg":"a \"quoted\" \u00e9 \\ value","secret":"••••…cret"}`,
		},
		{
			"null and non-string secret values are left alone",
			`{"secret":null,"access_token":12,"public_token":{"x":1}}`,
			`{"secret":null,"access_token":12,"public_token":{"x":1}}`,
		},
		{"not JSON without secrets", `hello world`, `hello world`},
		{"empty", ``, ``},
		{
			"truncated JSON is masked loosely",
			`{"client_id":"abc","secret":"` + secret + `","access_token":"access-sandbox-de3ce8ef-33f8`,
			`{"client_id":"abc","secret":"••••…a1b2","access_token":"access-sandbox-…33f8"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(MaskJSON([]byte(tt.in)))
			if got != tt.want {
				t.Errorf("MaskJSON(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if json.Valid([]byte(tt.in)) && !json.Valid([]byte(got)) {
				t.Errorf("masking broke valid JSON: %s", got)
			}
		})
	}
}

func TestMaskJSONUnchangedReturnsSameSlice(t *testing.T) {
	in := []byte(`{"request_id":"abc","accounts":[1,2,3]}`)
	out := MaskJSON(in)
	if &out[0] != &in[0] {
		t.Error("MaskJSON copied a body with nothing to mask")
	}
}

func FuzzMaskJSON(f *testing.F) {
	f.Add([]byte(`{"secret":"abcdefghijklmnop","a":[1,"x",{"access_token":"access-sandbox-0123456789"}]}`))
	f.Add([]byte(`[{"public_token":"public-sandbox-xyz0123456789"}]`))
	f.Add([]byte(`{"secret":"unterminated`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := MaskJSON(in)
		if !json.Valid(in) {
			return // best effort only: covered by the table test
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("valid input %q gave invalid output %q", in, out)
		}
		checkNoLongSecret(t, v, false)
	})
}

// checkNoLongSecret fails if a value under a secret key still has more
// than 4 characters after its masking prefix.
func checkNoLongSecret(t *testing.T, v any, sensitive bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			checkNoLongSecret(t, vv, secretKeys[strings.ToLower(k)])
		}
	case []any:
		for _, vv := range x {
			checkNoLongSecret(t, vv, sensitive)
		}
	case string:
		if !sensitive {
			return
		}
		_, tail, found := strings.Cut(x, "…")
		if x != "" && x != "••••" && (!found || len([]rune(tail)) > 4) {
			t.Fatalf("secret value %q is not masked", x)
		}
	}
}
