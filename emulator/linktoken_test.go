package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestLinkTokenCreateAndGet(t *testing.T) {
	h := newHarness(t, Options{})
	req := linkTokenRequest()
	req.SetWebhook("https://example.com/plaid/webhook")
	req.SetRedirectUri("http://localhost:3000/oauth")
	filters := plaid.NewLinkTokenAccountFilters()
	filters.SetDepository(*plaid.NewDepositoryFilter([]plaid.DepositoryAccountSubtype{plaid.DEPOSITORYACCOUNTSUBTYPE_CHECKING}))
	req.SetAccountFilters(*filters)
	before := h.emu.Now().Truncate(time.Second)
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*req).Execute()).must(t)
	if !strings.HasPrefix(lt.GetLinkToken(), "link-sandbox-") || len(lt.GetLinkToken()) != len("link-sandbox-")+36 {
		t.Errorf("link_token %q", lt.GetLinkToken())
	}
	if life := lt.GetExpiration().Sub(before); life < linkTokenLifetime || life > linkTokenLifetime+time.Second {
		t.Errorf("link_token lives %v, want 4h", life)
	}

	got := res(h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()).must(t)
	md := got.Metadata
	if got.GetLinkToken() != lt.GetLinkToken() || !got.GetExpiration().Equal(lt.GetExpiration()) || got.GetCreatedAt().IsZero() {
		t.Errorf("link/token/get %+v", got)
	}
	if len(md.InitialProducts) != 2 || md.InitialProducts[0] != plaid.PRODUCTS_AUTH || md.GetWebhook() != "https://example.com/plaid/webhook" ||
		md.GetLanguage() != "en" || md.GetClientName() != "Plaid Quickstart" || md.GetRedirectUri() != "http://localhost:3000/oauth" ||
		len(md.CountryCodes) != 1 || md.CountryCodes[0] != plaid.COUNTRYCODE_US {
		t.Errorf("metadata %+v", md)
	}
	if af := md.GetAccountFilters(); len(af.Depository.GetAccountSubtypes()) != 1 {
		t.Errorf("account_filters %+v", af)
	}

	minimal := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	got = res(h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(minimal.GetLinkToken())).Execute()).must(t)
	if got.Metadata.Webhook.Get() != nil || got.Metadata.RedirectUri.Get() != nil {
		t.Errorf("unset webhook and redirect_uri should be null: %+v", got.Metadata)
	}
}

func TestLinkTokenExpiresWithTheVirtualClock(t *testing.T) {
	h := newHarness(t, Options{})
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	get := func() error {
		_, _, err := h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()
		return err
	}
	h.emu.clock.advance(linkTokenLifetime - time.Minute)
	if err := get(); err != nil {
		t.Fatalf("token expired early: %v", err)
	}
	if _, err := h.emu.LinkToken(lt.GetLinkToken()); err != nil {
		t.Fatalf("Backend.LinkToken: %v", err)
	}
	status, _ := h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "2m"})
	if status != 200 {
		t.Fatalf("clock advance: %d", status)
	}
	pe := wantPlaidError(t, get(), "INVALID_LINK_TOKEN")
	if pe.ErrorType != "INVALID_INPUT" || !strings.Contains(pe.ErrorMessage, "expired") {
		t.Errorf("expired token error %+v", pe)
	}
	if _, err := h.emu.LinkToken(lt.GetLinkToken()); err == nil || !strings.Contains(err.Error(), "INVALID_LINK_TOKEN") {
		t.Errorf("Backend.LinkToken of an expired token: %v", err)
	}
	wantPlaidError(t, func() error {
		_, _, err := h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest("link-sandbox-unknown")).Execute()
		return err
	}(), "INVALID_LINK_TOKEN")
}

func TestInvalidateLinkToken(t *testing.T) {
	h := newHarness(t, Options{})
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	h.emu.InvalidateLinkToken(lt.GetLinkToken())
	_, _, err := h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()
	pe := wantPlaidError(t, err, "INVALID_LINK_TOKEN")
	if !strings.Contains(pe.ErrorMessage, "invalidated") {
		t.Errorf("message %q", pe.ErrorMessage)
	}
}

func TestLinkTokenCreateValidation(t *testing.T) {
	h := newHarness(t, Options{RedirectURIs: []string{"https://app.example.com/oauth"}})
	access, _ := h.newItem("")
	cases := []struct {
		name  string
		edit  func(r *plaid.LinkTokenCreateRequest)
		code  string
		inMsg string
	}{
		{"unset client_name", func(r *plaid.LinkTokenCreateRequest) { r.ClientName = "" }, "MISSING_FIELDS", "client_name"},
		{"nil country_codes", func(r *plaid.LinkTokenCreateRequest) { r.CountryCodes = nil }, "MISSING_FIELDS", "country_codes"},
		{"unset language and client_name", func(r *plaid.LinkTokenCreateRequest) { r.Language, r.ClientName = "", "" }, "MISSING_FIELDS", "client_name, language"},
		{"unset client_user_id", func(r *plaid.LinkTokenCreateRequest) { r.User.ClientUserId = "" }, "MISSING_FIELDS", "user.client_user_id"},
		{"no products", func(r *plaid.LinkTokenCreateRequest) { r.Products = nil }, "MISSING_FIELDS", "products"},
		{"balance", func(r *plaid.LinkTokenCreateRequest) { r.Products = []plaid.Products{"balance"} }, "INVALID_PRODUCT", "balance"},
		{"unknown product", func(r *plaid.LinkTokenCreateRequest) { r.Products = []plaid.Products{"transaction"} }, "INVALID_PRODUCT", "transaction"},
		{"overlapping optional product", func(r *plaid.LinkTokenCreateRequest) { r.OptionalProducts = []plaid.Products{"auth"} }, "INVALID_FIELD", "optional_products"},
		{"bad country", func(r *plaid.LinkTokenCreateRequest) { r.CountryCodes = []plaid.CountryCode{"XX"} }, "INVALID_FIELD", "XX"},
		{"empty country list", func(r *plaid.LinkTokenCreateRequest) { r.CountryCodes = []plaid.CountryCode{} }, "INVALID_FIELD", "country_codes"},
		{"bad language", func(r *plaid.LinkTokenCreateRequest) { r.Language = "klingon" }, "INVALID_FIELD", "klingon"},
		{"relative webhook", func(r *plaid.LinkTokenCreateRequest) { r.SetWebhook("/webhook") }, "INVALID_FIELD", "webhook must be a non-empty string URL"},
		{"empty webhook", func(r *plaid.LinkTokenCreateRequest) { r.SetWebhook("") }, "INVALID_FIELD", "webhook"},
		{"unlisted redirect_uri", func(r *plaid.LinkTokenCreateRequest) { r.SetRedirectUri("https://evil.example.com/cb") }, "INVALID_FIELD", "OAuth redirect URI must be configured"},
		{"http redirect_uri", func(r *plaid.LinkTokenCreateRequest) { r.SetRedirectUri("http://app.example.com/oauth") }, "INVALID_FIELD", "https"},
		{"redirect_uri with query", func(r *plaid.LinkTokenCreateRequest) { r.SetRedirectUri("http://localhost:3000/?a=b") }, "INVALID_FIELD", "redirect_uri"},
		{"bad access_token", func(r *plaid.LinkTokenCreateRequest) { r.SetAccessToken("access-sandbox-nope") }, "INVALID_ACCESS_TOKEN", ""},
		{"bad account subtype", func(r *plaid.LinkTokenCreateRequest) {
			f := plaid.NewLinkTokenAccountFilters()
			f.SetCredit(*plaid.NewCreditFilter([]plaid.CreditAccountSubtype{"checking"}))
			r.SetAccountFilters(*f)
		}, "INVALID_FIELD", "checking"},
		{"account filters in update mode", func(r *plaid.LinkTokenCreateRequest) {
			f := plaid.NewLinkTokenAccountFilters()
			f.SetDepository(*plaid.NewDepositoryFilter([]plaid.DepositoryAccountSubtype{"checking"}))
			r.SetAccountFilters(*f)
			r.SetAccessToken(access)
		}, "INVALID_FIELD", "account_selection_enabled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := linkTokenRequest()
			tc.edit(req)
			_, _, err := h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*req).Execute()
			pe := wantPlaidError(t, err, tc.code)
			if !strings.Contains(pe.ErrorMessage, tc.inMsg) {
				t.Errorf("message %q does not mention %q", pe.ErrorMessage, tc.inMsg)
			}
		})
	}

	allowed := linkTokenRequest()
	allowed.SetRedirectUri("https://app.example.com/oauth")
	res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*allowed).Execute()).must(t)
}
