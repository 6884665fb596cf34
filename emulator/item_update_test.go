package emulator

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// TestNewAccountsAvailableAddsAnAccountToShare: NEW_ACCOUNTS_AVAILABLE
// announces an account the user opened at the bank; the Item does not share
// it until update mode with account selection selects it.
func TestNewAccountsAvailableAddsAnAccountToShare(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"), plaid.PRODUCTS_AUTH)
	before := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)

	fire := plaid.NewSandboxItemFireWebhookRequest(access, "NEW_ACCOUNTS_AVAILABLE")
	if r := res(h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*fire).Execute()).must(t); !r.GetWebhookFired() {
		t.Fatal("webhook_fired is false")
	}
	b := recv.nextCode(t, "ITEM", "NEW_ACCOUNTS_AVAILABLE")
	if b["item_id"] != itemID {
		t.Errorf("webhook %v", b)
	}
	checkWebhookSchema(t, "NewAccountsAvailableWebhook", b)

	// Not shared yet: /accounts/get is unchanged.
	still := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	if len(still.GetAccounts()) != len(before.GetAccounts()) {
		t.Fatalf("the new account is shared before update mode: %d accounts, was %d", len(still.GetAccounts()), len(before.GetAccounts()))
	}
	fresh, err := h.emu.NewAccounts(itemID)
	if err != nil || len(fresh) != 1 || fresh[0].Name != "Plaid New Savings 1" || fresh[0].Subtype != "savings" {
		t.Fatalf("NewAccounts = %+v, %v", fresh, err)
	}

	// Update mode with account selection: the token carries the flag.
	req := linkTokenRequest()
	req.SetProducts(nil)
	req.SetAccessToken(access)
	upd := plaid.NewLinkTokenCreateRequestUpdate()
	upd.SetAccountSelectionEnabled(true)
	req.SetUpdate(*upd)
	tok := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*req).Execute()).must(t)
	info, err := h.emu.LinkToken(tok.GetLinkToken())
	if err != nil || !info.UpdateMode || !info.AccountSelection || info.ItemID != itemID {
		t.Fatalf("token info %+v, %v", info, err)
	}

	// Select everything, as the account-select pane does by default.
	ids := []string{fresh[0].ID}
	for _, a := range before.GetAccounts() {
		ids = append(ids, a.GetAccountId())
	}
	shared, err := h.emu.ShareAccounts(itemID, ids)
	if err != nil {
		t.Fatal(err)
	}
	newID := shared[fresh[0].ID]
	if newID == "" || newID == fresh[0].ID {
		t.Fatalf("the new account got no account_id: %v", shared)
	}
	after := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	if len(after.GetAccounts()) != len(before.GetAccounts())+1 {
		t.Fatalf("after update mode %d accounts, want %d", len(after.GetAccounts()), len(before.GetAccounts())+1)
	}
	i := slices.IndexFunc(after.GetAccounts(), func(a plaid.AccountBase) bool { return a.GetAccountId() == newID })
	if i < 0 || after.GetAccounts()[i].GetName() != "Plaid New Savings 1" || after.GetAccounts()[i].GetMask() != "1001" {
		t.Fatalf("new account %s not in /accounts/get: %+v", newID, after.GetAccounts())
	}
	if left, _ := h.emu.NewAccounts(itemID); len(left) != 0 {
		t.Errorf("still pending after sharing: %+v", left)
	}
	// Its numbers come with /auth/get like the others'.
	auth := res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()).must(t)
	if !slices.ContainsFunc(auth.GetNumbers().Ach, func(n plaid.NumbersACH) bool { return n.GetAccountId() == newID }) {
		t.Errorf("/auth/get has no numbers for the new account")
	}

	// Deselecting an account stops sharing it.
	if _, err := h.emu.ShareAccounts(itemID, []string{newID}); err != nil {
		t.Fatal(err)
	}
	only := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	if len(only.GetAccounts()) != 1 || only.GetAccounts()[0].GetAccountId() != newID {
		t.Errorf("after deselecting, accounts %+v", only.GetAccounts())
	}
	if _, err := h.emu.ShareAccounts(itemID, []string{"new-99"}); err == nil {
		t.Error("an unknown account id was accepted")
	}
}

// TestConsentExpirationWebhooks: PENDING_EXPIRATION and PENDING_DISCONNECT
// set consent_expiration_time 7 days ahead, /item/get agrees, and update
// mode renews the consent.
func TestConsentExpirationWebhooks(t *testing.T) {
	for _, code := range []string{"PENDING_EXPIRATION", "PENDING_DISCONNECT"} {
		t.Run(code, func(t *testing.T) {
			recv := newWebhookReceiver(t, http.StatusOK)
			h := newHarness(t, Options{})
			access, itemID := h.newItem(recv.url("/hook"), plaid.PRODUCTS_AUTH)
			item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
			if item.Item.ConsentExpirationTime.Get() != nil {
				t.Fatalf("a fresh Item has consent_expiration_time %v", item.Item.GetConsentExpirationTime())
			}
			fire := plaid.NewSandboxItemFireWebhookRequest(access, code)
			res(h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*fire).Execute()).must(t)
			b := recv.nextCode(t, "ITEM", code)
			if b["item_id"] != itemID {
				t.Errorf("webhook %v", b)
			}
			item = res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
			exp := item.Item.GetConsentExpirationTime()
			if want := h.emu.Now().Add(7 * 24 * time.Hour); exp.IsZero() || exp.Sub(want).Abs() > time.Minute {
				t.Fatalf("consent_expiration_time %v, want about %v", exp, want)
			}
			switch code {
			case "PENDING_EXPIRATION":
				checkWebhookSchema(t, "PendingExpirationWebhook", b)
				got, err := time.Parse(time.RFC3339, b["consent_expiration_time"].(string))
				if err != nil || !got.Equal(exp) {
					t.Errorf("webhook consent_expiration_time %v (%v), /item/get %v", b["consent_expiration_time"], err, exp)
				}
			case "PENDING_DISCONNECT":
				if b["reason"] != "INSTITUTION_TOKEN_EXPIRATION" {
					t.Errorf("webhook reason %v", b["reason"])
				}
			}
			if _, err := h.emu.RepairItem(itemID); err != nil {
				t.Fatal(err)
			}
			item = res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
			renewed := item.Item.GetConsentExpirationTime()
			if !renewed.After(exp.Add(300 * 24 * time.Hour)) {
				t.Errorf("consent_expiration_time after update mode %v, was %v", renewed, exp)
			}
		})
	}
}
