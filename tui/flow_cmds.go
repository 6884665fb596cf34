package tui

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// liveRun is a run as the flow screen drives it: the Run, and the count of
// the snapshots taken of it. Each run numbers its own snapshots, so no
// counter outlives a run or is shared between runs.
type liveRun struct {
	*flows.Run
	snaps atomic.Uint64
}

// runSnapshot is a run's state, read inside a command so that Update never
// touches the Run. A run's snapshots are numbered in the order they were
// taken; the flow screen ignores one older than what it shows (a new run
// starts on a fresh screen).
type runSnapshot struct {
	seq          uint64
	current      int
	done         bool
	results      []*flows.StepResult
	linkToken    string // masked
	expires      time.Time
	expired      bool // expired early with x: no countdown
	pageURL      string
	timeline     []flows.TimelineEntry
	tokenRequest flows.TokenRequest
	tokenEdited  bool // the form was saved: the request's values are the user's
}

// snapshot reads the run's state and numbers it.
func (r *liveRun) snapshot() runSnapshot {
	s := runSnapshot{seq: r.snaps.Add(1)}
	s.current, s.done = r.Current(), r.Done()
	for i := range r.Flow().Steps {
		s.results = append(s.results, r.Result(i))
	}
	s.linkToken, s.expires = r.LinkToken()
	s.expired = r.LinkTokenExpired()
	s.pageURL = r.PageURL()
	s.timeline = r.Timeline()
	s.tokenRequest = r.TokenRequest()
	s.tokenEdited = r.TokenRequestEdited()
	return s
}

// runStartedMsg: a run of a flow began.
type runStartedMsg struct {
	flow  *flows.Flow
	run   *liveRun
	runID string
	snap  runSnapshot
}

// runStartFailedMsg: a run could not begin.
type runStartFailedMsg struct {
	flow *flows.Flow
	err  error
}

// stepFinishedMsg: Next or Retry returned.
type stepFinishedMsg struct {
	runID  string
	result *flows.StepResult
	snap   runSnapshot
}

// runMovedMsg: the run's position or request changed (skip, back, edit).
type runMovedMsg struct {
	runID string
	snap  runSnapshot
	err   error // SetTokenRequest's refusal
}

// runEventMsg: the run reported progress.
type runEventMsg struct {
	runID string
	ev    flows.Event
	snap  runSnapshot
}

// runEventsEndedMsg: the run's Events channel closed.
type runEventsEndedMsg struct{ runID string }

// startRun starts a run of flow with opts in the background.
func startRun(ctx context.Context, env *flows.Env, flow *flows.Flow, opts flows.RunOptions) tea.Cmd {
	return func() tea.Msg {
		run, err := env.NewRunWith(ctx, flow, opts)
		if err != nil {
			return runStartFailedMsg{flow: flow, err: err}
		}
		r := &liveRun{Run: run}
		return runStartedMsg{flow: flow, run: r, runID: r.ID(), snap: r.snapshot()}
	}
}

// runStep runs the current step (again, when retry is set).
func runStep(ctx context.Context, r *liveRun, retry bool) tea.Cmd {
	return func() tea.Msg {
		var res *flows.StepResult
		if retry {
			res = r.Retry(ctx)
		} else {
			res = r.Next(ctx)
		}
		return stepFinishedMsg{runID: r.ID(), result: res, snap: r.snapshot()}
	}
}

// moveRun skips the current step (forward) or goes back one.
func moveRun(r *liveRun, forward bool) tea.Cmd {
	return func() tea.Msg {
		if forward {
			r.Skip()
		} else {
			r.Back()
		}
		return runMovedMsg{runID: r.ID(), snap: r.snapshot()}
	}
}

// saveTokenRequest replaces the request the next create step sends.
func saveTokenRequest(r *liveRun, tr flows.TokenRequest) tea.Cmd {
	return func() tea.Msg {
		err := r.SetTokenRequest(tr)
		return runMovedMsg{runID: r.ID(), snap: r.snapshot(), err: err}
	}
}

// awaitEvent reads the run's next event; the flow screen issues it again
// after each one.
func awaitEvent(r *liveRun) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-r.Events()
		if !ok {
			return runEventsEndedMsg{runID: r.ID()}
		}
		return runEventMsg{runID: r.ID(), ev: ev, snap: r.snapshot()}
	}
}

// expireLinkToken expires the run's current link_token through the
// emulator's control API.
func expireLinkToken(ctx context.Context, r *liveRun) tea.Cmd {
	return func() tea.Msg {
		what, err := r.ExpireLinkToken(ctx)
		if err != nil {
			return failedMsg{reason: "expiring the link_token", err: err}
		}
		return notifiedMsg(what)
	}
}

// toggleOAuthMistake switches the oauth flow's deliberate mistake
// (re-initializing Link without receivedRedirectUri after the bank).
func toggleOAuthMistake(r *liveRun) tea.Cmd {
	return func() tea.Msg {
		on := !r.OAuthMistake()
		r.SetOAuthMistake(on)
		if on {
			return notifiedMsg("OAuth mistake ON: back from the bank, the page re-initializes Link without receivedRedirectUri, sees it start over, then recovers")
		}
		return notifiedMsg("OAuth mistake off: the page re-initializes Link with receivedRedirectUri")
	}
}

// reopenPage opens the Link page again as --browser says (o): in a new
// headless Chromium tab (auto), the system browser (system), or not at all
// (none: the URL is copied to the clipboard instead).
func reopenPage(ctx context.Context, r *liveRun, mode flows.BrowserMode, clipboard io.Writer) tea.Cmd {
	return func() tea.Msg {
		what, err := r.OpenPage(ctx)
		if err != nil {
			return failedMsg{reason: "opening the Link page", err: err}
		}
		if mode == flows.BrowserNone {
			if _, err := osc52.New(r.PageURL()).WriteTo(clipboard); err == nil {
				what += " (the URL is copied to the clipboard)"
			}
		}
		return notifiedMsg(what)
	}
}

// closeRun ends a run: its session in the store and its events.
func closeRun(r *liveRun) tea.Cmd {
	return func() tea.Msg {
		return fail("closing the run", r.Close())
	}
}

// tick sends a tickedMsg with id after a second.
func tick(id int, now func() time.Time) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickedMsg{id: id, t: now()} })
}
