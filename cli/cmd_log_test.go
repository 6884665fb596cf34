package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/store"
)

// seedLog writes two sessions into a fresh state directory: an older one
// with a call, and a newer one with a call, a Link exit and a webhook.
func seedLog(t *testing.T) (dir string, older, newer store.Session) {
	t.Helper()
	dir = t.TempDir()
	st := openStore(t, dir)
	ctx := context.Background()
	var err error
	if older, err = st.StartSession(ctx, "flow:quickstart", store.ModeEmulated); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(-time.Minute)
	if _, err := st.AddCall(ctx, store.APICall{SessionID: older.ID, Time: t0, Endpoint: "/link/token/create",
		HTTPStatus: 200, RequestID: "reqOlder0000001"}); err != nil {
		t.Fatal(err)
	}
	if newer, err = st.StartSession(ctx, "flow:invalid-token", store.ModeEmulated); err != nil {
		t.Fatal(err)
	}
	recs := []store.Record{
		store.APICall{SessionID: newer.ID, Time: t0.Add(time.Second), Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "reqNewer0000001"},
		store.LinkEvent{SessionID: newer.ID, Time: t0.Add(2 * time.Second), Kind: store.EventKindExit, LinkSessionID: "ls-1",
			RequestID: "reqNewer0000002", ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN"},
		store.Webhook{SessionID: newer.ID, Time: t0.Add(3 * time.Second), Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-9","error":{"error_code":"ITEM_LOGIN_REQUIRED"}}`)},
	}
	if _, err := st.Add(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	return dir, older, newer
}

func TestLogTextListing(t *testing.T) {
	cleanEnv(t)
	dir, older, newer := seedLog(t)
	code, out, errOut := runCLI("log", "--state-dir", dir)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("listing:\n%s", out)
	}
	// Newest first: webhook, exit, newer call, older call.
	for i, want := range []string{"ITEM: ERROR", "onExit", "reqNewer0000001", "reqOlder0000001"} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("line %d = %q, want %q", i+1, lines[i+1], want)
		}
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--last"); strings.Contains(out, older.ID) || !strings.Contains(out, newer.ID) {
		t.Errorf("--last listing:\n%s", out)
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--session", older.ID); strings.Count(out, "\n") != 2 {
		t.Errorf("--session listing:\n%s", out)
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--request-id", "reqNewer0000002"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "ls-1") {
		t.Errorf("--request-id listing:\n%s", out)
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--error-code", "invalid_link_token", "--link-session-id", "ls-1"); strings.Count(out, "\n") != 2 {
		t.Errorf("--error-code listing:\n%s", out)
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--item-id", "item-9"); strings.Count(out, "\n") != 2 {
		t.Errorf("--item-id listing:\n%s", out)
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--limit", "2"); strings.Count(out, "\n") != 4 || !strings.Contains(out, "showing the newest 2") {
		t.Errorf("--limit 2 listing:\n%s", out)
	}
	if _, out, _ := runCLI("log", "--state-dir", dir, "--request-id", "nosuch"); out != "No entries match.\n" {
		t.Errorf("no match: %q", out)
	}
}

func TestLogExports(t *testing.T) {
	cleanEnv(t)
	dir, _, newer := seedLog(t)
	code, md, _ := runCLI("log", "--state-dir", dir, "--last", "--md")
	if code != exitOK || !strings.Contains(md, "# linkexplorer session log") || !strings.Contains(md, "`reqNewer0000002`") ||
		!strings.Contains(md, "INVALID_LINK_TOKEN") || strings.Contains(md, "reqOlder") {
		t.Errorf("--md (exit %d):\n%s", code, md)
	}
	code, js, _ := runCLI("log", "--state-dir", dir, "--session", newer.ID, "--json")
	if code != exitOK || !json.Valid([]byte(js)) || !strings.Contains(js, "reqNewer0000001") || strings.Contains(js, "reqOlder") {
		t.Errorf("--json (exit %d):\n%s", code, js)
	}
	code, c, _ := runCLI("log", "--state-dir", dir, "--csv")
	rows, err := csv.NewReader(strings.NewReader(c)).ReadAll()
	if code != exitOK || err != nil || len(rows) != 5 {
		t.Errorf("--csv (exit %d, %v): %d rows\n%s", code, err, len(rows), c)
	}
}

func TestLogUsageAndErrors(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"log", "--session", "x", "--last"}, "use one"},
		{[]string{"log", "--md", "--json"}, "choose one"},
		{[]string{"log", "--md", "--limit", "5"}, "--limit applies to the text listing"},
		{[]string{"log", "--limit", "0"}, "--limit must be between"},
		{[]string{"log", "extra"}, "unexpected arguments"},
	} {
		code, out, errOut := runCLI(append(tc.args, "--state-dir", dir)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) || !isUsageError(errOut, "log") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
	}
	code, out, errOut := runCLI("log", "--last", "--state-dir", dir)
	if code != exitFailure || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no session with entries yet") {
		t.Errorf("--last on an empty log: exit %d, %q, %q", code, out, errOut)
	}
	// Without --state-dir the log comes from $LINKEXPLORER_HOME.
	if code, out, _ := runCLI("log"); code != exitOK || out != "No entries match.\n" {
		t.Errorf("default state dir: exit %d, %q", code, out)
	}
}

func TestLogCode(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	st := openStore(t, dir)
	ctx := context.Background()
	sess, err := st.StartSession(ctx, "flow:update-mode", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"access_token":"access-sandbox-5cd6e1b1-1b5b-459d-9284-366e2da89755"}`
	if _, err := st.AddCall(ctx, store.APICall{SessionID: sess.ID, Endpoint: "/item/get", HTTPStatus: 200,
		RequestID: "reqCode00000001", RequestBody: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Add(ctx, store.LinkEvent{SessionID: sess.ID, Kind: store.EventKindExit, LinkSessionID: "ls-1", RequestID: "reqEvent0000001"}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"go":     {"client.PlaidApi.ItemGet(ctx).ItemGetRequest(*request).Execute()", `plaid.NewItemGetRequest(os.Getenv("ACCESS_TOKEN"))`, `plaid.Environment("http://127.0.0.1:7878")`},
		"python": {"client.item_get(request)", "from plaid.model.item_get_request import ItemGetRequest"},
		"curl":   {"curl -sS -X POST http://127.0.0.1:7878/item/get", `"access_token": "'"$ACCESS_TOKEN"'"`},
		"node":   {"client.itemGet(request)"},
		"ruby":   {"client.item_get(request)"},
		"java":   {"plaidClient.itemGet(request).execute()"},
	}
	for lang, subs := range want {
		code, out, errOut := runCLI("log", "--state-dir", dir, "--request-id", "reqCode00000001", "--code", lang)
		if code != exitOK {
			t.Fatalf("%s: exit %d, stderr %q", lang, code, errOut)
		}
		for _, s := range subs {
			if !strings.Contains(out, s) {
				t.Errorf("%s: no %q in\n%s", lang, s, out)
			}
		}
		if strings.Contains(out, "366e2da89755") || strings.Contains(errOut, "366e2da89755") {
			t.Errorf("%s: the access_token shows", lang)
		}
		if !strings.Contains(errOut, "# Set ACCESS_TOKEN") || !strings.Contains(errOut, "linkexplorer emulator") {
			t.Errorf("%s: the notes on stderr: %q", lang, errOut)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--code", "go"}, exitUsage, "give its --request-id"},
		{[]string{"--request-id", "reqCode00000001", "--code", "pyhton"}, exitUsage, `unknown language "pyhton"`},
		{[]string{"--request-id", "reqCode00000001", "--code", "go", "--md"}, exitUsage, "--code prints code, not the log"},
		{[]string{"--request-id", "reqNope", "--code", "go"}, exitFailure, "no API call with request_id reqNope"},
		{[]string{"--request-id", "reqEvent0000001", "--code", "go"}, exitFailure, "no API call with request_id reqEvent0000001"},
	} {
		code, _, errOut := runCLI(append([]string{"log", "--state-dir", dir}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}
