package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// typoTransport rewrites each request body as a client with a typo or an
// out-of-date field name would send it (plaid-go's typed requests cannot
// hold an unknown field themselves).
type typoTransport struct {
	base    http.RoundTripper
	replace *strings.Replacer
}

func (tt typoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	out := []byte(tt.replace.Replace(string(body)))
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(out))
	r.ContentLength = int64(len(out))
	return tt.base.RoundTrip(r)
}

// typoClient is plaid-go against h's emulator, its bodies rewritten by
// the old/new pairs.
func typoClient(h *harness, pairs ...string) *plaid.PlaidApiService {
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "typo-client")
	cfg.AddDefaultHeader("PLAID-SECRET", "typo-secret-0123456789")
	cfg.UseEnvironment(plaid.Environment(h.srv.URL))
	cfg.HTTPClient = &http.Client{Transport: typoTransport{base: http.DefaultTransport, replace: strings.NewReplacer(pairs...)}}
	return plaid.NewAPIClient(cfg).PlaidApi
}

// TestNestedFieldsThroughPlaidGo: the cases issue 14 found accepted
// silently (an unknown field below the top level) are refused with Plaid's
// error and the dotted path, as plaid-go reports them, and a nested field
// of the wrong type or a missing nested required field likewise.
func TestNestedFieldsThroughPlaidGo(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("")
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	accountID := accounts.Accounts[0].AccountId

	withAccountIDs := func() plaid.AccountsGetRequest {
		req := plaid.NewAccountsGetRequest(access)
		opts := plaid.NewAccountsGetRequestOptions()
		opts.SetAccountIds([]string{accountID})
		req.SetOptions(*opts)
		return *req
	}
	linkToken := func() plaid.LinkTokenCreateRequest {
		req := linkTokenRequest()
		user := req.GetUser()
		user.SetEmailAddress("user@example.com")
		req.SetUser(user)
		tx := plaid.NewLinkTokenTransactions()
		tx.SetDaysRequested(90)
		req.SetTransactions(*tx)
		return *req
	}

	for _, tc := range []struct {
		name, code, field string
		call              func(c *plaid.PlaidApiService) error
		pairs             []string
	}{
		{"accounts/get options.acount_ids", "UNKNOWN_FIELDS", "options.acount_ids", func(c *plaid.PlaidApiService) error {
			_, _, err := c.AccountsGet(h.ctx).AccountsGetRequest(withAccountIDs()).Execute()
			return err
		}, []string{`"account_ids"`, `"acount_ids"`}},
		{"link/token/create user.emial_address", "UNKNOWN_FIELDS", "user.emial_address", func(c *plaid.PlaidApiService) error {
			_, _, err := c.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(linkToken()).Execute()
			return err
		}, []string{`"email_address"`, `"emial_address"`}},
		{"link/token/create transactions.days_requsted", "UNKNOWN_FIELDS", "transactions.days_requsted", func(c *plaid.PlaidApiService) error {
			_, _, err := c.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(linkToken()).Execute()
			return err
		}, []string{`"days_requested"`, `"days_requsted"`}},
		{"transactions/sync options.include_personal_finance_categroy", "UNKNOWN_FIELDS", "options.include_personal_finance_categroy", func(c *plaid.PlaidApiService) error {
			req := plaid.NewTransactionsSyncRequest(access)
			opts := plaid.NewTransactionsSyncRequestOptions()
			opts.SetIncludePersonalFinanceCategory(true)
			req.SetOptions(*opts)
			_, _, err := c.TransactionsSync(h.ctx).TransactionsSyncRequest(*req).Execute()
			return err
		}, []string{`"include_personal_finance_category"`, `"include_personal_finance_categroy"`}},
		{"accounts/get options.account_ids a string", "INVALID_FIELD", "options.account_ids", func(c *plaid.PlaidApiService) error {
			_, _, err := c.AccountsGet(h.ctx).AccountsGetRequest(withAccountIDs()).Execute()
			return err
		}, []string{`["` + accountID + `"]`, `"` + accountID + `"`}},
		{"link/token/create transactions.days_requested a string", "INVALID_FIELD", "transactions.days_requested", func(c *plaid.PlaidApiService) error {
			_, _, err := c.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(linkToken()).Execute()
			return err
		}, []string{`"days_requested":90`, `"days_requested":"90"`}},
		{"link/token/create user.client_user_id empty", "MISSING_FIELDS", "user.client_user_id", func(c *plaid.PlaidApiService) error {
			_, _, err := c.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(linkToken()).Execute()
			return err
		}, []string{`"client_user_id":"user-1"`, `"client_user_id":""`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Without the rewrite the same request succeeds.
			if err := tc.call(h.client); err != nil {
				t.Fatalf("the request itself fails: %v", err)
			}
			pe := wantPlaidError(t, tc.call(typoClient(h, tc.pairs...)), tc.code)
			if pe.ErrorType != "INVALID_REQUEST" || !strings.Contains(pe.ErrorMessage, tc.field) {
				t.Errorf("%s %s: %q does not name %s", pe.ErrorType, pe.ErrorCode, pe.ErrorMessage, tc.field)
			}
		})
	}
}
