package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

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
