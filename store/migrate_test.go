package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// schema returns the SQL of every table and index but the planner's
// statistics (which PRAGMA optimize adds at Close), in order.
func schema(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.db.Query(`SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_stat%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var q string
		rows.Scan(&q)
		out = append(out, q)
	}
	return strings.Join(out, ";\n")
}

func userVersion(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrationsTwice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := fixture(t, s)
	before := schema(t, s)
	if v := userVersion(t, s); v != len(migrations) {
		t.Fatalf("user_version %d, want %d", v, len(migrations))
	}
	s.Close()

	// Open again: nothing to do, nothing lost.
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := schema(t, s); got != before {
		t.Errorf("the schema changed on reopening:\n%s\nwas\n%s", got, before)
	}
	// Run the migrate function twice on one connection, then every
	// migration again from version 0 as if it had never run.
	for _, version := range []int{len(migrations), len(migrations), 0} {
		if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
			t.Fatal(err)
		}
		if err := s.write(ctx, func(tx *sql.Tx) error { return migrateTx(ctx, tx) }); err != nil {
			t.Fatalf("migrating from version %d: %v", version, err)
		}
	}
	if got := schema(t, s); got != before {
		t.Errorf("the schema changed after migrating again:\n%s", got)
	}
	if v := userVersion(t, s); v != len(migrations) {
		t.Errorf("user_version %d, want %d", v, len(migrations))
	}
	if n, err := s.Count(ctx, Filter{SessionID: a.ID}); err != nil || n != 6 {
		t.Errorf("after the migrations, session a has %d entries (%v), want 6", n, err)
	}
	if n, _ := s.Count(ctx, Filter{Text: "exchange"}); n != 2 {
		t.Errorf("after the migrations, the text search finds %d entries, want 2", n)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec("PRAGMA user_version = 99")
	s.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("opening a newer schema: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, tc := range []struct{ linkexplorerHome, xdg, want string }{
		{"/x/lx", "/y/state", "/x/lx"},
		{"", "/y/state", "/y/state/linkexplorer"},
		{"", "relative/state", filepath.Join(home, ".local/state/linkexplorer")},
		{"", "", filepath.Join(home, ".local/state/linkexplorer")},
	} {
		t.Setenv("LINKEXPLORER_HOME", tc.linkexplorerHome)
		t.Setenv("XDG_STATE_HOME", tc.xdg)
		if got, err := DefaultDir(); err != nil || got != tc.want {
			t.Errorf("LINKEXPLORER_HOME=%q XDG_STATE_HOME=%q: %q, %v; want %q", tc.linkexplorerHome, tc.xdg, got, err, tc.want)
		}
	}
}

// TestDefaultDirIsUsed opens the store where the environment says and
// finds the database there.
func TestDefaultDirIsUsed(t *testing.T) {
	for _, env := range []string{"LINKEXPLORER_HOME", "XDG_STATE_HOME"} {
		t.Run(env, func(t *testing.T) {
			root := t.TempDir()
			t.Setenv("LINKEXPLORER_HOME", "")
			t.Setenv("XDG_STATE_HOME", "")
			t.Setenv(env, root)
			dir, err := DefaultDir()
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			want := filepath.Join(root, FileName)
			if env == "XDG_STATE_HOME" {
				want = filepath.Join(root, "linkexplorer", FileName)
				checkMode(t, filepath.Dir(want), 0o700)
			}
			if _, err := os.Stat(want); err != nil {
				t.Errorf("no database at %s: %v", want, err)
			}
			checkMode(t, want, 0o600)
		})
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(""); err == nil {
		t.Error("Open with no directory succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Open(filepath.Join(file, "sub")); err == nil {
		t.Error("Open under a file succeeded")
	}
	// Any character may appear in the path.
	odd := filepath.Join(t.TempDir(), "a?b#c%20d e")
	s, err := Open(odd)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(odd, FileName)); err != nil {
		t.Errorf("no database in %s: %v", odd, err)
	}
	// An existing database file with loose permissions is made private.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), nil, 0o644)
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	s.Close()
	checkMode(t, filepath.Join(dir, FileName), 0o600)
}

// TestWebhookSignatureColumn: a store of schema v2 gains webhooks.signature
// on opening, keeps its webhooks, and records and finds signatures.
func TestWebhookSignatureColumn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sess := startSession(t, s, "webhooks")
	old, err := s.AddWebhook(ctx, Webhook{SessionID: sess.ID, Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR"}`)})
	if err != nil {
		t.Fatal(err)
	}
	// Back to version 2, as a linkexplorer of that version left it.
	for _, q := range []string{`ALTER TABLE webhooks DROP COLUMN signature`, `PRAGMA user_version = 2`} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, s); v != len(migrations) {
		t.Fatalf("user_version %d after opening, want %d", v, len(migrations))
	}
	e, err := s.Entry(ctx, old)
	if err != nil || e.Webhook == nil || e.Webhook.WebhookCode != "ERROR" || e.Webhook.Signature != "" || e.Status() != "" {
		t.Fatalf("the webhook from before the migration: %+v, %v", e.Webhook, err)
	}
	signed, err := s.AddWebhook(ctx, Webhook{SessionID: sess.ID, Signature: "verified (kid 6c5516e1)",
		Body: []byte(`{"webhook_type":"ITEM","webhook_code":"LOGIN_REPAIRED"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddWebhook(ctx, Webhook{SessionID: sess.ID, Signature: "invalid: the signature does not verify",
		Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR"}`)}); err != nil {
		t.Fatal(err)
	}
	if e, err = s.Entry(ctx, signed); err != nil || e.Webhook.Signature != "verified (kid 6c5516e1)" || e.Status() != "verified" {
		t.Errorf("signed webhook: %+v (status %q), %v", e.Webhook, e.Status(), err)
	}
	for word, want := range map[string]int{"verified": 1, "invalid": 1, "webhook": 3} {
		if n, err := s.Count(ctx, Filter{Text: word}); err != nil || n != want {
			t.Errorf("the text filter %q finds %d webhooks (%v), want %d", word, n, err, want)
		}
	}
}

// TestWebhookStepColumn: a store of schema v6 gains webhooks.step on
// opening, keeps its webhooks (with no step), and records and reads back
// the step that caused a webhook.
func TestWebhookStepColumn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sess := startSession(t, s, "webhooks")
	old, err := s.AddWebhook(ctx, Webhook{SessionID: sess.ID, Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR"}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE webhooks DROP COLUMN step`, `PRAGMA user_version = 6`} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := userVersion(t, s); v != len(migrations) {
		t.Fatalf("user_version %d after opening, want %d", v, len(migrations))
	}
	if e, err := s.Entry(ctx, old); err != nil || e.Webhook == nil || e.Webhook.WebhookCode != "ERROR" || e.Webhook.Step != "" {
		t.Fatalf("the webhook from before the migration: %+v, %v", e.Webhook, err)
	}
	for _, step := range []string{"reset-login", StepAfterRun} {
		id, err := s.AddWebhook(ctx, Webhook{SessionID: sess.ID, Step: step, Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if e, err := s.Entry(ctx, id); err != nil || e.Webhook.Step != step {
			t.Errorf("webhook recorded with step %q read back as %+v, %v", step, e.Webhook, err)
		}
		page, err := s.Entries(ctx, Query{Filter: Filter{SessionID: sess.ID}, Limit: 10})
		if err != nil || len(page.Entries) == 0 || page.Entries[0].Webhook == nil || page.Entries[0].Webhook.Step != step {
			t.Errorf("the newest entry of the page: %+v, %v; want the webhook with step %q", page.Entries, err, step)
		}
	}
}
