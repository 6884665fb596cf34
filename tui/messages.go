package tui

import (
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// screenID names a top-level screen.
type screenID int

// The screens, in the order tab visits them.
const (
	screenHome screenID = iota
	screenFlow
	screenLog
	screenMigrate
	screenConsole
)

func (s screenID) String() string {
	switch s {
	case screenFlow:
		return "Flow"
	case screenLog:
		return "Log"
	case screenMigrate:
		return "Migration"
	case screenConsole:
		return "Console"
	}
	return "Home"
}

// navigatedMsg asks the root to show a screen.
type navigatedMsg struct{ to screenID }

func navigate(to screenID) tea.Cmd {
	return func() tea.Msg { return navigatedMsg{to: to} }
}

// flowChosenMsg asks the root to start a run of a flow, with opts (an
// Item's "Use for update mode" sets opts.ItemID).
type flowChosenMsg struct {
	flow *flows.Flow
	opts flows.RunOptions
}

// failedMsg is an error to show in the footer until the next key. reason
// says what was being done; err says what went wrong.
type failedMsg struct {
	reason string
	err    error
	// source names what failed when its error can stop being true (a
	// background job that recovers): a statusClearedMsg of the same source
	// takes the error off the screen.
	source string
}

// statusClearedMsg: what failed with this source works again; its error,
// if still shown, goes.
type statusClearedMsg struct{ source string }

func (f failedMsg) Error() string {
	if f.reason == "" {
		return f.err.Error()
	}
	return f.reason + ": " + f.err.Error()
}

// fail returns a failedMsg for err, or nil for a nil err.
func fail(reason string, err error) tea.Msg {
	if err == nil {
		return nil
	}
	return failedMsg{reason: reason, err: err}
}

// notifiedMsg is a short notice for the footer ("copied …").
type notifiedMsg string

func notify(s string) tea.Cmd {
	return func() tea.Msg { return notifiedMsg(s) }
}

// confirmationAskedMsg asks the user a yes/no question; yes runs when they
// agree.
type confirmationAskedMsg struct {
	question string
	yes      tea.Cmd
}

// tickedMsg is the clock's once-a-second tick, for countdowns.
type tickedMsg struct {
	id int
	t  time.Time
}

// Errors of a screen asked to do what its context cannot.
var (
	errNoEnv = errors.New("no Plaid environment was set up, so flows cannot run; start linkexplorer without arguments")
	errNoRun = errors.New("the run has not started yet; wait for it, or press esc and choose the flow again")
)
