package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// Golden tests: each screen at 100×30, driven by the messages the runner
// and the store would send. Rewrite the goldens with go test -update.

func TestGoldenHome(t *testing.T) {
	a := newTestApp(Options{})
	latest := store.Entry{ID: 1, Kind: store.KindCall, Call: &store.APICall{
		Time: at(30), Method: "POST", Endpoint: "/accounts/get", HTTPStatus: 200}}
	golden(t, a, []string{"ITEM_LOGIN_REQUIRED", "1,234 entries", "3 requests"},
		itemsLoadedMsg{items: []store.Item{
			{ItemID: "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op", InstitutionName: "First Platypus Bank", Mode: "emulated", Status: store.ItemHealthy},
			{ItemID: "Kd9Lq2mNv8tbzdngLDp9FL5OlDNxlNhlE11zz", InstitutionName: "Tattersall Federal Credit Union", Mode: "emulated", Status: store.ItemLoginRequired},
		}},
		logSummaryLoadedMsg{count: 1234, latest: &latest},
		ownRequestsPolledMsg{added: 3, since: 7},
		keyMsg("down"),
	)
}

// startedRun is what the runner reports when a run of f starts.
func startedRun(f *flows.Flow) runStartedMsg {
	s := snapshot(1, 0, make([]*flows.StepResult, len(f.Steps))...)
	return runStartedMsg{flow: f, runID: testRunID, snap: s}
}

func TestGoldenFlowRequestPreview(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	golden(t, a, []string{"REQUEST TO SEND"}, startedRun(f))
}

// createFinished is the first step's result arriving.
func createFinished(res *flows.StepResult, current int) stepFinishedMsg {
	s := withToken(snapshot(2, current, res, nil, nil, nil))
	return stepFinishedMsg{runID: testRunID, result: res, snap: s}
}

func TestGoldenFlowResult(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	golden(t, a, []string{"ReqTokenCreate1", "4h 00m 00s"}, startedRun(f), createFinished(createOK(), 1))
}

func TestGoldenFlowError(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	failed := createFinished(createFailed(), 0)
	failed.snap.linkToken = ""
	golden(t, a, []string{"What to do"}, startedRun(f), failed)
}

// linkOpened is the Link step starting and its page waiting for Link.
func linkOpened(step string, results int) []tea.Msg {
	s := withToken(snapshot(3, 1, make([]*flows.StepResult, results)...))
	s.results[0] = createOK()
	s.pageURL = "http://127.0.0.1:43117/link/5d0c6a9e3b7f41d2a8e6c4b2f0a9d8e7"
	waiting := runEvent(flows.EventWaiting, step, func(e *flows.Event) {
		e.URL, e.Message = s.pageURL, "Opened the callback page in your browser: complete Link there."
	})
	waiting.snap = s
	return []tea.Msg{runEvent(flows.EventStepStarted, step, nil), waiting}
}

func TestGoldenLinkLive(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	msgs := append([]tea.Msg{startedRun(f), createFinished(createOK(), 1)}, linkOpened("open-link", 4)...)
	msgs = append(msgs, linkEvents("open-link")...)
	golden(t, a, []string{"HANDOFF", "First Platypus Bank", "Opened the callback page", "↳ HANDOFF: Link finished"}, msgs...)
}

// recoveryTimeline is an invalid-token recovery as the runner records it.
func recoveryTimeline() []flows.TimelineEntry {
	const lsid2 = "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e"
	return []flows.TimelineEntry{
		{Time: at(0), What: "link_token #1 created", Token: "link-sandbox-…8176", RequestID: "ReqTokenCreate1"},
		{Time: at(11), What: "Link session started", LinkSessionID: lsid1, RequestID: "ReqOpen0000001"},
		{Time: at(16), What: "onExit INVALID_LINK_TOKEN", LinkSessionID: lsid1, RequestID: "ReqExit0000001", ErrorCode: "INVALID_LINK_TOKEN"},
		{Time: at(16), What: "page: handler.destroy(), then a new link_token"},
		{Time: at(17), What: "link_token #2 created", Token: "link-sandbox-…91ab", RequestID: "ReqTokenCreate2"},
		{Time: at(18), What: "Link session started", LinkSessionID: lsid2, RequestID: "ReqOpen0000002"},
		{Time: at(24), What: "onSuccess", LinkSessionID: lsid2},
	}
}

func TestGoldenRecoveryTimeline(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[2]
	onFlow(a, f)
	msgs := append([]tea.Msg{startedRun(f), createFinished(createOK(), 1)}, linkOpened("open-link-recover", 3)...)
	exit := flows.PageEvent{Kind: "exit", ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN", ExitStatus: "requires_credentials",
		LinkSessionID: lsid1, InstitutionName: "First Platypus Bank", Time: at(16)}
	msgs = append(msgs,
		runEvent(flows.EventLink, "open-link-recover", func(e *flows.Event) { e.Link = &exit }),
		runEvent(flows.EventCall, "open-link-recover", func(e *flows.Event) {
			e.Call = &flows.Call{Time: at(17), Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqTokenCreate2"}
		}),
	)
	done := &flows.StepResult{Step: "open-link-recover", Status: flows.StatusOK, Duration: 14 * time.Second,
		Facts: []flows.Fact{{Label: "INVALID_LINK_TOKEN exits", Value: "1"}, {Label: "link_tokens", Value: "2"}}}
	s := withToken(snapshot(9, 2, createOK(), done, nil))
	s.timeline = recoveryTimeline()
	msgs = append(msgs, stepFinishedMsg{runID: testRunID, result: done, snap: s},
		runEvent(flows.EventStepFinished, "open-link-recover", nil))
	golden(t, a, []string{"RECOVERY TIMELINE", "ReqTokenCreate2"}, msgs...)
}

func TestGoldenTokenForm(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	a.flow.form = newTokenForm(a.c, a.flow.snap.tokenRequest)
	msgs := []tea.Msg{keyMsg("tab"), keyMsg("tab"), keyMsg("tab"), keyMsg("https://example.com/hook")}
	golden(t, a, []string{"example.com/hook"}, msgs...)
}

func TestGoldenHelp(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	golden(t, a, []string{"GLYPHS"}, startedRun(f), keyMsg("?"))
}

func TestGoldenQuitConfirm(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	golden(t, a, []string{"Quit and abandon"}, startedRun(f), createFinished(createOK(), 1), keyMsg("q"))
}

func TestGoldenTooSmall(t *testing.T) {
	goldenSize(t, newTestApp(Options{}), 59, 19, []string{"please enlarge"})
}

func TestGoldenSmallestFlow(t *testing.T) {
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	goldenSize(t, a, 60, 20, []string{"ReqTokenCreate1"}, startedRun(f), createFinished(createOK(), 1))
}

// logFixture is a session log with a call, Link events, a call from the
// user's own app and a webhook, at fixed times.
func logFixture(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	recs := []store.Record{
		store.APICall{Time: at(0), Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqTokenCreate1",
			Duration: 142 * time.Millisecond, RequestBody: []byte(`{"client_name":"linkexplorer","secret":"s3cr3t-value-0001"}`),
			ResponseBody: []byte(`{"link_token":"link-sandbox-af1a0311","request_id":"ReqTokenCreate1"}`)},
		store.LinkEvent{Time: at(11), Kind: store.EventKindEvent, EventName: "OPEN", LinkSessionID: lsid1, RequestID: "ReqOpen0000001"},
		store.LinkEvent{Time: at(16), Kind: store.EventKindExit, ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN",
			ErrorMessage: "invalid link_token provided", ExitStatus: "requires_credentials", LinkSessionID: lsid1},
		store.APICall{Time: at(20), Method: "POST", Endpoint: "/item/public_token/exchange", HTTPStatus: 200, RequestID: "ReqExchange001"},
		store.APICall{Time: at(25), Method: "POST", Endpoint: "/accounts/get", HTTPStatus: 400, RequestID: "ReqOwnApp00001",
			ErrorType: "ITEM_ERROR", ErrorCode: "ITEM_LOGIN_REQUIRED", Source: store.SourceApp},
		store.Webhook{Time: at(30), Body: []byte(`{"webhook_type":"ITEM","webhook_code":"WEBHOOK_UPDATE_ACKNOWLEDGED","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op"}`)},
	}
	if _, err := s.Add(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGoldenLog(t *testing.T) {
	a := newTestApp(Options{Env: &flows.Env{Store: logFixture(t)}})
	startScreen(t, a, 100, 30).send(navigatedMsg{to: screenLog}).waitFor("6 entries", "ReqTokenCreate1", "ReqOwnApp00001").
		send(keyMsg("down")).waitFor("▸ 15:04:30").compare()
}

func TestGoldenLogDetail(t *testing.T) {
	a := newTestApp(Options{Env: &flows.Env{Store: logFixture(t)}})
	startScreen(t, a, 100, 30).send(navigatedMsg{to: screenLog}).waitFor("ReqTokenCreate1").
		send(keyMsg("G")).waitFor("▸ 15:04:05").send(keyMsg("enter")).waitFor("RESPONSE", "link-sandbox-af1a0311").compare()
}

func TestGoldenLogFilter(t *testing.T) {
	a := newTestApp(Options{Env: &flows.Env{Store: logFixture(t)}})
	golden(t, a, []string{"1 match", "ITEM_LOGIN_REQUIRED"}, navigatedMsg{to: screenLog},
		keyMsg("/"), keyMsg("code:item_login_required"), keyMsg("enter"))
}

// sizes are the terminal sizes every screen must fit.
var sizes = []struct{ w, h int }{{60, 20}, {80, 24}, {120, 35}, {200, 50}}

// TestGoldenLogSizes: the log at every size. REQUEST_ID is always there,
// STATUS from 80 columns, LINK_SESSION_ID when there is room for it beside
// a readable endpoint (200), and no column grows past a readable width.
func TestGoldenLogSizes(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			a := newTestApp(Options{Env: &flows.Env{Store: logFixture(t)}})
			want := []string{"6 entries", "REQUEST_ID", "ReqOwnApp00001"}
			if sz.w >= 200 {
				want = append(want, "LINK_SESSION_ID", lsid1)
			}
			startScreen(t, a, sz.w, sz.h).send(navigatedMsg{to: screenLog}).waitFor(want...).compare()
		})
	}
}

// TestGoldenFlowSizes: a flow at every size. Its longest step title is
// whole from 120 columns (the checklist was capped at 34), and the explanation's lines stay
// within a readable width at 200.
func TestGoldenFlowSizes(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			a := newTestApp(Options{})
			f := a.home.flows[0]
			onFlow(a, f)
			want := []string{"ReqTokenCreate1"}
			if sz.w >= 120 {
				want = append(want, "Open Link and wait for onSuccess")
			}
			startScreen(t, a, sz.w, sz.h).send(startedRun(f), createFinished(createOK(), 1)).waitFor(want...).compare()
		})
	}
}
