package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// maxLinkLines bounds the lines one Link step keeps.
const maxLinkLines = 1000

// linkLine is one line of the Link timeline: a report from the page, or
// an API call made while Link was open.
type linkLine struct {
	time          time.Time
	event         string
	view          string
	institution   string
	errorCode     string
	linkSessionID string
	call          string // set for API calls and webhooks: "POST /link/token/create → 200 · request_id …"
	failed        bool
	report        flows.LinkReport // what linkexplain.go explains; zero for calls and webhooks
}

// linkLive is the live timeline of a Link step: what Link reports while it
// is open, as it happens.
type linkLive struct {
	lines []linkLine
}

// add records an event of the run; it ignores kinds it does not show.
func (l *linkLive) add(ev flows.Event) {
	var line linkLine
	switch {
	case ev.Kind == flows.EventLink && ev.Link != nil:
		line = pageLine(*ev.Link)
	case ev.Kind == flows.EventCall && ev.Call != nil:
		line = callLine(*ev.Call)
	case ev.Kind == flows.EventWebhook && ev.Webhook != nil:
		line = webhookLine(*ev.Webhook)
	default:
		return
	}
	line.time = cmp.Or(line.time, ev.Time)
	l.lines = append(l.lines, line)
	if len(l.lines) > maxLinkLines {
		l.lines = l.lines[len(l.lines)-maxLinkLines:]
	}
}

func pageLine(p flows.PageEvent) linkLine {
	l := linkLine{
		time: p.Time, event: pageEventName(p), view: cmp.Or(p.ViewName, p.ExitStatus),
		institution: cmp.Or(p.InstitutionName, p.InstitutionID), errorCode: p.ErrorCode,
		linkSessionID: p.LinkSessionID, failed: p.ErrorCode != "" || p.Rejected,
	}
	if !p.Rejected {
		l.report = flows.ReportOf(p)
	}
	for _, s := range []*string{&l.event, &l.view, &l.institution, &l.errorCode, &l.linkSessionID} {
		*s = oneLine(*s)
	}
	return l
}

// pageEventName names a page report the way a developer's code sees it.
func pageEventName(p flows.PageEvent) string {
	switch {
	case p.Rejected:
		return "rejected: " + p.RejectReason
	case p.Kind == "success":
		return "onSuccess"
	case p.Kind == "exit":
		return "onExit"
	case p.Kind == "load":
		return "onLoad"
	case p.Kind == "event":
		return p.EventName
	}
	return cmp.Or(p.EventName, p.Kind)
}

func callLine(c flows.Call) linkLine {
	status := "no response"
	if c.HTTPStatus != 0 {
		status = fmt.Sprint(c.HTTPStatus)
	}
	text := fmt.Sprintf("%s %s → %s", c.Method, c.Endpoint, status)
	if c.ErrorCode != "" {
		text += " " + c.ErrorCode
	}
	if c.RequestID != "" {
		text += " · request_id " + c.RequestID
	}
	return linkLine{time: c.Time, call: oneLine(text), errorCode: oneLine(c.ErrorCode), failed: c.ErrorCode != "" || c.Err != nil}
}

func webhookLine(w flows.WebhookReceived) linkLine {
	text := "webhook " + w.WebhookType + ": " + w.WebhookCode
	if w.ErrorCode != "" {
		text += " " + w.ErrorCode
	}
	switch w.Step {
	case "":
	case store.StepAfterRun:
		text += " · after the run"
	default:
		text += " · from step " + w.Step
	}
	if w.ItemID != "" {
		text += " · item_id " + w.ItemID
	}
	if w.Signature != "" {
		text += " · signature " + w.Signature
	}
	if w.StatusEffect != "" {
		text += " · " + w.StatusEffect
	}
	return linkLine{time: w.Time, call: oneLine(text), errorCode: oneLine(w.ErrorCode), failed: w.ErrorCode != ""}
}

var linkColumns = []column{
	{title: "TIME", width: 8, priority: 5},
	{title: "EVENT · VIEW", width: 0, min: 24, priority: 9},
	{title: "INSTITUTION", width: 20, priority: 1},
	{title: "ERROR", width: 18, priority: 6},
	{title: "LINK_SESSION", width: 11, priority: 7},
}

// The columns of linkColumns.
const (
	linkColTime = iota
	linkColEvent
	linkColInstitution
	linkColError
	linkColSession
)

// linkWidths lays the columns out in width cells, leaving out the columns
// no line fills; room the event column does not need goes to the
// link_session_id, up to a whole UUID.
func (l *linkLive) linkWidths(width int) []int {
	cols := slices.Clone(linkColumns)
	for i, used := range l.usedColumns() {
		cols[i].hidden = !used
	}
	w := layoutColumns(cols, width)
	if w[linkColSession] > 0 && w[linkColEvent] > 44 {
		extra := min(w[linkColEvent]-44, 36-w[linkColSession])
		w[linkColEvent] -= extra
		w[linkColSession] += extra
	}
	return w
}

// view renders the timeline, the newest line last. When the institution
// column does not fit, the institution joins the event text when it first
// appears in a Link session.
func (l *linkLive) view(st styles, width int) string {
	if len(l.lines) == 0 {
		return st.Muted.Render("No events from Link yet.")
	}
	widths := l.linkWidths(width)
	out := []string{st.TableHeader.Render(tableHeader(linkColumns, widths))}
	inst, session := "", ""
	for _, ln := range l.lines {
		if ln.linkSessionID != session {
			inst, session = "", ln.linkSessionID // a new Link session names its institution again
		}
		ev := ln.event
		if ln.view != "" {
			ev += " · " + ln.view
		}
		if widths[linkColInstitution] == 0 && ln.institution != "" && ln.institution != inst {
			ev += " · " + ln.institution
		}
		if ln.institution != "" {
			inst = ln.institution
		}
		out = append(out, l.row(st, ln, ev, widths, width))
	}
	return strings.Join(out, "\n")
}

// listView renders the lines as timed sentences, wrapped: for webhooks
// outside Link, which have no table columns to fill.
func (l *linkLive) listView(st styles, width int) string {
	var out []string
	for _, ln := range l.lines {
		style := st.Text
		if ln.failed {
			style = st.Fail
		}
		out = append(out, style.Render(wrap(clockTime(ln.time)+" "+ln.call, width)))
	}
	return strings.Join(out, "\n")
}

// usedColumns says which columns some line fills.
func (l *linkLive) usedColumns() [5]bool {
	used := [5]bool{linkColTime: true, linkColEvent: true}
	for _, ln := range l.lines {
		used[linkColInstitution] = used[linkColInstitution] || ln.institution != ""
		used[linkColError] = used[linkColError] || ln.errorCode != "" || ln.failed
		used[linkColSession] = used[linkColSession] || ln.linkSessionID != ""
	}
	return used
}

func (l *linkLive) row(st styles, ln linkLine, event string, widths []int, width int) string {
	if ln.call != "" {
		text := ln.call
		if widths[linkColTime] > 0 {
			text = pad(clockTime(ln.time), widths[linkColTime]) + " " + text
		}
		if ln.failed {
			return st.Fail.Render(truncate(text, width))
		}
		return st.Muted.Render(truncate(text, width))
	}
	errCell := ln.errorCode
	if ln.failed && errCell == "" {
		errCell = "✗"
	}
	row := tableRow([]string{clockTime(ln.time), event, ln.institution, errCell, ln.linkSessionID}, widths)
	if ln.failed {
		return st.Fail.Render(row)
	}
	return st.Text.Render(row)
}
