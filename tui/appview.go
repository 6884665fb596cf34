package tui

import (
	"fmt"
	"github.com/charmbracelet/bubbles/help"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// View draws the header, the active screen (or the help, or a question)
// and the footer: a status line and the active screen's short help.
func (a *app) View() string {
	if a.width == 0 {
		return ""
	}
	if a.tooSmall() {
		return a.enlargeView()
	}
	bodyH := max(a.height-3-a.demoHeight(), 1)
	var body string
	switch {
	case a.confirm != nil:
		body = lipgloss.Place(a.width, bodyH, lipgloss.Center, lipgloss.Center, a.confirmView())
	case a.showHelp:
		body = a.helpBody(bodyH)
	default:
		body = a.screen().View()
	}
	panel := ""
	if a.demo.shown() {
		panel = a.demo.panelView(a.c.styles, a.width) + "\n"
	}
	return a.headerView() + "\n" + panel + fit(body, a.width, bodyH) + "\n" + a.statusView() + "\n" + a.footerView()
}

func (a *app) enlargeView() string {
	msg := fmt.Sprintf("linkexplorer needs a terminal of at least %d×%d.\nThis one is %d×%d: please enlarge it.\n\nq quits.",
		MinWidth, MinHeight, a.width, a.height)
	return lipgloss.Place(a.width, a.height, lipgloss.Center, lipgloss.Center,
		lipgloss.NewStyle().Width(min(a.width, 44)).Render(msg))
}

// headerView is the brand and mode banner, with the screens as tabs; the
// active one is bracketed, which reads without colour too.
func (a *app) headerView() string {
	st := a.c.styles
	var tabs []string
	for _, s := range []screenID{screenHome, screenFlow, screenLog, screenMigrate} {
		if (s == screenFlow && a.flow.flow == nil) || (s == screenMigrate && !a.migrate.opened) {
			continue
		}
		if s == a.active {
			tabs = append(tabs, st.ActiveTab.Render("["+s.String()+"]"))
		} else {
			tabs = append(tabs, st.Tab.Render(s.String()))
		}
	}
	right := strings.Join(tabs, st.Muted.Render(" · "))
	if badge := a.demo.badge(st); badge != "" {
		right = badge + "   " + right
	}
	left := st.Brand.Render("linkexplorer") + st.Muted.Render(" · ") + st.Banner.Render(oneLine(a.c.banner))
	room := a.width - lipgloss.Width(right) - 1
	return pad(left, room) + " " + right
}

// statusView is the footer's first line: the latest error or notice.
func (a *app) statusView() string {
	st := a.c.styles
	switch {
	case a.status == "":
		return ""
	case a.statusErr:
		return st.ErrorLine.Render(truncate("✗ "+oneLine(a.status), a.width))
	}
	return st.Notice.Render(truncate("✓ "+oneLine(a.status), a.width))
}

// helpBody is the window of the help that fits in h lines, from helpTop;
// when it does not all fit, the last line says where it is and how to
// scroll.
func (a *app) helpBody(h int) string {
	lines := strings.Split(helpView(a.c, a.screen(), a.active.String(), a.width), "\n")
	if len(lines) <= h {
		return strings.Join(lines, "\n")
	}
	top := max(min(a.helpTop, len(lines)-(h-1)), 0)
	shown := lines[top : top+h-1]
	more := fmt.Sprintf("── lines %d–%d of %d · ↑↓/pgup/pgdn scroll ──", top+1, top+h-1, len(lines))
	return strings.Join(shown, "\n") + "\n" + a.c.styles.Muted.Render(truncate(more, a.width))
}

// footerView is the short help of what has the keys now. The keys that
// always work ("? help", "q quit") and the screen's way back ("esc back")
// are kept whatever the width: the screen's other keys are cut before
// them.
func (a *app) footerView() string {
	g := a.c.keys.Global
	var keys, fixed []key.Binding
	switch {
	case a.confirm != nil:
		keys = []key.Binding{a.c.keys.Confirm.Yes, a.c.keys.Confirm.No}
	case a.showHelp:
		scroll := helpScrollKeys.Down
		scroll.SetHelp("↑↓/pgdn", "scroll")
		keys, fixed = []key.Binding{scroll}, []key.Binding{closeHelpKey(g), g.Quit}
	case a.capturesInput():
		keys = a.screen().ShortHelp()
	default:
		keys, fixed = append(a.withDemoKeys(a.screen().ShortHelp()), g.Switch), []key.Binding{g.Help, g.Quit}
		// The way back (esc, where the screen has one) is kept too: it
		// is how a user leaves what they opened.
		if i := slices.IndexFunc(keys, isEscKey); i >= 0 {
			fixed = append([]key.Binding{keys[i]}, fixed...)
			keys = slices.Delete(slices.Clone(keys), i, i+1)
		}
	}
	if len(fixed) == 0 {
		// help cuts a line too long for its width, but not one that
		// fills it to the last cell: cut what it lets through.
		return truncate(a.help.ShortHelpView(keys), a.width)
	}
	return fitFooter(a.help, keys, fixed, a.width)
}

// fitFooter lays out keys, then the fixed keys at the end, in width:
// the fixed keys are all kept, then as many of keys as fit, the first one
// (the screen's main key) with its description cut if need be.
func fitFooter(h help.Model, keys, fixed []key.Binding, width int) string {
	h.Width = 0
	right := h.ShortHelpView(fixed)
	sep := h.Styles.ShortSeparator.Inline(true).Render(h.ShortSeparator)
	room := width - lipgloss.Width(right) - lipgloss.Width(sep)
	if room <= 0 {
		return truncate(right, width)
	}
	// Keep whole keys on the left: drop from the end until they fit.
	for n := len(keys); n > 0; n-- {
		left := h.ShortHelpView(keys[:n])
		if lipgloss.Width(left) <= room {
			return left + sep + right
		}
	}
	// Not even the first key fits whole: it is the screen's main one
	// ("enter run: …"), so keep it with its description cut.
	if len(keys) > 0 {
		first := keys[0]
		k := first.Help().Key
		if desc := room - lipgloss.Width(k) - 1; desc >= 4 {
			first.SetHelp(k, truncate(first.Help().Desc, desc))
			if left := h.ShortHelpView([]key.Binding{first}); lipgloss.Width(left) <= room {
				return left + sep + right
			}
		}
	}
	return right
}

// isEscKey reports whether b is an enabled key bound to esc (back, close,
// dismiss).
func isEscKey(b key.Binding) bool {
	return b.Enabled() && slices.Contains(b.Keys(), "esc")
}

func closeHelpKey(g globalKeys) key.Binding {
	b := g.Help
	b.SetHelp("?/esc", "close help")
	return b
}

func (a *app) confirmView() string {
	st := a.c.styles
	w := min(a.width-8, 60)
	q := wrap(st.Bold.Render(a.confirm.question), w)
	return st.Dialog.Render(q + "\n\n" + st.Muted.Render("y yes · n no"))
}
