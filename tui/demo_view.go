package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/linkexplorer/linkexplorer/flows"
)

// demoPanelHeight is the height of the demo's panel under the header, w
// wide: the flows and where they stand, the previous line, then the
// current line over two lines, or three on a narrow terminal.
func demoPanelHeight(w int) int {
	if w < 90 {
		return 5
	}
	return 4
}

// panelView is the demo's panel, w wide: the narration, shown prominently.
func (d *demo) panelView(st styles, w int) string {
	cur, prev := "", ""
	if n := len(d.lines); n > 0 {
		cur = d.lines[n-1].text
		if n > 1 {
			prev = d.lines[n-2].text
		}
	}
	lines := []string{d.progressView(st, w), st.Muted.Render(truncate("  "+oneLine(prev), w))}
	for _, l := range wrapLines(clean(cur), max(w-2, 1), demoPanelHeight(w)-2) {
		lines = append(lines, st.Title.Render("┃ ")+st.Subtitle.Render(l))
	}
	return strings.Join(lines, "\n")
}

// wrapLines word-wraps plain text into exactly n lines of width w, the
// last one ending in an ellipsis when the text does not fit.
func wrapLines(s string, w, n int) []string {
	all := strings.Split(lipgloss.NewStyle().Width(w).Render(s), "\n")
	if len(all) > n {
		all[n-1] = truncate(strings.TrimRight(all[n-1], " ")+" …", w)
	}
	for len(all) < n {
		all = append(all, "")
	}
	return all[:n]
}

// progressView lists the demo's flows with where each stands, and the
// beat of the line on screen.
func (d *demo) progressView(st styles, w int) string {
	parts := []string{st.Title.Render("DEMO")}
	for _, f := range d.opts.Flows {
		parts = append(parts, demoFlowGlyph(st, d.flowOutcome(f))+" "+st.Text.Render(f.Title))
	}
	beat := 0
	if n := len(d.lines); n > 0 {
		beat = d.lines[n-1].beat
	}
	right := st.Muted.Render(fmt.Sprintf("beat %d/%d", beat+1, len(d.beats)))
	left := truncate(strings.Join(parts, "   "), max(w-lipgloss.Width(right)-1, 1))
	return left + strings.Repeat(" ", max(w-lipgloss.Width(left)-lipgloss.Width(right), 1)) + right
}

func demoFlowGlyph(st styles, s flows.StepStatus) string {
	switch s {
	case flows.StatusOK:
		return st.OK.Render("✓")
	case flows.StatusFailed:
		return st.Fail.Render("✗")
	case flows.StatusRunning:
		return st.Pointer.Render("▸")
	}
	return st.Muted.Render("·")
}

// badge is the header's demo indicator, "" when the demo is not shown.
func (d *demo) badge(st styles) string {
	switch d.state {
	case demoPlaying:
		return st.Running.Render("▶ DEMO")
	case demoPaused:
		return st.Warn.Render("❚❚ DEMO PAUSED")
	case demoOver:
		return st.OK.Render("■ DEMO OVER")
	case demoHalted:
		return st.Fail.Render("✗ DEMO STOPPED")
	}
	return ""
}
