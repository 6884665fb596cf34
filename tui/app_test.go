package tui

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// TestQuickstartThroughTheApp drives the whole app through the quickstart
// against the emulator, Link completed by the emulated Link's autopilot in
// headless Chromium, and checks the final screen and the store.
func TestQuickstartThroughTheApp(t *testing.T) {
	headlesstest.Need(t)
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserAuto}).Env
	m := New(Options{Env: env, ExportDir: t.TempDir(), Clipboard: &strings.Builder{}})
	s := startScreen(t, m, 100, 30).waitFor("Quickstart")
	s.send(keyMsg("enter")).waitFor("run: Create a link_token")
	s.send(keyMsg("enter")).waitFor("step 2 of 5", "run: Open Link")
	s.send(keyMsg("enter")).waitFor("step 3 of 5", "HANDOFF")
	s.send(keyMsg("enter")).waitFor("step 4 of 5")
	s.send(keyMsg("enter")).waitFor("step 5 of 5")
	// The run summary opens by itself once the run has ended in the log
	// (one wait: teatest reads each frame once, and the summary's first
	// frame can come with the run's last).
	s.send(keyMsg("enter")).waitFor("Run summary", "quickstart: ok in", "Link onSuccess: the user linked their accounts", "REQUEST_IDS")
	s.send(keyMsg("esc")).waitFor("✓ Verify: /auth/get")
	s.send(keyMsg("tab")).waitFor("/auth/get")
	a := s.final().(*app)

	if !a.flow.finished || a.active != screenLog {
		t.Fatalf("finished %v, screen %v", a.flow.finished, a.active)
	}
	v := plain(a.flow.View())
	for _, want := range []string{"✓ Create a link_token", "✓ Open Link", "✓ Exchange the public_token", "✓ Verify: /auth/get", "✓ Quickstart finished"} {
		if !strings.Contains(v, want) {
			t.Errorf("the final Flow screen lacks %q:\n%s", want, v)
		}
	}
	checkQuickstartStore(t, env.Store, a.flow.runID)
}

// checkQuickstartStore checks what the run left in the session log: a
// session ended ok, each call with its request_id, Link's onSuccess, and
// a healthy Item.
func checkQuickstartStore(t *testing.T, st *store.Store, runID string) {
	t.Helper()
	ctx := context.Background()
	sess := waitForSessionEnd(t, st, runID)
	if sess.Status != store.SessionOK || sess.Kind != "flow:quickstart" {
		t.Errorf("session %s: kind %s, status %s (%s)", runID, sess.Kind, sess.Status, sess.Summary)
	}
	page, err := st.Entries(ctx, store.Query{Filter: store.Filter{SessionID: runID}, Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range page.Entries {
		seen[e.Title()] = true
		if e.Call != nil && e.RequestID() == "" {
			t.Errorf("call %s has no request_id", e.Title())
		}
	}
	for _, want := range []string{"POST /link/token/create", "onSuccess", "POST /item/public_token/exchange", "POST /accounts/get", "POST /auth/get"} {
		if !seen[want] {
			t.Errorf("the log of the run lacks %s", want)
		}
	}
	items, err := st.Items(ctx)
	if err != nil || len(items) != 1 || items[0].Status != store.ItemHealthy {
		t.Errorf("Items after the quickstart: %+v, %v", items, err)
	}
}

// waitForSessionEnd waits for the run's session to end: the app closes
// the run in a command once the flow finished. It fails the test when the
// session is still running at the end of the test's budget.
func waitForSessionEnd(t *testing.T, st *store.Store, id string) store.Session {
	t.Helper()
	var sess store.Session
	testwait.Until(t, "session "+id+" to end", func() (bool, string) {
		var err error
		if sess, err = st.Session(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		return sess.Status != store.SessionRunning, "status " + string(sess.Status)
	})
	return sess
}

// TestRequestsFromYourOwnApp checks that a request another app sends to
// the emulator lands in the session log, and linkexplorer's own do not
// twice.
func TestRequestsFromYourOwnApp(t *testing.T) {
	kit := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone})
	env, emuURL := kit.Env, kit.EmulatorURL
	ctx := context.Background()
	sess, err := env.Store.StartSession(ctx, "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"client_id":"my-own-app","secret":"my-own-secret-000001","institution_id":"ins_109508","country_codes":["US"]}`
	resp, err := http.Post(emuURL+"/institutions/get_by_id", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	own := `{"client_id":"` + env.Config.ClientID + `","secret":"x","institution_id":"ins_109508","country_codes":["US"]}`
	if resp, err = http.Post(emuURL+"/institutions/get_by_id", "application/json", strings.NewReader(own)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	a := sized(Options{Env: env, SessionID: sess.ID})
	// Home says where the app finds the emulator.
	home := plain(a.View())
	for _, want := range []string{"YOUR OWN APP", "Plaid API " + emuURL, "/link/v2/stable/link-initialize.js"} {
		if !strings.Contains(home, want) {
			t.Errorf("Home does not show %q:\n%s", want, home)
		}
	}
	polled := exec[ownRequestsPolledMsg](t, a.poller.init())
	if polled.err != nil || polled.added != 1 || polled.since == 0 {
		t.Fatalf("poll: %+v", polled)
	}
	a.Update(polled)
	if !strings.Contains(plain(a.View()), "1 request from your own app") {
		t.Errorf("Home does not count the request:\n%s", plain(a.View()))
	}
	page, err := env.Store.Entries(ctx, store.Query{Filter: store.Filter{SessionID: sess.ID}, Bodies: true})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("entries of the app session: %d, %v", len(page.Entries), err)
	}
	e := page.Entries[0]
	if e.Source() != store.SourceApp || e.Title() != "POST /institutions/get_by_id" || e.RequestID() == "" {
		t.Errorf("recorded %s from %s with request_id %q", e.Title(), e.Source(), e.RequestID())
	}
	if strings.Contains(string(e.Call.RequestBody), "my-own-secret-000001") {
		t.Errorf("the app's secret reached the log: %s", e.Call.RequestBody)
	}
	again := exec[ownRequestsPolledMsg](t, pollOwnRequests(env.Control, env.Store, sess.ID, env.Config.ClientID, polled.since))
	if again.added != 0 {
		t.Errorf("a second poll recorded %d requests again", again.added)
	}
}

// TestPollFailureIsReportedOnce checks that a poller losing the emulator
// says so once, not every two seconds.
func TestPollFailureIsReportedOnce(t *testing.T) {
	p := &ownAppPoller{c: newCommon(Options{})}
	failed := ownRequestsPolledMsg{err: errors.New("connection refused")}
	if countFailures(t, p.update(failed)) != 1 || countFailures(t, p.update(failed)) != 0 {
		t.Error("a failing poll must be reported once")
	}
	p.update(ownRequestsPolledMsg{})
	if countFailures(t, p.update(failed)) != 1 {
		t.Error("a failure after a recovery must be reported again")
	}
}

// countFailures runs cmd (and, when it is a batch, its commands) and
// counts the failures it reports; the timer of the next poll counts for
// nothing.
func countFailures(t *testing.T, cmd tea.Cmd) int {
	t.Helper()
	msgs := runAll(t, []tea.Cmd{cmd})
	if batch, ok := msgs[0].(tea.BatchMsg); ok {
		msgs = runAll(t, batch)
	}
	n := 0
	for _, m := range msgs {
		if _, ok := m.(failedMsg); ok {
			n++
		}
	}
	return n
}

// TestExpireKeyExpiresTheToken runs the first step of a real run, then
// expires its link_token with x, through the emulator's control API.
func TestExpireKeyExpiresTheToken(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	a := sized(Options{Env: env, Flows: flows.Flows()})
	f := a.home.flows[2] // invalid-token
	a.Update(flowStartConfirmedMsg{flow: f})
	started := exec[runStartedMsg](t, startRun(context.Background(), env, f, flows.RunOptions{}))
	a.Update(started)
	t.Cleanup(func() { started.run.Close() })
	if press(a, "x") != nil {
		t.Fatal("x works before a link_token exists")
	}
	a.Update(exec[stepFinishedMsg](t, press(a, "enter")))
	if a.flow.snap.linkToken == "" || a.flow.busy {
		t.Fatalf("after the first step: token %q, busy %v", a.flow.snap.linkToken, a.flow.busy)
	}
	note := exec[notifiedMsg](t, press(a, "x"))
	if !strings.Contains(string(note), "expired now") || !strings.Contains(string(note), "No Link page is open") {
		t.Errorf("x reported %q, want what it did and what happens with no page open", note)
	}
	// The header stops counting down the expired token (issue 12, item 6).
	a.Update(runMovedMsg{runID: started.runID, snap: started.run.snapshot()})
	if head := plain(a.flow.headerView()); !strings.Contains(head, "expired") || strings.Contains(head, "expires in") {
		t.Errorf("after x the header says %q", head)
	}
}

// TestStopEndsTheRunInFlight checks that a program ended by a signal
// leaves no run open: Stop cancels and closes it, ending its session.
func TestStopEndsTheRunInFlight(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	a := sized(Options{Env: env, Flows: flows.Flows()})
	f := a.home.flows[0]
	a.Update(flowStartConfirmedMsg{flow: f})
	a.Update(exec[runStartedMsg](t, startRun(context.Background(), env, f, flows.RunOptions{})))
	a.Update(exec[stepFinishedMsg](t, press(a, "enter")))
	if err := Stop(a); err != nil {
		t.Fatal(err)
	}
	if sess := waitForSessionEnd(t, env.Store, a.flow.runID); sess.Status == store.SessionRunning {
		t.Errorf("the run's session is still running after Stop")
	}
	if err := Stop(a); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
}

// TestEachRunNumbersItsOwnSnapshots runs two real runs one after the other
// on the flow screen: the second run's snapshots count from 1 again (no
// counter is shared between runs), and its first snapshot is shown although
// the first run's last one had a higher number.
func TestEachRunNumbersItsOwnSnapshots(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	a := sized(Options{Env: env, Flows: flows.Flows()})
	f := a.home.flows[0]
	a.Update(flowStartConfirmedMsg{flow: f})
	first := exec[runStartedMsg](t, startRun(context.Background(), env, f, flows.RunOptions{}))
	t.Cleanup(func() { first.run.Close() })
	a.Update(first)
	a.Update(exec[stepFinishedMsg](t, press(a, "enter")))
	if got := a.flow.snap.seq; got < 2 || a.flow.snap.current != 1 {
		t.Fatalf("after the first run's first step: snapshot #%d at step %d, want #2 or later at step 1", got, a.flow.snap.current)
	}

	a.Update(flowStartConfirmedMsg{flow: f})
	second := exec[runStartedMsg](t, startRun(context.Background(), env, f, flows.RunOptions{}))
	t.Cleanup(func() { second.run.Close() })
	if second.snap.seq != 1 {
		t.Errorf("the second run's first snapshot is #%d, want #1", second.snap.seq)
	}
	a.Update(second)
	if a.flow.run != second.run || a.flow.snap.seq != 1 || a.flow.snap.current != 0 {
		t.Fatalf("the second run is not shown: run %p (want %p), snapshot #%d at step %d",
			a.flow.run, second.run, a.flow.snap.seq, a.flow.snap.current)
	}
}

// TestMistakeKeyTogglesTheOAuthMistake: on the oauth flow, m switches the
// deliberate mistake of its run (and says what it does); on other flows m
// does nothing.
func TestMistakeKeyTogglesTheOAuthMistake(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	a := sized(Options{Env: env, Flows: flows.Flows()})
	var oauth, quick *flows.Flow
	for _, f := range a.home.flows {
		switch f.Name {
		case "oauth":
			oauth = f
		case "quickstart":
			quick = f
		}
	}
	start := func(f *flows.Flow) *liveRun {
		a.Update(flowStartConfirmedMsg{flow: f})
		started := exec[runStartedMsg](t, startRun(context.Background(), env, f, flows.RunOptions{}))
		a.Update(started)
		t.Cleanup(func() { started.run.Close() })
		return started.run
	}
	run := start(quick)
	if press(a, "m") != nil || run.OAuthMistake() {
		t.Fatal("m works on the quickstart")
	}
	run = start(oauth)
	note := exec[notifiedMsg](t, press(a, "m"))
	if !run.OAuthMistake() || !strings.Contains(string(note), "without receivedRedirectUri") {
		t.Fatalf("m on the oauth flow: mistake %v, note %q", run.OAuthMistake(), note)
	}
	offered := false
	for _, b := range a.flow.ShortHelp() {
		offered = offered || b.Help().Key == "m"
	}
	if !offered {
		t.Error("the footer does not offer m on the oauth flow")
	}
	exec[notifiedMsg](t, press(a, "m"))
	if run.OAuthMistake() {
		t.Error("a second m must switch the mistake off")
	}
}
