package flows

// The issue-3 browser tests: the real callback page and the real emulated
// Link in headless Chromium, driven by the runner. They assert on what the
// callback server received (the run's Link events in the session log) and
// on the emulator's state through its API.

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/headless"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// browserEnv is an Env whose pages open in the test's own headless tab,
// which stays open afterwards so the test can look at the page's DOM.
type browserEnv struct {
	*testEnv
	tab context.Context
}

func newBrowserEnv(t *testing.T, browser BrowserMode) *browserEnv {
	t.Helper()
	tab := headlesstest.NewContext(t)
	env := newTestEnv(t, browser)
	env.openHeadless = func(_ context.Context, url string) (func(), error) {
		return func() {}, chromedp.Do(tab, chromedp.Navigate(url))
	}
	return &browserEnv{testEnv: env, tab: tab}
}

// eval evaluates JavaScript in the callback page.
func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// linkEvents is what the callback server received for a run, oldest first.
func linkEvents(t *testing.T, st *store.Store, session string) []store.LinkEvent {
	t.Helper()
	es := entries(t, st, store.Filter{SessionID: session, Kind: store.KindEvent})
	out := make([]store.LinkEvent, 0, len(es))
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, *es[i].Event)
	}
	requireExplained(t, out)
	return out
}

// names lists events as "kind:name[:view]".
func names(evs []store.LinkEvent) []string {
	var out []string
	for _, e := range evs {
		s := e.Kind
		if e.EventName != "" {
			s += ":" + e.EventName
		}
		if e.ViewName != "" {
			s += ":" + e.ViewName
		}
		out = append(out, s)
	}
	return out
}

// inOrder checks that want appears in got as a subsequence.
func inOrder(t *testing.T, got, want []string) {
	t.Helper()
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("events %v\ndo not contain, in order, %v (missing from %q)", got, want, want[i])
	}
}

// emulatorSessions lists the emulator's Link session records, oldest first.
func emulatorSessions(t *testing.T, env *browserEnv) []map[string]any {
	t.Helper()
	recs, err := env.Control.LinkSessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for i := len(recs) - 1; i >= 0; i-- {
		var m map[string]any
		if err := json.Unmarshal(recs[i].Raw, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// emulatorItem is the emulator's summary of an Item (GET /__emulator/items).
type emulatorItem struct {
	ItemID      string `json:"item_id"`
	Status      string `json:"status"`
	AccessToken string `json:"access_token"` // masked
	Webhook     string `json:"webhook"`
}

func emulatorItems(t *testing.T, env *browserEnv) map[string]emulatorItem {
	t.Helper()
	resp, err := http.Get(env.emuURL + "/__emulator/items")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Items []emulatorItem `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	out := map[string]emulatorItem{}
	for _, it := range body.Items {
		out[it.ItemID] = it
	}
	return out
}

func iframeCount(t *testing.T, tab context.Context) int {
	t.Helper()
	return eval[int](t, tab, `document.querySelectorAll('iframe').length`)
}

func TestBrowserNewItemUserGood(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "quickstart", nil)
	if !rep.OK {
		t.Fatalf("quickstart: %s", rep.Error)
	}
	evs := linkEvents(t, env.Store, rep.RunID)
	inOrder(t, names(evs), []string{"page:token_fetched", "page:created", "load", "event:OPEN",
		"event:TRANSITION_VIEW:CONSENT", "event:TRANSITION_VIEW:SELECT_INSTITUTION", "event:SELECT_INSTITUTION",
		"event:TRANSITION_VIEW:CREDENTIAL", "event:SUBMIT_CREDENTIALS", "event:TRANSITION_VIEW:SELECT_ACCOUNT",
		"event:TRANSITION_VIEW:CONNECTED", "event:HANDOFF", "success"})
	success := evs[len(evs)-1]
	if success.Kind != store.EventKindSuccess || success.LinkSessionID == "" || success.InstitutionID != sandboxInstitution {
		t.Fatalf("last report = %+v, want onSuccess at %s", success, sandboxInstitution)
	}
	for _, e := range evs {
		if e.Kind == store.EventKindEvent && e.LinkSessionID != success.LinkSessionID {
			t.Errorf("event %s has link_session_id %q, want %q", e.EventName, e.LinkSessionID, success.LinkSessionID)
		}
	}
	recs := emulatorSessions(t, env)
	if len(recs) != 1 || recs[0]["link_session_id"] != success.LinkSessionID || recs[0]["outcome"] != "success" ||
		recs[0]["item_id"] != rep.ItemID || recs[0]["autopilot"] != true {
		t.Errorf("emulator Link sessions = %v", recs)
	}
	if it := emulatorItems(t, env)[rep.ItemID]; it.Status != "healthy" || it.Webhook != env.WebhookURL() {
		t.Errorf("emulator Item = %+v", it)
	}
	if n := iframeCount(t, env.tab); n != 1 {
		t.Errorf("%d iframes on the page, want 1", n)
	}
	if status := eval[string](t, env.tab, `document.getElementById('status-text').textContent`); !strings.Contains(status, "success") {
		t.Errorf("page status = %q", status)
	}
}

func TestBrowserMFADevice(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "quickstart", func(r *Run) {
		r.st.nextPilot = &Autopilot{Username: goodUser, Password: "mfa_device", MFA: goodMFA}
	})
	if !rep.OK {
		t.Fatalf("quickstart with mfa_device: %s", rep.Error)
	}
	evs := linkEvents(t, env.Store, rep.RunID)
	inOrder(t, names(evs), []string{"event:SUBMIT_CREDENTIALS", "event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA",
		"event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA", "event:HANDOFF", "success"})
	var mfaTypes []string
	for _, e := range evs {
		if e.EventName == "SUBMIT_MFA" {
			var md struct {
				MFAType string `json:"mfa_type"`
			}
			if err := json.Unmarshal(e.Metadata, &md); err != nil {
				t.Fatal(err)
			}
			mfaTypes = append(mfaTypes, md.MFAType)
		}
	}
	if !slices.Equal(mfaTypes, []string{"device", "code"}) {
		t.Errorf("SUBMIT_MFA mfa_types = %v, want [device code]", mfaTypes)
	}
	if recs := emulatorSessions(t, env); len(recs) != 1 || recs[0]["outcome"] != "success" {
		t.Errorf("emulator Link sessions = %v", recs)
	}
}

// checkRecovery asserts the page recovered from INVALID_LINK_TOKEN as
// Plaid's guide says, and that exactly one iframe is left. before are the
// reports expected before the onExit.
func checkRecovery(t *testing.T, env *browserEnv, rep Report, before ...string) {
	t.Helper()
	evs := linkEvents(t, env.Store, rep.RunID)
	want := append([]string{"page:token_fetched", "page:created"}, before...)
	inOrder(t, names(evs), append(want, "event:ERROR", "event:EXIT", "exit", "page:destroyed",
		"page:token_fetched", "page:created", "event:OPEN", "event:HANDOFF", "success"))
	var exits []store.LinkEvent
	for _, e := range evs {
		if e.Kind == store.EventKindExit {
			exits = append(exits, e)
		}
	}
	if len(exits) != 1 || exits[0].ErrorCode != "INVALID_LINK_TOKEN" || exits[0].ErrorType != "INVALID_INPUT" {
		t.Fatalf("onExit reports = %+v, want one INVALID_LINK_TOKEN", exits)
	}
	success := evs[len(evs)-1]
	if success.LinkSessionID == "" || success.LinkSessionID == exits[0].LinkSessionID {
		t.Errorf("the recovered session %q is not a new Link session (first: %q)", success.LinkSessionID, exits[0].LinkSessionID)
	}
	if n := iframeCount(t, env.tab); n != 1 {
		t.Errorf("%d iframes on the page after the recovery, want exactly 1", n)
	}
	recs := emulatorSessions(t, env)
	if len(recs) != 2 || recs[0]["outcome"] != "exit" || recs[1]["outcome"] != "success" ||
		recs[1]["link_session_id"] != success.LinkSessionID || recs[0]["link_token"] == recs[1]["link_token"] {
		t.Errorf("emulator Link sessions = %v", recs)
	}
	if e, _ := recs[0]["error"].(map[string]any); e["error_code"] != "INVALID_LINK_TOKEN" {
		t.Errorf("the first emulator session ended with %v", recs[0]["error"])
	}
}

func TestBrowserInvalidLinkTokenForcedThenRecovered(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "invalid-token", nil)
	if !rep.OK {
		t.Fatalf("invalid-token: %s", rep.Error)
	}
	checkRecovery(t, env, rep, "event:OPEN", "event:SUBMIT_CREDENTIALS")
	var submitted string
	for _, e := range linkEvents(t, env.Store, rep.RunID) {
		if e.Kind == store.EventKindEvent && e.EventName == "ERROR" {
			submitted = e.ErrorCode
		}
	}
	if submitted != "INVALID_LINK_TOKEN" {
		t.Errorf("Link's ERROR event carried %q, want INVALID_LINK_TOKEN (forced by user_custom)", submitted)
	}
}

func TestBrowserExpiredLinkToken(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "quickstart", func(r *Run) {
		if res := r.Next(testwait.Context(t)); res.Status != StatusOK {
			t.Fatalf("create: %s", res.Error)
		}
		if _, err := r.ExpireLinkToken(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	if !rep.OK {
		t.Fatalf("quickstart with an expired token: %s", rep.Error)
	}
	checkRecovery(t, env, rep)
	if !slices.ContainsFunc(rep.Timeline, func(e TimelineEntry) bool { return strings.Contains(e.What, "expired") }) {
		t.Errorf("the timeline does not show the expiry: %+v", rep.Timeline)
	}
}

func TestBrowserUpdateModeAfterResetLogin(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	ctx := testwait.Context(t)
	var before string
	rep, _ := runFlow(t, env.testEnv, "update-mode", func(r *Run) {
		if res := r.Next(ctx); res.Status != StatusOK { // pick-item
			t.Fatalf("pick-item: %s", res.Error)
		}
		before = emulatorItems(t, env)[r.ItemID()].AccessToken
	})
	if !rep.OK {
		t.Fatalf("update-mode: %s", rep.Error)
	}
	it := emulatorItems(t, env)[rep.ItemID]
	if it.Status != "healthy" || it.AccessToken != before || before == "" {
		t.Errorf("emulator Item after the repair = %+v (access_token before: %q)", it, before)
	}
	tok, err := env.Store.AccessToken(ctx, rep.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := env.Client.PlaidApi.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(tok)).Execute()
	if err != nil || resp.Item.GetItemId() != rep.ItemID || resp.Item.Error.IsSet() && resp.Item.Error.Get() != nil {
		t.Errorf("/item/get with the same access_token: %v, %+v", err, resp.Item)
	}
	evs := linkEvents(t, env.Store, rep.RunID)
	var open map[string]any
	for _, e := range evs {
		if e.EventName == "OPEN" {
			if err := json.Unmarshal(e.Metadata, &open); err != nil {
				t.Fatal(err)
			}
		}
	}
	if open["is_update_mode"] != "true" {
		t.Errorf("OPEN metadata = %v, want is_update_mode \"true\"", open)
	}
	recs := emulatorSessions(t, env)
	if len(recs) != 1 || recs[0]["is_update_mode"] != true || recs[0]["outcome"] != "success" {
		t.Errorf("emulator Link sessions = %v", recs)
	}
}

func TestBrowserUserClosesLink(t *testing.T) {
	env := newBrowserEnv(t, BrowserNone) // no autopilot: a person at the keyboard
	ctx := testwait.Context(t)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(ctx); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	nextEvent(t, r, "Link's OPEN event", func(ev Event) bool {
		if ev.Kind == EventWaiting {
			if err := chromedp.Do(env.tab, chromedp.Navigate(ev.URL)); err != nil {
				t.Fatal(err)
			}
		}
		return ev.Kind == EventLink && ev.Link.EventName == "OPEN"
	})
	frames, err := chromedp.Run(env.tab, chromedp.Nodes(chromedp.CSS(`iframe`)))
	if err != nil || len(frames) != 1 {
		t.Fatalf("Link iframe: %v (%d found)", err, len(frames))
	}
	in := chromedp.FromNode(frames[0])
	if err := chromedp.Do(env.tab,
		chromedp.Click(chromedp.CSS("#consent-continue"), in),
		chromedp.WaitVisible(chromedp.CSS("#search"), in),
		chromedp.Click(chromedp.CSS("#close"), in),
	); err != nil {
		t.Fatal(err)
	}
	res, _ := testwait.Recv(t, results, "the Link step to end after Link closed")
	le, ok := res.Err.(*LinkExitError)
	if res.Status != StatusFailed || !ok || le.Code != "" || le.ExitStatus == "" || le.LinkSessionID == "" {
		t.Fatalf("closing Link: %+v (%v)", res, res.Err)
	}
	if !strings.Contains(res.Error, "closed") || !strings.Contains(res.Error, le.ExitStatus) {
		t.Errorf("error message = %q", res.Error)
	}
	evs := linkEvents(t, env.Store, r.ID())
	exit := evs[len(evs)-1]
	if exit.Kind != store.EventKindExit || exit.ErrorCode != "" || exit.ExitStatus != le.ExitStatus {
		t.Errorf("last report = %+v, want onExit with a null error and status %s", exit, le.ExitStatus)
	}
	var md map[string]any
	if err := json.Unmarshal(exit.Metadata, &md); err != nil || md["status"] != le.ExitStatus {
		t.Errorf("onExit metadata = %v (%v)", md, err)
	}
	recs := emulatorSessions(t, env)
	if len(recs) != 1 || recs[0]["outcome"] != "exit" || recs[0]["exit_status"] != le.ExitStatus || recs[0]["autopilot"] != false {
		t.Errorf("emulator Link sessions = %v", recs)
	}
}

// TestBrowserAutoWithoutChromium: with no Chromium, --browser=auto arms the
// autopilot and waits for the user to open the page; Link then completes
// by itself in whatever browser opened it.
func TestBrowserAutoWithoutChromium(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	env.openHeadless = func(context.Context, string) (func(), error) { return nil, headless.ErrNotFound }
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		for ev := range r.Events() {
			if ev.Kind == EventWaiting {
				if !strings.Contains(ev.Message, "No Chromium") || !strings.Contains(ev.Message, ev.URL) {
					t.Errorf("waiting message = %q", ev.Message)
				}
				if err := chromedp.Do(env.tab, chromedp.Navigate(ev.URL)); err != nil {
					t.Error(err)
				}
			}
		}
	}()
	if rep := r.RunAll(testwait.Context(t)); !rep.OK {
		t.Fatalf("quickstart: %s", rep.Error)
	}
	if recs := emulatorSessions(t, env); len(recs) != 1 || recs[0]["autopilot"] != true || recs[0]["outcome"] != "success" {
		t.Errorf("emulator Link sessions = %v", recs)
	}
}
