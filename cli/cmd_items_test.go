package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// seedItem links an Item offline into a fresh state directory, as an
// earlier linkexplorer would have: the session log has it, and the
// embedded emulator's state file knows its access_token.
func seedItem(t *testing.T) (dir, itemID string) {
	t.Helper()
	dir = t.TempDir()
	emu, err := emulator.New(emulator.Options{StateFile: filepath.Join(dir, emulatorStateFile)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := flows.LoadConfig(func(string) string { return "" }, "", flows.Overrides{Mode: string(flows.ModeEmulated)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = srv.URL
	ctx := testwait.Context(t)
	env, err := flows.NewEnv(ctx, flows.EnvOptions{Config: cfg, Store: st, Browser: flows.BrowserNone})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := flows.FlowByName("update-mode")
	r, err := env.NewRunWith(ctx, f, flows.RunOptions{NewItem: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Next(ctx); res.Status != flows.StatusOK {
		t.Fatalf("linking an Item: %s", res.Error)
	}
	itemID = r.ItemID()
	for _, err := range []error{r.Close(), env.Close(), st.Close()} {
		if err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, itemID
}

var requestIDLine = regexp.MustCompile(`(?m)^  (/\S+)\s+(\S+)\s+HTTP (\d+)`)

func TestBinaryItems(t *testing.T) {
	dir, id := seedItem(t)
	code, out, errOut := execBinary(t, "items", "--state-dir", dir)
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "First Platypus Bank") || !strings.Contains(out, "access-sandbox-") {
		t.Fatalf("items: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Count(out, "access-sandbox-") != 1 || !strings.Contains(out, "…") {
		t.Errorf("items shows the access_token unmasked:\n%s", out)
	}
	code, out, _ = execBinary(t, "items", "--json", "--state-dir", dir)
	var list []itemJSON
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].ItemID != id || list[0].Status != store.ItemHealthy {
		t.Fatalf("items --json: exit %d\n%s", code, out)
	}

	// inspect: both calls, each with a request_id that is in the session log.
	code, out, errOut = execBinary(t, "items", "inspect", id, "--state-dir", dir)
	if code != 0 || !strings.Contains(out, "ins_109508") || !strings.Contains(out, "Plaid Checking ••0000") {
		t.Fatalf("items inspect: exit %d\n%s\n%s", code, out, errOut)
	}
	calls := requestIDLine.FindAllStringSubmatch(out, -1)
	if len(calls) != 2 || calls[0][1] != "/item/get" || calls[1][1] != "/accounts/get" {
		t.Fatalf("items inspect printed calls %q:\n%s", calls, out)
	}
	st := openStore(t, dir)
	for _, c := range calls {
		page, err := st.Entries(context.Background(), store.Query{Filter: store.Filter{RequestID: c[2]}, Limit: 5})
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("request_id %s in the log: %v, %v", c[2], page.Entries, err)
		}
		sess, err := st.Session(context.Background(), page.Entries[0].SessionID())
		if err != nil || sess.Kind != "items:inspect" || sess.Status != store.SessionOK {
			t.Errorf("request_id %s is in session %+v, %v; want an ended items:inspect session", c[2], sess, err)
		}
	}

	// fire-webhook: the Item's webhook pointed at the earlier process; it
	// is pointed here, and the webhook arrives, verified.
	code, out, errOut = execBinary(t, "items", "fire-webhook", id, "sync_updates_available", "--json", "--state-dir", dir)
	var fired struct {
		Calls  []callJSON `json:"calls"`
		Result struct {
			Webhook *struct {
				WebhookCode string `json:"webhook_code"`
				Signature   string `json:"signature"`
			} `json:"webhook"`
		} `json:"result"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &fired) != nil || fired.Result.Webhook == nil ||
		fired.Result.Webhook.WebhookCode != "SYNC_UPDATES_AVAILABLE" || !strings.HasPrefix(fired.Result.Webhook.Signature, "verified") {
		t.Fatalf("items fire-webhook --json: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, c := range fired.Calls {
		if c.RequestID == "" {
			t.Errorf("fire-webhook: %s has no request_id", c.Endpoint)
		}
	}

	code, out, errOut = execBinary(t, "items", "reset-login", id, "--state-dir", dir)
	if code != 0 || !strings.Contains(out, "ITEM_LOGIN_REQUIRED") {
		t.Fatalf("items reset-login: exit %d\n%s\n%s", code, out, errOut)
	}
	if it, err := st.Item(context.Background(), id); err != nil || it.Status != store.ItemLoginRequired {
		t.Errorf("after reset-login: %+v, %v", it, err)
	}
	code, out, errOut = execBinary(t, "items", "remove", id, "--state-dir", dir)
	if code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("items remove: exit %d\n%s\n%s", code, out, errOut)
	}
	// A removed Item: one line, exit 1.
	code, _, errOut = execBinary(t, "items", "inspect", id, "--state-dir", dir)
	if code != exitFailure || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "removed") {
		t.Errorf("inspecting a removed Item: exit %d, stderr %q", code, errOut)
	}
}

func TestBinaryItemsRefusals(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := execBinary(t, "items", "--state-dir", dir)
	if code != 0 || !strings.Contains(out, "No Items yet") {
		t.Errorf("items with none: exit %d %q", code, out)
	}
	checkUsageError(t, []string{"items", "fire-webhook", "some-item", "SYNC_UPDATE_AVAILABLE"}, "linkexplorer items fire-webhook",
		`unknown webhook code "SYNC_UPDATE_AVAILABLE"`, "SYNC_UPDATES_AVAILABLE")
	checkUsageError(t, []string{"items", "inspect"}, "linkexplorer items inspect", "takes 1 argument", "")
	code, _, errOut := execBinary(t, "items", "inspect", "no-such-item", "--state-dir", dir)
	if code != exitFailure || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "linkexplorer items") {
		t.Errorf("an unknown Item: exit %d, stderr %q", code, errOut)
	}
}
