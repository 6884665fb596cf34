package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestUserAndProcessorTokens(t *testing.T) {
	h := newHarness(t, Options{})
	u := res(h.client.UserCreate(h.ctx).UserCreateRequest(*plaid.NewUserCreateRequest("user-abc")).Execute()).must(t)
	if !strings.HasPrefix(u.UserToken, "user-sandbox-") || len(u.UserId) != 37 {
		t.Errorf("user %+v", u)
	}
	_, _, err := h.client.UserCreate(h.ctx).UserCreateRequest(*plaid.NewUserCreateRequest("user-abc")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")

	access, itemID := h.newItem("", plaid.PRODUCTS_AUTH)
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	pt := res(h.client.ProcessorTokenCreate(h.ctx).ProcessorTokenCreateRequest(
		*plaid.NewProcessorTokenCreateRequest(access, accounts.Accounts[0].AccountId, "dwolla")).Execute()).must(t)
	if !strings.HasPrefix(pt.ProcessorToken, "processor-sandbox-") || h.emu.st.prod.ProcessorTokens[pt.ProcessorToken].ItemID != itemID {
		t.Errorf("processor token %q", pt.ProcessorToken)
	}
	_, _, err = h.client.ProcessorTokenCreate(h.ctx).ProcessorTokenCreateRequest(*plaid.NewProcessorTokenCreateRequest(access, "nope", "dwolla")).Execute()
	wantPlaidError(t, err, "INVALID_ACCOUNT_ID")
	_, _, err = h.client.ProcessorTokenCreate(h.ctx).ProcessorTokenCreateRequest(*plaid.NewProcessorTokenCreateRequest(access, accounts.Accounts[0].AccountId, "not-a-processor")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(access)).Execute()).must(t)
	if _, ok := h.emu.st.prod.ProcessorTokens[pt.ProcessorToken]; ok {
		t.Error("the processor token outlived its Item")
	}
	_, _, err = h.client.ProcessorTokenCreate(h.ctx).ProcessorTokenCreateRequest(*plaid.NewProcessorTokenCreateRequest(access, accounts.Accounts[0].AccountId, "dwolla")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")

	spt := res(h.client.SandboxProcessorTokenCreate(h.ctx).SandboxProcessorTokenCreateRequest(*plaid.NewSandboxProcessorTokenCreateRequest("ins_109508")).Execute()).must(t)
	if !strings.HasPrefix(spt.ProcessorToken, "processor-sandbox-") {
		t.Errorf("sandbox processor token %q", spt.ProcessorToken)
	}
	_, _, err = h.client.SandboxProcessorTokenCreate(h.ctx).SandboxProcessorTokenCreateRequest(*plaid.NewSandboxProcessorTokenCreateRequest("ins_nope")).Execute()
	wantPlaidError(t, err, "INVALID_INSTITUTION")
}

func TestApplicationListAndVerificationStatus(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_AUTH)
	req := plaid.NewItemApplicationListRequest()
	req.SetAccessToken(access)
	apps := res(h.client.ItemApplicationList(h.ctx).ItemApplicationListRequest(*req).Execute()).must(t)
	if len(apps.Applications) != 0 {
		t.Errorf("applications %v", apps.Applications)
	}
	req.SetAccessToken("access-sandbox-nope-x")
	_, _, err := h.client.ItemApplicationList(h.ctx).ItemApplicationListRequest(*req).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")

	// An Item linked without micro-deposits has nothing to verify.
	auth := res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()).must(t)
	_, _, err = h.client.SandboxItemSetVerificationStatus(h.ctx).SandboxItemSetVerificationStatusRequest(
		*plaid.NewSandboxItemSetVerificationStatusRequest(access, auth.Accounts[0].AccountId, "automatically_verified")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
}
