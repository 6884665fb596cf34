package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// The fields of the token request form, in order.
const (
	fieldProducts = iota
	fieldCountries
	fieldLanguage
	fieldWebhook
	fieldRedirect
	fieldUser
	fieldCount
)

var fieldLabels = [fieldCount]string{
	"products", "country_codes", "language", "webhook", "redirect_uri", "user.client_user_id",
}

var fieldHints = [fieldCount]string{
	"comma-separated, e.g. auth, transactions",
	"comma-separated, e.g. US, CA",
	"e.g. en, fr, es",
	"a full URL, or empty",
	"allowlisted https URL (http://localhost in Sandbox), or empty",
	"your user's id: required, no PII",
}

// formResult says how a form update ended.
type formResult int

const (
	formEditing formResult = iota
	formSaved
	formCancelled
)

// tokenForm edits the /link/token/create request before it is sent.
type tokenForm struct {
	c      *common
	keys   formKeys
	base   flows.TokenRequest // fields the form does not edit
	inputs [fieldCount]textinput.Model
	focus  int
	err    string
	saving bool
}

func newTokenForm(c *common, tr flows.TokenRequest) *tokenForm {
	f := &tokenForm{c: c, keys: c.keys.Form, base: tr}
	values := [fieldCount]string{
		strings.Join(tr.Products, ", "), strings.Join(tr.CountryCodes, ", "), tr.Language,
		tr.Webhook, tr.RedirectURI, tr.ClientUserID,
	}
	for i := range f.inputs {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 2048
		in.Placeholder = fieldHints[i]
		in.PlaceholderStyle = c.styles.Muted
		in.TextStyle = c.styles.Input
		in.Cursor.SetMode(cursor.CursorStatic)
		in.SetValue(values[i])
		f.inputs[i] = in
	}
	f.inputs[0].Focus()
	return f
}

// value is the request the form describes.
func (f *tokenForm) value() flows.TokenRequest {
	tr := f.base
	tr.Products = splitField(f.inputs[fieldProducts].Value(), strings.ToLower)
	tr.CountryCodes = splitField(f.inputs[fieldCountries].Value(), strings.ToUpper)
	tr.Language = strings.TrimSpace(f.inputs[fieldLanguage].Value())
	tr.Webhook = strings.TrimSpace(f.inputs[fieldWebhook].Value())
	tr.RedirectURI = strings.TrimSpace(f.inputs[fieldRedirect].Value())
	tr.ClientUserID = strings.TrimSpace(f.inputs[fieldUser].Value())
	return tr
}

// splitField splits a comma or space separated list.
func splitField(s string, norm func(string) string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, norm(p))
	}
	return out
}

// update handles a message while the form is open.
func (f *tokenForm) update(msg tea.Msg) (formResult, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		return formEditing, cmd
	}
	switch {
	case key.Matches(km, f.keys.Cancel):
		return formCancelled, nil
	case key.Matches(km, f.keys.Save):
		f.err, f.saving = "", true
		return formSaved, nil
	case key.Matches(km, f.keys.Next):
		f.setFocus(f.focus + 1)
		return formEditing, nil
	case key.Matches(km, f.keys.Prev):
		f.setFocus(f.focus - 1)
		return formEditing, nil
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(km)
	return formEditing, cmd
}

func (f *tokenForm) setFocus(i int) {
	f.inputs[f.focus].Blur()
	f.focus = (i + fieldCount) % fieldCount
	f.inputs[f.focus].Focus()
}

// refused shows why the request was not accepted.
func (f *tokenForm) refused(err error) {
	f.saving, f.err = false, oneLine(err.Error())
}

// formLabelWidth is the width of the form's labels.
const formLabelWidth = 21

// setWidth fits the inputs to width cells.
func (f *tokenForm) setWidth(width int) {
	for i := range f.inputs {
		f.inputs[i].Width = max(width-formLabelWidth-4, 8)
	}
}

// view renders the form in width cells.
func (f *tokenForm) view(width int) string {
	st := f.c.styles
	lines := []string{
		st.Title.Render("Edit the /link/token/create request"),
		wrap(st.Muted.Render("These fields go into the next /link/token/create. Plaid validates them when the step runs: a bad value is part of the lesson."), width),
		"",
	}
	for i := range f.inputs {
		label, marker := st.InputLabel, "  "
		if i == f.focus {
			label, marker = st.InputSel, st.Pointer.Render("▸ ")
		}
		lines = append(lines, marker+label.Render(pad(fieldLabels[i], formLabelWidth))+f.inputs[i].View())
	}
	lines = append(lines, "")
	switch {
	case f.err != "":
		lines = append(lines, wrap(st.ErrorLine.Render("✗ "+f.err), width))
	case f.saving:
		lines = append(lines, st.Muted.Render("saving…"))
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the footer's help while the form is open.
func (f *tokenForm) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Next, f.keys.Prev, f.keys.Save, f.keys.Cancel}
}
