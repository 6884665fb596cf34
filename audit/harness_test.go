package audit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/flows"
)

// startEmulator serves the real emulator in-process on loopback and
// returns its URL and a control client.
func startEmulator(t *testing.T) (string, *flows.Control) {
	t.Helper()
	srv := emulatortest.Start(t)
	return srv.URL, &flows.Control{BaseURL: srv.URL}
}

// plaidClient is plaid-go pointed at the emulator, as an app's backend
// would build it.
func plaidClient(emuURL string) *plaid.PlaidApiService {
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "acme-client-id")
	cfg.AddDefaultHeader("PLAID-SECRET", "acme-secret-0123456789")
	cfg.UseEnvironment(plaid.Environment(emuURL))
	return plaid.NewAPIClient(cfg).PlaidApi
}

// appBackend is a tiny app backend: its /api/create_link_token route builds
// a /link/token/create request with build and sends it to the emulator
// through plaid-go, relaying Plaid's error as the quickstart does.
func appBackend(t *testing.T, emuURL string, build func(r *http.Request) plaid.LinkTokenCreateRequest) string {
	t.Helper()
	client := plaidClient(emuURL)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/create_link_token", func(w http.ResponseWriter, r *http.Request) {
		resp, _, err := client.LinkTokenCreate(r.Context()).LinkTokenCreateRequest(build(r)).Execute()
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			if pe, ok := flows.PlaidErrorOf(err); ok {
				_ = json.NewEncoder(w).Encode(map[string]any{"error": pe})
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"link_token": resp.GetLinkToken(), "expiration": resp.GetExpiration().String()})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// goodRequest is a /link/token/create request that follows the guide.
func goodRequest() plaid.LinkTokenCreateRequest {
	req := plaid.NewLinkTokenCreateRequest("Acme Budget", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US},
		*plaid.NewLinkTokenCreateRequestUser("user-8731"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	req.SetWebhook("https://acme.example.com/api/plaid/webhook")
	req.SetRedirectUri("http://localhost:3000/oauth-return")
	return *req
}

// newItem links a Sandbox Item through the emulator and returns its
// access_token.
func newItem(t *testing.T, emuURL string) string {
	t.Helper()
	ctx := context.Background()
	client := plaidClient(emuURL)
	pub, _, err := client.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ex, _, err := client.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pub.GetPublicToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	return ex.GetAccessToken()
}

// linkTokenRequests returns the /link/token/create requests the emulator
// logged, straight from its control API.
func linkTokenRequests(t *testing.T, ctl *flows.Control) []flows.ObservedRequest {
	t.Helper()
	reqs, _, err := ctl.Requests(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []flows.ObservedRequest
	for _, r := range reqs {
		if r.Path == "/link/token/create" {
			out = append(out, r)
		}
	}
	return out
}
