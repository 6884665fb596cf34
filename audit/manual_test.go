package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
)

// linkUI drives an emulated Link session through the session API the Link
// iframe uses, as a person clicking through it would.
type linkUI struct {
	t      *testing.T
	emuURL string
	id     string // link_session_id
}

// post sends one session-API step and returns the decoded answer.
func (l *linkUI) post(path string, body map[string]any) map[string]any {
	l.t.Helper()
	if l.id != "" {
		body["link_session_id"] = l.id
	}
	b, _ := json.Marshal(body)
	resp, err := http.Post(l.emuURL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		l.t.Fatalf("%s: %v", path, err)
	}
	return out
}

// open starts a Link session with token.
func openLink(t *testing.T, emuURL, token string) *linkUI {
	t.Helper()
	l := &linkUI{t: t, emuURL: emuURL}
	out := l.post("/__link/session", map[string]any{"link_token": token})
	l.id, _ = out["link_session_id"].(string)
	if l.id == "" {
		t.Fatalf("no Link session: %v", out)
	}
	return l
}

// login picks First Platypus Bank (unless in update mode) and submits the
// credentials; it returns the answer.
func (l *linkUI) login(update bool, user, pass string) map[string]any {
	if !update {
		l.post("/__link/institution", map[string]any{"institution_id": "ins_109508"})
	}
	return l.post("/__link/credentials", map[string]any{"username": user, "password": pass})
}

// finish selects the first offered account: onSuccess.
func (l *linkUI) finish(login map[string]any) {
	l.t.Helper()
	accounts, _ := login["accounts"].([]any)
	if len(accounts) == 0 {
		l.t.Fatalf("no accounts offered: %v", login)
	}
	first, _ := accounts[0].(map[string]any)
	out := l.post("/__link/accounts", map[string]any{"account_ids": []any{first["id"]}})
	if _, ok := out["public_token"].(string); !ok {
		l.t.Fatalf("Link did not succeed: %v", out)
	}
}

// createToken is the app's /link/token/create, through plaid-go.
func createToken(t *testing.T, emuURL string, accessToken string) (token, requestID string) {
	t.Helper()
	req := goodRequest()
	if accessToken != "" {
		req.SetAccessToken(accessToken)
		req.Products = nil
	}
	resp, _, err := plaidClient(emuURL).LinkTokenCreate(context.Background()).LinkTokenCreateRequest(req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetLinkToken(), resp.GetRequestId()
}

// evidenceIDsOf lists an evidence list's request and link session ids.
func evidenceIDsOf(ev []Evidence) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.RequestID+e.LinkSessionID)
	}
	return out
}

func observe(t *testing.T, ctl *flows.Control) map[string][]Evidence {
	t.Helper()
	o := NewObserver(ctl)
	if _, err := o.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return o.Evidence()
}

// TestRecoveryEvidence scripts the INVALID_LINK_TOKEN recovery the way a
// page does it (token #1, Link meets the forced error, token #2, Link
// again) and checks the observer cites exactly those requests and sessions.
func TestRecoveryEvidence(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	tok1, rid1 := createToken(t, emuURL, "")
	first := openLink(t, emuURL, tok1)
	if out := first.login(false, "user_custom", `{"force_error":"INVALID_LINK_TOKEN"}`); !strings.Contains(jsonText(out), "INVALID_LINK_TOKEN") {
		t.Fatalf("the forced error did not happen: %v", out)
	}
	first.post("/__link/exit", map[string]any{"status": "requires_credentials"})

	if ev := observe(t, ctl); ev[ManualInvalidToken] != nil {
		t.Fatalf("recovery evidence before any recovery: %v", ev[ManualInvalidToken])
	}

	tok2, rid2 := createToken(t, emuURL, "")
	second := openLink(t, emuURL, tok2)
	second.finish(second.login(false, "user_good", "pass_good"))

	ev := observe(t, ctl)
	want := []string{rid1, first.id, rid2, second.id}
	if got := evidenceIDsOf(ev[ManualInvalidToken]); !slices.Equal(got, want) {
		t.Errorf("recovery evidence = %v, want %v", got, want)
	}
	if ev[ManualUserGood] != nil { // Link succeeded, but nothing exchanged the public_token
		t.Errorf("user_good evidence without /item/public_token/exchange: %v", ev[ManualUserGood])
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestUpdateModeAndUserGoodEvidence scripts a new Item through Link and its
// exchange, then reset_login and update mode.
func TestUpdateModeAndUserGoodEvidence(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	ctx := context.Background()
	client := plaidClient(emuURL)

	tok, _ := createToken(t, emuURL, "")
	l := openLink(t, emuURL, tok)
	login := l.login(false, "user_good", "pass_good")
	accounts := login["accounts"].([]any)
	out := l.post("/__link/accounts", map[string]any{"account_ids": []any{accounts[0].(map[string]any)["id"]}})
	ex, _, err := client.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(out["public_token"].(string))).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ev := observe(t, ctl)
	if got := evidenceIDsOf(ev[ManualUserGood]); !slices.Equal(got, []string{l.id, ex.GetRequestId()}) {
		t.Errorf("user_good evidence = %v, want [%s %s]", got, l.id, ex.GetRequestId())
	}

	// Update mode without reset_login first is not the manual check.
	utok, _ := createToken(t, emuURL, ex.GetAccessToken())
	early := openLink(t, emuURL, utok)
	early.finish(early.login(true, "user_good", "pass_good"))
	if ev := observe(t, ctl); ev[ManualUpdateMode] != nil {
		t.Errorf("update-mode evidence without reset_login: %v", ev[ManualUpdateMode])
	}

	reset, _, err := client.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(
		*plaid.NewSandboxItemResetLoginRequest(ex.GetAccessToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	utok2, urid := createToken(t, emuURL, ex.GetAccessToken())
	u := openLink(t, emuURL, utok2)
	u.finish(u.login(true, "user_good", "pass_good"))
	ev = observe(t, ctl)
	if got := evidenceIDsOf(ev[ManualUpdateMode]); !slices.Equal(got, []string{reset.GetRequestId(), urid, u.id}) {
		t.Errorf("update-mode evidence = %v, want [%s %s %s]", got, reset.GetRequestId(), urid, u.id)
	}
	for _, e := range ev[ManualUpdateMode] {
		if strings.Contains(jsonText(e), ex.GetAccessToken()) {
			t.Error("evidence holds the access_token")
		}
	}
}

// TestObserveStopsWhenComplete: Observe returns as soon as every
// observable check has evidence, reporting what it saw on the way; and it
// returns what it has when its time is up.
func TestObserveStopsWhenComplete(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	o := NewObserver(ctl)
	var seen []Sighting
	ev, err := o.Observe(context.Background(), 50*time.Millisecond, 10*time.Millisecond, func(s Sighting) { seen = append(seen, s) })
	if err != nil || len(ev) != 0 || len(seen) != 0 {
		t.Fatalf("an idle emulator: evidence %v, sightings %v, err %v", ev, seen, err)
	}

	tok1, _ := createToken(t, emuURL, "")
	first := openLink(t, emuURL, tok1)
	first.login(false, "user_custom", `{"force_error":"INVALID_LINK_TOKEN"}`)
	first.post("/__link/exit", map[string]any{"status": nil})
	tok2, _ := createToken(t, emuURL, "")
	second := openLink(t, emuURL, tok2)
	login := second.login(false, "user_good", "pass_good")
	out := second.post("/__link/accounts", map[string]any{"account_ids": []any{login["accounts"].([]any)[0].(map[string]any)["id"]}})
	client := plaidClient(emuURL)
	ex, _, err := client.ItemPublicTokenExchange(context.Background()).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(out["public_token"].(string))).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.SandboxItemResetLogin(context.Background()).SandboxItemResetLoginRequest(
		*plaid.NewSandboxItemResetLoginRequest(ex.GetAccessToken())).Execute(); err != nil {
		t.Fatal(err)
	}
	utok, _ := createToken(t, emuURL, ex.GetAccessToken())
	u := openLink(t, emuURL, utok)
	u.finish(u.login(true, "user_good", "pass_good"))

	// A day-long watch ends at once: everything is already there.
	ev, err = o.Observe(context.Background(), 24*time.Hour, time.Hour, func(s Sighting) { seen = append(seen, s) })
	if err != nil || len(ev) != 3 {
		t.Fatalf("evidence %v, err %v: want the three observable checks", ev, err)
	}
	var whats []string
	for _, s := range seen {
		whats = append(whats, s.What)
	}
	text := strings.Join(whats, "\n")
	for _, want := range []string{"POST /link/token/create → 200", "Link session exit with INVALID_LINK_TOKEN", "Link session success (update mode)", "POST /sandbox/item/reset_login → 200"} {
		if !strings.Contains(text, want) {
			t.Errorf("sightings lack %q:\n%s", want, text)
		}
	}
}

// TestObserveShortWatchReadsToItsEnd: a watch shorter than one poll (a
// busy machine, or --observe 1ns) still reports what the emulator saw:
// the watch's length does not cut its polls short.
func TestObserveShortWatchReadsToItsEnd(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	createToken(t, emuURL, "")
	var seen []Sighting
	if _, err := NewObserver(ctl).Observe(context.Background(), time.Nanosecond, time.Hour, func(s Sighting) { seen = append(seen, s) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || !strings.Contains(seen[0].What, "POST /link/token/create → 200") {
		t.Fatalf("a 1ns watch saw %+v, want the earlier /link/token/create", seen)
	}

}

func TestObserveEmulatorDown(t *testing.T) {
	o := NewObserver(&flows.Control{BaseURL: "http://127.0.0.1:1"})
	if _, err := o.Observe(context.Background(), time.Minute, time.Second, nil); err == nil || !strings.Contains(err.Error(), "emulator") {
		t.Errorf("err = %v, want one naming the emulator", err)
	}
}

// linkexplorerClient is plaid-go with linkexplorer's own client_id, as its
// flows and demo call the emulator.
func linkexplorerClient(emuURL, clientID string) *plaid.PlaidApiService {
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", clientID)
	cfg.AddDefaultHeader("PLAID-SECRET", "linkexplorer-secret-0123")
	cfg.UseEnvironment(plaid.Environment(emuURL))
	return plaid.NewAPIClient(cfg).PlaidApi
}

// TestObserverCountsOnlyTheApp: linkexplorer's own flows (its emulated
// client_id, or the one it was given) link an Item and recover from
// INVALID_LINK_TOKEN on the same emulator; none of it is evidence about
// the audited app, whose own run still is.
func TestObserverCountsOnlyTheApp(t *testing.T) {
	emuURL, ctl := startEmulator(t)
	ctx := context.Background()
	for _, id := range []string{flows.EmulatedClientID, "my-real-client-id"} {
		own := linkexplorerClient(emuURL, id)
		mint := func() string {
			resp, _, err := own.LinkTokenCreate(ctx).LinkTokenCreateRequest(goodRequest()).Execute()
			if err != nil {
				t.Fatal(err)
			}
			return resp.GetLinkToken()
		}
		bad := openLink(t, emuURL, mint())
		bad.login(false, "user_custom", `{"force_error":"INVALID_LINK_TOKEN"}`)
		bad.post("/__link/exit", map[string]any{"status": "requires_credentials"})
		good := openLink(t, emuURL, mint())
		good.finish(good.login(false, "user_good", "pass_good"))
		pub, _, err := own.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(
			*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := own.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(
			*plaid.NewItemPublicTokenExchangeRequest(pub.GetPublicToken())).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	o := NewObserver(ctl).IgnoreClientIDs("my-real-client-id")
	seen, err := o.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ev := o.Evidence(); len(ev) != 0 || len(seen) != 0 {
		t.Fatalf("linkexplorer's own runs count as the app's: evidence %v, sightings %v", ev, seen)
	}
	// Without the ignore, the run made with the given client_id is the app's.
	if ev := observe(t, ctl); ev[ManualInvalidToken] == nil || ev[ManualUserGood] == nil {
		t.Errorf("a client_id not ignored is not counted: %v", ev)
	}

	// The app's own run counts.
	tok1, rid1 := createToken(t, emuURL, "")
	first := openLink(t, emuURL, tok1)
	first.login(false, "user_custom", `{"force_error":"INVALID_LINK_TOKEN"}`)
	first.post("/__link/exit", map[string]any{"status": "requires_credentials"})
	tok2, rid2 := createToken(t, emuURL, "")
	second := openLink(t, emuURL, tok2)
	second.finish(second.login(false, "user_good", "pass_good"))
	if _, err := o.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := evidenceIDsOf(o.Evidence()[ManualInvalidToken]), []string{rid1, first.id, rid2, second.id}; !slices.Equal(got, want) {
		t.Errorf("the app's recovery = %v, want %v", got, want)
	}
}
