package flows

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
)

// controlStub plays the emulator's control API as documented, and keeps
// what it received.
type controlStub struct {
	mu       sync.Mutex
	got      []string // "METHOD path?query body"
	sessions string   // the /__emulator/link_sessions body
}

func (s *controlStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.got = append(s.got, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(body)))
	sessions := s.sessions
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	now := `"2024-05-01T12:00:00Z"`
	switch r.URL.Path {
	case "/__emulator/health":
		io.WriteString(w, `{"ok":true,"now":`+now+`}`)
	case "/__emulator/clock/advance":
		io.WriteString(w, `{"now":"2024-05-01T16:00:00Z","offset_seconds":14400}`)
	case "/__emulator/tokens/expire":
		if strings.Contains(string(body), "unknown") {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error_type":"INVALID_INPUT","error_code":"INVALID_LINK_TOKEN","error_message":"unknown token","display_message":null,"request_id":"ctl000000000001"}`)
			return
		}
		io.WriteString(w, `{"token":"link-sandbox-…0001","kind":"link_token","expired_at":`+now+`}`)
	case "/__emulator/autopilot":
		io.WriteString(w, `{"armed":true,"link_token":"link-sandbox-…0001","request_id":"ap0000000000001"}`)
	case "/__emulator/requests":
		io.WriteString(w, `{"requests":[{"seq":5,"time":`+now+`,"method":"POST","path":"/link/token/create","status":200,"request_id":"rq0000000000005","error_type":"","error_code":"","duration_ms":1.5,"client_id":"abc","user_agent":"Plaid Go v20.1.0"}],"next_since":5}`)
	case "/__emulator/requests/5":
		io.WriteString(w, `{"seq":5,"time":`+now+`,"method":"POST","path":"/item/public_token/exchange","status":200,"request_id":"rq0000000000005",`+
			`"request_body":{"client_id":"abc","secret":"`+testSecret+`","public_token":"`+testPublic+`"},`+
			`"response_body":"{\"access_token\":\"`+testAccess+`\",\"request_id\":\"rq0000000000005\"}"}`)
	case "/__emulator/link_sessions":
		io.WriteString(w, sessions)
	case "/__emulator/reset":
		io.WriteString(w, `{"ok":true}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `not here`)
	}
}

func newControl(t *testing.T) (*Control, *controlStub) {
	t.Helper()
	stub := &controlStub{sessions: `{"link_sessions":[{"link_session_id":"8d7c2b4e-1111-4f00-9a00-000000000001","link_token":"link-sandbox-…0001","outcome":"success"}]}`}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	return &Control{BaseURL: srv.URL + "/"}, stub
}

func (s *controlStub) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[len(s.got)-1]
}

func TestControlRequestsAndResponses(t *testing.T) {
	c, stub := newControl(t)
	ctx := context.Background()

	now, err := c.Health(ctx)
	if err != nil || !now.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("Health = %v, %v", now, err)
	}
	st, err := c.AdvanceClock(ctx, 4*time.Hour)
	if err != nil || st.OffsetSeconds != 14400 {
		t.Fatalf("AdvanceClock = %+v, %v", st, err)
	}
	if got := stub.last(); got != `POST /__emulator/clock/advance {"seconds":14400}` {
		t.Errorf("sent %s", got)
	}
	if err := c.ExpireToken(ctx, "link-sandbox-0001", true); err != nil {
		t.Fatal(err)
	}
	if got := stub.last(); got != `POST /__emulator/tokens/expire {"reason":"invalidate","token":"link-sandbox-0001"}` {
		t.Errorf("sent %s", got)
	}
	if err := c.ArmAutopilot(ctx, Autopilot{LinkToken: "link-sandbox-0001", Username: "user_good", Password: "pass_good"}); err != nil {
		t.Fatal(err)
	}
	if got := stub.last(); got != `POST /__emulator/autopilot {"link_token":"link-sandbox-0001","username":"user_good","password":"pass_good","delay_ms":0}` {
		t.Errorf("sent %s", got)
	}
	reqs, next, err := c.Requests(ctx, 4, 10)
	if err != nil || next != 5 || len(reqs) != 1 || reqs[0].RequestID != "rq0000000000005" || reqs[0].DurationMS != 1.5 {
		t.Fatalf("Requests = %+v, %d, %v", reqs, next, err)
	}
	if got := stub.last(); got != `GET /__emulator/requests?limit=10&since=4` {
		t.Errorf("sent %s", got)
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestControlRequestDetailIsMasked(t *testing.T) {
	c, _ := newControl(t)
	d, err := c.Request(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	all := string(d.RequestBody) + string(d.ResponseBody)
	for _, s := range []string{testSecret, testPublic, testAccess} {
		if strings.Contains(all, s) {
			t.Errorf("detail carries a full secret: %s", all)
		}
	}
	var resp map[string]string
	if err := json.Unmarshal(d.ResponseBody, &resp); err != nil || resp["access_token"] != "access-sandbox-…3f2a" {
		t.Errorf("response body %s (%v): want it unwrapped to JSON and masked", d.ResponseBody, err)
	}
	if d.Path != "/item/public_token/exchange" || d.Seq != 5 {
		t.Errorf("detail = %+v", d.ObservedRequest)
	}
}

func TestControlLinkSessions(t *testing.T) {
	c, stub := newControl(t)
	got, err := c.LinkSessions(context.Background())
	if err != nil || len(got) != 1 || got[0].LinkSessionID != "8d7c2b4e-1111-4f00-9a00-000000000001" || got[0].Outcome != "success" || len(got[0].Raw) == 0 {
		t.Errorf("LinkSessions = %+v, %v", got, err)
	}
	stub.mu.Lock()
	stub.sessions = `{"link_sessions":[{"link_session_id":7}]}`
	stub.mu.Unlock()
	if _, err := c.LinkSessions(context.Background()); err == nil {
		t.Error("a malformed record was accepted")
	}
}

func TestControlErrors(t *testing.T) {
	c, _ := newControl(t)
	ctx := context.Background()
	err := c.ExpireToken(ctx, "unknown", false)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "INVALID_LINK_TOKEN" || ae.HTTPStatus != 404 || ae.RequestID != "ctl000000000001" {
		t.Fatalf("ExpireToken(unknown) = %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "POST /__emulator/tokens/expire failed: INVALID_LINK_TOKEN") {
		t.Errorf("message %q", err)
	}
	if _, err := c.AdvanceClock(ctx, 0); err == nil {
		t.Error("AdvanceClock(0) accepted")
	}
	if err := c.ArmAutopilot(ctx, Autopilot{}); err == nil {
		t.Error("ArmAutopilot without a token accepted")
	}
	if _, _, err := c.Requests(ctx, -1, 0); err == nil {
		t.Error("Requests(-1) accepted")
	}
	if _, err := c.Request(ctx, 99); !errors.As(err, &ae) || ae.HTTPStatus != 404 || !strings.Contains(err.Error(), "GET /__emulator/requests/99 failed: HTTP 404: not here") {
		t.Errorf("Request(99) = %v", err)
	}

	down := &Control{BaseURL: "http://127.0.0.1:1"}
	if _, err := down.Health(ctx); err == nil || !strings.Contains(err.Error(), "is the emulator running at http://127.0.0.1:1?") {
		t.Errorf("Health on a closed port = %v", err)
	}
}

// TestControlAgainstEmulator checks the client against the real control API.
func TestControlAgainstEmulator(t *testing.T) {
	base := emulatortest.Start(t).URL
	ctx := context.Background()
	c := &Control{BaseURL: base}
	if _, err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Mode: ModeEmulated, ClientID: EmulatedClientID, Secret: EmulatedSecret, BaseURL: base}
	client := NewPlaidClient(cfg, nil)
	cctx, capture := WithCallCapture(ctx)
	req := plaid.NewLinkTokenCreateRequest("linkexplorer", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("u1"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
	resp, _, err := client.PlaidApi.LinkTokenCreate(cctx).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(AsAPIError("/link/token/create", err))
	}
	call, _ := capture.Last()

	reqs, next, err := c.Requests(ctx, 0, 10)
	if err != nil || len(reqs) != 1 || next != reqs[0].Seq {
		t.Fatalf("Requests = %+v, %d, %v", reqs, next, err)
	}
	if reqs[0].RequestID != call.RequestID || reqs[0].Path != "/link/token/create" || reqs[0].Status != 200 {
		t.Errorf("observed %+v; recorded request_id %q", reqs[0], call.RequestID)
	}
	d, err := c.Request(ctx, reqs[0].Seq)
	if err != nil || !strings.Contains(string(d.RequestBody), `"client_name":"linkexplorer"`) || strings.Contains(string(d.RequestBody)+string(d.ResponseBody), EmulatedSecret) {
		t.Errorf("Request = %s / %s, %v", d.RequestBody, d.ResponseBody, err)
	}

	if err := c.ArmAutopilot(ctx, Autopilot{LinkToken: resp.GetLinkToken(), Username: "user_good", Password: "pass_good"}); err != nil {
		t.Errorf("ArmAutopilot: %v", err)
	}
	if st, err := c.AdvanceClock(ctx, time.Hour); err != nil || st.OffsetSeconds < 3600 {
		t.Errorf("AdvanceClock = %+v, %v", st, err)
	}
	if err := c.ExpireToken(ctx, resp.GetLinkToken(), false); err != nil {
		t.Errorf("ExpireToken: %v", err)
	}
	_, _, err = client.PlaidApi.LinkTokenGet(ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(resp.GetLinkToken())).Execute()
	if pe, ok := PlaidErrorOf(err); !ok || pe.ErrorCode != "INVALID_LINK_TOKEN" {
		t.Errorf("/link/token/get after expiry: %v", err)
	}
	var ae *APIError
	if err := c.ExpireToken(ctx, "link-sandbox-00000000-0000-4000-8000-000000000000", true); !errors.As(err, &ae) || ae.HTTPStatus != 404 || ae.RequestID == "" {
		t.Errorf("ExpireToken(unknown) = %v", err)
	}
	if sessions, err := c.LinkSessions(ctx); err != nil || len(sessions) != 0 {
		t.Errorf("LinkSessions = %+v, %v", sessions, err)
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if reqs, _, err := c.Requests(ctx, 0, 0); err != nil || len(reqs) != 0 {
		t.Errorf("after Reset: %+v, %v", reqs, err)
	}
}
