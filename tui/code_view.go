package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/codegen"
)

// codeView shows one request (or the Link step) as code, a tab per
// language: scrollable, and copied to the clipboard with one key. The
// Flow screen and the log's entry detail open it; so can any screen that
// has a request.
type codeView struct {
	c        *common
	keys     codeKeys
	title    string
	snippets []codegen.Snippet
	err      error
	tab      int
	width    int
	viewport viewport.Model
}

// lastLang is the language the last code view showed, so that the next
// one opens on it (a Go developer wants Go every time).
var lastLang codegen.Lang

func newCodeView(c *common, title string, snippets []codegen.Snippet, err error, w, h int) *codeView {
	v := &codeView{c: c, keys: c.keys.Code, title: title, snippets: snippets, err: err, viewport: viewport.New(w, max(h-3, 1))}
	v.viewport.KeyMap = viewport.KeyMap{}
	v.viewport.MouseWheelDelta = 3
	for i, s := range snippets {
		if s.Lang == lastLang {
			v.tab = i
		}
	}
	v.setSize(w, h)
	return v
}

// apiCodeView is the code of an API call in every language.
func apiCodeView(c *common, req codegen.Request, title string, w, h int) *codeView {
	snips, err := codegen.GenerateAll(req)
	return newCodeView(c, title, snips, err, w, h)
}

// linkCodeView is the Link step's browser code: Plaid.create and React.
func linkCodeView(c *common, o codegen.LinkOptions, w, h int) *codeView {
	var snips []codegen.Snippet
	var err error
	for _, l := range codegen.LinkLangs {
		s, e := codegen.GenerateLink(o, l)
		if e != nil {
			err = e
			continue
		}
		snips = append(snips, s)
	}
	return newCodeView(c, "the Link step in the browser", snips, err, w, h)
}

func (v *codeView) setSize(w, h int) {
	v.width = w
	v.viewport.Width, v.viewport.Height = w, max(h-3, 1)
	v.viewport.SetContent(v.content())
}

func (v *codeView) current() (codegen.Snippet, bool) {
	if v.tab < 0 || v.tab >= len(v.snippets) {
		return codegen.Snippet{}, false
	}
	return v.snippets[v.tab], true
}

// update handles a key; closed reports that the view was closed.
func (v *codeView) update(msg tea.KeyMsg) (closed bool, cmd tea.Cmd) {
	k := v.keys
	switch {
	case key.Matches(msg, k.Close):
		return true, nil
	case key.Matches(msg, k.PrevLang):
		v.switchTo(v.tab - 1)
	case key.Matches(msg, k.NextLang):
		v.switchTo(v.tab + 1)
	case key.Matches(msg, k.Copy):
		s, ok := v.current()
		if !ok {
			return false, copyText(v.c.clipboard, "code", "")
		}
		return false, copyCode(v.c, s)
	case key.Matches(msg, k.Up):
		v.viewport.ScrollUp(1)
	case key.Matches(msg, k.Down):
		v.viewport.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		v.viewport.PageUp()
	case key.Matches(msg, k.PageDown):
		v.viewport.PageDown()
	case key.Matches(msg, k.Top):
		v.viewport.GotoTop()
	default:
		if n, err := strconv.Atoi(msg.String()); err == nil && n >= 1 && n <= len(v.snippets) {
			v.switchTo(n - 1)
		}
	}
	return false, nil
}

// copyCode copies a snippet and says so without echoing it whole.
func copyCode(c *common, s codegen.Snippet) tea.Cmd {
	cmd := copyText(c.clipboard, s.Lang.Title()+" code", s.Code)
	return func() tea.Msg {
		msg := cmd()
		if _, ok := msg.(notifiedMsg); ok {
			return notifiedMsg(fmt.Sprintf("copied the %s code (%d lines) to the clipboard", s.Lang.Title(), strings.Count(s.Code, "\n")))
		}
		return msg
	}
}

func (v *codeView) switchTo(i int) {
	if len(v.snippets) == 0 {
		return
	}
	v.tab = (i + len(v.snippets)) % len(v.snippets)
	lastLang = v.snippets[v.tab].Lang
	v.viewport.SetContent(v.content())
	v.viewport.GotoTop()
}

func (v *codeView) wheel(msg tea.MouseMsg) {
	v.viewport, _ = v.viewport.Update(msg)
}

func (v *codeView) view() string {
	st := v.c.styles
	title := st.Title.Render("Code") + st.Muted.Render(" · "+v.title+" · esc closes")
	var tabs []string
	for i, s := range v.snippets {
		label := fmt.Sprintf("%d %s", i+1, s.Lang.Title())
		if i == v.tab {
			tabs = append(tabs, st.ActiveTab.Render(label))
		} else {
			tabs = append(tabs, st.Tab.Render(label))
		}
	}
	return truncate(title, v.width) + "\n" + truncate(strings.Join(tabs, "  "), v.width) + "\n\n" + v.viewport.View()
}

// content is the snippet, wrapped to the width (the clipboard gets it
// unwrapped), then its notes.
func (v *codeView) content() string {
	st := v.c.styles
	if v.err != nil {
		return st.ErrorLine.Render(wrap("No code for this request: "+v.err.Error(), max(v.width, 10)))
	}
	s, ok := v.current()
	if !ok {
		return st.Muted.Render("No code for this step.")
	}
	w := max(v.width, 10)
	var b strings.Builder
	b.WriteString(st.Muted.Render(truncate(s.Lang.Library(), w)) + "\n\n")
	for _, line := range strings.Split(strings.TrimRight(s.Code, "\n"), "\n") {
		style := st.Text
		if isComment(line) {
			style = st.Muted
		}
		b.WriteString(style.Render(wrap(line, w)) + "\n")
	}
	if len(s.Notes) > 0 {
		b.WriteString("\n" + st.Section.Render("BEFORE YOU RUN IT") + "\n")
		for _, n := range s.Notes {
			b.WriteString(st.Muted.Render(wrap("• "+n, w)) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func isComment(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "<!--")
}

// ShortHelp lists the code view's keys.
func (v *codeView) ShortHelp() []key.Binding {
	k := v.keys
	return []key.Binding{k.PrevLang, k.NextLang, k.Copy, k.Down, k.Close}
}

// FullHelp lists every key of the code view.
func (v *codeView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{{k.PrevLang, k.NextLang, k.Copy, k.Close}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top}}
}

// codeRequest is a call as the generator's input, with the base URL in use.
func (c *common) codeRequest(endpoint string, body []byte) codegen.Request {
	if c.env != nil {
		return c.env.Config.CodeRequest(endpoint, body)
	}
	return flows.Config{Mode: flows.ModeEmulated}.CodeRequest(endpoint, body)
}
