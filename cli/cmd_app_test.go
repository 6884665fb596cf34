package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/term"
)

// The terminal app refuses what it cannot run before touching the terminal
// or the state directory. (The app itself is driven through a real
// terminal by .ci/smoke-tmux.sh, and through teatest in tui/.)
func TestAppRefusesBadUse(t *testing.T) {
	state := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "sandbox"}, `unknown --mode "sandbox"`},
		{[]string{"--browser", "firefox"}, "firefox"},
		{[]string{"--state-dir", state, "quickstart"}, `unknown command "quickstart"`},
		{[]string{"--state-dir", state, "--debug"}, "the terminal app needs a terminal"},
	}
	if term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) {
		cases = cases[:3] // run from a terminal: the app would open
	}
	for _, c := range cases {
		var stdout, stderr strings.Builder
		if code := Run(c.args, &stdout, &stderr); code != exitUsage {
			t.Errorf("linkexplorer %v: exit %d, want %d", c.args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), c.want) {
			t.Errorf("linkexplorer %v: stderr %q lacks %q", c.args, stderr.String(), c.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("linkexplorer %v wrote to stdout: %q", c.args, stdout.String())
		}
	}
	// A bad $LINKEXPLORER_THEME is named as such.
	t.Setenv(themeEnv, "purple")
	var stdout, stderr strings.Builder
	if code := Run([]string{"--state-dir", state}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), `$LINKEXPLORER_THEME: unknown theme "purple": use auto, light or dark`) {
		t.Errorf("LINKEXPLORER_THEME=purple: exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(state, debugLogFile)); !os.IsNotExist(err) {
		t.Errorf("a refused start left a debug log: %v", err)
	}
	// So is a bad $LINKEXPLORER_TERM_TIMEOUT.
	t.Setenv(themeEnv, "")
	for _, bad := range []string{"banana", "0s", "-1s", "2h"} {
		t.Setenv(queryTimeoutEnv, bad)
		stdout.Reset()
		stderr.Reset()
		if code := Run([]string{"--state-dir", state}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "$LINKEXPLORER_TERM_TIMEOUT: \""+bad+"\" is not a duration") {
			t.Errorf("LINKEXPLORER_TERM_TIMEOUT=%s: exit %d, stderr %q", bad, code, stderr.String())
		}
	}
}
