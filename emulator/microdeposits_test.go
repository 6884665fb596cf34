package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// newMicroDepositItem links Houndstooth Bank with the Automated
// Micro-deposits credentials through /sandbox/public_token/create.
func (h *harness) newMicroDepositItem(institution, webhook string, products ...plaid.Products) string {
	h.t.Helper()
	req := plaid.NewSandboxPublicTokenCreateRequest(institution, products)
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetOverrideUsername("user_good")
	opts.SetOverridePassword("microdeposits_good")
	if webhook != "" {
		opts.SetWebhook(webhook)
	}
	req.SetOptions(*opts)
	pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(*req).Execute()).must(h.t)
	return h.exchange(pt.PublicToken)
}

func (h *harness) exchange(publicToken string) string {
	h.t.Helper()
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(publicToken)).Execute()).must(h.t)
	return ex.AccessToken
}

func (h *harness) setVerification(access, accountID, status string) error {
	_, _, err := h.client.SandboxItemSetVerificationStatus(h.ctx).SandboxItemSetVerificationStatusRequest(
		*plaid.NewSandboxItemSetVerificationStatusRequest(access, accountID, status)).Execute()
	return err
}

// accountStatuses is every account's verification_status ("" when absent)
// from /accounts/get.
func (h *harness) accountStatuses(access string) (map[string]string, []plaid.AccountBase) {
	h.t.Helper()
	acc := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(h.t)
	out := map[string]string{}
	for _, a := range acc.Accounts {
		out[a.AccountId] = a.GetVerificationStatus()
	}
	return out, acc.Accounts
}

// TestAutomatedMicroDeposits follows Plaid's Automated Micro-deposits flow
// in the Sandbox: the Item is pending_automatic_verification in
// /accounts/get, /identity/get and /item/get's products, /auth/get is
// PRODUCT_NOT_READY until /sandbox/item/set_verification_status verifies it
// (AUTH AUTOMATICALLY_VERIFIED webhook), and an expired verification gives
// no numbers (AUTH VERIFICATION_EXPIRED).
func TestAutomatedMicroDeposits(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access := h.newMicroDepositItem("ins_109512", recv.url("/hook"), plaid.PRODUCTS_AUTH)

	statuses, accounts := h.accountStatuses(access)
	if len(accounts) != 1 || accounts[0].GetMask() != "0000" || accounts[0].GetSubtype() != plaid.ACCOUNTSUBTYPE_CHECKING {
		t.Fatalf("a micro-deposit Item links the one checking account ****0000, got %+v", accounts)
	}
	checking := accounts[0].AccountId
	if statuses[checking] != "pending_automatic_verification" {
		t.Fatalf("verification_status %q, want pending_automatic_verification", statuses[checking])
	}
	id := res(h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()).must(t)
	if id.Accounts[0].GetVerificationStatus() != "pending_automatic_verification" {
		t.Errorf("/identity/get verification_status %q", id.Accounts[0].GetVerificationStatus())
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
	if !slices.Contains(item.Item.BilledProducts, plaid.PRODUCTS_AUTH) || item.Item.GetInstitutionId() != "ins_109512" || item.Item.Error.Get() != nil {
		t.Errorf("/item/get %+v", item.Item)
	}

	_, _, err := h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	if pe := wantPlaidError(t, err, "PRODUCT_NOT_READY"); pe.ErrorType != "ITEM_ERROR" {
		t.Errorf("error_type %q", pe.ErrorType)
	}
	wantPlaidError(t, h.setVerification(access, "not-an-account", "automatically_verified"), "INVALID_ACCOUNT_ID")
	wantPlaidError(t, h.setVerification(access, checking, "manually_verified"), "INVALID_FIELD")

	if err := h.setVerification(access, checking, "automatically_verified"); err != nil {
		t.Fatal(err)
	}
	if b := recv.nextCode(t, "AUTH", "AUTOMATICALLY_VERIFIED"); b["account_id"] != checking {
		t.Errorf("webhook %v", b)
	}
	auth := res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()).must(t)
	if len(auth.Numbers.Ach) != 1 || auth.Numbers.Ach[0].Account != "1111222233330000" || auth.Numbers.Ach[0].AccountId != checking ||
		auth.Accounts[0].GetVerificationStatus() != "automatically_verified" {
		t.Errorf("/auth/get after verification: %+v %+v", auth.Accounts, auth.Numbers.Ach)
	}
	if statuses, _ = h.accountStatuses(access); statuses[checking] != "automatically_verified" {
		t.Errorf("/accounts/get verification_status %q", statuses[checking])
	}
	// The verification is over: it cannot be set again.
	wantPlaidError(t, h.setVerification(access, checking, "verification_expired"), "INVALID_FIELD")

	// A second Item whose verification expires has no numbers to give.
	expired := h.newMicroDepositItem("ins_109512", recv.url("/hook"), plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS)
	_, accounts = h.accountStatuses(expired)
	if err := h.setVerification(expired, accounts[0].AccountId, "verification_expired"); err != nil {
		t.Fatal(err)
	}
	if b := recv.nextCode(t, "AUTH", "VERIFICATION_EXPIRED"); b["account_id"] != accounts[0].AccountId {
		t.Errorf("webhook %v", b)
	}
	_, _, err = h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(expired)).Execute()
	wantPlaidError(t, err, "NO_AUTH_ACCOUNTS")
	if statuses, _ = h.accountStatuses(expired); statuses[accounts[0].AccountId] != "verification_expired" {
		t.Errorf("/accounts/get verification_status %q", statuses[accounts[0].AccountId])
	}

	// At an institution without the flow, or without auth, the login is an
	// ordinary one: every account, numbers at once, no verification_status.
	for _, tc := range []struct {
		inst    string
		product plaid.Products
	}{{"ins_109508", plaid.PRODUCTS_AUTH}, {"ins_109512", plaid.PRODUCTS_TRANSACTIONS}} {
		plain := h.newMicroDepositItem(tc.inst, "", tc.product)
		statuses, accounts = h.accountStatuses(plain)
		if len(accounts) < 2 || statuses[accounts[0].AccountId] != "" {
			t.Errorf("%s with %s: accounts %v", tc.inst, tc.product, statuses)
		}
		res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(plain)).Execute()).must(t)
	}
}

// TestAutomatedMicroDepositsThroughLink drives the emulated Link's session
// API (as link.js does) with a link_token that enables Automated
// Micro-deposits: onSuccess metadata says pending_automatic_verification,
// as the Item's accounts do. Without auth.automated_microdeposits_enabled
// the same login links instantly.
func TestAutomatedMicroDepositsThroughLink(t *testing.T) {
	h := newHarness(t, Options{})
	link := func(enable bool) (map[string]any, string) {
		t.Helper()
		req := linkTokenRequest()
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
		if enable {
			a := plaid.NewLinkTokenCreateRequestAuth()
			a.SetAutomatedMicrodepositsEnabled(true)
			req.SetAuth(*a)
		}
		lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*req).Execute()).must(t)
		step := func(path string, body map[string]any) map[string]any {
			t.Helper()
			status, out := h.postJSON(path, body)
			if status != http.StatusOK {
				t.Fatalf("%s: %d %v", path, status, out)
			}
			return out
		}
		sid := step("/__link/session", map[string]any{"link_token": lt.LinkToken})["link_session_id"]
		step("/__link/institution", map[string]any{"link_session_id": sid, "institution_id": "ins_109512"})
		step("/__link/credentials", map[string]any{"link_session_id": sid, "username": "user_good", "password": "microdeposits_good"})
		done := step("/__link/accounts", map[string]any{"link_session_id": sid, "account_ids": []string{"0"}})
		md := done["metadata"].(map[string]any)["accounts"].([]any)[0].(map[string]any)
		return md, h.exchange(done["public_token"].(string))
	}

	md, access := link(true)
	if md["verification_status"] != "pending_automatic_verification" || md["name"] != "Plaid Checking" {
		t.Errorf("onSuccess metadata account %v", md)
	}
	statuses, accounts := h.accountStatuses(access)
	if len(accounts) != 1 || accounts[0].AccountId != md["id"] || statuses[accounts[0].AccountId] != "pending_automatic_verification" {
		t.Errorf("the Item's accounts %v, metadata %v", statuses, md)
	}
	_, _, err := h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
	wantPlaidError(t, err, "PRODUCT_NOT_READY")

	// Update mode's onSuccess tells the same status for the Item's account.
	upd := plaid.NewLinkTokenCreateRequest("Plaid Quickstart", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("user-1"))
	upd.SetAccessToken(access)
	ult := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*upd).Execute()).must(t)
	_, start := h.postJSON("/__link/session", map[string]any{"link_token": ult.LinkToken})
	usid := start["link_session_id"]
	if status, out := h.postJSON("/__link/credentials", map[string]any{"link_session_id": usid, "username": "user_good", "password": "microdeposits_good"}); status != http.StatusOK {
		t.Fatalf("update-mode credentials: %d %v", status, out)
	}
	status, repaired := h.postJSON("/__link/accounts", map[string]any{"link_session_id": usid, "account_ids": []string{accounts[0].AccountId}})
	if status != http.StatusOK {
		t.Fatalf("update-mode accounts: %d %v", status, repaired)
	}
	if um := repaired["metadata"].(map[string]any)["accounts"].([]any)[0].(map[string]any); um["verification_status"] != "pending_automatic_verification" {
		t.Errorf("update-mode onSuccess metadata account %v", um)
	}

	md, access = link(false)
	if md["verification_status"] != nil {
		t.Errorf("without automated_microdeposits_enabled: metadata account %v", md)
	}
	res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()).must(t)
}

// TestLinkTokenAuthOptions checks the auth object as Plaid documents it.
func TestLinkTokenAuthOptions(t *testing.T) {
	h := newHarness(t, Options{})
	create := func(countries []plaid.CountryCode, set func(a *plaid.LinkTokenCreateRequestAuth)) error {
		req := linkTokenRequest()
		req.SetCountryCodes(countries)
		a := plaid.NewLinkTokenCreateRequestAuth()
		set(a)
		req.SetAuth(*a)
		_, _, err := h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*req).Execute()
		return err
	}
	us := []plaid.CountryCode{plaid.COUNTRYCODE_US}
	if err := create(us, func(a *plaid.LinkTokenCreateRequestAuth) {
		a.SetAuthTypeSelectEnabled(true)
		a.SetSameDayMicrodepositsEnabled(true)
		a.SetAutomatedMicrodepositsEnabled(true)
		a.SetRerouteToCredentials("OPTIONAL")
	}); err != nil {
		t.Errorf("a valid auth object: %v", err)
	}
	wantPlaidError(t, create(us, func(a *plaid.LinkTokenCreateRequestAuth) { a.SetAuthTypeSelectEnabled(true) }), "INVALID_FIELD")
	wantPlaidError(t, create([]plaid.CountryCode{plaid.COUNTRYCODE_US, plaid.COUNTRYCODE_CA},
		func(a *plaid.LinkTokenCreateRequestAuth) { a.SetAutomatedMicrodepositsEnabled(true) }), "INVALID_FIELD")
	wantPlaidError(t, create(us, func(a *plaid.LinkTokenCreateRequestAuth) { a.SetRerouteToCredentials("SOMETIMES") }), "INVALID_FIELD")

	status, body := h.postJSON("/link/token/create", map[string]any{
		"client_name": "n", "language": "en", "country_codes": []string{"US"},
		"user": map[string]any{"client_user_id": "u"}, "products": []string{"auth"},
		"auth": map[string]any{"automated_microdeposit_enabled": true},
	})
	if status != http.StatusBadRequest || body["error_code"] != "UNKNOWN_FIELDS" {
		t.Errorf("a misspelt auth option: %d %v", status, body)
	}
}

// postJSON sends body as JSON with the raw credentials headers.
func (h *harness) postJSON(path string, body map[string]any) (int, map[string]any) {
	h.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.post(path, "application/json", data, creds)
}
