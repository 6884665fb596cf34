package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
	"github.com/linkexplorer/linkexplorer/tui"
)

// TestDemoRefusesBadUse: bad flags and flows are usage errors, printed
// with the usage, before anything starts.
func TestDemoRefusesBadUse(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, `unknown flow "nosuch"`},
		{[]string{"quickstart", "update-mode"}, "unexpected arguments"},
		{[]string{"--pace", "0"}, "--pace must be positive"},
		{[]string{"all", "--autopilot-delay", "11s"}, "--autopilot-delay must be between 0 and 10s"},
		{[]string{"--autopilot-delay", "-1s"}, "--autopilot-delay must be between"},
		{[]string{"--browser", "firefox"}, `unknown --browser "firefox"`},
		{[]string{"--mode", "sandbox"}, `unknown --mode "sandbox"`},
		{[]string{"--pace", "soon"}, `invalid argument "soon" for "--pace" flag`},
	}
	for _, c := range cases {
		var stdout, stderr strings.Builder
		if code := Run(append([]string{"demo"}, c.args...), &stdout, &stderr); code != exitUsage {
			t.Errorf("demo %v: exit %d, want %d", c.args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), c.want) || !isUsageError(stderr.String(), "demo") {
			t.Errorf("demo %v: stderr %q lacks %q or is not a usage error", c.args, stderr.String(), c.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("demo %v wrote to stdout: %q", c.args, stdout.String())
		}
	}
}

// TestDemoFlags: the flow comes before or after the flags; all (the
// default) plays the three flows in order.
func TestDemoFlags(t *testing.T) {
	d, err := parseDemo(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := flowNames(d.flows); !slices.Equal(got, []string{"quickstart", "update-mode", "invalid-token"}) {
		t.Errorf("default flows %v, want the tour of the three core flows (the OAuth flows play when named)", got)
	}
	if d.pace != tui.DefaultDemoPace || d.delay != tui.DefaultAutopilotDelay || d.common.browser != "system" || d.common.stateDir != "" {
		t.Errorf("defaults: pace %v, delay %v, browser %s, state dir %q", d.pace, d.delay, d.common.browser, d.common.stateDir)
	}
	d, err = parseDemo([]string{"update-mode", "--pace", "1s", "--autopilot-delay", "0", "--browser", "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if got := flowNames(d.flows); !slices.Equal(got, []string{"update-mode"}) || d.pace != time.Second || d.delay != 0 || d.common.browser != "auto" {
		t.Errorf("flows %v, pace %v, delay %v, browser %s", got, d.pace, d.delay, d.common.browser)
	}
	d, err = parseDemo([]string{"--pace", "100ms", "all"})
	if err != nil || len(d.flows) != 3 || d.pace != 100*time.Millisecond {
		t.Errorf("--pace 100ms all: %v flows, pace %v, %v", len(d.flows), d.pace, err)
	}
	var stdout strings.Builder
	if code := Run([]string{"demo", "-h"}, &stdout, io.Discard); code != exitOK || !strings.Contains(stdout.String(), "--autopilot-delay") {
		t.Errorf("demo -h: exit %d, %q", code, stdout.String())
	}
}

// parseDemo parses "linkexplorer demo args…" with the command itself, and
// returns its options without playing the demo.
func parseDemo(args []string) (*demoOptions, error) {
	var got *demoOptions
	f := &factory{out: io.Discard, errOut: io.Discard, getenv: os.Getenv, buildInfo: debug.ReadBuildInfo}
	cmd := newCmdDemo(f, func(o *demoOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		return nil, err
	}
	return got, nil
}

func flowNames(fl []*flows.Flow) []string {
	var out []string
	for _, f := range fl {
		out = append(out, f.Name)
	}
	return out
}

// TestDemoForcesEmulatedMode: with Plaid keys in the environment (and
// --mode plaid) the demo still plays offline, says so, and reads none of
// the PLAID_* settings; its emulator is fresh and its session log is a
// temporary one, removed at the end.
func TestDemoForcesEmulatedMode(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LINKEXPLORER_HOME", home)
	t.Setenv("PLAID_CLIENT_ID", "real-client-id-000001")
	t.Setenv("PLAID_SECRET", "real-secret-00000000001")
	t.Setenv("PLAID_PRODUCTS", "identity")
	t.Setenv("PLAID_API_URL", "https://sandbox.plaid.com")

	for _, mode := range []string{"", "plaid"} {
		if note := demoNotice(mode, os.Getenv); !strings.Contains(note, "plays offline") || strings.Contains(note, "real-secret") {
			t.Errorf("notice with --mode %q: %q", mode, note)
		}
	}
	if note := demoNotice("emulated", func(string) string { return "" }); note != "" {
		t.Errorf("a notice without keys: %q", note)
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		var stderr strings.Builder
		if code := Run([]string{"demo", "--mode", "plaid"}, io.Discard, &stderr); code != exitUsage ||
			!strings.Contains(stderr.String(), "plays offline") || !strings.Contains(stderr.String(), "needs a terminal") {
			t.Errorf("demo --mode plaid without a terminal: exit %d, %q", code, stderr.String())
		}
	}

	d, err := parseDemo([]string{"--mode", "plaid"})
	if err != nil {
		t.Fatal(err)
	}
	a, cleanup, err := setupDemo(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !a.env.Emulated() || a.cfg.Mode != flows.ModeEmulated || a.cfg.ClientID != flows.EmulatedClientID ||
		!strings.HasPrefix(a.cfg.BaseURL, "http://127.0.0.1:") || !slices.Equal(a.cfg.Products, []string{"auth", "transactions"}) {
		t.Errorf("the demo's configuration: %+v", a.cfg)
	}
	if a.stateDir == home {
		t.Error("the demo's session log is the user's")
	}
	if items, err := a.store.Items(context.Background()); err != nil || len(items) != 0 {
		t.Errorf("a fresh demo knows Items: %v, %v", items, err)
	}
	dir := a.stateDir
	if err := cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo's temporary directory outlived it: %v", err)
	}
	if left, _ := os.ReadDir(home); len(left) != 0 {
		t.Errorf("the demo wrote to the user's state directory: %v", left)
	}
}

// syncBuffer is the program's output, read while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) contains(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Contains(b.buf.Bytes(), []byte(s))
}

// TestDemoWiringPlaysAFlow plays "demo quickstart --browser auto" through
// the command's own wiring, with --state-dir: the demo starts by itself,
// plays to its end, and its session log stays, with the run ended ok and
// no saved emulator state beside it.
func TestDemoWiringPlaysAFlow(t *testing.T) {
	headlesstest.Need(t)
	dir := t.TempDir()
	d, err := parseDemo([]string{"quickstart", "--browser", "auto", "--pace", "10ms", "--autopilot-delay", "0", "--state-dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	a, cleanup, err := setupDemo(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	p := tea.NewProgram(demoModel(a, d), tea.WithInput(nil), tea.WithOutput(out))
	// The demo plays until "DEMO OVER"; only the test's own deadline
	// (deadlineContext) stops a demo that never ends, with a message.
	ctx, cancel := deadlineContext(t)
	defer cancel()
	go func() {
		p.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
		for !out.contains("DEMO OVER") && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		p.Quit()
	}()
	final, err := p.Run()
	if err != nil {
		t.Fatal(err)
	}
	if !out.contains("DEMO OVER") || !out.contains("Demo · emulated Sandbox") {
		t.Fatal("the demo did not play to its end before the test's deadline")
	}
	if err := errors.Join(tui.Stop(final), cleanup()); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sessions, err := st.Sessions(context.Background(), 10)
	if err != nil || len(sessions) != 1 || sessions[0].Kind != "demo:quickstart" || sessions[0].Status != store.SessionOK {
		t.Fatalf("sessions kept in --state-dir: %+v, %v", sessions, err)
	}
	if _, err := os.Stat(filepath.Join(dir, emulatorStateFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo saved its emulator's state: %v", err)
	}
}
