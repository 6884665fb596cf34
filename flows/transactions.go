package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

// The Transactions lesson: an Item with Transactions, the webhooks Plaid
// sends as its data comes in (each signature verified), /transactions/sync
// paged with its cursor, then changed data (added, modified, removed) and a
// second sync from the saved cursor that finds exactly those changes.

// TxnSyncCount is the count the lesson asks /transactions/sync for: small,
// so that the first pass takes several pages and the paging shows.
const TxnSyncCount = 10

// txnWebhookWait bounds each wait for a webhook. Offline the emulator sends
// them within milliseconds (and retries a failed delivery after 1 s and
// 4 s); the bound is there so that a webhook that never comes ends the
// step with a message rather than a hang.
var txnWebhookWait = 60 * time.Second

// txnMaxPages bounds one sync pass, against a cursor that never ends.
const txnMaxPages = 1000

// txnMaxRestarts bounds the restarts of a pass that meets
// TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION.
const txnMaxRestarts = 3

const mutationDuringPagination = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"

// txnState is what the lesson's steps hand on.
type txnState struct {
	cursor string // the saved cursor: next_cursor of the last complete pass
	synced bool   // a pass completed (the cursor is saved)
	// known is the app's copy of the Item's transactions, by id.
	known map[string]plaid.Transaction
	// changed is what the change step did (offline: exactly; with Plaid,
	// nothing is known in advance).
	changed *TxnChangeSet
	// changeMark is len(webhooks) before the change, so the wait after it
	// sees only the webhooks it caused.
	changeMark int
	// last is the last pass, for the summary and tests.
	last *TxnPass
}

// TxnChangeSet is a set of transaction ids added, modified and removed.
type TxnChangeSet struct {
	Added    []string `json:"added"`
	Modified []string `json:"modified"`
	Removed  []string `json:"removed"`
}

// TxnPass is one sync pass: every page from a cursor until has_more is
// false.
type TxnPass struct {
	From       string // the cursor it started from ("" the first time)
	Pages      int
	Restarts   int // restarts after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION
	Changes    TxnChangeSet
	NextCursor string
}

func transactionsFlow() *Flow {
	create := createTokenStep("Create a link_token with Transactions and a webhook", false)
	create.Explain = "Your server calls /link/token/create with products [\"transactions\"] and a webhook: the URL " +
		"where Plaid will POST the Item's TRANSACTIONS webhooks (offline, linkexplorer's own receiver on the callback " +
		"server). Without a webhook your app must poll; with one, Plaid tells it when there is data to fetch. The " +
		"webhook given here becomes the Item's; /item/webhook/update changes it later."
	return &Flow{
		DemoOnRequest: true,
		Products:      []string{"transactions"},
		Name:          "transactions",
		Title:         "Transactions: webhooks and /transactions/sync",
		Summary: "An Item with Transactions: Plaid pulls its history in the background and says so with webhooks " +
			"(INITIAL_UPDATE, HISTORICAL_UPDATE, then SYNC_UPDATES_AVAILABLE), each signed with a Plaid-Verification " +
			"JWT your receiver must check. Your app pages /transactions/sync with a cursor until has_more is false, " +
			"saves the last next_cursor, and on each SYNC_UPDATES_AVAILABLE syncs again from it to get exactly what " +
			"was added, modified and removed since.",
		Steps: []Step{
			create,
			openLinkStep("open-link", "Open Link and wait for onSuccess", "transactions: link a new Item",
				"Opens the callback page, which fetches the link_token and calls Plaid.create. Link the Item as usual "+
					"(user_good / pass_good at "+sandboxInstitutionName+"). The moment Link creates the Item, Plaid "+
					"starts pulling its transactions: the first webhooks may arrive before your server has even "+
					"exchanged the public_token, so a receiver must accept webhooks for Items it does not know yet."),
			exchangeStep(),
			{
				Name: "wait-webhooks", Title: "Receive INITIAL_UPDATE and HISTORICAL_UPDATE (verified)", Kind: StepAPI,
				Endpoint: "/webhook_verification_key/get",
				Explain: "Waits for the TRANSACTIONS webhooks of the new Item: INITIAL_UPDATE (the last 30 days are " +
					"ready) and HISTORICAL_UPDATE (all of its history is), each with new_transactions. Each one's " +
					"Plaid-Verification header is a JWT (ES256) whose kid names the key to fetch with " +
					"/webhook_verification_key/get; the signature must verify, iat be at most 5 minutes old, and " +
					"request_body_sha256 match the body as received. An unverified webhook is only a hint. " +
					"SYNC_UPDATES_AVAILABLE comes only once /transactions/sync has been called for the Item: next step. " +
					"Plaid sends nothing to loopback: against real Plaid, without a reachable webhook, this step polls " +
					"/transactions/get until it stops answering PRODUCT_NOT_READY.",
				do: waitInitialWebhooks,
			},
			{
				Name: "sync-initial", Title: "Page /transactions/sync from an empty cursor", Kind: StepAPI,
				Endpoint: "/transactions/sync",
				Explain: fmt.Sprintf("Calls /transactions/sync with no cursor and count %d, then with each next_cursor "+
					"until has_more is false; the first pass brings the whole history as added. Save the last "+
					"next_cursor with the Item: the next sync starts there (an empty cursor re-sends everything). On "+
					"TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, restart the pass from its first cursor. This first "+
					"call subscribes the Item to SYNC_UPDATES_AVAILABLE, which the step then waits for.", TxnSyncCount),
				do: syncInitial,
			},
			{
				Name: "change-transactions", Title: "Change the data: add, modify, remove", Kind: StepAPI,
				Endpoint: "/transactions/refresh",
				Explain: "Offline, the emulator's control API (POST /__emulator/items/{item_id}/transactions) adds two " +
					"transactions, modifies one (a new amount and name, as when a pending charge posts) and removes " +
					"one, as a bank does; the emulator then sends DEFAULT_UPDATE, TRANSACTIONS_REMOVED and " +
					"SYNC_UPDATES_AVAILABLE, which the step waits for. Against real Plaid there is no way to edit " +
					"a Sandbox Item's transactions in this API version: the step calls /transactions/refresh (Plaid " +
					"checks the bank now), which for user_good rarely finds anything new; the Sandbox user " +
					"user_transactions_dynamic has transactions that do change on refresh.",
				do: changeTransactions,
			},
			{
				Name: "sync-changes", Title: "Sync again from the saved cursor", Kind: StepAPI,
				Endpoint: "/transactions/sync",
				Explain: "Calls /transactions/sync from the cursor saved by the first pass: only what changed since " +
					"comes back. added are new transactions (insert them), modified are ones whose fields changed " +
					"(update them by transaction_id), removed are ids to delete. Offline the step checks they are " +
					"exactly the changes just made. Save the new next_cursor: the next SYNC_UPDATES_AVAILABLE " +
					"starts from it.",
				do: syncChanges,
			},
		},
	}
}

// TxnLast is the lesson's last sync pass, or nil.
func (r *Run) TxnLast() *TxnPass {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.txn.last == nil {
		return nil
	}
	p := *r.st.txn.last
	return &p
}

// TxnChanged is what the change step changed, or nil.
func (r *Run) TxnChanged() *TxnChangeSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.txn.changed == nil {
		return nil
	}
	c := *r.st.txn.changed
	return &c
}

// waitWebhooks waits until a TRANSACTIONS webhook with each of codes has
// arrived for the run's Item after mark (webhookMark), and returns them in
// codes' order. It fails when one never comes within txnWebhookWait, or
// comes with a signature that does not verify.
func (r *Run) waitWebhooks(ctx context.Context, mark int, codes ...string) ([]WebhookReceived, error) {
	_, item, err := r.access()
	if err != nil {
		return nil, err
	}
	found := make([]WebhookReceived, len(codes))
	var missing []string
	err = r.awaitWebhooks(ctx, mark, txnWebhookWait, func(since []WebhookReceived) bool {
		missing = missing[:0]
		for i, c := range codes {
			j := slices.IndexFunc(since, func(wh WebhookReceived) bool {
				return wh.WebhookType == "TRANSACTIONS" && wh.WebhookCode == c && wh.ItemID == item
			})
			if j < 0 {
				missing = append(missing, c)
				continue
			}
			found[i] = since[j]
		}
		return len(missing) == 0
	})
	if errors.Is(err, errWebhookWait) {
		tr := r.TokenRequest()
		return nil, fmt.Errorf("no TRANSACTIONS %s webhook for item %s within %s: Plaid sends it to the Item's webhook (%s); check that the link_token was created with that webhook and with products [\"transactions\"], then retry the step",
			strings.Join(missing, " or "), item, txnWebhookWait, orNone(tr.Webhook))
	}
	if err != nil {
		return nil, err
	}
	for _, wh := range found {
		if !strings.HasPrefix(wh.Signature, SignatureVerified) {
			return found, fmt.Errorf("webhook TRANSACTIONS %s arrived, but its Plaid-Verification signature is %s: a receiver must not act on it; check that it came from Plaid (the emulator or the API host configured)", wh.WebhookCode, wh.Signature)
		}
	}
	return found, nil
}

// webhookFacts shows each webhook with its fields and its verified
// signature.
func (r *Run) webhookFacts(whs []WebhookReceived) {
	for _, wh := range whs {
		var b map[string]any
		_ = json.Unmarshal(wh.Body, &b)
		var parts []string
		for _, k := range []string{"new_transactions", "removed_transactions", "initial_update_complete", "historical_update_complete"} {
			if v, ok := b[k]; ok {
				if l, ok := v.([]any); ok {
					v = fmt.Sprint(l)
					if len(l) > 3 {
						v = fmt.Sprintf("%d ids", len(l))
					}
				}
				parts = append(parts, fmt.Sprintf("%s %v", k, v))
			}
		}
		sig := wh.Signature
		if strings.HasPrefix(sig, SignatureVerified) {
			sig = SignatureVerified // the kid is in the signature's own fact
		}
		r.fact(wh.WebhookCode, strings.Join(append([]string{"signature " + sig}, parts...), " · "))
	}
}

// receivesWebhooks reports whether this process sees the run's webhooks:
// offline always; against real Plaid never (Plaid cannot reach loopback).
func (r *Run) receivesWebhooks() bool {
	tr := r.TokenRequest()
	return r.env.WebhookURL() != "" && tr.Webhook == r.env.WebhookURL()
}

func waitInitialWebhooks(ctx context.Context, r *Run) error {
	if _, _, err := r.access(); err != nil {
		return err
	}
	if !r.receivesWebhooks() {
		return pollTransactionsReady(ctx, r)
	}
	whs, err := r.waitWebhooks(ctx, 0, "INITIAL_UPDATE", "HISTORICAL_UPDATE")
	if err != nil {
		return err
	}
	r.webhookFacts(whs)
	return r.fetchVerificationKey(ctx, whs[0])
}

// fetchVerificationKey calls /webhook_verification_key/get for the kid of
// a verified webhook, as a receiver does for a kid it has not cached: the
// code view of the step shows that call.
func (r *Run) fetchVerificationKey(ctx context.Context, wh WebhookReceived) error {
	_, rest, ok := strings.Cut(wh.Signature, "(kid ")
	kid := strings.TrimSuffix(rest, ")")
	if !ok || kid == "" {
		return nil
	}
	resp, _, err := r.api().WebhookVerificationKeyGet(ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(kid)).Execute()
	if err != nil {
		return AsAPIError("/webhook_verification_key/get", err)
	}
	key := resp.GetKey()
	r.fact("verification key", fmt.Sprintf("kid %s: %s %s, %s (cache it by kid; fetch again for a kid you do not know)", kid, key.GetKty(), key.GetCrv(), key.GetAlg()))
	return nil
}

// pollTransactionsReady stands in for the webhooks when this process
// cannot receive them (real Plaid): /transactions/get answers
// PRODUCT_NOT_READY until the first pull is done.
func pollTransactionsReady(ctx context.Context, r *Run) error {
	tok, _, err := r.access()
	if err != nil {
		return err
	}
	tr := r.TokenRequest()
	if tr.Webhook != "" {
		r.fact("webhooks", "Plaid sends them to "+tr.Webhook+", which linkexplorer does not read: check them there")
	} else {
		r.fact("webhooks", "none: real Plaid cannot reach linkexplorer's loopback receiver, so this run polls instead")
	}
	deadline := time.Now().Add(txnWebhookWait)
	delay := time.Second
	end := time.Now()
	start := end.AddDate(0, 0, -30)
	for attempt := 1; ; attempt++ {
		req := plaid.NewTransactionsGetRequest(tok, start.Format(time.DateOnly), end.Format(time.DateOnly))
		opts := plaid.NewTransactionsGetRequestOptions()
		opts.SetCount(1)
		req.SetOptions(*opts)
		resp, _, err := r.api().TransactionsGet(ctx).TransactionsGetRequest(*req).Execute()
		if err == nil {
			r.fact("ready", fmt.Sprintf("/transactions/get answered after %d call(s): %d transactions in the last 30 days", attempt, resp.GetTotalTransactions()))
			return nil
		}
		ae := AsAPIError("/transactions/get", err)
		var apiErr *APIError
		if !errors.As(ae, &apiErr) || apiErr.Code != "PRODUCT_NOT_READY" {
			return ae
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("transactions were still not ready after %s (PRODUCT_NOT_READY, request_id %s): Plaid is still pulling the Item's history; retry the step in a minute", txnWebhookWait, apiErr.RequestID)
		}
		r.note("PRODUCT_NOT_READY (request_id %s): Plaid is still pulling; asking again in %s", apiErr.RequestID, delay)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 8*time.Second)
	}
}

// syncPass pages /transactions/sync from cursor until has_more is false,
// restarting the pass from its first cursor on
// TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION. It applies the pass to the
// app's copy and saves the cursor only once the pass is complete.
func (r *Run) syncPass(ctx context.Context, from string) (*TxnPass, error) {
	tok, _, err := r.access()
	if err != nil {
		return nil, err
	}
	pass := &TxnPass{From: from}
	var added, modified []plaid.Transaction
	cursor := from
	for page := 1; ; page++ {
		if page > txnMaxPages {
			return nil, fmt.Errorf("/transactions/sync still had has_more after %d pages: stopping; retry the step", txnMaxPages)
		}
		req := plaid.NewTransactionsSyncRequest(tok)
		if cursor != "" {
			req.SetCursor(cursor)
		}
		req.SetCount(TxnSyncCount)
		resp, _, err := r.api().TransactionsSync(ctx).TransactionsSyncRequest(*req).Execute()
		if err != nil {
			ae := AsAPIError("/transactions/sync", err)
			var apiErr *APIError
			if errors.As(ae, &apiErr) && apiErr.Code == mutationDuringPagination && pass.Restarts < txnMaxRestarts {
				pass.Restarts++
				r.note("%s (request_id %s): the data changed mid-pass; restarting the pass from its first cursor, as Plaid requires", mutationDuringPagination, apiErr.RequestID)
				r.fact("restart", fmt.Sprintf("page %d: %s; the pass starts again from its first cursor", page, mutationDuringPagination))
				cursor, page, added, modified, pass.Changes = from, 0, nil, nil, TxnChangeSet{}
				continue
			}
			return nil, ae
		}
		if err := requireFields("/transactions/sync", resp.GetRequestId(), "next_cursor", resp.GetNextCursor()); err != nil {
			return nil, err
		}
		pass.Pages = page
		for _, t := range resp.GetAdded() {
			added = append(added, t)
			pass.Changes.Added = append(pass.Changes.Added, t.GetTransactionId())
		}
		for _, t := range resp.GetModified() {
			modified = append(modified, t)
			pass.Changes.Modified = append(pass.Changes.Modified, t.GetTransactionId())
		}
		for _, t := range resp.GetRemoved() {
			pass.Changes.Removed = append(pass.Changes.Removed, t.GetTransactionId())
		}
		if page == 1 {
			r.fact("each page", "has_more · +added ~modified -removed · next_cursor's end")
		}
		r.fact(fmt.Sprintf("page %d", page), fmt.Sprintf("has_more %v · +%d ~%d -%d · …%s",
			resp.GetHasMore(), len(resp.GetAdded()), len(resp.GetModified()), len(resp.GetRemoved()), cursorEnd(resp.GetNextCursor())))
		cursor = resp.GetNextCursor()
		if !resp.GetHasMore() {
			break
		}
	}
	pass.NextCursor = cursor
	r.mu.Lock()
	if r.st.txn.known == nil {
		r.st.txn.known = map[string]plaid.Transaction{}
	}
	for _, t := range added {
		r.st.txn.known[t.GetTransactionId()] = t
	}
	for _, t := range modified {
		r.st.txn.known[t.GetTransactionId()] = t
	}
	for _, id := range pass.Changes.Removed {
		delete(r.st.txn.known, id)
	}
	r.st.txn.cursor, r.st.txn.synced = cursor, true
	r.st.txn.last = pass
	known := len(r.st.txn.known)
	r.mu.Unlock()
	r.fact("saved cursor", cursor)
	r.fact("the app's copy", fmt.Sprintf("%d transactions; the cursor is stored with them, and the next sync starts from it", known))
	return pass, nil
}

// cursorEnd is a cursor's last characters, enough to tell pages apart.
func cursorEnd(c string) string {
	return c[max(len(c)-8, 0):]
}

// shortCursor shows a cursor whole when short, else its two ends.
func shortCursor(c string) string {
	if c == "" {
		return `""`
	}
	if len(c) <= 40 {
		return c
	}
	return c[:18] + "…" + c[len(c)-18:]
}

func syncInitial(ctx context.Context, r *Run) error {
	mark := r.webhookMark()
	r.mu.Lock()
	from := r.st.txn.cursor
	r.mu.Unlock()
	if from != "" {
		r.note("a cursor is saved already: this pass starts from it, as an app's next sync would (an empty cursor would re-send everything)")
	}
	pass, err := r.syncPass(ctx, from)
	if err != nil {
		return err
	}
	r.fact("pass", fmt.Sprintf("%d page(s) of at most %d: %d added, %d modified, %d removed",
		pass.Pages, TxnSyncCount, len(pass.Changes.Added), len(pass.Changes.Modified), len(pass.Changes.Removed)))
	if !r.receivesWebhooks() {
		r.fact("SYNC_UPDATES_AVAILABLE", "Plaid sends it to the Item's webhook now that /transactions/sync was called; linkexplorer cannot receive it here")
		return nil
	}
	// The first sync subscribes the Item: SYNC_UPDATES_AVAILABLE follows.
	// A sync repeated (b, then enter) may not bring one: only the first
	// does, so an earlier one counts.
	if from != "" {
		mark = 0
	}
	whs, err := r.waitWebhooks(ctx, mark, "SYNC_UPDATES_AVAILABLE")
	if err != nil {
		return err
	}
	r.webhookFacts(whs)
	return nil
}

// txnChangePlan picks what the change step changes: two new transactions,
// the first known transaction modified and the second removed.
func (r *Run) txnChangePlan() (TxnChanges, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.st.txn.synced || len(r.st.txn.known) < 2 {
		return TxnChanges{}, &PrereqError{Needs: "cursor", Message: "no synced transactions yet: run the first /transactions/sync step first"}
	}
	ids := make([]string, 0, len(r.st.txn.known))
	for id := range r.st.txn.known {
		ids = append(ids, id)
	}
	// The oldest posted transactions, in a stable order.
	slices.SortFunc(ids, func(a, b string) int {
		ta, tb := r.st.txn.known[a], r.st.txn.known[b]
		if c := strings.Compare(ta.GetDate(), tb.GetDate()); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	mod := r.st.txn.known[ids[0]]
	name := mod.GetName() + " (posted)"
	amount := mod.GetAmount() + 1.25
	return TxnChanges{
		Add: []TxnAdd{
			{Name: "Corner Bakery", Amount: 7.25, MerchantName: "Corner Bakery"},
			{Name: "Payroll Deposit", Amount: -1250},
		},
		Modify: []TxnModify{{TransactionID: ids[0], Name: &name, Amount: &amount}},
		Remove: []string{ids[1]},
	}, nil
}

func changeTransactions(ctx context.Context, r *Run) error {
	tok, item, err := r.access()
	if err != nil {
		return err
	}
	if r.env.Control == nil {
		resp, _, err := r.api().TransactionsRefresh(ctx).TransactionsRefreshRequest(*plaid.NewTransactionsRefreshRequest(tok)).Execute()
		if err != nil {
			return AsAPIError("/transactions/refresh", err)
		}
		if err := requireFields("/transactions/refresh", resp.GetRequestId()); err != nil {
			return err
		}
		r.fact("refresh", "requested: Plaid checks the bank now and sends SYNC_UPDATES_AVAILABLE if it finds changes")
		r.fact("real Sandbox", "this API version has no endpoint to edit a Sandbox Item's transactions; user_good's rarely change, user_transactions_dynamic's do on refresh")
		return nil
	}
	plan, err := r.txnChangePlan()
	if err != nil {
		return err
	}
	mark := r.webhookMark()
	got, err := r.env.Control.ChangeTransactions(ctx, item, plan)
	if err != nil {
		return fmt.Errorf("changing the Item's transactions through the emulator's control API: %w", err)
	}
	set := &TxnChangeSet{Removed: got.Removed}
	for _, t := range got.Added {
		set.Added = append(set.Added, t.TransactionID)
		r.fact("added", fmt.Sprintf("%s: %s %.2f on %s", t.TransactionID, t.Name, t.Amount, t.Date))
	}
	for _, t := range got.Modified {
		set.Modified = append(set.Modified, t.TransactionID)
		r.fact("modified", fmt.Sprintf("%s: now %s %.2f", t.TransactionID, t.Name, t.Amount))
	}
	for _, id := range got.Removed {
		r.fact("removed", id)
	}
	r.mu.Lock()
	r.st.txn.changed, r.st.txn.changeMark = set, mark
	r.mu.Unlock()
	codes := []string{"DEFAULT_UPDATE", "TRANSACTIONS_REMOVED", "SYNC_UPDATES_AVAILABLE"}
	if !r.receivesWebhooks() {
		return nil
	}
	whs, err := r.waitWebhooks(ctx, mark, codes...)
	if err != nil {
		return err
	}
	r.webhookFacts(whs)
	return nil
}

func syncChanges(ctx context.Context, r *Run) error {
	r.mu.Lock()
	from, synced, want := r.st.txn.cursor, r.st.txn.synced, r.st.txn.changed
	r.mu.Unlock()
	if !synced {
		return &PrereqError{Needs: "cursor", Message: "no saved cursor yet: run the first /transactions/sync step first"}
	}
	r.fact("from cursor", shortCursor(from))
	pass, err := r.syncPass(ctx, from)
	if err != nil {
		return err
	}
	got := pass.Changes
	r.fact("added", idList(got.Added))
	r.fact("modified", idList(got.Modified))
	r.fact("removed", idList(got.Removed))
	if want == nil {
		r.fact("summary", fmt.Sprintf("%d added, %d modified, %d removed since the saved cursor", len(got.Added), len(got.Modified), len(got.Removed)))
		return nil
	}
	if d := diffChanges(*want, got); d != "" {
		return fmt.Errorf("the sync from the saved cursor does not bring exactly the changes made: %s", d)
	}
	r.fact("summary", fmt.Sprintf("exactly the changes made: %d added, %d modified, %d removed, and nothing else; the new cursor is saved for the next SYNC_UPDATES_AVAILABLE",
		len(got.Added), len(got.Modified), len(got.Removed)))
	return nil
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// diffChanges says how got differs from want, "" when they hold the same
// ids.
func diffChanges(want, got TxnChangeSet) string {
	var out []string
	for _, k := range []struct {
		name      string
		want, got []string
	}{{"added", want.Added, got.Added}, {"modified", want.Modified, got.Modified}, {"removed", want.Removed, got.Removed}} {
		w, g := slices.Sorted(slices.Values(k.want)), slices.Sorted(slices.Values(k.got))
		if !slices.Equal(w, g) {
			out = append(out, fmt.Sprintf("%s is [%s], expected [%s]", k.name, strings.Join(g, ", "), strings.Join(w, ", ")))
		}
	}
	return strings.Join(out, "; ")
}
