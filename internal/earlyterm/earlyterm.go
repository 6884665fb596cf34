// Package earlyterm keeps Bubble Tea's package initialisation from asking
// the terminal anything.
//
// Bubble Tea v1.3's init (tea_init.go) calls lipgloss.HasDarkBackground,
// which has termenv send OSC 11 and wait up to termenv.OSCTimeout (5 s) for
// an answer; a terminal that answers nothing (a bare pty) holds the start of
// the program for those 5 s before main runs. termenv skips the question
// when TERM starts with "dumb" (or screen, tmux). linkexplorer asks the
// terminal itself, with a 100 ms deadline (internal/termbg), so it needs
// none of that.
//
// This package's init sets TERM=dumb, remembering the original, and
// Restore puts it back. It must initialise before github.com/muesli/termenv,
// and it does, by the Go spec's order of package initialisation (Go 1.21
// and later): packages are sorted by import path and each step initialises
// the first one whose imports are all initialised. This package imports
// only "os", which termenv imports too, so whenever termenv could be
// initialised this package could be as well, and its path
// (github.com/linkexplorer/...) sorts before github.com/muesli/termenv; so
// it comes first, and lipgloss and bubbletea (which import termenv) come
// later still. Keep it that way: import nothing here that termenv does not
// import (TestInitialisedBeforeTermenv checks the built binary's order).
//
// Only the linkexplorer binary imports it (main.go), never a library or a
// test binary, and main calls Restore before anything else: TERM is "dumb"
// only while packages initialise.
package earlyterm

import "os"

// dumb is the TERM termenv does not ask.
const dumb = "dumb"

var (
	held     bool   // init replaced TERM
	original string // TERM before init
	wasSet   bool   // TERM was set at all
)

func init() {
	original, wasSet = os.LookupEnv("TERM")
	if wasSet && len(original) >= len(dumb) && original[:len(dumb)] == dumb {
		return // termenv asks nothing already
	}
	if os.Setenv("TERM", dumb) == nil {
		held = true
	}
}

// Held reports whether TERM is being held as "dumb" (until Restore).
func Held() bool { return held }

// Restore puts TERM back as it was before init and reports whether it had
// been changed (and so whether colour profiles computed during
// initialisation must be computed again).
func Restore() bool {
	if !held {
		return false
	}
	held = false
	if wasSet {
		os.Setenv("TERM", original)
	} else {
		os.Unsetenv("TERM")
	}
	return true
}
