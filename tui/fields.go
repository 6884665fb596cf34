package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// formResult says how a form update ended.
type formResult int

const (
	formEditing formResult = iota
	formSaved
	formCancelled
)

// fieldSet is what the app's forms share: labelled text inputs, the one
// with focus, and the keys that move between them, save and cancel. Each
// form adds its own values, checks and text around it.
type fieldSet struct {
	keys       formKeys
	labels     []string
	labelWidth int
	inputs     []textinput.Model
	focus      int
}

// newFieldSet makes one input per label, with its hint as placeholder and
// its starting value; the first has focus.
func newFieldSet(c *common, labels, hints, values []string, charLimit int) fieldSet {
	fs := fieldSet{keys: c.keys.Form, labels: labels, inputs: make([]textinput.Model, len(labels))}
	for _, l := range labels {
		fs.labelWidth = max(fs.labelWidth, len(l)+2)
	}
	for i := range fs.inputs {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = charLimit
		in.Placeholder = hints[i]
		in.PlaceholderStyle = c.styles.Muted
		in.TextStyle = c.styles.Input
		in.Cursor.SetMode(cursor.CursorStatic)
		in.SetValue(values[i])
		fs.inputs[i] = in
	}
	fs.inputs[0].Focus()
	return fs
}

// value is field i as typed, trimmed.
func (fs *fieldSet) value(i int) string { return strings.TrimSpace(fs.inputs[i].Value()) }

// update handles a message while the form is open. save is asked whether
// the form may be saved, and records why not.
func (fs *fieldSet) update(msg tea.Msg, save func() bool) (formResult, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, fs.keys.Cancel):
			return formCancelled, nil
		case key.Matches(km, fs.keys.Save):
			if save() {
				return formSaved, nil
			}
			return formEditing, nil
		case key.Matches(km, fs.keys.Next):
			fs.setFocus(fs.focus + 1)
			return formEditing, nil
		case key.Matches(km, fs.keys.Prev):
			fs.setFocus(fs.focus - 1)
			return formEditing, nil
		}
	}
	var cmd tea.Cmd
	fs.inputs[fs.focus], cmd = fs.inputs[fs.focus].Update(msg)
	return formEditing, cmd
}

func (fs *fieldSet) setFocus(i int) {
	fs.inputs[fs.focus].Blur()
	fs.focus = (i + len(fs.inputs)) % len(fs.inputs)
	fs.inputs[fs.focus].Focus()
}

// setWidth fits the inputs to width cells.
func (fs *fieldSet) setWidth(width int) {
	for i := range fs.inputs {
		fs.inputs[i].Width = max(width-fs.labelWidth-4, 8)
	}
}

// rows renders one line per field, the focused one marked.
func (fs *fieldSet) rows(st styles) []string {
	lines := make([]string, 0, len(fs.inputs))
	for i := range fs.inputs {
		label, marker := st.InputLabel, "  "
		if i == fs.focus {
			label, marker = st.InputSel, st.Pointer.Render("▸ ")
		}
		lines = append(lines, marker+label.Render(pad(fs.labels[i], fs.labelWidth))+fs.inputs[i].View())
	}
	return lines
}

// shortHelp is the footer's help while the form is open; save names what
// saving does.
func (fs *fieldSet) shortHelp(save string) []key.Binding {
	s := fs.keys.Save
	if save != "" {
		s.SetHelp(s.Help().Key, save)
	}
	return []key.Binding{fs.keys.Next, fs.keys.Prev, s, fs.keys.Cancel}
}
