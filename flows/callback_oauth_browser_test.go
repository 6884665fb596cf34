package flows

// The callback page's OAuth redirect round trip in headless Chromium, with
// the real emulated Link: it keeps the link_token in sessionStorage, comes
// back at /oauth-return, re-initializes Link with receivedRedirectUri and
// reports each step; a reload (the same oauth_state_id again) and a lost
// token fail as they should.

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
)

// newOAuthCallback is a callback server whose tokens carry its own
// redirect_uri, with the autopilot armed for Platypus OAuth Bank.
func newOAuthCallback(t *testing.T) *testServer {
	t.Helper()
	base := emulatortest.Start(t).URL
	ctl := &Control{BaseURL: base}
	client := NewPlaidClient(Config{Mode: ModeEmulated, ClientID: EmulatedClientID, Secret: EmulatedSecret, BaseURL: base}, nil)
	var self atomic.Pointer[testServer] // set once the server runs
	ts := startTestServer(t, CallbackOptions{
		LinkScriptURL: base + "/link/v2/stable/link-initialize.js",
		CreateLinkToken: func(ctx context.Context, _ *LinkSession) (string, error) {
			req := plaid.NewLinkTokenCreateRequest("linkexplorer", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("u1"))
			req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
			req.SetRedirectUri(self.Load().RedirectURI())
			resp, _, err := client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
			if err != nil {
				return "", AsAPIError("/link/token/create", err)
			}
			a := Autopilot{Username: "user_good", Password: "pass_good", InstitutionID: "ins_127287"}
			a.LinkToken = resp.GetLinkToken()
			return resp.GetLinkToken(), ctl.ArmAutopilot(ctx, a)
		},
	})
	self.Store(ts)
	return ts
}

func TestCallbackPageOAuthRedirectThenReload(t *testing.T) {
	browser := headlesstest.NewContext(t)
	ts := newOAuthCallback(t)
	if !strings.HasSuffix(ts.RedirectURI(), "/oauth-return") || !strings.HasPrefix(ts.RedirectURI(), "http://127.0.0.1:") {
		t.Fatalf("redirect_uri %q", ts.RedirectURI())
	}
	s := ts.NewSession("oauth")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	var returned PageEvent
	kinds, ev := waitKinds(t, s, func(e PageEvent) bool {
		if e.Kind == "oauth_return" {
			returned = e
		}
		return isEnd(e)
	})
	if ev.Kind != "success" || ev.InstitutionID != "ins_127287" {
		t.Fatalf("ended with %+v after %v", ev, kinds)
	}
	if !containsKind(kinds, "event:OPEN_OAUTH") || !strings.Contains(string(returned.Metadata), `"oauth_state_id"`) {
		t.Fatalf("no handoff and return in %v (return %s)", kinds, returned.Metadata)
	}
	// The page is now at /oauth-return?oauth_state_id=…: a reload uses
	// the same oauth_state_id again, which Plaid refuses.
	if err := chromedp.Do(browser, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	kinds, ev = waitKinds(t, s, isEnd)
	if ev.Kind != "exit" || ev.ErrorCode != "OAUTH_STATE_ID_ALREADY_PROCESSED" || ev.ErrorType != "OAUTH_ERROR" {
		t.Fatalf("after a reload: %+v (%v)", ev, kinds)
	}
}

func TestCallbackPageOAuthTokenLost(t *testing.T) {
	browser := headlesstest.NewContext(t)
	ts := newOAuthCallback(t)
	// A tab that never started Link has nothing in sessionStorage.
	if err := chromedp.Do(browser, chromedp.Navigate(ts.RedirectURI()+"?oauth_state_id=0b0c3c2e-8d7e-4a8c-9a55-2a3f3d1f0e11")); err != nil {
		t.Fatal(err)
	}
	js := `document.getElementById('status-text').textContent.indexOf('lost across the OAuth redirect') >= 0`
	if _, err := chromedp.Run(browser, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(0))); err != nil {
		t.Fatalf("the page did not say the token was lost: %v", err)
	}
}
