package emulator

import (
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// These follow the expectations of reference §2.6.

func TestInstitutionsGet(t *testing.T) {
	h := newHarness(t, Options{})
	get := func(count, offset int32, cc plaid.CountryCode, opts *plaid.InstitutionsGetRequestOptions) (plaid.InstitutionsGetResponse, error) {
		req := plaid.NewInstitutionsGetRequest(count, offset, []plaid.CountryCode{cc})
		if opts != nil {
			req.SetOptions(*opts)
		}
		r, _, err := h.client.InstitutionsGet(h.ctx).InstitutionsGetRequest(*req).Execute()
		return r, err
	}
	plain := res3(get(3, 4, plaid.COUNTRYCODE_US, nil)).must(t)
	if len(plain.Institutions) != 3 || plain.Total < 7 {
		t.Fatalf("US count 3 offset 4: %d of %d", len(plain.Institutions), plain.Total)
	}
	if plain.Institutions[0].Url.IsSet() {
		t.Error("url without include_optional_metadata")
	}
	meta := plaid.NewInstitutionsGetRequestOptions()
	meta.SetIncludeOptionalMetadata(true)
	withMeta := res3(get(3, 4, plaid.COUNTRYCODE_US, meta)).must(t)
	if withMeta.Institutions[0].GetUrl() == "" || withMeta.Institutions[0].InstitutionId != plain.Institutions[0].InstitutionId {
		t.Errorf("optional metadata: %+v", withMeta.Institutions[0])
	}

	oauth := plaid.NewInstitutionsGetRequestOptions()
	oauth.SetOauth(true)
	gb := res3(get(3, 1, plaid.COUNTRYCODE_GB, oauth)).must(t)
	if len(gb.Institutions) != 3 {
		t.Fatalf("GB oauth count 3 offset 1: %d", len(gb.Institutions))
	}
	for _, inst := range gb.Institutions {
		if !inst.Oauth {
			t.Errorf("%s is not oauth", inst.Name)
		}
	}

	routing := plaid.NewInstitutionsGetRequestOptions()
	routing.SetRoutingNumbers([]string{"021200339", "052001633"})
	boa := res3(get(10, 0, plaid.COUNTRYCODE_US, routing)).must(t)
	if boa.Total != 1 || boa.Institutions[0].InstitutionId != "ins_1" {
		t.Errorf("routing filter: %+v", boa.Institutions)
	}

	products := plaid.NewInstitutionsGetRequestOptions()
	products.SetProducts([]plaid.Products{plaid.PRODUCTS_PAYMENT_INITIATION})
	pis := res3(get(500, 0, plaid.COUNTRYCODE_GB, products)).must(t)
	for _, inst := range pis.Institutions {
		if !containsProduct(inst.Products, plaid.PRODUCTS_PAYMENT_INITIATION) {
			t.Errorf("%s lacks payment_initiation", inst.Name)
		}
	}
	past := res3(get(10, 10_000, plaid.COUNTRYCODE_US, nil)).must(t)
	if len(past.Institutions) != 0 || past.Total != plain.Total {
		t.Errorf("offset past the end: %d, total %d", len(past.Institutions), past.Total)
	}

	for name, call := range map[string]func() error{
		"count 0":   func() error { _, err := get(0, 0, plaid.COUNTRYCODE_US, nil); return err },
		"count 501": func() error { _, err := get(501, 0, plaid.COUNTRYCODE_US, nil); return err },
		"offset -1": func() error { _, err := get(1, -1, plaid.COUNTRYCODE_US, nil); return err },
		"bad country": func() error {
			_, err := get(1, 0, "ZZ", nil)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantPlaidError(t, call(), "INVALID_FIELD") })
	}
	req := plaid.NewInstitutionsGetRequest(1, 0, nil)
	_, _, err := h.client.InstitutionsGet(h.ctx).InstitutionsGetRequest(*req).Execute()
	wantPlaidError(t, err, "MISSING_FIELDS")
	bad := plaid.NewInstitutionsGetRequestOptions()
	bad.SetProducts([]plaid.Products{"nonsense"})
	_, err = get(1, 0, plaid.COUNTRYCODE_US, bad)
	wantPlaidError(t, err, "INVALID_PRODUCT")
}

func TestInstitutionsSearch(t *testing.T) {
	h := newHarness(t, Options{})
	search := func(query string, cc plaid.CountryCode, opts *plaid.InstitutionsSearchRequestOptions) []plaid.Institution {
		req := plaid.NewInstitutionsSearchRequest(query, []plaid.CountryCode{cc})
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
		if opts != nil {
			req.SetOptions(*opts)
		}
		return res(h.client.InstitutionsSearch(h.ctx).InstitutionsSearchRequest(*req).Execute()).must(t).Institutions
	}
	meta := plaid.NewInstitutionsSearchRequestOptions()
	meta.SetIncludeOptionalMetadata(true)
	us := search("Platypus", plaid.COUNTRYCODE_US, meta)
	if len(us) == 0 || len(us) > 10 || us[0].GetUrl() == "" {
		t.Fatalf("Platypus in US: %+v", us)
	}
	pi := plaid.NewInstitutionsSearchRequestOptions()
	pi.SetIncludePaymentInitiationMetadata(true)
	royal := search("Royal Bank of Plaid", plaid.COUNTRYCODE_GB, pi)
	if len(royal) == 0 || !royal[0].PaymentInitiationMetadata.IsSet() || royal[0].PaymentInitiationMetadata.Get() == nil {
		t.Fatalf("Royal Bank of Plaid: %+v", royal)
	}
	oauth := plaid.NewInstitutionsSearchRequestOptions()
	oauth.SetOauth(true)
	for _, inst := range search("Platypus", plaid.COUNTRYCODE_GB, oauth) {
		if !inst.Oauth {
			t.Errorf("%s is not oauth", inst.Name)
		}
	}
	if got := search("no bank has this name", plaid.COUNTRYCODE_US, nil); len(got) != 0 {
		t.Errorf("nonsense query found %d", len(got))
	}
	if got := search("bank", plaid.COUNTRYCODE_US, nil); len(got) > 10 {
		t.Errorf("search returned %d, at most 10", len(got))
	}
	_, _, err := h.client.InstitutionsSearch(h.ctx).InstitutionsSearchRequest(*plaid.NewInstitutionsSearchRequest("", []plaid.CountryCode{"US"})).Execute()
	wantPlaidError(t, err, "MISSING_FIELDS")
}

func TestInstitutionsGetByID(t *testing.T) {
	h := newHarness(t, Options{})
	get := func(id string, cc plaid.CountryCode, opts *plaid.InstitutionsGetByIdRequestOptions) (plaid.InstitutionsGetByIdResponse, error) {
		req := plaid.NewInstitutionsGetByIdRequest(id, []plaid.CountryCode{cc})
		if opts != nil {
			req.SetOptions(*opts)
		}
		r, _, err := h.client.InstitutionsGetById(h.ctx).InstitutionsGetByIdRequest(*req).Execute()
		return r, err
	}
	meta := plaid.NewInstitutionsGetByIdRequestOptions()
	meta.SetIncludeOptionalMetadata(true)
	meta.SetIncludeStatus(true)
	fidelity := res3(get("ins_12", plaid.COUNTRYCODE_US, meta)).must(t).Institution
	if len(fidelity.Products) == 0 || fidelity.GetUrl() == "" || !fidelity.Status.IsSet() {
		t.Errorf("ins_12: %+v", fidelity)
	}
	pi := plaid.NewInstitutionsGetByIdRequestOptions()
	pi.SetIncludePaymentInitiationMetadata(true)
	royal := res3(get("ins_117650", plaid.COUNTRYCODE_GB, pi)).must(t).Institution
	if md := royal.PaymentInitiationMetadata.Get(); md == nil || md.MaximumPaymentAmount["GBP"] == "" {
		t.Errorf("ins_117650 payment_initiation_metadata: %+v", royal.PaymentInitiationMetadata)
	}
	plain := res3(get("ins_109508", plaid.COUNTRYCODE_US, nil)).must(t).Institution
	if plain.Url.IsSet() || plain.Status.IsSet() || plain.PaymentInitiationMetadata.IsSet() {
		t.Errorf("metadata without options: %+v", plain)
	}

	_, err := get("ins_999999999", plaid.COUNTRYCODE_US, nil)
	pe := wantPlaidError(t, err, "INVALID_INSTITUTION")
	if pe.ErrorType != "INVALID_INPUT" {
		t.Errorf("error_type %s", pe.ErrorType)
	}
	_, err = get("ins_117650", plaid.COUNTRYCODE_US, nil)
	wantPlaidError(t, err, "INVALID_INSTITUTION")
}

func containsProduct(ps []plaid.Products, p plaid.Products) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// res3 is res for helpers that already dropped the *http.Response.
func res3[T any](v T, err error) outcome[T] { return outcome[T]{v, err} }
