package flows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// collector reads a run's Events in the background.
type collector struct {
	done     chan struct{}
	finished chan struct{} // closed at the first EventFinished
	events   []Event
}

func collect(r *Run) *collector {
	c := &collector{done: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(c.done)
		for ev := range r.Events() {
			c.events = append(c.events, ev)
			if ev.Kind == EventFinished {
				select {
				case <-c.finished:
				default:
					close(c.finished)
				}
			}
		}
	}()
	return c
}

// waitFinished waits until the collector has read EventFinished, so that
// closing the run drops nothing.
func (c *collector) waitFinished(t *testing.T) {
	t.Helper()
	testwait.Recv(t, c.finished, "the run's EventFinished")
}

// wait returns every event, once the run is closed.
func (c *collector) wait(t *testing.T) []Event {
	t.Helper()
	testwait.Recv(t, c.done, "the run's Events to be closed")
	return c.events
}

// nextEvent reads r's events until one for which want is true, and fails
// the test, saying what it waited for, when the events end or the test's
// budget runs out first.
func nextEvent(t *testing.T, r *Run, what string, want func(Event) bool) Event {
	t.Helper()
	for {
		ev, ok := testwait.Recv(t, r.Events(), what)
		if !ok {
			t.Fatalf("the run's events ended before %s", what)
		}
		if want(ev) {
			return ev
		}
	}
}

// runFlow runs a flow to the end, closes the run and returns its report
// and events.
func runFlow(t *testing.T, env *testEnv, name string, prepare func(*Run)) (Report, []Event) {
	t.Helper()
	f, ok := FlowByName(name)
	if !ok {
		t.Fatalf("no flow %q", name)
	}
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	c := collect(r)
	if prepare != nil {
		prepare(r)
	}
	rep := r.RunAll(testwait.Context(t))
	c.waitFinished(t)
	if err := r.Close(); err != nil {
		t.Fatalf("closing the run: %v", err)
	}
	return rep, c.wait(t)
}

// entries returns every log entry matching f, newest first.
func entries(t *testing.T, st *store.Store, f store.Filter) []store.Entry {
	t.Helper()
	var out []store.Entry
	q := store.Query{Filter: f, Limit: store.MaxPageSize, Bodies: true}
	for {
		page, err := st.Entries(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Entries...)
		if !page.More {
			return out
		}
		q.Before = page.Next
	}
}

func stepNames(rep Report) []string {
	var s []string
	for _, st := range rep.Steps {
		s = append(s, st.Name+"="+st.Status)
	}
	return s
}

// checkCallsHaveRequestIDs asserts the session recorded API calls, each
// with its request_id.
func checkCallsHaveRequestIDs(t *testing.T, st *store.Store, session string) []store.Entry {
	t.Helper()
	calls := entries(t, st, store.Filter{SessionID: session, Kind: store.KindCall})
	if len(calls) == 0 {
		t.Fatal("no API calls recorded in the session")
	}
	for _, e := range calls {
		if e.Call.RequestID == "" {
			t.Errorf("call %s (HTTP %d) has no request_id", e.Call.Endpoint, e.Call.HTTPStatus)
		}
	}
	return calls
}

func TestQuickstartEndToEndAuto(t *testing.T) {
	headlesstest.Need(t)
	env := newTestEnv(t, BrowserAuto)
	rep, events := runFlow(t, env, "quickstart", nil)
	if !rep.OK {
		t.Fatalf("quickstart failed: %s (%v)", rep.Error, stepNames(rep))
	}
	calls := checkCallsHaveRequestIDs(t, env.Store, rep.RunID)
	var endpoints []string
	keyFetches := 0
	for _, e := range calls {
		// The webhook receiver fetches the verification key when the
		// Item's first webhooks (INITIAL_UPDATE, HISTORICAL_UPDATE) arrive,
		// whenever that is: two arriving at once may each fetch it.
		if e.Call.Endpoint == "/webhook_verification_key/get" {
			keyFetches++
			continue
		}
		endpoints = append(endpoints, e.Call.Endpoint)
	}
	slices.Reverse(endpoints)
	want := []string{"/link/token/create", "/item/public_token/exchange", "/accounts/get", "/auth/get"}
	if !slices.Equal(endpoints, want) {
		t.Errorf("calls = %v, want %v", endpoints, want)
	}
	success := entries(t, env.Store, store.Filter{SessionID: rep.RunID, Kind: store.KindEvent})
	if !slices.ContainsFunc(success, func(e store.Entry) bool { return e.Event.Kind == store.EventKindSuccess }) {
		t.Error("no onSuccess recorded")
	}
	it, err := env.Store.Item(context.Background(), rep.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := env.Store.AccessToken(context.Background(), rep.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != store.ItemHealthy || it.Mode != store.ModeEmulated || it.InstitutionID != sandboxInstitution || it.AccessTokenMasked == tok {
		t.Errorf("stored Item = %+v", it)
	}
	sess, err := env.Store.Session(context.Background(), rep.RunID)
	if err != nil || sess.Status != store.SessionOK || sess.Kind != "flow:quickstart" {
		t.Errorf("session = %+v, %v", sess, err)
	}
	kinds := map[EventKind]int{}
	for _, ev := range events {
		if ev.Kind == EventWaiting && ev.Message == startingChromium {
			continue // said only when Chromium's launch, begun with the run, has not ended yet
		}
		kinds[ev.Kind]++
	}
	if kinds[EventStepStarted] != 5 || kinds[EventStepFinished] != 5 || kinds[EventFinished] != 1 || kinds[EventWaiting] != 1 || kinds[EventCall] != 4+keyFetches || kinds[EventLink] == 0 {
		t.Errorf("event counts = %v", kinds)
	}
	for _, ev := range events {
		if ev.Link != nil && ev.Link.PublicToken != "" {
			t.Error("a published Link event carries the public_token")
		}
	}
}

func TestInvalidTokenEndToEndAuto(t *testing.T) {
	headlesstest.Need(t)
	env := newTestEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env, "invalid-token", nil)
	if !rep.OK {
		t.Fatalf("invalid-token failed: %s (%v)", rep.Error, stepNames(rep))
	}
	calls := checkCallsHaveRequestIDs(t, env.Store, rep.RunID)
	tokens := map[string]bool{}
	for _, e := range calls {
		if e.Call.Endpoint == "/link/token/create" && e.Call.HTTPStatus == 200 {
			tokens[e.Call.RequestID] = true
		}
	}
	if len(tokens) != 2 {
		t.Errorf("recorded %d successful /link/token/create calls, want 2", len(tokens))
	}
	invalid := entries(t, env.Store, store.Filter{SessionID: rep.RunID, ErrorCode: "INVALID_LINK_TOKEN", Kind: store.KindEvent})
	exits := 0
	for _, e := range invalid {
		if e.Event.Kind == store.EventKindExit {
			exits++
		}
	}
	if exits != 1 {
		t.Errorf("recorded %d onExit INVALID_LINK_TOKEN, want exactly 1", exits)
	}
	// The report's timeline: both tokens (masked, distinct), both request
	// ids, two link sessions.
	var masked, reqIDs, sessions []string
	for _, e := range rep.Timeline {
		if strings.HasPrefix(e.What, "link_token #") {
			masked = append(masked, e.Token)
			reqIDs = append(reqIDs, e.RequestID)
		}
		if e.What == "Link session started" {
			sessions = append(sessions, e.LinkSessionID)
		}
	}
	if len(masked) != 2 || masked[0] == masked[1] || !strings.Contains(masked[0], "…") || reqIDs[0] == "" || reqIDs[1] == "" || reqIDs[0] == reqIDs[1] {
		t.Errorf("timeline tokens %v, request ids %v", masked, reqIDs)
	}
	if len(sessions) != 2 || sessions[0] == sessions[1] {
		t.Errorf("timeline link sessions = %v, want 2 distinct", sessions)
	}
	var whats []string
	for _, e := range rep.Timeline {
		whats = append(whats, e.What)
	}
	order := []string{"link_token #1 created", "onExit INVALID_LINK_TOKEN", "page: handler.destroy(), then a new link_token",
		"link_token #2 created", "onSuccess", "public_token exchanged for an access_token"}
	if got := slices.DeleteFunc(slices.Clone(whats), func(w string) bool { return !slices.Contains(order, w) }); !slices.Equal(got, order) {
		t.Errorf("timeline reads %q, want %q", got, order)
	}
	for _, tok := range masked {
		for id := range tokens {
			if strings.Contains(tok, id) {
				t.Errorf("token %q looks unmasked", tok)
			}
		}
	}
}

func TestUpdateModeEndToEndAuto(t *testing.T) {
	headlesstest.Need(t)
	env := newTestEnv(t, BrowserAuto)
	f, _ := FlowByName("update-mode")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	webhooks := make(chan WebhookReceived, 10)
	finished := make(chan struct{})
	go func() {
		defer close(webhooks)
		for ev := range r.Events() {
			if ev.Kind == EventWebhook {
				webhooks <- *ev.Webhook
			}
			if ev.Kind == EventFinished {
				close(finished)
			}
		}
	}()
	rep := r.RunAll(testwait.Context(t))
	if !rep.OK {
		t.Fatalf("update-mode failed: %s (%v)", rep.Error, stepNames(rep))
	}
	// The ERROR (reset_login) and LOGIN_REPAIRED (repair) webhooks arrive
	// on their own schedule: wait for both.
	got := map[string]bool{}
	deadline, after := testwait.Timer(t)
	for !got["ERROR"] || !got["LOGIN_REPAIRED"] {
		select {
		case wh := <-webhooks:
			if wh.ItemID != rep.ItemID {
				t.Errorf("webhook for item %s, want %s", wh.ItemID, rep.ItemID)
			}
			if !strings.HasPrefix(wh.Signature, "verified (kid ") {
				t.Errorf("webhook %s: signature %q, want verified", wh.WebhookCode, wh.Signature)
			}
			got[wh.WebhookCode] = true
		case <-deadline:
			t.Fatalf("gave up %s waiting for the ERROR and LOGIN_REPAIRED webhooks; received: %v", after, got)
		}
	}
	testwait.Recv(t, finished, "the run's EventFinished")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	checkCallsHaveRequestIDs(t, env.Store, rep.RunID)
	stored := entries(t, env.Store, store.Filter{SessionID: rep.RunID, Kind: store.KindWebhook})
	if len(stored) < 2 {
		t.Errorf("stored %d webhooks, want ERROR and LOGIN_REPAIRED", len(stored))
	}
	for _, e := range stored {
		if e.Status() != "verified" {
			t.Errorf("stored webhook %s: signature %q, want verified", e.Webhook.WebhookCode, e.Webhook.Signature)
		}
		// The Plaid-Verification header is kept, and decodes.
		if vc, err := DecodeVerification(e.Webhook.Verification); err != nil || vc.Alg != "ES256" || vc.Kid == "" ||
			vc.IssuedAt.IsZero() || len(vc.RequestBodySHA256) != 64 {
			t.Errorf("stored webhook %s: Plaid-Verification %q decodes to %+v, %v", e.Webhook.WebhookCode, e.Webhook.Verification, vc, err)
		}
	}
	// The key that verified them was fetched in the run, with a request_id.
	keyCalls := 0
	for _, e := range entries(t, env.Store, store.Filter{SessionID: rep.RunID, Kind: store.KindCall}) {
		if e.Call.Endpoint == "/webhook_verification_key/get" && e.Call.HTTPStatus == 200 && e.Call.RequestID != "" {
			keyCalls++
		}
	}
	if keyCalls == 0 {
		t.Error("no /webhook_verification_key/get call in the run's session")
	}
	// The expected ITEM_LOGIN_REQUIRED of /accounts/get is a step that
	// succeeds, and its error is in the report.
	for _, s := range rep.Steps {
		if s.Name == "accounts-get-error" && (s.Status != "ok" || s.ErrorCode != itemLoginRequired || s.HTTPStatus != 400) {
			t.Errorf("accounts-get-error step = %+v", s)
		}
	}
	it, err := env.Store.Item(context.Background(), rep.ItemID)
	if err != nil || it.Status != store.ItemHealthy {
		t.Errorf("Item after the repair = %+v, %v", it, err)
	}
	// No exchange after update mode: the only exchange is pick-item's.
	exchanges := entries(t, env.Store, store.Filter{SessionID: rep.RunID, Text: "exchange"})
	if len(exchanges) != 1 {
		t.Errorf("%d exchanges recorded, want 1 (the new Item's, none after update mode)", len(exchanges))
	}
}

func TestUpdateModeReusesStoredItemAndForgetsStaleOnes(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	f, _ := FlowByName("update-mode")
	pick := func() (*Run, *StepResult) {
		r, err := env.NewRun(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r, r.Next(ctx)
	}
	r1, res := pick()
	if res.Status != StatusOK {
		t.Fatalf("pick-item: %s", res.Error)
	}
	first := r1.ItemID()
	r2, res := pick()
	if res.Status != StatusOK || r2.ItemID() != first {
		t.Fatalf("second pick-item = %q (%s), want the stored Item %q", r2.ItemID(), res.Error, first)
	}
	if slices.ContainsFunc(res.Calls, func(c Call) bool { return c.Endpoint == "/sandbox/public_token/create" }) {
		t.Error("the second run made a new Item instead of reusing the stored one")
	}
	if !slices.ContainsFunc(res.Calls, func(c Call) bool { return c.Endpoint == "/item/webhook/update" }) {
		t.Error("the reused Item's webhook was not pointed at this process")
	}
	// After an emulator reset the stored Item is gone: it is marked
	// removed and a new one is made.
	if err := env.Control.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	r3, res := pick()
	if res.Status != StatusOK || r3.ItemID() == first {
		t.Fatalf("pick-item after a reset = %q (%s)", r3.ItemID(), res.Error)
	}
	it, err := env.Store.Item(ctx, first)
	if err != nil || it.Status != store.ItemRemoved {
		t.Errorf("stale Item = %+v, %v; want status removed", it, err)
	}
}

func TestStepControls(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	c := collect(r)
	if res := r.Next(ctx); res.Status != StatusOK || r.Current() != 1 {
		t.Fatalf("create: %+v, current %d", res, r.Current())
	}
	tok1, exp := r.LinkToken()
	if !strings.HasPrefix(tok1, "link-sandbox-…") || time.Until(exp) < 3*time.Hour {
		t.Errorf("LinkToken = %q, %v", tok1, exp)
	}
	r.Back()
	if r.Current() != 0 {
		t.Fatalf("after Back, current = %d", r.Current())
	}
	if res := r.Next(ctx); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	if tok2, _ := r.LinkToken(); tok2 == tok1 {
		t.Error("running the create step again kept the old token")
	}
	r.Skip()
	if r.Current() != 2 || r.Result(1).Status != StatusSkipped {
		t.Fatalf("after Skip: current %d, result %+v", r.Current(), r.Result(1))
	}
	res := r.Next(ctx)
	if res.Status != StatusFailed || !errors.Is(res.Err, errNoPublicToken) || r.Current() != 2 {
		t.Fatalf("exchange without Link: %+v", res)
	}
	if res := r.Retry(ctx); res.Status != StatusFailed || r.Current() != 2 {
		t.Fatalf("Retry: %+v", res)
	}
	if r.Done() || r.Report().OK {
		t.Error("a failed run reports done or ok")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Next(ctx) != nil {
		t.Error("Next after Close ran a step")
	}
	events := c.wait(t)
	finished := 0
	for _, ev := range events {
		if ev.Kind == EventStepFinished {
			finished++
		}
	}
	if finished != 5 { // create, create, skip, exchange, retry
		t.Errorf("%d step_finished events, want 5", finished)
	}
	sess, _ := env.Store.Session(ctx, r.ID())
	// Closed mid-run (the user quit): cancelled, and not summarised by the
	// earlier attempt's error (issue 12, item 9).
	if sess.Status != store.SessionCancelled || strings.Contains(sess.Summary, "no public_token") ||
		!strings.Contains(sess.Summary, "cancelled at step 3 of ") {
		t.Errorf("session = %+v, want cancelled at step 3 without the stale error", sess)
	}
}

func TestTokenRequestEditAndPlaidError(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tr := r.TokenRequest()
	if tr.Webhook != env.WebhookURL() || tr.ClientUserID == "" || !slices.Equal(tr.CountryCodes, []string{"US"}) {
		t.Errorf("default token request = %+v", tr)
	}
	// An empty client_user_id goes to Plaid like any bad value: Plaid's own
	// error is the lesson (issue 12, item 14).
	bad := tr
	bad.ClientUserID = "  "
	if err := r.SetTokenRequest(bad); err != nil || !r.TokenRequestEdited() {
		t.Fatalf("empty client_user_id refused locally: %v", err)
	}
	if res := r.Next(ctx); res.Status != StatusFailed || res.ErrorCode != "MISSING_FIELDS" || res.RequestID == "" {
		t.Fatalf("empty client_user_id: %+v", res)
	}
	tr.Products = []string{" Balance "}
	if err := r.SetTokenRequest(tr); err != nil {
		t.Fatal(err)
	}
	res := r.Next(ctx)
	var ae *APIError
	if res.Status != StatusFailed || !errors.As(res.Err, &ae) || res.ErrorCode != "INVALID_PRODUCT" ||
		res.HTTPStatus != 400 || res.RequestID == "" || !strings.Contains(res.Error, res.RequestID) {
		t.Fatalf("balance product: %+v", res)
	}
	tr.Products = []string{"auth"}
	if err := r.SetTokenRequest(tr); err != nil {
		t.Fatal(err)
	}
	if res := r.Retry(ctx); res.Status != StatusOK || r.Current() != 1 {
		t.Fatalf("retry after the fix: %+v", res)
	}
}

func TestCancelWhileWaitingForLink(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Next(testwait.Context(t)); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	ctx, cancel := context.WithCancel(testwait.Context(t))
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	url := nextEvent(t, r, "the Link step's waiting event", func(ev Event) bool { return ev.Kind == EventWaiting }).URL
	if url == "" || url != r.PageURL() || !strings.Contains(url, "/link/") {
		t.Fatalf("waiting URL %q, PageURL %q", url, r.PageURL())
	}
	r.Skip() // ignored while the step runs
	cancel()
	res, _ := testwait.Recv(t, results, "the cancelled Link step to return")
	if res.Status != StatusFailed || !errors.Is(res.Err, context.Canceled) || r.Current() != 1 {
		t.Fatalf("cancelled wait: %+v (current %d)", res, r.Current())
	}
	if r.PageURL() != "" {
		t.Error("the page is still open after the step ended")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	sess, _ := env.Store.Session(context.Background(), r.ID())
	if sess.Status != store.SessionCancelled {
		t.Errorf("session status = %s, want cancelled", sess.Status)
	}
}

func TestPlaidModeAuto(t *testing.T) {
	env := newTestEnvMode(t, BrowserAuto, ModePlaid)
	if env.Control != nil || env.WebhookURL() != "" {
		t.Fatal("plaid mode has the control API or a loopback webhook")
	}
	rep, _ := runFlow(t, env, "quickstart", nil)
	if !rep.OK {
		t.Fatalf("quickstart: %s", rep.Error)
	}
	open := rep.Steps[1]
	if open.Endpoint != "/sandbox/public_token/create" || open.RequestID == "" {
		t.Errorf("open-link against Plaid with auto = %+v", open)
	}
	for _, tc := range []struct{ flow, step, want string }{
		{"update-mode", "open-link-update", "needs a person"},
		{"invalid-token", "open-link-recover", "needs a person"},
	} {
		rep, _ := runFlow(t, env, tc.flow, nil)
		failed := rep.Steps[slices.IndexFunc(rep.Steps, func(s StepReport) bool { return s.Status == "failed" })]
		if rep.OK || failed.Name != tc.step || !strings.Contains(failed.Error, tc.want) {
			t.Errorf("%s: failed step %+v", tc.flow, failed)
		}
	}
	f, _ := FlowByName("invalid-token")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Next(testwait.Context(t))
	if _, err := r.ExpireLinkToken(context.Background()); err == nil || !strings.Contains(err.Error(), "emulated mode") {
		t.Errorf("ExpireLinkToken against Plaid: %v", err)
	}
}

// TestSystemBrowserFailureKeepsWaiting: when no browser can be opened, the
// step says so with the URL, and keeps waiting until cancelled.
func TestSystemBrowserFailureKeepsWaiting(t *testing.T) {
	env := newTestEnv(t, BrowserSystem)
	t.Setenv("PATH", t.TempDir()) // no xdg-open, no browser
	t.Setenv("DISPLAY", ":0")     // a display, but no opener
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(testwait.Context(t)); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	ctx, cancel := context.WithCancel(testwait.Context(t))
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	ev := nextEvent(t, r, "the Link step's waiting event", func(ev Event) bool { return ev.Kind == EventWaiting })
	if !strings.Contains(ev.Message, "could not open a browser") || !strings.Contains(ev.Message, ev.URL) || !strings.Contains(ev.Message, "waiting") {
		t.Errorf("waiting message = %q", ev.Message)
	}
	select {
	case res := <-results:
		t.Fatalf("the step ended before it was cancelled: %+v", res)
	default:
	}
	cancel()
	if res, _ := testwait.Recv(t, results, "the cancelled Link step to return"); res.Status != StatusFailed {
		t.Errorf("after cancel: %+v", res)
	}
	if _, err := r.OpenPage(context.Background()); err == nil || !strings.Contains(err.Error(), "no Link page is open") {
		t.Errorf("OpenPage with no page: %v", err)
	}
}

// TestSystemBrowserWithoutDisplay: --browser system on a machine with no
// display (no DISPLAY, WAYLAND_DISPLAY or BROWSER, and the opener fails)
// says so and offers --browser auto, both when the step opens Link and
// when o opens it again.
func TestSystemBrowserWithoutDisplay(t *testing.T) {
	env := newTestEnv(t, BrowserSystem)
	t.Setenv("PATH", t.TempDir())
	for _, v := range []string{"DISPLAY", "WAYLAND_DISPLAY", "BROWSER"} {
		t.Setenv(v, "")
	}
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(testwait.Context(t)); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	ctx, cancel := context.WithCancel(testwait.Context(t))
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	ev := nextEvent(t, r, "the Link step's waiting event", func(ev Event) bool { return ev.Kind == EventWaiting })
	for _, want := range []string{"no display for --browser system", "--browser auto", ev.URL} {
		if !strings.Contains(ev.Message, want) {
			t.Errorf("waiting message %q does not say %q", ev.Message, want)
		}
	}
	if _, err := r.OpenPage(ctx); err == nil || !strings.Contains(err.Error(), "no display") || !strings.Contains(err.Error(), "--browser auto") {
		t.Errorf("OpenPage without a display: %v", err)
	}
	cancel()
	testwait.Recv(t, results, "the cancelled Link step to return")
}
