package emulator_test

// End-to-end tests of the emulated Link SDK in real headless Chromium: a test
// page on its own loopback origin loads the emulator's link-initialize.js,
// calls Plaid.create and records every callback in window.__log, which the
// tests read. Most sessions are driven by the autopilot; one is clicked
// through like a person would.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
)

// linkEnv is an emulator, a plaid-go client for it, a test page server and
// a headless browser tab.
type linkEnv struct {
	t      *testing.T
	ctx    context.Context // the browser tab
	emuURL string
	page   *httptest.Server
	client *plaid.PlaidApiService
	// nextToken makes the link_token the page's POST /token hands out.
	nextToken func() string
}

// pageHTML is the test page: the integration Plaid's guides recommend,
// recording callbacks. On INVALID_LINK_TOKEN it recovers as the guide says:
// destroy(), fetch a new token, Plaid.create again.
var pageHTML = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>test app</title>
<script src="{{.}}/link/v2/stable/link-initialize.js"></script></head>
<body><h1>Test app</h1><script>
window.__log = [];
function record(kind, a, b) { window.__log.push({kind: kind, a: a === undefined ? null : a, b: b === undefined ? null : b}); }
window.__create = function (token, open) {
  var handler = Plaid.create({
    token: token,
    onLoad: function () { record('load'); },
    onEvent: function (name, md) { record('event', name, md); },
    onSuccess: function (pt, md) { record('success', pt, md); },
    onExit: function (err, md) {
      record('exit', err, md);
      if (err && err.error_code === 'INVALID_LINK_TOKEN' && window.__recover) {
        handler.destroy();
        record('destroyed');
        fetch('/token', {method: 'POST'}).then(function (r) { return r.json(); })
          .then(function (j) { record('new_token'); window.__create(j.link_token, true); });
      }
    }
  });
  window.__handler = handler;
  if (open) { handler.open(); } // before onLoad: queued until Link is ready
  return true;
};
</script></body></html>`))

func newLinkEnv(t *testing.T) *linkEnv {
	t.Helper()
	ctx := headlesstest.NewContext(t) // bounded by the test's budget

	emuSrv := emulatortest.Start(t)
	env := &linkEnv{t: t, ctx: ctx, emuURL: emuSrv.URL, client: emuSrv.Client()}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageHTML.Execute(w, emuSrv.URL)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"link_token": env.nextToken()})
	})
	env.page = httptest.NewServer(mux)
	t.Cleanup(env.page.Close)
	env.do(chromedp.Navigate(env.page.URL))
	return env
}

// do runs browser actions, failing the test on error.
func (e *linkEnv) do(actions ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	if err := chromedp.Do(e.ctx, actions...); err != nil {
		e.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates JavaScript in the test page.
func (e *linkEnv) eval(js string) string {
	e.t.Helper()
	v, err := chromedp.Run(e.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		e.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// linkToken creates a link_token; accessToken makes it an update-mode token.
func (e *linkEnv) linkToken(accessToken string, products ...plaid.Products) string {
	e.t.Helper()
	req := plaid.NewLinkTokenCreateRequest("Plaid Quickstart", "en",
		[]plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("user-1"))
	if accessToken != "" {
		req.SetAccessToken(accessToken)
	} else {
		req.SetProducts(products)
	}
	resp, _, err := e.client.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		e.t.Fatalf("/link/token/create: %v", plaidErr(err))
	}
	return resp.GetLinkToken()
}

// control calls the emulator's control API.
func (e *linkEnv) control(path string, body any) map[string]any {
	e.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(e.emuURL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		e.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return out
}

// autopilot arms the autopilot for token.
func (e *linkEnv) autopilot(token, username, password string) {
	e.t.Helper()
	r := e.control("/__emulator/autopilot", map[string]any{"link_token": token, "username": username, "password": password, "delay_ms": 0})
	if r["armed"] != true {
		e.t.Fatalf("autopilot not armed: %v", r)
	}
}

// entry is one recorded callback.
type entry struct {
	Kind string          `json:"kind"`
	A    json.RawMessage `json:"a"`
	B    json.RawMessage `json:"b"`
}

func (en entry) name() string {
	var s string
	_ = json.Unmarshal(en.A, &s)
	return s
}

func (en entry) meta() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(en.B, &m)
	return m
}

// waitFor waits until the page log has n entries of kind, and returns the log.
func (e *linkEnv) waitFor(kind string, n int) []entry {
	e.t.Helper()
	js := fmt.Sprintf(`window.__log.filter(function (x) { return x.kind === %q; }).length >= %d`, kind, n)
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(0))); err != nil { // bounded by e.ctx
		e.t.Fatalf("waiting for %d %s callback(s): %v\nlog: %s", n, kind, err, e.eval(`JSON.stringify(window.__log)`))
	}
	return e.log()
}

func (e *linkEnv) log() []entry {
	e.t.Helper()
	var out []entry
	if err := json.Unmarshal([]byte(e.eval(`JSON.stringify(window.__log)`)), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// sessions lists the emulator's Link session records, newest first.
func (e *linkEnv) sessions() []map[string]any {
	e.t.Helper()
	resp, err := http.Get(e.emuURL + "/__emulator/link_sessions")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Sessions []map[string]any `json:"link_sessions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatal(err)
	}
	return out.Sessions
}

func (e *linkEnv) iframes() string {
	return e.eval(`String(document.querySelectorAll('iframe[id^="plaid-link-iframe"]').length)`)
}

func plaidErr(err error) string {
	if pe, e2 := plaid.ToPlaidError(err); e2 == nil {
		return pe.ErrorCode + ": " + pe.ErrorMessage
	}
	return err.Error()
}

// kinds is the log as kind[:event name] strings.
func kinds(log []entry) []string {
	var out []string
	for _, en := range log {
		k := en.Kind
		if k == "event" {
			k += ":" + en.name()
			if v := en.meta()["view_name"]; v != nil {
				k += ":" + v.(string)
			}
		}
		out = append(out, k)
	}
	return out
}

func events(log []entry) []entry {
	var out []entry
	for _, en := range log {
		if en.Kind == "event" {
			out = append(out, en)
		}
	}
	return out
}

func firstEvent(log []entry, name string) entry {
	for _, en := range events(log) {
		if en.name() == name {
			return en
		}
	}
	return entry{}
}

func find(log []entry, kind string) entry {
	for _, en := range log {
		if en.Kind == kind {
			return en
		}
	}
	return entry{}
}

var (
	metadataKeys = []string{"error_type", "error_code", "error_message", "exit_status", "institution_id",
		"institution_name", "institution_search_query", "is_update_mode", "match_reason", "mfa_type",
		"view_name", "selection", "routing_number", "account_number_mask", "request_id", "link_session_id", "timestamp"}
	isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

// checkEvents asserts every event's metadata has every key of reference
// §4.5, the session's id and an ISO 8601 millisecond timestamp.
func checkEvents(t *testing.T, log []entry, sessionID string) {
	t.Helper()
	for _, ev := range events(log) {
		m := ev.meta()
		if len(m) != len(metadataKeys) {
			t.Errorf("%s metadata has %d keys, want %d: %v", ev.name(), len(m), len(metadataKeys), m)
		}
		for _, k := range metadataKeys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s metadata lacks %s", ev.name(), k)
			}
		}
		if m["link_session_id"] != sessionID {
			t.Errorf("%s link_session_id = %v, want %s", ev.name(), m["link_session_id"], sessionID)
		}
		if ts, _ := m["timestamp"].(string); !isoMillis.MatchString(ts) {
			t.Errorf("%s timestamp %q is not ISO 8601 with milliseconds", ev.name(), ts)
		}
		if rid, _ := m["request_id"].(string); rid == "" {
			t.Errorf("%s has no request_id", ev.name())
		}
	}
}

// inOrder asserts want appears in got as a subsequence.
func inOrder(t *testing.T, got, want []string) {
	t.Helper()
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("callbacks missing %q (in order %q)\ngot %q", want[i], want, got)
	}
}

func TestLinkBrowserNewItemUserGood(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.autopilot(token, "user_good", "pass_good")
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("success", 1)

	inOrder(t, kinds(log), []string{
		"load", "event:OPEN", "event:TRANSITION_VIEW:CONSENT", "event:TRANSITION_VIEW:SELECT_INSTITUTION",
		"event:SEARCH_INSTITUTION", "event:SELECT_INSTITUTION", "event:TRANSITION_VIEW:CREDENTIAL",
		"event:SUBMIT_CREDENTIALS", "event:TRANSITION_VIEW:LOADING", "event:TRANSITION_VIEW:SELECT_ACCOUNT",
		"event:TRANSITION_VIEW:CONNECTED", "event:HANDOFF", "success",
	})
	if kinds(log)[0] != "load" || slices.Contains(kinds(log), "exit") {
		t.Errorf("callbacks = %q", kinds(log))
	}
	success := find(log, "success")
	md := success.meta()
	sessionID, _ := md["link_session_id"].(string)
	checkEvents(t, log, sessionID)
	open := events(log)[0].meta()
	if open["is_update_mode"] != "false" || open["institution_id"] != nil {
		t.Errorf("OPEN metadata = %v", open)
	}
	if sel := firstEvent(log, "SEARCH_INSTITUTION").meta(); sel["institution_search_query"] != "First Platypus Bank" {
		t.Errorf("SEARCH_INSTITUTION metadata = %v", sel)
	}
	if inst := md["institution"].(map[string]any); inst["institution_id"] != "ins_109508" || inst["name"] != "First Platypus Bank" {
		t.Errorf("onSuccess institution = %v", inst)
	}
	if _, ok := md["transfer_status"]; !ok {
		t.Error("onSuccess metadata lacks transfer_status")
	}
	accounts := md["accounts"].([]any)
	var ids []string
	for _, a := range accounts {
		acct := a.(map[string]any)
		for _, k := range []string{"id", "name", "mask", "type", "subtype", "verification_status", "class_type"} {
			if _, ok := acct[k]; !ok {
				t.Errorf("account %v lacks %s", acct, k)
			}
		}
		ids = append(ids, acct["id"].(string))
	}

	// The app's server exchanges the public_token and reads the accounts.
	var publicToken string
	_ = json.Unmarshal(success.A, &publicToken)
	ex, _, err := env.client.ItemPublicTokenExchange(context.Background()).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(publicToken)).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", plaidErr(err))
	}
	got, _, err := env.client.AccountsGet(context.Background()).AccountsGetRequest(
		*plaid.NewAccountsGetRequest(ex.GetAccessToken())).Execute()
	if err != nil {
		t.Fatalf("/accounts/get: %v", plaidErr(err))
	}
	var apiIDs []string
	for _, a := range got.GetAccounts() {
		apiIDs = append(apiIDs, a.GetAccountId())
	}
	slices.Sort(ids)
	slices.Sort(apiIDs)
	if len(ids) == 0 || !slices.Equal(ids, apiIDs) {
		t.Errorf("onSuccess account ids %v, /accounts/get ids %v", ids, apiIDs)
	}
	if got.GetItem().InstitutionId.Get() == nil || *got.GetItem().InstitutionId.Get() != "ins_109508" {
		t.Errorf("Item institution = %v", got.GetItem().InstitutionId.Get())
	}

	rec := env.sessions()[0]
	if rec["link_session_id"] != sessionID || rec["outcome"] != "success" || rec["autopilot"] != true ||
		len(rec["events"].([]any)) != len(events(log)) || strings.Contains(fmt.Sprint(rec), publicToken) {
		t.Errorf("session record = %v (page saw %d events)", rec, len(events(log)))
	}
}

func TestLinkBrowserMFADevice(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_AUTH)
	env.autopilot(token, "user_good", "mfa_device")
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("success", 1)
	var mfa []string
	for _, ev := range events(log) {
		if t := ev.meta()["mfa_type"]; t != nil {
			mfa = append(mfa, ev.name()+":"+t.(string))
		}
	}
	want := []string{"TRANSITION_VIEW:device", "SUBMIT_MFA:device", "TRANSITION_VIEW:code", "SUBMIT_MFA:code"}
	if !slices.Equal(mfa, want) {
		t.Errorf("MFA events = %q, want %q", mfa, want)
	}
	checkEvents(t, log, find(log, "success").meta()["link_session_id"].(string))
	for _, a := range find(log, "success").meta()["accounts"].([]any) {
		if sub := a.(map[string]any)["subtype"]; sub != "checking" && sub != "savings" && sub != "cash management" {
			t.Errorf("auth Link shared a %v account", sub)
		}
	}
}

// TestLinkBrowserUserClosesLink clicks through Link as a person does, then
// closes it at the credentials pane.
func TestLinkBrowserUserClosesLink(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	env.waitFor("event", 1)
	frames, err := chromedp.Run(env.ctx, chromedp.Nodes(chromedp.CSS(`iframe[id^="plaid-link-iframe"]`)))
	if err != nil || len(frames) != 1 {
		t.Fatalf("Link iframe: %v (%d found)", err, len(frames))
	}
	in := chromedp.FromNode(frames[0])
	label, err := chromedp.Run(env.ctx, chromedp.Text(chromedp.CSS("#badge"), in))
	if err != nil || label != "Emulated Link (offline)" {
		t.Errorf("Link is labelled %q (%v)", label, err)
	}
	env.do(
		chromedp.Click(chromedp.CSS("#consent-continue"), in),
		chromedp.SendKeys(chromedp.CSS("#search"), "gingham", in),
		// Wait for the list of the whole query: typed key by key on a busy
		// machine, a pause over the 300 ms debounce runs a search for a
		// prefix, whose list a later one replaces; a click on a row of that
		// list hits a row that is gone.
		chromedp.WaitVisible(chromedp.CSS(`#institutions[data-query="gingham"] [data-institution-id="ins_109509"]`), in),
		chromedp.Click(chromedp.CSS(`[data-institution-id="ins_109509"]`), in),
		chromedp.WaitVisible(chromedp.CSS("#username"), in),
		chromedp.SendKeys(chromedp.CSS("#username"), "user_good", in),
		chromedp.Click(chromedp.CSS("#close"), in),
		chromedp.Click(chromedp.CSS("#exit-cancel"), in), // changed their mind
		chromedp.WaitVisible(chromedp.CSS("#username"), in),
	)
	if typed, err := chromedp.Run(env.ctx, chromedp.Value(chromedp.CSS("#username"), in)); err != nil || typed != "user_good" {
		t.Errorf("after cancelling the exit, the username field holds %q (%v), want what was typed", typed, err)
	}
	env.do(
		chromedp.Click(chromedp.CSS("#close"), in),
		chromedp.Click(chromedp.CSS("#exit-confirm"), in),
	)
	log := env.waitFor("exit", 1)
	exit := find(log, "exit")
	md := exit.meta()
	if string(exit.A) != "null" || md["status"] != "requires_credentials" || md["request_id"] == nil ||
		md["institution"].(map[string]any)["institution_id"] != "ins_109509" {
		t.Errorf("onExit(%s, %v)", exit.A, md)
	}
	inOrder(t, kinds(log), []string{"event:OPEN", "event:TRANSITION_VIEW:CONSENT", "event:SEARCH_INSTITUTION",
		"event:SELECT_INSTITUTION", "event:TRANSITION_VIEW:CREDENTIAL", "event:TRANSITION_VIEW:EXIT",
		"event:TRANSITION_VIEW:CREDENTIAL", "event:TRANSITION_VIEW:EXIT", "event:EXIT", "exit"})
	evs := events(log)
	if last := evs[len(evs)-1].meta(); last["exit_status"] != "requires_credentials" || last["error_code"] != nil {
		t.Errorf("EXIT event metadata = %v", last)
	}
	checkEvents(t, log, md["link_session_id"].(string))
	if hidden := env.eval(`document.querySelector('iframe[id^="plaid-link-iframe"]').style.display`); hidden != "none" {
		t.Errorf("the Link iframe is still shown after onExit (display %q)", hidden)
	}
	if rec := env.sessions()[0]; rec["outcome"] != "exit" || rec["exit_status"] != "requires_credentials" || rec["autopilot"] != false {
		t.Errorf("session record = %v", rec)
	}
}

func TestLinkBrowserWrongPasswordExitsWithError(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.autopilot(token, "user_good", "not_the_password")
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("exit", 1)
	exit := find(log, "exit")
	var err map[string]any
	_ = json.Unmarshal(exit.A, &err)
	if err["error_code"] != "INVALID_CREDENTIALS" || err["error_type"] != "ITEM_ERROR" || exit.meta()["status"] != "requires_credentials" {
		t.Errorf("onExit(%s, %v)", exit.A, exit.meta())
	}
	inOrder(t, kinds(log), []string{"event:SUBMIT_CREDENTIALS", "event:ERROR", "event:TRANSITION_VIEW:ERROR", "event:EXIT", "exit"})
}

// TestLinkBrowserInvalidLinkTokenRecovery forces INVALID_LINK_TOKEN with
// user_custom; the page recovers as Plaid's guide says, to success, and only
// one iframe is left.
func TestLinkBrowserInvalidLinkTokenRecovery(t *testing.T) {
	env := newLinkEnv(t)
	first := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.autopilot(first, "user_custom", `{"force_error":"INVALID_LINK_TOKEN"}`)
	var second string
	env.nextToken = func() string {
		second = env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
		env.autopilot(second, "user_good", "pass_good")
		return second
	}
	env.eval(`window.__recover = true; String(window.__create(` + jsString(first) + `, true))`)
	log := env.waitFor("success", 1)

	exit := find(log, "exit")
	want := `{"display_message":null,"error_code":"INVALID_LINK_TOKEN","error_message":"invalid link_token provided","error_type":"INVALID_INPUT"}`
	if got := canonical(exit.A); got != want {
		t.Errorf("onExit error = %s, want %s", got, want)
	}
	if md := exit.meta(); md["status"] != "requires_credentials" || md["institution"] == nil || md["link_session_id"] == nil {
		t.Errorf("onExit metadata = %v", md)
	}
	inOrder(t, kinds(log), []string{"event:SUBMIT_CREDENTIALS", "event:ERROR", "event:EXIT", "exit", "destroyed",
		"new_token", "load", "event:OPEN", "event:HANDOFF", "success"})
	for _, ev := range events(log) {
		if n := ev.name(); (n == "ERROR" || n == "EXIT") && ev.meta()["error_code"] != "INVALID_LINK_TOKEN" {
			t.Errorf("%s event error_code = %v", n, ev.meta()["error_code"])
		}
	}
	if n := env.iframes(); n != "1" {
		t.Errorf("%s Link iframes after recovery, want 1", n)
	}
	// The forced error invalidated the first token, as real Link does.
	_, _, err := env.client.LinkTokenGet(context.Background()).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(first)).Execute()
	if err == nil || !strings.Contains(plaidErr(err), "INVALID_LINK_TOKEN") {
		t.Errorf("/link/token/get of the forced token: %v, want INVALID_LINK_TOKEN", err)
	}
	if second == "" {
		t.Error("the page never fetched a second token")
	}
}

func TestLinkBrowserExpiredToken(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.control("/__emulator/tokens/expire", map[string]any{"token": token})
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("exit", 1)
	exit := find(log, "exit")
	if !strings.Contains(string(exit.A), `"INVALID_LINK_TOKEN"`) {
		t.Errorf("onExit error = %s", exit.A)
	}
	md := exit.meta()
	if md["status"] != nil || md["institution"] != nil || md["link_session_id"] == nil || md["request_id"] == nil {
		t.Errorf("onExit metadata = %v", md)
	}
	if got := kinds(log); !slices.Equal(got, []string{"load", "event:ERROR", "event:EXIT", "exit"}) {
		t.Errorf("callbacks = %q, want load, ERROR, EXIT, exit", got)
	}
}

// TestLinkBrowserTokenExpiresAtTheInstitutionList: the token expires
// while the user picks a bank; Link exits with INVALID_LINK_TOKEN and no
// status, never institution_not_found, which means the user did not find
// their bank (issue 12, item 11).
func TestLinkBrowserTokenExpiresAtTheInstitutionList(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	env.waitFor("event", 1)
	frames, err := chromedp.Run(env.ctx, chromedp.Nodes(chromedp.CSS(`iframe[id^="plaid-link-iframe"]`)))
	if err != nil || len(frames) != 1 {
		t.Fatalf("Link iframe: %v (%d found)", err, len(frames))
	}
	in := chromedp.FromNode(frames[0])
	env.do(
		chromedp.Click(chromedp.CSS("#consent-continue"), in),
		chromedp.SendKeys(chromedp.CSS("#search"), "gingham", in),
		chromedp.WaitVisible(chromedp.CSS(`#institutions[data-query="gingham"] [data-institution-id="ins_109509"]`), in),
	)
	env.control("/__emulator/tokens/expire", map[string]any{"token": token})
	env.do(chromedp.Click(chromedp.CSS(`[data-institution-id="ins_109509"]`), in))
	log := env.waitFor("exit", 1)
	exit := find(log, "exit")
	if !strings.Contains(string(exit.A), `"INVALID_LINK_TOKEN"`) {
		t.Errorf("onExit error = %s", exit.A)
	}
	if st := exit.meta()["status"]; st != nil {
		t.Errorf("onExit status = %v, want null", st)
	}
	evs := events(log)
	if last := evs[len(evs)-1].meta(); last["exit_status"] != nil || last["error_code"] != "INVALID_LINK_TOKEN" {
		t.Errorf("EXIT event metadata = %v", last)
	}
}

// TestLinkBrowserUpdateMode repairs an Item after reset_login: same Item,
// same access_token, no exchange.
func TestLinkBrowserUpdateMode(t *testing.T) {
	env := newLinkEnv(t)
	bg := context.Background()
	pt, _, err := env.client.SandboxPublicTokenCreate(bg).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
	if err != nil {
		t.Fatalf("/sandbox/public_token/create: %v", plaidErr(err))
	}
	ex, _, err := env.client.ItemPublicTokenExchange(bg).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", plaidErr(err))
	}
	access := ex.GetAccessToken()
	if _, _, err := env.client.SandboxItemResetLogin(bg).SandboxItemResetLoginRequest(
		*plaid.NewSandboxItemResetLoginRequest(access)).Execute(); err != nil {
		t.Fatalf("reset_login: %v", plaidErr(err))
	}
	accountsReq := *plaid.NewAccountsGetRequest(access)
	if _, _, err := env.client.AccountsGet(bg).AccountsGetRequest(accountsReq).Execute(); err == nil || !strings.Contains(plaidErr(err), "ITEM_LOGIN_REQUIRED") {
		t.Fatalf("/accounts/get after reset_login: %v, want ITEM_LOGIN_REQUIRED", err)
	}

	token := env.linkToken(access)
	env.autopilot(token, "user_good", "pass_good")
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("success", 1)
	if open := events(log)[0]; open.name() != "OPEN" || open.meta()["is_update_mode"] != "true" {
		t.Errorf("first event %s %v, want OPEN with is_update_mode \"true\"", open.name(), open.meta())
	}
	for _, k := range kinds(log) {
		if k == "event:SELECT_INSTITUTION" || k == "event:TRANSITION_VIEW:SELECT_INSTITUTION" {
			t.Errorf("update mode showed the institution list (%s)", k)
		}
	}
	if inst := find(log, "success").meta()["institution"].(map[string]any); inst["institution_id"] != "ins_109508" {
		t.Errorf("onSuccess institution = %v", inst)
	}

	// No exchange: the same access_token works again, and the Item is healthy.
	got, _, err := env.client.AccountsGet(bg).AccountsGetRequest(accountsReq).Execute()
	if err != nil {
		t.Fatalf("/accounts/get after the repair: %v", plaidErr(err))
	}
	if got.GetItem().ItemId != ex.GetItemId() {
		t.Errorf("item_id %s after repair, want %s", got.GetItem().ItemId, ex.GetItemId())
	}
	item, _, err := env.client.ItemGet(bg).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	if err != nil || item.GetItem().Error.Get() != nil {
		t.Errorf("/item/get after repair: %v, error %v", err, item.GetItem().Error.Get())
	}
}

// TestLinkBrowserIframesStackWithoutDestroy: each Plaid.create adds an
// iframe; destroy() removes it without calling onExit.
func TestLinkBrowserIframesStackWithoutDestroy(t *testing.T) {
	env := newLinkEnv(t)
	if msg := env.eval(`(function () { try { Plaid.create({}); return 'no error'; } catch (e) { return e.message; } })()`); msg != "Missing Link parameter. Link requires a key or token to be provided." {
		t.Errorf("Plaid.create without a token: %q", msg)
	}
	a := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.eval(`window.__a = Plaid.create({token: ` + jsString(a) + `,
	  onEvent: function (name) { window.__log.push({kind: 'event-a', a: name}); },
	  onExit: function () { window.__log.push({kind: 'exit-a'}); }}); window.__a.open(); 'ok'`)
	env.eval(`window.__b = Plaid.create({token: ` + jsString(a) + `}); 'ok'`)
	if n := env.iframes(); n != "2" {
		t.Errorf("%s iframes after two Plaid.create calls without destroy, want 2", n)
	}
	// Wait until A's Link is open, then destroy both.
	env.waitFor("event-a", 1)
	env.eval(`window.__a.destroy(); window.__b.destroy(); window.__a.destroy(); 'ok'`)
	if n := env.iframes(); n != "0" {
		t.Errorf("%s iframes after destroy, want 0", n)
	}
	// The destroyed session is recorded as abandoned, not exited.
	for env.sessions()[0]["outcome"] != "abandoned" {
		if !waitFrame(env) {
			t.Fatalf("the destroyed session was never recorded as abandoned: %v", env.sessions()[0])
		}
	}

	// A full Link session afterwards: when it ends, A's onExit has had every
	// chance to run, and must not have.
	c := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.autopilot(c, "user_good", "pass_good")
	env.eval(`String(window.__create(` + jsString(c) + `, true))`)
	log := env.waitFor("success", 1)
	for _, en := range log {
		if en.Kind == "exit-a" || en.Kind == "exit" {
			t.Errorf("onExit was called after destroy(): %v", en)
		}
	}
	if n := env.iframes(); n != "1" {
		t.Errorf("%s iframes after destroy and a new create, want 1", n)
	}
}

// waitFrame lets the browser render one frame; false when the test's time
// is up.
func waitFrame(env *linkEnv) bool {
	_, err := chromedp.Run(env.ctx, chromedp.Evaluate[bool](`new Promise(function (r) { requestAnimationFrame(function () { r(true); }); })`, chromedp.EvalAwaitPromise))
	return err == nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func canonical(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestLinkBrowserCreateEmbedded(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.autopilot(token, "user_good", "pass_good")
	methods := env.eval(`(function () {
	  var box = document.createElement('div');
	  box.id = 'embed'; box.style.cssText = 'width:400px;height:600px';
	  document.body.appendChild(box);
	  var h = Plaid.createEmbedded({token: ` + jsString(token) + `,
	    onSuccess: function (pt, md) { record('success', pt, md); },
	    onEvent: function (n, md) { record('event', n, md); }}, box);
	  window.__embedded = h;
	  return Object.keys(h).join(',');
	})()`)
	if methods != "destroy" {
		t.Errorf("createEmbedded handler methods = %q, want destroy only", methods)
	}
	log := env.waitFor("success", 1)
	if find(log, "success").meta()["institution"] == nil {
		t.Errorf("embedded onSuccess metadata = %v", find(log, "success").meta())
	}
	if n := env.eval(`String(document.querySelectorAll('#embed > iframe[id^="plaid-link-iframe"]').length)`); n != "1" {
		t.Errorf("%s Link iframes inside the embed target, want 1", n)
	}
	env.eval(`window.__embedded.destroy(); 'ok'`)
	if n := env.iframes(); n != "0" {
		t.Errorf("%s iframes after destroy, want 0", n)
	}
}

// TestLinkBrowserStandaloneLinkHTML opens link.html on its own, as a webview
// would: Link starts at once and shows its callback on the page, with the
// public_token masked.
func TestLinkBrowserStandaloneLinkHTML(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.autopilot(token, "user_good", "pass_good")
	env.do(chromedp.Navigate(env.emuURL + "/link/v2/stable/link.html?token=" + token))
	env.do(chromedp.WaitVisible(chromedp.CSS("pre.result")))
	text, err := chromedp.Run(env.ctx, chromedp.Text(chromedp.CSS("pre.result")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, `"onSuccess"`) || !strings.Contains(text, "public-sandbox-…") || regexp.MustCompile(`public-sandbox-[0-9a-f]{8}-`).MatchString(text) {
		t.Errorf("standalone result = %s", text)
	}
}
