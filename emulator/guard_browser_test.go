package emulator_test

// A hostile web page in real headless Chromium tries to drive the
// emulator's control API: the page is on another loopback origin (another
// port of 127.0.0.1, the same site; and localhost, another site), as any
// page in the developer's browser could be.

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
)

// attackPage fires every cross-origin request a page can make without the
// emulator's consent: no-cors fetches (any body, a CORS-safelisted
// content type), a JSON fetch (needs a preflight) and a form POST.
var attackPage = template.Must(template.New("attack").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>attacker</title></head><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="{{.}}/__emulator/reset" target="sink" enctype="text/plain">
<input name='{"x":"' value='"}'></form>
<script>
window.__notes = {};
function note(k, v) { window.__notes[k] = v; }
var E = {{.}};
fetch(E + '/__emulator/reset', {method: 'POST', mode: 'no-cors'})
  .then(function () { note('reset', 'sent'); }, function (e) { note('reset', 'error ' + e); });
fetch(E + '/__emulator/clock/advance', {method: 'POST', mode: 'no-cors',
  headers: {'Content-Type': 'text/plain'}, body: '{"duration":"5h"}'})
  .then(function () { note('clock', 'sent'); }, function (e) { note('clock', 'error ' + e); });
fetch(E + '/__emulator/tokens/expire', {method: 'POST',
  headers: {'Content-Type': 'application/json'}, body: '{"token":"x"}'})
  .then(function (r) { note('json', 'answered ' + r.status); }, function (e) { note('json', 'blocked'); });
document.getElementById('f').submit();
</script></body></html>`))

// seenRequest is a request the emulator answered.
type seenRequest struct {
	method, path, origin, site string
	status                     int
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

func TestBrowserPageCannotDriveControlAPI(t *testing.T) {
	ctx := headlesstest.NewContext(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)

	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []seenRequest
	emuSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		emu.ServeHTTP(sw, r)
		if r.Method != http.MethodGet {
			mu.Lock()
			seen = append(seen, seenRequest{r.Method, r.URL.Path, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"), sw.status})
			mu.Unlock()
		}
	}))
	t.Cleanup(func() { emuSrv.Close(); _ = emu.Close() })

	// An Item to lose, made as an app would.
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "test-client")
	cfg.AddDefaultHeader("PLAID-SECRET", "test-secret")
	cfg.UseEnvironment(plaid.Environment(emuSrv.URL))
	client := plaid.NewAPIClient(cfg).PlaidApi
	pt, _, err := client.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute(); err != nil {
		t.Fatal(err)
	}

	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = attackPage.Execute(w, emuSrv.URL)
	}))
	t.Cleanup(page.Close)
	_, pagePort, _ := strings.Cut(strings.TrimPrefix(page.URL, "http://"), ":")

	for _, pageURL := range []string{page.URL, "http://localhost:" + pagePort} { // same-site, then cross-site
		mu.Lock()
		seen = nil
		mu.Unlock()
		if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
			t.Fatalf("opening %s: %v", pageURL, err)
		}
		// Wait for the page to have sent everything: two resets (fetch and
		// form), a clock advance and the JSON fetch's preflight.
		want := map[string]int{"POST /__emulator/reset": 2, "POST /__emulator/clock/advance": 1, "OPTIONS /__emulator/tokens/expire": 1}
		var got []seenRequest
		for {
			mu.Lock()
			got = append(got[:0], seen...)
			mu.Unlock()
			counts := map[string]int{}
			for _, s := range got {
				counts[s.method+" "+s.path]++
			}
			notes, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(window.__notes || {})`))
			done := strings.Contains(notes, `"json":"blocked"`)
			for k, n := range want {
				done = done && counts[k] >= n
			}
			if done {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s: the page's requests did not all arrive: emulator saw %+v; page notes %s", pageURL, got, notes)
			case <-time.After(50 * time.Millisecond):
			}
		}
		for _, s := range got {
			if s.status < 400 {
				t.Errorf("%s: %s %s (Origin %s, Sec-Fetch-Site %s) was answered %d", pageURL, s.method, s.path, s.origin, s.site, s.status)
			}
			if s.status != http.StatusForbidden {
				t.Errorf("%s: %s %s: %d, want 403 (cross-origin)", pageURL, s.method, s.path, s.status)
			}
		}
		t.Logf("%s: refused %d requests, e.g. Origin %s, Sec-Fetch-Site %s", pageURL, len(got), got[0].origin, got[0].site)
	}

	// The Item and the clock are untouched.
	var items struct {
		Items []json.RawMessage `json:"items"`
	}
	var clock struct {
		OffsetSeconds float64 `json:"offset_seconds"`
	}
	for path, v := range map[string]any{"/__emulator/items": &items, "/__emulator/clock": &clock} {
		resp, err := http.Get(emuSrv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(v)
		resp.Body.Close()
		if err != nil {
			t.Fatal(fmt.Errorf("%s: %w", path, err))
		}
	}
	if len(items.Items) != 1 || clock.OffsetSeconds != 0 {
		t.Fatalf("the page changed the emulator: %d Items (want 1), clock offset %vs (want 0)", len(items.Items), clock.OffsetSeconds)
	}
}
