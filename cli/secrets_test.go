package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// tokenPattern matches full access and public tokens in what the API sent.
var tokenPattern = regexp.MustCompile(`(access|public)-sandbox-[0-9A-Za-z-]{8,}`)

// tokenTap is a reverse proxy in front of the standalone emulator that
// keeps every full access_token and public_token the API handed out, so the
// test knows what must never leak.
type tokenTap struct {
	mu     sync.Mutex
	tokens map[string]string // token -> "access" or "public"
}

func (tt *tokenTap) start(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	// SetURL also sets Host to the target's: the emulator refuses other
	// Host headers (DNS rebinding).
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }}
	proxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		tt.mu.Lock()
		for _, m := range tokenPattern.FindAllStringSubmatch(string(body), -1) {
			tt.tokens[m[0]] = m[1]
		}
		tt.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

func (tt *tokenTap) kinds() (access, public []string) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	for tok, kind := range tt.tokens {
		if kind == "access" {
			access = append(access, tok)
		} else {
			public = append(public, tok)
		}
	}
	return access, public
}

// TestSecretsNeverLeak runs every flow in plaid mode against a standalone
// emulator that accepts only one client_id/secret pair, then searches the
// database files, every log format and the --json and human outputs for the
// secret and for full tokens.
func TestSecretsNeverLeak(t *testing.T) {
	const clientID, secret = "leakcheck-client-5f0e", "leakcheck-SECRET-9d1c7b2a4e6f"
	emuURL, _, _, _ := startEmulator(t, "--addr", "127.0.0.1:0", "--client-id", clientID, "--secret", secret)
	tap := &tokenTap{tokens: map[string]string{}}
	apiURL := tap.start(t, emuURL)
	cleanEnv(t)
	t.Setenv("PLAID_CLIENT_ID", clientID)
	t.Setenv("PLAID_SECRET", secret)
	t.Setenv("PLAID_ENV", "sandbox")
	t.Setenv("PLAID_API_URL", apiURL)
	dir := t.TempDir()

	outputs := map[string]string{}
	for _, name := range flows.FlowNames() {
		// --browser=auto against Plaid: quickstart and transactions make
		// their Item with /sandbox/public_token/create; the others stop
		// where a person is needed, after making and breaking Items.
		code, out, errOut := runCLI("run", name, "--json", "--browser", "auto", "--mode", "plaid", "--state-dir", dir)
		if (name == "quickstart" || name == "transactions") != (code == exitOK) {
			t.Errorf("run %s: exit %d\n%s", name, code, errOut)
		}
		outputs["run --json "+name] = out + errOut
	}
	code, out, errOut := runCLI("run", "quickstart", "--browser", "auto", "--state-dir", dir)
	outputs["run quickstart"] = out + errOut
	if code != exitOK || !strings.Contains(out, "access_token: access-sandbox-…") {
		t.Errorf("quickstart with auto against Plaid: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI("run", "update-mode", "--browser", "auto", "--state-dir", dir)
	outputs["run update-mode"] = out + errOut
	// The failure is printed once, under its step.
	if code != exitFailure || !strings.Contains(out, "needs a person") || strings.Contains(errOut, "needs a person") {
		t.Errorf("update-mode with auto against Plaid: exit %d\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, format := range []string{"", "--json", "--csv", "--md"} {
		args := []string{"log", "--state-dir", dir}
		if format != "" {
			args = append(args, format)
		} else {
			args = append(args, "--limit", fmt.Sprint(store.MaxPageSize))
		}
		code, out, errOut := runCLI(args...)
		if code != exitOK || len(out) < 100 {
			t.Fatalf("log %s: exit %d, %d bytes, %s", format, code, len(out), errOut)
		}
		outputs["log "+format] = out + errOut
	}

	access, public := tap.kinds()
	if len(access) == 0 || len(public) == 0 {
		t.Fatalf("the API handed out %d access and %d public tokens; the test needs some of each", len(access), len(public))
	}
	forbidden := map[string]string{secret: "the secret"}
	for _, tok := range access {
		forbidden[tok] = "an access_token"
	}
	for _, tok := range public {
		forbidden[tok] = "a public_token"
	}
	for what, text := range outputs {
		for s, kind := range forbidden {
			if strings.Contains(text, s) {
				t.Errorf("%s contains %s", what, kind)
			}
		}
	}
	// The database files: no secret and no public_token anywhere in them.
	// (The last connection to close folds the -wal file into the database
	// and removes it; it is checked when it is there.)
	for _, name := range []string{store.FileName, store.FileName + "-wal", store.FileName + "-shm"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && name != store.FileName {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append([]string{secret}, public...) {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains %s", name, forbidden[s])
			}
		}
	}
	checkAccessTokensOnlyInItems(t, filepath.Join(dir, store.FileName), access)
}

// checkAccessTokensOnlyInItems reads every text value of every table and
// fails if a full access_token appears anywhere but items.access_token; it
// also checks that the Items table does keep them (for Sandbox use).
func checkAccessTokensOnlyInItems(t *testing.T, path string, access []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tables, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	kept := 0
	for _, table := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				for _, tok := range access {
					if !strings.Contains(text, tok) {
						continue
					}
					if table == "items" && cols[i] == "access_token" {
						kept++
					} else {
						t.Errorf("%s.%s holds a full access_token", table, cols[i])
					}
				}
			}
		}
		rows.Close()
	}
	if kept == 0 {
		t.Error("the Items table keeps no access_token")
	}
}
