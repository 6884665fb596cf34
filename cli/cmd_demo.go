package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
	"github.com/linkexplorer/linkexplorer/tui"
)

const demoUsage = `Usage: linkexplorer demo [quickstart|update-mode|invalid-token|all] [flags]

Plays Link flows by themselves in the terminal app, for an audience: each
step is narrated, and the emulated Link's autopilot completes Link in your
browser at a pace people can follow. The default is all three flows, in
order. p or space pauses, D stops the demo and hands you the keys, q quits.

The demo always runs offline, against a fresh embedded emulator, with the
default settings: PLAID_* variables, .env and the emulator's saved state are
left alone, so the demo plays the same way every time. Its session log is
thrown away at the end unless --state-dir names where to keep it.

Flags:
`

// demoBanner names the demo's mode in the app's header.
const demoBanner = "Demo · emulated Sandbox (offline, fresh state)"

// demoFlags are linkexplorer demo's settings.
type demoFlags struct {
	common commonFlags // mode, state-dir, callback-addr, browser; the debug logger
	debug  bool
	flows  []*flows.Flow
	pace   time.Duration
	delay  time.Duration
}

// cmdDemo plays the demo: linkexplorer demo [flow] [flags].
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	d, err := parseDemo(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitUsage
	}
	if note := demoNotice(d.common.mode, os.Getenv); note != "" {
		fmt.Fprintln(stderr, "linkexplorer demo:", note)
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		fmt.Fprintln(stderr, "linkexplorer demo: the demo plays in the terminal app, which needs a terminal; in scripts use \"linkexplorer run FLOW\"")
		return exitUsage
	}
	if d.debug {
		closeLog, err := openDebugLog(&d.common)
		if err != nil {
			fmt.Fprintln(stderr, "linkexplorer demo:", err)
			return exitFailure
		}
		defer closeLog()
	}
	return runDemo(d, stdout, stderr)
}

// parseDemo reads the flags and the flow around them; errors are printed
// with the usage.
func parseDemo(args []string, stderr io.Writer) (*demoFlags, error) {
	fs := newFlagSet("linkexplorer demo", demoUsage, stderr)
	d := &demoFlags{}
	d.register(fs)
	name, err := parseDemoArgs(fs, args)
	if err == nil {
		err = d.check(name)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "linkexplorer demo:", err)
		fs.Usage()
	}
	return d, err
}

// register adds the demo's flags to fs.
func (d *demoFlags) register(fs *flag.FlagSet) {
	c := &d.common
	fs.DurationVar(&d.pace, "pace", tui.DefaultDemoPace, "the pause between two beats of the demo")
	fs.DurationVar(&d.delay, "autopilot-delay", tui.DefaultAutopilotDelay, "how long the emulated Link's autopilot waits before each click and keystroke (0 is instant, at most 10s)")
	fs.StringVar(&c.browser, "browser", "system", "where Link plays: system (your browser), none (print the URL; open it anywhere) or auto (headless Chromium, nothing to watch)")
	fs.StringVar(&c.callbackAddr, "callback-addr", "127.0.0.1:0", "loopback address of the local callback page (port 0 picks a free one)")
	fs.StringVar(&c.stateDir, "state-dir", "", "keep the demo's session log in this directory (default: a temporary one, removed at the end)")
	fs.StringVar(&c.mode, "mode", "emulated", "emulated or plaid; the demo always plays emulated (offline), and says so when plaid was asked for")
	fs.BoolVar(&d.debug, "debug", false, "write a debug log to "+debugLogFile+" in the state directory (never to the terminal)")
}

// check validates the values and resolves the flow name.
func (d *demoFlags) check(name string) error {
	if err := d.common.check(); err != nil {
		return err
	}
	switch {
	case d.pace <= 0:
		return fmt.Errorf("--pace must be positive, e.g. 2.5s")
	case d.delay < 0 || d.delay > flows.MaxAutopilotDelay:
		return fmt.Errorf("--autopilot-delay must be between 0 and %v", flows.MaxAutopilotDelay)
	}
	if name == "" || name == "all" {
		d.flows = flows.Flows()
		return nil
	}
	f, ok := flows.FlowByName(name)
	if !ok {
		return fmt.Errorf("unknown flow %q: use %s or all", name, strings.Join(flows.FlowNames(), ", "))
	}
	d.flows = []*flows.Flow{f}
	return nil
}

// parseDemoArgs parses the flags around the optional flow name, which may
// come first ("demo quickstart --pace 1s") or after the flags.
func parseDemoArgs(fs *flag.FlagSet, args []string) (string, error) {
	name, rest, err := parseNamed(fs, args)
	if err != nil {
		return "", err
	}
	if len(rest) > 0 {
		return "", fmt.Errorf("unexpected arguments %q: name one flow, or all", rest)
	}
	return name, nil
}

// demoNotice says the demo ignores Plaid when the user asked for it, with
// --mode plaid or with keys in the environment or .env; "" otherwise.
func demoNotice(mode string, getenv func(string) string) string {
	why := ""
	if strings.EqualFold(strings.TrimSpace(mode), string(flows.ModePlaid)) {
		why = "--mode plaid was given"
	} else if cfg, err := flows.LoadConfig(getenv, ".env", flows.Overrides{}); err == nil && cfg.Mode == flows.ModePlaid {
		why = "PLAID_CLIENT_ID and PLAID_SECRET are set"
	}
	if why == "" {
		return ""
	}
	return why + ", but the demo always plays offline, against a fresh embedded emulator: your keys are not used (\"linkexplorer\" without arguments talks to Plaid's Sandbox)"
}

// setupDemo wires the demo: the default emulated configuration (nothing
// read from the environment or .env), a fresh emulator, the session log in
// --state-dir or a temporary directory, and the Env. cleanup stops it all
// and removes the temporary directory.
func setupDemo(ctx context.Context, d *demoFlags) (a *app, cleanup func() error, err error) {
	cfg, err := flows.LoadConfig(func(string) string { return "" }, "", flows.Overrides{Mode: string(flows.ModeEmulated)})
	if err != nil {
		return nil, nil, err
	}
	dir, removeDir, err := demoStateDir(d.common.stateDir)
	if err != nil {
		return nil, nil, err
	}
	a = &app{cfg: cfg, stateDir: dir, stopEmulator: func() error { return nil }}
	cleanup = func() error { return errors.Join(a.Close(), removeDir()) }
	if a.store, err = store.Open(dir); err != nil {
		return nil, nil, errors.Join(err, cleanup())
	}
	url, stop, err := startFreshEmulator(ctx)
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("starting the embedded emulator: %w", err), cleanup())
	}
	a.emulatorURL, a.cfg.BaseURL = url, url
	a.stopEmulator = func() error { stop(); return nil }
	browser, _ := flows.ParseBrowserMode(d.common.browser) // checked by parseDemo
	a.env, err = flows.NewEnv(ctx, flows.EnvOptions{
		Config: a.cfg, Store: a.store, Browser: browser, CallbackAddr: d.common.callbackAddr, Logger: d.common.logger,
	})
	if err != nil {
		return nil, nil, errors.Join(err, cleanup())
	}
	return a, cleanup, nil
}

// demoStateDir is --state-dir, else a new temporary directory, which
// remove deletes.
func demoStateDir(flagValue string) (dir string, remove func() error, err error) {
	if flagValue != "" {
		return flagValue, func() error { return nil }, nil
	}
	dir, err = os.MkdirTemp("", "linkexplorer-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary directory for the demo's session log: %w (or pass --state-dir)", err)
	}
	return dir, func() error { return os.RemoveAll(dir) }, nil
}

// demoModel is the terminal app, set to play the demo as it starts.
func demoModel(a *app, d *demoFlags) tea.Model {
	cwd, _ := os.Getwd()
	return tui.New(tui.Options{
		Env: a.env, Banner: demoBanner, ExportDir: cwd, Logger: d.common.logger,
		Demo: &tui.DemoOptions{Flows: d.flows, Pace: d.pace, AutopilotDelay: d.delay, Autostart: true},
	})
}

// runDemo wires the demo, plays it in the terminal app until the user
// quits, then stops everything; errors are printed once the terminal is
// restored.
func runDemo(d *demoFlags, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, cleanup, err := setupDemo(ctx, d)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer demo:", err)
		return exitFailure
	}
	prepareTerminal("linkexplorer demo")
	p := tea.NewProgram(demoModel(a, d), tea.WithAltScreen(), tea.WithMouseCellMotion())
	stopHangup := quitOnHangup(p)
	final, runErr := p.Run()
	stopHangup()
	closeErr := errors.Join(tui.Stop(final), cleanup())
	switch {
	case runErr != nil && !errors.Is(runErr, tea.ErrInterrupted):
		fmt.Fprintln(stderr, "linkexplorer demo:", runErr)
		return exitFailure
	case closeErr != nil:
		fmt.Fprintln(stderr, "linkexplorer demo:", closeErr)
		return exitFailure
	}
	if d.common.stateDir != "" {
		fmt.Fprintf(stdout, "The demo's session log is in %s: linkexplorer log --state-dir %s\n", d.common.stateDir, d.common.stateDir)
	}
	return exitOK
}
