package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
	"github.com/linkexplorer/linkexplorer/tui"
)

// demoBanner names the demo's mode in the app's header.
const demoBanner = "Demo · emulated Sandbox (offline, fresh state)"

// demoOptions are linkexplorer demo's settings.
type demoOptions struct {
	f      *factory
	common commonFlags // mode, state-dir, callback-addr, browser; the debug logger
	debug  bool
	theme  themeFlag
	flows  []*flows.Flow
	pace   time.Duration
	delay  time.Duration
	// exportDir is where exports are offered first, resolved by check.
	exportDir string
}

// newCmdDemo plays the demo: linkexplorer demo [FLOW|all] [flags]. runF,
// when not nil, replaces the demo (for tests of the parsing).
func newCmdDemo(f *factory, runF func(*demoOptions) error) *cobra.Command {
	opts := &demoOptions{f: f}
	cmd := &cobra.Command{
		Use:   "demo [FLOW|all]",
		Short: "Play the flows by themselves, narrated, for an audience",
		Long: `Plays Link flows by themselves in the terminal app, for an audience: each
step is narrated, and the emulated Link's autopilot completes Link in your
browser at a pace people can follow. The default is every flow, in
order. p or space pauses, D stops the demo and hands you the keys, q quits.

The demo always runs offline, against a fresh embedded emulator, with the
default settings: PLAID_* variables, .env and the emulator's saved state are
left alone, so the demo plays the same way every time. Its session log is
thrown away at the end unless --state-dir names where to keep it.`,
		Example: `  linkexplorer demo                                       # every flow, in order
  linkexplorer demo invalid-token --pace 4s               # one flow, slower
  linkexplorer demo --browser auto --state-dir ./demo-log # headless; keep the session log`,
		Args:              flowArgs(true),
		ValidArgsFunction: completeFlows(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) > 0 {
				name = args[0]
			}
			if err := opts.check(name); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return playDemo(opts)
		},
	}
	opts.register(cmd)
	return cmd
}

// register adds the demo's flags to cmd.
func (d *demoOptions) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	c := &d.common
	fs.DurationVar(&d.pace, "pace", tui.DefaultDemoPace, "the pause between two beats of the demo")
	fs.DurationVar(&d.delay, "autopilot-delay", tui.DefaultAutopilotDelay, "how long the emulated Link's autopilot waits before each click and keystroke (0 is instant, at most 10s)")
	fs.StringVar(&c.browser, "browser", "system", "where Link plays: system (your browser), none (print the URL; open it anywhere) or auto (headless Chromium, nothing to watch)")
	fs.StringVar(&c.callbackAddr, "callback-addr", "127.0.0.1:0", "loopback address of the local callback page (port 0 picks a free one)")
	fs.StringVar(&c.stateDir, "state-dir", "", "keep the demo's session log in this `directory` (default: a temporary one, removed at the end)")
	fs.StringVar(&c.mode, "mode", "emulated", "emulated or plaid; the demo always plays emulated (offline), and says so when plaid was asked for")
	fs.BoolVar(&d.debug, "debug", false, "write a debug log to "+debugLogFile+" in the state directory (never to the terminal)")
	c.registerExportDir(cmd)
	d.theme.register(cmd)
	completeModeAndBrowser(cmd)
	completeNoFile(cmd, "pace", "autopilot-delay", "callback-addr")
	_ = cmd.MarkFlagDirname("state-dir")
}

// check validates the values and resolves the flow name.
func (d *demoOptions) check(name string) error {
	if err := d.common.check(); err != nil {
		return err
	}
	if err := d.theme.check(d.f.getenv); err != nil {
		return err
	}
	dir, err := resolveExportDir(d.common.exportDir, os.Getenv)
	if err != nil {
		return err
	}
	d.exportDir = dir
	switch {
	case d.pace <= 0:
		return usageErrorf("--pace must be positive, e.g. 2.5s")
	case d.delay < 0 || d.delay > flows.MaxAutopilotDelay:
		return usageErrorf("--autopilot-delay must be between 0 and %v", flows.MaxAutopilotDelay)
	}
	if name == "" || name == "all" {
		d.flows = flows.DemoFlows(flows.Flows())
		return nil
	}
	f, _ := flows.FlowByName(name) // checked by flowArgs
	d.flows = []*flows.Flow{f}
	return nil
}

// playDemo plays the demo in the terminal app, which needs a terminal.
func playDemo(d *demoOptions) error {
	if note := demoNotice(d.common.mode, d.f.getenv); note != "" {
		fmt.Fprintln(d.f.errOut, "linkexplorer demo:", note)
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return &exitError{code: exitUsage, err: errors.New("the demo plays in the terminal app, which needs a terminal; in scripts use \"linkexplorer run FLOW\"")}
	}
	if d.debug {
		closeLog, err := openDebugLog(&d.common)
		if err != nil {
			return err
		}
		defer closeLog()
	}
	applyTheme(d.theme, d.f.getenv, d.common.logger)
	return runDemo(d)
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
func setupDemo(ctx context.Context, d *demoOptions) (a *app, cleanup func() error, err error) {
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
	browser, _ := flows.ParseBrowserMode(d.common.browser) // checked by check
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
func demoModel(a *app, d *demoOptions) tea.Model {
	return tui.New(tui.Options{
		Env: a.env, Banner: demoBanner, ExportDir: d.exportDir, Logger: d.common.logger,
		Demo: &tui.DemoOptions{Flows: d.flows, Pace: d.pace, AutopilotDelay: d.delay, Autostart: true},
	})
}

// runDemo wires the demo, plays it in the terminal app until the user
// quits, then stops everything; its error is printed once the terminal is
// restored.
func runDemo(d *demoOptions) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, cleanup, err := setupDemo(ctx, d)
	if err != nil {
		return err
	}
	prepareTerminal("linkexplorer demo")
	p := tea.NewProgram(demoModel(a, d), tea.WithAltScreen(), tea.WithMouseCellMotion())
	stopHangup := quitOnHangup(p)
	final, runErr := p.Run()
	stopHangup()
	closeErr := errors.Join(tui.Stop(final), cleanup())
	switch {
	case runErr != nil && !errors.Is(runErr, tea.ErrInterrupted):
		return runErr
	case closeErr != nil:
		return closeErr
	}
	if d.common.stateDir != "" {
		fmt.Fprintf(d.f.out, "The demo's session log is in %s: linkexplorer log --state-dir %s\n", d.common.stateDir, d.common.stateDir)
	}
	return nil
}
