package cli

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/internal/termbg"
)

// themeEnv is the environment variable that sets the palette, as --theme.
const themeEnv = "LINKEXPLORER_THEME"

// queryTimeoutEnv bounds the wait for the terminal's answer about its
// background (termbg.DefaultTimeout by default): a terminal at the end of
// a slow link (ssh across the world) can answer later than that, and its
// late answer would show up as text.
const queryTimeoutEnv = "LINKEXPLORER_TERM_TIMEOUT"

// maxQueryTimeout bounds $LINKEXPLORER_TERM_TIMEOUT: the first frame waits
// that long where the terminal answers nothing.
const maxQueryTimeout = time.Minute

// themeFlag is --theme, for the commands that open the terminal app.
type themeFlag struct {
	value  string
	choice termbg.Theme  // resolved by check
	wait   time.Duration // how long to wait for the terminal's answer, resolved by check
}

func (t *themeFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.value, "theme", "", "palette: auto (ask the terminal for its background), light or dark (default $"+themeEnv+", else auto)")
	_ = cmd.RegisterFlagCompletionFunc("theme", cobra.FixedCompletions([]cobra.Completion{
		"auto\task the terminal for its background colour",
		"light\tfor a light background",
		"dark\tfor a dark background",
	}, cobra.ShellCompDirectiveNoFileComp))
}

// check resolves --theme, else $LINKEXPLORER_THEME; a bad value is a
// usage error that names where it came from.
func (t *themeFlag) check(getenv func(string) string) error {
	value, from := t.value, "--theme"
	if value == "" {
		value, from = getenv(themeEnv), "$"+themeEnv
	}
	choice, err := termbg.ParseTheme(value)
	if err != nil {
		return &usageError{err: fmt.Errorf("%s: %w", from, err), suggest: closest(value, []string{"auto", "light", "dark"})}
	}
	t.choice, t.wait = choice, termbg.DefaultTimeout
	if v := getenv(queryTimeoutEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxQueryTimeout {
			return &usageError{err: fmt.Errorf("$%s: %q is not a duration from 1ms to %v (e.g. 300ms, 2s)", queryTimeoutEnv, v, maxQueryTimeout)}
		}
		t.wait = d
	}
	return nil
}

// applyTheme finds the palette for choice and sets it: lipgloss's adaptive
// colours follow it, and lipgloss asks the terminal nothing itself (termenv
// would skip the question in tmux and screen, and wait up to 5 s for a
// silent terminal). It runs before anything else writes to the terminal, as
// the terminal is in raw mode for the question (at most t.wait,
// termbg.DefaultTimeout unless $LINKEXPLORER_TERM_TIMEOUT says otherwise; a
// few milliseconds where the terminal answers).
func applyTheme(t themeFlag, getenv func(string) string, logger *slog.Logger) termbg.Result {
	r := termbg.Detect(termbg.Options{
		Choice:    t.choice,
		COLORFGBG: getenv("COLORFGBG"),
		Query:     func() termbg.QueryResult { return termbg.Query(os.Stdin, os.Stdout, t.wait) },
	})
	lipgloss.SetHasDarkBackground(r.Theme == termbg.Dark)
	if logger != nil {
		logger.Info("palette", "theme", r.Theme.String(), "source", string(r.Source), "detail", r.Detail, "query_ms", r.Waited.Milliseconds())
	}
	return r
}

// TerminalRestored is for main, after internal/earlyterm has put TERM back
// (it held TERM=dumb while packages initialised, so that Bubble Tea's init
// asked the terminal nothing). What termenv and lipgloss computed from the
// environment during initialisation is computed again from the real one:
// termenv's default output (its colour profile is computed when it is
// made) and lipgloss's default renderer, which keeps that output and its
// own profile. The background is not asked here: applyTheme sets it for
// the commands that draw in colour; the other commands print plain text.
func TerminalRestored() {
	out := termenv.NewOutput(os.Stdout)
	termenv.SetDefaultOutput(out)
	r := lipgloss.DefaultRenderer()
	r.SetOutput(out)
	r.SetColorProfile(out.EnvColorProfile())
}
