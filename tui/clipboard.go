package tui

import (
	"io"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
)

// copyText puts s on the clipboard with an OSC 52 escape sequence, which
// works through SSH and tmux in the terminals that support it, and reports
// it as a notice naming what was copied.
func copyText(w io.Writer, what, s string) tea.Cmd {
	return func() tea.Msg {
		if s == "" {
			return notifiedMsg("nothing to copy: there is no " + what + " yet")
		}
		if _, err := osc52.New(s).WriteTo(w); err != nil {
			return failedMsg{reason: "copying the " + what, err: err}
		}
		return notifiedMsg("copied " + what + " " + s + " to the clipboard")
	}
}
