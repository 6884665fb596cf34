package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/linkexplorer/linkexplorer/store"
)

var logColumns = []column{
	{title: "TIME", width: 8, priority: 8},
	// Dropped first: KIND, then STATUS, then ERROR, TIME; REQUEST_ID is
	// the point of the log (support asks for it) and goes only after
	// everything but the endpoint. LINK_SESSION_ID (the other id support
	// asks for) shows when the endpoint keeps 34 cells beside it. With room
	// to spare, the endpoint, the error code and the status grow to show
	// long values whole, and no further.
	{title: "KIND", width: 7, priority: 2},
	{title: "ENDPOINT / EVENT", width: 0, max: 44, want: 34, priority: 10},
	{title: "STATUS", width: 11, max: 22, priority: 3},
	{title: "REQUEST_ID", width: 16, max: 24, priority: 9},
	{title: "LINK_SESSION_ID", width: 36, priority: 1, optional: true},
	{title: "ERROR", width: 20, max: 34, priority: 7},
}

// logErrorColumn is the index of ERROR, drawn in the error style.
const logErrorColumn = 6

// logGutter is the cursor column left of the table.
const logGutter = 2

// View renders the log: a title line, the table and a status line; or
// one entry's details.
func (l *logScreen) View() string {
	if l.detail != nil {
		return l.detail.view()
	}
	cols := logColumns
	if l.spansDays() {
		cols = append([]column(nil), logColumns...)
		cols[0].width = len(dayTimeFormat)
	}
	widths := layoutColumns(cols, l.width-logGutter)
	lines := []string{l.titleLine(), l.c.styles.TableHeader.Render("  " + tableHeader(cols, widths))}
	lines = append(lines, l.rowsView(widths)...)
	for len(lines) < l.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, l.statusLine())
	return fit(strings.Join(lines, "\n"), l.width, l.height)
}

func (l *logScreen) titleLine() string {
	st := l.c.styles
	title := st.Title.Render("Session log")
	switch {
	case l.counted && l.filterText != "":
		title += st.Muted.Render(" · " + plural(l.count, "match", "matches"))
	case l.counted:
		title += st.Muted.Render(" · " + plural(l.count, "entry", "entries"))
	}
	title += st.Muted.Render(" · newest first")
	if l.filterText != "" {
		title += st.Muted.Render(" · filter ") + st.Text.Render(oneLine(l.filterText))
	}
	return truncate(title, l.width)
}

func (l *logScreen) rowsView(widths []int) []string {
	st := l.c.styles
	switch {
	case l.c.store == nil:
		return []string{st.Muted.Render("  No session log is open.")}
	case !l.loaded:
		return []string{st.Muted.Render("  loading…")}
	case len(l.entries) == 0 && l.filterText != "":
		return []string{st.Muted.Render("  Nothing matches the filter. Backspace clears it.")}
	case len(l.entries) == 0:
		return []string{st.Muted.Render("  The log is empty. Run a flow from Home and its calls and events appear here.")}
	}
	out := make([]string, 0, len(l.entries))
	days := l.spansDays()
	for i, e := range l.entries {
		if i > 0 {
			if sep, ok := l.separator(l.entries[i-1], e, days); ok {
				out = append(out, sep)
			}
		}
		out = append(out, l.rowView(e, i == l.cursor, widths, days))
	}
	return out
}

// dayTimeFormat is the TIME column when the entries shown span days.
const dayTimeFormat = "2006-01-02 15:04:05"

// spansDays reports whether the entries shown are not all of today (local
// time): their TIME then carries the date.
func (l *logScreen) spansDays() bool {
	if len(l.entries) == 0 {
		return false
	}
	today := l.c.now().Local().Format(time.DateOnly)
	newest, oldest := l.entries[0].Time().Local(), l.entries[len(l.entries)-1].Time().Local()
	return newest.Format(time.DateOnly) != today || oldest.Format(time.DateOnly) != today
}

// separators counts the separator rows between the entries.
func separators(entries []store.Entry) int {
	n := 0
	for i := 1; i < len(entries); i++ {
		if sessionOrDayChanges(entries[i-1], entries[i]) {
			n++
		}
	}
	return n
}

func sessionOrDayChanges(newer, older store.Entry) bool {
	return newer.SessionID() != older.SessionID() ||
		newer.Time().Local().Format(time.DateOnly) != older.Time().Local().Format(time.DateOnly)
}

// separator is the row between two entries of different sessions or
// days: it names the older entry's session (and day, when the log spans
// days), which starts below it.
func (l *logScreen) separator(newer, older store.Entry, days bool) (string, bool) {
	if !sessionOrDayChanges(newer, older) {
		return "", false
	}
	var parts []string
	if days {
		parts = append(parts, older.Time().Local().Format("Mon 2 Jan 2006"))
	}
	if id := older.SessionID(); id != "" {
		parts = append(parts, "session "+id)
	}
	label := "── " + strings.Join(parts, " · ") + " "
	w := max(l.width-logGutter, 0)
	if n := w - lipgloss.Width(label); n > 0 {
		label += strings.Repeat("─", n)
	}
	return "  " + l.c.styles.Muted.Render(truncate(label, w)), true
}

// rowView renders one entry; an entry with an error shows its code in the
// error style, and the cursor row is marked with ▸ as well as colour.
func (l *logScreen) rowView(e store.Entry, selected bool, widths []int, days bool) string {
	st := l.c.styles
	when := clockTime(e.Time())
	if days {
		when = e.Time().Local().Format(dayTimeFormat)
	}
	cells := []string{when, entryKind(e), oneLine(e.Title()), oneLine(e.Status()), oneLine(e.RequestID()),
		oneLine(e.LinkSessionID()), oneLine(e.ErrorCode())}
	if selected {
		return st.RowSelected.Render("▸ " + tableRow(cells, widths))
	}
	row := st.Row.Render("  " + tableRow(cells[:logErrorColumn], widths[:logErrorColumn]))
	if widths[logErrorColumn] == 0 {
		return row
	}
	return row + " " + st.Fail.Render(pad(cells[logErrorColumn], widths[logErrorColumn]))
}

// entryKind names an entry's kind for the table, as the filter (kind:)
// and the CLI name it: calls from the user's own app are "app".
func entryKind(e store.Entry) string { return string(e.ShownKind()) }

func (l *logScreen) statusLine() string {
	st := l.c.styles
	switch {
	case l.filtering:
		return l.input.View()
	case l.exporting:
		return st.Bold.Render("Export " + l.exportScope() + " as: m Markdown · j JSON · c CSV · esc cancel")
	case l.prompt != nil:
		return l.prompt.view(st)
	case l.lastExport != "":
		return st.Notice.Render(truncate("exported to "+l.lastExport, l.width))
	}
	var hints []string
	if l.newer {
		hints = append(hints, "↑ newer entries above")
	}
	if l.older {
		hints = append(hints, "↓ older entries below")
	}
	if len(hints) == 0 {
		hints = append(hints, "/ filters · enter shows an entry · x exports")
	}
	return st.Muted.Render(truncate(strings.Join(hints, " · "), l.width))
}

func (l *logScreen) exportScope() string {
	if l.filterText != "" {
		return "the matching entries"
	}
	return "the whole log"
}
