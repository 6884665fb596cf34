package flows

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/headless"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// profileDirs counts what headless Chromium leaves in the temporary
// directory dir: its profile directories, and the directories of its
// singleton sockets.
func profileDirs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, pat := range []string{headless.ProfilePrefix + "*", "org.chromium.Chromium.*"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		n += len(m)
	}
	return n
}

// TestHeadlessBrowserIsReused: with --browser auto, the first run's Link
// step starts headless Chromium (saying so while it starts), and a second
// run opens its page in the same browser, with no launch. One profile
// directory exists while the browser runs; Env.Close removes it.
func TestHeadlessBrowserIsReused(t *testing.T) {
	headlesstest.Need(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	env := newTestEnv(t, BrowserAuto)
	for i := range 2 {
		rep, events := runFlow(t, env, "quickstart", nil)
		if !rep.OK {
			t.Fatalf("run %d: %s", i+1, rep.Error)
		}
		var waits []string
		for _, ev := range events {
			if ev.Kind == EventWaiting {
				waits = append(waits, ev.Message)
			}
		}
		if i == 1 && (len(waits) != 1 || !strings.Contains(waits[0], "Opened the callback page in headless Chromium")) {
			t.Errorf("second run's waiting messages = %q, want only the page opening in the running browser", waits)
		}
		if !env.headless.running() {
			t.Errorf("after run %d headless Chromium is not running", i+1)
		}
		if n := profileDirs(t, tmp); n != 2 {
			t.Errorf("after run %d: %d profile and socket directories, want 2 (one browser)", i+1, n)
		}
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("after Env.Close: %d profile directories left in %s", n, tmp)
	}
}

// TestQuitMidLinkRemovesProfile: quitting while Link is open in headless
// Chromium (the step cancelled, the run and the Env closed, as the terminal
// app does on q) leaves no temporary Chromium profile behind.
func TestQuitMidLinkRemovesProfile(t *testing.T) {
	headlesstest.Need(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := profileDirs(t, tmp)
	env := newTestEnv(t, BrowserAuto)
	f, _ := FlowByName("quickstart")
	// A slow autopilot keeps Link open until the test quits.
	r, err := env.NewRunWith(context.Background(), f, RunOptions{AutopilotDelay: MaxAutopilotDelay})
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Next(testwait.Context(t)); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	ctx, cancel := context.WithCancel(testwait.Context(t))
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	nextEvent(t, r, "the page opened in headless Chromium", func(ev Event) bool {
		return ev.Kind == EventWaiting && strings.Contains(ev.Message, "Opened the callback page in headless Chromium")
	})
	if n := profileDirs(t, tmp); n != before+2 {
		t.Errorf("while Link is open: %d profile and socket directories, want %d", n, before+2)
	}
	cancel()
	_ = r.Close()
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if n := profileDirs(t, tmp); n != before {
		t.Errorf("after quitting mid-Link: %d profile directories, want %d", n, before)
	}
	testwait.Recv(t, results, "the cancelled Link step to return")
}

// TestQuitWhileChromiumStarts: closing the Env while Chromium is still
// launching stops the launch and removes its profile too.
func TestQuitWhileChromiumStarts(t *testing.T) {
	headlesstest.Need(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	env := newTestEnv(t, BrowserAuto)
	env.headless.prewarm()
	testwait.Until(t, "the profile directory to be created", func() (bool, string) {
		n := profileDirs(t, tmp)
		return n == 1 || env.headless.running(), ""
	})
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("after closing during the launch: %d profile directories left", n)
	}
	if _, err := env.headless.get(context.Background()); err == nil {
		t.Error("a closed Env still gives a browser")
	}
}

// TestReopenRelaunchesChromium: o (OpenPage) with --browser auto, after
// headless Chromium went away, says it is starting Chromium, relaunches it
// and opens the page in it; Link then completes.
func TestReopenRelaunchesChromium(t *testing.T) {
	headlesstest.Need(t)
	env := newTestEnv(t, BrowserAuto)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRunWith(context.Background(), f, RunOptions{AutopilotDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(testwait.Context(t)); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(testwait.Context(t)) }()
	nextEvent(t, r, "the page opened in headless Chromium", func(ev Event) bool {
		return ev.Kind == EventWaiting && strings.Contains(ev.Message, "Opened the callback page")
	})
	// Chromium dies (killed, crashed): the page is gone with it.
	env.headless.mu.Lock()
	b := env.headless.b
	env.headless.mu.Unlock()
	b.Close()
	testwait.Until(t, "the browser to be seen as gone", func() (bool, string) { return !env.headless.running(), "" })

	what, err := r.OpenPage(testwait.Context(t))
	if err != nil || !strings.Contains(what, "relaunched headless Chromium") {
		t.Fatalf("OpenPage = %q, %v", what, err)
	}
	nextEvent(t, r, "the starting message", func(ev Event) bool { return ev.Kind == EventWaiting && ev.Message == startingChromium })
	res, _ := testwait.Recv(t, results, "Link to complete in the relaunched browser")
	if res.Status != StatusOK {
		t.Fatalf("Link step after the relaunch: %+v", res)
	}
	if _, err := os.Stat(b.Dir()); !os.IsNotExist(err) {
		t.Errorf("the dead browser's profile %s is still there (%v)", b.Dir(), err)
	}
}

// TestOneFlowStopsBrowserAfterLink: with StopBrowserAfterLink (linkexplorer
// run), headless Chromium is stopped and its profile removed once the run
// has no Link step left, while the steps after Link still run, before the
// Env closes; a later run that opens Link launches it again.
func TestOneFlowStopsBrowserAfterLink(t *testing.T) {
	headlesstest.Need(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	env := newTestEnv(t, BrowserAuto)
	env.stopBrowserAfterLink = true
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		res := r.Next(testwait.Context(t))
		if res == nil {
			break
		}
		if res.Status != StatusOK {
			t.Fatalf("step %s: %s", res.Step, res.Error)
		}
		if res.Step == "open-link" {
			break
		}
		// Before Link: the browser launched with the run is kept.
		testwait.Until(t, "Chromium to be running before the Link step", func() (bool, string) { return env.headless.running(), "" })
	}
	testwait.Until(t, "Chromium to stop after the last Link step", func() (bool, string) {
		n := profileDirs(t, tmp)
		return !env.headless.running() && n == 0, fmt.Sprintf("running %v, %d profile directories", env.headless.running(), n)
	})
	rep := r.RunAll(testwait.Context(t))
	if !rep.OK {
		t.Fatalf("the steps after Link: %s", rep.Error)
	}
	if rep, _ := runFlow(t, env, "quickstart", nil); !rep.OK {
		t.Fatalf("a second run, Chromium launched again: %s", rep.Error)
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("after Env.Close: %d profile directories left", n)
	}
}
