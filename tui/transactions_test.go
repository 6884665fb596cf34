package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// The transactions lesson in the terminal app. Its goldens use the real
// flow (not a fixture): what they check is how this lesson's long step
// titles and its many facts (a sync's pages, the verified webhooks) fit
// the Flow screen.

func transactionsFlow(t *testing.T) *flows.Flow {
	t.Helper()
	f, ok := flows.FlowByName("transactions")
	if !ok {
		t.Fatal("no transactions flow")
	}
	return f
}

// txnResults are the first five steps of the lesson as a run reports them.
func txnResults() []*flows.StepResult {
	ok := func(step, ep, rid string, facts ...flows.Fact) *flows.StepResult {
		r := &flows.StepResult{Step: step, Status: flows.StatusOK, Endpoint: ep, RequestID: rid, HTTPStatus: 200,
			Duration: 40 * time.Millisecond, Facts: facts}
		if ep != "" {
			r.Calls = []flows.Call{{Time: t0, Method: "POST", Endpoint: ep, HTTPStatus: 200, RequestID: rid,
				RequestBody: []byte(`{"access_token":"access-sandbox-…1f2e","count":10}`)}}
		}
		return r
	}
	return []*flows.StepResult{
		createOK(),
		ok("open-link", "", ""),
		ok("exchange-public-token", "/item/public_token/exchange", "ReqExchange001", flows.Fact{Label: "item_id", Value: "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op"}),
		ok("wait-webhooks", "/webhook_verification_key/get", "ReqKeyGet00001",
			flows.Fact{Label: "INITIAL_UPDATE", Value: "signature verified · new_transactions 8"},
			flows.Fact{Label: "HISTORICAL_UPDATE", Value: "signature verified · new_transactions 26"},
			flows.Fact{Label: "verification key", Value: "kid 6c5516e1-92dc-479e-a8ff-5a51992e0001: EC P-256, ES256 (cache it by kid; fetch again for a kid you do not know)"}),
		ok("sync-initial", "/transactions/sync", "ReqSync0000003",
			flows.Fact{Label: "each page", Value: "has_more · +added ~modified -removed · next_cursor's end"},
			flows.Fact{Label: "page 1", Value: "has_more true · +10 ~0 -0 · …b3A6MTA"},
			flows.Fact{Label: "page 2", Value: "has_more true · +10 ~0 -0 · …b3A6MjA"},
			flows.Fact{Label: "page 3", Value: "has_more false · +6 ~0 -0 · …b3A6MjY"},
			flows.Fact{Label: "saved cursor", Value: "djI6TTVlVkpxTG52M3RiemRuZ0xEcDlGTDVPbERObHhObGhsRTU1b3A6MjY"},
			flows.Fact{Label: "the app's copy", Value: "26 transactions; the cursor is stored with them, and the next sync starts from it"},
			flows.Fact{Label: "pass", Value: "3 page(s) of at most 10: 26 added, 0 modified, 0 removed"},
			flows.Fact{Label: "SYNC_UPDATES_AVAILABLE", Value: "signature verified · initial_update_complete true · historical_update_complete true"}),
	}
}

// txnSyncFinished is the first sync finishing: five results, current 5.
func txnSyncFinished(f *flows.Flow) stepFinishedMsg {
	res := txnResults()
	all := make([]*flows.StepResult, len(f.Steps))
	copy(all, res)
	s := withToken(snapshot(6, len(res), all...))
	s.tokenRequest.Products = []string{"transactions"}
	return stepFinishedMsg{runID: testRunID, result: res[len(res)-1], snap: s}
}

// TestGoldenTransactionsFlow: the lesson's Flow screen once the first
// sync has paged, at 80×24 and 120×35.
func TestGoldenTransactionsFlow(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := transactionsFlow(t)
			a := newTestApp(Options{Flows: []*flows.Flow{f}})
			onFlow(a, f)
			// On the sync step (→ four times): its pages, cursor and webhook.
			startScreen(t, a, sz.w, sz.h).send(startedRun(f), txnSyncFinished(f),
				keyMsg("right"), keyMsg("right"), keyMsg("right"), keyMsg("right")).waitFor("ReqSync0000003").compare()
		})
	}
}

// TestTransactionsFlowScreen: the Flow screen shows the lesson's pages and
// the saved cursor, offers the code of the sync it sent (v), and moves on
// to the change step.
func TestTransactionsFlowScreen(t *testing.T) {
	f := transactionsFlow(t)
	a := sized(Options{Flows: []*flows.Flow{f}})
	a.c.now = func() time.Time { return t0 }
	onFlow(a, f)
	update(a, startedRun(f))
	update(a, txnSyncFinished(f))
	for range 4 {
		update(a, keyMsg("right"))
	}
	v := plain(a.View())
	for _, want := range []string{"page 1", "has_more true", "saved cursor", "SYNC_UPDATES_AVAILABLE"} {
		if !strings.Contains(v, want) {
			t.Errorf("the Flow screen lacks %q:\n%s", want, v)
		}
	}
	if a.flow.snap.current != 5 || f.Steps[a.flow.snap.current].Name != "change-transactions" {
		t.Errorf("current step %d, want change-transactions", a.flow.snap.current)
	}
	// The sync step's code is the request it sent.
	if !a.flow.canCode() {
		t.Fatal("v offers no code for the sync step")
	}
	if cmd := a.flow.openCode(); cmd != nil || a.flow.code == nil || !strings.Contains(a.flow.code.title, "/transactions/sync as sent") {
		t.Fatalf("v on the sync step: code view %v", a.flow.code)
	}
	if v := plain(a.View()); !strings.Contains(v, "/transactions/sync") || !strings.Contains(v, `"count": 10`) {
		t.Errorf("the code view does not show the plaid call:\n%s", plain(a.View()))
	}
}

// playTransactionsDemo plays `linkexplorer demo transactions` through the
// app: the real emulator, the autopilot in headless Chromium, 10 ms
// beats. It returns the demo's lines and the session log.
func playTransactionsDemo(t *testing.T) ([]demoLine, *store.Store) {
	t.Helper()
	headlesstest.Need(t)
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserAuto}).Env
	m := New(Options{Env: env, ExportDir: t.TempDir(), Clipboard: io.Discard,
		Demo: &DemoOptions{Flows: []*flows.Flow{transactionsFlow(t)}, Pace: 10 * time.Millisecond, Autostart: true}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "the demo to end (DEMO OVER or DEMO STOPPED)", func(b []byte) bool {
		return bytes.Contains(b, []byte("DEMO OVER")) || bytes.Contains(b, []byte("DEMO STOPPED"))
	})
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	a := finalModel(t, tm).(*app)
	if a.demo.state != demoOver {
		t.Fatalf("the demo ended %v, not over: %s\n%s", a.demo.state, lastLine(a.demo), plain(a.View()))
	}
	return a.demo.lines, env.Store
}

// TestDemoTransactionsIsDeterministic plays the transactions demo twice
// through the app: both runs end ok, say the script's lines, and say the
// same lines at the same beats.
func TestDemoTransactionsIsDeterministic(t *testing.T) {
	first, st := playTransactionsDemo(t)
	second, _ := playTransactionsDemo(t)
	sc := demoScripts["transactions"]
	said := map[string]bool{}
	for _, l := range first {
		said[l.text] = true
	}
	for _, want := range []string{sc.intro, sc.steps["wait-webhooks"].after, sc.steps["sync-changes"].after, sc.outro} {
		if !said[want] {
			t.Errorf("the demo never said %q", want)
		}
	}
	if !slices.Equal(first, second) {
		for i := range max(len(first), len(second)) {
			var x, y demoLine
			if i < len(first) {
				x = first[i]
			}
			if i < len(second) {
				y = second[i]
			}
			if x != y {
				t.Fatalf("the plays part at line %d of %d/%d:\n first %+v\nsecond %+v", i, len(first), len(second), x, y)
			}
		}
	}
	sessions, err := st.Sessions(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 || sessions[0].Kind != "demo:transactions" {
		t.Fatalf("sessions %+v, want one demo:transactions", sessions)
	}
	if s := sessions[0]; s.Status != store.SessionOK {
		if s.Status == store.SessionRunning {
			s = waitForSessionEnd(t, st, s.ID)
		}
		if s.Status != store.SessionOK {
			t.Errorf("the demo's run ended %s: %s", s.Status, s.Summary)
		}
	}
}
