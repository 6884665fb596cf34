package tui

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// TestOwnAppBurstIsRecorded sends a burst of 3,000 requests from "the
// user's app" (plaid-go with its own client_id) to the emulator the running
// app watches, and waits until every one is in the session log: the poller
// reads the burst page after page, without deadline errors on the screen.
func TestOwnAppBurstIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3,000-request burst")
	}
	const burst = 3000
	kit := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone})
	env := kit.Env
	ctx := testwait.Context(t)
	sess, err := env.Store.StartSession(ctx, "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Env: env, SessionID: sess.ID, ExportDir: t.TempDir(), Clipboard: io.Discard})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Home", func(b []byte) bool { return strings.Contains(string(b), "YOUR OWN APP") })

	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "my-own-app")
	cfg.AddDefaultHeader("PLAID-SECRET", "my-own-secret-000001")
	cfg.UseEnvironment(plaid.Environment(kit.EmulatorURL))
	client := plaid.NewAPIClient(cfg).PlaidApi
	var wg sync.WaitGroup
	errs := make(chan error, burst)
	next := make(chan int, burst)
	for i := range burst {
		next <- i
	}
	close(next)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req := plaid.NewInstitutionsGetByIdRequest("ins_109508", []plaid.CountryCode{plaid.COUNTRYCODE_US})
				if _, _, err := client.InstitutionsGetById(ctx).InstitutionsGetByIdRequest(*req).Execute(); err != nil {
					errs <- fmt.Errorf("request %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}

	f := store.Filter{SessionID: sess.ID}
	testwait.Until(t, fmt.Sprintf("all %d requests of the burst in the session log", burst), func() (bool, string) {
		n, err := env.Store.Count(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return n == burst, fmt.Sprintf("%d recorded", n)
	})
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	a := finalModel(t, tm).(*app)
	if a.statusErr {
		t.Errorf("the footer shows an error after the burst: %s", a.status)
	}
	page, err := env.Store.Entries(ctx, store.Query{Filter: f, Limit: 1, Bodies: true})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("newest entry: %v", err)
	}
	e := page.Entries[0]
	if e.Source() != store.SourceApp || !strings.Contains(string(e.Call.ResponseBody), "ins_109508") {
		t.Errorf("the newest entry is not the app's call with its body: %s %s", e.Source(), e.Call.ResponseBody)
	}
	if strings.Contains(string(e.Call.RequestBody), "my-own-secret-000001") {
		t.Errorf("the app's secret reached the log: %s", e.Call.RequestBody)
	}
}

// TestRecoveredPollClearsItsError checks that the error of a failed poll
// leaves the footer once a poll succeeds again, and that it leaves only
// its own error.
func TestRecoveredPollClearsItsError(t *testing.T) {
	a := sized(Options{})
	p := a.poller
	failed := ownRequestsPolledMsg{err: errors.New("context deadline exceeded")}
	for _, msg := range runAll(t, []tea.Cmd{p.update(failed)}) {
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, m := range runAll(t, batch) {
				if f, ok := m.(failedMsg); ok {
					a.Update(f)
				}
			}
		}
	}
	if !strings.Contains(plain(a.View()), "✗ reading the requests from your own app: context deadline exceeded") {
		t.Fatalf("the failure is not shown:\n%s", plain(a.View()))
	}
	cleared := 0
	for _, msg := range runAll(t, []tea.Cmd{p.update(ownRequestsPolledMsg{since: 3})}) {
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, m := range runAll(t, batch) {
				if c, ok := m.(statusClearedMsg); ok {
					cleared++
					a.Update(c)
				}
			}
		}
	}
	if cleared != 1 || strings.Contains(plain(a.View()), "✗") {
		t.Errorf("after a successful poll (%d clears) the error stays:\n%s", cleared, plain(a.View()))
	}

	// The successful poll's own message clears it too, in the same update
	// (TestOwnAppBurstIsRecorded quit between the two messages under load).
	a.Update(failedMsg{reason: "reading the requests from your own app", err: errors.New("context deadline exceeded"), source: ownAppFailure})
	a.Update(ownRequestsPolledMsg{since: 4})
	if strings.Contains(plain(a.View()), "✗") {
		t.Errorf("the successful poll's message left the error:\n%s", plain(a.View()))
	}

	// Another error is not the poller's to clear.
	a.Update(failedMsg{reason: "exporting the session log", err: errors.New("disk full")})
	a.Update(statusClearedMsg{source: ownAppFailure})
	if !strings.Contains(plain(a.View()), "✗ exporting the session log: disk full") {
		t.Errorf("a recovered poll cleared another error:\n%s", plain(a.View()))
	}
}
