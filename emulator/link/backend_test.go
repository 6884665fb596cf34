package link

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// testBackend is a small in-memory Backend for the handler's unit tests.
type testBackend struct {
	mu       sync.Mutex
	n        int
	tokens   map[string]TokenInfo
	dead     map[string]bool
	created  []NewItem
	repaired []string
	items    map[string][]ItemAccount
}

func newTestBackend() *testBackend {
	return &testBackend{tokens: map[string]TokenInfo{}, dead: map[string]bool{}, items: map[string][]ItemAccount{}}
}

func (b *testBackend) Now() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) }

func (b *testBackend) NewRequestID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	return fmt.Sprintf("Req%012d", b.n)
}

func (b *testBackend) LinkToken(token string) (TokenInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	info, ok := b.tokens[token]
	if !ok || b.dead[token] {
		return TokenInfo{}, sandbox.NewError("INVALID_LINK_TOKEN", "")
	}
	return info, nil
}

func (b *testBackend) InvalidateLinkToken(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dead[token] = true
}

func (b *testBackend) CreateItem(it NewItem) (CreatedItem, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.created = append(b.created, it)
	c := CreatedItem{ItemID: fmt.Sprintf("item%d", len(b.created)), PublicToken: "public-sandbox-00000000-0000-4000-8000-00000000abcd"}
	for i := range it.Accounts {
		c.AccountIDs = append(c.AccountIDs, fmt.Sprintf("acct%d", i))
	}
	return c, nil
}

func (b *testBackend) RepairItem(itemID string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.items[itemID]; !ok {
		return "", sandbox.NewError("ITEM_NOT_FOUND", "")
	}
	b.repaired = append(b.repaired, itemID)
	return "public-sandbox-11111111-0000-4000-8000-00000000ef01", nil
}

func (b *testBackend) ItemAccounts(itemID string) ([]ItemAccount, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.items[itemID]
	if !ok {
		return nil, sandbox.NewError("ITEM_NOT_FOUND", "")
	}
	return a, nil
}

func (b *testBackend) NewAccounts(itemID string) ([]ItemAccount, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.items[itemID]; !ok {
		return nil, sandbox.NewError("ITEM_NOT_FOUND", "")
	}
	return nil, nil
}

func (b *testBackend) ShareAccounts(itemID string, ids []string) (map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for _, id := range ids {
		out[id] = id
	}
	return out, nil
}

const (
	tokNew    = "link-sandbox-aaaaaaaa-0000-4000-8000-000000000001"
	tokAuth   = "link-sandbox-aaaaaaaa-0000-4000-8000-000000000002"
	tokUpdate = "link-sandbox-aaaaaaaa-0000-4000-8000-000000000003"
	tokGB     = "link-sandbox-aaaaaaaa-0000-4000-8000-000000000004"
)

// fixture is a handler over a testBackend with a few tokens.
func fixture(t *testing.T) (*Handler, *testBackend) {
	t.Helper()
	b := newTestBackend()
	b.tokens[tokNew] = TokenInfo{Token: tokNew, ClientName: "Plaid Quickstart", Products: []string{"transactions"}, CountryCodes: []string{"US"}}
	b.tokens[tokAuth] = TokenInfo{Token: tokAuth, ClientName: "Auth App", Products: []string{"auth"}, CountryCodes: []string{"US"}}
	b.tokens[tokGB] = TokenInfo{Token: tokGB, ClientName: "UK App", Products: []string{"transactions"}, CountryCodes: []string{"GB"}}
	b.tokens[tokUpdate] = TokenInfo{Token: tokUpdate, ClientName: "Plaid Quickstart", CountryCodes: []string{"US"},
		UpdateMode: true, ItemID: "itemU", InstitutionID: "ins_109508"}
	b.items["itemU"] = []ItemAccount{
		{ID: "accU1", Name: "Plaid Checking", Mask: "0000", Type: "depository", Subtype: "checking"},
		{ID: "accU2", Name: "Plaid Saving", Mask: "1111", Type: "depository", Subtype: "savings"},
	}
	return New(b, Options{}), b
}

// result is a decoded JSON response.
type result struct {
	status int
	body   map[string]any
	raw    string
}

func (r result) str(path ...string) string {
	v, _ := r.get(path...).(string)
	return v
}

func (r result) get(path ...string) any {
	var v any = r.body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// do sends a request to the handler.
func do(t *testing.T, h http.Handler, method, path, contentType, body string, header ...string) result {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := result{status: rec.Code, raw: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.body); err != nil {
			t.Fatalf("%s %s: response is not JSON: %v\n%s", method, path, err, rec.Body)
		}
	}
	return res
}

// post sends v as JSON.
func post(t *testing.T, h http.Handler, path string, v any) result {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return do(t, h, http.MethodPost, path, "application/json", buf.String())
}

// mustOK fails the test unless r is a 200 with a request_id.
func mustOK(t *testing.T, what string, r result) result {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d, want 200: %s", what, r.status, r.raw)
	}
	if r.str("request_id") == "" {
		t.Fatalf("%s: no request_id in %s", what, r.raw)
	}
	return r
}

// open starts a session and returns its id.
func open(t *testing.T, h http.Handler, token string) (string, result) {
	t.Helper()
	r := mustOK(t, "start", post(t, h, "/__link/session", map[string]any{"link_token": token}))
	return r.str("link_session_id"), r
}

// sess is shorthand for a body with link_session_id and more fields.
func sess(id string, kv ...any) map[string]any {
	m := map[string]any{"link_session_id": id}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// httpGet is a GET request and a recorder for it.
func httpGet(path string) (*http.Request, *httptest.ResponseRecorder) {
	return httptest.NewRequest(http.MethodGet, path, nil), httptest.NewRecorder()
}
