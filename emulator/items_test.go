package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// TestFullCycle is the cycle: sandbox public token → exchange →
// accounts → reset_login → ITEM_LOGIN_REQUIRED from /accounts/get and in
// /item/get.
func TestFullCycle(t *testing.T) {
	h := newHarness(t, Options{})
	pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()).must(t)
	if !strings.HasPrefix(pt.GetPublicToken(), "public-sandbox-") {
		t.Fatalf("public_token %q", pt.GetPublicToken())
	}
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()).must(t)
	if !strings.HasPrefix(ex.GetAccessToken(), "access-sandbox-") || len(ex.GetItemId()) != 37 {
		t.Fatalf("exchange gave %q, item %q", ex.GetAccessToken(), ex.GetItemId())
	}
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()).must(t)
	if len(accounts.GetAccounts()) != 12 {
		t.Fatalf("user_good has 12 accounts, got %d", len(accounts.GetAccounts()))
	}
	first := accounts.GetAccounts()[0]
	if first.GetName() != "Plaid Checking" || first.GetMask() != "0000" || first.Balances.GetAvailable() != 100 || first.Balances.GetCurrent() != 110 {
		t.Errorf("first account %+v", first)
	}
	if accounts.Item.GetItemId() != ex.GetItemId() {
		t.Errorf("accounts item %q, want %q", accounts.Item.GetItemId(), ex.GetItemId())
	}

	reset := res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(
		*plaid.NewSandboxItemResetLoginRequest(ex.GetAccessToken())).Execute()).must(t)
	if !reset.GetResetLogin() {
		t.Error("reset_login false")
	}
	_, _, err := h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()
	pe := wantPlaidError(t, err, "ITEM_LOGIN_REQUIRED")
	if pe.ErrorType != "ITEM_ERROR" {
		t.Errorf("error_type %s", pe.ErrorType)
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(ex.GetAccessToken())).Execute()).must(t)
	ie := item.Item.GetError()
	if ie.ErrorCode != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("/item/get item.error = %+v", ie)
	}
}

func TestPublicTokenIsOneUseAndExpires(t *testing.T) {
	h := newHarness(t, Options{})
	create := func() string {
		pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(
			*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})).Execute()).must(t)
		return pt.GetPublicToken()
	}
	exchange := func(tok string) error {
		_, _, err := h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(tok)).Execute()
		return err
	}
	used := create()
	if err := exchange(used); err != nil {
		t.Fatal(err)
	}
	wantPlaidError(t, exchange(used), "INVALID_PUBLIC_TOKEN")

	stale := create()
	h.emu.clock.advance(publicTokenLifetime)
	pe := wantPlaidError(t, exchange(stale), "INVALID_PUBLIC_TOKEN")
	if !strings.Contains(pe.ErrorMessage, "expired") {
		t.Errorf("message does not say the token expired: %s", pe.ErrorMessage)
	}
	wantPlaidError(t, exchange("public-sandbox-00000000-0000-4000-8000-000000000000"), "INVALID_PUBLIC_TOKEN")
}

func TestItemEndpoints(t *testing.T) {
	h := newHarness(t, Options{})
	access, itemID := h.newItem("")

	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
	if item.Item.GetItemId() != itemID || item.Item.GetInstitutionId() != "ins_109508" || item.Item.Error.IsSet() && item.Item.Error.Get() != nil {
		t.Errorf("item %+v", item.Item)
	}
	if item.Item.Webhook.Get() != nil {
		t.Errorf("webhook should be null, got %q", *item.Item.Webhook.Get())
	}
	billed := item.Item.GetBilledProducts()
	if len(billed) != 3 {
		t.Errorf("billed_products %v", billed)
	}
	for _, p := range item.Item.GetAvailableProducts() {
		for _, b := range billed {
			if p == b {
				t.Errorf("%s both available and billed", p)
			}
		}
	}

	rot := res(h.client.ItemAccessTokenInvalidate(h.ctx).ItemAccessTokenInvalidateRequest(
		*plaid.NewItemAccessTokenInvalidateRequest(access)).Execute()).must(t)
	newAccess := rot.GetNewAccessToken()
	if newAccess == access || !strings.HasPrefix(newAccess, "access-sandbox-") {
		t.Fatalf("new_access_token %q", newAccess)
	}
	_, _, err := h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	again := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(newAccess)).Execute()).must(t)
	if again.Item.GetItemId() != itemID {
		t.Errorf("rotation changed item_id to %q", again.Item.GetItemId())
	}

	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(newAccess)).Execute()).must(t)
	_, _, err = h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(newAccess)).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	_, _, err = h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(newAccess)).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}

// TestErroredItemKeepsManagementEndpoints: after reset_login the
// management endpoints and update-mode /link/token/create still work.
func TestErroredItemKeepsManagementEndpoints(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("")
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)

	for name, call := range map[string]func() error{
		"/auth/get": func() error {
			_, _, err := h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
			return err
		},
		"/identity/get": func() error {
			_, _, err := h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()
			return err
		},
		"/accounts/balance/get": func() error {
			_, _, err := h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(access)).Execute()
			return err
		},
		"/transactions/sync": func() error {
			_, _, err := h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(access)).Execute()
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantPlaidError(t, call(), "ITEM_LOGIN_REQUIRED") })
	}

	upd := linkTokenRequest()
	upd.Products = nil
	upd.SetAccessToken(access)
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*upd).Execute()).must(t)
	if got := lt.GetExpiration().Sub(h.emu.Now()); got > updateLinkTokenLifetime || got < updateLinkTokenLifetime-time.Minute {
		t.Errorf("update-mode token lives %v, want 30m", got)
	}
	got := res(h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()).must(t)
	if ps := got.Metadata.GetInitialProducts(); len(ps) != 0 {
		t.Errorf("update-mode initial_products %v, want []", ps)
	}

	recv := newWebhookReceiver(t, http.StatusOK)
	wh := plaid.NewItemWebhookUpdateRequest(access)
	wh.SetWebhook(recv.url("/hook"))
	upd2 := res(h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(*wh).Execute()).must(t)
	recv.nextCode(t, "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED")
	if upd2.Item.GetWebhook() != recv.url("/hook") {
		t.Errorf("webhook %q", upd2.Item.GetWebhook())
	}
	rot := res(h.client.ItemAccessTokenInvalidate(h.ctx).ItemAccessTokenInvalidateRequest(*plaid.NewItemAccessTokenInvalidateRequest(access)).Execute()).must(t)
	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(rot.GetNewAccessToken())).Execute()).must(t)
}

// TestRepairItem: the update-mode repair keeps the Item and access_token
// and clears the error.
func TestRepairItem(t *testing.T) {
	h := newHarness(t, Options{})
	access, itemID := h.newItem("")
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	pub, err := h.emu.RepairItem(itemID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub, "public-sandbox-") {
		t.Errorf("repair public_token %q", pub)
	}
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	if accounts.Item.GetItemId() != itemID {
		t.Errorf("item_id changed")
	}
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()).must(t)
	if ex.GetAccessToken() != access {
		t.Errorf("exchanging the repair public_token gave another access_token")
	}
	if _, err := h.emu.RepairItem("no-such-item"); err == nil {
		t.Error("RepairItem of an unknown Item succeeded")
	}
}

// TestSandboxPublicTokenCreate covers the endpoint's validation and the
// Sandbox credentials it applies through options (MFA skipped).
func TestSandboxPublicTokenCreate(t *testing.T) {
	h := newHarness(t, Options{})
	create := func(inst string, products []plaid.Products, user, pass, webhook string) (string, error) {
		req := plaid.NewSandboxPublicTokenCreateRequest(inst, products)
		opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
		if user != "" {
			opts.SetOverrideUsername(user)
			opts.SetOverridePassword(pass)
		}
		if webhook != "" {
			opts.SetWebhook(webhook)
		}
		req.SetOptions(*opts)
		r, _, err := h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(*req).Execute()
		return r.GetPublicToken(), err
	}
	tx := []plaid.Products{plaid.PRODUCTS_TRANSACTIONS}
	for name, tc := range map[string]struct {
		inst     string
		products []plaid.Products
		user     string
		pass     string
		webhook  string
		code     string
	}{
		"unknown institution":  {"ins_nope", tx, "", "", "", "INVALID_INSTITUTION"},
		"no products":          {"ins_109508", nil, "", "", "", "MISSING_FIELDS"},
		"empty products":       {"ins_109508", []plaid.Products{}, "", "", "", "INVALID_FIELD"},
		"balance":              {"ins_109508", []plaid.Products{"balance"}, "", "", "", "INVALID_PRODUCT"},
		"unsupported product":  {"ins_43", []plaid.Products{plaid.PRODUCTS_PAYMENT_INITIATION}, "", "", "", "PRODUCTS_NOT_SUPPORTED"},
		"bad webhook":          {"ins_109508", tx, "", "", "ftp://x", "INVALID_FIELD"},
		"forced error":         {"ins_109508", tx, "user_good", "error_ITEM_LOCKED", "", "ITEM_LOCKED"},
		"wrong password":       {"ins_109508", tx, "user_good", "pass_bad", "", "INVALID_CREDENTIALS"},
		"user_custom force":    {"ins_109508", tx, "user_custom", `{"force_error":"INSTITUTION_NOT_RESPONDING"}`, "", "INSTITUTION_NOT_RESPONDING"},
		"user_custom bad JSON": {"ins_109508", tx, "user_custom", `{"force_error":`, "", "INVALID_CREDENTIALS"},
		"unknown username":     {"ins_109508", tx, "somebody", "pass_good", "", "INVALID_CREDENTIALS"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := create(tc.inst, tc.products, tc.user, tc.pass, tc.webhook)
			wantPlaidError(t, err, tc.code)
		})
	}

	// MFA is skipped, and user_custom's override_accounts shape the Item.
	if _, err := create("ins_109508", tx, "user_good", "mfa_device", ""); err != nil {
		t.Errorf("mfa_device: %v", err)
	}
	custom := `{"override_accounts":[{"type":"depository","subtype":"checking","starting_balance":42,"meta":{"name":"Custom Checking","mask":"4242"},` +
		`"transactions":[{"date_transacted":"2024-01-02","date_posted":"2024-01-03","amount":12.5,"description":"Coffee","currency":"USD"},` +
		`{"date_transacted":"2999-01-01","date_posted":"2999-01-02","amount":3,"description":"Later","currency":"USD"}]}]}`
	pub, err := create("ins_109508", tx, "user_custom", custom, "")
	if err != nil {
		t.Fatalf("user_custom override_accounts: %v", err)
	}
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()).must(t)
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()).must(t)
	if len(accounts.Accounts) != 1 || accounts.Accounts[0].GetName() != "Custom Checking" || accounts.Accounts[0].Balances.GetCurrent() != 42 {
		t.Fatalf("custom accounts %+v", accounts.Accounts)
	}
	sync := res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(ex.GetAccessToken())).Execute()).must(t)
	if len(sync.Added) != 2 || sync.Added[0].GetDate() != "2024-01-03" || sync.Added[0].GetAuthorizedDate() != "2024-01-02" || sync.Added[0].GetPending() {
		t.Fatalf("custom transactions %+v", sync.Added)
	}
	if !sync.Added[1].GetPending() {
		t.Errorf("a transaction posted after today is pending: %+v", sync.Added[1])
	}
}
