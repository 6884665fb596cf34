package tui

import (
	"bytes"
	"context"
	"io"
	"regexp"
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

// playDemo plays the demo of every flow to its end in a 100×30 terminal:
// the real emulator in-process, the emulated Link's autopilot in headless
// Chromium (--browser=auto), 10 ms beats and an instant autopilot. It
// returns the app as it ended and its Env.
func playDemo(t *testing.T) (*app, *flows.Env) {
	t.Helper()
	headlesstest.Need(t)
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserAuto}).Env
	m := New(Options{Env: env, ExportDir: t.TempDir(), Clipboard: io.Discard,
		Demo: &DemoOptions{Pace: 10 * time.Millisecond, Autostart: true}})
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
	return a, env
}

func lastLine(d *demo) string {
	if len(d.lines) == 0 {
		return ""
	}
	return d.lines[len(d.lines)-1].text
}

// TestDemoPlaysHeadlessToCompletion plays the whole demo and checks the
// final screen, the narration and the session log.
func TestDemoPlaysHeadlessToCompletion(t *testing.T) {
	a, env := playDemo(t)
	v := plain(a.View())
	for _, want := range []string{"■ DEMO OVER", "✓ Quickstart", "✓ Update mode", "✓ Invalid link_token recovery",
		"That's the demo.", "✓ Invalid link_token recovery finished"} {
		if !strings.Contains(v, want) {
			t.Errorf("the final screen lacks %q:\n%s", want, v)
		}
	}
	said := map[string]bool{}
	for _, l := range a.demo.lines {
		said[l.text] = true
	}
	for _, want := range []string{
		demoScripts["quickstart"].steps["create-link-token"].before,
		demoScripts["quickstart"].steps["open-link"].after,
		demoScripts["update-mode"].events["OPEN"],
		demoScripts["update-mode"].outro,
		demoEventLines["exit:INVALID_LINK_TOKEN"],
		demoEventLines["destroyed"],
		"The user picks First Platypus Bank.",
	} {
		if !said[want] {
			t.Errorf("the demo never said %q", want)
		}
	}
	checkDemoSessions(t, env.Store)
}

// checkDemoSessions checks the session log holds the three flows' runs,
// each ended ok.
func checkDemoSessions(t *testing.T, st *store.Store) {
	t.Helper()
	sessions, err := st.Sessions(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range sessions {
		if s.Status == store.SessionRunning {
			s = waitForSessionEnd(t, st, s.ID)
		}
		if s.Status != store.SessionOK {
			t.Errorf("session %s (%s) ended %s: %s", s.ID, s.Kind, s.Status, s.Summary)
		}
		kinds = append(kinds, s.Kind)
	}
	slices.Sort(kinds)
	if want := []string{"demo:invalid-token", "demo:quickstart", "demo:update-mode"}; !slices.Equal(kinds, want) {
		t.Errorf("sessions %v, want %v", kinds, want)
	}
}

// TestDemoIsDeterministic plays the demo twice: it says the same lines at
// the same beats, about the same steps standing the same way.
func TestDemoIsDeterministic(t *testing.T) {
	first, _ := playDemo(t)
	second, _ := playDemo(t)
	a, b := first.demo.lines, second.demo.lines
	if !slices.Equal(a, b) {
		for i := range max(len(a), len(b)) {
			var x, y demoLine
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if x != y {
				t.Fatalf("the plays part at line %d of %d/%d:\n first %+v\nsecond %+v", i, len(a), len(b), x, y)
			}
		}
	}
	if len(a) < len(first.demo.beats) {
		t.Errorf("%d lines for %d beats", len(a), len(first.demo.beats))
	}
}

// tokenShaped finds a token that is not masked.
var tokenShaped = regexp.MustCompile(`(?:link|public|access)-(?:sandbox|development|production)-[0-9a-f]{4}`)

// TestDemoScriptSaysNoSecretsAndCoversEveryStep: every step of every flow
// has its lines, and no line of the script holds a token.
func TestDemoScriptSaysNoSecretsAndCoversEveryStep(t *testing.T) {
	for _, f := range flows.Flows() {
		sc, ok := demoScripts[f.Name]
		if !ok || sc.intro == "" || sc.outro == "" {
			t.Errorf("flow %s has no intro or outro", f.Name)
		}
		for _, s := range f.Steps {
			if l := sc.steps[s.Name]; l.before == "" || l.after == "" {
				t.Errorf("step %s/%s has no lines", f.Name, s.Name)
			}
		}
	}
	for _, b := range demoBeats(flows.Flows()) {
		for _, s := range []string{b.say, b.after} {
			if tokenShaped.MatchString(s) || strings.Contains(s, "secret") {
				t.Errorf("the script says %q", s)
			}
		}
	}
}
