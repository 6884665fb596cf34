package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// consoleScreen is the API console: choose any operation of Plaid's
// schema by fuzzy search, and an Item; edit the body, pre-filled from the
// schema with the Item's access_token as a placeholder (the token itself
// is never on screen: it goes into the request only as it is sent); send
// it through the flows' recorded client; read the answer with its
// request_id, status, duration and the explanation of an error; see the
// request as code.
type consoleScreen struct {
	c    *common
	keys consoleKeys

	opened bool // once opened, the console is a tab
	mode   consoleMode

	ops     []flows.ConsoleOp
	opsErr  error
	matches []opMatch
	cursor  int // in matches, or in the Item picker
	search  textinput.Model
	op      *flows.ConsoleOp

	items    []store.Item
	itemsErr error
	item     *store.Item // nil: no Item

	editor   textarea.Model
	response viewport.Model
	code     *codeView

	sending int // the id of the call in flight; 0 when none
	result  *flows.ConsoleResult
	sendErr error // the call's or the local refusal's
	refused bool  // sendErr is a local refusal: nothing was sent

	width, height int
}

type consoleMode int

const (
	consoleView   consoleMode = iota // the request and the response
	consoleSearch                    // choosing the operation
	consoleEdit                      // editing the body
	consoleItems                     // choosing the Item
)

// consoleItemsLoadedMsg carries the store's Items for the picker.
type consoleItemsLoadedMsg struct {
	items []store.Item
	err   error
}

// consoleSentMsg is the answer to the console's call id.
type consoleSentMsg struct {
	id     int
	result flows.ConsoleResult
	err    error
}

func newConsoleScreen(c *common) *consoleScreen {
	s := &consoleScreen{c: c, keys: c.keys.Console}
	s.search = textinput.New()
	s.search.Prompt = "/ "
	s.search.Placeholder = "search 251 operations: path, summary or description (e.g. item get, sandbox fire)"
	s.editor = textarea.New()
	s.editor.CharLimit = 0
	s.editor.MaxHeight = 0
	s.editor.ShowLineNumbers = false
	s.editor.Prompt = "│ "
	s.editor.Blur()
	s.response = viewport.New(1, 1)
	s.response.KeyMap = viewport.KeyMap{}
	s.response.MouseWheelDelta = 3
	return s
}

// open shows the console with the Item itemID chosen (none when empty, or
// the one chosen before): it loads the operations and the Items, and asks
// for an operation when none is chosen yet.
func (s *consoleScreen) open(itemID string) tea.Cmd {
	s.opened = true
	if s.ops == nil && s.opsErr == nil {
		s.ops, s.opsErr = flows.ConsoleOps()
	}
	if itemID != "" {
		s.item = &store.Item{ItemID: itemID} // completed when the Items load
	}
	cmds := []tea.Cmd{s.loadItems()}
	if s.op == nil {
		cmds = append(cmds, s.startSearch())
	}
	s.layout()
	return tea.Batch(cmds...)
}

func (s *consoleScreen) loadItems() tea.Cmd {
	st := s.c.store
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		items, err := st.Items(context.Background())
		return consoleItemsLoadedMsg{items: items, err: err}
	}
}

func (s *consoleScreen) startSearch() tea.Cmd {
	s.mode = consoleSearch
	s.editor.Blur()
	s.search.SetValue("")
	s.refilter()
	return s.search.Focus()
}

func (s *consoleScreen) refilter() {
	s.matches = searchOps(s.ops, s.search.Value())
	s.cursor = 0
}

// choose makes op the console's operation, with its pre-filled body.
func (s *consoleScreen) choose(op flows.ConsoleOp) {
	s.op = &op
	body, err := flows.Prefill(op.Path)
	if err != nil {
		body = []byte("{}")
	}
	s.editor.SetValue(string(body))
	s.editor.Blur()
	s.result, s.sendErr, s.refused, s.sending = nil, nil, false, 0
	s.mode = consoleView
	s.layout()
}

// capturesInput reports whether the console is taking text.
func (s *consoleScreen) capturesInput() bool {
	return s.mode == consoleSearch || s.mode == consoleEdit
}

// Init implements tea.Model.
func (s *consoleScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (s *consoleScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case consoleItemsLoadedMsg:
		s.items, s.itemsErr = msg.items, msg.err
		if s.item != nil {
			for i := range s.items {
				if s.items[i].ItemID == s.item.ItemID {
					it := s.items[i]
					s.item = &it
				}
			}
		}
		s.layout()
	case consoleSentMsg:
		if msg.id != s.sending {
			return s, nil
		}
		s.sending = 0
		s.result, s.sendErr = &msg.result, msg.err
		s.refused = msg.err != nil && msg.result.Call.Time.IsZero()
		s.layout()
		s.response.GotoTop()
	case shownMsg:
		if s.opened {
			return s, s.loadItems()
		}
	case tea.KeyMsg:
		return s, s.handleKey(msg)
	case tea.MouseMsg:
		switch {
		case s.code != nil:
			s.code.wheel(msg)
		case s.mode == consoleView:
			s.response, _ = s.response.Update(msg)
		}
	default:
		var cmd tea.Cmd
		switch s.mode {
		case consoleEdit:
			s.editor, cmd = s.editor.Update(msg)
		case consoleSearch:
			s.search, cmd = s.search.Update(msg)
		}
		return s, cmd
	}
	return s, nil
}

func (s *consoleScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.code != nil {
		closed, cmd := s.code.update(msg)
		if closed {
			s.code = nil
		}
		return cmd
	}
	switch s.mode {
	case consoleSearch:
		return s.searchKey(msg)
	case consoleEdit:
		switch {
		case key.Matches(msg, k.StopEdit):
			s.editor.Blur()
			s.mode = consoleView
			s.layout()
			return nil
		case msg.String() == "ctrl+s":
			s.editor.Blur()
			s.mode = consoleView
			return s.send()
		}
		var cmd tea.Cmd
		s.editor, cmd = s.editor.Update(msg)
		return cmd
	case consoleItems:
		return s.itemKey(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		return navigate(screenHome)
	case key.Matches(msg, k.Search):
		return s.startSearch()
	case key.Matches(msg, k.Item):
		s.mode, s.cursor = consoleItems, 0
		for i, it := range s.items {
			if s.item != nil && it.ItemID == s.item.ItemID {
				s.cursor = i + 1
			}
		}
		return s.loadItems()
	case s.op == nil:
		return nil
	case key.Matches(msg, k.Edit):
		s.mode = consoleEdit
		s.layout()
		return s.editor.Focus()
	case key.Matches(msg, k.Send):
		return s.send()
	case key.Matches(msg, k.Copy):
		id := ""
		if s.result != nil {
			id = s.result.Call.RequestID
		}
		return copyText(s.c.clipboard, "request_id", id)
	case key.Matches(msg, k.Code):
		s.code = apiCodeView(s.c, s.c.codeRequest(s.op.Path, []byte(s.editor.Value())), "POST "+s.op.Path+" as you edited it", s.width, s.height)
	case key.Matches(msg, k.Up):
		s.response.ScrollUp(1)
	case key.Matches(msg, k.Down):
		s.response.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		s.response.PageUp()
	case key.Matches(msg, k.PageDown):
		s.response.PageDown()
	case key.Matches(msg, k.Top):
		s.response.GotoTop()
	}
	return nil
}

func (s *consoleScreen) searchKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Back):
		s.search.Blur()
		s.mode = consoleView
		if s.op == nil {
			return navigate(screenHome)
		}
		return nil
	case key.Matches(msg, k.Pick):
		if s.cursor < len(s.matches) {
			s.search.Blur()
			s.choose(s.matches[s.cursor].op)
		}
		return nil
	case key.Matches(msg, k.PrevMatch):
		s.cursor = max(s.cursor-1, 0)
		return nil
	case key.Matches(msg, k.NextMatch):
		s.cursor = min(s.cursor+1, max(len(s.matches)-1, 0))
		return nil
	}
	before := s.search.Value()
	var cmd tea.Cmd
	s.search, cmd = s.search.Update(msg)
	if s.search.Value() != before {
		s.refilter()
	}
	return cmd
}

// itemKey moves in the Item picker: row 0 is "no Item".
func (s *consoleScreen) itemKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Back):
		s.mode = consoleView
	case key.Matches(msg, k.PrevMatch, key.NewBinding(key.WithKeys("k"))):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(msg, k.NextMatch, key.NewBinding(key.WithKeys("j"))):
		s.cursor = min(s.cursor+1, len(s.items))
	case key.Matches(msg, k.Pick):
		s.item = nil
		if s.cursor > 0 && s.cursor <= len(s.items) {
			it := s.items[s.cursor-1]
			s.item = &it
		}
		s.mode = consoleView
		s.layout()
		if s.op == nil {
			return s.startSearch()
		}
	}
	return nil
}

// send checks the body and sends it in a command: the access_token is read
// from the store and put in the request there, never into the screen's
// state.
func (s *consoleScreen) send() tea.Cmd {
	if s.op == nil || s.sending != 0 {
		return nil
	}
	body := []byte(s.editor.Value())
	s.result, s.sendErr, s.refused = nil, nil, false
	if err := flows.CheckConsoleBody(body); err != nil {
		s.sendErr, s.refused = err, true
		s.layout()
		return nil
	}
	env := s.c.env
	if env == nil || env.Client == nil {
		s.sendErr, s.refused = errors.New("no API client: linkexplorer runs without a Plaid connection here, so nothing can be sent"), true
		s.layout()
		return nil
	}
	needsToken := bytes.Contains(body, []byte(flows.AccessTokenPlaceholder))
	if needsToken && s.item == nil {
		s.sendErr, s.refused = errors.New("the body asks for the Item's access_token but no Item is chosen: press i to choose one, or put an access_token in its place; nothing was sent"), true
		s.layout()
		return nil
	}
	id := s.c.nextID()
	s.sending = id
	s.layout()
	path, st, session := s.op.Path, s.c.store, s.c.sessionID
	itemID := ""
	if s.item != nil {
		itemID = s.item.ItemID
	}
	return func() tea.Msg {
		ctx := flows.WithSession(context.Background(), session)
		req := flows.ConsoleRequest{Path: path, Body: body, ItemID: itemID}
		if needsToken {
			if st == nil {
				return consoleSentMsg{id: id, err: errors.New("no session log to read the Item's access_token from; nothing was sent")}
			}
			tok, err := st.AccessToken(ctx, itemID)
			if err != nil {
				return consoleSentMsg{id: id, err: fmt.Errorf("%w; nothing was sent", err)}
			}
			req.AccessToken = tok
		}
		res, err := flows.SendConsole(ctx, env.Client, req)
		return consoleSentMsg{id: id, result: res, err: err}
	}
}

// SetSize implements component.
func (s *consoleScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	if s.code != nil {
		s.code.setSize(w, h)
	}
	s.layout()
}

// The console's fixed lines around the editor and the response: title,
// Item, blank, request heading, optional fields, response heading.
const consoleChrome = 6

// layout sizes the editor and the response to the screen.
func (s *consoleScreen) layout() {
	w, h := max(s.width, 10), max(s.height, consoleChrome+4)
	s.search.Width = max(w-4, 10)
	room := h - consoleChrome
	lines := strings.Count(s.editor.Value(), "\n") + 1
	edH := min(max(room*2/5, 3), max(lines, 3))
	if s.mode == consoleEdit {
		edH = max(room*3/5, 3)
	}
	s.editor.SetWidth(w)
	s.editor.SetHeight(edH)
	s.response.Width, s.response.Height = w, max(room-edH, 1)
	s.response.SetContent(s.responseContent(w))
}

// ShortHelp implements help.KeyMap.
func (s *consoleScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.code != nil {
		return s.code.ShortHelp()
	}
	switch s.mode {
	case consoleSearch:
		return []key.Binding{k.PrevMatch, k.NextMatch, k.Pick, k.Back}
	case consoleItems:
		return []key.Binding{k.PrevMatch, k.NextMatch, k.Pick, k.Back}
	case consoleEdit:
		send := k.Send
		send.SetHelp("ctrl+s", "send")
		return []key.Binding{send, k.StopEdit}
	}
	if s.op == nil {
		return []key.Binding{k.Search, k.Item, k.Back}
	}
	return []key.Binding{k.Send, k.Edit, k.Search, k.Code, k.Copy, k.Item}
}

// FullHelp implements help.KeyMap.
func (s *consoleScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.code != nil {
		return s.code.FullHelp()
	}
	send := k.Send
	send.SetHelp("enter/ctrl+s", "send (ctrl+s while editing)")
	return [][]key.Binding{
		{k.Search, k.Item, k.Edit, send},
		{k.Code, k.Copy, k.Back},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top},
	}
}

// statusText is the answer's first line: status, duration, request_id.
func statusText(c flows.Call) string {
	parts := []string{fmt.Sprintf("%d %s", c.HTTPStatus, http.StatusText(c.HTTPStatus))}
	parts = append(parts, shortDuration(c.Duration))
	if c.RequestID != "" {
		parts = append(parts, "request_id "+c.RequestID)
	}
	return strings.Join(parts, " · ")
}
