package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// helpView is the full help: the active screen's keys, the keys that work
// everywhere, and what the glyphs mean.
func helpView(c *common, screen help.KeyMap, name string, width int) string {
	st := c.styles
	g := c.keys.Global
	h := help.New()
	h.Styles, h.Width = st.Help, width
	lines := []string{
		st.Title.Render("Keys · " + name),
		"",
		h.FullHelpView(screen.FullHelp()),
		"",
		st.Section.Render("EVERYWHERE"),
		h.FullHelpView([][]key.Binding{{g.Switch, g.SwitchBack, g.Back}, {g.Help, g.Quit, g.ForceQuit}}),
		"",
		st.Section.Render("DEMO"),
		h.FullHelpView([][]key.Binding{{c.keys.Demo.Toggle, c.keys.Demo.Pause}}),
		wrap(st.Muted.Render("The demo plays the flows by itself with narration, offline, the emulated Link's autopilot "+
			"completing Link in the browser. While it plays, space pauses it instead of paging."), width),
		"",
		st.Section.Render("GLYPHS"),
		wrap(st.OK.Render("✓")+" done  "+st.Fail.Render("✗")+" failed  "+st.Muted.Render("↷")+
			" skipped  "+st.Pointer.Render("▸")+" next step or selected row  › step shown on the right", width),
		"",
		wrap(st.Muted.Render("Secrets, access_tokens and public_tokens are always masked. The mouse wheel scrolls. "+
			"Copying uses OSC 52: your terminal must allow it (in tmux: set -g set-clipboard on)."), width),
	}
	return strings.Join(lines, "\n")
}
