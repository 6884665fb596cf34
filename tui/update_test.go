package tui

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/charmbracelet/bubbles/key"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// Unit tests of Update: keys and messages in, model state and commands out.

// sized is a test app with a 100×30 terminal.
func sized(opts Options) *app {
	a := newTestApp(opts)
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return a
}

// press sends keys to the app and returns the last command.
func press(a *app, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = a.Update(keyMsg(k))
	}
	return cmd
}

// exec runs a command and returns its message, expanding batches into the
// first message of the wanted type. Each command runs within the test's
// budget: one that never returns fails the test instead of hanging it.
func exec[T tea.Msg](t *testing.T, cmd tea.Cmd) T {
	t.Helper()
	var zero T
	if cmd == nil {
		t.Fatalf("no command, want one producing %T", zero)
	}
	run := func(c tea.Cmd) tea.Msg { return runAll(t, []tea.Cmd{c})[0] }
	switch msg := run(cmd).(type) {
	case T:
		return msg
	case tea.BatchMsg:
		for _, c := range msg {
			if c == nil {
				continue
			}
			if m, ok := run(c).(T); ok {
				return m
			}
		}
	}
	t.Fatalf("the command produced no %T", zero)
	return zero
}

func TestHomeSelectsAndOpens(t *testing.T) {
	a := sized(Options{})
	press(a, "up")
	if a.home.cursor != 0 {
		t.Fatalf("up at the top moved the cursor to %d", a.home.cursor)
	}
	chosen := exec[flowChosenMsg](t, press(a, "down", "enter"))
	if chosen.flow.Name != "update-mode" {
		t.Errorf("enter on the second row chose %q, want update-mode", chosen.flow.Name)
	}
	press(a, "down", "down", "down", "down", "up") // the last row is the migration audit
	if a.home.cursor != len(a.home.flows) {
		t.Fatalf("the cursor stopped at %d, want the session log row %d", a.home.cursor, len(a.home.flows))
	}
	if nav := exec[navigatedMsg](t, press(a, "enter")); nav.to != screenLog {
		t.Errorf("enter on the session log row navigates to %v", nav.to)
	}
	a.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if a.home.cursor != len(a.home.flows)-1 {
		t.Errorf("the mouse wheel did not move the selection up: cursor %d", a.home.cursor)
	}
}

func TestTabVisitsTheScreens(t *testing.T) {
	a := sized(Options{})
	var seen []screenID
	for range 3 {
		press(a, "tab")
		seen = append(seen, a.active)
	}
	if want := []screenID{screenLog, screenHome, screenLog}; !equalScreens(seen, want) {
		t.Errorf("tab without a flow visits %v, want %v", seen, want)
	}
	onFlow(a, a.home.flows[0])
	a.active = screenHome
	seen = nil
	for range 3 {
		press(a, "tab")
		seen = append(seen, a.active)
	}
	if want := []screenID{screenFlow, screenLog, screenHome}; !equalScreens(seen, want) {
		t.Errorf("tab with a flow visits %v, want %v", seen, want)
	}
	press(a, "tab")
	if exec[navigatedMsg](t, press(a, "esc")).to != screenHome {
		t.Error("esc on the Flow screen does not go Home")
	}
}

func equalScreens(a, b []screenID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestChoosingAFlowStartsIt(t *testing.T) {
	a := sized(Options{})
	f := a.home.flows[0]
	start := exec[flowStartConfirmedMsg](t, a.chooseFlow(f, flows.RunOptions{}))
	_, cmd := a.Update(start)
	if a.active != screenFlow || a.flow.flow != f {
		t.Fatalf("after choosing %s the app shows %v with flow %v", f.Name, a.active, a.flow.flow)
	}
	if a.flow.startErr == nil || !strings.Contains(plain(a.View()), "could not start") {
		t.Errorf("without an Env the run must fail to start visibly; view:\n%s", plain(a.View()))
	}
	_ = cmd
}

func TestChoosingAnotherFlowMidwayAsks(t *testing.T) {
	a := sized(Options{})
	midway(a)
	ask := exec[confirmationAskedMsg](t, a.chooseFlow(a.home.flows[2], flows.RunOptions{}))
	if !strings.Contains(ask.question, "Abandon it and start Invalid link_token recovery") {
		t.Errorf("question: %q", ask.question)
	}
	a.active = screenHome
	if a.chooseFlow(a.home.flows[0], flows.RunOptions{}); a.active != screenFlow {
		t.Error("choosing the flow in flight does not resume it")
	}
}

// midway puts a quickstart run on its second step.
func midway(a *app) {
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	a.Update(createFinished(createOK(), 1))
}

func TestQuitWhenIdleQuits(t *testing.T) {
	a := sized(Options{})
	confirmed := exec[quitConfirmedMsg](t, press(a, "q"))
	_, cmd := a.Update(confirmed)
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("quitting with no flow in flight does not quit")
	}
}

func TestQuitMidwayAsksFirst(t *testing.T) {
	a := sized(Options{})
	midway(a)
	ask := exec[confirmationAskedMsg](t, press(a, "q"))
	a.Update(ask)
	if !strings.Contains(plain(a.View()), "Quickstart is mid-way (step 2 of 4). Quit and abandon the") {
		t.Fatalf("no question on screen:\n%s", plain(a.View()))
	}
	if cmd := press(a, "n"); cmd != nil || a.confirm != nil {
		t.Fatal("n did not close the question")
	}
	a.Update(exec[confirmationAskedMsg](t, press(a, "ctrl+c")))
	exec[quitConfirmedMsg](t, press(a, "ctrl+c")) // ctrl+c twice quits
}

func TestHelpOpensAndCloses(t *testing.T) {
	a := sized(Options{})
	press(a, "?")
	if !a.showHelp || !strings.Contains(plain(a.View()), "EVERYWHERE") {
		t.Fatal("? did not open the help")
	}
	press(a, "?")
	if a.showHelp {
		t.Fatal("? did not close the help")
	}
	press(a, "?", "esc")
	if a.showHelp {
		t.Fatal("esc did not close the help")
	}
	// The footer says "q quit": q quits from the help too.
	press(a, "?")
	if !strings.Contains(plain(a.View()), "q quit") {
		t.Fatalf("the help's footer does not say q quit:\n%s", plain(a.View()))
	}
	exec[quitConfirmedMsg](t, press(a, "q"))
}

// TestHelpScrollsAndFooterKeepsItsKeys: at every size the help can be read
// to its last line, and the footer always shows "? help" and "q quit".
func TestHelpScrollsAndFooterKeepsItsKeys(t *testing.T) {
	for _, sz := range [][2]int{{60, 20}, {80, 24}, {120, 35}, {200, 50}} {
		a := sized(Options{})
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, scr := range []string{"home", "log"} {
			if scr == "log" {
				press(a, "tab")
			}
			foot := finalLine(plain(a.View()))
			if !strings.Contains(foot, "? help") || !strings.Contains(foot, "q quit") {
				t.Errorf("%dx%d %s: footer %q lacks ? help / q quit", sz[0], sz[1], scr, foot)
			}
		}
		press(a, "?")
		full := plain(helpView(a.c, a.screen(), a.active.String(), a.width))
		last := strings.TrimSpace(finalLine(full))
		for range 100 {
			if strings.Contains(plain(a.View()), last) {
				break
			}
			press(a, "down")
		}
		v := plain(a.View())
		if !strings.Contains(v, last) {
			t.Errorf("%dx%d: the help's last line %q cannot be scrolled to:\n%s", sz[0], sz[1], last, v)
		}
		if n := strings.Count(v, "\n") + 1; n != sz[1] {
			t.Errorf("%dx%d: the help view is %d lines", sz[0], sz[1], n)
		}
		if foot := finalLine(v); !strings.Contains(foot, "q quit") {
			t.Errorf("%dx%d help: footer %q lacks q quit", sz[0], sz[1], foot)
		}
		press(a, "g")
		if !strings.Contains(plain(a.View()), "Keys · ") {
			t.Errorf("%dx%d: g does not go back to the help's top", sz[0], sz[1])
		}
	}
}

func finalLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestShiftTabCyclesBack(t *testing.T) {
	a := sized(Options{})
	onFlow(a, a.home.flows[0])
	a.active = screenHome
	var seen []screenID
	for range 3 {
		press(a, "shift+tab")
		seen = append(seen, a.active)
	}
	if want := []screenID{screenLog, screenFlow, screenHome}; !equalScreens(seen, want) {
		t.Errorf("shift+tab with a flow visits %v, want %v", seen, want)
	}
}

func TestTooSmallAsksToEnlarge(t *testing.T) {
	a := sized(Options{})
	a.Update(tea.WindowSizeMsg{Width: 59, Height: 24})
	if !strings.Contains(plain(a.View()), "please enlarge") {
		t.Fatal("no enlarge message at 59 columns")
	}
	if cmd := press(a, "enter"); cmd != nil {
		t.Error("keys other than quit act while the terminal is too small")
	}
	exec[quitConfirmedMsg](t, press(a, "q"))
	a.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if v := a.View(); strings.Contains(plain(v), "enlarge") || strings.Count(v, "\n") != 19 {
		t.Errorf("at 60×20 the app must draw itself in 20 lines:\n%s", plain(v))
	}
}

func TestFormTakesTheKeys(t *testing.T) {
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	a.flow.run = &liveRun{Run: &flows.Run{}} // a run handle: commands are built, not run
	press(a, "e")
	if a.flow.form == nil {
		t.Fatal("e on an editable step did not open the form")
	}
	press(a, "tab", "tab", "tab")
	if cmd := press(a, "q", "?"); a.showHelp || a.confirm != nil {
		t.Fatalf("q and ? reached the app while the form was open (cmd %v)", cmd)
	}
	if got := a.flow.form.request().Webhook; got != "q?" {
		t.Errorf("typed into the webhook field: %q, want q?", got)
	}
	if press(a, "enter") == nil {
		t.Fatal("saving the form sends no command")
	}
	a.Update(runMovedMsg{runID: testRunID, snap: snapshot(5, 0, nil, nil, nil, nil), err: errors.New("client_user_id is required")})
	if a.flow.form == nil || !strings.Contains(plain(a.View()), "client_user_id is required") {
		t.Fatalf("a refused request must keep the form open with the reason:\n%s", plain(a.View()))
	}
	a.Update(runMovedMsg{runID: testRunID, snap: snapshot(6, 0, nil, nil, nil, nil)})
	if a.flow.form != nil {
		t.Fatal("an accepted request did not close the form")
	}
	press(a, "e", "esc")
	if a.flow.form != nil {
		t.Fatal("esc did not cancel the form")
	}
}

func TestFlowControlsFollowTheRun(t *testing.T) {
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	if cmd := press(a, "enter"); cmd != nil || a.flow.busy {
		t.Fatal("enter without a run handle must do nothing")
	}
	a.flow.run = &liveRun{Run: &flows.Run{}}
	if press(a, "r") != nil || press(a, "b") != nil {
		t.Error("retry and back work before the first step ran")
	}
	if press(a, "enter") == nil || !a.flow.busy || a.flow.busyStep != 0 {
		t.Fatal("enter did not run the first step")
	}
	if press(a, "enter") != nil || press(a, "s") != nil || press(a, "e") != nil {
		t.Error("controls work while a step runs")
	}
	a.Update(createFinished(createFailed(), 0))
	if a.flow.busy || a.flow.selected != 0 {
		t.Fatalf("after the step: busy %v, selected %d", a.flow.busy, a.flow.selected)
	}
	if press(a, "r") == nil || press(a, "b") != nil {
		t.Error("after a failure retry must work and back must not (first step)")
	}
	a.Update(createFinished(createOK(), 1))
	if a.flow.selected != 0 || !strings.Contains(plain(a.View()), "ReqTokenCreate1") {
		t.Error("the finished step's result is not shown")
	}
	if press(a, "b") == nil || press(a, "s") == nil || press(a, "e") != nil {
		t.Error("on the Link step: back and skip must work, edit must not")
	}
	press(a, "left")
	if a.flow.follow {
		t.Error("inspecting a step must stop following the run")
	}
}

func TestRunMessagesOfOtherRunsAreIgnored(t *testing.T) {
	a := sized(Options{})
	midway(a)
	before := a.flow.snap
	a.Update(stepFinishedMsg{runID: "another-run", result: createFailed(), snap: snapshot(99, 0, createFailed(), nil, nil, nil)})
	a.Update(runEventMsg{runID: "another-run", ev: flows.Event{Kind: flows.EventStepStarted, Step: "open-link"}})
	if a.flow.snap.seq != before.seq || a.flow.busy {
		t.Error("a message of another run changed the screen")
	}
	a.Update(runMovedMsg{runID: testRunID, snap: snapshot(1, 0, nil, nil, nil, nil)})
	if a.flow.snap.current != 1 {
		t.Error("an older snapshot replaced a newer one")
	}
}

func TestThePageURLIsNeverCutShort(t *testing.T) {
	a := sized(Options{})
	midway(a)
	for _, m := range linkOpened("open-link", 4) {
		a.Update(m)
	}
	const url = "http://127.0.0.1:43117/link/5d0c6a9e3b7f41d2a8e6c4b2f0a9d8e7"
	for _, w := range []int{90, 40, 20} {
		lines := a.flow.pageLines(w)
		var got strings.Builder
		for i, l := range lines {
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("width %d: line %d is %d cells wide: %q", w, i, lw, plain(l))
			}
			if i > 0 || len(lines) == 1 {
				got.WriteString(plain(l))
			}
		}
		if !strings.Contains(got.String(), url) {
			t.Errorf("width %d: the page URL is not whole in %q", w, got.String())
		}
		if a.flow.paneHeadLines() != 3+len(a.flow.pageLines(a.flow.paneWidth())) {
			t.Errorf("width %d: the viewport does not make room for the URL's lines", w)
		}
	}
}

func TestEventsDriveTheLinkStep(t *testing.T) {
	a := sized(Options{})
	midway(a)
	for _, m := range linkOpened("open-link", 4) {
		a.Update(m)
	}
	if !a.flow.busy || a.flow.selected != 1 {
		t.Fatalf("a started step must show a spinner on it: busy %v selected %d", a.flow.busy, a.flow.selected)
	}
	for _, m := range linkEvents("open-link") {
		a.Update(m)
	}
	v := plain(a.View())
	// The page URL is shown whole, however narrow the pane: a person may
	// have to type it into a browser.
	for _, want := range []string{"HANDOFF", "SELECT_INSTITUTION · First Platypus Bank", "http://127.0.0.1:43117/link/5d0c6a9e3b7f41d2a8e6c4b2f0a9d8e7"} {
		if !strings.Contains(v, want) {
			t.Errorf("the Link step does not show %q:\n%s", want, v)
		}
	}
	a.Update(runEvent(flows.EventStepFinished, "open-link", nil))
	if a.flow.busy {
		t.Error("the finished step still spins")
	}
}

func TestCountdownTicks(t *testing.T) {
	a := sized(Options{})
	midway(a)
	if !strings.Contains(plain(a.View()), "expires in 4h 00m 00s") {
		t.Fatalf("no countdown:\n%s", plain(a.View()))
	}
	a.Update(tickedMsg{id: a.flow.tickID, t: t0.Add(3*time.Hour + 58*time.Minute)})
	if !strings.Contains(plain(a.View()), "expires in 2m 00s") {
		t.Errorf("the countdown did not follow the clock:\n%s", plain(a.View()))
	}
	a.Update(tickedMsg{id: a.flow.tickID + 1000, t: t0.Add(5 * time.Hour)})
	if strings.Contains(plain(a.View()), "expired") {
		t.Error("a tick of another timer moved the countdown")
	}
	a.Update(tickedMsg{id: a.flow.tickID, t: t0.Add(5 * time.Hour)})
	if !strings.Contains(plain(a.View()), "link_token link-sandbox-…8176 · expired") {
		t.Errorf("an expired token is not marked:\n%s", plain(a.View()))
	}
}

func TestCopyRequestIDWithOSC52(t *testing.T) {
	var clip bytes.Buffer
	a := sized(Options{Clipboard: &clip})
	midway(a)
	note := exec[notifiedMsg](t, press(a, "c"))
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("ReqTokenCreate1")) + "\a"
	if clip.String() != want {
		t.Errorf("clipboard got %q, want %q", clip.String(), want)
	}
	a.Update(note)
	if !strings.Contains(plain(a.View()), "copied request_id ReqTokenCreate1") {
		t.Errorf("no notice:\n%s", plain(a.View()))
	}
	press(a, "down")
	if strings.Contains(plain(a.View()), "copied") {
		t.Error("the notice did not clear on the next key")
	}
}

func TestFailuresShowInTheFooterUntilTheNextKey(t *testing.T) {
	a := sized(Options{})
	a.Update(failedMsg{reason: "reading the Items", err: errors.New("disk I/O error")})
	if !strings.Contains(plain(a.View()), "✗ reading the Items: disk I/O error") {
		t.Fatalf("no error line:\n%s", plain(a.View()))
	}
	press(a, "down")
	if strings.Contains(plain(a.View()), "disk I/O error") {
		t.Error("the error did not clear on the next key")
	}
}

func TestWebhooksShowOnTheirStep(t *testing.T) {
	a := sized(Options{})
	midway(a)
	a.Update(runEvent(flows.EventWebhook, "", func(e *flows.Event) {
		e.Webhook = &flows.WebhookReceived{Time: at(3), WebhookType: "ITEM", WebhookCode: "WEBHOOK_UPDATE_ACKNOWLEDGED", ItemID: "M5eVJqLnv3tb"}
	}))
	a.Update(runEvent(flows.EventCall, "", func(e *flows.Event) {
		e.Call = &flows.Call{Time: at(3), Method: "POST", Endpoint: "/item/get", HTTPStatus: 200, RequestID: "ReqNotListed01"}
	}))
	v := plain(a.View())
	if !strings.Contains(v, "WEBHOOKS") || !strings.Contains(v, "15:04:08 webhook ITEM: WEBHOOK_UPDATE_ACKNOWLEDGED") || !strings.Contains(v, "M5eVJqLnv3tb") {
		t.Errorf("the webhook is not shown on the step that ran last:\n%s", v)
	}
	if strings.Contains(v, "ReqNotListed01") {
		t.Errorf("an API step lists a call twice:\n%s", v)
	}
}

// TestHomeOwnAppAlwaysShows: with many Items, at every size, "Your own
// app" and the full <script src> URL are on screen and the Items that do
// not fit are counted.
func TestHomeOwnAppAlwaysShows(t *testing.T) {
	const base = "http://127.0.0.1:45678"
	var items []store.Item
	for i := range 30 {
		items = append(items, store.Item{ItemID: fmt.Sprintf("item-%02d", i), InstitutionName: "First Platypus Bank", Status: store.ItemHealthy, Mode: store.ModeEmulated})
	}
	for _, sz := range [][2]int{{60, 20}, {80, 24}, {120, 35}, {200, 50}} {
		a := sized(Options{})
		a.c.control = &flows.Control{BaseURL: base}
		a.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		a.Update(itemsLoadedMsg{items: items})
		v := plain(a.View())
		for _, want := range []string{"YOUR OWN APP", base, base + "/link/v2/stable/link-initialize.js", "(all in the session log: linkexplorer log)"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: Home lacks %q:\n%s", sz[0], sz[1], want, v)
			}
		}
		// With a session log (its newest entry shown) and one Item, as
		// after a first quickstart: still all of "Your own app", and the
		// Item is not called "+1 more" when none is shown.
		a.Update(logSummaryLoadedMsg{count: 23, latest: &store.Entry{Call: &store.APICall{Method: "POST", Endpoint: "/auth/get", HTTPStatus: 200}}})
		a.Update(itemsLoadedMsg{items: items[:1]})
		v = plain(a.View())
		for _, want := range []string{"YOUR OWN APP", "Plaid API " + base, base + "/link/v2/stable/link-initialize.js"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d with a log and one Item: Home lacks %q:\n%s", sz[0], sz[1], want, v)
			}
		}
		if strings.Contains(v, "+1 more") && !strings.Contains(v, "item-00") {
			t.Errorf("%dx%d: Home says +1 more with no Item shown:\n%s", sz[0], sz[1], v)
		}
	}
}

// TestFooterKeepsEscBackWhenNarrow: where esc does something (the Flow
// screen, idle and mid-run), the footer keeps it, with ? help and q quit,
// at 60 columns, where the screen's other keys are cut; and esc does what
// the footer says. Home, where esc does nothing, does not show it.
func TestFooterKeepsEscBackWhenNarrow(t *testing.T) {
	for _, mid := range []bool{false, true} {
		a := sized(Options{})
		a.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
		if foot := finalLine(plain(a.View())); strings.Contains(foot, "esc") {
			t.Errorf("Home's footer %q offers esc, which does nothing there", foot)
		}
		if mid {
			midway(a)
		} else {
			onFlow(a, a.home.flows[0])
		}
		foot := finalLine(plain(a.View()))
		for _, want := range []string{"esc back", "? help", "q quit"} {
			if !strings.Contains(foot, want) {
				t.Errorf("midway=%v: the Flow screen's footer at 60 columns %q lacks %q", mid, foot, want)
			}
		}
		if w := lipgloss.Width(foot); w > 60 {
			t.Errorf("the footer is %d columns wide at 60: %q", w, foot)
		}
		if cmd := press(a, "esc"); cmd != nil {
			a.Update(cmd())
		}
		if a.active != screenHome {
			t.Errorf("midway=%v: esc on the Flow screen went to %v, not back Home", mid, a.active)
		}
	}
}

// TestFooterCutsTheMainKeyRatherThanDropIt: when even the first key (the
// screen's main one, "enter run: <step>") does not fit beside esc back,
// ? help and q quit, it is kept with its description cut.
func TestFooterCutsTheMainKeyRatherThanDropIt(t *testing.T) {
	a := sized(Options{})
	g := a.c.keys.Global
	run := a.c.keys.Flow.Run
	run.SetHelp("enter", "run: Open Link and wait for onSuccess")
	fixed := []key.Binding{g.Back, g.Help, g.Quit}
	foot := plain(fitFooter(a.help, []key.Binding{run, a.c.keys.Flow.Copy}, fixed, 60))
	if !strings.HasPrefix(foot, "enter run: Open") || !strings.Contains(foot, "…") || !strings.HasSuffix(foot, "esc back • ? help • q quit") {
		t.Errorf("footer at 60 columns: %q; want enter run: Open… cut, then esc back • ? help • q quit", foot)
	}
	if w := lipgloss.Width(foot); w > 60 {
		t.Errorf("the footer is %d columns wide at 60: %q", w, foot)
	}
	wide := plain(fitFooter(a.help, []key.Binding{run, a.c.keys.Flow.Copy}, fixed, 200))
	if !strings.Contains(wide, "enter run: Open Link and wait for onSuccess • c copy request_id • esc back") {
		t.Errorf("footer at 200 columns: %q", wide)
	}
}

// TestFlowHeaderKeepsTheRunID: whatever the flow's title and the width, the
// flow header shows the whole run id (what support asks for): the token
// view gives way first (whole, then the countdown alone), then the title.
// The countdown stays while the title keeps a dozen characters.
func TestFlowHeaderKeepsTheRunID(t *testing.T) {
	for _, f := range flows.Flows() {
		for _, w := range []int{60, 80, 120, 200} {
			a := newTestApp(Options{Flows: []*flows.Flow{f}})
			a.Update(tea.WindowSizeMsg{Width: w, Height: 30})
			onFlow(a, f)
			a.Update(startedRun(f))
			a.Update(createFinished(createOK(), 1))
			head := plain(a.flow.headerView())
			if !strings.Contains(head, "run "+testRunID) {
				t.Errorf("%s at %d columns: the header cuts the run id: %q", f.Name, w, head)
			}
			if got := lipgloss.Width(head); got != w {
				t.Errorf("%s at %d columns: the header is %d wide: %q", f.Name, w, got, head)
			}
			room := w - len([]rune(" · step 2 of 9 · run "+testRunID)) - len("expires in 4h 00m 00s") - 1
			if room >= 12 && !strings.Contains(head, "expires in") {
				t.Errorf("%s at %d columns: the countdown is gone although there is room: %q", f.Name, w, head)
			}
			if strings.Contains(head, "link_token link-") && !strings.Contains(head, f.Title) {
				t.Errorf("%s at %d columns: the title is cut while the token is shown: %q", f.Name, w, head)
			}
		}
	}
}
