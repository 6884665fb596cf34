package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// emulatorStateFile is where the embedded emulator keeps its Items and
// tokens, inside the state directory, so that Items in the session log stay
// usable from one run to the next.
const emulatorStateFile = "emulator-state.json"

// commonFlags are the flags shared by the commands that talk to Plaid (run,
// and the terminal app).
type commonFlags struct {
	mode         string
	plaidURL     string
	stateDir     string
	callbackAddr string
	browser      string
	emulatorAddr string // registered by the commands that start the embedded emulator
	exportDir    string // registered by the commands that open the terminal app

	// Not flags: set by the caller before setup.
	logger      *slog.Logger  // debug logs of the flows and the emulator; nil discards
	waitTimeout time.Duration // bound on each wait for Link; 0 is flows.DefaultWaitTimeout
	prewarm     bool          // start headless Chromium (--browser auto) before the Env, and stop it after the last Link step: one flow runs at once
}

// register adds the flags to cmd, with the completion of their values.
func (f *commonFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.mode, "mode", "", "emulated (offline; the default unless PLAID_CLIENT_ID and PLAID_SECRET are set) or plaid (Plaid's Sandbox with your keys)")
	fs.StringVar(&f.plaidURL, "plaid-url", "", "in plaid mode, the API base URL (overrides PLAID_API_URL): a proxy, or a standalone emulator")
	fs.StringVar(&f.stateDir, "state-dir", "", "`directory` of the session log (default $LINKEXPLORER_HOME, else $XDG_STATE_HOME/linkexplorer, else ~/.local/state/linkexplorer)")
	fs.StringVar(&f.callbackAddr, "callback-addr", "127.0.0.1:0", "loopback address of the local callback page (port 0 picks a free one)")
	fs.StringVar(&f.browser, "browser", "system", "how Link opens: system (your browser), none (print the URL and wait) or auto (complete Link with no person)")
	completeModeAndBrowser(cmd)
	completeNoFile(cmd, "plaid-url", "callback-addr")
	_ = cmd.MarkFlagDirname("state-dir")
}

// modeChoices are the values of --mode, with what each means (for
// completion).
func modeChoices() []cobra.Completion {
	return []cobra.Completion{"emulated\toffline, against the embedded emulator", "plaid\tPlaid's Sandbox with your keys"}
}

// browserChoices are the values of --browser.
func browserChoices() []cobra.Completion {
	return []cobra.Completion{"system\tyour default browser", "none\tprint the URL and wait", "auto\tcomplete Link with no person (headless Chromium)"}
}

// completeModeAndBrowser completes --mode and --browser.
func completeModeAndBrowser(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions(modeChoices(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("browser", cobra.FixedCompletions(browserChoices(), cobra.ShellCompDirectiveNoFileComp))
}

// completeNoFile says that the named flags take no file name.
func completeNoFile(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		_ = cmd.RegisterFlagCompletionFunc(n, cobra.NoFileCompletions)
	}
}

// registerEmulatorAddr adds --emulator-addr, for the commands whose
// embedded emulator a user's own app may talk to.
func (f *commonFlags) registerEmulatorAddr(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.emulatorAddr, "emulator-addr", "127.0.0.1:0", "offline: loopback address of the embedded emulator, which your own app can use too (port 0 picks a free one; fix it to keep the URL across runs)")
	completeNoFile(cmd, "emulator-addr")
}

// check validates the flag values that need no I/O: a bad value is a usage
// error.
func (f *commonFlags) check() error {
	if _, err := flows.ParseBrowserMode(f.browser); err != nil {
		return &usageError{err: err, suggest: closest(f.browser, choiceNames(browserChoices()))}
	}
	switch flows.Mode(strings.ToLower(f.mode)) {
	case "", flows.ModeEmulated, flows.ModePlaid:
		return nil
	}
	return usageErrorf("unknown --mode %q: use emulated (offline) or plaid (Plaid's Sandbox with your keys)", f.mode)
}

// app is the wiring shared by the CLI and the terminal app: the
// configuration, the session log, the embedded emulator (emulated mode) and
// the flows' Env.
type app struct {
	cfg         flows.Config
	env         *flows.Env
	store       *store.Store
	stateDir    string
	emulatorURL string // the embedded emulator's URL; "" in plaid mode

	stopEmulator func() error
}

// setup loads the configuration (flags, then the environment, then .env in
// the working directory), opens the session log, starts the embedded
// emulator on a loopback port in emulated mode, and builds the Env. ctx
// bounds the servers' life; Close stops everything. Warnings go to stderr.
func setup(ctx context.Context, f *commonFlags, stderr io.Writer) (*app, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	cfg, err := flows.LoadConfig(os.Getenv, ".env", flows.Overrides{Mode: f.mode, PlaidURL: f.plaidURL})
	if err != nil {
		return nil, err
	}
	logger := f.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	browser, _ := flows.ParseBrowserMode(f.browser) // checked above
	var prewarmed *flows.Prewarmed
	if f.prewarm && browser == flows.BrowserAuto && cfg.Mode == flows.ModeEmulated {
		// Chromium's launch is most of the flow: it starts first.
		prewarmed = flows.PrewarmHeadless(ctx)
	}
	a := &app{cfg: cfg, stopEmulator: func() error { return nil }}
	fail := func(err error) (*app, error) {
		if prewarmed != nil {
			prewarmed.Close()
		}
		a.Close()
		return nil, err
	}
	if a.stateDir, err = stateDir(f.stateDir); err != nil {
		return fail(err)
	}
	// The emulator starts (its state file read) while the store opens, in
	// the state directory they share: made first.
	if err := os.MkdirAll(a.stateDir, 0o700); err != nil {
		return fail(fmt.Errorf("creating the state directory %s: %w", a.stateDir, err))
	}
	emulated := make(chan error, 1)
	if cfg.Mode == flows.ModeEmulated {
		go func() { emulated <- a.startEmulator(ctx, f.emulatorAddr, logger, stderr) }()
	} else {
		emulated <- nil
	}
	a.store, err = store.Open(a.stateDir)
	if emuErr := <-emulated; err == nil {
		err = emuErr
	}
	if err != nil {
		return fail(err)
	}
	if cfg.Mode == flows.ModeEmulated {
		a.cfg.BaseURL = a.emulatorURL
	}
	a.env, err = flows.NewEnv(ctx, flows.EnvOptions{
		Config: a.cfg, Store: a.store, Browser: browser, CallbackAddr: f.callbackAddr,
		Logger: logger, WaitTimeout: f.waitTimeout, Prewarmed: prewarmed, StopBrowserAfterLink: f.prewarm,
	})
	if err != nil {
		a.Close() // NewEnv closed the browser
		return nil, err
	}
	return a, nil
}

// stateDir is --state-dir, else the default state directory.
func stateDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	return store.DefaultDir()
}

// startEmulator serves the embedded emulator on addr (a loopback address;
// "" picks a free port) until ctx is done or Close. A state file it cannot read is set aside with a
// warning, so a damaged file never stops linkexplorer.
func (a *app) startEmulator(ctx context.Context, addr string, logger *slog.Logger, stderr io.Writer) error {
	state := filepath.Join(a.stateDir, emulatorStateFile)
	emu, err := emulator.New(emulator.Options{StateFile: state, Logger: logger})
	if err != nil {
		aside := state + ".unreadable"
		fmt.Fprintf(stderr, "linkexplorer: warning: %v; moved it to %s and starting the emulator empty\n", err, aside)
		if rerr := os.Rename(state, aside); rerr != nil {
			return fmt.Errorf("starting the embedded emulator: %w", errors.Join(err, rerr))
		}
		if emu, err = emulator.New(emulator.Options{StateFile: state, Logger: logger}); err != nil {
			return fmt.Errorf("starting the embedded emulator: %w", err)
		}
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := emulator.Listen(addr, false)
	if err != nil {
		emu.Close()
		return fmt.Errorf("starting the embedded emulator: %w", embeddedListenError(addr, err))
	}
	a.emulatorURL = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- emu.Serve(ctx, ln) }()
	a.stopEmulator = func() error {
		cancel()
		if err := <-served; err != nil {
			return fmt.Errorf("stopping the embedded emulator: %w", err)
		}
		return nil
	}
	return nil
}

// Close stops the Env, the embedded emulator and the session log, in that
// order, and reports what went wrong.
func (a *app) Close() error {
	var errs []error
	if a.env != nil {
		errs = append(errs, a.env.Close())
	}
	errs = append(errs, a.stopEmulator())
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	return errors.Join(errs...)
}

// embeddedListenError says what went wrong listening on --emulator-addr in
// terms of that flag (emulator.Listen speaks of the emulator command's
// --addr).
func embeddedListenError(addr string, err error) error {
	var le *emulator.ListenError
	if !errors.As(err, &le) {
		return err
	}
	switch le.Kind {
	case emulator.ErrAddrInUse:
		return fmt.Errorf("%s is already in use (another linkexplorer?); pick another --emulator-addr, or 127.0.0.1:0 for any free port", addr)
	case emulator.ErrNotLoopback:
		return fmt.Errorf("--emulator-addr %s is not a loopback address; the embedded emulator serves this machine only (for more, run \"linkexplorer emulator --allow-remote\")", addr)
	}
	return fmt.Errorf("cannot listen on --emulator-addr %q (%v); use e.g. 127.0.0.1:7878, or 127.0.0.1:0 for any free port", addr, le.Err)
}
