package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/plaid/plaid-go/v20/plaid"
)

// The benchmarks measure the emulator's cost per request over loopback
// through plaid-go, beside BenchmarkBareHandler: a minimal net/http JSON
// handler answering the same requests with responses of the same shape,
// through the same client, in the same run. bench/emulator.sh compares
// them; bench/README.md has this machine's numbers.

// benchClient is plaid-go as an app configures it, without the tests'
// schema validation.
func benchClient(baseURL string) *plaid.PlaidApiService {
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "bench-client")
	cfg.AddDefaultHeader("PLAID-SECRET", "bench-secret-0123456789")
	cfg.UseEnvironment(plaid.Environment(baseURL))
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	return plaid.NewAPIClient(cfg).PlaidApi
}

func benchEmulator(b *testing.B) *plaid.PlaidApiService {
	_, srv := serve(b, Options{})
	return benchClient(srv.URL)
}

func BenchmarkLinkTokenCreate(b *testing.B) {
	benchLinkTokenCreate(b, benchEmulator(b))
}

func BenchmarkCreateExchangeAccounts(b *testing.B) {
	benchCreateExchangeAccounts(b, benchEmulator(b))
}

// BenchmarkBareHandler runs the same two workloads against bareHandler.
func BenchmarkBareHandler(b *testing.B) {
	srv := httptest.NewServer(bareHandler())
	b.Cleanup(srv.Close)
	client := benchClient(srv.URL)
	b.Run("link_token_create", func(b *testing.B) { benchLinkTokenCreate(b, client) })
	b.Run("create_exchange_accounts", func(b *testing.B) { benchCreateExchangeAccounts(b, client) })
}

func benchLinkTokenCreate(b *testing.B, client *plaid.PlaidApiService) {
	ctx := context.Background()
	req := *linkTokenRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := client.LinkTokenCreate(ctx).LinkTokenCreateRequest(req).Execute(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCreateExchangeAccounts is one op of three requests:
// /sandbox/public_token/create → /item/public_token/exchange → /accounts/get.
func benchCreateExchangeAccounts(b *testing.B, client *plaid.PlaidApiService) {
	ctx := context.Background()
	create := *plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	b.ReportAllocs()
	for b.Loop() {
		pt, _, err := client.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(create).Execute()
		if err != nil {
			b.Fatal(err)
		}
		ex, _, err := client.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
		if err != nil {
			b.Fatal(err)
		}
		accounts, _, err := client.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()
		if err != nil || len(accounts.Accounts) != 12 {
			b.Fatalf("accounts: %d, %v", len(accounts.Accounts), err)
		}
	}
}

// bareHandler is the baseline: a minimal net/http JSON handler that
// decodes each request body and encodes a response of the same shape as
// the emulator's (fresh tokens, ids and request_id; 12 accounts), with no
// validation, state or logging.
func bareHandler() http.Handler {
	mux := http.NewServeMux()
	serve := func(path string, respond func() any) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			var req map[string]any
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(respond())
		})
	}
	serve("/link/token/create", func() any {
		return linkTokenCreateResponse{LinkToken: "link-sandbox-" + uuid.NewString(), Expiration: time.Now().Add(4 * time.Hour), RequestID: newRequestID()}
	})
	serve("/sandbox/public_token/create", func() any {
		return publicTokenResponse{PublicToken: "public-sandbox-" + uuid.NewString(), RequestID: newRequestID()}
	})
	serve("/item/public_token/exchange", func() any {
		return publicTokenExchangeResponse{AccessToken: "access-sandbox-" + uuid.NewString(), ItemID: newObjectID(), RequestID: newRequestID()}
	})
	accounts, item := bareAccounts()
	serve("/accounts/get", func() any {
		return accountsResponse{Accounts: accounts, Item: item, RequestID: newRequestID()}
	})
	return mux
}

// bareAccounts are 12 accounts and an Item shaped like the emulator's, in
// the same response types, built once.
func bareAccounts() ([]accountJSON, itemJSON) {
	available, current, currency := 100.0, 110.0, "USD"
	mask, official, subtype := "0000", "Plaid Gold Standard 0% Interest Checking", "checking"
	accounts := make([]accountJSON, 12)
	for i := range accounts {
		accounts[i] = accountJSON{
			AccountID: newObjectID(),
			Balances:  balancesJSON{Available: &available, Current: &current, ISOCurrencyCode: &currency},
			Mask:      &mask, Name: "Plaid Checking", OfficialName: &official, Type: "depository", Subtype: &subtype,
		}
	}
	institution := "ins_109508"
	item := itemJSON{
		ItemID: newObjectID(), InstitutionID: &institution,
		AvailableProducts: []string{"auth", "balance", "identity"}, BilledProducts: []string{"transactions"},
		Products: []string{"transactions"}, ConsentedProducts: []string{"transactions"}, UpdateType: "background",
	}
	return accounts, item
}
