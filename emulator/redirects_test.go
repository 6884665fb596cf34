package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
)

// TestRedirectURIAllowlist: /link/token/create refuses a redirect_uri that
// is not allowlisted, loopback included, with Plaid's INVALID_FIELD; the
// callback page's own path is allowed on any loopback port; the control
// API and the --redirect-uri option add entries.
func TestRedirectURIAllowlist(t *testing.T) {
	srv := emulatortest.Start(t, emulatortest.Options(emulator.Options{RedirectURIs: []string{"https://app.example.com/oauth"}}))
	client := srv.Client()
	create := func(uri string) error {
		req := plaid.NewLinkTokenCreateRequest("App", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("u"))
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
		req.SetRedirectUri(uri)
		_, _, err := client.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
		return err
	}
	for _, ok := range []string{"http://127.0.0.1:43210/oauth-return", "http://localhost:3000/", "https://app.example.com/oauth"} {
		if err := create(ok); err != nil {
			t.Errorf("%s refused: %v", ok, plaidErr(err))
		}
	}
	refused := "http://127.0.0.1:43210/oauth-callback"
	err := create(refused)
	pe, perr := plaid.ToPlaidError(err)
	if perr != nil || pe.ErrorCode != "INVALID_FIELD" || !strings.HasPrefix(pe.ErrorMessage, "OAuth redirect URI must be configured in the developer dashboard. See https://plaid.com/docs/#oauth-redirect-uris") {
		t.Fatalf("not allowlisted: %v", err)
	}

	ctl := func(method string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+"/__emulator/redirect_uris", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	if code, out := ctl(http.MethodPost, map[string]string{"redirect_uri": refused}); code != 200 || !slices.Contains(out["redirect_uris"].([]any), any(refused)) {
		t.Fatalf("add: %d %v", code, out)
	}
	if err := create(refused); err != nil {
		t.Fatalf("allowlisted through the control API, still refused: %v", plaidErr(err))
	}
	if code, _ := ctl(http.MethodDelete, map[string]string{"redirect_uri": refused}); code != 200 {
		t.Fatalf("remove: %d", code)
	}
	if err := create(refused); err == nil {
		t.Fatal("removed from the allowlist, still accepted")
	}
	if code, out := ctl(http.MethodPost, map[string]string{"redirect_uri": "http://evil.example.com/cb"}); code != 400 || !strings.Contains(out["error_message"].(string), "https") {
		t.Fatalf("a plain-http non-loopback URI must be refused: %d %v", code, out)
	}
}
