package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

func TestWebhookErrorAfterResetLogin(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"))
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	b := recv.nextCode(t, "ITEM", "ERROR")
	if b["item_id"] != itemID || b["_path"] != "/hook" {
		t.Errorf("webhook %v", b)
	}
	e, _ := b["error"].(map[string]any)
	if e["error_code"] != "ITEM_LOGIN_REQUIRED" || e["error_type"] != "ITEM_ERROR" || e["status"] != float64(400) {
		t.Errorf("webhook error %v", e)
	}
	if _, ok := e["request_id"]; ok {
		t.Error("webhook errors carry no request_id")
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
	lw := item.GetStatus().LastWebhook.Get()
	if lw == nil || lw.GetCodeSent() != "ERROR" || lw.GetSentAt().IsZero() {
		t.Errorf("status.last_webhook %+v", lw)
	}
}

func TestWebhookUpdateAcknowledgedGoesToTheNewURL(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/old"))
	req := plaid.NewItemWebhookUpdateRequest(access)
	req.SetWebhook(recv.url("/new"))
	upd := res(h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(*req).Execute()).must(t)
	if upd.Item.GetWebhook() != recv.url("/new") {
		t.Errorf("item.webhook %q", upd.Item.GetWebhook())
	}
	b := recv.nextCode(t, "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED")
	if b["_path"] != "/new" || b["new_webhook_url"] != recv.url("/new") || b["item_id"] != itemID {
		t.Errorf("webhook %v", b)
	}

	clear := plaid.NewItemWebhookUpdateRequest(access)
	clear.SetWebhookNil()
	cleared := res(h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(*clear).Execute()).must(t)
	if cleared.Item.Webhook.Get() != nil {
		t.Errorf("webhook not cleared: %q", cleared.Item.GetWebhook())
	}
	fire := plaid.NewSandboxItemFireWebhookRequest(access, "DEFAULT_UPDATE")
	_, _, err := h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*fire).Execute()
	wantPlaidError(t, err, "SANDBOX_WEBHOOK_INVALID")

	bad := plaid.NewItemWebhookUpdateRequest(access)
	bad.SetWebhook("not a url")
	_, _, err = h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(*bad).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
}

func TestFireWebhook(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"), plaid.PRODUCTS_TRANSACTIONS, plaid.PRODUCTS_AUTH)
	fire := func(code string, typ *plaid.WebhookType) error {
		req := plaid.NewSandboxItemFireWebhookRequest(access, code)
		if typ != nil {
			req.SetWebhookType(*typ)
		}
		r, _, err := h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*req).Execute()
		if err == nil && !r.GetWebhookFired() {
			t.Errorf("%s: webhook_fired false", code)
		}
		return err
	}
	for _, tc := range []struct{ code, typ, field string }{
		{"DEFAULT_UPDATE", "TRANSACTIONS", "new_transactions"},
		{"SYNC_UPDATES_AVAILABLE", "TRANSACTIONS", "historical_update_complete"},
		{"RECURRING_TRANSACTIONS_UPDATE", "TRANSACTIONS", "account_ids"},
		{"NEW_ACCOUNTS_AVAILABLE", "ITEM", "item_id"},
		{"AUTH_DATA_UPDATE", "AUTH", "account_ids"},
		{"LOGIN_REPAIRED", "ITEM", "item_id"},
	} {
		if err := fire(tc.code, nil); err != nil {
			t.Fatalf("%s: %v", tc.code, err)
		}
		b := recv.nextCode(t, tc.typ, tc.code)
		if _, ok := b[tc.field]; !ok || b["item_id"] != itemID {
			t.Errorf("%s lacks %s: %v", tc.code, tc.field, b)
		}
	}
	typ := plaid.WEBHOOKTYPE_TRANSACTIONS
	if err := fire("SYNC_UPDATES_AVAILABLE", &typ); err != nil {
		t.Errorf("matching webhook_type: %v", err)
	}
	recv.nextCode(t, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
	itemType := plaid.WEBHOOKTYPE_ITEM
	wantPlaidError(t, fire("DEFAULT_UPDATE", &itemType), "INVALID_FIELD")
	wantPlaidError(t, fire("PRODUCT_READY", nil), "SANDBOX_PRODUCT_NOT_ENABLED")
	wantPlaidError(t, fire("ERROR", nil), "SANDBOX_PRODUCT_NOT_ENABLED")
	wantPlaidError(t, fire("NOT_A_CODE", nil), "INVALID_FIELD")

	identityOnly, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_IDENTITY)
	req := plaid.NewSandboxItemFireWebhookRequest(identityOnly, "DEFAULT_UPDATE")
	_, _, err := h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*req).Execute()
	wantPlaidError(t, err, "SANDBOX_PRODUCT_NOT_ENABLED")
}

func TestSyncUpdatesAvailableAfterFirstSync(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"), plaid.PRODUCTS_TRANSACTIONS)
	res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(access)).Execute()).must(t)
	b := recv.nextCode(t, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")
	if b["item_id"] != itemID || b["initial_update_complete"] != true || b["historical_update_complete"] != true {
		t.Errorf("webhook %v", b)
	}
	// Only the first call announces updates.
	res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(access)).Execute()).must(t)
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	recv.nextCode(t, "ITEM", "ERROR")
}

func TestRepairItemFiresLoginRepaired(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"))
	if _, err := h.emu.RepairItem(itemID); err != nil {
		t.Fatal(err)
	}
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	// A repair of a healthy Item is not announced: the next webhook after
	// ERROR is the real repair's.
	recv.nextCode(t, "ITEM", "ERROR")
	if _, err := h.emu.RepairItem(itemID); err != nil {
		t.Fatal(err)
	}
	b := recv.nextCode(t, "ITEM", "LOGIN_REPAIRED")
	if b["item_id"] != itemID {
		t.Errorf("webhook %v", b)
	}
}

// TestWebhookDeliveryLog: outcomes, failures and retries are recorded.
func TestWebhookDeliveryLog(t *testing.T) {
	failing := newWebhookReceiver(t, http.StatusInternalServerError)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(failing.url("/broken"), plaid.PRODUCTS_AUTH) // no Transactions: no creation webhooks
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	failing.nextCode(t, "ITEM", "ERROR")
	failing.nextCode(t, "ITEM", "ERROR") // the retry

	deliveries := waitDeliveries(t, h, 2)
	first := deliveries[0].(map[string]any)
	if first["status"] != float64(500) || first["attempt"] != float64(1) || first["item_id"] != itemID ||
		first["webhook_code"] != "ERROR" || first["url"] != failing.url("/broken") || !strings.Contains(first["error"].(string), "500") {
		t.Errorf("first delivery %v", first)
	}
	if second := deliveries[1].(map[string]any); second["attempt"] != float64(2) {
		t.Errorf("second delivery %v", second)
	}

	unreachable := newHarness(t, Options{})
	access2, _ := unreachable.newItem("http://127.0.0.1:1/hook", plaid.PRODUCTS_AUTH)
	res(unreachable.client.SandboxItemResetLogin(unreachable.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access2)).Execute()).must(t)
	d := waitDeliveries(t, unreachable, 1)[0].(map[string]any)
	if d["status"] != float64(0) || !strings.Contains(d["error"].(string), "no answer") {
		t.Errorf("unreachable delivery %v", d)
	}
}

// waitDeliveries polls the delivery log until it holds n entries, within
// the test's budget.
func waitDeliveries(t *testing.T, h *harness, n int) []any {
	t.Helper()
	var ds []any
	testwait.Until(t, fmt.Sprintf("%d webhook deliveries in the log", n), func() (bool, string) {
		_, out := h.control("GET", "/__emulator/webhooks", nil)
		ds, _ = out["deliveries"].([]any)
		return len(ds) >= n, fmt.Sprint(out)
	})
	return ds
}

// TestResetForgetsWebhooksInFlight: a webhook whose delivery is still in
// flight when the state is reset is not recorded in the new state's log
// (its Item is gone), and webhooks queued behind it are not sent.
func TestResetForgetsWebhooksInFlight(t *testing.T) {
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		arrived <- struct{}{}
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	h := newHarness(t, Options{})
	h.newItem(srv.URL + "/hook")
	testwait.Recv(t, arrived, "the first webhook reaching the receiver")
	before := posts.Load()

	if status, out := h.control("POST", "/__emulator/reset", nil); status != 200 {
		t.Fatalf("reset: %d %v", status, out)
	}
	close(release) // every delivery in flight now completes with 200
	// The in-flight deliveries finish; give the workers their turn by
	// waiting for a later webhook of a new Item to be recorded.
	recv := newWebhookReceiver(t, http.StatusOK)
	h.newItem(recv.url("/hook"))
	recv.next(t)
	ds := waitDeliveries(t, h, 1)
	for _, d := range ds {
		if d.(map[string]any)["url"] != recv.url("/hook") {
			t.Errorf("a webhook of the Item removed by the reset was recorded after it: %v", d)
		}
	}
	if after := posts.Load(); after > before+int32(webhookWorkers) {
		t.Errorf("%d webhooks of the removed Item were sent after the reset", after-before)
	}
}
