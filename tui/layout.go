package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/linkexplorer/linkexplorer/flows"
)

// truncate cuts s (which may hold styles) to width cells, marking a cut
// with an ellipsis.
func truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// pad cuts or pads s to exactly width cells.
func pad(s string, width int) string {
	s = truncate(s, width)
	if n := width - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// wrap word-wraps plain or styled text to width cells, breaking only at
// spaces: a flag name (--export-dir), a hyphenated setting
// (set-clipboard), a JSON value or a URL is never split, so what a person
// may copy stays whole. Only a word longer than the whole width is cut.
func wrap(s string, width int) string {
	if width <= 0 {
		return ""
	}
	// lipgloss then only pads the lines (they fit), as callers expect.
	return lipgloss.NewStyle().Width(width).Render(wordWrap(s, width))
}

// wordWrap breaks lines at spaces only (ansi.Wordwrap also breaks at
// hyphens); a word wider than width is cut hard.
func wordWrap(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		cur, curW := "", 0
		for i, word := range strings.Split(line, " ") {
			ww := ansi.StringWidth(word)
			switch {
			case i == 0:
				cur, curW = word, ww
			case curW+1+ww <= width:
				cur, curW = cur+" "+word, curW+1+ww
			default:
				out = append(out, cur)
				cur, curW = word, ww
			}
			if curW > width {
				parts := strings.Split(ansi.Hardwrap(cur, width, true), "\n")
				out = append(out, parts[:len(parts)-1]...)
				cur, curW = parts[len(parts)-1], ansi.StringWidth(parts[len(parts)-1])
			}
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// fit makes a block exactly width × height: long lines are cut, short ones
// padded, extra lines dropped and missing ones added.
func fit(s string, width, height int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = pad(l, width)
	}
	return strings.Join(lines, "\n")
}

// thousands formats n with thousands separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural is "1 entry" or "2 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// shortDuration formats a call's duration: 142 ms, 1.3 s (as run prints it).
func shortDuration(d time.Duration) string { return flows.FormatDuration(d) }

// countdown formats the time left until an expiry: 3h 59m 58s, 12m 05s,
// "expired".
func countdown(left time.Duration) string {
	if left <= 0 {
		return "expired"
	}
	left = left.Truncate(time.Second)
	h, m, s := int(left.Hours()), int(left.Minutes())%60, int(left.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %02dm %02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// clockTime formats a time of day in local time: 15:04:05.
func clockTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("15:04:05")
}

// sectionTitle renders a section heading, cut to width.
func sectionTitle(st styles, s string, width int) string {
	return st.Section.Render(truncate(strings.ToUpper(s), width))
}
