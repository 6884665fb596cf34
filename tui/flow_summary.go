package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// runSummary is the flow screen's summary of its run: shown by itself
// when the flow ends, and with S at any time. It is read back from the
// session log, as `linkexplorer log --summary` reads it.
type runSummary struct {
	open     bool
	loading  bool
	sum      *flows.Summary
	err      error
	viewport viewport.Model
}

// summaryLoadedMsg: a run's summary was read from the log.
type summaryLoadedMsg struct {
	runID string
	sum   flows.Summary
	err   error
}

// loadSummary reads run id's summary from the store.
func loadSummary(st *store.Store, id string) tea.Cmd {
	return func() tea.Msg {
		if st == nil {
			return summaryLoadedMsg{runID: id, err: errNoEnv}
		}
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		s, err := flows.LoadSummary(ctx, st, id)
		return summaryLoadedMsg{runID: id, sum: s, err: err}
	}
}

// exportSummary writes the summary as Markdown in the export directory.
func exportSummary(dir string, s flows.Summary, now time.Time) tea.Cmd {
	return func() tea.Msg {
		path, err := flows.ExportSummary(dir, s, now)
		if err != nil {
			return failedMsg{reason: "exporting the run summary", err: err}
		}
		return notifiedMsg("run summary written to " + path + " (Markdown, for a support ticket)")
	}
}

// openSummary shows the summary, reading it (again) from the log.
func (f *flowScreen) openSummary() tea.Cmd {
	if f.runID == "" {
		return nil
	}
	if f.sum == nil {
		vp := viewport.New(0, 0)
		vp.KeyMap = viewport.KeyMap{}
		vp.MouseWheelDelta = 3
		f.sum = &runSummary{viewport: vp}
	}
	f.sum.open, f.sum.loading = true, true
	f.layoutSummary()
	return loadSummary(f.c.store, f.runID)
}

// summaryOpen reports whether the summary covers the screen.
func (f *flowScreen) summaryOpen() bool { return f.sum != nil && f.sum.open }

func (f *flowScreen) summaryLoaded(msg summaryLoadedMsg) tea.Cmd {
	if f.sum == nil || msg.runID != f.runID {
		return nil
	}
	f.sum.loading, f.sum.err = false, msg.err
	if msg.err == nil {
		s := msg.sum
		f.sum.sum = &s
	}
	f.layoutSummary()
	f.sum.viewport.GotoTop()
	return nil
}

// summaryKey handles a key while the summary is shown.
func (f *flowScreen) summaryKey(msg tea.KeyMsg) tea.Cmd {
	k, s := f.keys, f.sum
	switch {
	case key.Matches(msg, f.c.keys.Global.Back, k.Summary):
		s.open = false
		f.refresh()
	case key.Matches(msg, k.Run) && f.finished:
		s.open = false
		return navigate(screenHome)
	case key.Matches(msg, f.c.keys.Export.Markdown):
		if s.sum == nil {
			return notify("nothing to export yet: the summary is still loading")
		}
		return exportSummary(f.c.exportDir, *s.sum, f.c.now())
	case key.Matches(msg, k.Copy):
		return copyText(f.c.clipboard, "request_id", f.summaryRequestID())
	case key.Matches(msg, k.CopyLinkSession):
		return copyText(f.c.clipboard, "link_session_id", f.summaryLinkSessionID())
	case key.Matches(msg, k.ScrollUp):
		s.viewport.ScrollUp(1)
	case key.Matches(msg, k.ScrollDown):
		s.viewport.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		s.viewport.PageUp()
	case key.Matches(msg, k.PageDown):
		s.viewport.PageDown()
	}
	return nil
}

func (f *flowScreen) summaryRequestID() string {
	if f.sum == nil || f.sum.sum == nil {
		return ""
	}
	return f.sum.sum.KeyRequestID()
}

func (f *flowScreen) summaryLinkSessionID() string {
	if f.sum == nil || f.sum.sum == nil {
		return ""
	}
	return f.sum.sum.KeyLinkSessionID()
}

// linkSessionID is the selected step's link_session_id: the newest one
// its Link events carry, else its result's.
func (f *flowScreen) linkSessionID() string {
	if live := f.links[f.selected]; live != nil {
		for i := len(live.lines) - 1; i >= 0; i-- {
			if id := live.lines[i].linkSessionID; id != "" {
				return id
			}
		}
	}
	if r := f.result(); r != nil {
		for _, fc := range r.Facts {
			if fc.Label == "link_session_id" && fc.Value != "" {
				return fc.Value
			}
		}
	}
	return ""
}

// layoutSummary sizes the summary's viewport and fills it.
func (f *flowScreen) layoutSummary() {
	if f.sum == nil {
		return
	}
	vp := &f.sum.viewport
	vp.Width, vp.Height = max(f.width, 10), max(f.height-flowHeaderLines-2, 1)
	vp.SetContent(f.summaryContent(vp.Width))
}

// summaryView covers the screen below the header with the summary.
func (f *flowScreen) summaryView() string {
	st := f.c.styles
	keys := "m export Markdown · c copy request_id · L copy link_session_id · esc back"
	if f.finished {
		keys += " · enter Home"
	}
	title := st.Title.Render("Run summary") + st.Muted.Render(" · "+keys)
	return truncate(title, f.width) + "\n\n" + f.sum.viewport.View()
}

// summaryContent renders the summary for the terminal.
func (f *flowScreen) summaryContent(w int) string {
	st := f.c.styles
	switch {
	case f.sum.loading && f.sum.sum == nil:
		return st.Muted.Render("Reading the run from the session log…")
	case f.sum.err != nil:
		return errorBlock(st, plaidError{message: "The run summary could not be read: " + f.sum.err.Error()}, w)
	}
	s := f.sum.sum
	outcome := st.OK
	switch s.Status {
	case store.SessionFailed:
		outcome = st.Fail
	case store.SessionCancelled, store.SessionRunning:
		outcome = st.Warn
	}
	head := outcome.Render(s.Flow+": "+s.Outcome()) + st.Muted.Render(strings.TrimPrefix(s.ResultLine(), s.Flow+": "+s.Outcome()))
	lines := []string{truncate(head, w)}
	if s.ItemID != "" || s.Institution != "" {
		lines = append(lines, st.Muted.Render("Item ")+st.Text.Render(oneLine(strings.TrimSpace(s.ItemID+" · "+s.Institution))))
	}
	parts := []string{strings.Join(lines, "\n")}
	if len(s.Happened) > 0 {
		var h []string
		for i, l := range s.Happened {
			h = append(h, wrap(st.Muted.Render(fmt.Sprintf("%2d ", i+1))+st.Text.Render(clean(l)), w))
		}
		parts = append(parts, sectionTitle(st, "What happened", w)+"\n"+strings.Join(h, "\n"))
	}
	for _, e := range s.Errors {
		pe := plaidError{code: e.Code, errType: e.Type, message: e.Where + ": " + e.Message, requestID: e.RequestID}
		if e.Message == "" {
			pe.message = e.Where
		}
		if e.LinkSessionID != "" {
			pe.message += " (link_session_id " + e.LinkSessionID + ")"
		}
		if e.Explanation != nil {
			pe.explanation, pe.explained = *e.Explanation, true
		}
		parts = append(parts, errorBlock(st, pe, w))
	}
	if len(s.Calls) > 0 {
		var c []string
		for _, call := range s.Calls {
			status := "no response"
			if call.HTTPStatus != 0 {
				status = fmt.Sprint(call.HTTPStatus)
			}
			row := fmt.Sprintf("%s %-30s %-4s %s %s", clockTime(call.Time), call.Endpoint, status, call.RequestID, call.ErrorCode)
			style := st.Text
			if call.ErrorCode != "" {
				style = st.Fail
			}
			c = append(c, style.Render(truncate(oneLine(strings.TrimRight(row, " ")), w)))
		}
		parts = append(parts, sectionTitle(st, "request_ids", w)+"\n"+strings.Join(c, "\n"))
	}
	if len(s.LinkSessions) > 0 {
		var l []string
		for _, ls := range s.LinkSessions {
			row := ls.ID + "  " + ls.Outcome
			if ls.Institution != "" {
				row += " · " + ls.Institution
			}
			l = append(l, st.Text.Render(truncate(oneLine(row), w)))
		}
		parts = append(parts, sectionTitle(st, "link_session_ids", w)+"\n"+strings.Join(l, "\n"))
	}
	parts = append(parts, st.Muted.Render(wrap("c copies "+cmpOr(s.KeyRequestID(), "no request_id")+", L copies "+
		cmpOr(s.KeyLinkSessionID(), "no link_session_id")+"; m writes this summary as Markdown for a Plaid support ticket "+
		"(also: linkexplorer log --session "+s.RunID+" --summary).", w)))
	return strings.Join(parts, "\n\n")
}

// summaryHelp lists the summary's keys.
func (f *flowScreen) summaryHelp() []key.Binding {
	k := f.keys
	back := f.c.keys.Global.Back
	back.SetHelp("esc", "back to the flow")
	md := f.c.keys.Export.Markdown
	md.SetHelp("m", "export Markdown")
	out := []key.Binding{md, k.Copy, k.CopyLinkSession, k.ScrollDown, back}
	if f.finished {
		home := k.Run
		home.SetHelp("enter", "Home")
		out = append(out, home)
	}
	return out
}
