package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestControlHealthAndClock(t *testing.T) {
	real := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, Options{Now: func() time.Time { return real }})
	status, out := h.control("GET", "/__emulator/health", nil)
	if status != 200 || out["ok"] != true || out["now"] != "2024-03-01T12:00:00Z" {
		t.Errorf("health: %d %v", status, out)
	}
	_, out = h.control("POST", "/__emulator/clock/advance", map[string]any{"seconds": 90})
	if out["now"] != "2024-03-01T12:01:30Z" || out["offset_seconds"] != float64(90) {
		t.Errorf("advance 90s: %v", out)
	}
	_, out = h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "4h"})
	if out["now"] != "2024-03-01T16:01:30Z" {
		t.Errorf("advance 4h: %v", out)
	}
	_, out = h.control("GET", "/__emulator/clock", nil)
	if out["offset_seconds"] != float64(4*3600+90) {
		t.Errorf("clock: %v", out)
	}
	for _, body := range []any{
		map[string]any{"seconds": -5},
		map[string]any{"duration": "soon"},
		map[string]any{"seconds": 1, "duration": "1h"},
		map[string]any{},
		map[string]any{"minutes": 3},
		map[string]any{"seconds": 1e300},
		map[string]any{"duration": "876000h"},
	} {
		if status, out := h.control("POST", "/__emulator/clock/advance", body); status != 400 || out["error_type"] == nil {
			t.Errorf("advance %v: %d %v", body, status, out)
		}
	}
}

func TestControlExpireTokens(t *testing.T) {
	h := newHarness(t, Options{})
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	status, out := h.control("POST", "/__emulator/tokens/expire", map[string]any{"token": lt.GetLinkToken()})
	if status != 200 || out["kind"] != "link_token" || out["expired_at"] == nil {
		t.Fatalf("expire link_token: %d %v", status, out)
	}
	if masked := out["token"].(string); masked == lt.GetLinkToken() || !strings.HasPrefix(masked, "link-sandbox-…") {
		t.Errorf("token not masked: %q", masked)
	}
	_, _, err := h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()
	wantPlaidError(t, err, "INVALID_LINK_TOKEN")

	lt2 := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	h.control("POST", "/__emulator/tokens/expire", map[string]any{"token": lt2.GetLinkToken(), "reason": "invalidate"})
	if _, err := h.emu.LinkToken(lt2.GetLinkToken()); err == nil || !strings.Contains(err.Error(), "invalidated") {
		t.Errorf("invalidated token: %v", err)
	}

	for _, reason := range []string{"expire", "invalidate"} {
		pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(
			*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})).Execute()).must(t)
		status, out := h.control("POST", "/__emulator/tokens/expire", map[string]any{"token": pt.GetPublicToken(), "reason": reason})
		if status != 200 || out["kind"] != "public_token" {
			t.Fatalf("%s public_token: %d %v", reason, status, out)
		}
		_, _, err := h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
		wantPlaidError(t, err, "INVALID_PUBLIC_TOKEN")
	}

	status, out = h.control("POST", "/__emulator/tokens/expire", map[string]any{"token": "link-sandbox-00000000-0000-4000-8000-000000000000"})
	if status != http.StatusNotFound || out["error_code"] != "NOT_FOUND" || out["request_id"] == nil {
		t.Errorf("unknown token: %d %v", status, out)
	}
	if status, _ := h.control("POST", "/__emulator/tokens/expire", map[string]any{"token": lt.GetLinkToken(), "reason": "later"}); status != 400 {
		t.Errorf("bad reason: %d", status)
	}
}

func TestControlRequestLog(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("")
	res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	h.post("/item/get", "application/json", []byte(`{"access_token":"nope","secret":"body-secret-abcdefgh"}`), creds)
	h.control("GET", "/__emulator/health", nil) // not a Plaid request

	_, out := h.control("GET", "/__emulator/requests", nil)
	reqs := out["requests"].([]any)
	if len(reqs) != 4 || out["next_since"] != float64(4) {
		t.Fatalf("want 4 requests, got %d: %v", len(reqs), out)
	}
	paths := []string{"/sandbox/public_token/create", "/item/public_token/exchange", "/link/token/create", "/item/get"}
	for i, r := range reqs {
		e := r.(map[string]any)
		if e["path"] != paths[i] || e["seq"] != float64(i+1) || e["method"] != "POST" {
			t.Errorf("request %d: %v", i, e)
		}
	}
	failed := reqs[3].(map[string]any)
	if failed["status"] != float64(400) || failed["error_code"] != "INVALID_ACCESS_TOKEN" || failed["error_type"] != "INVALID_INPUT" ||
		failed["client_id"] != "raw-client" || !requestIDPattern.MatchString(failed["request_id"].(string)) {
		t.Errorf("failed request: %v", failed)
	}
	if ua := reqs[2].(map[string]any)["user_agent"]; !strings.HasPrefix(ua.(string), "Plaid Go") {
		t.Errorf("user_agent %v", ua)
	}

	_, out = h.control("GET", "/__emulator/requests?since=2&limit=1", nil)
	if rs := out["requests"].([]any); len(rs) != 1 || rs[0].(map[string]any)["seq"] != float64(3) || out["next_since"] != float64(3) {
		t.Errorf("since=2&limit=1: %v", out)
	}
	_, out = h.control("GET", "/__emulator/requests?path=/link/token/create", nil)
	if rs := out["requests"].([]any); len(rs) != 1 || out["next_since"] != float64(4) {
		t.Errorf("path filter: %v", out)
	}
	// bodies=true carries the masked bodies in the page, and more says
	// whether a next page waits; not_client_id leaves out one app's calls.
	_, out = h.control("GET", "/__emulator/requests?since=1&limit=2&bodies=true", nil)
	if rs := out["requests"].([]any); len(rs) != 2 || out["next_since"] != float64(3) || out["more"] != true {
		t.Fatalf("bodies=true&limit=2: %v", out)
	} else if resp := rs[0].(map[string]any)["response_body"].(map[string]any); resp["access_token"] == access ||
		!strings.HasPrefix(resp["access_token"].(string), "access-sandbox-…") {
		t.Errorf("bodies=true exchange response %v", resp)
	}
	_, out = h.control("GET", "/__emulator/requests?bodies=true&not_client_id=raw-client", nil)
	if rs := out["requests"].([]any); len(rs) != 3 || out["next_since"] != float64(4) || out["more"] != false {
		t.Errorf("not_client_id: %v", out)
	} else if s := fmt.Sprint(rs); strings.Contains(s, "raw-client") {
		t.Errorf("not_client_id kept raw-client's request: %s", s)
	}
	for _, q := range []string{"since=-1", "limit=0", "limit=5000", "since=x", "bodies=maybe"} {
		if status, _ := h.control("GET", "/__emulator/requests?"+q, nil); status != 400 {
			t.Errorf("%s: %d", q, status)
		}
	}

	// Bodies are shown with secrets and tokens masked.
	_, ex := h.control("GET", "/__emulator/requests/2", nil)
	resp := ex["response_body"].(map[string]any)
	req := ex["request_body"].(map[string]any)
	if resp["access_token"] == access || !strings.HasPrefix(resp["access_token"].(string), "access-sandbox-…") ||
		resp["access_token"].(string)[len("access-sandbox-…"):] != access[len(access)-4:] {
		t.Errorf("exchange response access_token %v", resp["access_token"])
	}
	if pt := req["public_token"].(string); !strings.HasPrefix(pt, "public-sandbox-…") || len(pt) > len("public-sandbox-…")+4 {
		t.Errorf("exchange request public_token %q", pt)
	}
	_, lt := h.control("GET", "/__emulator/requests/3", nil)
	body := lt["request_body"].(map[string]any)
	if body["client_name"] != "Plaid Quickstart" || body["user"].(map[string]any)["client_user_id"] != "user-1" {
		t.Errorf("link/token/create request body %v", body)
	}
	_, bad := h.control("GET", "/__emulator/requests/4", nil)
	if s := fmt.Sprint(bad["request_body"]); strings.Contains(s, "body-secret-abcdefgh") {
		t.Errorf("secret leaked: %s", s)
	}
	if status, _ := h.control("GET", "/__emulator/requests/999", nil); status != http.StatusNotFound {
		t.Errorf("unknown seq: %d", status)
	}
}

func TestRequestLogRingAndBudget(t *testing.T) {
	l := newRequestLog(3, 100)
	for i := range 5 {
		l.add(requestEntry{Path: fmt.Sprint("/p", i)}, []byte(`{"a":"`+strings.Repeat("x", 30)+`"}`), nil)
	}
	got, next, _ := l.list(listQuery{limit: 10})
	if len(got) != 3 || got[0].Seq != 3 || next != 5 {
		t.Fatalf("ring: %d entries from seq %d, next %d", len(got), got[0].Seq, next)
	}
	if _, ok := l.get(2); ok {
		t.Error("seq 2 should have been overwritten")
	}
	if e, _ := l.get(3); e.reqBody != nil {
		t.Error("oldest body should have been dropped for the byte budget")
	}
	if e, _ := l.get(5); e.reqBody == nil {
		t.Error("newest body dropped")
	}
	// With bodies, a page stops at its byte bound, but holds one entry
	// at least.
	if got, next, more := l.list(listQuery{limit: 10, bodies: true, maxBodyBytes: 1}); len(got) != 1 || next != 3 || !more {
		t.Errorf("byte-bounded page: %d entries, next %d, more %v", len(got), next, more)
	}
	l.clear()
	if got, next, _ := l.list(listQuery{limit: 10}); len(got) != 0 || next != 5 {
		t.Errorf("after clear: %d entries, next %d", len(got), next)
	}
	l.add(requestEntry{}, nil, nil)
	if got, _, _ := l.list(listQuery{limit: 10}); len(got) != 1 || got[0].Seq != 6 {
		t.Errorf("after clear, seqs continue: %+v", got)
	}
}

func TestControlItemsAndReset(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, itemID := h.newItem(recv.url("/hook"))
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	recv.next(t)
	_, out := h.control("GET", "/__emulator/items", nil)
	items := out["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("items: %v", out)
	}
	it := items[0].(map[string]any)
	if it["item_id"] != itemID || it["status"] != "ITEM_LOGIN_REQUIRED" || it["institution_id"] != "ins_109508" ||
		it["webhook"] != recv.url("/hook") || it["accounts"] != float64(12) || len(it["products"].([]any)) != 3 {
		t.Errorf("item summary %v", it)
	}
	if tok := it["access_token"].(string); tok == access || !strings.HasPrefix(tok, "access-sandbox-…") {
		t.Errorf("access_token not masked: %q", tok)
	}
	waitDeliveries(t, h, 1)
	h.control("POST", "/__emulator/clock/advance", map[string]any{"seconds": 60})

	status, out := h.control("POST", "/__emulator/reset", nil)
	if status != 200 || out["ok"] != true {
		t.Fatalf("reset: %d %v", status, out)
	}
	_, out = h.control("GET", "/__emulator/items", nil)
	if len(out["items"].([]any)) != 0 {
		t.Errorf("items after reset: %v", out)
	}
	_, out = h.control("GET", "/__emulator/requests", nil)
	if len(out["requests"].([]any)) != 0 {
		t.Errorf("requests after reset: %v", out)
	}
	_, out = h.control("GET", "/__emulator/webhooks", nil)
	if len(out["deliveries"].([]any)) != 0 {
		t.Errorf("deliveries after reset: %v", out)
	}
	_, out = h.control("GET", "/__emulator/clock", nil)
	if out["offset_seconds"] != float64(0) {
		t.Errorf("clock after reset: %v", out)
	}
	_, _, err := h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	if status, out := h.control("GET", "/__emulator/reset", nil); status != http.StatusNotFound || out["error_code"] != "NOT_FOUND" {
		t.Errorf("GET reset: %d %v", status, out)
	}
}

// TestLinkPathsGoToLink: the emulated Link's paths reach its handler,
// while /link/token/* stay Plaid endpoints.
func TestLinkPathsGoToLink(t *testing.T) {
	h := newHarness(t, Options{})
	resp, err := http.Get(h.srv.URL + "/link/v2/stable/link-initialize.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("link-initialize.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	_, out := h.control("GET", "/__emulator/requests", nil)
	if len(out["requests"].([]any)) != 0 {
		t.Errorf("Link SDK requests are not Plaid API requests: %v", out)
	}
}
