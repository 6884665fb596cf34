package store

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMaskValue(t *testing.T) {
	for in, want := range map[string]string{
		fullAccess:             "access-sandbox-…c0f6",
		fullPublic:             "public-sandbox-…993d",
		"access-production-ab": "access-production-…",
		fullSecret:             "••••…abcd",
		"short":                "••••",
		"":                     "••••",
		"access-sandbox-…c0f6": "access-sandbox-…c0f6",
		"••••…abcd":            "••••…abcd",
	} {
		if got := maskValue(in); got != want {
			t.Errorf("maskValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"secret":"` + fullSecret + `","client_id":"abc"}`, `{"secret":"••••…abcd","client_id":"abc"}`},
		{"{\n  \"b\": 1,\n  \"access_token\" : \"" + fullAccess + "\"\n}", "{\n  \"b\": 1,\n  \"access_token\" : \"access-sandbox-…c0f6\"\n}"},
		{`{"x":{"new_access_token":"abcdefghijkl"}}`, `{"x":{"new_access_token":"••••…ijkl"}}`},
		{`[{"public_token":null},{"PUBLIC_TOKEN":12345678901}]`, `[{"public_token":null},{"PUBLIC_TOKEN":"••••…8901"}]`},
		{`{"public_tokens":["abcdefghijkl",{"k":"mnopqrstuvwx"}],"after":"ok"}`, `{"public_tokens":["••••…ijkl",{"k":"••••…uvwx"}],"after":"ok"}`},
		{`{"secret":{"a":["abcdefghijkl"]},"name":"secret"}`, `{"secret":{"a":["••••…ijkl"]},"name":"secret"}`},
		{`{"note":"use ` + fullAccess + ` here"}`, `{"note":"use access-sandbox-…c0f6 here"}`},
		{`{"k":"my_` + fullAccess + `"}`, `{"k":"my_access-sandbox-…c0f6"}`},
		{`{"k":"a\"secret\": \"x"}`, `{"k":"a\"secret\": \"x"}`},
		{`{"access_token":"` + fullAccess, `{"access_token":"access-sandbox-…c0f6`},
		{`{"secret": "abc\"defghijkl", "x":1`, `{"secret": "••••…ijkl", "x":1`},
		{`client_id=a&secret=` + fullSecret + `&x=1`, `client_id=a&secret=••••…abcd&x=1`},
		{`{"secr\u0065t":"abcdefghijkl"}`, `{"secr\u0065t":"••••…ijkl"}`},
		{`"<&>"`, `"<&>"`},
		{``, ``},
	} {
		if got := string(maskJSON([]byte(tc.in))); got != tc.want {
			t.Errorf("maskJSON(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func FuzzMaskJSON(f *testing.F) {
	f.Add(`{"secret":"abcdefghijkl","access_token":["x",{"y":1}]}`)
	f.Add(`{"a":[1,2,{"public_token":"` + fullPublic + `"}]}`)
	f.Add(`not json secret=abc`)
	f.Fuzz(func(t *testing.T, in string) {
		out := maskJSON([]byte(in))
		if json.Valid([]byte(in)) && !json.Valid(out) {
			t.Fatalf("valid JSON %q masked into invalid JSON %q", in, out)
		}
		if again := maskJSON(out); !bytes.Equal(again, out) {
			t.Fatalf("masking is not idempotent: %q then %q", out, again)
		}
		for _, tok := range tokenShape.FindAllString(in, -1) {
			if len(tok) > len(tokenPrefix.FindString(tok))+4 && strings.Contains(string(out), tok) {
				t.Fatalf("token %q is left in %q", tok, out)
			}
		}
	})
}

// TestSecretsNeverReachTheFile records bodies holding a full secret,
// access_token and public_token, and an Item with its own access_token,
// then reads the raw bytes of the database and its WAL: only the Item's
// token may be there in full.
func TestSecretsNeverReachTheFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	leakyFixture(t, s)
	const itemToken = "access-sandbox-99999999-8888-7777-6666-555555555555"
	if err := s.UpsertItem(ctx, Item{ItemID: "itemX", Mode: ModeEmulated}, itemToken); err != nil {
		t.Fatal(err)
	}
	// The same token, leaked by a caller into a call, must not be stored there.
	if _, err := s.AddCall(ctx, APICall{Endpoint: "/accounts/get", RequestBody: []byte(`{"access_token":"` + itemToken + `"}`)}); err != nil {
		t.Fatal(err)
	}
	checkFiles := func(when string) {
		raw := readDBFiles(t, dir)
		if !bytes.Contains(raw, []byte(itemToken)) {
			t.Fatalf("%s: the Item's access_token is not in the files: the search is broken", when)
		}
		if !bytes.Contains(raw, []byte("access-sandbox-…c0f6")) {
			t.Fatalf("%s: the masked token is not in the files: the search is broken", when)
		}
		for _, secret := range []string{fullSecret, fullAccess, fullPublic} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s: the files hold %s", when, secret)
			}
		}
	}
	checkFiles("with the WAL")
	// Only the items table holds the Item's token.
	var n int
	err = s.db.QueryRow(`SELECT count(*) FROM api_calls WHERE request_body LIKE '%' || ? || '%'`, itemToken).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("api_calls holds the Item's token %d times (%v)", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkFiles("after the checkpoint at close")
}

// readDBFiles returns the bytes of the database file and of its -wal file.
func readDBFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, name := range []string{FileName, FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
