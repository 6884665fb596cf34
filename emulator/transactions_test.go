package emulator

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// syncAll pages /transactions/sync from cursor to the end.
func syncAll(t *testing.T, h *harness, access, cursor string) (added, modified []plaid.Transaction, removed []string, next string) {
	t.Helper()
	for range 100 {
		req := plaid.NewTransactionsSyncRequest(access)
		if cursor != "" {
			req.SetCursor(cursor)
		}
		req.SetCount(10)
		page := res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*req).Execute()).must(t)
		added = append(added, page.Added...)
		modified = append(modified, page.Modified...)
		for _, r := range page.Removed {
			removed = append(removed, r.GetTransactionId())
		}
		cursor = page.NextCursor
		if !page.HasMore {
			return added, modified, removed, cursor
		}
	}
	t.Fatal("sync never ends")
	return
}

func txnIDs(ts []plaid.Transaction) []string {
	out := make([]string, len(ts))
	for i, tx := range ts {
		out[i] = tx.TransactionId
	}
	return out
}

// TestTransactionsCreationWebhooks: an Item created with Transactions and
// a webhook gets INITIAL_UPDATE (the last 30 days) and HISTORICAL_UPDATE
// (everything), valid per the schema; the first sync then brings
// SYNC_UPDATES_AVAILABLE.
func TestTransactionsCreationWebhooks(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"), plaid.PRODUCTS_TRANSACTIONS)
	got := recv.collect(t, "INITIAL_UPDATE", "HISTORICAL_UPDATE")
	checkWebhookSchema(t, "InitialUpdateWebhook", got["INITIAL_UPDATE"])
	checkWebhookSchema(t, "HistoricalUpdateWebhook", got["HISTORICAL_UPDATE"])
	initial, historical := got["INITIAL_UPDATE"]["new_transactions"].(float64), got["HISTORICAL_UPDATE"]["new_transactions"].(float64)
	added, _, _, _ := syncAll(t, h, access, "")
	if got["HISTORICAL_UPDATE"]["item_id"] != itemID || int(historical) != len(added) || initial <= 0 || initial >= historical {
		t.Errorf("INITIAL_UPDATE %v, HISTORICAL_UPDATE %v, %d transactions", initial, historical, len(added))
	}
	b := recv.nextCode(t, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
	checkWebhookSchema(t, "SyncUpdatesAvailableWebhook", b)

	// An Item without Transactions sends none of them.
	h.newItem(recv.url("/quiet"), plaid.PRODUCTS_AUTH)
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	if b := recv.next(t); b["webhook_code"] != "ERROR" {
		t.Errorf("want only ITEM ERROR, got %v", b)
	}
}

// TestTransactionsChangesAndCursorAcrossRestart: changes made through the
// control API reach /transactions/sync as added, modified and removed,
// after the cursor, also when the emulator restarts in between; webhooks
// announce them.
func TestTransactionsChangesAndCursorAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	recv := newWebhookReceiver(t, http.StatusOK)
	first := newHarness(t, Options{StateFile: path})
	access, itemID := first.newItem(recv.url("/hook"), plaid.PRODUCTS_TRANSACTIONS)
	recv.collect(t, "INITIAL_UPDATE", "HISTORICAL_UPDATE")
	before, _, _, cursor := syncAll(t, first, access, "")
	recv.nextCode(t, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")

	mod, gone := before[3], before[5]
	status, out := first.control("POST", "/__emulator/items/"+itemID+"/transactions", map[string]any{
		"add":    []any{map[string]any{"name": "Corner Bakery", "amount": 7.25, "merchant_name": "Corner Bakery", "category_id": "13005000"}},
		"modify": []any{map[string]any{"transaction_id": mod.TransactionId, "amount": 99.99, "name": "Renamed"}},
		"remove": []string{gone.TransactionId},
	})
	if status != 200 {
		t.Fatalf("control change: %d %v", status, out)
	}
	hooks := recv.collect(t, "DEFAULT_UPDATE", "TRANSACTIONS_REMOVED", "SYNC_UPDATES_AVAILABLE")
	checkWebhookSchema(t, "DefaultUpdateWebhook", hooks["DEFAULT_UPDATE"])
	checkWebhookSchema(t, "TransactionsRemovedWebhook", hooks["TRANSACTIONS_REMOVED"])
	if hooks["DEFAULT_UPDATE"]["new_transactions"] != float64(1) || hooks["TRANSACTIONS_REMOVED"]["removed_transactions"].([]any)[0] != gone.TransactionId {
		t.Errorf("webhooks %v", hooks)
	}
	first.srv.Close()
	if err := first.emu.Close(); err != nil {
		t.Fatal(err)
	}

	second := newHarness(t, Options{StateFile: path})
	added, modified, removed, next := syncAll(t, second, access, cursor)
	if len(added) != 1 || added[0].Name != "Corner Bakery" || added[0].Amount != 7.25 || added[0].GetCategoryId() != "13005000" ||
		len(added[0].Category) != 2 || added[0].GetMerchantName() != "Corner Bakery" {
		t.Errorf("added %+v", added)
	}
	if len(modified) != 1 || modified[0].TransactionId != mod.TransactionId || modified[0].Amount != 99.99 || modified[0].Name != "Renamed" || modified[0].Date != mod.Date {
		t.Errorf("modified %+v", modified)
	}
	if !slices.Equal(removed, []string{gone.TransactionId}) {
		t.Errorf("removed %v", removed)
	}
	if a, m, r, again := syncAll(t, second, access, next); len(a)+len(m)+len(r) != 0 || again != next {
		t.Errorf("sync at the end: %d %d %d, cursor moved %v", len(a), len(m), len(r), again != next)
	}
	// From the start, the whole current state: the removed one is gone,
	// the modified one has its new amount, the added one is there.
	all, _, _, _ := syncAll(t, second, access, "")
	ids := txnIDs(all)
	if len(all) != len(before) || slices.Contains(ids, gone.TransactionId) || !slices.Contains(ids, added[0].TransactionId) {
		t.Errorf("fresh sync: %d transactions (before %d)", len(all), len(before))
	}
	// Generated ids are stable across the restart.
	if all[0].TransactionId != before[0].TransactionId {
		t.Errorf("first transaction id changed across the restart")
	}

	// Bad changes are refused and change nothing.
	for name, body := range map[string]map[string]any{
		"unknown id":      {"remove": []string{gone.TransactionId}},
		"no amount":       {"add": []any{map[string]any{"name": "x"}}},
		"bad category":    {"add": []any{map[string]any{"name": "x", "amount": 1, "category_id": "nope"}}},
		"bad account":     {"add": []any{map[string]any{"name": "x", "amount": 1, "account_id": "nope"}}},
		"nothing":         {},
		"unknown field":   {"delete": []string{"x"}},
		"twice":           {"modify": []any{map[string]any{"transaction_id": mod.TransactionId}}, "remove": []string{mod.TransactionId}},
		"bad date format": {"modify": []any{map[string]any{"transaction_id": mod.TransactionId, "date": "05/12/2026"}}},
	} {
		if status, out := second.control("POST", "/__emulator/items/"+itemID+"/transactions", body); status != 400 {
			t.Errorf("%s: %d %v", name, status, out)
		}
	}
	if status, _ := second.control("POST", "/__emulator/items/nope/transactions", map[string]any{"remove": []string{"x"}}); status != 404 {
		t.Errorf("unknown Item: %d", status)
	}
	_, list := second.control("GET", "/__emulator/items/"+itemID+"/transactions", nil)
	if n := len(list["transactions"].([]any)); n != len(all) {
		t.Errorf("control list has %d transactions, sync %d", n, len(all))
	}
}

// TestTransactionsGet: date range, account filter, count/offset paging
// with total_transactions, newest first; PRODUCT_NOT_READY on the call
// that adds Transactions to an Item; bad and removed access_tokens;
// institutions without Transactions.
func TestTransactionsGet(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	today := h.emu.Now()
	start, end := today.AddDate(0, 0, -120).Format(time.DateOnly), today.Format(time.DateOnly)
	get := func(token, start, end string, opts *plaid.TransactionsGetRequestOptions) (plaid.TransactionsGetResponse, error) {
		req := plaid.NewTransactionsGetRequest(token, start, end)
		if opts != nil {
			req.SetOptions(*opts)
		}
		v, _, err := h.client.TransactionsGet(h.ctx).TransactionsGetRequest(*req).Execute()
		return v, err
	}
	all, err := get(access, start, end, nil)
	if err != nil {
		t.Fatal(err)
	}
	synced, _, _, _ := syncAll(t, h, access, "")
	if all.TotalTransactions != int32(len(synced)) || len(all.Transactions) != len(synced) || len(all.Accounts) != 12 {
		t.Fatalf("total %d, %d transactions, %d accounts; sync has %d", all.TotalTransactions, len(all.Transactions), len(all.Accounts), len(synced))
	}
	if !slices.IsSortedFunc(all.Transactions, func(a, b plaid.Transaction) int { return -compareStrings(a.Date, b.Date) }) {
		t.Error("transactions are not newest first")
	}
	var paged []string
	for offset := int32(0); offset < all.TotalTransactions; offset += 10 {
		o := plaid.NewTransactionsGetRequestOptions()
		o.SetCount(10)
		o.SetOffset(offset)
		page, err := get(access, start, end, o)
		if err != nil || page.TotalTransactions != all.TotalTransactions {
			t.Fatalf("page at %d: %v", offset, err)
		}
		paged = append(paged, txnIDs(page.Transactions)...)
	}
	if !slices.Equal(paged, txnIDs(all.Transactions)) {
		t.Error("paging with count/offset differs from one page")
	}
	checking := all.Accounts[0].AccountId
	o := plaid.NewTransactionsGetRequestOptions()
	o.SetAccountIds([]string{checking})
	one, err := get(access, today.AddDate(0, 0, -10).Format(time.DateOnly), end, o)
	if err != nil || len(one.Accounts) != 1 || one.TotalTransactions == 0 || one.TotalTransactions >= all.TotalTransactions {
		t.Fatalf("filtered: %v %+v", err, one.TotalTransactions)
	}
	for _, tx := range one.Transactions {
		if tx.AccountId != checking || tx.Date < today.AddDate(0, 0, -10).Format(time.DateOnly) {
			t.Errorf("transaction outside the filter: %s %s", tx.AccountId, tx.Date)
		}
	}

	_, err = get(access, end, start, nil)
	wantPlaidError(t, err, "INVALID_FIELD")
	_, err = get(access, "2026-13-01", end, nil)
	wantPlaidError(t, err, "INVALID_FIELD")
	_, err = get("access-sandbox-00000000-0000-0000-0000-000000000000", start, end, nil)
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")

	// Transactions added after Link: the first call starts the pull.
	later, _ := h.newItem(recv.url("/later"), plaid.PRODUCTS_AUTH)
	_, err = get(later, start, end, nil)
	wantPlaidError(t, err, "PRODUCT_NOT_READY")
	recv.collect(t, "INITIAL_UPDATE", "HISTORICAL_UPDATE")
	if ready, err := get(later, start, end, nil); err != nil || ready.TotalTransactions != all.TotalTransactions {
		t.Errorf("after the pull: %v", err)
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(later)).Execute()).must(t)
	if !slices.Contains(item.Item.BilledProducts, plaid.PRODUCTS_TRANSACTIONS) || slices.Contains(item.Item.AvailableProducts, plaid.PRODUCTS_TRANSACTIONS) {
		t.Errorf("billed %v available %v", item.Item.BilledProducts, item.Item.AvailableProducts)
	}

	// Windowpane Bank offers Auth only.
	pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_135858", []plaid.Products{plaid.PRODUCTS_AUTH})).Execute()).must(t)
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.PublicToken)).Execute()).must(t)
	_, err = get(ex.AccessToken, start, end, nil)
	wantPlaidError(t, err, "PRODUCTS_NOT_SUPPORTED")

	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(access)).Execute()).must(t)
	_, err = get(access, start, end, nil)
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestTransactionsRefreshAndTheClock: the canned set repeats every 30 days
// of the virtual clock. Advancing the clock updates Items on their own
// (DEFAULT_UPDATE, SYNC_UPDATES_AVAILABLE), the new transactions come after
// the cursor, and /transactions/refresh with nothing new sends nothing.
func TestTransactionsRefreshAndTheClock(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_TRANSACTIONS)
	recv.collect(t, "INITIAL_UPDATE", "HISTORICAL_UPDATE")
	before, _, _, cursor := syncAll(t, h, access, "")
	recv.nextCode(t, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
	refresh := func(token string) error {
		_, _, err := h.client.TransactionsRefresh(h.ctx).TransactionsRefreshRequest(*plaid.NewTransactionsRefreshRequest(token)).Execute()
		return err
	}
	if err := refresh(access); err != nil {
		t.Fatal(err)
	}
	if a, _, _, _ := syncAll(t, h, access, cursor); len(a) != 0 {
		t.Errorf("refresh with nothing new added %d", len(a))
	}

	h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "744h"}) // 31 days
	hooks := recv.collect(t, "DEFAULT_UPDATE", "SYNC_UPDATES_AVAILABLE")
	n := int(hooks["DEFAULT_UPDATE"]["new_transactions"].(float64))
	added, modified, removed, _ := syncAll(t, h, access, cursor)
	if n == 0 || len(added) != n || len(modified)+len(removed) != 0 {
		t.Fatalf("DEFAULT_UPDATE says %d, sync added %d", n, len(added))
	}
	created := before[len(before)-1].Date
	for _, tx := range added {
		if tx.Date <= created || tx.Date > h.emu.Now().Format(time.DateOnly) {
			t.Errorf("new transaction dated %s (Item created %s)", tx.Date, created)
		}
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
	if upd := item.GetStatus().Transactions.Get().GetLastSuccessfulUpdate(); h.emu.Now().Sub(upd) > time.Minute {
		t.Errorf("last_successful_update %v, now %v", upd, h.emu.Now())
	}

	identityOnly, _ := h.newItem("", plaid.PRODUCTS_IDENTITY)
	wantPlaidError(t, refresh(identityOnly), "PRODUCT_NOT_ENABLED")
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	wantPlaidError(t, refresh(access), "ITEM_LOGIN_REQUIRED")
	wantPlaidError(t, refresh("access-sandbox-nope"), "INVALID_ACCESS_TOKEN")
}

// TestTransactionsRecurring: the canned set repeats monthly, so its
// transactions form streams; inflows have negative amounts.
func TestTransactionsRecurring(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	ids := []string{accounts.Accounts[0].AccountId, accounts.Accounts[1].AccountId}
	req := plaid.NewTransactionsRecurringGetRequest(access, ids)
	opts := plaid.NewTransactionsRecurringGetRequestOptions()
	opts.SetIncludePersonalFinanceCategory(true)
	req.SetOptions(*opts)
	rec := res(h.client.TransactionsRecurringGet(h.ctx).TransactionsRecurringGetRequest(*req).Execute()).must(t)
	if len(rec.OutflowStreams) == 0 || len(rec.InflowStreams) == 0 {
		t.Fatalf("streams: %d out, %d in", len(rec.OutflowStreams), len(rec.InflowStreams))
	}
	for _, s := range rec.OutflowStreams {
		if s.Frequency != plaid.RECURRINGTRANSACTIONFREQUENCY_MONTHLY || len(s.TransactionIds) < 2 || s.GetAverageAmount().Amount == nil || *s.AverageAmount.Amount <= 0 || !slices.Contains(ids, s.AccountId) || !s.IsActive {
			t.Errorf("outflow stream %+v", s)
		}
	}
	for _, s := range rec.InflowStreams {
		if *s.AverageAmount.Amount >= 0 {
			t.Errorf("inflow stream with amount %v", *s.AverageAmount.Amount)
		}
	}
	_, _, err := h.client.TransactionsRecurringGet(h.ctx).TransactionsRecurringGetRequest(*plaid.NewTransactionsRecurringGetRequest(access, []string{"nope"})).Execute()
	wantPlaidError(t, err, "INVALID_ACCOUNT_ID")
	_, _, err = h.client.TransactionsRecurringGet(h.ctx).TransactionsRecurringGetRequest(*plaid.NewTransactionsRecurringGetRequest("access-sandbox-x-y", ids)).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")

	cats := res(h.client.CategoriesGet(h.ctx).Body(map[string]any{}).Execute()).must(t)
	found := false
	for _, c := range cats.Categories {
		if c.CategoryId == "22006001" && slices.Equal(c.Hierarchy, []string{"Travel", "Car Service", "Ride Share"}) {
			found = true
		}
	}
	if !found || len(cats.Categories) < 40 {
		t.Errorf("categories: %d, ride share found %v", len(cats.Categories), found)
	}
}

// TestIdleItemStateIsSmall: an idle Item's saved state stays well under
// 8 KiB, because its transactions are generated rather than stored.
func TestIdleItemStateIsSmall(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	syncAll(t, h, access, "")
	before, err := h.emu.snapshotJSON(0)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	}
	after, err := h.emu.snapshotJSON(0)
	if err != nil {
		t.Fatal(err)
	}
	if per := (len(after) - len(before)) / 10; per > 8<<10 {
		t.Errorf("an idle Item takes %d bytes of state", per)
	}
}

// TestTransactionsAddedLaterReachToday: Transactions added to an Item
// after Link, when the virtual clock is past the Item's creation, brings
// the transactions up to today.
func TestTransactionsAddedLaterReachToday(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_AUTH)
	h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "744h"})
	added, _, _, _ := syncAll(t, h, access, "")
	created := h.emu.Now().Add(-744 * time.Hour).Format(time.DateOnly)
	if last := added[len(added)-1].Date; last <= created {
		t.Errorf("the newest transaction is dated %s, the Item was created %s, 31 days ago", last, created)
	}
}
