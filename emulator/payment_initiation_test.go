package emulator

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// TestPaymentInitiation: recipients (IBAN or BACS), payments waiting for
// input, status changes through the control API with
// PAYMENT_STATUS_UPDATE, listing, and a restart in between.
func TestPaymentInitiation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{StateFile: path})
	rc := plaid.NewPaymentInitiationRecipientCreateRequest("Wonder Wallet")
	rc.SetBacs(plaid.RecipientBACSNullable{Account: plaid.PtrString("26207729"), SortCode: plaid.PtrString("560029")})
	addr := plaid.NewPaymentInitiationAddress([]string{"96 Guild Street"}, "London", "SE14 8JW", "GB")
	rc.SetAddress(*addr)
	rec := res(h.client.PaymentInitiationRecipientCreate(h.ctx).PaymentInitiationRecipientCreateRequest(*rc).Execute()).must(t)
	got := res(h.client.PaymentInitiationRecipientGet(h.ctx).PaymentInitiationRecipientGetRequest(*plaid.NewPaymentInitiationRecipientGetRequest(rec.RecipientId)).Execute()).must(t)
	if got.Name != "Wonder Wallet" || got.GetBacs().Account == nil || *got.GetBacs().Account != "26207729" {
		t.Errorf("recipient %+v", got)
	}
	pc := plaid.NewPaymentInitiationPaymentCreateRequest(rec.RecipientId, "TestPayment", *plaid.NewPaymentAmount(plaid.PAYMENTAMOUNTCURRENCY_GBP, 12.5))
	pay := res(h.client.PaymentInitiationPaymentCreate(h.ctx).PaymentInitiationPaymentCreateRequest(*pc).Execute()).must(t)
	if pay.Status != plaid.PAYMENTINITIATIONPAYMENTCREATESTATUS_PAYMENT_STATUS_INPUT_NEEDED || !strings.HasPrefix(pay.PaymentId, "payment-id-sandbox-") {
		t.Errorf("payment %+v", pay)
	}

	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, Options{StateFile: path})
	status, out := h.control("POST", "/__emulator/payments/"+pay.PaymentId+"/status", map[string]any{"status": "PAYMENT_STATUS_EXECUTED", "webhook": recv.url("/pay")})
	if status != 200 || out["old_status"] != "PAYMENT_STATUS_INPUT_NEEDED" {
		t.Fatalf("status change: %d %v", status, out)
	}
	b := recv.nextCode(t, "PAYMENT_INITIATION", "PAYMENT_STATUS_UPDATE")
	checkWebhookSchema(t, "PaymentStatusUpdateWebhook", b)
	p := res(h.client.PaymentInitiationPaymentGet(h.ctx).PaymentInitiationPaymentGetRequest(*plaid.NewPaymentInitiationPaymentGetRequest(pay.PaymentId)).Execute()).must(t)
	if p.Status != plaid.PAYMENTINITIATIONPAYMENTSTATUS_EXECUTED || p.Amount.Value != 12.5 || p.Reference != "TestPayment" {
		t.Errorf("payment after the change %+v", p)
	}
	list := res(h.client.PaymentInitiationPaymentList(h.ctx).PaymentInitiationPaymentListRequest(*plaid.NewPaymentInitiationPaymentListRequest()).Execute()).must(t)
	if len(list.Payments) != 1 {
		t.Errorf("list: %d", len(list.Payments))
	}

	eur := plaid.NewPaymentInitiationPaymentCreateRequest(rec.RecipientId, "TestPayment", *plaid.NewPaymentAmount(plaid.PAYMENTAMOUNTCURRENCY_EUR, 5))
	_, _, err := h.client.PaymentInitiationPaymentCreate(h.ctx).PaymentInitiationPaymentCreateRequest(*eur).Execute()
	wantPlaidError(t, err, "INVALID_FIELD") // a BACS-only recipient takes GBP
	_, _, err = h.client.PaymentInitiationPaymentGet(h.ctx).PaymentInitiationPaymentGetRequest(*plaid.NewPaymentInitiationPaymentGetRequest("nope")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	bad := plaid.NewPaymentInitiationRecipientCreateRequest("No details")
	_, _, err = h.client.PaymentInitiationRecipientCreate(h.ctx).PaymentInitiationRecipientCreateRequest(*bad).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	bad.SetIban("GB33 BUKB 2020 1555 5555 55")
	_, _, err = h.client.PaymentInitiationRecipientCreate(h.ctx).PaymentInitiationRecipientCreateRequest(*bad).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	if status, _ := h.control("POST", "/__emulator/payments/"+pay.PaymentId+"/status", map[string]any{"status": "DONE"}); status != 400 {
		t.Errorf("bad status: %d", status)
	}
}
