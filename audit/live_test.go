package audit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
)

// checksByID indexes checks by id.
func checksByID(checks []*Check) map[string]*Check {
	m := map[string]*Check{}
	for _, c := range checks {
		m[c.ID] = c
	}
	return m
}

// wantStatus asserts the status of each listed check.
func wantStatus(t *testing.T, checks map[string]*Check, want map[string]Status) {
	t.Helper()
	for id, st := range want {
		c, ok := checks[id]
		if !ok {
			t.Errorf("no check %s", id)
			continue
		}
		if c.Status != st {
			t.Errorf("%s = %s (%s), want %s", id, c.Status, c.Detail, st)
		}
	}
}

// hasRequestEvidence reports whether c cites the emulator request rid.
func hasRequestEvidence(c *Check, rid string) bool {
	for _, e := range c.Evidence {
		if e.Kind == "request" && e.RequestID == rid && e.Path == "/link/token/create" {
			return true
		}
	}
	return false
}

func TestLiveAuditGoodBackend(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	app := appBackend(t, emuURL, func(*http.Request) plaid.LinkTokenCreateRequest { return goodRequest() })
	res := AuditEndpoint(context.Background(), LiveOptions{Endpoint: app + "/api/create_link_token", Emulator: ctl})
	checks := checksByID(res.Checks)
	wantStatus(t, checks, map[string]Status{
		"live.token-endpoint": StatusPass, "live.link-token-create": StatusPass, "live.client-user-id": StatusPass,
		"live.client-name": StatusPass, "live.language": StatusPass, "live.country-codes": StatusPass,
		"live.products": StatusPass, "live.redirect-uri": StatusPass, "live.webhook": StatusPass,
	})
	if _, ok := checks["live.access-token"]; ok {
		t.Error("a new-Item token got the update-mode access_token check")
	}
	reqs := linkTokenRequests(t, ctl)
	if len(reqs) != 1 {
		t.Fatalf("the emulator logged %d /link/token/create, want 1", len(reqs))
	}
	for _, id := range []string{"live.link-token-create", "live.client-user-id", "live.products"} {
		if !hasRequestEvidence(checks[id], reqs[0].RequestID) {
			t.Errorf("%s does not cite request_id %s: %+v", id, reqs[0].RequestID, checks[id].Evidence)
		}
	}
	if len(res.Calls) != 1 || res.Calls[0].HTTPStatus != 200 || !strings.HasPrefix(res.Calls[0].LinkToken, "link-sandbox-…") {
		t.Errorf("calls = %+v, want one 200 with a masked link_token", res.Calls)
	}
}

func TestLiveAuditBadBackend(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	app := appBackend(t, emuURL, func(*http.Request) plaid.LinkTokenCreateRequest {
		req := plaid.NewLinkTokenCreateRequest("Acme Budget", "", nil, *plaid.NewLinkTokenCreateRequestUser("jane.doe@example.com"))
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_BALANCE, plaid.PRODUCTS_TRANSACTIONS})
		req.SetWebhook("/api/plaid/webhook")
		return *req
	})
	res := AuditEndpoint(context.Background(), LiveOptions{Endpoint: app + "/api/create_link_token", Emulator: ctl})
	checks := checksByID(res.Checks)
	wantStatus(t, checks, map[string]Status{
		"live.token-endpoint": StatusFail, "live.link-token-create": StatusFail, "live.client-user-id": StatusFail,
		"live.language": StatusFail, "live.country-codes": StatusFail, "live.products": StatusFail,
		"live.webhook": StatusFail, "live.client-name": StatusPass, "live.redirect-uri": StatusPass,
	})
	reqs := linkTokenRequests(t, ctl)
	if len(reqs) != 1 || reqs[0].Status == 200 {
		t.Fatalf("the emulator logged %+v, want one refused /link/token/create", reqs)
	}
	rid := reqs[0].RequestID
	for _, id := range []string{"live.link-token-create", "live.client-user-id", "live.language", "live.country-codes", "live.products", "live.webhook"} {
		if !hasRequestEvidence(checks[id], rid) {
			t.Errorf("%s does not cite the emulator's request_id %s", id, rid)
		}
	}
	ep := checks["live.token-endpoint"]
	if !strings.Contains(ep.Detail, "HTTP 500") || !strings.Contains(ep.Detail, reqs[0].ErrorCode) || !strings.Contains(ep.Detail, rid) {
		t.Errorf("token-endpoint detail %q does not name the status, the relayed %s and its request_id", ep.Detail, reqs[0].ErrorCode)
	}
	if ex, _ := flows.Explain(reqs[0].ErrorCode); ep.Recommendation == "" || !strings.Contains(ep.Recommendation, ex.NextStep) {
		t.Errorf("token-endpoint recommendation %q is not the explanation table's next step for %s", ep.Recommendation, reqs[0].ErrorCode)
	}
	if d := checks["live.client-user-id"].Detail; !strings.Contains(d, "email") || strings.Contains(d, "jane.doe") {
		t.Errorf("client-user-id detail %q: want it to say email without repeating the address", d)
	}
	if d := checks["live.products"].Detail; !strings.Contains(d, "balance") {
		t.Errorf("products detail %q does not name balance", d)
	}
	if d := checks["live.webhook"].Detail; !strings.Contains(d, "absolute") {
		t.Errorf("webhook detail %q does not say the URL is relative", d)
	}
}

func TestLiveAuditEndpointFailures(t *testing.T) {
	_, ctl := startEmulator(t)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		detail  []string
	}{
		{
			name: "500 without a Plaid error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "internal error", http.StatusInternalServerError)
			},
			detail: []string{"HTTP 500", "not JSON", "Unable to fetch link_token"},
		},
		{
			name: "an error page that prints a token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "exchange failed for public-sandbox-5c224a01-8314-4491-a06f-39e193d5cddc", http.StatusBadGateway)
			},
			detail: []string{"HTTP 502", "public-sandbox-…cddc"},
		},
		{
			name: "200 without link_token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"ok":true,"data":{"expiration":"2024-01-01T00:00:00Z"}}`))
			},
			detail: []string{"HTTP 200", "no link_token", `{"data": {"expiration": string}, "ok": bool}`},
		},
		{
			name: "a public_token is no link_token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(`{"link_token":"public-sandbox-5c224a01-8314-4491-a06f-39e193d5cddc"}`))
			},
			detail: []string{"not a link_token", "public-sandbox-…cddc"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			res := AuditEndpoint(context.Background(), LiveOptions{Endpoint: srv.URL, Emulator: ctl})
			checks := checksByID(res.Checks)
			wantStatus(t, checks, map[string]Status{"live.token-endpoint": StatusFail, "live.link-token-create": StatusFail})
			for _, s := range tc.detail {
				if !strings.Contains(checks["live.token-endpoint"].Detail, s) {
					t.Errorf("detail %q lacks %q", checks["live.token-endpoint"].Detail, s)
				}
			}
			if d := checks["live.link-token-create"].Detail; !strings.Contains(d, "saw no /link/token/create") {
				t.Errorf("link-token-create detail %q", d)
			}
			if strings.Contains(checks["live.token-endpoint"].Detail, "5c224a01-8314") {
				t.Error("a public_token is shown in full")
			}
		})
	}
}

func TestLiveAuditNestedTokenHeadersAndBody(t *testing.T) {
	var gotAuth, gotType, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotType = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		b := make([]byte, 100)
		n, _ := r.Body.Read(b)
		gotBody = string(b[:n])
		_, _ = w.Write([]byte(`{"data":{"link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176"}}`))
	}))
	defer srv.Close()
	res := AuditEndpoint(context.Background(), LiveOptions{
		Endpoint: srv.URL, Header: http.Header{"authorization": {"Bearer t0k"}}, Body: `{"user":"1"}`,
	})
	checks := checksByID(res.Checks)
	wantStatus(t, checks, map[string]Status{"live.token-endpoint": StatusPass, "live.link-token-create": StatusManual})
	if gotAuth != "Bearer t0k" || gotType != "application/json" || gotBody != `{"user":"1"}` {
		t.Errorf("the app got Authorization %q, Content-Type %q, body %q", gotAuth, gotType, gotBody)
	}
}

func TestLiveAuditUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	dead := srv.URL
	srv.Close()
	res := AuditEndpoint(context.Background(), LiveOptions{Endpoint: dead + "/api/create_link_token", Emulator: &flows.Control{BaseURL: dead}})
	checks := checksByID(res.Checks)
	wantStatus(t, checks, map[string]Status{"live.token-endpoint": StatusFail, "live.link-token-create": StatusFail})
	if d := checks["live.token-endpoint"].Detail; !strings.Contains(d, "no answer") {
		t.Errorf("detail %q", d)
	}
	if d := checks["live.link-token-create"].Detail; !strings.Contains(d, "emulator") {
		t.Errorf("detail %q", d)
	}
}

func TestLiveAuditUpdateMode(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	access := newItem(t, emuURL)
	withProducts := false
	app := appBackend(t, emuURL, func(r *http.Request) plaid.LinkTokenCreateRequest {
		req := goodRequest()
		if r.URL.Query().Get("update") == "1" {
			req.SetAccessToken(access)
			if !withProducts {
				req.Products = nil
			}
		}
		return req
	})
	opts := LiveOptions{Endpoint: app + "/api/create_link_token", UpdateEndpoint: app + "/api/create_link_token?update=1", Emulator: ctl}
	res := AuditEndpoint(context.Background(), opts)
	checks := checksByID(res.Checks)
	wantStatus(t, checks, map[string]Status{
		"live.token-endpoint": StatusPass, "live.products": StatusPass,
		"live.update.token-endpoint": StatusPass, "live.update.link-token-create": StatusPass,
		"live.update.access-token": StatusPass, "live.update.products": StatusPass,
	})
	if c := checks["live.update.products"]; c.Step != 3 || c.Title != "update mode: products are empty" {
		t.Errorf("update products check: step %d, %q", c.Step, c.Title)
	}
	for _, c := range res.Checks {
		if strings.Contains(c.Detail, access) {
			t.Errorf("%s shows the access_token in full", c.ID)
		}
	}

	withProducts = true
	res = AuditEndpoint(context.Background(), opts)
	wantStatus(t, checksByID(res.Checks), map[string]Status{"live.update.products": StatusFail, "live.update.access-token": StatusPass})

	// An update-mode token from the main endpoint is detected by its access_token.
	res = AuditEndpoint(context.Background(), LiveOptions{Endpoint: opts.UpdateEndpoint, Emulator: ctl})
	checks = checksByID(res.Checks)
	wantStatus(t, checks, map[string]Status{"live.access-token": StatusPass, "live.products": StatusFail})
}

func TestLooksLikePII(t *testing.T) {
	for s, want := range map[string]string{
		"jane.doe@example.com":                 "an email address",
		"+1 (415) 555-0100":                    "a phone number",
		"4155550100":                           "a phone number",
		"user-8731":                            "",
		"8731":                                 "",
		"0f9c2a4e-1b7d-4c1e-9a53-2d4c7b1e8f00": "",
		"20240101123456789012":                 "",
	} {
		if got := looksLikePII(s); got != want {
			t.Errorf("looksLikePII(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestURLProblem(t *testing.T) {
	for _, tc := range []struct {
		url      string
		redirect bool
		bad      bool
	}{
		{"https://acme.example.com/hook", false, false},
		{"http://localhost:8000/hook", false, false},
		{"http://127.0.0.1:8000/hook", false, false},
		{"/api/webhook", false, true},
		{"http://acme.example.com/hook", false, true},
		{"", false, true},
		{"https://acme.example.com/oauth?x=1", true, true},
		{"https://acme.example.com/oauth#x", true, true},
		{"https://*.example.com/oauth", true, true},
		{"https://acme.example.com/oauth", true, false},
	} {
		if got := urlProblem(tc.url, tc.redirect) != ""; got != tc.bad {
			t.Errorf("urlProblem(%q, redirect=%v) = %q", tc.url, tc.redirect, urlProblem(tc.url, tc.redirect))
		}
	}
}
