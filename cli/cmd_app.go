package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
	"github.com/linkexplorer/linkexplorer/tui"
)

// debugLogFile is the --debug log, inside the state directory.
const debugLogFile = "debug.log"

const appUsage = `Usage: linkexplorer [flags]

Opens the terminal app: run the Link flows step by step, watch Link's events
live, and browse the session log. Offline by default, against the embedded
emulator of Plaid's Sandbox.

Flags:
`

// cmdApp opens the terminal app.
func cmdApp(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("linkexplorer", appUsage, stderr)
	var f commonFlags
	f.register(fs)
	f.registerEmulatorAddr(fs)
	debug := fs.Bool("debug", false, "write a debug log to "+debugLogFile+" in the state directory (never to the terminal)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if err := appArgsError(fs, &f); err != nil {
		fmt.Fprintln(stderr, "linkexplorer:", err)
		return exitUsage
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		fmt.Fprintln(stderr, "linkexplorer: the terminal app needs a terminal; in scripts use \"linkexplorer run FLOW\" and \"linkexplorer log\"")
		return exitUsage
	}
	if *debug {
		closeLog, err := openDebugLog(&f)
		if err != nil {
			fmt.Fprintln(stderr, "linkexplorer:", err)
			return exitFailure
		}
		defer closeLog()
	}
	return runApp(&f, stderr)
}

// appArgsError checks what the app was given besides flags.
func appArgsError(fs *flag.FlagSet, f *commonFlags) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unknown command %q; run \"linkexplorer help\" for the commands", fs.Arg(0))
	}
	return f.check()
}

// openDebugLog points f's logger at the debug log file (mode 0600).
func openDebugLog(f *commonFlags) (func(), error) {
	dir, err := stateDir(f.stateDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory for the debug log: %w", err)
	}
	path := filepath.Join(dir, debugLogFile)
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the debug log: %w", err)
	}
	f.logger = slog.New(slog.NewTextHandler(file, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.logger.Info("linkexplorer started", "pid", os.Getpid())
	return func() { file.Close() }, nil
}

// runApp wires the services, runs the UI until it quits and then stops
// everything; errors are printed only once the terminal is restored.
func runApp(f *commonFlags, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := setup(ctx, f, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer:", err)
		return exitFailure
	}
	sessionID := startAppSession(ctx, a)
	cwd, _ := os.Getwd()
	prepareTerminal("linkexplorer")
	m := tui.New(tui.Options{Env: a.env, SessionID: sessionID, ExportDir: cwd, Logger: f.logger, StateDir: a.stateDir, WorkDir: cwd})
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion())
	stopHangup := quitOnHangup(p)
	final, runErr := p.Run()
	stopHangup()
	stopErr := tui.Stop(final)
	if sessionID != "" {
		_ = a.store.EndSession(ctx, sessionID, store.SessionOK, "terminal app closed")
	}
	closeErr := errors.Join(stopErr, a.Close())
	switch {
	case runErr != nil && !errors.Is(runErr, tea.ErrInterrupted):
		fmt.Fprintln(stderr, "linkexplorer:", runErr)
		return exitFailure
	case closeErr != nil:
		fmt.Fprintln(stderr, "linkexplorer:", closeErr)
		return exitFailure
	}
	return exitOK
}

// startAppSession opens the session in which the requests of the user's
// own app to the emulator are recorded; "" when there is no emulator to
// watch, or the session could not start (the app then records none).
func startAppSession(ctx context.Context, a *app) string {
	if !a.env.Emulated() {
		return ""
	}
	mode := store.ModeEmulated
	if a.cfg.Mode == flows.ModePlaid {
		mode = store.ModePlaid
	}
	sess, err := a.store.StartSession(ctx, "app", mode)
	if err != nil {
		a.env.Logger.Warn("the app session could not start; requests from your own app will not be logged", "err", err)
		return ""
	}
	return sess.ID
}

// prepareTerminal runs before the program starts. It asks the terminal for
// its background colour, so the styles suit light and dark themes, before
// the UI starts reading its input. It then sets the window title:
// here, because bubbletea v1.3.10's tea.SetWindowTitle writes to the
// terminal outside the renderer's lock, racing its frames.
func prepareTerminal(title string) {
	lipgloss.HasDarkBackground()
	fmt.Fprint(os.Stdout, ansi.SetWindowTitle(title))
}
