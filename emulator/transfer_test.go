package emulator

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

func transferAuthRequest(access, account, amount string) *plaid.TransferAuthorizationCreateRequest {
	req := plaid.NewTransferAuthorizationCreateRequest(access, account, plaid.TRANSFERTYPE_DEBIT, plaid.TRANSFERNETWORK_ACH, amount,
		*plaid.NewTransferAuthorizationUserInRequest("Alberta Charleson"))
	req.SetAchClass(plaid.ACHCLASS_PPD)
	return req
}

// TestTransferLifecycle: authorize (approved, or NSF above the available
// balance), create, simulate pending → posted → settled → returned with
// events and TRANSFER_EVENTS_UPDATE webhooks, list, event sync across a
// restart; errors for bad tokens, used authorizations, impossible moves
// and Items created without Transfer.
func TestTransferLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{StateFile: path})
	access, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSFER)
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	checking := accounts.Accounts[0].AccountId // available 100

	declined := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(access, checking, "150.00")).Execute()).must(t)
	if declined.Authorization.Decision != plaid.TRANSFERAUTHORIZATIONDECISION_DECLINED || declined.Authorization.DecisionRationale.Get().Code != "NSF" {
		t.Errorf("150 against 100 available: %+v", declined.Authorization)
	}
	authReq := transferAuthRequest(access, checking, "25.50")
	authReq.SetIdempotencyKey("order-1")
	auth := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*authReq).Execute()).must(t)
	if auth.Authorization.Decision != plaid.TRANSFERAUTHORIZATIONDECISION_APPROVED {
		t.Fatalf("25.50: %+v", auth.Authorization)
	}
	again := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*authReq).Execute()).must(t)
	if again.Authorization.Id != auth.Authorization.Id {
		t.Error("the same idempotency_key made a new authorization")
	}
	create := plaid.NewTransferCreateRequest(access, checking, auth.Authorization.Id, "Invoice 1")
	tr := res(h.client.TransferCreate(h.ctx).TransferCreateRequest(*create).Execute()).must(t).Transfer
	if tr.Status != plaid.TRANSFERSTATUS_PENDING || tr.Amount != "25.50" || !tr.Cancellable {
		t.Errorf("new transfer %+v", tr)
	}
	recv.nextCode(t, "TRANSFER", "TRANSFER_EVENTS_UPDATE")
	_, _, err := h.client.TransferCreate(h.ctx).TransferCreateRequest(*create).Execute()
	wantPlaidError(t, err, "INVALID_FIELD") // the authorization is used
	_, _, err = h.client.TransferCreate(h.ctx).TransferCreateRequest(*plaid.NewTransferCreateRequest(access, checking, declined.Authorization.Id, "x")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD") // declined

	simulate := func(id, event string) error {
		_, _, err := h.client.SandboxTransferSimulate(h.ctx).SandboxTransferSimulateRequest(*plaid.NewSandboxTransferSimulateRequest(id, event)).Execute()
		return err
	}
	wantPlaidError(t, simulate(tr.Id, "settled"), "INVALID_FIELD") // pending cannot settle
	if err := simulate(tr.Id, "posted"); err != nil {
		t.Fatal(err)
	}
	recv.nextCode(t, "TRANSFER", "TRANSFER_EVENTS_UPDATE")

	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, Options{StateFile: path})
	if err := simulate(tr.Id, "settled"); err != nil {
		t.Fatal(err)
	}
	if err := simulate(tr.Id, "returned"); err != nil {
		t.Fatal(err)
	}
	got := res(h.client.TransferGet(h.ctx).TransferGetRequest(*plaid.NewTransferGetRequest(tr.Id)).Execute()).must(t).Transfer
	if got.Status != plaid.TRANSFERSTATUS_RETURNED || got.FailureReason.Get().GetAchReturnCode() != "R01" || got.Cancellable {
		t.Errorf("returned transfer %+v", got)
	}
	events := res(h.client.TransferEventSync(h.ctx).TransferEventSyncRequest(*plaid.NewTransferEventSyncRequest(0)).Execute()).must(t).TransferEvents
	var types []string
	for i, ev := range events {
		types = append(types, string(ev.EventType))
		if ev.EventId != int32(i+1) || ev.TransferId != tr.Id {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	if len(types) != 4 || types[0] != "pending" || types[3] != "returned" {
		t.Errorf("events %v", types)
	}
	later := res(h.client.TransferEventSync(h.ctx).TransferEventSyncRequest(*plaid.NewTransferEventSyncRequest(2)).Execute()).must(t).TransferEvents
	if len(later) != 2 || later[0].EventId != 3 {
		t.Errorf("events after 2: %d", len(later))
	}
	el := plaid.NewTransferEventListRequest()
	el.SetEventTypes([]plaid.TransferEventType{plaid.TRANSFEREVENTTYPE_POSTED})
	if posted := res(h.client.TransferEventList(h.ctx).TransferEventListRequest(*el).Execute()).must(t).TransferEvents; len(posted) != 1 {
		t.Errorf("posted events: %d", len(posted))
	}

	// A second transfer, cancelled while pending.
	auth2 := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(access, checking, "5.00")).Execute()).must(t)
	tr2 := res(h.client.TransferCreate(h.ctx).TransferCreateRequest(*plaid.NewTransferCreateRequest(access, checking, auth2.Authorization.Id, "Invoice 2")).Execute()).must(t).Transfer
	res(h.client.TransferCancel(h.ctx).TransferCancelRequest(*plaid.NewTransferCancelRequest(tr2.Id)).Execute()).must(t)
	_, _, err = h.client.TransferCancel(h.ctx).TransferCancelRequest(*plaid.NewTransferCancelRequest(tr2.Id)).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	list := res(h.client.TransferList(h.ctx).TransferListRequest(*plaid.NewTransferListRequest()).Execute()).must(t).Transfers
	if len(list) != 2 {
		t.Errorf("list: %d transfers", len(list))
	}

	_, _, err = h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest("access-sandbox-nope-x", checking, "1.00")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	_, _, err = h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(access, checking, "1.001")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	noTransfer, _ := h.newItem("", plaid.PRODUCTS_AUTH)
	acc2 := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(noTransfer)).Execute()).must(t)
	_, _, err = h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(noTransfer, acc2.Accounts[0].AccountId, "1.00")).Execute()
	wantPlaidError(t, err, "PRODUCT_NOT_ENABLED")
	_, _, err = h.client.TransferGet(h.ctx).TransferGetRequest(*plaid.NewTransferGetRequest("nope")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")

	res(h.client.SandboxTransferFireWebhook(h.ctx).SandboxTransferFireWebhookRequest(*plaid.NewSandboxTransferFireWebhookRequest(recv.url("/fired"))).Execute()).must(t)
	for {
		b := recv.nextCode(t, "TRANSFER", "TRANSFER_EVENTS_UPDATE")
		if b["_path"] == "/fired" {
			checkWebhookSchema(t, "TransferEventsUpdateWebhook", b)
			break
		}
	}
}
