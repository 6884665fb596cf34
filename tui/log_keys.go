package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/store"
)

// handleKey routes a key to the detail view, the filter field, the export
// prompt or the table.
func (l *logScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	l.lastExport = "" // "exported to …" holds until the next key
	switch {
	case l.detail != nil:
		return l.detailKey(msg)
	case l.filtering:
		return l.filterKey(msg)
	case l.exporting:
		return l.exportKey(msg)
	case l.prompt != nil:
		return l.promptKey(msg)
	}
	return l.tableKey(msg)
}

func (l *logScreen) tableKey(msg tea.KeyMsg) tea.Cmd {
	k := l.keys
	switch {
	case key.Matches(msg, k.Up):
		return l.moveUp()
	case key.Matches(msg, k.Down):
		return l.moveDown()
	case key.Matches(msg, k.PageUp):
		return l.pageUp()
	case key.Matches(msg, k.PageDown):
		return l.pageDown()
	case key.Matches(msg, k.Top):
		l.window = logWindow{}
		return l.reload(0)
	case key.Matches(msg, k.Bottom):
		l.window = logWindow{oldest: true}
		return l.reload(-1)
	case key.Matches(msg, k.Filter):
		l.filtering = true
		l.input.SetValue(l.filterText)
		l.input.CursorEnd()
		return l.input.Focus()
	case key.Matches(msg, k.Clear) && l.filterText != "":
		return l.applyFilter("")
	case key.Matches(msg, k.Detail):
		return l.openDetail()
	case key.Matches(msg, k.Export) && l.c.store != nil:
		l.exporting, l.lastExport = true, ""
	case key.Matches(msg, k.Copy):
		e, _ := l.selectedEntry()
		return copyText(l.c.clipboard, "request_id", e.RequestID())
	case key.Matches(msg, k.CopyLinkSession):
		e, _ := l.selectedEntry()
		return copyText(l.c.clipboard, "link_session_id", e.LinkSessionID())
	case key.Matches(msg, l.c.keys.Global.Back):
		if l.filterText != "" {
			return l.applyFilter("")
		}
		return navigate(screenHome)
	}
	return nil
}

func (l *logScreen) moveUp() tea.Cmd {
	switch {
	case l.cursor > 0:
		l.cursor--
	case l.newer && len(l.entries) > 0:
		l.window = logWindow{top: l.entries[0].ID, above: 1}
		return l.reload(0)
	}
	return nil
}

func (l *logScreen) moveDown() tea.Cmd {
	switch {
	case l.cursor < len(l.entries)-1:
		l.cursor++
	case l.older && len(l.entries) > 1:
		l.window = logWindow{top: l.entries[1].ID}
		cmd := l.reload(-1)
		l.wantBelow = l.entries[l.cursor].ID // the next entry, wherever the page puts it
		return cmd
	}
	return nil
}

func (l *logScreen) pageUp() tea.Cmd {
	if !l.newer || len(l.entries) == 0 {
		l.cursor = 0
		return nil
	}
	l.window = logWindow{top: l.entries[0].ID, above: l.rows()}
	return l.reload(l.cursor)
}

func (l *logScreen) pageDown() tea.Cmd {
	if !l.older || len(l.entries) == 0 {
		l.cursor = max(len(l.entries)-1, 0)
		return nil
	}
	l.window = logWindow{top: l.entries[len(l.entries)-1].ID - 1}
	return l.reload(l.cursor)
}

func (l *logScreen) handleWheel(msg tea.MouseMsg) tea.Cmd {
	if msg.Action != tea.MouseActionPress {
		return nil
	}
	if l.detail != nil && l.detail.code != nil {
		l.detail.code.wheel(msg)
		return nil
	}
	if l.detail != nil {
		l.detail.wheel(msg)
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return l.moveUp()
	case tea.MouseButtonWheelDown:
		return l.moveDown()
	}
	return nil
}

func (l *logScreen) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, l.c.keys.Form.Cancel):
		l.filtering = false
		l.input.Blur()
		return nil
	case msg.Type == tea.KeyEnter:
		return l.applyFilter(l.input.Value())
	}
	var cmd tea.Cmd
	l.input, cmd = l.input.Update(msg)
	return cmd
}

// applyFilter parses and applies a filter, showing the newest matches.
func (l *logScreen) applyFilter(text string) tea.Cmd {
	f, err := parseFilter(text)
	if err != nil {
		return func() tea.Msg { return failedMsg{reason: "filtering the log", err: err} }
	}
	l.filtering = false
	l.input.Blur()
	l.filter, l.filterText, l.window = f, text, logWindow{}
	l.lastExport = "" // it exported other entries than these
	l.entries, l.loaded = nil, false
	l.counted = false // the old count was of another filter
	return tea.Batch(l.reload(0), l.recount())
}

func (l *logScreen) exportKey(msg tea.KeyMsg) tea.Cmd {
	k := l.exportKeys
	l.exporting = false
	var format store.Format
	switch {
	case key.Matches(msg, k.Markdown):
		format = store.FormatMarkdown
	case key.Matches(msg, k.JSON):
		format = store.FormatJSON
	case key.Matches(msg, k.CSV):
		format = store.FormatCSV
	default:
		return nil
	}
	l.format = format
	l.prompt = newExportPrompt(l.c, l.exportScope()+" as "+formatName(format), l.width)
	return nil
}

// promptKey handles a key while the export's directory is asked for.
func (l *logScreen) promptKey(msg tea.KeyMsg) tea.Cmd {
	dir, done, cmd := l.prompt.update(msg, l.exportKeys.Cancel)
	if !done {
		return cmd
	}
	l.prompt = nil
	if key.Matches(msg, l.exportKeys.Cancel) {
		return nil
	}
	return exportLog(l.c.store, dir, l.format, l.filter, l.c.now())
}

// formatName names an export format for people.
func formatName(f store.Format) string {
	switch f {
	case store.FormatMarkdown:
		return "Markdown"
	case store.FormatJSON:
		return "JSON"
	case store.FormatCSV:
		return "CSV"
	}
	return string(f)
}

func (l *logScreen) openDetail() tea.Cmd {
	e, ok := l.selectedEntry()
	if !ok || l.c.store == nil {
		return nil
	}
	return loadEntry(l.c.store, e.ID)
}

func (l *logScreen) detailKey(msg tea.KeyMsg) tea.Cmd {
	if cv := l.detail.code; cv != nil {
		closed, cmd := cv.update(msg)
		if closed {
			l.detail.code = nil
		}
		return cmd
	}
	switch {
	case key.Matches(msg, l.c.keys.Global.Back):
		l.detail = nil
	case key.Matches(msg, l.c.keys.Code.Open) && l.detail.entry.Call != nil:
		l.detail.openCode()
	case key.Matches(msg, l.keys.Copy):
		return copyText(l.c.clipboard, "request_id", l.detail.entry.RequestID())
	case key.Matches(msg, l.keys.Next):
		return loadAdjacentEntry(l.c.store, l.filter, l.detail.entry.ID, true)
	case key.Matches(msg, l.keys.Prev):
		return loadAdjacentEntry(l.c.store, l.filter, l.detail.entry.ID, false)
	case key.Matches(msg, l.keys.CopyLinkSession):
		return copyText(l.c.clipboard, "link_session_id", l.detail.entry.LinkSessionID())
	default:
		l.detail.scroll(msg, l.keys.listKeys)
	}
	return nil
}

// ShortHelp lists the keys that work now.
func (l *logScreen) ShortHelp() []key.Binding {
	k := l.keys
	switch {
	case l.filtering:
		apply := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter"))
		return []key.Binding{apply, l.c.keys.Form.Cancel}
	case l.exporting:
		e := l.exportKeys
		return []key.Binding{e.Markdown, e.JSON, e.CSV, e.Cancel}
	case l.prompt != nil:
		return l.prompt.keys(l.exportKeys.Cancel)
	case l.detail != nil && l.detail.code != nil:
		return l.detail.code.ShortHelp()
	case l.detail != nil && l.detail.entry.Call != nil:
		return []key.Binding{k.Up, k.Down, k.Next, k.Prev, k.Copy, l.c.keys.Code.Open, l.c.keys.Global.Back}
	case l.detail != nil:
		out := []key.Binding{k.Up, k.Down, k.Next, k.Prev, k.Copy, l.c.keys.Global.Back}
		if l.detail.entry.LinkSessionID() != "" {
			out = append(out, k.CopyLinkSession)
		}
		return out
	}
	out := []key.Binding{k.Up, k.Down, k.Filter, k.Detail, k.Export}
	if l.filterText != "" {
		out = append(out, k.Clear)
	}
	return append(out, k.Copy)
}

// FullHelp lists every key of the log.
func (l *logScreen) FullHelp() [][]key.Binding {
	if l.detail != nil && l.detail.code != nil {
		return l.detail.code.FullHelp()
	}
	k := l.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, k.Clear, k.Detail, k.Next, k.Prev, k.Copy, k.CopyLinkSession, l.c.keys.Code.Open},
		{k.Export, l.exportKeys.Markdown, l.exportKeys.JSON, l.exportKeys.CSV},
	}
}
