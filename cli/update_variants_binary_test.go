package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// runUpdateVariantJSON runs a flow with the built binary and --json, in dir.
func runUpdateVariantJSON(t *testing.T, dir, name string) flows.Report {
	t.Helper()
	code, out, errOut := execBinary(t, "run", name, "--browser", "auto", "--json", "--state-dir", dir)
	var rep flows.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("run %s: stdout is not one JSON report (%v):\n%s\nstderr:\n%s", name, err, out, errOut)
	}
	if code != exitOK || !rep.OK || rep.Flow != name {
		t.Fatalf("run %s: exit %d, ok=%v error=%q\nstderr:\n%s", name, code, rep.OK, rep.Error, errOut)
	}
	return rep
}

// sessionEntries returns a run's entries of kind k, with bodies, oldest first.
func sessionEntries(t *testing.T, st *store.Store, id string, k store.EntryKind) []store.Entry {
	t.Helper()
	page, err := st.Entries(context.Background(), store.Query{Filter: store.Filter{SessionID: id, Kind: k}, Limit: store.MaxPageSize, Bodies: true})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.Entries)
	return page.Entries
}

// verifiedWebhook checks the run received a verified ITEM webhook code.
func verifiedWebhook(t *testing.T, st *store.Store, id, code string) *store.Webhook {
	t.Helper()
	for _, e := range sessionEntries(t, st, id, store.KindWebhook) {
		if w := e.Webhook; w.WebhookType == "ITEM" && w.WebhookCode == code {
			if !strings.HasPrefix(w.Signature, flows.SignatureVerified) {
				t.Errorf("%s webhook signature %q", code, w.Signature)
			}
			return w
		}
	}
	t.Fatalf("no ITEM %s webhook recorded in session %s", code, id)
	return nil
}

// TestBinaryRunUpdateNewAccounts: NEW_ACCOUNTS_AVAILABLE, update mode with
// account selection through the emulated Link's account-select pane, and
// the new account in /accounts/get, as the session log has them.
func TestBinaryRunUpdateNewAccounts(t *testing.T) {
	headlesstest.Need(t)
	dir := t.TempDir()
	rep := runUpdateVariantJSON(t, dir, "update-new-accounts")
	st := openStore(t, dir)
	verifiedWebhook(t, st, rep.RunID, "NEW_ACCOUNTS_AVAILABLE")

	var tokenReq map[string]any
	var accountsBodies []string
	for _, e := range sessionEntries(t, st, rep.RunID, store.KindCall) {
		switch c := e.Call; c.Endpoint {
		case "/link/token/create":
			if err := json.Unmarshal(c.RequestBody, &tokenReq); err != nil {
				t.Fatal(err)
			}
		case "/accounts/get":
			accountsBodies = append(accountsBodies, string(c.ResponseBody))
		case "/item/public_token/exchange":
			if strings.Contains(string(c.RequestBody), "public-sandbox") && len(accountsBodies) > 0 {
				t.Error("the update-mode public_token was exchanged")
			}
		}
	}
	upd, _ := tokenReq["update"].(map[string]any)
	if upd["account_selection_enabled"] != true || tokenReq["access_token"] == nil || tokenReq["products"] != nil {
		t.Errorf("/link/token/create request %v: want access_token, no products, update.account_selection_enabled", tokenReq)
	}
	if len(accountsBodies) != 2 || strings.Contains(accountsBodies[0], "Plaid New Savings") || !strings.Contains(accountsBodies[1], "Plaid New Savings 1") {
		t.Errorf("/accounts/get before and after: %d answers; the new account must appear only after update mode", len(accountsBodies))
	}

	var views []string
	var updateOpen bool
	var success json.RawMessage
	for _, e := range sessionEntries(t, st, rep.RunID, store.KindEvent) {
		ev := e.Event
		switch {
		case ev.EventName == "OPEN" && strings.Contains(string(ev.Metadata), `"is_update_mode":"true"`):
			updateOpen = true
		case ev.EventName == "TRANSITION_VIEW":
			views = append(views, ev.ViewName)
		case ev.Kind == store.EventKindSuccess:
			success = ev.Metadata
		}
	}
	if !updateOpen || !slices.Contains(views, "SELECT_ACCOUNT") || slices.Contains(views, "SELECT_INSTITUTION") {
		t.Errorf("Link: OPEN in update mode %v, views %v: want the account-select pane and no institution list", updateOpen, views)
	}
	var md struct {
		Accounts []struct{ ID, Name string } `json:"accounts"`
	}
	if err := json.Unmarshal(success, &md); err != nil || !slices.ContainsFunc(md.Accounts, func(a struct{ ID, Name string }) bool {
		return a.Name == "Plaid New Savings 1" && strings.Contains(accountsBodies[1], a.ID)
	}) {
		t.Errorf("onSuccess metadata.accounts %s (%v): want the new account, with the account_id /accounts/get shows", success, err)
	}
	sess, err := st.Session(context.Background(), rep.RunID)
	if err != nil || sess.Status != store.SessionOK {
		t.Errorf("session %+v, %v", sess, err)
	}
}

// TestBinaryRunUpdateExpiring: PENDING_EXPIRATION and PENDING_DISCONNECT,
// consent_expiration_time in /item/get agreeing with the webhook, and
// renewed by update mode.
func TestBinaryRunUpdateExpiring(t *testing.T) {
	headlesstest.Need(t)
	dir := t.TempDir()
	rep := runUpdateVariantJSON(t, dir, "update-expiring")
	st := openStore(t, dir)
	var hook struct {
		Exp time.Time `json:"consent_expiration_time"`
	}
	if err := json.Unmarshal(verifiedWebhook(t, st, rep.RunID, "PENDING_EXPIRATION").Body, &hook); err != nil || hook.Exp.IsZero() {
		t.Fatalf("PENDING_EXPIRATION body: %v", err)
	}
	if w := verifiedWebhook(t, st, rep.RunID, "PENDING_DISCONNECT"); !strings.Contains(string(w.Body), "INSTITUTION_TOKEN_EXPIRATION") {
		t.Errorf("PENDING_DISCONNECT body %s", w.Body)
	}
	var exps []*time.Time
	for _, e := range sessionEntries(t, st, rep.RunID, store.KindCall) {
		if e.Call.Endpoint != "/item/get" {
			continue
		}
		var b struct {
			Item struct {
				Exp *time.Time `json:"consent_expiration_time"`
			} `json:"item"`
		}
		if err := json.Unmarshal(e.Call.ResponseBody, &b); err != nil {
			t.Fatal(err)
		}
		exps = append(exps, b.Item.Exp)
	}
	// item-get-expiring, verify-renewed (pick-item made a new Item: no
	// /item/get).
	if len(exps) != 2 || exps[0] == nil || exps[1] == nil {
		t.Fatalf("/item/get consent_expiration_time over the run: %v", exps)
	}
	if !exps[0].Equal(hook.Exp) {
		t.Errorf("/item/get says %v, the webhook said %v", exps[0], hook.Exp)
	}
	if !exps[1].After(exps[0].Add(300 * 24 * time.Hour)) {
		t.Errorf("consent not renewed: %v after update mode, %v before", exps[1], exps[0])
	}
	for _, s := range rep.Steps {
		if s.Status != "ok" {
			t.Errorf("step %+v", s)
		}
	}
}
