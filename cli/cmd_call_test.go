package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/store"
)

// TestBinaryCall: the built binary calls an operation against the embedded
// emulator, prints its status and request_id, and records it (log finds
// it by request_id); a Plaid error is explained, with exit status 1;
// invalid JSON and a missing --item are refused before anything is sent.
func TestBinaryCall(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := execBinary(t, "call", "/categories/get", "--state-dir", dir)
	if code != 0 || !strings.Contains(out, "POST /categories/get → 200 OK") {
		t.Fatalf("call /categories/get: exit %d\n%s\n%s", code, out, errOut)
	}
	m := regexp.MustCompile(`request_id (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no request_id printed:\n%s", out)
	}
	code, log, errOut := execBinary(t, "log", "--state-dir", dir, "--request-id", m[1])
	if code != 0 || !strings.Contains(log, "/categories/get") {
		t.Errorf("log --request-id %s: exit %d\n%s\n%s", m[1], code, log, errOut)
	}

	code, out, _ = execBinary(t, "call", "/accounts/get", "--state-dir", dir, "--body", `{"access_token": "access-sandbox-00000000-0000-0000-0000-000000000000"}`)
	if code != 1 || !strings.Contains(out, "INVALID_ACCESS_TOKEN") || !strings.Contains(out, "What it means:") || !strings.Contains(out, "request_id") {
		t.Errorf("a Plaid error: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "00000000-0000-0000-0000-000000000000") {
		t.Errorf("the access_token was printed in full:\n%s", out)
	}

	code, out, errOut = execBinary(t, "call", "/item/get", "--state-dir", dir, "--body", `{"access_token": `)
	if code != 1 || out != "" || !strings.Contains(errOut, "not a JSON object") || !strings.Contains(errOut, "nothing was sent") {
		t.Errorf("invalid JSON: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	// --body - reads the body from standard input: the emulator answers
	// for the institution it names, and a body that is not JSON is
	// refused before anything is sent.
	code, out, errOut = execBinaryInput(t, `{"institution_id": "ins_109508", "country_codes": ["US"]}`, "call", "/institutions/get_by_id", "--state-dir", dir, "--body", "-")
	if code != 0 || !strings.Contains(out, "POST /institutions/get_by_id → 200 OK") || !strings.Contains(out, "ins_109508") {
		t.Errorf("--body - from stdin: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = execBinaryInput(t, "not json", "call", "/institutions/get_by_id", "--state-dir", dir, "--body", "-")
	if code != 1 || out != "" || !strings.Contains(errOut, "nothing was sent") {
		t.Errorf("--body - with invalid JSON on stdin: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}

	code, _, errOut = execBinary(t, "call", "/item/get", "--state-dir", dir)
	if code != 2 || !strings.Contains(errOut, "--item ITEM_ID") {
		t.Errorf("no --item: exit %d\n%s", code, errOut)
	}
	code, out, _ = execBinary(t, "call", "--list")
	if code != 0 || strings.Count(out, "\n") != 251 || !strings.Contains(out, "/item/get") {
		t.Errorf("--list: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}

// TestBinaryCallItem: after a quickstart, call /item/get --item answers
// for that Item, the access_token filled in from the session log and
// never printed.
func TestBinaryCallItem(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := execBinary(t, "run", "quickstart", "--browser", "auto", "--state-dir", dir)
	if code != 0 {
		t.Skipf("run quickstart exit %d (needs headless Chromium?)\n%s\n%s", code, out, errOut)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	items, err := st.Items(context.Background())
	if err != nil || len(items) == 0 {
		t.Fatalf("no Item after the quickstart: %v", err)
	}
	tok, err := st.AccessToken(context.Background(), items[0].ItemID)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut = execBinary(t, "call", "/item/get", "--item", items[0].ItemID, "--state-dir", dir)
	if code != 0 || !strings.Contains(out, items[0].ItemID) || !strings.Contains(out, "request_id") {
		t.Fatalf("call /item/get --item: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, tok) {
		t.Errorf("the access_token was printed")
	}
}
