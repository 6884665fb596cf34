package tui

import (
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

const lsid2 = "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e"

// fixtureSummary is an invalid-token run that recovered and then failed
// at /accounts/get, as the session log would hold it.
func fixtureSummary() flows.Summary {
	sess := store.Session{ID: testRunID, Kind: "flow:invalid-token", Mode: store.ModeEmulated, StartedAt: at(0), EndedAt: at(9),
		Status: store.SessionFailed, Summary: "invalid-token: step verify: ITEM_LOGIN_REQUIRED"}
	call := func(s int, ep string, status int, rid, code string) store.Entry {
		return store.Entry{Call: &store.APICall{Time: at(s), Method: "POST", Endpoint: ep, HTTPStatus: status, RequestID: rid, ErrorCode: code}}
	}
	ev := func(v store.LinkEvent) store.Entry { return store.Entry{Event: &v} }
	exch := call(7, "/item/public_token/exchange", 200, "ReqExchange001", "")
	exch.Call.ItemID = "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op"
	acct := call(8, "/accounts/get", 400, "ReqAccounts001", "ITEM_LOGIN_REQUIRED")
	acct.Call.ErrorType = "ITEM_ERROR"
	return flows.BuildSummary(sess, []store.Entry{
		call(0, "/link/token/create", 200, "ReqTokenCreate1", ""),
		ev(store.LinkEvent{Time: at(1), Kind: store.EventKindEvent, EventName: "OPEN", LinkSessionID: lsid1, RequestID: "ReqOpen0000001"}),
		ev(store.LinkEvent{Time: at(2), Kind: store.EventKindExit, LinkSessionID: lsid1, RequestID: "ReqExit0000001", ErrorType: "INVALID_INPUT",
			ErrorCode: "INVALID_LINK_TOKEN", ErrorMessage: "invalid link_token provided", ExitStatus: "requires_credentials"}),
		ev(store.LinkEvent{Time: at(3), Kind: store.EventKindPage, EventName: "destroyed"}),
		call(4, "/link/token/create", 200, "ReqTokenCreate2", ""),
		ev(store.LinkEvent{Time: at(5), Kind: store.EventKindEvent, EventName: "OPEN", LinkSessionID: lsid2, RequestID: "ReqOpen0000002"}),
		ev(store.LinkEvent{Time: at(6), Kind: store.EventKindSuccess, LinkSessionID: lsid2, InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank"}),
		exch, acct,
	})
}

// summaryApp is the app on a run whose summary is shown.
func summaryApp(opts Options) *app {
	a := sized(opts)
	f := a.home.flows[2]
	onFlow(a, f)
	a.Update(startedRun(f))
	a.Update(keyMsg("S")) // its command would read the store: the fixture stands in
	a.Update(summaryLoadedMsg{runID: testRunID, sum: fixtureSummary()})
	return a
}

func TestGoldenRunSummary(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(sizeName(size), func(t *testing.T) {
			goldenSize(t, summaryApp(Options{}), size[0], size[1],
				[]string{"Run summary", "invalid-token: failed", "WHAT HAPPENED", "INVALID_LINK_TOKEN (INVALID_INPUT)"})
		})
	}
}

func TestRunSummaryKeys(t *testing.T) {
	dir := t.TempDir()
	a := summaryApp(Options{ExportDir: dir})
	if !a.flow.summaryOpen() {
		t.Fatal("S did not open the summary")
	}
	if got := string(exec[notifiedMsg](t, press(a, "c"))); !strings.Contains(got, "request_id ReqExit0000001") {
		t.Errorf("c: %q, want the first error's request_id", got)
	}
	if got := string(exec[notifiedMsg](t, press(a, "L"))); !strings.Contains(got, "link_session_id "+lsid1) {
		t.Errorf("L: %q, want the first error's link_session_id", got)
	}
	got := string(exec[notifiedMsg](t, press(a, "m")))
	path, _, ok := strings.Cut(strings.TrimPrefix(got, "run summary written to "), " (Markdown")
	if !ok || !strings.HasPrefix(path, dir) {
		t.Fatalf("m: %q, want a file in %s", got, dir)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != fixtureSummary().Markdown() {
		t.Errorf("the exported file (%v) is not the summary's Markdown:\n%s", err, b)
	}
	press(a, "esc")
	if a.flow.summaryOpen() || a.active != screenFlow {
		t.Errorf("esc: summary open %v, screen %v; want the flow screen back", a.flow.summaryOpen(), a.active)
	}
	if cmd := press(a, "S"); cmd == nil || !a.flow.summaryOpen() {
		t.Error("S must open the summary again and read it anew")
	}
}

// On the Flow screen L copies the Link step's link_session_id.
func TestFlowCopiesLinkSessionID(t *testing.T) {
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	msgs := append([]tea.Msg{startedRun(f), createFinished(createOK(), 1)}, linkOpened("open-link", 4)...)
	for _, m := range append(msgs, linkEvents("open-link")...) {
		a.Update(m)
	}
	if got := string(exec[notifiedMsg](t, press(a, "L"))); !strings.Contains(got, lsid1) {
		t.Errorf("L on the Link step: %q, want %s", got, lsid1)
	}
	a.Update(keyMsg("left")) // the create step has no Link session
	if got := string(exec[notifiedMsg](t, press(a, "L"))); !strings.Contains(got, "nothing to copy") {
		t.Errorf("L on an API step: %q", got)
	}
}

// In the log, L copies the selected entry's link_session_id, in the list
// and in the detail.
func TestLogCopiesLinkSessionID(t *testing.T) {
	a := sized(Options{Env: &flows.Env{Store: logFixture(t)}})
	settle(t, a, a.navigate(screenLog))
	press(a, "down", "down", "down") // the onExit
	if got := string(exec[notifiedMsg](t, press(a, "L"))); !strings.Contains(got, lsid1) {
		t.Errorf("L in the list: %q, want %s", got, lsid1)
	}
	settle(t, a, press(a, "enter"))
	if a.log.detail == nil {
		t.Fatal("enter opened no detail")
	}
	if got := string(exec[notifiedMsg](t, press(a, "L"))); !strings.Contains(got, lsid1) {
		t.Errorf("L in the detail: %q, want %s", got, lsid1)
	}
}
