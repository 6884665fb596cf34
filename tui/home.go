package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// shownMsg tells a screen it has become the active one.
type shownMsg struct{}

// homeScreen lists the flows, the Items and the session log.
type homeScreen struct {
	c             *common
	keys          homeKeys
	width, height int

	flows  []*flows.Flow
	cursor int // 0..len(flows)+1: the flows, the session log, the migration audit
	items  []store.Item
	// itemsFocused: the keys move in the Items (home_items.go), not the
	// menu; itemCursor is the selected Item, itemTop the first shown.
	itemsFocused        bool
	itemCursor, itemTop int
	// item is the open Item's screen (item_screen.go), nil when closed.
	item        *itemScreen
	itemsKnown  bool
	logCount    int
	logLatest   *store.Entry
	logKnown    bool
	ownRequests int
	picker      *scenarioPicker // the credentials lesson's scenarios, when open (home_scenarios.go)
}

func newHome(c *common, fl []*flows.Flow) *homeScreen {
	return &homeScreen{c: c, keys: c.keys.Home, flows: fl}
}

// Init loads the Items and the log summary.
func (h *homeScreen) Init() tea.Cmd { return h.reload() }

func (h *homeScreen) reload() tea.Cmd {
	if h.c.store == nil {
		return nil
	}
	return tea.Batch(loadItems(h.c.store), loadLogSummary(h.c.store))
}

// SetSize sets the screen's size.
func (h *homeScreen) SetSize(w, ht int) {
	h.width, h.height = w, ht
	if h.item != nil {
		h.item.width, h.item.height = w, ht
	}
	h.itemTop = h.visibleTop(h.itemFits())
}

// Update handles the Home screen's keys and data.
func (h *homeScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case shownMsg:
		return h, h.reload()
	case itemsLoadedMsg:
		h.setItems(msg.items)
	case itemActionDoneMsg:
		cmd := h.reload() // the action may have changed the Item's status
		if h.item != nil {
			cmd = tea.Batch(cmd, h.item.update(msg))
		}
		return h, cmd
	case logSummaryLoadedMsg:
		h.logCount, h.logLatest, h.logKnown = msg.count, msg.latest, true
	case ownRequestsPolledMsg:
		h.ownRequests += msg.added
		if msg.added > 0 {
			return h, h.reload()
		}
	case tea.KeyMsg:
		if h.item != nil {
			return h, h.itemKey(msg)
		}
		return h, h.handleKey(msg)
	case tea.MouseMsg:
		if h.item != nil {
			h.item.wheel(msg)
			return h, nil
		}
		h.handleWheel(msg)
	}
	if h.item != nil {
		return h, h.item.update(msg)
	}
	return h, nil
}

func (h *homeScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	if h.picker != nil {
		return h.pickerKey(msg)
	}
	if h.itemsFocused {
		return h.itemsKey(msg)
	}
	switch {
	case key.Matches(msg, h.keys.Items):
		return h.focusItems()
	case key.Matches(msg, h.keys.Up):
		h.move(-1)
	case key.Matches(msg, h.keys.Down):
		h.move(1)
	case key.Matches(msg, h.keys.Top, h.keys.PageUp):
		h.cursor = 0
	case key.Matches(msg, h.keys.Bottom, h.keys.PageDown):
		h.cursor = h.migrateRow()
	case key.Matches(msg, h.keys.Open):
		return h.open()
	}
	return nil
}

func (h *homeScreen) handleWheel(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	if h.itemsFocused {
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			h.moveItem(-1)
		case tea.MouseButtonWheelDown:
			h.moveItem(1)
		}
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		h.move(-1)
	case tea.MouseButtonWheelDown:
		h.move(1)
	}
}

func (h *homeScreen) move(d int) {
	if h.picker != nil {
		h.picker.cursor = min(max(h.picker.cursor+d, 0), len(h.picker.scenarios)-1)
		return
	}
	h.cursor = min(max(h.cursor+d, 0), h.migrateRow())
}

// migrateRow is the migration audit's row, the last.
func (h *homeScreen) migrateRow() int { return len(h.flows) + 1 }

// open starts the selected flow, or opens the session log or the
// migration audit.
func (h *homeScreen) open() tea.Cmd {
	switch h.cursor {
	case len(h.flows):
		return navigate(screenLog)
	case h.migrateRow():
		return navigate(screenMigrate)
	}
	return h.chooseFlow(h.flows[h.cursor])
}

// ShortHelp is the footer's help.
func (h *homeScreen) ShortHelp() []key.Binding {
	switch {
	case h.picker != nil:
		return h.pickerHelp()
	case h.item != nil:
		return h.item.ShortHelp()
	case h.itemsFocused:
		return []key.Binding{h.keys.Up, h.keys.Down, h.keys.OpenItem, h.keys.Flows}
	case len(h.items) > 0:
		return []key.Binding{h.keys.Up, h.keys.Down, h.keys.Open, h.keys.Items}
	}
	return []key.Binding{h.keys.Up, h.keys.Down, h.keys.Open}
}

// FullHelp is the help screen's.
func (h *homeScreen) FullHelp() [][]key.Binding {
	if h.item != nil {
		return h.item.FullHelp()
	}
	return [][]key.Binding{{h.keys.Up, h.keys.Down, h.keys.Top, h.keys.Bottom}, {h.keys.Open, h.keys.Items, h.keys.Flows, h.keys.OpenItem}}
}

// View renders the flows and the session log beside the Items, or above
// them on a narrow terminal. "Your own app" is always on screen: the Items
// give up their room first ("+N more"), then, when narrow, the selected
// entry's summary.
func (h *homeScreen) View() string {
	if h.picker != nil {
		return h.pickerView()
	}
	if h.item != nil {
		return h.item.view(h.width, h.height)
	}
	if h.width >= 84 {
		// "Your own app" spans the width under both columns, so that its
		// URLs stay whole on one line each.
		own := h.ownAppLines(h.width)
		top := max(h.height-len(own), 1)
		left := (h.width - 2) / 2
		cols := lipgloss.JoinHorizontal(lipgloss.Top,
			fit(h.menuView(left, menuFull), left, top), "  ", fit(h.itemsView(h.width-left-2, top, false), h.width-left-2, top))
		return fit(cols+"\n"+strings.Join(own, "\n"), h.width, h.height)
	}
	menu := h.narrowMenu()
	rest := h.height - strings.Count(menu, "\n") - 2
	return fit(menu+"\n\n"+h.itemsView(h.width, rest, true), h.width, h.height)
}

// menuForm is how much of the menu a narrow Home shows.
type menuForm int

const (
	menuFull      menuForm = iota // with the selected entry's summary
	menuNoSummary                 // without it
	menuCompact                   // without it, the log's newest entry and the blank lines
)

func (h *homeScreen) menuView(w int, form menuForm) string {
	st := h.c.styles
	lines := []string{sectionTitle(st, "Flows", w)}
	for i, f := range h.flows {
		lines = append(lines, h.menuLine(i, f.Title, w))
	}
	if len(h.flows) == 0 {
		lines = append(lines, st.Muted.Render("  no flows are available"))
	}
	gap := []string{""}
	if form == menuCompact {
		gap = nil
	}
	lines = append(lines, gap...)
	lines = append(lines, sectionTitle(st, "Session log", w), h.menuLine(len(h.flows), h.logLabel(), w))
	if form != menuCompact {
		lines = append(lines, h.logLines(w)...)
	}
	lines = append(lines, gap...)
	lines = append(lines, sectionTitle(st, "Migration", w), h.menuLine(h.migrateRow(), migrateTitle, w))
	if form == menuFull {
		lines = append(lines, "", st.Subtitle.Render(truncate(h.selectedTitle(), w)), wrap(st.Text.Render(h.selectedSummary()), w))
	}
	return strings.Join(lines, "\n")
}

func (h *homeScreen) menuLine(i int, label string, w int) string {
	if i == h.cursor && h.itemsFocused {
		return h.c.styles.Text.Render(truncate("▸ "+label, w))
	}
	if i == h.cursor {
		return h.c.styles.Selected.Render(pad("▸ "+label, w))
	}
	return h.c.styles.Text.Render(truncate("  "+label, w))
}

func (h *homeScreen) logLabel() string {
	if !h.logKnown {
		return "Session log"
	}
	return "Session log · " + plural(h.logCount, "entry", "entries")
}

func (h *homeScreen) logLines(w int) []string {
	st := h.c.styles
	var out []string
	if e := h.logLatest; e != nil {
		out = append(out, st.Muted.Render(truncate(fmt.Sprintf("    newest %s  %s  %s", clockTime(e.Time()), oneLine(e.Title()), oneLine(e.Status())), w)))
	}
	if h.ownRequests > 0 {
		out = append(out, st.Muted.Render(truncate("    "+plural(h.ownRequests, "request", "requests")+" from your own app", w)))
	}
	return out
}

func (h *homeScreen) selectedTitle() string {
	switch {
	case h.itemsFocused && h.itemCursor < len(h.items):
		return "Item · " + itemName(h.items[h.itemCursor])
	case h.cursor < len(h.flows):
		return h.flows[h.cursor].Title
	case h.cursor == h.migrateRow():
		return migrateTitle
	}
	return "Session log"
}

func (h *homeScreen) selectedSummary() string {
	switch {
	case h.itemsFocused && h.itemCursor < len(h.items):
		return itemSummary(h.items[h.itemCursor])
	case h.cursor < len(h.flows):
		return oneLine(h.flows[h.cursor].Summary)
	case h.cursor == h.migrateRow():
		return migrateSummary
	}
	s := "Every API call, Link event and webhook, newest first, with request_ids and link_session_ids. Filter with /, open an entry with enter, export to Markdown, JSON or CSV with x."
	if h.c.emulated() {
		s += " Requests your own app sends to the emulator show up here too."
	}
	return s
}

// itemsView is the Items, then "Your own app", in height lines: the
// Items that do not fit are counted ("+N more") so that "Your own app"
// always shows.
func (h *homeScreen) itemsView(w, height int, withOwnApp bool) string {
	st := h.c.styles
	lines := []string{sectionTitle(st, "Items", w)}
	switch {
	case h.c.store == nil && !h.itemsKnown:
		lines = append(lines, st.Muted.Render("no session log is open"))
	case !h.itemsKnown:
		lines = append(lines, st.Muted.Render("loading…"))
	case len(h.items) == 0:
		lines = append(lines, wrap(st.Muted.Render("No Items yet. Run the Quickstart to link one."), w))
	}
	own, fits := h.itemsRoom(w, height, withOwnApp)
	top := h.visibleTop(fits)
	for i := top; i < len(h.items) && i < top+fits; i++ {
		lines = append(lines, h.itemLines(h.items[i], w, h.itemsFocused && i == h.itemCursor)...)
	}
	if more := moreItemsLine(top, fits, len(h.items)); more != "" {
		lines = append(lines, st.Muted.Render(truncate(more, w)))
	}
	lines = append(lines, own...)
	return strings.Join(lines, "\n")
}

// ownAppLines tell, offline, where a user's own app finds the embedded
// emulator: its API, and the path of its Link script there; each whole, on
// lines of its own when the column is narrow.
func (h *homeScreen) ownAppLines(w int) []string {
	if !h.c.emulated() || h.c.control.BaseURL == "" {
		return nil
	}
	st := h.c.styles
	base := strings.TrimRight(h.c.control.BaseURL, "/")
	lines := []string{"", sectionTitle(st, "Your own app", w)}
	for _, u := range []struct{ label, url string }{
		{"Plaid API ", base},
		{"Link JS   ", base + "/link/v2/stable/link-initialize.js"},
	} {
		if lipgloss.Width(u.label+u.url) <= w {
			lines = append(lines, st.Muted.Render(u.label)+st.Text.Render(u.url))
			continue
		}
		lines = append(lines, st.Muted.Render(strings.TrimSpace(u.label)))
		for _, l := range strings.Split(ansi.Hardwrap(u.url, max(w, 10), false), "\n") {
			lines = append(lines, st.Text.Render(l))
		}
	}
	return append(lines, strings.Split(wrap(st.Muted.Render(ownAppNote), w), "\n")...)
}

// ownAppLinesTight is "Your own app" without the blank line before it
// and the explanation after it, for a short terminal.
func (h *homeScreen) ownAppLinesTight(w int) []string {
	lines := h.ownAppLines(w)
	if len(lines) == 0 {
		return nil
	}
	n := len(lines) - len(strings.Split(wrap(ownAppNote, w), "\n"))
	return lines[1:n]
}

const ownAppNote = "Requests your app sends here join the session log. --emulator-addr keeps this address across runs."

func (h *homeScreen) itemLines(it store.Item, w int, selected bool) []string {
	st := h.c.styles
	name := itemName(it)
	if selected {
		plainStatus := itemStatusText(it.Status)
		first := truncate("▸ "+name, max(w-lipgloss.Width(plainStatus)-1, 1))
		first += strings.Repeat(" ", max(w-lipgloss.Width(first)-lipgloss.Width(plainStatus), 1)) + plainStatus
		return []string{st.Selected.Render(pad(first, w)), st.Muted.Render(truncate("  "+oneLine(it.ItemID)+" · "+it.Mode, w))}
	}
	status := itemStatus(st, it.Status)
	first := truncate(name, max(w-lipgloss.Width(status)-1, 1))
	first += strings.Repeat(" ", max(w-lipgloss.Width(first)-lipgloss.Width(status), 1)) + status
	return []string{st.Text.Render(first), st.Muted.Render(truncate("  "+oneLine(it.ItemID)+" · "+it.Mode, w))}
}

// itemStatus renders an Item's status with a glyph.
func itemStatus(st styles, status string) string {
	switch status {
	case store.ItemHealthy:
		return st.OK.Render("✓ healthy")
	case store.ItemRemoved:
		return st.Muted.Render("– removed")
	case store.ItemLoginRequired:
		return st.Warn.Render("! " + status)
	}
	return st.Fail.Render("✗ " + oneLine(status))
}
