package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/plaidspec/synth"
)

// schemaFixture is what minimal requests need from a live emulator: an
// Item, tokens and a place for webhooks to go.
type schemaFixture struct {
	h        *harness
	access   string
	itemID   string
	webhook  string
	accounts []string
}

func newSchemaFixture(t *testing.T) *schemaFixture {
	t.Helper()
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(sink.Close)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(sink.URL + "/hook")
	f := &schemaFixture{h: h, access: access, itemID: itemID, webhook: sink.URL + "/hook"}
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	for _, a := range accounts.Accounts {
		f.accounts = append(f.accounts, a.AccountId)
	}
	return f
}

// override gives the values a minimal request needs to reach a success on
// a stateful endpoint: live tokens and ids, a webhook on loopback.
func (f *schemaFixture) override(t *testing.T) func(string, *openapi3.Schema) (any, bool) {
	return func(name string, s *openapi3.Schema) (any, bool) {
		switch name {
		case "client_id", "secret":
			return nil, false
		case "access_token":
			return f.access, true
		case "public_token":
			pt := res(f.h.client.SandboxPublicTokenCreate(f.h.ctx).SandboxPublicTokenCreateRequest(
				*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()).must(t)
			return pt.GetPublicToken(), true
		case "link_token":
			lt := res(f.h.client.LinkTokenCreate(f.h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
			return lt.GetLinkToken(), true
		case "institution_id":
			return "ins_109508", true
		case "webhook":
			return f.webhook, true
		case "account_id":
			return f.accounts[0], true
		case "client_user_id":
			return "user-1", true
		case "country_codes":
			return []any{"US"}, true
		case "products", "initial_products":
			return []any{"transactions"}, true
		case "language":
			return "en", true
		case "key_id":
			return f.h.emu.whKey.kid, true
		}
		return nil, false
	}
}

// minimalRequest is a valid request for op with only its required
// fields, built from the schema.
func (f *schemaFixture) minimalRequest(t *testing.T, op *openapi3.Operation) map[string]any {
	s := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	body, ok := synth.Value(s, synth.Options{Override: f.override(t)}).(map[string]any)
	if !ok {
		t.Fatalf("the request schema is not an object")
	}
	delete(body, "client_id")
	delete(body, "secret")
	for k, v := range f.extras()[f.path(op)] {
		body[k] = v
	}
	return body
}

// extras are optional fields some stateful endpoints need for a success:
// products outside update mode, and a webhook kept on the Item.
func (f *schemaFixture) extras() map[string]map[string]any {
	return map[string]map[string]any{
		"/link/token/create":   {"products": []any{"transactions"}},
		"/item/webhook/update": {"webhook": f.webhook},
	}
}

// path finds op's path in the schema.
func (f *schemaFixture) path(op *openapi3.Operation) string {
	doc := loadSpec(f.h.t)
	for p, item := range doc.Paths.Map() {
		if item.Post == op {
			return p
		}
	}
	return ""
}

// send posts body to path with credential headers and returns the
// status, headers and body.
func (f *schemaFixture) send(t *testing.T, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, f.h.srv.URL+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range creds {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// TestEveryOperation sends every operation in Plaid's schema a minimal
// valid request built from the schema and validates the answer against the
// operation's response schema; stateful endpoints say so in
// Plaid-Emulator-Fidelity, the others answer with the schema's example.
func TestEveryOperation(t *testing.T) {
	doc := requireSpec(t)
	f := newSchemaFixture(t)
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	var ops int
	for _, path := range paths {
		item := doc.Paths.Value(path)
		if item == nil || item.Post == nil {
			continue
		}
		ops++
		if path == "/item/remove" || path == "/item/access_token/invalidate" || path == "/sandbox/item/reset_login" {
			continue // they end or break the fixture's Item: sent last, below
		}
		if path == "/sandbox/item/set_verification_status" {
			// Only an Automated Micro-deposits account can be verified.
			saved := *f
			f.access = f.h.newMicroDepositItem("ins_109512", "", plaid.PRODUCTS_AUTH)
			_, accounts := f.h.accountStatuses(f.access)
			f.accounts = []string{accounts[0].AccountId}
			checkOperation(t, f, path, item.Post)
			*f = saved
			continue
		}
		checkOperation(t, f, path, item.Post)
	}
	for _, path := range []string{"/sandbox/item/reset_login", "/item/access_token/invalidate"} {
		checkOperation(t, f, path, doc.Paths.Value(path).Post)
	}
	f.access, _ = f.h.newItem(f.webhook)
	checkOperation(t, f, "/item/remove", doc.Paths.Value("/item/remove").Post)
	if ops != 251 {
		t.Errorf("the schema has %d operations; the emulator was built for 251", ops)
	}
}

func checkOperation(t *testing.T, f *schemaFixture, path string, op *openapi3.Operation) {
	t.Helper()
	body := f.minimalRequest(t, op)
	status, hdr, out := f.send(t, path, body)
	_, stateful := apiRoutes[path]
	want := fidelityExample
	if stateful {
		want = fidelityStateful
	}
	if got := hdr.Get(fidelityHeader); got != want {
		t.Errorf("%s: %s %q, want %q", path, fidelityHeader, got, want)
	}
	if status != http.StatusOK {
		if reason, ok := needsPriorState[path]; ok {
			checkStateError(t, path, reason, status, hdr, out)
			return
		}
		reqJSON, _ := json.Marshal(body)
		t.Errorf("%s: %d %s\nrequest: %s", path, status, out, reqJSON)
		return
	}
	ctype := hdr.Get("Content-Type")
	switch {
	case strings.HasPrefix(ctype, "application/json"):
		checkSchema(t, path, status, hdr, out)
		var m map[string]any
		if json.Unmarshal(out, &m) == nil {
			if id, ok := m["request_id"].(string); ok && !requestIDPattern.MatchString(id) {
				t.Errorf("%s: request_id %q is not a fresh Plaid-format id", path, id)
			}
		}
	case ctype == "application/pdf":
		if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out, []byte("%%EOF")) {
			t.Errorf("%s: not a PDF: %.40q", path, out)
		}
	case ctype == "application/zip":
		if !bytes.HasPrefix(out, []byte("PK")) {
			t.Errorf("%s: not a ZIP: %.40q", path, out)
		}
	case ctype == "" && len(out) == 0:
		// an empty 200, as the schema says
	default:
		t.Errorf("%s: unexpected Content-Type %q", path, ctype)
	}
}

// needsPriorState are the stateful operations whose minimal request,
// built from the schema alone, names objects the emulator cannot know (the
// schema's placeholder ids: an asset report, a transfer, a recipient…) or
// an Item created with a product chosen at Link (Assets, Statements,
// Income), or values the schema types only as strings (an amount, an ACH
// return code). Plaid refuses such requests too; here they must answer
// with a Plaid error of the expected code, valid against the schema. Each
// endpoint's success path is tested through plaid-go with real state (see
// the product tests and TestOpenAPIEveryEndpoint).
var needsPriorState = map[string]string{
	"/asset_report/create":                 "INVALID_FIELD",
	"/asset_report/get":                    "MISSING_FIELDS",
	"/asset_report/pdf/get":                "INVALID_FIELD",
	"/asset_report/refresh":                "INVALID_FIELD",
	"/asset_report/remove":                 "INVALID_FIELD",
	"/income/verification/paystubs/get":    "INVALID_FIELD",
	"/payment_initiation/payment/create":   "INVALID_FIELD",
	"/payment_initiation/payment/get":      "INVALID_FIELD",
	"/payment_initiation/recipient/create": "INVALID_FIELD",
	"/payment_initiation/recipient/get":    "INVALID_FIELD",
	"/sandbox/oauth/select_accounts":       "INVALID_FIELD",
	"/sandbox/transfer/simulate":           "INVALID_FIELD",
	"/signal/decision/report":              "INVALID_FIELD",
	"/signal/return/report":                "INVALID_FIELD",
	"/statements/download":                 "PRODUCT_NOT_ENABLED",
	"/statements/list":                     "PRODUCT_NOT_ENABLED",
	"/statements/refresh":                  "INVALID_FIELD",
	"/transactions/recurring/get":          "INVALID_FIELD",
	"/transfer/authorization/create":       "INVALID_FIELD",
	"/transfer/cancel":                     "INVALID_FIELD",
	"/transfer/create":                     "INVALID_FIELD",
	"/transfer/get":                        "INVALID_FIELD",
}

// checkStateError checks the refusal of a request that needs prior state:
// a 400 in Plaid's error shape (the schema describes only success answers
// for these operations), with the code
// the state calls for and a message saying what to do.
func checkStateError(t *testing.T, path, code string, status int, hdr http.Header, out []byte) {
	t.Helper()
	var e struct {
		ErrorType    string `json:"error_type"`
		ErrorCode    string `json:"error_code"`
		ErrorMessage string `json:"error_message"`
		RequestID    string `json:"request_id"`
	}
	if err := json.Unmarshal(out, &e); err != nil || status != http.StatusBadRequest {
		t.Errorf("%s: %d %s, want a 400 Plaid error", path, status, out)
		return
	}
	if e.ErrorCode != code || e.ErrorMessage == "" || !requestIDPattern.MatchString(e.RequestID) {
		t.Errorf("%s: %s %q (request_id %q), want %s with a message", path, e.ErrorCode, e.ErrorMessage, e.RequestID, code)
	}
	if e.ErrorType != "INVALID_REQUEST" && e.ErrorType != "ITEM_ERROR" {
		t.Errorf("%s: error_type %q", path, e.ErrorType)
	}
	if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Errorf("%s: Content-Type %q", path, hdr.Get("Content-Type"))
	}
}

// badCase is a request the schema refuses, with the error and the dotted
// path Plaid's message must name.
type badCase struct {
	name, code, field string
	body              map[string]any
}

// badRequests derives, from op's schema: an unknown field nested as deep
// as the schema allows (top level if it has no object field), a missing
// required field, and a field of the wrong type.
func badRequests(t *testing.T, f *schemaFixture, op *openapi3.Operation) []badCase {
	s := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	var cases []badCase

	// Unknown nested field.
	body := f.minimalRequest(t, op)
	parent, prefix := body, ""
	props, _ := synth.Flatten(s)
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := props[name]
		if name == "client_id" || name == "secret" || synth.TypeOf(p) != "object" || len(p.OneOf)+len(p.AnyOf) > 0 {
			continue
		}
		pp, _ := synth.Flatten(p)
		if len(pp) == 0 {
			continue // a free-form object takes any field
		}
		child, ok := synth.Value(p, synth.Options{Override: f.override(t)}).(map[string]any)
		if !ok {
			continue
		}
		body[name] = child
		parent, prefix = child, name+"."
		break
	}
	parent["zz_unknown_field"] = true
	cases = append(cases, badCase{"unknown nested field", "UNKNOWN_FIELDS", prefix + "zz_unknown_field", body})

	// Missing required field.
	_, required := synth.Flatten(s)
	for _, name := range required {
		if name == "client_id" || name == "secret" {
			continue
		}
		body := f.minimalRequest(t, op)
		delete(body, name)
		cases = append(cases, badCase{"missing required field", "MISSING_FIELDS", name, body})
		break
	}

	// Wrong type.
	names := append(slices.Clone(required), slices.Sorted(maps.Keys(props))...)
	for _, name := range names {
		p, ok := props[name]
		if !ok || name == "client_id" || name == "secret" || len(p.OneOf)+len(p.AnyOf) > 0 {
			continue
		}
		var wrong any
		switch synth.TypeOf(p) {
		case "string":
			wrong = 12345
		case "integer", "number", "boolean", "array", "object":
			wrong = "not-the-right-type"
		default:
			continue
		}
		body := f.minimalRequest(t, op)
		body[name] = wrong
		cases = append(cases, badCase{"wrong type", "INVALID_FIELD", name, body})
		break
	}
	return cases
}

// TestEveryOperationRefusesBadRequests sends every operation an unknown
// nested field, a missing required field and a field of the wrong type,
// and expects Plaid's error code naming the field's dotted path.
func TestEveryOperationRefusesBadRequests(t *testing.T) {
	doc := requireSpec(t)
	f := newSchemaFixture(t)
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	counts := map[string]int{}
	for _, path := range paths {
		item := doc.Paths.Value(path)
		if item == nil || item.Post == nil {
			continue
		}
		for _, bc := range badRequests(t, f, item.Post) {
			counts[bc.name]++
			status, _, out := f.send(t, path, bc.body)
			var e struct {
				Code, Type, Message, RequestID string
			}
			var raw map[string]any
			if err := json.Unmarshal(out, &raw); err != nil {
				t.Errorf("%s %s: not JSON: %s", path, bc.name, out)
				continue
			}
			e.Code, _ = raw["error_code"].(string)
			e.Type, _ = raw["error_type"].(string)
			e.Message, _ = raw["error_message"].(string)
			e.RequestID, _ = raw["request_id"].(string)
			wantCode := bc.code
			if bc.code == "INVALID_FIELD" && e.Code == "INVALID_PRODUCT" {
				wantCode = "INVALID_PRODUCT" // product lists: Plaid's own code
			}
			if status != http.StatusBadRequest || e.Code != wantCode || e.Type != "INVALID_REQUEST" && wantCode != "INVALID_PRODUCT" {
				t.Errorf("%s %s: %d %s, want 400 INVALID_REQUEST %s", path, bc.name, status, out, bc.code)
				continue
			}
			if !strings.Contains(e.Message, bc.field) {
				t.Errorf("%s %s: message %q does not name %s", path, bc.name, e.Message, bc.field)
			}
			if !requestIDPattern.MatchString(e.RequestID) {
				t.Errorf("%s %s: request_id %q", path, bc.name, e.RequestID)
			}
		}
	}
	t.Logf("bad requests sent: %v", counts)
	if counts["unknown nested field"] != 251 || counts["wrong type"] < 200 || counts["missing required field"] < 200 {
		t.Errorf("too few bad requests derived from the schema: %v", counts)
	}
}

// TestOrderOfChecks: with several problems in one body, Plaid reports the
// first in its order: the body, credentials, unknown fields, missing
// fields, then invalid ones.
func TestOrderOfChecks(t *testing.T) {
	h := newHarness(t, Options{ClientID: "order-client", Secret: "order-secret"})
	good := map[string]string{"PLAID-CLIENT-ID": "order-client", "PLAID-SECRET": "order-secret"}
	for _, tc := range []struct {
		name, body, code, mention string
		headers                   map[string]string
	}{
		{"syntax first", `{"options": {"count": }`, "INVALID_BODY", "", map[string]string{}},
		{"credentials before fields", `{"options":{"cuont":1},"access_token":7}`, "MISSING_FIELDS", "client_id", map[string]string{}},
		{"wrong secret before fields", `{"options":{"cuont":1}}`, "INVALID_API_KEYS", "", map[string]string{"PLAID-CLIENT-ID": "order-client", "PLAID-SECRET": "nope"}},
		{"unknown before missing and invalid", `{"options":{"cuont":1,"count":"x"},"start_date":"2024-13-01"}`, "UNKNOWN_FIELDS", "options.cuont", good},
		{"missing before invalid", `{"options":{"count":"x"},"start_date":"2024-01-01","end_date":"2024-02-01"}`, "MISSING_FIELDS", "access_token", good},
		{"invalid type", `{"access_token":"a","options":{"count":"x"},"start_date":"2024-01-01","end_date":"2024-02-01"}`, "INVALID_FIELD", "options.count", good},
		{"invalid range", `{"access_token":"a","options":{"count":501},"start_date":"2024-01-01","end_date":"2024-02-01"}`, "INVALID_FIELD", "options.count must be at most 500", good},
		{"invalid format", `{"access_token":"a","start_date":"01/02/2024","end_date":"2024-02-01"}`, "INVALID_FIELD", "start_date must be a date", good},
		{"invalid enum", `{"access_token":"a","webhook_code":"NOPE"}`, "INVALID_FIELD", "webhook_code must be one of", good},
		{"fields before the token", `{"access_token":"access-sandbox-nope","start_date":"2024-01-01","end_date":"2024-02-01","options":{"count":0}}`, "INVALID_FIELD", "options.count must be at least 1", good},
		{"then the token", `{"access_token":"access-sandbox-nope","start_date":"2024-01-01","end_date":"2024-02-01"}`, "INVALID_ACCESS_TOKEN", "", good},
	} {
		path := "/transactions/get"
		if strings.Contains(tc.body, "webhook_code") {
			path = "/sandbox/item/fire_webhook"
		}
		status, out := h.post(path, "application/json", []byte(tc.body), tc.headers)
		msg, _ := out["error_message"].(string)
		if status == 200 || out["error_code"] != tc.code || !strings.Contains(msg, tc.mention) {
			t.Errorf("%s: %d %v %q, want %s mentioning %q", tc.name, status, out["error_code"], msg, tc.code, tc.mention)
		}
	}
}
