package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// ownAppPollEvery is how often the emulator is asked for requests from the
// user's own app.
const ownAppPollEvery = 2 * time.Second

// ownAppPoller records, in the session log, the requests the user's own
// app sends to the embedded emulator. It polls the emulator's control API
// from a command, one poll at a time.
type ownAppPoller struct {
	c       *common
	since   int64
	failing bool // the last poll failed; the failure was reported once
}

// ownAppPollDueMsg: time for the next poll.
type ownAppPollDueMsg struct{}

// enabled reports whether there is an emulator to poll and a session to
// record into.
func (p *ownAppPoller) enabled() bool {
	return p.c.env != nil && p.c.control != nil && p.c.store != nil && p.c.sessionID != ""
}

func (p *ownAppPoller) init() tea.Cmd {
	if !p.enabled() {
		return nil
	}
	return p.poll()
}

func (p *ownAppPoller) poll() tea.Cmd {
	return pollOwnRequests(p.c.control, p.c.store, p.c.sessionID, p.c.env.Config.ClientID, p.since)
}

// ownAppFailure is the status source of a failed poll: its error leaves
// the footer when a poll succeeds again.
const ownAppFailure = "own-app-poll"

// update handles the poller's messages: a finished poll schedules the
// next, at once while a burst is being read; a failure is reported once,
// until a poll succeeds again, which takes the error off the screen.
func (p *ownAppPoller) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ownAppPollDueMsg:
		return p.poll()
	case ownRequestsPolledMsg:
		next := tea.Tick(ownAppPollEvery, func(time.Time) tea.Msg { return ownAppPollDueMsg{} })
		p.since = msg.since
		if msg.err == nil {
			if msg.more {
				next = p.poll()
			}
			if p.failing {
				p.failing = false
				return tea.Batch(next, func() tea.Msg { return statusClearedMsg{source: ownAppFailure} })
			}
			return next
		}
		p.c.log.Warn("polling the emulator for requests from your own app", "err", msg.err)
		if p.failing {
			return next
		}
		p.failing = true
		return tea.Batch(next, func() tea.Msg {
			return failedMsg{reason: "reading the requests from your own app", err: msg.err, source: ownAppFailure}
		})
	}
	return nil
}
