package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/linkexplorer/linkexplorer/flows"
)

// The scenario picker of the Sandbox credentials lesson: choosing the
// lesson on Home opens it in Home's place. It lists the scenarios by
// family and, for the selected one, what to type, what the user sees in
// Link, what the handlers receive and what the app should do; enter starts
// the lesson with that scenario, esc goes back to the flows.

// scenarioPicker is the picker's state.
type scenarioPicker struct {
	scenarios []flows.CredentialScenario
	cursor    int
}

// chooseFlow starts f, or opens the scenario picker for the credentials
// lesson.
func (h *homeScreen) chooseFlow(f *flows.Flow) tea.Cmd {
	if !flows.IsCredentialsFlow(f) {
		return func() tea.Msg { return flowChosenMsg{flow: f} }
	}
	h.picker = &scenarioPicker{scenarios: flows.CredentialScenarios()}
	return nil
}

// pickerKey handles a key while the picker is open.
func (h *homeScreen) pickerKey(msg tea.KeyMsg) tea.Cmd {
	p, k := h.picker, h.keys
	last := len(p.scenarios) - 1
	switch {
	case key.Matches(msg, k.Up):
		h.move(-1)
	case key.Matches(msg, k.Down):
		h.move(1)
	case key.Matches(msg, k.Top, k.PageUp):
		p.cursor = 0
	case key.Matches(msg, k.Bottom, k.PageDown):
		p.cursor = last
	case key.Matches(msg, h.c.keys.Global.Back):
		h.picker = nil
	case key.Matches(msg, k.Open):
		f, err := flows.CredentialsFlow(p.scenarios[p.cursor].Name)
		h.picker = nil
		if err != nil {
			return func() tea.Msg { return failedMsg{err: err} }
		}
		return func() tea.Msg { return flowChosenMsg{flow: f} }
	}
	return nil
}

// pickerHelp is the footer's help while the picker is open.
func (h *homeScreen) pickerHelp() []key.Binding {
	return []key.Binding{h.keys.Up, h.keys.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")), h.c.keys.Global.Back}
}

// pickerView renders the picker: the list beside the details from 84
// columns; narrower, the list in two columns (MFA, error Items) above the
// details that fit.
func (h *homeScreen) pickerView() string {
	w, ht := h.width, h.height
	if w >= 84 {
		left := min(max(w*2/5, 40), 52)
		right := w - left - 2
		return lipgloss.JoinHorizontal(lipgloss.Top,
			fit(h.pickerList(left, "", true), left, ht), "  ", fit(h.pickerDetails(right, ht, false), right, ht))
	}
	col := (w - 2) / 2
	mfa := h.pickerList(col, flows.FamilyMFA, false)
	lists := lipgloss.JoinHorizontal(lipgloss.Top,
		fit(mfa, col, strings.Count(mfa, "\n")+1), "  ", h.pickerList(w-col-2, flows.FamilyError, false))
	title := sectionTitle(h.c.styles, "Sandbox credentials · pick a scenario", w)
	rest := ht - strings.Count(lists, "\n") - 3
	return fit(title+"\n"+lists+"\n\n"+h.pickerDetails(w, rest, true), w, ht)
}

// pickerList is the scenarios of family ("" for all, under the title),
// grouped by family; codes adds each error scenario's code.
func (h *homeScreen) pickerList(w int, only string, codes bool) string {
	st, p := h.c.styles, h.picker
	var lines []string
	if only == "" {
		lines = append(lines, sectionTitle(st, "Sandbox credentials · pick a scenario", w))
	}
	family := ""
	for i, sc := range p.scenarios {
		if only != "" && sc.Family != only {
			continue
		}
		if sc.Family != family {
			family = sc.Family
			lines = append(lines, st.Muted.Render(truncate(family, w)))
		}
		label := sc.Name
		if codes && sc.ErrorCode != "" {
			label += "  " + sc.ErrorCode
		}
		if i == p.cursor {
			lines = append(lines, st.Selected.Render(pad("▸ "+label, w)))
		} else {
			lines = append(lines, st.Text.Render(truncate("  "+label, w)))
		}
	}
	return strings.Join(lines, "\n")
}

// pickerDetails is what the selected scenario teaches, most useful first,
// in at most height lines; compact puts each label on its text's line.
func (h *homeScreen) pickerDetails(w, height int, compact bool) string {
	st := h.c.styles
	sc := h.picker.scenarios[h.picker.cursor]
	lines := []string{st.Subtitle.Render(truncate(sc.Title, w))}
	add := func(label, text string) {
		if compact {
			lines = append(lines, strings.Split(wrap(st.Subtitle.Render(label+":")+" "+st.Text.Render(text), w), "\n")...)
			return
		}
		lines = append(lines, "", st.Subtitle.Render(truncate(label, w)))
		lines = append(lines, strings.Split(wrap(st.Text.Render(text), w), "\n")...)
	}
	add("Type", sc.Typing())
	add("Ends with", sc.Ends())
	add("The user sees", sc.UserSees)
	add("Your handlers receive", sc.Handlers)
	add("Your app should", sc.AppShould)
	if len(lines) > height && height > 0 {
		lines = append(lines[:height-1], st.Muted.Render(truncate("… enter starts it: each step explains the rest", w)))
	}
	return strings.Join(lines, "\n")
}
