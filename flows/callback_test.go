package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

const testScript = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"

// rejections collects OnRejected records.
type rejections struct {
	mu   sync.Mutex
	list []PageEvent
}

func (r *rejections) add(e PageEvent) {
	r.mu.Lock()
	r.list = append(r.list, e)
	r.mu.Unlock()
}

func (r *rejections) all() []PageEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]PageEvent(nil), r.list...)
}

type testServer struct {
	*CallbackServer
	rejected *rejections
	tokens   chan *LinkSession // sessions CreateLinkToken was called for
}

func startTestServer(t *testing.T, opts CallbackOptions) *testServer {
	t.Helper()
	ts := &testServer{rejected: &rejections{}, tokens: make(chan *LinkSession, 100)}
	if opts.LinkScriptURL == "" {
		opts.LinkScriptURL = testScript
	}
	if opts.CreateLinkToken == nil {
		n := 0
		var mu sync.Mutex
		opts.CreateLinkToken = func(_ context.Context, s *LinkSession) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			n++
			ts.tokens <- s
			return "link-sandbox-af1a0311-da53-4636-b754-dd15cc05817" + string(rune('0'+n%10)), nil
		}
	}
	opts.OnRejected = ts.rejected.add
	c, err := StartCallbackServer(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if opts.RefusalWindow == 0 {
		// These tests look at each refusal: a window of no length
		// reports every one in full (refusals_test.go tests sampling).
		c.refusals.mu.Lock()
		c.refusals.window = 0
		c.refusals.mu.Unlock()
	}
	ts.CallbackServer = c
	return ts
}

// request sends one request to the server with explicit Host and Origin.
func request(t *testing.T, method, rawURL, host, origin, ctype string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// report posts a report the way the page does.
func (ts *testServer) report(t *testing.T, s *LinkSession, body string) (int, string) {
	t.Helper()
	return request(t, "POST", s.URL()+"/report", "", ts.Addr(), "application/json", []byte(body))
}

func reportBody(state, kind, rest string) string {
	b := `{"state":"` + state + `","kind":"` + kind + `"`
	if rest != "" {
		b += "," + rest
	}
	return b + "}"
}

// next returns the next event of s, failing if none arrives.
func next(t *testing.T, s *LinkSession) PageEvent {
	t.Helper()
	ev, ok := testwait.Recv(t, s.Events(), "the session's next event")
	if !ok {
		t.Fatal("the session's events ended")
	}
	return ev
}

// assertNothingDelivered proves no event was queued before this point: it
// posts a marker report and checks it is the next event.
func assertNothingDelivered(t *testing.T, ts *testServer, s *LinkSession) {
	t.Helper()
	if code, body := ts.report(t, s, reportBody(s.state, "destroyed", "")); code != http.StatusNoContent {
		t.Fatalf("marker report: %d %s", code, body)
	}
	if ev := next(t, s); ev.Kind != "destroyed" || ev.Rejected {
		t.Fatalf("a refused request was delivered as an event: %+v", ev)
	}
}

func TestCallbackPageServedWithSecurityHeaders(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("quickstart: <new Item>")
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"linkexplorer callback page", `data-state="` + s.state + `"`, `data-link-script="` + testScript + `"`, "quickstart: &lt;new Item&gt;", `src="/assets/callback.js"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self' https://cdn.plaid.com;", "frame-src https://cdn.plaid.com;", "connect-src 'self' https://sandbox.plaid.com;", "frame-ancestors 'none'"} {
		if !strings.Contains(csp+";", want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", h)
	}
	for path, ctype := range assetTypes {
		code, _ := request(t, "GET", ts.Addr()+path, "", "", "", nil)
		resp, _ := http.Get(ts.Addr() + path)
		resp.Body.Close()
		if code != 200 || resp.Header.Get("Content-Type") != ctype {
			t.Errorf("GET %s: %d %s", path, code, resp.Header.Get("Content-Type"))
		}
	}
}

func TestCallbackCSPOffline(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{LinkScriptURL: "http://127.0.0.1:4010/link/v2/stable/link-initialize.js"})
	csp := ts.csp
	if !strings.Contains(csp, "frame-src http://127.0.0.1:4010;") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("offline CSP %q", csp)
	}
}

func TestCallbackSessionURLsAreUnguessable(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	re := regexp.MustCompile(`^http://127\.0\.0\.1:\d+/link/[0-9a-f]{32}$`)
	seen := map[string]bool{}
	states := map[string]bool{}
	for i := 0; i < 50; i++ {
		s := ts.NewSession("x")
		if !re.MatchString(s.URL()) {
			t.Fatalf("URL %q is not a 128-bit random path", s.URL())
		}
		if seen[s.URL()] || states[s.state] || strings.Contains(s.URL(), s.state) {
			t.Fatal("session URL or state repeated, or the state is in the URL")
		}
		seen[s.URL()], states[s.state] = true, true
	}
	code, _ := request(t, "GET", ts.Addr()+"/link/"+strings.Repeat("0", 32), "", "", "", nil)
	if code != http.StatusNotFound {
		t.Errorf("unknown session: %d", code)
	}
}

func TestCallbackValidReportsDeliveredInOrder(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("quickstart")
	st := s.state
	reports := []string{
		reportBody(st, "token_fetched", `"link_token_last4":"8176"`),
		reportBody(st, "created", ""),
		reportBody(st, "load", ""),
		reportBody(st, "event", `"event_name":"TRANSITION_VIEW","metadata":{"view_name":"CONSENT","link_session_id":"ls-1","request_id":"Req1","timestamp":"2024-05-01T12:00:00.000Z","institution_id":null,"error_code":null}`),
		reportBody(st, "exit", `"error":{"error_type":"INVALID_INPUT","error_code":"INVALID_LINK_TOKEN","error_message":"invalid link_token provided","display_message":null},"metadata":{"institution":null,"status":"requires_credentials","link_session_id":"ls-1","request_id":"Req2"}`),
		reportBody(st, "success", `"public_token":"`+testPublic+`","metadata":{"institution":{"name":"First Platypus Bank","institution_id":"ins_109508"},"accounts":[],"link_session_id":"ls-2"}`),
		reportBody(st, "token_error", `"error":{"error_type":"INVALID_INPUT","error_code":"INVALID_API_KEYS","error_message":"invalid client_id or secret provided","display_message":null,"request_id":"KeyReq"}`),
		reportBody(st, "script_error", `"message":"could not load the script"`),
	}
	for _, r := range reports {
		if code, body := ts.report(t, s, r); code != http.StatusNoContent {
			t.Fatalf("report %s: %d %s", r, code, body)
		}
	}
	want := []PageEvent{
		{Kind: "token_fetched"},
		{Kind: "created"},
		{Kind: "load"},
		{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "CONSENT", LinkSessionID: "ls-1", RequestID: "Req1"},
		{Kind: "exit", ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN", ErrorMessage: "invalid link_token provided", ExitStatus: "requires_credentials", LinkSessionID: "ls-1", RequestID: "Req2"},
		{Kind: "success", PublicToken: testPublic, LinkSessionID: "ls-2", InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank"},
		{Kind: "token_error", ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_API_KEYS", ErrorMessage: "invalid client_id or secret provided", RequestID: "KeyReq"},
		{Kind: "script_error", ErrorMessage: "could not load the script"},
	}
	for _, w := range want {
		got := next(t, s)
		if got.Time.IsZero() || got.Rejected {
			t.Errorf("event %+v: no time, or rejected", got)
		}
		got.Time, got.Metadata = time.Time{}, nil
		if !reflect.DeepEqual(got, w) {
			t.Errorf("got  %+v\nwant %+v", got, w)
		}
	}
	if len(ts.rejected.all()) != 0 {
		t.Errorf("valid reports were rejected: %v", ts.rejected.all())
	}
}

func TestCallbackEventMetadataKeptAndMasked(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	ts.report(t, s, reportBody(s.state, "success", `"public_token":"`+testPublic+`","metadata":{"link_session_id":"ls","public_token":"`+testPublic+`"}`))
	ev := next(t, s)
	if ev.PublicToken != testPublic {
		t.Errorf("PublicToken = %q", ev.PublicToken)
	}
	if strings.Contains(string(ev.Metadata), testPublic) || !strings.Contains(string(ev.Metadata), `"link_session_id":"ls"`) {
		t.Errorf("Metadata = %s", ev.Metadata)
	}
	if strings.Contains(ev.String(), testPublic) || !strings.Contains(ev.String(), "public-sandbox-…91bc") {
		t.Errorf("String() = %q", ev.String())
	}
	if b, _ := json.Marshal(ev); strings.Contains(string(b), testPublic) {
		t.Errorf("JSON form carries the public_token: %s", b)
	}
}

func TestCallbackRejectsBadRequests(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	other := ts.NewSession("y")
	port := strings.TrimPrefix(ts.Addr(), "http://127.0.0.1:")
	good := reportBody(s.state, "load", "")
	tests := []struct {
		name, method, host, origin, ctype, body string
		want                                    int
	}{
		{"forged state", "POST", "", ts.Addr(), "application/json", reportBody("forged", "load", ""), 403},
		{"another session's state", "POST", "", ts.Addr(), "application/json", reportBody(other.state, "load", ""), 403},
		{"missing state", "POST", "", ts.Addr(), "application/json", `{"kind":"load"}`, 403},
		{"state of the wrong type", "POST", "", ts.Addr(), "application/json", `{"state":1,"kind":"load"}`, 403},
		{"wrong Host (DNS rebinding)", "POST", "evil.example:" + port, "", "application/json", good, 421},
		{"wrong Host port", "POST", "127.0.0.1:1", "", "application/json", good, 421},
		{"wrong Origin", "POST", "", "http://evil.example", "application/json", good, 403},
		{"null Origin", "POST", "", "null", "application/json", good, 403},
		{"other loopback port as Origin", "POST", "", "http://127.0.0.1:1", "application/json", good, 403},
		{"oversized body", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "script_error", `"message":"`+strings.Repeat("a", MaxReportBody)+`"`), 413},
		{"malformed JSON", "POST", "", ts.Addr(), "application/json", `{"state":"` + s.state + `","kind":`, 400},
		{"not an object", "POST", "", ts.Addr(), "application/json", `["load"]`, 400},
		{"trailing data", "POST", "", ts.Addr(), "application/json", good + `{}`, 400},
		{"unknown kind", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "pwned", ""), 400},
		{"unknown field", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "load", `"extra":1`), 400},
		{"missing required field", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "event", `"metadata":{}`), 400},
		{"bad event name", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "event", `"event_name":"<script>","metadata":{}`), 400},
		{"metadata not an object", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "event", `"event_name":"OPEN","metadata":"x"`), 400},
		{"metadata field of the wrong type", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "event", `"event_name":"OPEN","metadata":{"link_session_id":5}`), 400},
		{"over-long string", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "event", `"event_name":"OPEN","metadata":{"view_name":"`+strings.Repeat("V", 300)+`"}`), 400},
		{"control characters", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "event", `"event_name":"OPEN","metadata":{"institution_name":"\u001b[31mred"}`), 400},
		{"success without public_token", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "success", `"metadata":{}`), 400},
		{"public_token with spaces", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "success", `"public_token":"a b","metadata":{}`), 400},
		{"long last4", "POST", "", ts.Addr(), "application/json", reportBody(s.state, "token_fetched", `"link_token_last4":"12345"`), 400},
		{"not JSON content type", "POST", "", ts.Addr(), "text/plain", good, 415},
		{"GET on the report route", "GET", "", "", "", "", 405},
		{"PUT on the report route", "PUT", "", ts.Addr(), "application/json", good, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.rejected.all())
			code, body := request(t, tt.method, s.URL()+"/report", tt.host, tt.origin, tt.ctype, []byte(tt.body))
			if code != tt.want {
				t.Fatalf("status %d (%s), want %d", code, body, tt.want)
			}
			var msg map[string]string
			if json.Unmarshal([]byte(body), &msg) != nil || msg["error"] == "" {
				t.Errorf("no clear error message: %s", body)
			}
			rej := ts.rejected.all()
			if len(rej) != before+1 || !rej[len(rej)-1].Rejected || rej[len(rej)-1].RejectReason == "" {
				t.Errorf("not recorded as rejected: %+v", rej)
			}
			if strings.Contains(rej[len(rej)-1].RejectReason, s.id) {
				t.Errorf("the rejection record carries the session URL: %s", rej[len(rej)-1].RejectReason)
			}
			assertNothingDelivered(t, ts, s)
		})
	}
}

func TestCallbackChunkedOversizedBody(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`{"state":"` + s.state + `","kind":"script_error","message":"`))
		pw.Write(bytes.Repeat([]byte("a"), MaxReportBody))
		pw.Write([]byte(`"}`))
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", s.URL()+"/report", pr) // no Content-Length: chunked
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	assertNothingDelivered(t, ts, s)
}

func TestCallbackHostAndOriginAccepted(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	port := strings.TrimPrefix(ts.Addr(), "http://127.0.0.1:")
	for _, hostOrigin := range [][2]string{
		{"localhost:" + port, "http://localhost:" + port},
		{"127.0.0.1:" + port, ""},
	} {
		code, body := request(t, "POST", s.URL()+"/report", hostOrigin[0], hostOrigin[1], "application/json; charset=utf-8", []byte(reportBody(s.state, "load", "")))
		if code != http.StatusNoContent {
			t.Errorf("%v: %d %s", hostOrigin, code, body)
		}
		next(t, s)
	}
}

func TestCallbackCreateLinkToken(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	body := func(session, state string) []byte {
		b, _ := json.Marshal(tokenRequest{Session: session, State: state})
		return b
	}
	code, resp := request(t, "POST", ts.Addr()+"/create_link_token", "", ts.Addr(), "application/json", body(s.id, s.state))
	var got map[string]string
	if code != 200 || json.Unmarshal([]byte(resp), &got) != nil || !strings.HasPrefix(got["link_token"], "link-sandbox-") {
		t.Fatalf("create_link_token: %d %s", code, resp)
	}
	if called, _ := testwait.Recv(t, ts.tokens, "the CreateLinkToken call"); called != s {
		t.Error("CreateLinkToken got another session")
	}
	for name, tc := range map[string]struct {
		method string
		body   []byte
		want   int
	}{
		"forged state":    {"POST", body(s.id, "forged"), 403},
		"unknown session": {"POST", body("nope", s.state), 403},
		"unknown field":   {"POST", []byte(`{"session":"` + s.id + `","state":"` + s.state + `","x":1}`), 400},
		"GET":             {"GET", nil, 405},
	} {
		if code, _ := request(t, tc.method, ts.Addr()+"/create_link_token", "", "", "application/json", tc.body); code != tc.want {
			t.Errorf("%s: status %d, want %d", name, code, tc.want)
		}
	}
	if len(ts.tokens) != 0 {
		t.Error("CreateLinkToken was called for a refused request")
	}
}

func TestCallbackCreateLinkTokenErrorAndLimit(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{CreateLinkToken: func(context.Context, *LinkSession) (string, error) {
		return "", &APIError{Endpoint: "/link/token/create", Type: "INVALID_INPUT", Code: "INVALID_API_KEYS", Message: "invalid client_id or secret provided", RequestID: "KeyReq000000001", HTTPStatus: 400}
	}})
	s := ts.NewSession("x")
	b, _ := json.Marshal(tokenRequest{Session: s.id, State: s.state})
	code, resp := request(t, "POST", ts.Addr()+"/create_link_token", "", "", "application/json", b)
	var got struct{ Error map[string]string }
	if code != http.StatusBadGateway || json.Unmarshal([]byte(resp), &got) != nil || got.Error["error_code"] != "INVALID_API_KEYS" || got.Error["request_id"] != "KeyReq000000001" {
		t.Fatalf("got %d %s", code, resp)
	}
	for i := 1; i < maxTokenRequests; i++ {
		request(t, "POST", ts.Addr()+"/create_link_token", "", "", "application/json", b)
	}
	if code, _ := request(t, "POST", ts.Addr()+"/create_link_token", "", "", "application/json", b); code != http.StatusTooManyRequests {
		t.Errorf("token request %d: status %d, want 429", maxTokenRequests+1, code)
	}
}

func TestCallbackAddrChecks(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.10:0", "[::1]:0", "example.com:80", "127.0.0.1"} {
		_, err := StartCallbackServer(context.Background(), CallbackOptions{Addr: addr, LinkScriptURL: testScript, CreateLinkToken: func(context.Context, *LinkSession) (string, error) { return "", nil }})
		if err == nil || !strings.Contains(err.Error(), "127.0.0.1:") {
			t.Errorf("Addr %q: err = %v, want a refusal naming 127.0.0.1:PORT", addr, err)
		}
	}
	ts := startTestServer(t, CallbackOptions{Addr: "localhost:0"})
	if !strings.HasPrefix(ts.Addr(), "http://127.0.0.1:") {
		t.Errorf("localhost:0 bound %s", ts.Addr())
	}
}

func TestCallbackPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = StartCallbackServer(context.Background(), CallbackOptions{Addr: ln.Addr().String(), LinkScriptURL: testScript, CreateLinkToken: func(context.Context, *LinkSession) (string, error) { return "", nil }})
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "--callback-addr 127.0.0.1:0") {
		t.Fatalf("err = %v", err)
	}
}

func TestCallbackOptionsChecked(t *testing.T) {
	if _, err := StartCallbackServer(context.Background(), CallbackOptions{LinkScriptURL: testScript}); err == nil {
		t.Error("no CreateLinkToken accepted")
	}
	for _, u := range []string{"", "javascript:alert(1)", "/relative.js"} {
		_, err := StartCallbackServer(context.Background(), CallbackOptions{LinkScriptURL: u, CreateLinkToken: func(context.Context, *LinkSession) (string, error) { return "", nil }})
		if err == nil {
			t.Errorf("LinkScriptURL %q accepted", u)
		}
	}
}

func TestLinkSessionWait(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	for _, r := range []string{
		reportBody(s.state, "load", ""),
		reportBody(s.state, "event", `"event_name":"OPEN","metadata":{}`),
		reportBody(s.state, "success", `"public_token":"`+testPublic+`","metadata":{}`),
	} {
		ts.report(t, s, r)
	}
	var seen []string
	ev, err := s.Wait(context.Background(), func(e PageEvent) bool {
		seen = append(seen, e.Kind)
		return e.Kind == "success" || e.Kind == "exit"
	})
	if err != nil || ev.Kind != "success" || strings.Join(seen, ",") != "load,event,success" {
		t.Fatalf("Wait = %+v, %v; pred saw %v", ev, err, seen)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Wait(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "the page is still at "+s.URL()) || errors.Is(err, ErrWaitTimeout) {
		t.Errorf("cancelled Wait: %v", err)
	}

	s.Close()
	if _, err := s.Wait(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Wait on a closed session: %v", err)
	}
	if code, _ := request(t, "GET", s.URL(), "", "", "", nil); code != http.StatusNotFound {
		t.Errorf("closed session page: %d, want 404", code)
	}
}

func TestLinkSessionWaitTimeout(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{WaitTimeout: time.Millisecond})
	s := ts.NewSession("x")
	_, err := s.Wait(context.Background(), nil)
	if !errors.Is(err, ErrWaitTimeout) || !strings.Contains(err.Error(), "timed out waiting for Link after 1ms; the page is still at "+s.URL()) {
		t.Errorf("err = %v", err)
	}
	if got := shortDuration(10 * time.Minute); got != "10m" {
		t.Errorf("shortDuration(10m) = %q", got)
	}
	if got := shortDuration(2 * time.Hour); got != "2h" {
		t.Errorf("shortDuration(2h) = %q", got)
	}
}

func TestCallbackServerStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := StartCallbackServer(ctx, CallbackOptions{LinkScriptURL: testScript, CreateLinkToken: func(context.Context, *LinkSession) (string, error) { return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	s := c.NewSession("x")
	cancel()
	if _, ok := testwait.Recv(t, s.Events(), "Events to close when the server stops"); ok {
		t.Error("Events still open after the server stopped")
	}
	c.Close() // idempotent
	if _, err := http.Get(s.URL()); err == nil {
		t.Error("the server still answers after its context ended")
	}
	if late := c.NewSession("late"); late == nil {
		t.Error("NewSession on a closed server returned nil")
	} else if _, ok := testwait.Recv(t, late.Events(), "a closed server's session to start closed"); ok {
		t.Error("a session of a closed server is open")
	}
}

func TestCallbackUnknownPaths(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	for _, p := range []string{"/", "/favicon.ico", "/assets/other.js", "/link/" + s.id + "/other", "/link/"} {
		if code, _ := request(t, "GET", ts.Addr()+p, "", "", "", nil); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
	if code, _ := request(t, "POST", s.URL(), "", ts.Addr(), "application/json", []byte(`{}`)); code != http.StatusMethodNotAllowed {
		t.Errorf("POST on the page: %d, want 405", code)
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/link/0123456789abcdef0123456789abcdef/report": "/link/012345…/report",
		"/link/abc":          "/link/abc",
		"/create_link_token": "/create_link_token",
		"/webhook/0123456789abcdef0123456789abcdef": "/webhook/012345…",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCallbackReport posts arbitrary bodies to a session's report route:
// the server never panics, never answers 5xx, and delivers an event only
// for a valid report carrying the right state.
func FuzzCallbackReport(f *testing.F) {
	const state = "fuzz-state-token"
	for _, seed := range []string{
		reportBody(state, "load", ""),
		reportBody(state, "event", `"event_name":"OPEN","metadata":{"link_session_id":"x","institution":{"name":"n"}}`),
		reportBody(state, "exit", `"error":null,"metadata":{"status":"institution_not_found"}`),
		reportBody(state, "success", `"public_token":"public-sandbox-x","metadata":{}`),
		reportBody(state, "token_fetched", `"link_token_last4":"abcd"`),
		reportBody(state, "token_error", `"error":{"error_code":"X"}`),
		reportBody(state, "script_error", `"message":"m"`),
		reportBody("wrong", "load", ""),
		`{"state":"` + state + `","kind":"load","kind":"pwned"}`,
		`null`, `[]`, `{"state":` + state + `}`, "",
		// With a page-load id and seq, alone and in a batch (the page's
		// keepalive send when it goes away), with a duplicate.
		reportBody(state, "load", `"page":"p1","seq":1`),
		"[" + reportBody(state, "load", `"page":"p1","seq":1`) + "," + reportBody(state, "created", `"page":"p1","seq":2`) + "]",
		"[" + reportBody(state, "load", `"page":"p1","seq":1`) + "," + reportBody(state, "load", `"page":"p1","seq":1`) + "]",
		"[" + reportBody(state, "load", "") + "]",
		reportBody(state, "load", `"page":"p1","seq":1.5`),
	} {
		f.Add([]byte(seed))
	}
	c := &CallbackServer{
		opts:     CallbackOptions{LinkScriptURL: testScript},
		base:     "http://127.0.0.1:9",
		hosts:    [2]string{"127.0.0.1:9", "localhost:9"},
		origins:  [2]string{"http://127.0.0.1:9", "http://localhost:9"},
		sessions: map[string]*LinkSession{},
	}
	s := &LinkSession{srv: c, id: "fuzzsession", state: state, wake: make(chan struct{}, 1), done: make(chan struct{}), out: make(chan PageEvent)}
	c.sessions[s.id] = s
	var rejected int
	c.opts.OnRejected = func(PageEvent) { rejected++ }
	// A window of no length reports every refusal in full.
	c.refusals = newRefusalSampler(time.Minute, c.opts.OnRejected)
	c.refusals.window = 0
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/link/fuzzsession/report", bytes.NewReader(body))
		req.Host = c.hosts[0]
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.mu.Lock()
		s.queue, s.events = nil, 0
		s.mu.Unlock()
		s.accept.Lock()
		s.seen = nil
		s.accept.Unlock()
		rejectedBefore := rejected

		c.ServeHTTP(w, req)

		s.mu.Lock()
		delivered := len(s.queue)
		s.mu.Unlock()
		valid, reports := validReportOracle(body, state)
		switch {
		case w.Code >= 500:
			t.Fatalf("status %d for %q", w.Code, body)
		case w.Code == http.StatusNoContent:
			// A batch may repeat a report: it is delivered once.
			if !valid || delivered < 1 || delivered > reports || rejected != rejectedBefore {
				t.Fatalf("accepted %q (valid by the oracle: %v, delivered %d)", body, valid, delivered)
			}
		default:
			if delivered != 0 || rejected != rejectedBefore+1 {
				t.Fatalf("refused %q with %d but delivered %d events / %d rejections", body, w.Code, delivered, rejected-rejectedBefore)
			}
		}
	})
}

// validReportOracle is an independent, looser check of what may be
// accepted, and how many reports it holds: a JSON object with the right
// state and a known kind, or a non-empty array of such objects that each
// carry a page and a seq.
func validReportOracle(body []byte, state string) (bool, int) {
	if len(body) > MaxReportBody {
		return false, 0
	}
	known := map[string]bool{"load": true, "event": true, "success": true, "exit": true, "token_fetched": true, "created": true, "destroyed": true, "token_error": true, "script_error": true, "oauth_return": true, "oauth_restarted": true}
	valid := func(m map[string]any) bool {
		kind, _ := m["kind"].(string)
		return m["state"] == state && known[kind]
	}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		return m != nil && valid(m), 1
	}
	var batch []map[string]any
	if json.Unmarshal(body, &batch) != nil || len(batch) == 0 {
		return false, 0
	}
	for _, m := range batch {
		_, page := m["page"].(string)
		_, seq := m["seq"].(float64)
		if m == nil || !valid(m) || !page || !seq {
			return false, 0
		}
	}
	return true, len(batch)
}
