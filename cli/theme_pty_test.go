//go:build linux

package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/ptytest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// ptyTerminal is the terminal's side of a pty the built app runs on: it
// keeps what the app draws, and answers OSC 11 with answer ("" is a silent
// terminal, one that answers nothing).
type ptyTerminal struct {
	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{}
}

func (p *ptyTerminal) shown() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// runAppOnPTY starts the built app on a 100×30 pty with env (beside PATH,
// HOME and a fresh state directory) and args, and returns the terminal's
// side, the state directory and a function that quits the app (q) and
// waits for it.
func runAppOnPTY(t *testing.T, answer string, env []string, args ...string) (*ptyTerminal, string, func()) {
	t.Helper()
	bin := buildBinary(t)
	term, prog := ptytest.Open(t, 100, 30)
	state := t.TempDir()
	cmd := exec.Command(bin, append([]string{"--browser", "none", "--debug", "--state-dir", state}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm-256color", "COLORTERM=truecolor"}, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = prog, prog, prog
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pt := &ptyTerminal{changed: make(chan struct{}, 1)}
	go func() {
		// Two questions could come: termenv's in bubbletea's init (OSC 11
		// ended by ST, then CPR; internal/earlyterm keeps it from being
		// asked, and the tests check it never is), then termbg's (OSC 11
		// ended by BEL, then DA1). A terminal that answers answers both, as
		// real ones do.
		answeredInit, answered := false, false
		chunk := make([]byte, 4096)
		for {
			n, err := term.Read(chunk)
			pt.mu.Lock()
			pt.out.Write(chunk[:n])
			out := pt.out.Bytes()
			askInit := !answeredInit && answer != "" && bytes.Contains(out, []byte(termenvQuery))
			ask := !answered && answer != "" && bytes.Contains(out, []byte(termbgQuery))
			pt.mu.Unlock()
			if askInit {
				answeredInit = true
				term.WriteString(answer + "\x1b[1;1R")
			}
			if ask {
				answered = true
				term.WriteString(answer + "\x1b[?62;22c")
			}
			select {
			case pt.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ctx := testwait.Context(t)
	quit := func() {
		term.WriteString("q")
		select {
		case <-exited:
		case <-ctx.Done():
			cmd.Process.Kill()
			t.Fatalf("the app did not exit after q; it showed:\n%q", pt.shown())
		}
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return pt, state, quit
}

// waitShown waits until the app has drawn want, failing at the test's
// deadline with what it drew.
func (p *ptyTerminal) waitShown(t *testing.T, want string) {
	t.Helper()
	ctx := testwait.Context(t)
	for !strings.Contains(p.shown(), want) {
		select {
		case <-p.changed:
		case <-ctx.Done():
			t.Fatalf("the app never drew %q; it drew:\n%q", want, p.shown())
		}
	}
}

// termbgQuery is what internal/termbg asks: OSC 11 ended by BEL, then DA1.
const termbgQuery = "\x1b]11;?\a\x1b[c"

// termenvQuery is what termenv asks (from bubbletea's init, through
// lipgloss): OSC 11 ended by ST, then CPR. It waits 5 s for a silent
// terminal, before main runs; internal/earlyterm keeps it from being asked.
const termenvQuery = "\x1b]11;?\x1b\\\x1b[6n"

// paletteLine is the debug log's line about the palette.
func paletteLine(t *testing.T, state string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, debugLogFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "msg=palette") {
			return l
		}
	}
	t.Fatalf("the debug log has no palette line:\n%s", b)
	return ""
}

// The body text's colour (tui's colText) in each palette, as a truecolor
// terminal gets it.
const (
	lightText = "38;2;31;35;40"    // #1F2328
	darkText  = "38;2;230;237;243" // #E6EDF3
)

// TestAppThemeOnARealTerminal: the built app on a real pty. With a silent
// terminal (it answers neither OSC 11 nor DA1) the question ends at its
// deadline (the debug log says so) and the dark palette is used; termenv's
// own question (bubbletea's init), which would hold the start 5 s, is never
// asked. A terminal with a light background gets the light
// palette, as does COLORFGBG=0;15 where the terminal is silent, and --theme
// and LINKEXPLORER_THEME override both without asking.
func TestAppThemeOnARealTerminal(t *testing.T) {
	const lightAnswer = "\x1b]11;rgb:ffff/ffff/ffff\x1b\\"
	cases := []struct {
		name, answer string
		env, args    []string
		theme        string // in the debug log: theme=… source=…
		text         string
		asked        bool
	}{
		{"silent terminal", "", nil, nil, "theme=dark source=default detail=\"no answer from the terminal within", darkText, true},
		{"light terminal", lightAnswer, nil, nil, "theme=light source=osc11 detail=#ffffff", lightText, true},
		{"COLORFGBG on a silent terminal", "", []string{"COLORFGBG=0;15"}, nil, "theme=light source=colorfgbg", lightText, true},
		{"--theme dark on a light terminal", lightAnswer, nil, []string{"--theme", "dark"}, "theme=dark source=chosen", darkText, false},
		{"LINKEXPLORER_THEME=light on a silent terminal", "", []string{"LINKEXPLORER_THEME=light"}, nil, "theme=light source=chosen", lightText, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := c.env
			if c.answer != "" {
				// This terminal (the test) answers at once, but a loaded
				// machine may not run it within the default 100 ms: the
				// wait ends at its answer, however long it takes.
				env = append(slices.Clone(env), queryTimeoutEnv+"=1m")
			}
			pt, state, quit := runAppOnPTY(t, c.answer, env, c.args...)
			pt.waitShown(t, "FLOWS")
			pt.waitShown(t, c.text) // the body text in the palette
			quit()
			if l := paletteLine(t, state); !strings.Contains(l, c.theme) {
				t.Errorf("debug log: %s\nwant %s", l, c.theme)
			}
			if asked := strings.Contains(pt.shown(), termbgQuery); asked != c.asked {
				t.Errorf("asked the terminal (OSC 11 and DA1): %v, want %v", asked, c.asked)
			}
			if strings.Contains(pt.shown(), termenvQuery) {
				t.Errorf("termenv asked the terminal (OSC 11 then CPR, bubbletea's init), which waits 5 s where nothing answers; internal/earlyterm must keep it from asking")
			}
		})
	}
}

// TestEarlytermInitialisedBeforeTermenv: in the built binary,
// internal/earlyterm (which holds TERM=dumb) initialises before termenv,
// lipgloss and bubbletea, whose init asks the terminal (GODEBUG=inittrace=1
// prints each package's init in order).
func TestEarlytermInitialisedBeforeTermenv(t *testing.T) {
	cmd := exec.Command(buildBinary(t), "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("linkexplorer version: %v\n%s", err, stderr.String())
	}
	order := map[string]int{}
	for i, l := range strings.Split(stderr.String(), "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "init" {
			order[f[1]] = i + 1
		}
	}
	early := order["github.com/linkexplorer/linkexplorer/internal/earlyterm"]
	if early == 0 {
		t.Fatalf("no init of internal/earlyterm in the trace:\n%s", stderr.String())
	}
	for _, p := range []string{"github.com/muesli/termenv", "github.com/charmbracelet/lipgloss", "github.com/charmbracelet/bubbletea"} {
		if order[p] == 0 {
			t.Errorf("no init of %s in the trace", p)
		} else if order[p] < early {
			t.Errorf("%s initialised (line %d) before internal/earlyterm (line %d): termenv would ask the terminal with the real TERM", p, order[p], early)
		}
	}
}

// TestAppFirstFrameOnASilentPTY: on a pty where nothing answers, the first
// frame comes after termbg's 100 ms question only: termenv's question
// (bubbletea's init, 5 s where nothing answers) is never sent. The colour
// profile is still the terminal's (computed again from the real TERM after
// earlyterm put it back): 256 colours for xterm-256color without
// COLORTERM, none at all for TERM=dumb.
func TestAppFirstFrameOnASilentPTY(t *testing.T) {
	cases := []struct {
		name  string
		env   []string
		color string // an escape the body text must use ("" none)
	}{
		{"xterm-256color", []string{"COLORTERM="}, "\x1b[38;5;"},
		{"dumb", []string{"TERM=dumb", "COLORTERM="}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt, state, quit := runAppOnPTY(t, "", c.env)
			pt.waitShown(t, "FLOWS")
			quit()
			shown := pt.shown()
			if strings.Contains(shown, termenvQuery) {
				t.Errorf("termenv asked the terminal (OSC 11 then CPR), which waits 5 s for a silent terminal before the first frame")
			}
			if c.color != "" && !strings.Contains(shown, c.color) {
				t.Errorf("no %q colour in the frames (the colour profile was not the terminal's):\n%q", c.color, shown)
			}
			if c.color == "" && strings.Contains(shown, "\x1b[38;") {
				t.Errorf("TERM=dumb drew colours:\n%q", shown)
			}
			if l := paletteLine(t, state); !strings.Contains(l, "theme=dark") {
				t.Errorf("debug log: %s\nwant the dark palette", l)
			}
		})
	}
}
