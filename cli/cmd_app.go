package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
	"github.com/linkexplorer/linkexplorer/tui"
)

// debugLogFile is the --debug log, inside the state directory.
const debugLogFile = "debug.log"

// appOptions are the terminal app's settings: the root command's flags.
type appOptions struct {
	f      *factory
	common commonFlags
	theme  themeFlag
	debug  bool
}

// newCmdRoot is linkexplorer: with no subcommand it opens the terminal app.
func newCmdRoot(f *factory) *cobra.Command {
	opts := &appOptions{f: f}
	cmd := &cobra.Command{
		Use:   "linkexplorer",
		Short: "Teach, demo and verify Plaid Link integrations",
		Long: `linkexplorer teaches, demos and verifies Plaid Link integrations.

With no command it opens the terminal app: run the Link flows step by step,
watch Link's events live, and browse the session log. Offline by default,
against the embedded emulator of Plaid's Sandbox; with PLAID_CLIENT_ID and
PLAID_SECRET (environment or .env) it talks to Plaid's Sandbox.`,
		Example: `  linkexplorer                                   # the terminal app, offline
  linkexplorer --browser auto --state-dir ./log  # Link completes itself; keep the log here
  linkexplorer run quickstart --browser auto     # a flow end to end, no UI
  linkexplorer log --last --md                   # for a Plaid support ticket
  linkexplorer run --help                        # a command's flags`,
		Version:           versionString(f.buildInfo()),
		Args:              rootArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		SilenceErrors:     true,
		SilenceUsage:      true,
		// cobra's "Did you mean this?" for a mistyped command.
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, args []string) error {
			return openApp(opts)
		},
	}
	cmd.SetOut(f.out)
	cmd.SetErr(f.errOut)
	cmd.SetFlagErrorFunc(flagError)
	cmd.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	opts.common.register(cmd)
	opts.common.registerEmulatorAddr(cmd)
	opts.common.registerExportDir(cmd)
	opts.theme.register(cmd)
	cmd.Flags().BoolVar(&opts.debug, "debug", false, "write a debug log to "+debugLogFile+" in the state directory (never to the terminal)")

	cmd.AddCommand(
		newCmdRun(f, nil),
		newCmdLog(f, nil),
		newCmdItems(f, nil),
		newCmdCall(f, nil),
		newCmdDemo(f, nil),
		newCmdDoctor(f, nil),
		newCmdMigrate(f, nil),
		newCmdEmulator(f, nil),
		newCmdVersion(f),
	)
	addHelpAndCompletion(cmd)
	return cmd
}

// rootArgs refuses a command that does not exist, suggesting the closest.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	err := &usageError{err: fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		err.suggest = s[0]
	}
	return err
}

// openApp checks what needs no I/O, then opens the terminal app.
func openApp(opts *appOptions) error {
	if err := opts.common.check(); err != nil {
		return err
	}
	if err := opts.theme.check(opts.f.getenv); err != nil {
		return err
	}
	exportDir, err := resolveExportDir(opts.common.exportDir, os.Getenv)
	if err != nil {
		return err
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return &exitError{code: exitUsage, err: errors.New("the terminal app needs a terminal; in scripts use \"linkexplorer run FLOW\" and \"linkexplorer log\"")}
	}
	if opts.debug {
		closeLog, err := openDebugLog(&opts.common)
		if err != nil {
			return err
		}
		defer closeLog()
	}
	applyTheme(opts.theme, opts.f.getenv, opts.common.logger)
	return runApp(&opts.common, exportDir, opts.f.errOut)
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
// everything; its error is printed once the terminal is restored.
func runApp(f *commonFlags, exportDir string, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := setup(ctx, f, stderr)
	if err != nil {
		return err
	}
	sessionID := startAppSession(ctx, a)
	cwd, _ := os.Getwd()
	prepareTerminal("linkexplorer")
	m := tui.New(tui.Options{Env: a.env, SessionID: sessionID, ExportDir: exportDir, Logger: f.logger, StateDir: a.stateDir, WorkDir: cwd})
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion())
	stopHangup := quitOnHangup(p)
	final, runErr := p.Run()
	stopHangup()
	stopErr := tui.Stop(final)
	if sessionID != "" {
		_ = a.store.EndSession(ctx, sessionID, store.SessionOK, "terminal app closed")
	}
	closeErr := errors.Join(stopErr, a.Close())
	if runErr != nil && !errors.Is(runErr, tea.ErrInterrupted) {
		return runErr
	}
	return closeErr
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

// prepareTerminal runs before the program starts (after applyTheme, which
// asked the terminal for its background). It sets the window title: here,
// because bubbletea v1.3.10's tea.SetWindowTitle writes to the terminal
// outside the renderer's lock, racing its frames.
func prepareTerminal(title string) {
	fmt.Fprint(os.Stdout, ansi.SetWindowTitle(title))
}
