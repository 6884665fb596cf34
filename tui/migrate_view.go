package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/linkexplorer/linkexplorer/audit"
)

// The checklist's layout: a check's lines start after its pointer and
// status label; evidence wraps a little further in.
const (
	checkIndent    = 12
	evidenceIndent = checkIndent + 2
	watchedShown   = 3 // sightings shown while watching
)

// refresh sizes the viewport to the room the chrome leaves and redraws
// the checklist, keeping the selected check in sight.
func (m *migrateScreen) refresh() {
	w := max(m.width, 1)
	if m.form != nil {
		m.form.setWidth(w)
	}
	m.viewport.Width = w
	m.viewport.Height = max(m.height-lipgloss.Height(m.chromeView()), 1)
	if m.report == nil {
		m.viewport.SetContent("")
		return
	}
	content, blocks := m.checklistContent(w)
	m.viewport.SetContent(content)
	m.blocks = blocks
	m.follow()
}

// follow scrolls the viewport so that the selected check shows.
func (m *migrateScreen) follow() {
	if m.cursor >= len(m.blocks) {
		return
	}
	b, top, h := m.blocks[m.cursor], m.viewport.YOffset, m.viewport.Height
	switch {
	case b.from < top:
		m.viewport.SetYOffset(b.from)
	case b.to > top+h:
		m.viewport.SetYOffset(min(b.from, b.to-h))
	}
}

// View renders the header, the chrome (problem, watch, export prompt) and
// the form, the audit's progress or the checklist.
func (m *migrateScreen) View() string {
	chrome := m.chromeView()
	bodyH := max(m.height-lipgloss.Height(chrome), 1)
	var body string
	switch {
	case m.form != nil:
		body = m.form.view(m.width, m.workDir, m.emulatorURL())
	case m.auditing:
		body = m.progressView()
	case m.report != nil:
		body = m.viewport.View()
	}
	return fit(chrome+"\n"+fit(body, m.width, bodyH), m.width, m.height)
}

// chromeView is everything above the body.
func (m *migrateScreen) chromeView() string {
	st := m.c.styles
	parts := []string{m.headerView(), st.Muted.Render(strings.Repeat("─", max(m.width, 1)))}
	if m.problem != nil {
		parts = append(parts, m.problemView(), "")
	}
	if m.watching {
		parts = append(parts, m.watchView(), st.Muted.Render(strings.Repeat("─", max(m.width, 1))))
	}
	if line := m.statusLine(); line != "" && m.form == nil {
		parts = append(parts, line)
	}
	return strings.Join(parts, "\n")
}

// headerView names what is audited, with the result on the right.
func (m *migrateScreen) headerView() string {
	st := m.c.styles
	left := st.Title.Render("Migration audit")
	for _, s := range []string{m.req.src, m.req.endpoint} {
		if s != "" && m.form == nil {
			left += st.Muted.Render(" · ") + st.Text.Render(oneLine(s))
		}
	}
	right := m.summaryView()
	room := m.width - lipgloss.Width(right) - 1
	if right == "" || room < 20 {
		return pad(left, m.width)
	}
	return pad(left, room) + " " + right
}

// summaryView is the report's result and counts.
func (m *migrateScreen) summaryView() string {
	if m.report == nil || m.auditing || m.form != nil {
		return ""
	}
	st := m.c.styles
	s := m.report.Summary
	counts := st.Muted.Render(fmt.Sprintf(" · %d pass · %d fail · %d manual", s.Pass, s.Fail, s.Manual))
	return statusMark(st, s.Result, false) + counts
}

// statusMark is a status as a glyph and a word, readable without colour.
func statusMark(st styles, s audit.Status, ticked bool) string {
	switch {
	case ticked:
		return st.OK.Render("✓ TICKED")
	case s == audit.StatusPass:
		return st.OK.Render("✓ PASS")
	case s == audit.StatusFail:
		return st.Fail.Render("✗ FAIL")
	}
	return st.Warn.Render("○ MANUAL")
}

// stepGlyph is a step's status as a glyph.
func stepGlyph(st styles, s audit.Status) string {
	switch s {
	case audit.StatusPass:
		return st.OK.Render("✓")
	case audit.StatusFail:
		return st.Fail.Render("✗")
	}
	return st.Warn.Render("○")
}

func (m *migrateScreen) problemView() string {
	st := m.c.styles
	w := max(m.width-2, 10)
	p := m.problem
	lines := []string{
		wrap(st.ErrorCode.Render("✗ "+p.what+": ")+st.Advice.Render(oneLine(p.err.Error())), w),
		wrap(st.Bold.Render("What to do: ")+st.Advice.Render(p.hint), w),
		st.Muted.Render("esc dismisses"),
	}
	return st.ErrorBox.Render(strings.Join(lines, "\n"))
}

// watchView shows the watch and the latest sightings.
func (m *migrateScreen) watchView() string {
	st := m.c.styles
	lines := []string{truncate(m.spinner.View()+" "+st.Bold.Render("Watching the emulator")+
		st.Muted.Render(" at "+m.emulatorURL()+": do the manual checks in your app · o or esc stops"), m.width)}
	shown := m.sightings[max(len(m.sightings)-watchedShown, 0):]
	for _, s := range shown {
		lines = append(lines, truncate("  "+st.Muted.Render(clockTime(s.Time))+"  "+st.Text.Render(oneLine(s.What))+
			st.Muted.Render(sightingRef(s)), m.width))
	}
	if len(shown) == 0 {
		lines = append(lines, st.Muted.Render("  nothing new yet"))
	}
	for len(lines) < watchedShown+1 {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// sightingRef names the request or Link session a sighting is about.
func sightingRef(s audit.Sighting) string {
	switch {
	case s.RequestID != "":
		return "  request_id " + oneLine(s.RequestID)
	case s.LinkSessionID != "":
		return "  link_session_id " + oneLine(s.LinkSessionID)
	}
	return ""
}

// statusLine is the export prompt, or where the report was exported.
func (m *migrateScreen) statusLine() string {
	st := m.c.styles
	switch {
	case m.exporting:
		return st.Bold.Render("Export the report as: m Markdown · j JSON · esc cancel")
	case m.prompt != nil:
		return m.prompt.view(st)
	case m.lastExport != "" && m.report != nil:
		return st.Notice.Render(truncate("exported to "+m.lastExport, m.width))
	}
	return ""
}

// progressView is the audit running.
func (m *migrateScreen) progressView() string {
	st := m.c.styles
	var lines []string
	if m.req.src != "" {
		lines = append(lines, m.spinner.View()+" Reading the source tree "+st.Bold.Render(oneLine(m.req.src))+"…")
	}
	if m.req.endpoint != "" {
		lines = append(lines, m.spinner.View()+" Calling the token endpoint "+st.Bold.Render(oneLine(m.req.endpoint))+"…")
	}
	lines = append(lines, "", st.Muted.Render("esc cancels the audit"))
	return wrap(strings.Join(lines, "\n"), m.width)
}

// checklistContent renders the report's steps and checks, and where each
// check's lines are; a step's first check includes the step's heading.
func (m *migrateScreen) checklistContent(w int) (string, []lineSpan) {
	var lines []string
	blocks := make([]lineSpan, 0, len(m.checks))
	for si, s := range m.report.Steps {
		if si > 0 {
			lines = append(lines, "")
		}
		start := len(lines)
		lines = append(lines, m.stepLines(s, w)...)
		if len(s.Checks) == 0 {
			lines = append(lines, m.c.styles.Muted.Render(truncate("  No check was run for this step: check it by hand.", w)))
		}
		for ci, c := range s.Checks {
			from := len(lines)
			if ci == 0 {
				from = start
			} else {
				lines = append(lines, "")
			}
			lines = append(lines, m.checkLines(c, len(blocks) == m.cursor, w)...)
			blocks = append(blocks, lineSpan{from: from, to: len(lines)})
		}
	}
	lines = append(lines, m.callLines(w)...)
	return strings.Join(lines, "\n"), blocks
}

func (m *migrateScreen) stepLines(s audit.Step, w int) []string {
	st := m.c.styles
	prefix := st.Section.Render(fmt.Sprintf("STEP %d ", s.N)) + stepGlyph(st, s.Status) + " "
	return hang(prefix, lipgloss.Width(prefix), st.Section.Render(oneLine(s.Title)), w)
}

// checkLines renders a check: its status and title, its detail and id,
// its evidence, and the guide's advice unless it passed.
func (m *migrateScreen) checkLines(c *audit.Check, selected bool, w int) []string {
	st := m.c.styles
	lines := m.titleLines(c, selected, w)
	indent := strings.Repeat(" ", checkIndent)
	lines = append(lines, hang(indent, checkIndent, st.Text.Render(oneLine(c.Detail))+st.Muted.Render(" · "+c.ID), w)...)
	for _, e := range c.Evidence {
		lines = append(lines, hang(indent, evidenceIndent, evidenceView(st, e), w)...)
	}
	if c.Recommendation != "" && c.Status != audit.StatusPass {
		label := "What to do: "
		if c.Status == audit.StatusManual {
			label = "How: "
		}
		lines = append(lines, hang(indent, checkIndent, st.Bold.Render(label)+st.Advice.Render(oneLine(c.Recommendation)), w)...)
	}
	if hint := m.tickHint(c); selected && hint != "" {
		lines = append(lines, hang(indent, checkIndent, st.Pointer.Render(hint), w)...)
	}
	return lines
}

// tickHint tells what the keys do to a manual check.
func (m *migrateScreen) tickHint(c *audit.Check) string {
	switch {
	case !c.Tickable():
		return ""
	case c.Ticked:
		return "space unticks it."
	case m.c.emulated() && !m.watching && slices.Contains(watchedChecks, c.ID) && len(c.Evidence) == 0:
		return "o watches the emulator for its evidence while you do it; space ticks it once you have confirmed it."
	}
	return "space ticks it once you have confirmed it."
}

// titleLines is the check's status and title; the selected check is
// highlighted and pointed at.
func (m *migrateScreen) titleLines(c *audit.Check, selected bool, w int) []string {
	st := m.c.styles
	if !selected {
		prefix := "  " + pad(statusMark(st, c.Status, c.Ticked), checkIndent-3) + " "
		return hang(prefix, checkIndent, st.Text.Render(oneLine(c.Title)), w)
	}
	prefix := "▸ " + pad(ansi.Strip(statusMark(st, c.Status, c.Ticked)), checkIndent-3) + " "
	lines := hang(prefix, checkIndent, oneLine(c.Title), w)
	for i, l := range lines {
		lines[i] = st.Selected.Render(pad(l, w))
	}
	return lines
}

// evidenceView is one piece of evidence: where, then what it shows.
func evidenceView(st styles, e audit.Evidence) string {
	var where string
	switch e.Kind {
	case "file":
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	case "request":
		where = "request_id " + orNone(e.RequestID) + " · POST " + e.Path
		if e.HTTPStatus != 0 {
			where += fmt.Sprintf(" → %d", e.HTTPStatus)
		}
	case "link_session":
		where = "link_session_id " + e.LinkSessionID
	default:
		where = e.Path
		if e.HTTPStatus != 0 {
			where += fmt.Sprintf(" → HTTP %d", e.HTTPStatus)
		}
	}
	s := st.Bold.Render(oneLine(where))
	if e.Note != "" {
		s += st.Muted.Render(" · " + oneLine(e.Note))
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// callLines lists the live audit's calls to the app.
func (m *migrateScreen) callLines(w int) []string {
	if len(m.report.Calls) == 0 {
		return nil
	}
	st := m.c.styles
	lines := []string{"", sectionTitle(st, "Calls to the app", w)}
	for _, c := range m.report.Calls {
		s := st.Bold.Render(oneLine(c.Method+" "+c.URL)) + st.Text.Render(callOutcome(c))
		lines = append(lines, hang("  ", 4, s, w)...)
	}
	return lines
}

// callOutcome is a call's answer, time and link_token.
func callOutcome(c audit.EndpointCall) string {
	s := fmt.Sprintf(" → HTTP %d", c.HTTPStatus)
	if c.HTTPStatus == 0 {
		s = " → no answer: " + oneLine(c.Error)
	}
	s += fmt.Sprintf(" · %.1f ms", c.DurationMS)
	if c.BodyShape != "" {
		s += " · body " + oneLine(c.BodyShape)
	}
	if c.LinkToken != "" {
		s += " · link_token " + oneLine(c.LinkToken)
	}
	return s
}

// hang word-wraps text after prefix, continuation lines indented by cont
// cells, in width cells.
func hang(prefix string, cont int, text string, width int) []string {
	pw := lipgloss.Width(prefix)
	room := max(width-max(pw, cont), 8)
	lines := strings.Split(strings.TrimRight(wrap(text, room), " \n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " ")
		if i == 0 {
			lines[i] = prefix + l
		} else {
			lines[i] = strings.Repeat(" ", cont) + l
		}
	}
	return lines
}
