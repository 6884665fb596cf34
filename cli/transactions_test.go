package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// TestBinaryRunTransactions runs the transactions lesson as the built
// binary, `run transactions --browser auto --json`, and checks the session
// log: every call has its request_id, the three TRANSACTIONS webhooks of the
// new Item arrived verified, and the second /transactions/sync pass (the
// calls after the change) brought exactly the ids the change step added,
// modified and removed.
func TestBinaryRunTransactions(t *testing.T) {
	headlesstest.Need(t)
	dir := t.TempDir()
	code, out, errOut := execBinary(t, "run", "transactions", "--browser", "auto", "--json", "--state-dir", dir)
	var rep flows.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report (%v):\n%s\nstderr:\n%s", err, out, errOut)
	}
	if code != exitOK || !rep.OK || rep.Flow != "transactions" || rep.ItemID == "" {
		t.Fatalf("run transactions: exit %d, ok=%v, error %q\nstderr:\n%s", code, rep.OK, rep.Error, errOut)
	}

	// What the change step changed, from its facts in the report.
	var want flows.TxnChangeSet
	for _, s := range rep.Steps {
		if s.Name != "change-transactions" {
			continue
		}
		for _, f := range s.Facts {
			id, _, _ := strings.Cut(f.Value, ":")
			switch f.Label {
			case "added":
				want.Added = append(want.Added, id)
			case "modified":
				want.Modified = append(want.Modified, id)
			case "removed":
				want.Removed = append(want.Removed, id)
			}
		}
	}
	if len(want.Added) != 2 || len(want.Modified) != 1 || len(want.Removed) != 1 {
		t.Fatalf("the change step reports %+v, want 2 added, 1 modified, 1 removed", want)
	}

	st := openStore(t, dir)
	entries := allEntriesWithBodies(t, st, store.Filter{SessionID: rep.RunID})
	if len(entries) == 0 {
		t.Fatal("the session log holds nothing for the run")
	}
	var changeAt int // index of the first webhook the change caused
	verified := map[string]int{}
	var syncs []*store.APICall
	for _, e := range entries {
		switch {
		case e.Call != nil:
			if e.Call.RequestID == "" {
				t.Errorf("call %s (HTTP %d) has no request_id", e.Call.Endpoint, e.Call.HTTPStatus)
			}
			if e.Call.Endpoint == "/transactions/sync" {
				syncs = append(syncs, e.Call)
			}
		case e.Webhook != nil && e.Webhook.WebhookType == "TRANSACTIONS":
			w := e.Webhook
			if w.ItemID != rep.ItemID {
				t.Errorf("webhook %s for item %s, want %s", w.WebhookCode, w.ItemID, rep.ItemID)
			}
			if !strings.HasPrefix(w.Signature, flows.SignatureVerified) {
				t.Errorf("webhook %s: signature %q, want verified", w.WebhookCode, w.Signature)
				continue
			}
			verified[w.WebhookCode]++
			if w.WebhookCode == "SYNC_UPDATES_AVAILABLE" {
				var b map[string]any
				if err := json.Unmarshal(w.Body, &b); err != nil || b["initial_update_complete"] != true || b["historical_update_complete"] != true {
					t.Errorf("SYNC_UPDATES_AVAILABLE body %s: want initial_update_complete and historical_update_complete true", w.Body)
				}
			}
			if w.WebhookCode == "TRANSACTIONS_REMOVED" && changeAt == 0 {
				changeAt = len(syncs)
			}
		}
	}
	for _, c := range []string{"INITIAL_UPDATE", "HISTORICAL_UPDATE", "SYNC_UPDATES_AVAILABLE"} {
		if verified[c] == 0 {
			t.Errorf("no verified %s webhook in the session log: %v", c, verified)
		}
	}
	if changeAt < 2 || changeAt >= len(syncs) {
		t.Fatalf("%d /transactions/sync calls, %d before the change: want a paged first pass, then a second", len(syncs), changeAt)
	}

	// The second pass: the sync calls after the change.
	var got flows.TxnChangeSet
	for _, c := range syncs[changeAt:] {
		var body struct {
			Added []struct {
				TransactionID string `json:"transaction_id"`
			} `json:"added"`
			Modified []struct {
				TransactionID string `json:"transaction_id"`
			} `json:"modified"`
			Removed []struct {
				TransactionID string `json:"transaction_id"`
			} `json:"removed"`
		}
		if err := json.Unmarshal(c.ResponseBody, &body); err != nil {
			t.Fatalf("/transactions/sync response %q: %v", c.ResponseBody, err)
		}
		for _, x := range body.Added {
			got.Added = append(got.Added, x.TransactionID)
		}
		for _, x := range body.Modified {
			got.Modified = append(got.Modified, x.TransactionID)
		}
		for _, x := range body.Removed {
			got.Removed = append(got.Removed, x.TransactionID)
		}
	}
	for _, k := range []struct {
		name      string
		want, got []string
	}{{"added", want.Added, got.Added}, {"modified", want.Modified, got.Modified}, {"removed", want.Removed, got.Removed}} {
		slices.Sort(k.want)
		slices.Sort(k.got)
		if !slices.Equal(k.want, k.got) {
			t.Errorf("second sync %s %v, want %v (what the change step did)", k.name, k.got, k.want)
		}
	}

	sess, err := st.Session(t.Context(), rep.RunID)
	if err != nil || sess.Status != store.SessionOK || sess.Kind != "flow:transactions" {
		t.Errorf("session %+v, %v", sess, err)
	}
}

// allEntriesWithBodies returns every entry matching f, oldest first, with
// request and response bodies.
func allEntriesWithBodies(t *testing.T, st *store.Store, f store.Filter) []store.Entry {
	t.Helper()
	var out []store.Entry
	q := store.Query{Filter: f, Limit: store.MaxPageSize, Bodies: true}
	for {
		page, err := st.Entries(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Entries...)
		if !page.More {
			slices.Reverse(out)
			return out
		}
		q.Before = page.Next
	}
}
