package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// armRecorder watches the requests the Env's control client sends to the
// real emulator and keeps the bodies of the autopilot's arming requests.
type armRecorder struct {
	mu   sync.Mutex
	arms []Autopilot
}

func (a *armRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/__emulator/autopilot" && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		var p Autopilot
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, err
		}
		a.mu.Lock()
		a.arms = append(a.arms, p)
		a.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (a *armRecorder) armed() []Autopilot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.arms)
}

// recordArms makes env's control client report each arming request.
func recordArms(env *testEnv) *armRecorder {
	rec := &armRecorder{}
	env.Control.HTTP = &http.Client{Transport: rec} // the run's context bounds each request
	return rec
}

// waitingEvent reads r's events until the Link step announces its page.
func waitingEvent(t *testing.T, r *Run) Event {
	t.Helper()
	return nextEvent(t, r, "the Link step to announce its page", func(ev Event) bool { return ev.Kind == EventWaiting })
}

// TestRunOptionsArmTheAutopilotForAnyBrowser: with RunOptions.Autopilot a
// run whose Link page opens outside linkexplorer (here --browser=none)
// arms the autopilot at the given pace, and says Link completes by itself;
// a run without it arms nothing.
func TestRunOptionsArmTheAutopilotForAnyBrowser(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	rec := recordArms(env)
	ctx := testwait.Context(t)
	f, _ := FlowByName("quickstart")

	plain, err := env.NewRun(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if res := plain.Next(ctx); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	if got := rec.armed(); len(got) != 0 {
		t.Fatalf("a run without the autopilot option armed it: %+v", got)
	}

	r, err := env.NewRunWith(ctx, f, RunOptions{Autopilot: true, AutopilotDelay: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(ctx); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	got := rec.armed()
	if len(got) != 1 || got[0].DelayMS != 250 || !strings.HasPrefix(got[0].LinkToken, "link-sandbox-") || got[0].Username != goodUser {
		t.Fatalf("arming requests: %+v; want one for the new link_token, user_good, delay_ms 250", got)
	}

	lctx, cancel := context.WithCancel(ctx)
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(lctx) }()
	if ev := waitingEvent(t, r); !strings.Contains(ev.Message, "autopilot completes Link") || !strings.Contains(ev.Message, ev.URL) {
		t.Errorf("waiting message = %q", ev.Message)
	}
	cancel()
	if res, _ := testwait.Recv(t, results, "the cancelled Link step to return"); res.Status != StatusFailed {
		t.Errorf("the Link step after cancel: %+v", res)
	}
}

// TestRunOptionsAutopilotCompletesAPageOpenedElsewhere: the page, opened
// by a browser linkexplorer did not start, completes Link by itself.
func TestRunOptionsAutopilotCompletesAPageOpenedElsewhere(t *testing.T) {
	tab := headlesstest.NewContext(t)
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRunWith(ctx, f, RunOptions{Autopilot: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(ctx); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	url := waitingEvent(t, r).URL
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	res, _ := testwait.Recv(t, results, "the autopilot to complete Link by itself")
	if res.Status != StatusOK || !slices.ContainsFunc(res.Facts, func(f Fact) bool { return f.Label == "public_token" }) {
		t.Fatalf("the Link step: %+v", res)
	}
}

// TestRunOptionsAutopilotInTheSystemBrowser is the demo's case: the page
// opens in the user's browser (a stand-in xdg-open hands its URL to a
// headless tab) and Link completes there by itself, at the given pace.
func TestRunOptionsAutopilotInTheSystemBrowser(t *testing.T) {
	tab := headlesstest.NewContext(t)
	bin := t.TempDir()
	opened := filepath.Join(bin, "opened")
	script := "#!/bin/sh\necho \"$1\" > " + opened + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	env := newTestEnv(t, BrowserSystem)
	ctx := testwait.Context(t)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRunWith(ctx, f, RunOptions{Autopilot: true, AutopilotDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(ctx); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	ev := waitingEvent(t, r)
	if !strings.Contains(ev.Message, "Opened the callback page in your browser: watch the emulated Link's autopilot complete Link") {
		t.Errorf("waiting message = %q", ev.Message)
	}
	url, err := os.ReadFile(opened)
	if err != nil || strings.TrimSpace(string(url)) != ev.URL {
		t.Fatalf("the browser was given %q (%v), want %s", url, err, ev.URL)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(ev.URL)); err != nil {
		t.Fatal(err)
	}
	if res, _ := testwait.Recv(t, results, "the autopilot to complete Link by itself"); res.Status != StatusOK {
		t.Fatalf("the Link step: %+v", res)
	}
}

// TestRunOptionsNewItem: update mode with NewItem links a new Item even
// when the session log holds a working one.
func TestRunOptionsNewItem(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	f, _ := FlowByName("update-mode")
	pick := func(opts RunOptions) (*Run, *StepResult) {
		r, err := env.NewRunWith(ctx, f, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r, r.Next(ctx)
	}
	first, res := pick(RunOptions{})
	if res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	second, res := pick(RunOptions{NewItem: true})
	if res.Status != StatusOK || second.ItemID() == first.ItemID() {
		t.Fatalf("pick-item with NewItem = %q (%s), want a new Item, not %q", second.ItemID(), res.Error, first.ItemID())
	}
	if !slices.ContainsFunc(res.Calls, func(c Call) bool { return c.Endpoint == "/sandbox/public_token/create" }) {
		t.Error("pick-item with NewItem made no Item")
	}
}

func TestNewRunWithRefusesABadDelay(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	f, _ := FlowByName("quickstart")
	for _, d := range []time.Duration{-time.Millisecond, MaxAutopilotDelay + time.Millisecond} {
		if r, err := env.NewRunWith(context.Background(), f, RunOptions{AutopilotDelay: d}); err == nil {
			r.Close()
			t.Errorf("NewRunWith accepted an autopilot delay of %v", d)
		}
	}
}
