package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// runVariantThroughTheApp drives one update-mode variant through the app
// step by step against the emulator (Link by the autopilot in headless
// Chromium) and returns the finished app.
func runVariantThroughTheApp(t *testing.T, name string, linkWant string, summaryWant ...string) *app {
	t.Helper()
	headlesstest.Need(t)
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserAuto}).Env
	f, ok := flows.FlowByName(name)
	if !ok {
		t.Fatalf("no flow %s", name)
	}
	m := New(Options{Env: env, Flows: []*flows.Flow{f}, ExportDir: t.TempDir(), Clipboard: &strings.Builder{}})
	n := len(f.Steps)
	s := startScreen(t, m, 110, 32).waitFor(f.Title)
	s.send(keyMsg("enter")).waitFor("run: " + f.Steps[0].Title)
	for i := 1; i < n; i++ {
		want := []string{"step " + itoa(i+1) + " of " + itoa(n)}
		if f.Steps[i-1].Kind == flows.StepLink {
			want = append(want, linkWant)
		}
		s.send(keyMsg("enter")).waitFor(want...)
	}
	s.send(keyMsg("enter")).waitFor(append([]string{"Run summary", name + ": ok in"}, summaryWant...)...)
	s.send(keyMsg("esc")).waitFor("✓ " + f.Title + " finished")
	a := s.final().(*app)
	if !a.flow.finished {
		t.Fatal("the run did not finish")
	}
	sess := waitForSessionEnd(t, env.Store, a.flow.runID)
	if sess.Status != store.SessionOK || sess.Kind != "flow:"+name {
		t.Errorf("session %s: kind %s, status %s (%s)", a.flow.runID, sess.Kind, sess.Status, sess.Summary)
	}
	return a
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestUpdateNewAccountsThroughTheApp: the new-accounts variant from the
// app, its Link step through the account-select pane.
func TestUpdateNewAccountsThroughTheApp(t *testing.T) {
	a := runVariantThroughTheApp(t, "update-new-accounts", "SELECT_ACCOUNT", "NEW_ACCOUNTS_AVAILABLE")
	v := plain(a.flow.View())
	for _, want := range []string{"✓ The bank has a new account", "✓ Open Link: select the new account", "✓ Verify: /accounts/get has the"} {
		if !strings.Contains(v, want) {
			t.Errorf("the final Flow screen lacks %q:\n%s", want, v)
		}
	}
	page, err := a.c.env.Store.Entries(context.Background(), store.Query{Filter: store.Filter{SessionID: a.flow.runID, Kind: store.KindWebhook}, Limit: store.MaxPageSize})
	if err != nil || !slicesContainsWebhook(page.Entries, "NEW_ACCOUNTS_AVAILABLE") {
		t.Errorf("no NEW_ACCOUNTS_AVAILABLE webhook in the run's log (%v)", err)
	}
}

// TestUpdateExpiringThroughTheApp: the consent variant from the app.
func TestUpdateExpiringThroughTheApp(t *testing.T) {
	a := runVariantThroughTheApp(t, "update-expiring", "HANDOFF", "PENDING_EXPIRATION")
	v := plain(a.flow.View())
	for _, want := range []string{"✓ Consent runs out in 7 days", "✓ Verify: /item/get shows the"} {
		if !strings.Contains(v, want) {
			t.Errorf("the final Flow screen lacks %q:\n%s", want, v)
		}
	}
}

func slicesContainsWebhook(entries []store.Entry, code string) bool {
	for _, e := range entries {
		if e.Webhook != nil && e.Webhook.WebhookCode == code {
			return true
		}
	}
	return false
}
