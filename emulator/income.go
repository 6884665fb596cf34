package emulator

import (
	"math"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

type paystubsGetRequest struct {
	IncomeVerificationID *string `json:"income_verification_id"`
	AccessToken          *string `json:"access_token"`
}

// Sandbox payroll: the Item's owner is paid semi-monthly by Plaid Inc.
const (
	paystubGross     = 6000.0 / 2
	paystubHours     = 80.0
	paystubCount     = 3
	paystubEmployer  = "Plaid Inc."
	paystubYTDPeriod = 15 // days per pay period
)

// incomeVerificationPaystubsGet serves /income/verification/paystubs/get:
// the last three semi-monthly paystubs of the Item's owner (pay dates on
// the 15th and the last day of the month before the virtual clock's now).
// The Item must have been created with Income Verification.
func incomeVerificationPaystubsGet(e *Emulator, c *call, req *paystubsGetRequest) (any, *sandbox.Error) {
	if req.AccessToken == nil || *req.AccessToken == "" {
		return nil, apiError("INVALID_FIELD", "access_token is required: pass the access_token of the Item linked with income_verification (income_verification_id alone belongs to the retired flow)")
	}
	now := e.Now()
	return e.withHealthyItem(*req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if !it.hasProduct("income_verification") {
			return nil, apiError("PRODUCT_NOT_ENABLED", "the Item was not created with Income Verification, which cannot be added after Link: create the link_token (or /sandbox/public_token/create's initial_products) with \"income_verification\" in products and link the Item again; it has: %v", it.Billed)
		}
		owner := sandbox.DefaultOwner()
		addr := owner.Addresses[0]
		var stubs, docs []any
		for i, pay := range payDates(now, paystubCount) {
			docID := cannedID(it.ID, "paystub", i, pay.Year()*10000+int(pay.Month())*100+pay.Day())
			start := pay.AddDate(0, 0, -paystubYTDPeriod+1)
			nth := float64(periodsThisYear(pay))
			taxes, medical := round2(paystubGross*0.22), 120.0
			net := paystubGross - taxes - medical
			usd := "USD"
			money := func(v float64) map[string]any { return map[string]any{"amount": v, "currency": usd} }
			stubs = append(stubs, map[string]any{
				"doc_id": docID,
				"deductions": map[string]any{
					"breakdown": []any{
						map[string]any{"current_amount": taxes, "description": "Federal and state taxes", "iso_currency_code": usd, "unofficial_currency_code": nil, "ytd_amount": round2(taxes * nth)},
						map[string]any{"current_amount": medical, "description": "Medical", "iso_currency_code": usd, "unofficial_currency_code": nil, "ytd_amount": round2(medical * nth)},
					},
					"total": map[string]any{"current_amount": taxes + medical, "iso_currency_code": usd, "unofficial_currency_code": nil, "ytd_amount": round2((taxes + medical) * nth)},
				},
				"earnings": map[string]any{
					"breakdown": []any{map[string]any{
						"canonical_description": "REGULAR PAY", "current_amount": paystubGross, "description": "Regular pay", "hours": paystubHours,
						"iso_currency_code": usd, "rate": paystubGross / paystubHours, "unofficial_currency_code": nil, "ytd_amount": round2(paystubGross * nth),
					}},
					"total": map[string]any{"current_amount": paystubGross, "current_pay": money(paystubGross), "ytd_pay": money(round2(paystubGross * nth)),
						"hours": paystubHours, "iso_currency_code": usd, "unofficial_currency_code": nil, "ytd_amount": round2(paystubGross * nth)},
				},
				"employee": map[string]any{
					"name": owner.Names[0], "marital_status": "single",
					"address": map[string]any{"street": addr.Street, "city": addr.City, "region": addr.Region, "postal_code": addr.PostalCode, "country": addr.Country},
				},
				"employer": map[string]any{
					"name":    paystubEmployer,
					"address": map[string]any{"street": "1098 Harrison St", "city": "San Francisco", "region": "CA", "postal_code": "94103", "country": "US"},
				},
				"employment_details": map[string]any{"annual_salary": money(paystubGross * 24), "hire_date": "2020-01-06"},
				"net_pay":            map[string]any{"current_amount": net, "description": "Net pay", "iso_currency_code": usd, "unofficial_currency_code": nil, "ytd_amount": round2(net * nth)},
				"pay_period_details": map[string]any{
					"check_amount": net, "gross_earnings": paystubGross, "pay_date": pay.Format(time.DateOnly), "pay_day": pay.Format(time.DateOnly),
					"start_date": start.Format(time.DateOnly), "end_date": pay.Format(time.DateOnly), "pay_frequency": "PAY_FREQUENCY_SEMIMONTHLY",
					"distribution_breakdown": []any{map[string]any{"account_name": "Plaid Checking", "bank_name": "First Platypus Bank", "current_amount": net,
						"current_pay": money(net), "iso_currency_code": usd, "mask": "0000", "type": "checking", "unofficial_currency_code": nil}},
				},
				"income_breakdown": []any{map[string]any{"type": "regular", "rate": paystubGross / paystubHours, "hours": paystubHours, "total": paystubGross}},
				"ytd_earnings":     map[string]any{"gross_earnings": round2(paystubGross * nth), "net_earnings": round2(net * nth)},
			})
			docs = append(docs, map[string]any{"name": "paystub_" + pay.Format("2006_01_02") + ".pdf", "status": "DOCUMENT_STATUS_PROCESSING_COMPLETE", "doc_id": docID, "doc_type": "DOCUMENT_TYPE_PAYSTUB"})
		}
		return map[string]any{"document_metadata": docs, "paystubs": stubs, "request_id": c.requestID}, nil
	})
}

// payDates are the last n semi-monthly pay dates (the 15th and the last
// day of each month) before now, newest first.
func payDates(now time.Time, n int) []time.Time {
	var out []time.Time
	d := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for len(out) < n {
		last := d.AddDate(0, 1, -1)
		for _, p := range []time.Time{last, d.AddDate(0, 0, 14)} {
			if p.Before(now.Truncate(24*time.Hour)) && len(out) < n {
				out = append(out, p)
			}
		}
		d = d.AddDate(0, -1, 0)
	}
	return out
}

// periodsThisYear is how many semi-monthly pay dates of pay's year fall on
// or before pay.
func periodsThisYear(pay time.Time) int {
	n := 2 * (int(pay.Month()) - 1)
	if pay.Day() >= 15 {
		n++
	}
	if pay.Day() > 15 {
		n++
	}
	return int(math.Max(1, float64(n)))
}
