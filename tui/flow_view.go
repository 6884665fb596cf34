package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/linkexplorer/linkexplorer/flows"
)

// The flow screen's layout.
const (
	flowHeaderLines = 2 // title line and rule
	stepsMinWidth   = 22
	paneMinWidth    = 56 // the detail pane keeps this much before the steps grow past a third
	paneGap         = " │ "
	// readableWidth caps the width of prose in the detail pane: lines
	// longer than this are hard to read, even where the terminal is wider.
	readableWidth = 100
)

// stepsWidth is the width of the checklist column: what the step titles
// need (so they are whole), within the checklist's share of the screen: a
// third, or up to two fifths while the detail pane keeps paneMinWidth.
func (f *flowScreen) stepsWidth() int {
	w := stepsMinWidth
	if f.flow != nil {
		for _, s := range f.flow.Steps {
			w = max(w, lipgloss.Width(s.Title)+4)
		}
	}
	share := max(stepsMinWidth, f.width/3, min(f.width*2/5, f.width-paneMinWidth-lipgloss.Width(paneGap)))
	return min(w, share)
}

// paneWidth is the width of the detail pane.
func (f *flowScreen) paneWidth() int {
	return max(f.width-f.stepsWidth()-lipgloss.Width(paneGap), 10)
}

// paneHeadLines is how many fixed lines sit above the detail viewport.
func (f *flowScreen) paneHeadLines() int {
	if f.showsPage() {
		return 3 + len(f.pageLines(f.paneWidth()))
	}
	return 3
}

// showsPage reports whether the pane shows the Link page's URL.
func (f *flowScreen) showsPage() bool {
	return f.flow != nil && f.snap.pageURL != "" && f.selectedStep().Kind == flows.StepLink
}

func (f *flowScreen) selectedStep() flows.Step {
	if f.flow == nil || f.selected >= len(f.flow.Steps) {
		return flows.Step{}
	}
	return f.flow.Steps[f.selected]
}

// layout sizes the viewport and the form to the screen.
func (f *flowScreen) layout() {
	f.viewport.Width = f.paneWidth()
	f.viewport.Height = max(f.height-flowHeaderLines-f.paneHeadLines(), 1)
	if f.form != nil {
		f.form.setWidth(f.paneWidth())
	}
}

// refresh rebuilds the detail pane after the state changed. While Link is
// open, the pane keeps its newest event in sight, unless the user scrolled.
func (f *flowScreen) refresh() {
	f.layout()
	if f.flow == nil {
		return
	}
	userScrolled := f.viewport.YOffset != f.autoOffset
	content, liveLines := f.detailContent(f.paneWidth())
	f.viewport.SetContent(content)
	if f.busy && f.selected == f.busyStep && !userScrolled {
		f.viewport.SetYOffset(max(liveLines-f.viewport.Height, 0))
	}
	f.autoOffset = f.viewport.YOffset
}

// View renders the header, the checklist and the detail pane.
func (f *flowScreen) View() string {
	if f.flow == nil {
		return fit(f.c.styles.Muted.Render("No flow is running. Choose one on Home (esc)."), f.width, f.height)
	}
	if f.summaryOpen() {
		return f.headerView() + "\n" + f.c.styles.Muted.Render(strings.Repeat("─", f.width)) + "\n" + fit(f.summaryView(), f.width, f.height-flowHeaderLines)
	}
	bodyH := f.height - flowHeaderLines
	if f.code != nil {
		return f.headerView() + "\n" + f.c.styles.Muted.Render(strings.Repeat("─", f.width)) + "\n" + fit(f.code.view(), f.width, bodyH)
	}
	sw := f.stepsWidth()
	gap := strings.TrimRight(strings.Repeat(f.c.styles.Muted.Render(paneGap)+"\n", bodyH), "\n")
	body := lipgloss.JoinHorizontal(lipgloss.Top, fit(f.stepsView(sw), sw, bodyH), gap, f.paneView(bodyH))
	return f.headerView() + "\n" + f.c.styles.Muted.Render(strings.Repeat("─", f.width)) + "\n" + body
}

func (f *flowScreen) headerView() string {
	st := f.c.styles
	rest := " · " + f.stepsLabel()
	if f.runID != "" {
		rest += " · run " + f.runID
	}
	// The run id is what support asks for, so it is never cut while the
	// rest can give way: first the token view (whole, then its state
	// alone: the countdown), then the flow's title.
	token, state := f.tokenView()
	full := token
	if state != "" {
		full += st.Muted.Render(" · ") + state
	}
	title := f.flow.Title
	// Candidates, best first: the whole title with the token view, then
	// with the countdown alone, then the countdown beside a title cut to
	// no less than a dozen characters, then the title alone (cut if it
	// must be).
	for _, c := range []struct {
		right string
		cut   bool
	}{{full, false}, {state, false}, {state, true}, {"", true}} {
		room := f.width - lipgloss.Width(rest)
		if c.right != "" {
			room -= lipgloss.Width(c.right) + 1
		}
		t := title
		if lipgloss.Width(title) > room {
			if !c.cut || (room < 12 && c.right != "") {
				continue
			}
			t = truncate(title, max(room, 8))
		}
		left := st.Title.Render(t) + st.Muted.Render(rest)
		if c.right == "" {
			return pad(left, f.width)
		}
		return pad(left, f.width-lipgloss.Width(c.right)-1) + " " + c.right
	}
	return "" // unreachable: the last candidate always fits
}

// tokenView shows the link_token and, apart, its state: a live countdown
// to its expiry, or that it expired ("" when neither applies).
func (f *flowScreen) tokenView() (token, state string) {
	st := f.c.styles
	if f.snap.linkToken == "" {
		return "", ""
	}
	token = st.Muted.Render("link_token ") + st.Text.Render(oneLine(f.snap.linkToken))
	if f.snap.expired && !f.finished {
		return token, st.Fail.Render("expired (x)")
	}
	if f.snap.expires.IsZero() || f.finished {
		return token, ""
	}
	left := f.snap.expires.Sub(f.now)
	switch {
	case left <= 0:
		return token, st.Fail.Render("expired")
	case left < 5*time.Minute:
		return token, st.Warn.Render("expires in " + countdown(left))
	}
	return token, st.OK.Render("expires in " + countdown(left))
}

func (f *flowScreen) stepsView(w int) string {
	st := f.c.styles
	lines := []string{sectionTitle(st, "Steps", w)}
	for i, s := range f.flow.Steps {
		lines = append(lines, f.stepLine(i, s, w))
	}
	if f.finished {
		lines = append(lines, "", st.OK.Render(truncate("✓ "+f.flow.Title+" finished", w)))
	}
	if f.note != "" {
		lines = append(lines, "", wrap(st.Muted.Render(f.note), w))
	}
	return strings.Join(lines, "\n")
}

func (f *flowScreen) stepLine(i int, s flows.Step, w int) string {
	marker := "  "
	if i == f.selected {
		marker = "› "
	}
	line := marker + f.stepGlyph(i) + " " + s.Title
	if i == f.snap.current && !f.finished {
		return f.c.styles.Selected.Render(pad(line, w))
	}
	if i == f.selected {
		return f.c.styles.Bold.Render(truncate(line, w))
	}
	return f.c.styles.Text.Render(truncate(line, w))
}

// stepGlyph shows where a step stands: ✓ ✗ ↷, a spinner while it runs,
// ▸ for the next one and · for the others.
func (f *flowScreen) stepGlyph(i int) string {
	st := f.c.styles
	if f.busy && i == f.busyStep {
		return f.spinner.View()
	}
	var r *flows.StepResult
	if i < len(f.snap.results) {
		r = f.snap.results[i]
	}
	switch {
	case r == nil && i == f.snap.current:
		return st.Pointer.Render("▸")
	case r == nil:
		return st.Muted.Render("·")
	case r.Status == flows.StatusOK:
		return st.OK.Render("✓")
	case r.Status == flows.StatusFailed:
		return st.Fail.Render("✗")
	case r.Status == flows.StatusSkipped:
		return st.Muted.Render("↷")
	}
	return st.Muted.Render("·")
}

// paneView is the detail pane: the step's title and status, then either the
// token request form or the scrollable detail.
func (f *flowScreen) paneView(h int) string {
	w := f.paneWidth()
	if f.form != nil {
		return fit(f.form.view(w), w, h)
	}
	head := []string{f.paneTitle(w), f.statusLine(w)}
	if f.showsPage() {
		head = append(head, f.pageLines(w)...)
	}
	head = append(head, "")
	return fit(strings.Join(head, "\n")+"\n"+f.viewport.View(), w, h)
}

func (f *flowScreen) paneTitle(w int) string {
	st := f.c.styles
	s := f.selectedStep()
	right := ""
	switch {
	case s.Endpoint != "":
		right = "POST " + s.Endpoint
	case s.Kind == flows.StepLink:
		right = "Link in the browser"
	}
	if lipgloss.Width(s.Title)+lipgloss.Width(right)+2 > w {
		right = "" // the title matters more
	}
	title := st.Subtitle.Render(truncate(s.Title, w))
	return pad(title+strings.Repeat(" ", max(w-lipgloss.Width(title)-lipgloss.Width(right), 1))+st.Muted.Render(right), w)
}

// statusLine says where the selected step stands: running, not run,
// or its outcome with HTTP status, duration and request_id.
func (f *flowScreen) statusLine(w int) string {
	st := f.c.styles
	switch {
	case f.starting:
		return f.spinner.View() + st.Running.Render(" starting the run…")
	case f.startErr != nil:
		return st.Fail.Render(truncate("✗ the run could not start · enter tries again", w))
	case f.busy && f.selected == f.busyStep:
		return f.spinner.View() + " " + st.Running.Render(truncate(f.busyText(), w-2))
	}
	r := f.result()
	if r == nil {
		hint := "· not run yet"
		if f.selected == f.snap.current && f.canStep() {
			hint += " · enter runs it"
		}
		return st.Muted.Render(truncate(hint, w))
	}
	return truncate(resultLine(st, r), w)
}

func (f *flowScreen) busyText() string {
	s := f.selectedStep()
	if s.Kind == flows.StepLink {
		if f.waiting != "" {
			return f.waiting
		}
		return "waiting for Link in the browser…"
	}
	if s.Endpoint != "" {
		return "calling POST " + s.Endpoint + "…"
	}
	return "running…"
}

// resultLine is a step's outcome on one line.
func resultLine(st styles, r *flows.StepResult) string {
	parts := []string{}
	if r.HTTPStatus != 0 {
		parts = append(parts, fmt.Sprint(r.HTTPStatus))
	}
	if r.ErrorCode != "" {
		parts = append(parts, oneLine(r.ErrorCode))
	}
	if r.RequestID != "" {
		parts = append(parts, "request_id "+oneLine(r.RequestID))
	}
	if d := shortDuration(r.Duration); d != "" {
		parts = append(parts, d)
	}
	text := strings.Join(parts, " · ")
	switch r.Status {
	case flows.StatusOK:
		return st.OK.Render("✓ ") + st.Text.Render(text)
	case flows.StatusFailed:
		return st.Fail.Render("✗ " + text)
	case flows.StatusSkipped:
		return st.Muted.Render("↷ skipped")
	}
	return st.Muted.Render(text)
}

// pageLines shows the Link page's URL with the keys that reopen and copy
// it. The URL is never cut short, since a person may have to type it into
// a browser: when it does not fit on the line, it follows on lines of its
// own, broken at the pane's width.
func (f *flowScreen) pageLines(w int) []string {
	st := f.c.styles
	hint := " o reopen · y copy"
	url := oneLine(f.snap.pageURL)
	if lipgloss.Width("page "+url+hint) <= w {
		return []string{st.Muted.Render("page ") + st.Text.Render(url) + st.Muted.Render(hint)}
	}
	lines := []string{st.Muted.Render(truncate("page ·"+hint, w))}
	for _, l := range strings.Split(ansi.Hardwrap(url, max(w, 10), false), "\n") {
		lines = append(lines, st.Text.Render(l))
	}
	return lines
}

// detailContent is what the viewport scrolls. For a Link step: Link's
// events, the token and session timeline, then the explanation; for an API
// step the explanation and, before it runs, the request it will send. Then
// the error and what to do, the facts, and the calls' JSON. liveLines is
// how many lines the Link events take, from the top.
func (f *flowScreen) detailContent(w int) (content string, liveLines int) {
	st := f.c.styles
	s := f.selectedStep()
	r := f.result()
	var parts []string
	if f.startErr != nil {
		parts = append(parts, errorBlock(st, plaidError{message: f.startErr.Error()}, w))
	}
	if s.Kind == flows.StepLink {
		live, timeline := f.linkEvents(w), f.timelineView(w)
		liveLines = lipgloss.Height(live)
		if f.busy && f.selected == f.busyStep || !isRecovery(f.snap.timeline) {
			parts = append(parts, live, timeline)
		} else {
			parts = append(parts, timeline, live) // once Link is done, the recovery comes first
		}
	}
	parts = append(parts, wrap(st.Text.Render(clean(s.Explain)), min(w, readableWidth)))
	if live := f.links[f.selected]; s.Kind != flows.StepLink && live != nil && len(live.lines) > 0 {
		parts = append(parts, sectionTitle(st, "Webhooks", w)+"\n"+live.listView(st, w))
	}
	if r != nil && r.Status == flows.StatusFailed && !(f.busy && f.selected == f.busyStep) {
		pe := stepError(r)
		if !pe.explained {
			pe.next, _ = f.localAdvice(r)
		} else if s.Editable && f.snap.tokenEdited {
			pe.explanation.NextStep = formAdvice(pe.explanation.NextStep)
		}
		parts = append(parts, errorBlock(st, pe, w))
	}
	// The request the step sends next: before it first runs, and after a
	// failure, so that a saved edit is seen before it is sent again.
	if s.Editable && (r == nil || r.Status == flows.StatusFailed) && f.selected == f.snap.current && f.runID != "" && !f.finished {
		title := "Request to send"
		if r != nil {
			title = "Request to send next"
		}
		parts = append(parts, tokenRequestView(st, title, f.snap.tokenRequest, isUpdateToken(s), w))
	}
	if r != nil {
		parts = append(parts, factsView(st, sectionTitle(st, "Result", w), r.Facts, w), callsView(st, r.Calls, w))
	}
	if s.Kind == flows.StepLink {
		parts = append(parts, f.links[f.selected].glossary(st, w)) // linkexplain.go
	}
	return strings.Join(nonEmpty(parts), "\n\n"), liveLines
}

// linkEvents is the Link step's live timeline of events.
func (f *flowScreen) linkEvents(w int) string {
	st := f.c.styles
	live := f.links[f.selected]
	if live == nil {
		live = &linkLive{}
	}
	out := sectionTitle(st, "Link events", w) + "\n" + live.view(st, w)
	if m := live.latestMeaning(st, w); m != "" {
		out += "\n" + m
	}
	if f.canExpire() && f.busy && f.selected == f.busyStep {
		out += "\n" + st.Muted.Render(truncate("x expires the link_token now, through the emulator's control API", w))
	}
	return out
}

// timelineView is the run's tokens and Link sessions; with an error in it,
// the invalid-token recovery.
func (f *flowScreen) timelineView(w int) string {
	title := "Tokens and Link sessions"
	if isRecovery(f.snap.timeline) {
		title = "Recovery timeline"
	}
	return recoveryView(f.c.styles, title, f.snap.timeline, w)
}

// isRecovery reports whether a timeline met an error to recover from.
func isRecovery(tl []flows.TimelineEntry) bool {
	for _, e := range tl {
		if e.ErrorCode != "" {
			return true
		}
	}
	return false
}

// tokenRequestView shows the /link/token/create request the step will send.
func tokenRequestView(st styles, title string, tr flows.TokenRequest, update bool, w int) string {
	prods := strings.Join(tr.Products, ", ")
	if update {
		prods = strings.Join(tr.UpdateProducts, ", ")
		if prods == "" {
			prods = "none: update mode repairs the Item, so Plaid wants products omitted (e adds one, e.g. assets)"
		}
	}
	facts := []flows.Fact{
		{Label: "client_name", Value: tr.ClientName},
		{Label: "user.client_user_id", Value: tr.ClientUserID},
		{Label: "products", Value: prods},
		{Label: "country_codes", Value: strings.Join(tr.CountryCodes, ", ")},
		{Label: "language", Value: tr.Language},
		{Label: "webhook", Value: tr.Webhook},
		{Label: "redirect_uri", Value: tr.RedirectURI},
	}
	return factsView(st, sectionTitle(st, title, w)+st.Muted.Render(" · e edits it"), facts, w)
}

// factsView lists labelled values under a heading; "–" marks an empty one.
func factsView(st styles, heading string, facts []flows.Fact, w int) string {
	if len(facts) == 0 {
		return ""
	}
	lw := 0
	for _, fc := range facts {
		lw = max(lw, lipgloss.Width(fc.Label))
	}
	lw = min(lw, w/3)
	lines := []string{truncate(heading, w)}
	for _, fc := range facts {
		v := st.Text.Render(truncate(oneLine(fc.Value), w-lw-2))
		if fc.Value == "" {
			v = st.Muted.Render("–")
		}
		lines = append(lines, st.Muted.Render(pad(oneLine(fc.Label), lw))+"  "+v)
	}
	return strings.Join(lines, "\n")
}

// callsView shows each call's request and response, coloured and masked.
func callsView(st styles, calls []flows.Call, w int) string {
	var out []string
	for _, c := range calls {
		out = append(out, callView(st, c, w))
	}
	return strings.Join(out, "\n\n")
}

func callView(st styles, c flows.Call, w int) string {
	req := st.Section.Render("→ "+c.Method+" "+oneLine(c.Endpoint)) + "\n" + wrap(prettyJSON(st, c.RequestBody), w)
	status := "no response"
	if c.HTTPStatus != 0 {
		status = fmt.Sprint(c.HTTPStatus)
	}
	meta := []string{status}
	if d := shortDuration(c.Duration); d != "" {
		meta = append(meta, d)
	}
	if c.RequestID != "" {
		meta = append(meta, "request_id "+oneLine(c.RequestID))
	}
	head := st.Section.Render("← " + strings.Join(meta, " · "))
	body := wrap(prettyJSON(st, c.ResponseBody), w)
	if c.Err != nil {
		body = st.Fail.Render(wrap(clean(c.Err.Error()), w))
	}
	return req + "\n" + head + "\n" + body
}

func nonEmpty(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isUpdateToken reports whether s creates an update-mode link_token.
func isUpdateToken(s flows.Step) bool { return s.Name == "create-update-token" }
