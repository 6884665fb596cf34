package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/store"
)

// logScreen is the session log: a table of calls, events and webhooks,
// newest first, read one screenful at a time so that it stays fast however
// long the log grows.
type logScreen struct {
	c             *common
	keys          logKeys
	exportKeys    exportKeys
	width, height int
	active        bool

	filter     store.Filter
	filterText string
	input      textinput.Model
	filtering  bool
	exporting  bool
	lastExport string

	window     logWindow
	entries    []store.Entry
	older      bool
	newer      bool
	cursor     int
	wantCursor int   // where the cursor goes when the page arrives; -1: last row
	wantEntry  int64 // or the entry it stays on, if the page holds it
	pageSeq    int
	loaded     bool
	count      int
	countSeq   int
	counted    bool
	tickID     int

	detail *entryDetail
}

func newLogScreen(c *common) *logScreen {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = filterHelp
	in.PlaceholderStyle = c.styles.Muted
	in.CharLimit = 500
	in.Cursor.SetMode(cursor.CursorStatic)
	return &logScreen{c: c, keys: c.keys.Log, exportKeys: c.keys.Export, input: in}
}

// Init does nothing: the log loads when it is shown.
func (l *logScreen) Init() tea.Cmd { return nil }

// SetSize sets the screen's size.
func (l *logScreen) SetSize(w, h int) {
	l.width, l.height = w, h
	l.input.Width = max(w-2, 10)
	if l.detail != nil {
		l.detail.setSize(w, h)
	}
}

// rows is how many entries fit: the height less the title, the table
// header and the status line.
func (l *logScreen) rows() int { return max(l.height-3, 1) }

// capturesInput reports whether keys go to the filter field or the export
// prompt.
func (l *logScreen) capturesInput() bool { return l.filtering || l.exporting }

// Update handles the log's data and keys.
func (l *logScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case shownMsg:
		l.active = true
		return l, tea.Batch(l.refresh(), l.recount(), l.startTicking())
	case hiddenMsg:
		l.active = false
	case tea.WindowSizeMsg:
		if l.active {
			return l, l.refresh() // as many rows as now fit
		}
	case logPageLoadedMsg:
		return l, l.pageLoaded(msg)
	case logCountedMsg:
		if msg.seq == l.countSeq {
			l.count, l.counted = msg.n, true
		}
	case entryLoadedMsg:
		l.detail = newEntryDetail(l.c, msg.entry, l.width, l.height)
	case exportedMsg:
		l.lastExport = msg.path
		return l, notify("exported the session log to " + msg.path)
	case ownRequestsPolledMsg:
		if msg.added > 0 && l.active && l.window.top == 0 {
			return l, l.refresh()
		}
	case tickedMsg:
		return l, l.handleTick(msg)
	case tea.KeyMsg:
		return l, l.handleKey(msg)
	case tea.MouseMsg:
		return l, l.handleWheel(msg)
	}
	return l, nil
}

// hiddenMsg tells a screen it is no longer the active one.
type hiddenMsg struct{}

func (l *logScreen) pageLoaded(msg logPageLoadedMsg) tea.Cmd {
	if msg.seq != l.pageSeq {
		return nil
	}
	before := l.newestID()
	l.entries, l.older, l.newer, l.loaded = msg.entries, msg.older, msg.newer, true
	l.window = logWindow{} // the newest page: it follows new entries
	if len(msg.entries) > 0 && msg.newer {
		l.window = logWindow{top: msg.entries[0].ID}
	}
	l.placeCursor()
	if l.window.top == 0 && l.newestID() != before {
		return l.recount()
	}
	return nil
}

// placeCursor puts the cursor on the entry it was on, if the page still
// holds it, else on the row asked for.
func (l *logScreen) placeCursor() {
	for i, e := range l.entries {
		if l.wantEntry != 0 && e.ID == l.wantEntry {
			l.cursor = i
			return
		}
	}
	l.cursor = l.wantCursor
	if l.cursor < 0 || l.cursor >= len(l.entries) {
		l.cursor = max(len(l.entries)-1, 0)
	}
}

func (l *logScreen) newestID() int64 {
	if len(l.entries) == 0 {
		return 0
	}
	return l.entries[0].ID
}

// selectedEntry is the entry under the cursor, if any.
func (l *logScreen) selectedEntry() (store.Entry, bool) {
	if l.cursor < len(l.entries) {
		return l.entries[l.cursor], true
	}
	return store.Entry{}, false
}

// reload fetches the page the window names, putting the cursor on row
// cursor afterwards (-1: the last row).
func (l *logScreen) reload(cursor int) tea.Cmd {
	if l.c.store == nil {
		return nil
	}
	l.pageSeq = l.c.nextID()
	l.wantCursor, l.wantEntry = cursor, 0
	return loadLogPage(l.c.store, l.pageSeq, l.filter, l.window, l.rows())
}

// refresh fetches the same page again, keeping the cursor on its entry
// unless it is on the newest one.
func (l *logScreen) refresh() tea.Cmd {
	cmd := l.reload(l.cursor)
	if e, ok := l.selectedEntry(); ok && l.cursor > 0 {
		l.wantEntry = e.ID
	}
	return cmd
}

// recount asks for the number of entries matching the filter. The count
// on screen stays until the new one arrives (new entries only add to it);
// a new filter hides it first (applyFilter).
func (l *logScreen) recount() tea.Cmd {
	if l.c.store == nil {
		return nil
	}
	l.countSeq = l.c.nextID()
	return countLog(l.c.store, l.countSeq, l.filter)
}

// startTicking refreshes the newest page every second while the log is
// shown, so new calls and events appear as they happen.
func (l *logScreen) startTicking() tea.Cmd {
	if l.c.store == nil {
		return nil
	}
	l.tickID = l.c.nextID()
	return tick(l.tickID, l.c.now)
}

func (l *logScreen) handleTick(msg tickedMsg) tea.Cmd {
	if msg.id != l.tickID || !l.active {
		return nil
	}
	next := tick(l.tickID, l.c.now)
	if l.window.top != 0 || l.detail != nil || !l.loaded {
		return next
	}
	return tea.Batch(next, l.refresh())
}
