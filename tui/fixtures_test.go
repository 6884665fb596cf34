package tui

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// t0 is the fixtures' "now".
var t0 = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// The fixture flows, shaped like the real ones but fixed, so that the
// goldens do not change when the flows' wording does.
func quickstartFixture() *flows.Flow {
	return &flows.Flow{
		Name: "quickstart", Title: "Quickstart",
		Summary: "Your server creates a link_token, your page opens Link with it, and your server exchanges the public_token.",
		Steps: []flows.Step{
			{Name: "create-link-token", Title: "Create a link_token", Kind: flows.StepAPI, Endpoint: "/link/token/create",
				Editable: true, Explain: "Your server calls /link/token/create. Look at the link_token and its expiration."},
			{Name: "open-link", Title: "Open Link and wait for onSuccess", Kind: flows.StepLink,
				Explain: "Opens the callback page, which calls Plaid.create and reports every callback."},
			{Name: "exchange-public-token", Title: "Exchange the public_token", Kind: flows.StepAPI,
				Endpoint: "/item/public_token/exchange", Explain: "Swaps the one-time public_token for an access_token."},
			{Name: "get-accounts", Title: "Verify: /accounts/get", Kind: flows.StepAPI, Endpoint: "/accounts/get",
				Explain: "Reads the Item's accounts."},
		},
	}
}

func invalidTokenFixture() *flows.Flow {
	return &flows.Flow{
		Name: "invalid-token", Title: "Invalid link_token recovery",
		Summary: "Link meets INVALID_LINK_TOKEN; the page destroys the handler, fetches token #2 and recovers.",
		Steps: []flows.Step{
			{Name: "create-link-token", Title: "Create link_token #1", Kind: flows.StepAPI, Endpoint: "/link/token/create", Editable: true,
				Explain: "Creates the first token."},
			{Name: "open-link-recover", Title: "Open Link, recover", Kind: flows.StepLink,
				Explain: "Opens Link while token #1 is invalidated, and recovers with token #2."},
			{Name: "exchange-public-token", Title: "Exchange the public_token", Kind: flows.StepAPI,
				Endpoint: "/item/public_token/exchange", Explain: "Exchanges the public_token."},
		},
	}
}

func fixtureFlows() []*flows.Flow {
	update := &flows.Flow{Name: "update-mode", Title: "Update mode", Summary: "Repairs an Item after ITEM_LOGIN_REQUIRED.",
		Steps: []flows.Step{{Name: "reset-login", Title: "Break the Item", Kind: flows.StepAPI, Endpoint: "/sandbox/item/reset_login"}}}
	return []*flows.Flow{quickstartFixture(), update, invalidTokenFixture()}
}

// newTestApp is the app with a fixed clock, a spinner that stands still
// and a clipboard that is thrown away unless the test gives one.
func newTestApp(opts Options) *app {
	if opts.Flows == nil {
		opts.Flows = fixtureFlows()
	}
	if opts.Banner == "" {
		opts.Banner = "Emulated sandbox (offline)"
	}
	if opts.Clipboard == nil {
		opts.Clipboard = io.Discard
	}
	a := New(opts).(*app)
	a.c.now = func() time.Time { return t0 }
	a.c.spinner = spinner.Spinner{Frames: []string{"*"}, FPS: time.Hour}
	a.flow = newFlowScreen(a.c)
	return a
}

// onFlow puts the app on the Flow screen with a run of f starting, as
// choosing f on Home does, without starting a real run.
func onFlow(a *app, f *flows.Flow) {
	a.flow.flow, a.flow.starting = f, true
	a.active = screenFlow
}

const testRunID = "01testrun0000001"

// snapshot builds a run snapshot; later seq values win.
func snapshot(seq uint64, current int, results ...*flows.StepResult) runSnapshot {
	return runSnapshot{
		seq: seq, current: current, results: results,
		tokenRequest: flows.TokenRequest{
			ClientName: "linkexplorer", ClientUserID: "user-1", Products: []string{"auth", "transactions"},
			CountryCodes: []string{"US"}, Language: "en",
		},
	}
}

func withToken(s runSnapshot) runSnapshot {
	s.linkToken, s.expires = "link-sandbox-…8176", t0.Add(4*time.Hour)
	return s
}

func createOK() *flows.StepResult {
	return &flows.StepResult{
		Step: "create-link-token", Status: flows.StatusOK, Endpoint: "/link/token/create", RequestID: "ReqTokenCreate1",
		HTTPStatus: 200, Duration: 142 * time.Millisecond,
		Facts: []flows.Fact{{Label: "link_token", Value: "link-sandbox-…8176"}, {Label: "expiration", Value: "2026-01-02T19:04:05Z"}},
		Calls: []flows.Call{{
			Time: t0, Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqTokenCreate1",
			Duration:     141 * time.Millisecond,
			RequestBody:  []byte(`{"client_id":"linkexplorer-emulated-client","secret":"••••…cret","client_name":"linkexplorer","country_codes":["US"],"language":"en","products":["auth","transactions"],"user":{"client_user_id":"user-1"}}`),
			ResponseBody: []byte(`{"expiration":"2026-01-02T19:04:05Z","link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176","request_id":"ReqTokenCreate1"}`),
		}},
	}
}

func createFailed() *flows.StepResult {
	err := &flows.APIError{Endpoint: "/link/token/create", RequestID: "ReqTokenFail01", Type: "INVALID_REQUEST",
		Code: "INVALID_FIELD", Message: "webhook must be a non-empty string URL", HTTPStatus: 400}
	return &flows.StepResult{
		Step: "create-link-token", Status: flows.StatusFailed, Endpoint: "/link/token/create", RequestID: "ReqTokenFail01",
		HTTPStatus: 400, ErrorCode: "INVALID_FIELD", Error: err.Error(), Err: err, Duration: 9 * time.Millisecond,
		Calls: []flows.Call{{
			Time: t0, Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 400, RequestID: "ReqTokenFail01",
			ErrorType: "INVALID_REQUEST", ErrorCode: "INVALID_FIELD", Duration: 8 * time.Millisecond,
			RequestBody:  []byte(`{"client_name":"linkexplorer","webhook":"not-a-url"}`),
			ResponseBody: []byte(`{"display_message":null,"error_code":"INVALID_FIELD","error_message":"webhook must be a non-empty string URL","error_type":"INVALID_REQUEST","request_id":"ReqTokenFail01"}`),
		}},
	}
}

const lsid1 = "6f1e2b3c-9a8d-4e5f-8a7b-1c2d3e4f5a6b"

// linkEvents is what the page reports through a successful Link session.
func linkEvents(step string) []tea.Msg {
	pe := []flows.PageEvent{
		{Kind: "page", EventName: "token_fetched", Time: at(10)},
		{Kind: "event", EventName: "OPEN", LinkSessionID: lsid1, RequestID: "ReqOpen0000001", Time: at(11)},
		{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "CONSENT", LinkSessionID: lsid1, Time: at(11)},
		{Kind: "event", EventName: "SELECT_INSTITUTION", InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank", LinkSessionID: lsid1, Time: at(13)},
		{Kind: "event", EventName: "SUBMIT_CREDENTIALS", InstitutionName: "First Platypus Bank", LinkSessionID: lsid1, Time: at(15)},
		{Kind: "event", EventName: "HANDOFF", InstitutionName: "First Platypus Bank", LinkSessionID: lsid1, Time: at(17)},
	}
	var msgs []tea.Msg
	for _, p := range pe {
		ev := flows.Event{RunID: testRunID, Kind: flows.EventLink, Step: step, Time: p.Time, Link: &p}
		msgs = append(msgs, runEventMsg{runID: testRunID, ev: ev, snap: runSnapshot{}})
	}
	return msgs
}

func runEvent(kind flows.EventKind, step string, mod func(*flows.Event)) runEventMsg {
	ev := flows.Event{RunID: testRunID, Kind: kind, Step: step, Time: t0}
	if mod != nil {
		mod(&ev)
	}
	return runEventMsg{runID: testRunID, ev: ev}
}

// golden drives m in a 100×30 terminal with msgs, waits until its output
// shows every string of want, then compares the final view with
// testdata/<TestName>.golden (rewritten with go test -update).
func golden(t *testing.T, m tea.Model, want []string, msgs ...tea.Msg) {
	t.Helper()
	goldenSize(t, m, 100, 30, want, msgs...)
}

func goldenSize(t *testing.T, m tea.Model, w, h int, want []string, msgs ...tea.Msg) {
	t.Helper()
	startScreen(t, m, w, h).send(msgs...).waitFor(want...).compare()
}

// screenTest is a model running in a test terminal.
type screenTest struct {
	t  *testing.T
	tm *teatest.TestModel
}

func startScreen(t *testing.T, m tea.Model, w, h int) *screenTest {
	t.Helper()
	return &screenTest{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))}
}

func (s *screenTest) send(msgs ...tea.Msg) *screenTest {
	for _, msg := range msgs {
		s.tm.Send(msg)
	}
	return s
}

// waitFor waits until the output shows every string of want, for as long
// as the test's deadline allows (a loaded machine is slow, not broken).
func (s *screenTest) waitFor(want ...string) *screenTest {
	s.t.Helper()
	waitScreen(s.t, s.tm, fmt.Sprintf("the screen to show %q", want), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	})
	return s
}

// final quits and returns the model as it ended.
func (s *screenTest) final() tea.Model {
	s.t.Helper()
	if err := s.tm.Quit(); err != nil {
		s.t.Fatal(err)
	}
	return finalModel(s.t, s.tm)
}

// waitScreen waits until cond holds for the output tm printed since the
// last wait, within the test's budget; on failure it says what it waited
// for and shows the output.
func waitScreen(t *testing.T, tm *teatest.TestModel, what string, cond func([]byte) bool) {
	t.Helper()
	teatest.WaitFor(waiting{t, what}, tm.Output(), cond,
		teatest.WithDuration(testwait.Budget(t)), teatest.WithCheckInterval(20*time.Millisecond))
}

// finalModel waits, within the test's budget, for the program to end after
// Quit and returns its model.
func finalModel(t *testing.T, tm *teatest.TestModel) tea.Model {
	t.Helper()
	b := testwait.Budget(t)
	return tm.FinalModel(t, teatest.WithFinalTimeout(b), teatest.WithTimeoutFn(func(tb testing.TB) {
		tb.Fatalf("gave up after %s waiting for the app to end after Quit", b.Round(time.Second))
	}))
}

// waiting prefixes teatest's failure with what the test waited for.
type waiting struct {
	testing.TB
	what string
}

func (w waiting) Fatal(args ...any) {
	w.TB.Helper()
	w.TB.Fatal(append([]any{"waiting for " + w.what + ": "}, args...)...)
}

// compare quits and compares the final view with the golden file.
func (s *screenTest) compare() {
	s.t.Helper()
	teatest.RequireEqualOutput(s.t, []byte(s.final().View()))
}

// keyMsg is a key press as Bubble Tea reports it.
func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// plain strips styles from a view, for assertions on its text.
func plain(s string) string { return ansi.Strip(s) }
