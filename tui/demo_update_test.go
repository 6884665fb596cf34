package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
)

// Unit tests of the demo's Update: ticks, keys and run messages in, the
// demo's state and commands out. The demo's ticks are sent by hand (the
// pace is an hour, so no timer fires), which is how a tea.Tick delivers
// them.

// update sends msg to the app and returns its command.
func update(a *app, msg tea.Msg) tea.Cmd {
	_, cmd := a.Update(msg)
	return cmd
}

// dueTick is the tick the demo waits for now.
func dueTick(a *app) demoTickedMsg { return demoTickedMsg{id: a.demo.tickID, beat: a.demo.at} }

// demoApp is a sized app over a real emulated Env (no flow runs: the
// fixture flows are only narrated), its demo started: the welcome is said
// and the tick of beat 1, the first flow's start, is on its way.
func demoApp(t *testing.T) *app {
	t.Helper()
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	a := sized(Options{Env: env, Demo: &DemoOptions{Pace: time.Hour}})
	update(a, exec[demoStartConfirmedMsg](t, press(a, "D")))
	if a.demo.state != demoPlaying || a.demo.at != 1 || a.demo.phase != phaseDue || len(a.demo.lines) != 1 {
		t.Fatalf("after D: state %v, beat %d, phase %v, %d lines", a.demo.state, a.demo.at, a.demo.phase, len(a.demo.lines))
	}
	return a
}

func TestDemoPauseHoldsTheBeat(t *testing.T) {
	a := demoApp(t)
	due := dueTick(a)
	press(a, " ") // space pauses the demo rather than paging
	if a.demo.state != demoPaused {
		t.Fatalf("space left the demo %v", a.demo.state)
	}
	if cmd := update(a, due); cmd != nil || a.demo.at != 1 || len(a.demo.lines) != 1 {
		t.Fatalf("a paused demo played its beat: beat %d, %d lines", a.demo.at, len(a.demo.lines))
	}
	if !strings.Contains(plain(a.View()), "DEMO PAUSED") || !strings.Contains(plain(a.View()), "p/space resume") {
		t.Errorf("the paused demo does not say so:\n%s", plain(a.View()))
	}
	if asked := exec[confirmationAskedMsg](t, press(a, "q")); !strings.Contains(asked.question, "The demo is paused") {
		t.Errorf("q on a paused demo asked %q", asked.question)
	}
	if press(a, "p") == nil || a.demo.state != demoPlaying || a.demo.tickID == due.id {
		t.Fatalf("p did not resume with a new tick: state %v", a.demo.state)
	}
	if update(a, due) != nil || len(a.demo.lines) != 1 {
		t.Fatal("the tick sent before the pause played the beat after it")
	}
	started := exec[flowStartConfirmedMsg](t, update(a, dueTick(a)))
	if started.flow != a.home.flows[0] || !started.opts.Autopilot || !started.opts.NewItem {
		t.Errorf("beat 1 started %s with %+v", started.flow.Name, started.opts)
	}
	if got := a.demo.lines[1]; got.beat != 1 || got.text != demoScripts["quickstart"].intro || got.step != "quickstart" {
		t.Errorf("beat 1 said %+v", got)
	}
}

func TestQuitDuringDemoAsksFirst(t *testing.T) {
	a := demoApp(t)
	for _, k := range []string{"q", "ctrl+c"} {
		asked := exec[confirmationAskedMsg](t, press(a, k))
		if !strings.Contains(asked.question, "The demo is playing") {
			t.Errorf("%s asked %q", k, asked.question)
		}
	}
	update(a, exec[confirmationAskedMsg](t, press(a, "q")))
	due := dueTick(a)
	if update(a, due) == nil || a.demo.at != 1 || len(a.demo.lines) != 1 || a.demo.tickID == due.id {
		t.Fatalf("the beat played behind the question: beat %d, %d lines", a.demo.at, len(a.demo.lines))
	}
	press(a, "n")
	if a.confirm != nil {
		t.Fatal("n did not close the question")
	}
	update(a, dueTick(a))
	if a.demo.phase != phaseActing || len(a.demo.lines) != 2 {
		t.Errorf("the beat did not play once the question was answered: phase %v, %d lines", a.demo.phase, len(a.demo.lines))
	}
}

func TestDemoKeyStopsAndRefuses(t *testing.T) {
	a := demoApp(t)
	bodyWithDemo := a.home.height
	due := dueTick(a)
	if note := exec[notifiedMsg](t, press(a, "D")); !strings.Contains(string(note), "demo closed") || a.demo.shown() {
		t.Fatalf("D during the demo: %q, shown %v", note, a.demo.shown())
	}
	if want := bodyWithDemo + demoPanelHeight(a.width); a.home.height != want {
		t.Errorf("the screens did not get the panel's room back: %d, want %d", a.home.height, want)
	}
	if update(a, due) != nil || len(a.demo.lines) != 1 {
		t.Error("a stopped demo played a beat")
	}

	plaid := sized(Options{Env: &flows.Env{Config: flows.Config{Mode: flows.ModePlaid}}})
	if f := exec[failedMsg](t, press(plaid, "D")); f.err != errDemoNeedsEmulator {
		t.Errorf("D against Plaid: %v", f)
	}
	if f := exec[failedMsg](t, press(sized(Options{}), "D")); f.err != errNoEnv {
		t.Errorf("D with no Env: %v", f)
	}

	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	busy := sized(Options{Env: env})
	f := busy.home.flows[0]
	onFlow(busy, f)
	update(busy, startedRun(f))
	update(busy, createFinished(createOK(), 1))
	asked := exec[confirmationAskedMsg](t, press(busy, "D"))
	if !strings.Contains(asked.question, "Abandon it and play the demo?") {
		t.Errorf("D with a run mid-way asked %q", asked.question)
	}
}

// TestGoldenDemo is the demo narrating the first step of the quickstart.
func TestGoldenDemo(t *testing.T) {
	a := newTestApp(Options{Demo: &DemoOptions{Pace: time.Hour}})
	update(a, tea.WindowSizeMsg{Width: 100, Height: 30})
	update(a, demoStartConfirmedMsg{}) // beat 0: the welcome
	update(a, dueTick(a))              // beat 1: the quickstart's intro, and its start
	f := a.home.flows[0]
	onFlow(a, f)
	update(a, startedRun(f)) // the run started: beat 2 is due
	update(a, dueTick(a))    // beat 2: before the first step
	golden(t, a, []string{"Your server asks Plaid"})
}

// TestDemoStopsWhenAStepFails plays a demo whose first call fails: the
// demo halts there and says why, and the keys are the user's.
func TestDemoStopsWhenAStepFails(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	env.Config.Products = []string{"not_a_product"}
	qs, _ := flows.FlowByName("quickstart")
	m := New(Options{Env: env, Clipboard: &strings.Builder{}, ExportDir: t.TempDir(),
		Demo: &DemoOptions{Flows: []*flows.Flow{qs}, Pace: 10 * time.Millisecond, Autostart: true}})
	s := startScreen(t, m, 100, 30).waitFor("DEMO STOPPED")
	a := s.final().(*app)
	last := a.demo.lines[len(a.demo.lines)-1]
	if a.demo.state != demoHalted || !strings.Contains(last.text, "Create a link_token failed: INVALID_PRODUCT") || last.step != "quickstart/create-link-token" {
		t.Errorf("state %v, last line %+v", a.demo.state, last)
	}
	if a.flow.run == nil || !a.flow.canRetry() {
		t.Error("after the demo stopped, the failed step cannot be retried by hand")
	}
}
