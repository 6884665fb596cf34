package emulatortest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
)

func linkTokenRequest() plaid.LinkTokenCreateRequest {
	req := plaid.NewLinkTokenCreateRequest("emulatortest", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US},
		*plaid.NewLinkTokenCreateRequestUser("user-1"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
	return *req
}

func TestStartServesPlaidOnLoopback(t *testing.T) {
	srv := emulatortest.Start(t)
	u, err := url.Parse(srv.URL)
	if err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("URL %q is not on loopback (%v)", srv.URL, err)
	}
	resp, _, err := srv.Client().LinkTokenCreate(context.Background()).LinkTokenCreateRequest(linkTokenRequest()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if tok := resp.GetLinkToken(); len(tok) < len("link-sandbox-") || tok[:len("link-sandbox-")] != "link-sandbox-" {
		t.Errorf("link_token %q", tok)
	}
}

func TestCredentialsAreRequired(t *testing.T) {
	srv := emulatortest.Start(t, emulatortest.Credentials("kit-client", "kit-secret-0123456789"))
	if srv.ClientID != "kit-client" {
		t.Fatalf("ClientID = %q", srv.ClientID)
	}
	ctx := context.Background()
	if _, _, err := srv.Client().LinkTokenCreate(ctx).LinkTokenCreateRequest(linkTokenRequest()).Execute(); err != nil {
		t.Fatalf("the right credentials are refused: %v", err)
	}
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "kit-client")
	cfg.AddDefaultHeader("PLAID-SECRET", "wrong-secret-0123456789")
	cfg.UseEnvironment(plaid.Environment(srv.URL))
	_, _, err := plaid.NewAPIClient(cfg).PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(linkTokenRequest()).Execute()
	perr, convErr := plaid.ToPlaidError(err)
	if convErr != nil || perr.ErrorCode != "INVALID_API_KEYS" {
		t.Fatalf("a wrong secret gave %v, want INVALID_API_KEYS", err)
	}
}

func TestOptionsCarryCredentials(t *testing.T) {
	srv := emulatortest.Start(t, emulatortest.Options(emulator.Options{ClientID: "opt-client", Secret: "opt-secret-0123456789"}))
	if srv.ClientID != "opt-client" || srv.Secret != "opt-secret-0123456789" {
		t.Fatalf("credentials %q/%q", srv.ClientID, srv.Secret)
	}
	if _, _, err := srv.Client().LinkTokenCreate(context.Background()).LinkTokenCreateRequest(linkTokenRequest()).Execute(); err != nil {
		t.Fatal(err)
	}
}

func TestNewAndClose(t *testing.T) {
	srv, err := emulatortest.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	if _, _, err := srv.Client().LinkTokenCreate(context.Background()).LinkTokenCreateRequest(linkTokenRequest()).Execute(); err == nil {
		t.Fatal("a closed emulator still answers")
	}
}

// TestWebhooksStayOnLoopback: a webhook URL beyond loopback is refused, and
// the emulator records the failed delivery, instead of reaching the network.
func TestWebhooksStayOnLoopback(t *testing.T) {
	srv := emulatortest.Start(t)
	ctx := context.Background()
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	req.SetOptions(plaid.SandboxPublicTokenCreateRequestOptions{Webhook: plaid.PtrString("https://app.example.com/hook")})
	client := srv.Client()
	pub, _, err := client.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	exch, _, err := client.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub.GetPublicToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	fire := plaid.NewSandboxItemFireWebhookRequest(exch.GetAccessToken(), "DEFAULT_UPDATE")
	if _, _, err := client.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(*fire).Execute(); err != nil {
		t.Fatal(err)
	}
	// Wait as long as the test may run, less a margin to report in.
	deadline := time.Now().Add(time.Hour)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-5 * time.Second)
	}
	for {
		resp, err := http.Get(srv.URL + "/__emulator/webhooks")
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Deliveries []struct {
				URL   string `json:"url"`
				Error string `json:"error"`
			} `json:"deliveries"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.Deliveries {
			if strings.Contains(d.Error, "loopback only") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refused delivery recorded before the test's deadline: %+v", out.Deliveries)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
