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

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

const (
	testSecret = "f0e1d2c3b4a5968778695a4b3c2da1b2"
	testAccess = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031f3f2a"
	testPublic = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce91bc"
)

// callLog is a Recorder that keeps calls for tests.
type callLog struct {
	mu    sync.Mutex
	calls []Call
}

func (l *callLog) RecordCall(_ context.Context, c Call) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

func (l *callLog) all() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Call(nil), l.calls...)
}

// fakePlaid answers like Plaid: the exchange succeeds, link/token/create
// fails with INVALID_FIELD, and it checks the credentials headers.
func fakePlaid(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.Header.Get("PLAID-SECRET") != testSecret || r.Header.Get("PLAID-CLIENT-ID") != "client-id-0001" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"display_message":null,"error_code":"INVALID_API_KEYS","error_message":"invalid client_id or secret provided","error_type":"INVALID_INPUT","request_id":"KeyReq000000001"}`)
			return
		}
		switch r.URL.Path {
		case "/proxy/item/public_token/exchange", "/item/public_token/exchange":
			if !strings.Contains(string(body), testPublic) {
				t.Errorf("the server got a request body without the public_token: %s", body)
			}
			io.WriteString(w, `{"access_token":"`+testAccess+`","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"m8MDnv9okwxFNBV"}`)
		case "/link/token/create":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"display_message":null,"documentation_url":"https://plaid.com/docs/?ref=error#invalid-request-errors","error_code":"INVALID_FIELD","error_message":"webhook must be a non-empty string URL","error_type":"INVALID_REQUEST","request_id":"m8MDnv9okwxFNBV","suggested_action":null}`)
		case "/item/get":
			w.WriteHeader(http.StatusBadGateway)
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<html>bad gateway</html>`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error_code":"NOT_FOUND","error_message":"not found","error_type":"INVALID_REQUEST","request_id":"nf0000000000001"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func testConfig(base string) Config {
	return Config{Mode: ModePlaid, ClientID: "client-id-0001", Secret: testSecret, BaseURL: base}
}

func TestRecordedClientSuccess(t *testing.T) {
	srv := fakePlaid(t)
	rec := &callLog{}
	client := NewPlaidClient(testConfig(srv.URL), rec)
	ctx, capture := WithCallCapture(context.Background())

	resp, _, err := client.PlaidApi.ItemPublicTokenExchange(ctx).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(testPublic)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	// The body was restored for plaid-go: it decoded the full token.
	if resp.GetAccessToken() != testAccess {
		t.Errorf("plaid-go decoded access_token %q", resp.GetAccessToken())
	}
	calls := rec.all()
	if len(calls) != 1 {
		t.Fatalf("recorded %d calls, want 1", len(calls))
	}
	c := calls[0]
	if c.Method != "POST" || c.Endpoint != "/item/public_token/exchange" || c.HTTPStatus != 200 || c.RequestID != "m8MDnv9okwxFNBV" || c.ErrorCode != "" || c.Err != nil {
		t.Errorf("call = %+v", c)
	}
	if c.Duration <= 0 || c.Time.IsZero() {
		t.Errorf("call not timed: %v at %v", c.Duration, c.Time)
	}
	assertNoSecrets(t, c)
	if !strings.Contains(string(c.ResponseBody), "access-sandbox-…3f2a") || !strings.Contains(string(c.RequestBody), "public-sandbox-…91bc") {
		t.Errorf("bodies not masked as expected:\n%s\n%s", c.RequestBody, c.ResponseBody)
	}
	last, ok := capture.Last()
	if !ok || last.RequestID != c.RequestID || len(capture.Calls()) != 1 {
		t.Errorf("capture = %+v, %v", capture.Calls(), ok)
	}
}

func assertNoSecrets(t *testing.T, c Call) {
	t.Helper()
	for _, s := range []string{testSecret, testAccess, testPublic} {
		if strings.Contains(string(c.RequestBody), s) || strings.Contains(string(c.ResponseBody), s) {
			t.Errorf("a recorded body contains the full secret %q", redact.Value(s))
		}
	}
}

func TestRecordedClientPlaidError(t *testing.T) {
	srv := fakePlaid(t)
	rec := &callLog{}
	client := NewPlaidClient(testConfig(srv.URL), rec)
	req := plaid.NewLinkTokenCreateRequest("linkexplorer", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("u1"))
	req.SetWebhook("not a url")
	_, _, err := client.PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err == nil {
		t.Fatal("no error from a 400 response")
	}
	c := rec.all()[0]
	if c.HTTPStatus != 400 || c.ErrorType != "INVALID_REQUEST" || c.ErrorCode != "INVALID_FIELD" || c.ErrorMessage != "webhook must be a non-empty string URL" || c.RequestID != "m8MDnv9okwxFNBV" {
		t.Errorf("call = %+v", c)
	}

	pe, ok := PlaidErrorOf(err)
	if !ok || pe.ErrorCode != "INVALID_FIELD" || pe.GetRequestId() != "m8MDnv9okwxFNBV" {
		t.Fatalf("PlaidErrorOf = %+v, %v", pe, ok)
	}
	apiErr := AsAPIError("/link/token/create", err)
	want := "POST /link/token/create failed: INVALID_FIELD: webhook must be a non-empty string URL (request_id m8MDnv9okwxFNBV)"
	if apiErr.Error() != want {
		t.Errorf("AsAPIError = %q\nwant         %q", apiErr, want)
	}
	var ae *APIError
	if !errors.As(apiErr, &ae) || ae.HTTPStatus != 400 || ae.Type != "INVALID_REQUEST" {
		t.Errorf("APIError = %+v", ae)
	}
}

func TestRecordedClientWrongKeys(t *testing.T) {
	srv := fakePlaid(t)
	cfg := testConfig(srv.URL)
	cfg.Secret = "wrong-secret-value-0000"
	client := NewPlaidClient(cfg, nil)
	ctx, capture := WithCallCapture(context.Background())
	_, _, err := client.PlaidApi.ItemPublicTokenExchange(ctx).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(testPublic)).Execute()
	if got := AsAPIError("/item/public_token/exchange", err); got == nil || !strings.Contains(got.Error(), "INVALID_API_KEYS") || !strings.Contains(got.Error(), "KeyReq000000001") {
		t.Errorf("AsAPIError = %v", got)
	}
	c, _ := capture.Last()
	if c.ErrorCode != "INVALID_API_KEYS" {
		t.Errorf("captured call = %+v", c)
	}
	if strings.Contains(string(c.RequestBody), "wrong-secret-value-0000") {
		t.Error("the recorded request body carries the secret")
	}
}

func TestRecordedClientNonPlaidError(t *testing.T) {
	srv := fakePlaid(t)
	client := NewPlaidClient(testConfig(srv.URL), nil)
	_, _, err := client.PlaidApi.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(testAccess)).Execute()
	got := AsAPIError("/item/get", err)
	var ae *APIError
	if !errors.As(got, &ae) || ae.Code != "" {
		t.Fatalf("AsAPIError = %#v", got)
	}
	if !strings.Contains(got.Error(), "not a Plaid response") || !strings.Contains(got.Error(), "bad gateway") {
		t.Errorf("message = %q", got)
	}
	if _, ok := PlaidErrorOf(err); ok {
		t.Error("PlaidErrorOf found a Plaid error in an HTML page")
	}
}

func TestRecordedClientBaseURLWithPath(t *testing.T) {
	srv := fakePlaid(t)
	rec := &callLog{}
	client := NewPlaidClient(testConfig(srv.URL+"/proxy/"), rec)
	_, _, err := client.PlaidApi.ItemPublicTokenExchange(context.Background()).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(testPublic)).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.all()[0].Endpoint; got != "/item/public_token/exchange" {
		t.Errorf("Endpoint = %q", got)
	}
}

func TestRecordedClientTransportError(t *testing.T) {
	srv := fakePlaid(t)
	url := srv.URL
	srv.Close() // nothing listens there now
	rec := &callLog{}
	client := NewPlaidClient(testConfig(url), rec)
	_, _, err := client.PlaidApi.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(testAccess)).Execute()
	if err == nil {
		t.Fatal("no error with the server down")
	}
	calls := rec.all()
	if len(calls) != 1 || calls[0].Err == nil || calls[0].HTTPStatus != 0 {
		t.Fatalf("calls = %+v", calls)
	}
	assertNoSecrets(t, calls[0])
	got := AsAPIError("/item/get", err)
	if !strings.HasPrefix(got.Error(), "POST /item/get failed: ") {
		t.Errorf("AsAPIError = %q", got)
	}
	if AsAPIError("/x", nil) != nil {
		t.Error("AsAPIError(nil) is not nil")
	}
}

func TestAPIErrorFormats(t *testing.T) {
	tests := []struct {
		e    APIError
		want string
	}{
		{APIError{Endpoint: "/item/get", Code: "ITEM_LOGIN_REQUIRED"}, "POST /item/get failed: ITEM_LOGIN_REQUIRED"},
		{APIError{Method: "GET", Endpoint: "/__emulator/health", HTTPStatus: 503}, "GET /__emulator/health failed: HTTP 503 Service Unavailable"},
		{APIError{Endpoint: "/x", Message: "boom", RequestID: "r1"}, "POST /x failed: boom (request_id r1)"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestRecordingTransportKeepsRequestForRetries(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"request_id": "r"})
	}))
	defer srv.Close()
	tr := &RecordingTransport{}
	req, _ := http.NewRequest("POST", srv.URL+"/a", strings.NewReader(`{"secret":"`+testSecret+`"}`))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(bodies) != 1 || !strings.Contains(bodies[0], testSecret) {
		t.Errorf("the server got %q; the transport must send the real body", bodies)
	}
}
