package flows

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// fakeLinkScript stands in for link-initialize.js in the page-mechanics
// test only. Like Link, it calls onLoad once ready and, on open(), fires
// OPEN; a token ending in "bad1" then exits with INVALID_LINK_TOKEN, any
// other token succeeds. window.__live counts handlers not destroyed.
const fakeLinkScript = `
window.__live = 0;
window.Plaid = {
  create: function (cfg) {
    if (!cfg.token) throw new Error('Missing Link parameter. Link requires a key or token to be provided.');
    window.__live++;
    var destroyed = false;
    var meta = function (extra) {
      return Object.assign({link_session_id: 'ls-' + cfg.token.slice(-4), request_id: 'req' + cfg.token.slice(-4)}, extra || {});
    };
    setTimeout(function () { if (!destroyed) cfg.onLoad(); }, 0);
    return {
      open: function () {
        setTimeout(function () {
          cfg.onEvent('OPEN', meta({view_name: null}));
          if (cfg.token.slice(-4) === 'bad1') {
            var err = {error_type: 'INVALID_INPUT', error_code: 'INVALID_LINK_TOKEN', error_message: 'invalid link_token provided', display_message: null};
            cfg.onExit(err, meta({institution: null, status: null}));
          } else {
            cfg.onSuccess('public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce91bc', meta({institution: {name: 'First Platypus Bank', institution_id: 'ins_109508'}, accounts: []}));
          }
        }, 0);
      },
      exit: function () {},
      destroy: function () { if (!destroyed) { destroyed = true; window.__live--; } }
    };
  }
};
`

func fakeLinkServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/link-initialize.js" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, fakeLinkScript)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// waitKinds waits until pred matches, returning the kinds of every event
// seen (for events, "event:NAME").
func waitKinds(t *testing.T, s *LinkSession, pred func(PageEvent) bool) ([]string, PageEvent) {
	t.Helper()
	var kinds []string
	ev, err := s.Wait(testwait.Context(t), func(e PageEvent) bool {
		k := e.Kind
		if e.Kind == "event" {
			k += ":" + e.EventName
		}
		kinds = append(kinds, k)
		return pred(e)
	})
	if err != nil {
		t.Fatalf("%v (events so far: %v)", err, kinds)
	}
	return kinds, ev
}

func isEnd(e PageEvent) bool {
	return e.Kind == "success" || e.Kind == "script_error" || e.Kind == "token_error" ||
		(e.Kind == "exit" && e.ErrorCode != "INVALID_LINK_TOKEN")
}

func TestCallbackPageRecoversFromInvalidLinkToken(t *testing.T) {
	browser := headlesstest.NewContext(t)
	fake := fakeLinkServer(t)
	var mu sync.Mutex
	issued := 0
	ts := startTestServer(t, CallbackOptions{
		LinkScriptURL: fake.URL + "/link-initialize.js",
		CreateLinkToken: func(context.Context, *LinkSession) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			issued++
			if issued == 1 {
				return "link-sandbox-af1a0311-da53-4636-b754-dd15cc05bad1", nil
			}
			return "link-sandbox-af1a0311-da53-4636-b754-dd15cc050002", nil
		},
	})
	s := ts.NewSession("invalid-token: recovery")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	kinds, ev := waitKinds(t, s, isEnd)
	want := []string{
		"token_fetched", "created", "load", "event:OPEN", "exit",
		"destroyed", "token_fetched", "created", "load", "event:OPEN", "success",
	}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("events\n got %v\nwant %v", kinds, want)
	}
	if ev.PublicToken != testPublic || ev.InstitutionID != "ins_109508" || ev.LinkSessionID != "ls-0002" {
		t.Errorf("success = %+v", ev)
	}

	live, err := chromedp.Run(browser, chromedp.Evaluate[int](`window.__live`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(browser, chromedp.WaitVisible(chromedp.CSS(`#status.good`))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`#status-text`)))
	if err != nil {
		t.Fatal(err)
	}
	if live != 1 {
		t.Errorf("%d live Link handlers at the end, want 1 (destroy before re-create)", live)
	}
	if status != "Link reported success — return to your terminal" {
		t.Errorf("status = %q", status)
	}
	if rej := ts.rejected.all(); len(rej) != 0 {
		t.Errorf("the page's own requests were rejected: %v", rej)
	}
}

func TestCallbackPageReportsScriptError(t *testing.T) {
	browser := headlesstest.NewContext(t)
	fake := fakeLinkServer(t)
	ts := startTestServer(t, CallbackOptions{LinkScriptURL: fake.URL + "/missing.js"})
	s := ts.NewSession("x")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	_, ev := waitKinds(t, s, isEnd)
	if ev.Kind != "script_error" || !strings.Contains(ev.ErrorMessage, "/missing.js") {
		t.Fatalf("got %+v, want a script_error naming the script", ev)
	}
	status, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`#status-text`)))
	if err != nil {
		t.Fatal(err)
	}
	if status != "The Link script did not load" {
		t.Errorf("status = %q", status)
	}
}

func TestCallbackPageShowsTokenError(t *testing.T) {
	browser := headlesstest.NewContext(t)
	fake := fakeLinkServer(t)
	ts := startTestServer(t, CallbackOptions{
		LinkScriptURL: fake.URL + "/link-initialize.js",
		CreateLinkToken: func(context.Context, *LinkSession) (string, error) {
			return "", &APIError{Endpoint: "/link/token/create", Type: "INVALID_INPUT", Code: "INVALID_API_KEYS", Message: "invalid client_id or secret provided", RequestID: "KeyReq000000001"}
		},
	})
	s := ts.NewSession("x")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	_, ev := waitKinds(t, s, isEnd)
	if ev.Kind != "token_error" || ev.ErrorCode != "INVALID_API_KEYS" || ev.RequestID != "KeyReq000000001" {
		t.Fatalf("got %+v", ev)
	}
	detail, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`#status-detail`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "INVALID_API_KEYS") || !strings.Contains(detail, "KeyReq000000001") {
		t.Errorf("detail = %q", detail)
	}
}

// emulatedLink wires a callback server to a real emulator: each link_token
// comes from the emulator's /link/token/create, and the autopilot is armed
// for it with the next credentials in line.
type emulatedLink struct {
	base   string
	client *plaid.APIClient
	ctl    *Control
	ts     *testServer
}

func newEmulatedLink(t *testing.T, creds ...Autopilot) *emulatedLink {
	t.Helper()
	base := emulatortest.Start(t).URL
	el := &emulatedLink{base: base, ctl: &Control{BaseURL: base}}
	el.client = NewPlaidClient(Config{Mode: ModeEmulated, ClientID: EmulatedClientID, Secret: EmulatedSecret, BaseURL: base}, nil)
	var mu sync.Mutex
	el.ts = startTestServer(t, CallbackOptions{
		LinkScriptURL: base + "/link/v2/stable/link-initialize.js",
		CreateLinkToken: func(ctx context.Context, _ *LinkSession) (string, error) {
			req := plaid.NewLinkTokenCreateRequest("linkexplorer", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("u1"))
			req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
			resp, _, err := el.client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
			if err != nil {
				return "", AsAPIError("/link/token/create", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(creds) > 0 {
				a := creds[0]
				creds = creds[1:]
				a.LinkToken = resp.GetLinkToken()
				if err := el.ctl.ArmAutopilot(ctx, a); err != nil {
					return "", err
				}
			}
			return resp.GetLinkToken(), nil
		},
	})
	return el
}

func TestCallbackPageWithEmulatedLink(t *testing.T) {
	browser := headlesstest.NewContext(t)
	el := newEmulatedLink(t, Autopilot{Username: "user_good", Password: "pass_good"})
	s := el.ts.NewSession("quickstart")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	kinds, ev := waitKinds(t, s, isEnd)
	if ev.Kind != "success" || ev.PublicToken == "" || ev.LinkSessionID == "" || ev.InstitutionID != "ins_109508" {
		t.Fatalf("ended with %+v after %v", ev, kinds)
	}
	if kinds[0] != "token_fetched" || kinds[1] != "created" || !containsKind(kinds, "event:OPEN") {
		t.Errorf("events %v", kinds)
	}
	// The public_token the page reported is the one the API exchanges.
	_, _, err := el.client.PlaidApi.ItemPublicTokenExchange(context.Background()).
		ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(ev.PublicToken)).Execute()
	if err != nil {
		t.Fatal(AsAPIError("/item/public_token/exchange", err))
	}
}

func TestCallbackPageRecoversWithEmulatedLink(t *testing.T) {
	browser := headlesstest.NewContext(t)
	el := newEmulatedLink(t,
		Autopilot{Username: "user_custom", Password: `{"force_error":"INVALID_LINK_TOKEN"}`},
		Autopilot{Username: "user_good", Password: "pass_good"},
	)
	s := el.ts.NewSession("invalid-token")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	var exits []PageEvent
	kinds, ev := waitKinds(t, s, func(e PageEvent) bool {
		if e.Kind == "exit" {
			exits = append(exits, e)
		}
		return isEnd(e)
	})
	if ev.Kind != "success" {
		t.Fatalf("ended with %+v after %v", ev, kinds)
	}
	if len(exits) != 1 || exits[0].ErrorCode != "INVALID_LINK_TOKEN" || exits[0].LinkSessionID == "" || exits[0].LinkSessionID == ev.LinkSessionID {
		t.Errorf("exits %+v, success link_session_id %q", exits, ev.LinkSessionID)
	}
	order := []string{"exit", "destroyed", "token_fetched", "created", "success"}
	if !subsequence(kinds, order) {
		t.Errorf("events %v lack the recovery sequence %v", kinds, order)
	}
	iframes, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll('iframe').length`))
	if err != nil {
		t.Fatal(err)
	}
	if iframes != 1 {
		t.Errorf("%d iframes on the page, want 1", iframes)
	}
	sessions, err := el.ctl.LinkSessions(context.Background())
	if err != nil || len(sessions) != 2 {
		t.Fatalf("emulator link sessions = %+v, %v", sessions, err)
	}
}

func containsKind(kinds []string, k string) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// subsequence reports whether want appears in got in order.
func subsequence(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestCallbackPageBatchesReportsWhileOneIsInFlight: the page sends one
// request at a time, so the reports made while one is answered wait, and
// go together, in order, in the next request, which is one round trip
// (and one commit of the session log) instead of one each.
func TestCallbackPageBatchesReportsWhileOneIsInFlight(t *testing.T) {
	browser := headlesstest.NewContext(t)
	fake := fakeLinkServer(t)
	release := make(chan struct{})
	var mu sync.Mutex
	var requests [][]string
	ts := startTestServer(t, CallbackOptions{
		LinkScriptURL: fake.URL + "/link-initialize.js",
		OnReport: func(_ *LinkSession, evs []PageEvent) (int, error) {
			mu.Lock()
			first := len(requests) == 0
			var kinds []string
			for _, ev := range evs {
				kinds = append(kinds, ev.Kind)
			}
			requests = append(requests, kinds)
			mu.Unlock()
			if first {
				<-release // the page goes on meanwhile
			}
			return len(evs), nil
		},
	})
	s := ts.NewSession("reports batched")
	if err := chromedp.Do(browser, chromedp.Navigate(s.URL())); err != nil {
		t.Fatal(err)
	}
	// The page reaches onSuccess while its first report is unanswered.
	if err := chromedp.Do(browser, chromedp.WaitVisible(chromedp.CSS(`#status.good`))); err != nil {
		t.Fatal(err)
	}
	close(release)
	kinds, _ := waitKinds(t, s, isEnd)
	if want := "token_fetched created load event:OPEN success"; strings.Join(kinds, " ") != want {
		t.Fatalf("events\n got %v\nwant %s", kinds, want)
	}
	mu.Lock()
	defer mu.Unlock()
	// token_fetched and created are made in the same turn of the page's
	// script, before the first request leaves: they go together too.
	if got := fmt.Sprint(requests); got != "[[token_fetched created] [load event success]]" {
		t.Errorf("requests carried %s, want the first two reports, then the three made meanwhile in one batch", got)
	}
}
