package tui

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// migrateRequest is what the user asked to audit: a source tree and/or an
// app's token endpoint, as typed.
type migrateRequest struct {
	src, endpoint string
}

// The migration form's fields.
const (
	migrateFieldSrc = iota
	migrateFieldEndpoint
	migrateFieldCount
)

var migrateFieldLabels = [migrateFieldCount]string{"source directory", "token endpoint"}

var migrateFieldHints = [migrateFieldCount]string{
	"the app's source tree, e.g. . or ~/code/acme-budget",
	"optional, e.g. http://localhost:8000/api/create_link_token",
}

// migrateFormLabelWidth is the width of the form's labels.
const migrateFormLabelWidth = 18

// migrateForm asks what to audit.
type migrateForm struct {
	c      *common
	keys   formKeys
	inputs [migrateFieldCount]textinput.Model
	focus  int
	err    string
}

func newMigrateForm(c *common, req migrateRequest) *migrateForm {
	f := &migrateForm{c: c, keys: c.keys.Form}
	for i, v := range [migrateFieldCount]string{req.src, req.endpoint} {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 4096
		in.Placeholder = migrateFieldHints[i]
		in.PlaceholderStyle = c.styles.Muted
		in.TextStyle = c.styles.Input
		in.Cursor.SetMode(cursor.CursorStatic)
		in.SetValue(v)
		f.inputs[i] = in
	}
	f.inputs[migrateFieldSrc].Focus()
	return f
}

// value is the request the form describes.
func (f *migrateForm) value() migrateRequest {
	return migrateRequest{
		src:      strings.TrimSpace(f.inputs[migrateFieldSrc].Value()),
		endpoint: strings.TrimSpace(f.inputs[migrateFieldEndpoint].Value()),
	}
}

// update handles a message while the form is open.
func (f *migrateForm) update(msg tea.Msg) (formResult, tea.Cmd) {
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
		if err := f.value().check(); err != nil {
			f.err = err.Error()
			return formEditing, nil
		}
		f.err = ""
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

func (f *migrateForm) setFocus(i int) {
	f.inputs[f.focus].Blur()
	f.focus = (i + migrateFieldCount) % migrateFieldCount
	f.inputs[f.focus].Focus()
}

// check validates a request without I/O.
func (r migrateRequest) check() error {
	if r.src == "" && r.endpoint == "" {
		return errors.New("give the app's source directory, its token endpoint, or both")
	}
	if r.endpoint == "" {
		return nil
	}
	u, err := url.Parse(r.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the token endpoint must be an absolute http(s) URL, e.g. http://localhost:8000/api/create_link_token; got %q", r.endpoint)
	}
	return nil
}

// setWidth fits the inputs to width cells.
func (f *migrateForm) setWidth(width int) {
	for i := range f.inputs {
		f.inputs[i].Width = max(width-migrateFormLabelWidth-4, 8)
	}
}

// view renders the form in width cells; workDir is where relative paths
// start, emulator the URL of the emulator an app's backend may talk to.
func (f *migrateForm) view(width int, workDir, emulator string) string {
	st := f.c.styles
	lines := []string{
		st.Title.Render("Audit a public_key → link_token migration"),
		wrap(st.Muted.Render("Checks an app against the checklist of Plaid's migration guide: its source tree "+
			"(static audit), its token endpoint (live audit), and the checks a person does in the app."), width),
		"",
	}
	for i := range f.inputs {
		label, marker := st.InputLabel, "  "
		if i == f.focus {
			label, marker = st.InputSel, st.Pointer.Render("▸ ")
		}
		lines = append(lines, marker+label.Render(pad(migrateFieldLabels[i], migrateFormLabelWidth))+f.inputs[i].View())
	}
	lines = append(lines, "", wrap(st.Muted.Render(migrateFormNote(workDir, emulator)), width))
	if f.err != "" {
		lines = append(lines, "", wrap(st.ErrorLine.Render("✗ "+oneLine(f.err)), width))
	}
	return strings.Join(lines, "\n")
}

// migrateFormNote says where relative paths start and how the endpoint is
// called.
func migrateFormNote(workDir, emulator string) string {
	where := "the directory linkexplorer was started in"
	if workDir != "" {
		where = oneLine(workDir)
	}
	s := "Relative paths start at " + where + ". The endpoint is called as the app's client would call it (POST, no body)."
	if emulator != "" {
		s += " When the app's backend talks to linkexplorer's emulator at " + emulator +
			", the /link/token/create request it makes is inspected too."
	}
	return s
}

// ShortHelp is the footer's help while the form is open.
func (f *migrateForm) ShortHelp() []key.Binding {
	save := f.keys.Save
	save.SetHelp("enter", "audit")
	return []key.Binding{f.keys.Next, f.keys.Prev, save, f.keys.Cancel}
}
