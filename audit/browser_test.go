package audit

// The fixture apps' real pages in headless Chromium against the emulated
// Link: the migrated page recovers from INVALID_LINK_TOKEN with one Link
// iframe, the half-migrated one stacks a second iframe, as the static
// audit says; and the emulator's records are the manual check's evidence.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
)

// fixtureApp serves a fixture app's public/ pages, with Link's script
// loaded from the emulator instead of cdn.plaid.com, and a backend for its
// routes that talks to the emulator through plaid-go. Every link_token it
// hands out arms the autopilot: the first one logs in as user_custom with
// force_error INVALID_LINK_TOKEN, the next ones as user_good.
func fixtureApp(t *testing.T, app, emuURL string, ctl *flows.Control) string {
	t.Helper()
	public := filepath.Join("testdata", app, "public")
	client := plaidClient(emuURL)
	var mu sync.Mutex
	tokens := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page, err := os.ReadFile(filepath.Join(public, "index.html"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.ReplaceAll(string(page), "https://cdn.plaid.com", emuURL)))
	})
	mux.Handle("GET /", http.FileServer(http.Dir(public)))
	mux.HandleFunc("POST /api/create_link_token", func(w http.ResponseWriter, r *http.Request) {
		resp, _, err := client.LinkTokenCreate(r.Context()).LinkTokenCreateRequest(goodRequest()).Execute()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		mu.Lock()
		tokens++
		pilot := flows.Autopilot{LinkToken: resp.GetLinkToken(), Username: "user_good", Password: "pass_good"}
		if tokens == 1 {
			pilot.Username, pilot.Password = "user_custom", `{"force_error":"INVALID_LINK_TOKEN"}`
		}
		mu.Unlock()
		if err := ctl.ArmAutopilot(r.Context(), pilot); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"link_token": resp.GetLinkToken()})
	})
	exchange := func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			PublicToken string `json:"public_token"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if _, _, err := client.ItemPublicTokenExchange(r.Context()).ItemPublicTokenExchangeRequest(
			*plaid.NewItemPublicTokenExchangeRequest(body.PublicToken)).Execute(); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}
	mux.HandleFunc("POST /api/set_access_token", exchange)
	mux.HandleFunc("POST /api/exchange_public_token", exchange)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// runRecovery opens the app's page, clicks its Link button, and waits until
// the emulator has seen the whole recovery and the public_token exchanged.
// It returns the number of Link iframes left on the page.
func runRecovery(t *testing.T, app string) (iframes int, ev map[string][]Evidence) {
	emuURL, ctl := startEmulator(t)
	url := fixtureApp(t, app, emuURL, ctl)
	tab := headlesstest.NewContext(t)
	ctx := tab // bounded by the test's deadline (headlesstest), not a fixed budget
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.Poll[chromedp.Void](`typeof handler !== 'undefined' && handler !== null && !document.getElementById('link-button').disabled`, chromedp.WithPollingTimeout(0)), // bounded by ctx (the test's deadline), not chromedp's 30 s
		chromedp.Click(chromedp.CSS("#link-button")),
	)
	if err != nil {
		t.Fatalf("opening Link on the %s page: %v", app, err)
	}
	obs := NewObserver(ctl)
	for {
		if _, err := obs.Poll(ctx); err != nil {
			t.Fatalf("the emulator never saw the recovery and the exchange: %v", err)
		}
		if ev = obs.Evidence(); ev[ManualInvalidToken] != nil && ev[ManualUserGood] != nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the %s page did not recover: evidence %v", app, ev)
		case <-time.After(50 * time.Millisecond):
		}
	}
	iframes, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('iframe').length`))
	if err != nil {
		t.Fatal(err)
	}
	return iframes, ev
}

func TestMigratedPageRecoversWithOneIframe(t *testing.T) {
	iframes, ev := runRecovery(t, "migrated")
	if iframes != 1 {
		t.Errorf("the migrated page has %d Link iframes after the recovery, want 1 (it destroys the old handler)", iframes)
	}
	rec := ev[ManualInvalidToken]
	if len(rec) != 4 || rec[1].LinkSessionID == rec[3].LinkSessionID || rec[0].RequestID == rec[2].RequestID {
		t.Errorf("recovery evidence = %+v: want token #1, the failed session, token #2 and a new session", rec)
	}
}

func TestHalfMigratedPageStacksIframes(t *testing.T) {
	iframes, _ := runRecovery(t, "half-migrated")
	if iframes != 2 {
		t.Errorf("the half-migrated page has %d Link iframes after the recovery, want 2: it re-creates Link without destroy()", iframes)
	}
}
