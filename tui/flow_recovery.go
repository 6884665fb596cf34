package tui

import (
	"strings"

	"github.com/linkexplorer/linkexplorer/flows"
)

// recoveryView renders an invalid-token recovery as a timeline: token #1 →
// INVALID_LINK_TOKEN → token #2 → success, each moment with its token
// (masked), request_id and link_session_id.
func recoveryView(st styles, title string, entries []flows.TimelineEntry, width int) string {
	if len(entries) == 0 {
		return ""
	}
	out := []string{sectionTitle(st, title, width)}
	for i, e := range entries {
		out = append(out, recoveryLines(st, e, i == len(entries)-1, width)...)
	}
	return strings.Join(out, "\n")
}

func recoveryLines(st styles, e flows.TimelineEntry, last bool, width int) []string {
	glyph, style := "●", st.OK
	if e.ErrorCode != "" {
		glyph, style = "✗", st.Fail
	}
	head := clockTime(e.Time) + "  " + glyph + " " + oneLine(e.What)
	if e.ErrorCode != "" && !strings.Contains(e.What, e.ErrorCode) {
		head += "  " + oneLine(e.ErrorCode)
	}
	lines := []string{style.Render(truncate(head, width))}
	rail := "│"
	if last {
		rail = " "
	}
	for _, kv := range [][2]string{
		{"token", e.Token}, {"request_id", e.RequestID}, {"link_session_id", e.LinkSessionID},
	} {
		if kv[1] != "" {
			lines = append(lines, st.Muted.Render(truncate("          "+rail+" "+kv[0]+" ", width))+
				st.Text.Render(truncate(oneLine(kv[1]), max(width-13-len(kv[0]), 1))))
		}
	}
	return lines
}
