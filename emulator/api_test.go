package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestCredentialsEnforced(t *testing.T) {
	opts := Options{ClientID: "my-client", Secret: "my-secret-123456"}
	good := newHarnessWith(t, harnessConfig{opts: opts, clientID: "my-client", secret: "my-secret-123456"})
	res(good.client.LinkTokenCreate(good.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)

	for name, hc := range map[string]harnessConfig{
		"wrong secret":    {opts: opts, clientID: "my-client", secret: "not-the-secret"},
		"wrong client_id": {opts: opts, clientID: "other-client", secret: "my-secret-123456"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := plaidClient(t, good.srv.URL, hc.clientID, hc.secret)
			_, _, err := bad.LinkTokenCreate(good.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()
			pe := wantPlaidError(t, err, "INVALID_API_KEYS")
			if pe.ErrorType != "INVALID_INPUT" {
				t.Errorf("error_type %s", pe.ErrorType)
			}
		})
	}

	// Credentials in the body work too.
	body := `{"client_id":"my-client","secret":"my-secret-123456","link_token":"link-sandbox-x"}`
	status, out := good.post("/link/token/get", "application/json", []byte(body), nil)
	if status != 400 || out["error_code"] != "INVALID_LINK_TOKEN" {
		t.Errorf("body credentials: %d %v", status, out)
	}
}

func TestMissingCredentials(t *testing.T) {
	h := newHarnessWith(t, harnessConfig{})
	_, _, err := h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()
	pe := wantPlaidError(t, err, "MISSING_FIELDS")
	if pe.ErrorMessage != "the following required fields are missing: client_id, secret" || pe.ErrorType != "INVALID_REQUEST" {
		t.Errorf("error %+v", pe)
	}
	onlyID := plaidClient(t, h.srv.URL, "some-client", "")
	_, _, err = onlyID.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest("access-sandbox-x")).Execute()
	pe = wantPlaidError(t, err, "MISSING_FIELDS")
	if !strings.HasSuffix(pe.ErrorMessage, ": secret") {
		t.Errorf("message %q", pe.ErrorMessage)
	}
}

func TestUnknownPathIsNotFound(t *testing.T) {
	h := newHarness(t, Options{})
	for _, path := range []string{"/nope", "/transactions/get/", "/link/token/delete", "/__emulator/nope"} {
		status, out := h.post(path, "application/json", []byte(`{}`), creds)
		if status != http.StatusNotFound || out["error_code"] != "NOT_FOUND" || out["error_type"] != "INVALID_REQUEST" {
			t.Errorf("%s: %d %v", path, status, out)
		}
		if id, _ := out["request_id"].(string); !requestIDPattern.MatchString(id) {
			t.Errorf("%s: request_id %q", path, id)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/item/get", nil)
	if status, out := h.do(req); status != http.StatusNotFound || out["error_code"] != "NOT_FOUND" {
		t.Errorf("GET /item/get: %d %v", status, out)
	}
}

func TestRequestDecoding(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		name, path, contentType, body string
		code, inMsg                   string
	}{
		{"malformed JSON", "/item/get", "application/json", `{"access_token": `, "INVALID_BODY", "could not be parsed as JSON"},
		{"not an object", "/item/get", "application/json", `["access_token"]`, "INVALID_BODY", "JSON object"},
		{"null body", "/item/get", "application/json", `null`, "INVALID_BODY", "JSON object"},
		{"empty body", "/item/get", "application/json", ``, "INVALID_BODY", "JSON"},
		{"form content type", "/item/get", "application/x-www-form-urlencoded", `{"access_token":"x"}`, "INVALID_BODY", "Content-Type"},
		{"no content type", "/item/get", "", `{"access_token":"x"}`, "INVALID_BODY", "Content-Type"},
		{"unknown fields", "/link/token/create", "application/json",
			`{"client_name":"a","language":"en","country_codes":["US"],"user":{"client_user_id":"u"},"products":["auth"],"webhoook":"x","countryCodes":["US"]}`,
			"UNKNOWN_FIELDS", "countryCodes, webhoook"},
		{"null required", "/item/get", "application/json", `{"access_token":null}`, "MISSING_FIELDS", "access_token"},
		{"absent required", "/item/get", "application/json", `{}`, "MISSING_FIELDS", "access_token"},
		{"wrong type", "/item/get", "application/json", `{"access_token":42}`, "INVALID_FIELD", "access_token must be a string"},
		{"nested wrong type", "/link/token/create", "application/json",
			`{"client_name":"a","language":"en","country_codes":["US"],"user":{"client_user_id":7},"products":["auth"]}`,
			"INVALID_FIELD", "user.client_user_id"},
		{"wrong secret type", "/item/get", "application/json", `{"secret":5,"access_token":"x"}`, "INVALID_FIELD", "secret"},
		{"count as string", "/institutions/get", "application/json", `{"count":"3","offset":0,"country_codes":["US"]}`, "INVALID_FIELD", "count"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, out := h.post(tc.path, tc.contentType, []byte(tc.body), creds)
			if status != 400 || out["error_code"] != tc.code {
				t.Fatalf("want 400 %s, got %d %v", tc.code, status, out)
			}
			if msg, _ := out["error_message"].(string); !strings.Contains(msg, tc.inMsg) {
				t.Errorf("message %q does not mention %q", msg, tc.inMsg)
			}
			for _, k := range []string{"error_type", "error_code", "error_message", "display_message", "request_id"} {
				if _, ok := out[k]; !ok {
					t.Errorf("error object lacks %s: %v", k, out)
				}
			}
		})
	}

	big := append([]byte(`{"access_token":"`), bytes.Repeat([]byte("a"), maxBodyBytes)...)
	big = append(big, `"}`...)
	if status, out := h.post("/item/get", "application/json", big, creds); status != 400 || out["error_code"] != "INVALID_BODY" {
		t.Errorf("oversized body: %d %v", status, out)
	}
	if status, _ := h.post("/item/get", "application/json; charset=utf-8", []byte(`{"access_token":"x"}`), creds); status != 400 {
		t.Errorf("charset parameter: %d", status)
	}
}

// TestRequestIDsAreFresh: every response, success or error, carries its
// own request_id in Plaid's format.
func TestRequestIDsAreFresh(t *testing.T) {
	h := newHarness(t, Options{})
	seen := map[string]bool{}
	for range 20 {
		lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
		_, out := h.post("/item/get", "application/json", []byte(`{}`), creds)
		for _, id := range []string{lt.GetRequestId(), out["request_id"].(string)} {
			if !requestIDPattern.MatchString(id) || seen[id] {
				t.Fatalf("request_id %q is malformed or repeated", id)
			}
			seen[id] = true
		}
	}
}

func TestItemPublicTokenCreate(t *testing.T) {
	h := newHarness(t, Options{})
	access, itemID := h.newItem("")
	status, out := h.post("/item/public_token/create", "application/json", []byte(`{"access_token":"`+access+`"}`), creds)
	if status != 200 {
		t.Fatalf("%d %v", status, out)
	}
	body, _ := json.Marshal(out)
	checkSchema(t, "/item/public_token/create", status, http.Header{"Content-Type": jsonContentType}, body)
	pub, _ := out["public_token"].(string)
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pub)).Execute()).must(t)
	if ex.GetItemId() != itemID || ex.GetAccessToken() != access {
		t.Errorf("exchange of /item/public_token/create's token: %+v", ex)
	}
	status, out = h.post("/item/public_token/create", "application/json", []byte(`{"access_token":"access-sandbox-gone"}`), creds)
	if status != 400 || out["error_code"] != "INVALID_ACCESS_TOKEN" {
		t.Errorf("%d %v", status, out)
	}
}
