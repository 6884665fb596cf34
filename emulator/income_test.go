package emulator

import (
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestPaystubs(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_INCOME_VERIFICATION)
	req := plaid.NewIncomeVerificationPaystubsGetRequest()
	req.SetAccessToken(access)
	got := res(h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*req).Execute()).must(t)
	if len(got.Paystubs) != 3 || len(got.GetDocumentMetadata()) != 3 {
		t.Fatalf("%d paystubs", len(got.Paystubs))
	}
	first, second := got.Paystubs[0].PayPeriodDetails, got.Paystubs[1].PayPeriodDetails
	if first.GetPayDate() <= second.GetPayDate() || first.GetPayDate() >= h.emu.Now().Format("2006-01-02") {
		t.Errorf("pay dates %s, %s", first.GetPayDate(), second.GetPayDate())
	}
	if p := got.Paystubs[0]; p.Employer.GetName() != "Plaid Inc." || p.Employee.GetName() != "Alberta Bobbeth Charleson" || p.NetPay.GetCurrentAmount() <= 0 {
		t.Errorf("paystub %+v", p)
	}
	again := res(h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*req).Execute()).must(t)
	if again.Paystubs[0].DocId != got.Paystubs[0].DocId {
		t.Error("doc_id is not stable")
	}
	noIncome, _ := h.newItem("", plaid.PRODUCTS_AUTH)
	req.SetAccessToken(noIncome)
	_, _, err := h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*req).Execute()
	wantPlaidError(t, err, "PRODUCT_NOT_ENABLED")
	req.SetAccessToken("access-sandbox-nope-x")
	_, _, err = h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*req).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}
