package flows

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// factValues lists a step's facts with the label.
func factValues(rep Report, r *Run, step, label string) []string {
	for i, s := range r.Flow().Steps {
		if s.Name != step {
			continue
		}
		var out []string
		for _, f := range r.Result(i).Facts {
			if f.Label == label {
				out = append(out, f.Value)
			}
		}
		return out
	}
	return nil
}

// runTxn runs the transactions flow and keeps the run open for the
// caller to inspect; it is closed at the test's end.
func runTxn(t *testing.T, env *testEnv) (*Run, Report) {
	t.Helper()
	f, ok := FlowByName("transactions")
	if !ok {
		t.Fatal("no flow transactions")
	}
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	c := collect(r)
	rep := r.RunAll(testwait.Context(t))
	c.waitFinished(t)
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("closing the run: %v", err)
		}
		c.wait(t)
	})
	return r, rep
}

func TestTransactionsFlowOffline(t *testing.T) {
	headlesstest.Need(t)
	env := newTestEnv(t, BrowserAuto)
	r, rep := runTxn(t, env)
	if !rep.OK {
		t.Fatalf("transactions failed: %s\nsteps: %v", rep.Error, stepNames(rep))
	}
	want := []string{"create-link-token=ok", "open-link=ok", "exchange-public-token=ok", "wait-webhooks=ok", "sync-initial=ok", "change-transactions=ok", "sync-changes=ok"}
	if got := stepNames(rep); !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	// The token asked for Transactions, with the receiver as webhook.
	calls := checkCallsHaveRequestIDs(t, env.Store, rep.RunID)
	var create *store.APICall
	for _, e := range calls {
		if e.Call.Endpoint == "/link/token/create" {
			create = e.Call
		}
	}
	if create == nil {
		t.Fatal("no /link/token/create recorded")
	}
	var body struct {
		Products []string `json:"products"`
		Webhook  string   `json:"webhook"`
	}
	if err := json.Unmarshal(create.RequestBody, &body); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(body.Products, []string{"transactions"}) || body.Webhook != env.WebhookURL() {
		t.Errorf("/link/token/create sent products %v, webhook %q; want [transactions] and %q", body.Products, body.Webhook, env.WebhookURL())
	}

	// Paging showed: the first pass took several pages of TxnSyncCount.
	pages := factValues(rep, r, "sync-initial", "page 2")
	if len(pages) != 1 || !strings.Contains(pages[0], "has_more") {
		t.Errorf("the first pass has no second page: %v", factValues(rep, r, "sync-initial", "pass"))
	}
	syncs := 0
	for _, e := range calls {
		if e.Call.Endpoint == "/transactions/sync" {
			syncs++
			var req struct {
				Count int `json:"count"`
			}
			_ = json.Unmarshal(e.Call.RequestBody, &req)
			if req.Count != TxnSyncCount {
				t.Errorf("/transactions/sync sent count %d, want %d", req.Count, TxnSyncCount)
			}
		}
	}
	if syncs < 3 {
		t.Errorf("%d /transactions/sync calls, want at least 3 (two pages, then the second sync)", syncs)
	}

	// Every TRANSACTIONS webhook the lesson waited for was verified.
	whs := entries(t, env.Store, store.Filter{SessionID: rep.RunID, Kind: store.KindWebhook})
	seen := map[string]int{}
	for _, e := range whs {
		w := e.Webhook
		if w.WebhookType != "TRANSACTIONS" {
			continue
		}
		if !strings.HasPrefix(w.Signature, SignatureVerified) {
			t.Errorf("webhook %s: signature %q, want verified", w.WebhookCode, w.Signature)
		}
		seen[w.WebhookCode]++
	}
	for _, c := range []string{"INITIAL_UPDATE", "HISTORICAL_UPDATE", "DEFAULT_UPDATE", "TRANSACTIONS_REMOVED"} {
		if seen[c] != 1 {
			t.Errorf("webhook %s recorded %d times, want 1 (all: %v)", c, seen[c], seen)
		}
	}
	if seen["SYNC_UPDATES_AVAILABLE"] != 2 {
		t.Errorf("SYNC_UPDATES_AVAILABLE recorded %d times, want 2 (after the first sync and after the change): %v", seen["SYNC_UPDATES_AVAILABLE"], seen)
	}

	// The second sync brought exactly what the change step changed, as the
	// emulator holds it.
	changed, last := r.TxnChanged(), r.TxnLast()
	if changed == nil || last == nil {
		t.Fatal("no change set or last pass")
	}
	if len(changed.Added) != 2 || len(changed.Modified) != 1 || len(changed.Removed) != 1 {
		t.Fatalf("changed %+v, want 2 added, 1 modified, 1 removed", changed)
	}
	if d := diffChanges(*changed, last.Changes); d != "" {
		t.Errorf("second sync: %s", d)
	}
	current, err := env.Control.ItemTransactions(context.Background(), r.ItemID())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]ControlTxn{}
	for _, tx := range current {
		byID[tx.TransactionID] = tx
	}
	for _, id := range changed.Added {
		if _, ok := byID[id]; !ok {
			t.Errorf("added %s is not among the Item's transactions", id)
		}
	}
	if _, ok := byID[changed.Removed[0]]; ok {
		t.Errorf("removed %s is still among the Item's transactions", changed.Removed[0])
	}
	if m := byID[changed.Modified[0]]; !strings.HasSuffix(m.Name, "(posted)") {
		t.Errorf("modified %s is %q in the emulator", changed.Modified[0], m.Name)
	}
	// The app's copy matches the emulator's.
	r.mu.Lock()
	known := len(r.st.txn.known)
	r.mu.Unlock()
	if known != len(current) {
		t.Errorf("the app's copy holds %d transactions, the emulator %d", known, len(current))
	}
}

// TestTransactionsFlowPlaidMode runs the lesson as against real Plaid (the
// emulator standing in for the Sandbox, no receiver for webhooks): the
// Item comes from /sandbox/public_token/create, readiness from polling
// /transactions/get, and the change is /transactions/refresh.
func TestTransactionsFlowPlaidMode(t *testing.T) {
	env := newTestEnvMode(t, BrowserAuto, ModePlaid)
	r, rep := runTxn(t, env)
	if !rep.OK {
		t.Fatalf("transactions (plaid mode) failed: %s\nsteps: %v", rep.Error, stepNames(rep))
	}
	calls := checkCallsHaveRequestIDs(t, env.Store, rep.RunID)
	var eps []string
	for _, e := range calls {
		eps = append(eps, e.Call.Endpoint)
	}
	for _, want := range []string{"/sandbox/public_token/create", "/transactions/get", "/transactions/refresh", "/transactions/sync"} {
		if !slices.Contains(eps, want) {
			t.Errorf("no %s call; calls: %v", want, eps)
		}
	}
	if v := factValues(rep, r, "change-transactions", "real Sandbox"); len(v) != 1 {
		t.Errorf("the change step does not say what real Sandbox does: %v", v)
	}
	if last := r.TxnLast(); last == nil || len(last.Changes.Added)+len(last.Changes.Modified)+len(last.Changes.Removed) != 0 {
		t.Errorf("the second sync against an unchanged Item found changes: %+v", last)
	}
}

// TestTransactionsWebhookNeverComes: a wait for a webhook that never
// comes ends with a message that names it, not a hang.
func TestTransactionsWebhookNeverComes(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	old := txnWebhookWait
	txnWebhookWait = 50 * time.Millisecond
	t.Cleanup(func() { txnWebhookWait = old })
	f, _ := FlowByName("transactions")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	c := collect(r)
	t.Cleanup(func() { _ = r.Close(); c.wait(t) })
	ctx := testwait.Context(t)
	// An Item with Transactions but no webhook, made without Link.
	tr := r.TokenRequest()
	tr.Products, tr.Webhook = []string{"transactions"}, ""
	if err := r.SetTokenRequest(tr); err != nil {
		t.Fatal(err)
	}
	if err := r.sandboxItem(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.exchange(ctx); err != nil {
		t.Fatal(err)
	}
	// The receiver is still the run's token webhook, so the step waits.
	tr.Webhook = env.WebhookURL()
	_ = r.SetTokenRequest(tr)
	err = waitInitialWebhooks(ctx, r)
	if err == nil || !strings.Contains(err.Error(), "no TRANSACTIONS INITIAL_UPDATE or HISTORICAL_UPDATE webhook") || !strings.Contains(err.Error(), "retry the step") {
		t.Fatalf("err = %v, want the missing webhooks named", err)
	}
}
