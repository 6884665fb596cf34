package emulator_test

// OAuth in the emulated Link, end to end in headless Chromium: the pop-up
// handoff, the redirect round trip (the page goes to the emulated bank and
// comes back to its redirect_uri?oauth_state_id=…, where it re-initializes
// Link), and each way it goes wrong. The test page keeps its log and the
// link_token in sessionStorage across the redirect, as Plaid's guide says.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
)

// oauthPage is the app's page, served at / and at the redirect path
// /oauth-return. On the return (a URL with oauth_state_id) it re-initializes
// Link as sessionStorage.return_mode says: "same" (right: same token and
// receivedRedirectUri), "new_token", "no_received", or "hold" (wait for
// window.__resume()).
var oauthPage = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>test app</title>
<script src="{{.}}/link/v2/stable/link-initialize.js"></script></head>
<body><h1>Test app</h1><script>
window.__log = JSON.parse(sessionStorage.getItem('log') || '[]');
function record(kind, a, b) {
  window.__log.push({kind: kind, a: a === undefined ? null : a, b: b === undefined ? null : b});
  sessionStorage.setItem('log', JSON.stringify(window.__log));
}
window.__create = function (token, received) {
  sessionStorage.setItem('link_token', token);
  var cfg = {
    token: token,
    onLoad: function () { record('load'); },
    onEvent: function (name, md) { record('event', name, md); },
    onSuccess: function (pt, md) { record('success', pt, md); },
    onExit: function (err, md) { record('exit', err, md); }
  };
  if (received) { cfg.receivedRedirectUri = received; }
  window.__handler = Plaid.create(cfg);
  window.__handler.open();
  return true;
};
window.__resume = function () {
  var mode = sessionStorage.getItem('return_mode') || 'same';
  var token = mode === 'new_token' ? sessionStorage.getItem('other_token') : sessionStorage.getItem('link_token');
  return window.__create(token, mode === 'no_received' ? null : window.location.href);
};
if (new URLSearchParams(location.search).has('oauth_state_id')) {
  record('returned', location.href);
  if (sessionStorage.getItem('return_mode') !== 'hold') { window.__resume(); }
}
</script></body></html>`))

type oauthEnv struct {
	*linkEnv
	emu *emulatortest.Server
}

func newOAuthEnv(t *testing.T) *oauthEnv {
	t.Helper()
	ctx := headlesstest.NewContext(t)
	emuSrv := emulatortest.Start(t)
	env := &oauthEnv{linkEnv: &linkEnv{t: t, ctx: ctx, emuURL: emuSrv.URL, client: emuSrv.Client()}, emu: emuSrv}
	serve := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = oauthPage.Execute(w, emuSrv.URL)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", serve)
	mux.HandleFunc("GET /oauth-return", serve)
	env.page = httptest.NewServer(mux)
	t.Cleanup(env.page.Close)
	env.do(chromedp.Navigate(env.page.URL))
	return env
}

// token creates a link_token for auth+transactions; redirect adds a
// redirect_uri.
func (e *oauthEnv) token(redirect string) string {
	e.t.Helper()
	req := plaid.NewLinkTokenCreateRequest("Plaid Quickstart", "en",
		[]plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("user-1"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	if redirect != "" {
		req.SetRedirectUri(redirect)
	}
	resp, _, err := e.client.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		e.t.Fatalf("/link/token/create: %v", plaidErr(err))
	}
	return resp.GetLinkToken()
}

// arm arms the autopilot for Platypus OAuth Bank.
func (e *oauthEnv) arm(token, decision string) {
	e.t.Helper()
	r := e.control("/__emulator/autopilot", map[string]any{"link_token": token, "institution_id": "ins_127287", "oauth_decision": decision})
	if r["armed"] != true {
		e.t.Fatalf("autopilot not armed: %v", r)
	}
}

func (e *oauthEnv) start(token, returnMode string) {
	e.t.Helper()
	e.eval(`sessionStorage.setItem('return_mode', ` + jsString(returnMode) + `), 'ok'`)
	e.eval(`String(window.__create(` + jsString(token) + `, null))`)
}

func (e *oauthEnv) oauthRecord(s map[string]any) map[string]any {
	o, _ := s["oauth"].(map[string]any)
	if o == nil {
		e.t.Fatalf("session %v has no oauth record", s["link_session_id"])
	}
	return o
}

func names(log []entry) []string {
	var out []string
	for _, k := range kinds(log) {
		out = append(out, k)
	}
	return out
}

// inOrder reports whether want appears in got as a subsequence.
func subsequence(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestLinkOAuthPopup(t *testing.T) {
	e := newOAuthEnv(t)
	tok := e.token("")
	e.arm(tok, "approve")
	e.start(tok, "same")
	log := e.waitFor("success", 1)
	got := names(log)
	if !subsequence(got, []string{"event:OPEN", "event:SELECT_INSTITUTION", "event:TRANSITION_VIEW:OAUTH", "event:OPEN_OAUTH",
		"event:TRANSITION_VIEW:SELECT_ACCOUNT", "event:TRANSITION_VIEW:CONNECTED", "event:HANDOFF", "success"}) {
		t.Fatalf("pop-up OAuth sequence: %v", got)
	}
	if slices.Contains(got, "returned") {
		t.Fatalf("a pop-up handoff must not navigate the page: %v", got)
	}
	md := find(log, "success").meta()
	if inst := md["institution"].(map[string]any); inst["institution_id"] != "ins_127287" {
		t.Errorf("institution: %v", inst)
	}
	var pt string
	_ = json.Unmarshal(find(log, "success").A, &pt)
	ex, _, err := e.client.ItemPublicTokenExchange(context.Background()).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt)).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", plaidErr(err))
	}
	item, _, err := e.client.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(ex.GetAccessToken())).Execute()
	if err != nil || item.Item.GetInstitutionId() != "ins_127287" {
		t.Fatalf("item: %v %v", item, err)
	}
	s := e.sessions()
	if len(s) != 1 || s[0]["outcome"] != "success" {
		t.Fatalf("sessions: %v", s)
	}
	if o := e.oauthRecord(s[0]); o["mode"] != "popup" || o["status"] != "processed" || o["resumed"] != false {
		t.Errorf("oauth record: %v", o)
	}
}

func TestLinkOAuthPopupDeclined(t *testing.T) {
	e := newOAuthEnv(t)
	tok := e.token("")
	e.arm(tok, "decline")
	e.start(tok, "same")
	log := e.waitFor("exit", 1)
	got := names(log)
	if !subsequence(got, []string{"event:OPEN_OAUTH", "event:FAIL_OAUTH", "event:TRANSITION_VIEW:OAUTH", "event:EXIT", "exit"}) {
		t.Fatalf("declined sequence: %v", got)
	}
	ex := find(log, "exit")
	if string(ex.A) != "null" || ex.meta()["status"] != "requires_oauth" {
		t.Fatalf("onExit(%s, %v): want null error and status requires_oauth", ex.A, ex.meta())
	}
	s := e.sessions()
	if o := e.oauthRecord(s[0]); o["status"] != "declined" || s[0]["item_id"] != nil {
		t.Errorf("session after decline: %v", s[0])
	}
}

// waitFor waits until the page's log has n entries of kind. The page
// navigates (to the bank and back), so each check is one evaluation that
// may fail while a page loads; the wait is bounded by the test's browser
// context.
func (e *oauthEnv) waitFor(kind string, n int) []entry {
	e.t.Helper()
	js := `(function () { try { return location.origin + ' ' + (window.__log || []).filter(function (x) { return x.kind === ` + jsString(kind) + `; }).length; } catch (err) { return 'error'; } })()`
	last := ""
	for {
		v, err := chromedp.Run(e.ctx, chromedp.Evaluate[string](js))
		if err == nil {
			last = v
			if e.page != nil && strings.HasPrefix(v, e.page.URL+" ") {
				var got int
				_, _ = fmt.Sscanf(strings.TrimPrefix(v, e.page.URL+" "), "%d", &got)
				if got >= n {
					return e.log()
				}
			}
		}
		select {
		case <-e.ctx.Done():
			e.t.Fatalf("waiting for %d %s callback(s): %v; the tab was at %q", n, kind, e.ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (e *oauthEnv) redirectURI() string { return e.page.URL + "/oauth-return" }

func TestLinkOAuthRedirectRoundTrip(t *testing.T) {
	e := newOAuthEnv(t)
	tok := e.token(e.redirectURI())
	e.arm(tok, "approve")
	e.start(tok, "same")
	log := e.waitFor("success", 1)
	got := names(log)
	if !subsequence(got, []string{"event:OPEN", "event:TRANSITION_VIEW:OAUTH", "event:OPEN_OAUTH", "returned",
		"load", "event:OPEN", "event:TRANSITION_VIEW:SELECT_ACCOUNT", "event:HANDOFF", "success"}) {
		t.Fatalf("redirect sequence: %v", got)
	}
	var returned string
	_ = json.Unmarshal(find(log, "returned").A, &returned)
	u, _ := url.Parse(returned)
	stateID := u.Query().Get("oauth_state_id")
	if !strings.HasPrefix(returned, e.redirectURI()+"?oauth_state_id=") || len(stateID) != 36 {
		t.Fatalf("the bank sent the user to %q", returned)
	}
	// One Link session, resumed: the same link_session_id before and after.
	var ids []string
	for _, ev := range events(log) {
		if id, _ := ev.meta()["link_session_id"].(string); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Errorf("link_session_ids across the redirect: %v", ids)
	}
	var resumed map[string]any
	for _, s := range e.sessions() {
		if s["link_session_id"] == ids[0] {
			resumed = s
		}
	}
	if resumed == nil || resumed["outcome"] != "success" || resumed["item_id"] == nil {
		t.Fatalf("the handed-off session: %v", resumed)
	}
	if o := e.oauthRecord(resumed); o["mode"] != "redirect" || o["resumed"] != true || o["status"] != "processed" || o["oauth_state_id"] != stateID {
		t.Errorf("oauth record: %v", o)
	}

	// Reloading the redirect page re-initializes Link with the same
	// oauth_state_id: Plaid refuses a second use.
	e.do(chromedp.Reload())
	log = e.waitFor("exit", 1)
	ex := find(log, "exit")
	var err map[string]any
	_ = json.Unmarshal(ex.A, &err)
	if err["error_code"] != "OAUTH_STATE_ID_ALREADY_PROCESSED" || err["error_type"] != "OAUTH_ERROR" {
		t.Fatalf("reused oauth_state_id: onExit(%s)", ex.A)
	}
}

func TestLinkOAuthRedirectMistakes(t *testing.T) {
	t.Run("new token", func(t *testing.T) {
		e := newOAuthEnv(t)
		tok := e.token(e.redirectURI())
		e.eval(`sessionStorage.setItem('other_token', ` + jsString(e.token(e.redirectURI())) + `), 'ok'`)
		e.arm(tok, "approve")
		e.start(tok, "new_token")
		log := e.waitFor("exit", 1)
		var err map[string]any
		_ = json.Unmarshal(find(log, "exit").A, &err)
		if err["error_code"] != "INVALID_FIELD" || !strings.Contains(err["error_message"].(string), "another link_token") {
			t.Fatalf("a new token after the redirect: onExit(%v)", err)
		}
	})
	t.Run("no receivedRedirectUri", func(t *testing.T) {
		e := newOAuthEnv(t)
		tok := e.token(e.redirectURI())
		e.arm(tok, "approve")
		e.start(tok, "no_received")
		e.waitFor("returned", 1)
		// Link starts over at the Consent pane, in a new session.
		js := `window.__log.some(function (x, i) { return i > window.__log.findIndex(function (y) { return y.kind === 'returned'; }) &&
		  x.kind === 'event' && x.a === 'TRANSITION_VIEW' && x.b.view_name === 'CONSENT'; })`
		if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(0))); err != nil {
			t.Fatalf("waiting for Link to start over: %v\n%v", err, names(e.log()))
		}
		s := e.sessions()
		if len(s) < 2 || e.oauthRecord(s[0])["missed_redirect"] != true || s[1]["outcome"] != nil {
			t.Fatalf("sessions: newest %v; the handed-off one %v", s[0], s[1])
		}
	})
	t.Run("token expires at the bank", func(t *testing.T) {
		e := newOAuthEnv(t)
		tok := e.token(e.redirectURI())
		e.arm(tok, "approve")
		e.start(tok, "hold")
		e.waitFor("returned", 1)
		e.control("/__emulator/tokens/expire", map[string]any{"token": tok})
		e.eval(`String(window.__resume())`)
		log := e.waitFor("exit", 1)
		var err map[string]any
		_ = json.Unmarshal(find(log, "exit").A, &err)
		if err["error_code"] != "INVALID_LINK_TOKEN" {
			t.Fatalf("expired during the handoff: onExit(%s)", find(log, "exit").A)
		}
		s := e.sessions()
		var handed map[string]any
		for _, x := range s {
			if o, _ := x["oauth"].(map[string]any); o != nil {
				handed = x
			}
		}
		if handed == nil || handed["outcome"] != "exit" {
			t.Fatalf("the handed-off session must end with the exit: %v", s)
		}
	})
}

// TestSandboxOAuthSelectAccounts: /sandbox/oauth/select_accounts chooses the
// accounts of a handoff while the user is at the bank; Link then offers
// only those. The answer is read over HTTP: plaid-go v20.1.0 types it as
// map[string]map[string]any, which cannot hold the request_id string.
func TestSandboxOAuthSelectAccounts(t *testing.T) {
	e := newOAuthEnv(t)
	tok := e.token(e.redirectURI())
	e.arm(tok, "approve")
	e.start(tok, "hold")
	log := e.waitFor("returned", 1)
	var returned string
	_ = json.Unmarshal(find(log, "returned").A, &returned)
	u, _ := url.Parse(returned)
	id := u.Query().Get("oauth_state_id")

	call := func(body map[string]any) (int, map[string]any) {
		body["client_id"], body["secret"] = e.emu.ClientID, e.emu.Secret
		b, _ := json.Marshal(body)
		resp, err := http.Post(e.emuURL+"/sandbox/oauth/select_accounts", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	if code, out := call(map[string]any{"oauth_state_id": "nope", "accounts": []string{"Plaid Checking"}}); code != 400 || out["error_code"] != "INVALID_FIELD" {
		t.Fatalf("unknown state: %d %v", code, out)
	}
	if code, out := call(map[string]any{"oauth_state_id": id, "accounts": []string{"No Such Account"}}); code != 400 || !strings.Contains(out["error_message"].(string), "Plaid Checking") {
		t.Fatalf("unknown account: %d %v", code, out)
	}
	if code, out := call(map[string]any{"oauth_state_id": id, "accounts": []string{"Plaid Saving"}}); code != 200 || out["request_id"] == nil {
		t.Fatalf("select: %d %v", code, out)
	}
	e.eval(`String(window.__resume())`)
	log = e.waitFor("success", 1)
	accts := find(log, "success").meta()["accounts"].([]any)
	if len(accts) != 1 || accts[0].(map[string]any)["name"] != "Plaid Saving" {
		t.Fatalf("accounts shared: %v", accts)
	}
	if code, out := call(map[string]any{"oauth_state_id": id, "accounts": []string{"Plaid Checking"}}); code != 400 || out["error_code"] != "OAUTH_STATE_ID_ALREADY_PROCESSED" {
		t.Fatalf("after the handoff: %d %v", code, out)
	}
}
