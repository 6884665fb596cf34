package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/linkexplorer/linkexplorer/audit"
	"github.com/linkexplorer/linkexplorer/flows"
)

// migrateRequest is what the user asked to audit: a source tree and/or an
// app's token endpoint, as typed.
type migrateRequest struct {
	src, endpoint string
	body          string // JSON sent to the endpoint; "" sends none
	header        string // one "Name: value" header for the endpoint, e.g. a session cookie
}

// The migration form's fields.
const (
	migrateFieldSrc = iota
	migrateFieldEndpoint
	migrateFieldBody
	migrateFieldHeader
)

var migrateFieldLabels = []string{"source directory", "token endpoint", "request body", "request header"}

var migrateFieldHints = []string{
	"the app's source tree, e.g. . or ~/code/acme-budget",
	"optional, e.g. http://localhost:8000/api/create_link_token",
	`optional JSON for the endpoint, e.g. {"user_id":"u1"}`,
	"optional, e.g. Cookie: session=…",
}

// migrateForm asks what to audit.
type migrateForm struct {
	fieldSet
	c   *common
	err string
}

func newMigrateForm(c *common, req migrateRequest) *migrateForm {
	values := []string{req.src, req.endpoint, req.body, req.header}
	return &migrateForm{fieldSet: newFieldSet(c, migrateFieldLabels, migrateFieldHints, values, 4096), c: c}
}

// request is what the form asks to audit.
func (f *migrateForm) request() migrateRequest {
	return migrateRequest{src: f.value(migrateFieldSrc), endpoint: f.value(migrateFieldEndpoint),
		body: f.value(migrateFieldBody), header: f.value(migrateFieldHeader)}
}

// update handles a message while the form is open; it saves only a
// request that passes check.
func (f *migrateForm) update(msg tea.Msg) (formResult, tea.Cmd) {
	return f.fieldSet.update(msg, func() bool {
		if err := f.request().check(); err != nil {
			f.err = err.Error()
			return false
		}
		f.err = ""
		return true
	})
}

// check validates a request without I/O.
func (r migrateRequest) check() error {
	if r.src == "" && r.endpoint == "" {
		return errors.New("give the app's source directory, its token endpoint, or both")
	}
	if r.endpoint == "" {
		if r.body != "" || r.header != "" {
			return errors.New("a request body or header goes with a token endpoint: give the endpoint too, or clear them")
		}
		return nil
	}
	u, err := url.Parse(r.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the token endpoint must be an absolute http(s) URL, e.g. http://localhost:8000/api/create_link_token; got %q", r.endpoint)
	}
	if r.body != "" && !json.Valid([]byte(r.body)) {
		return fmt.Errorf(`the request body must be JSON, e.g. {"user_id":"u1"}; got %q`, r.body)
	}
	if r.header != "" {
		if _, _, err := r.headerField(); err != nil {
			return err
		}
	}
	return nil
}

// headerField splits the header field into its name and value.
func (r migrateRequest) headerField() (name, value string, err error) {
	name, value, ok := strings.Cut(r.header, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return "", "", fmt.Errorf("the request header must be \"Name: value\", e.g. Cookie: session=abc; got %q", r.header)
	}
	return name, value, nil
}

// liveOptions are the live audit's options for the endpoint.
func (r migrateRequest) liveOptions(ctl *flows.Control) audit.LiveOptions {
	opts := audit.LiveOptions{Endpoint: r.endpoint, Body: r.body, Emulator: ctl}
	if name, value, err := r.headerField(); err == nil && r.header != "" {
		opts.Header = http.Header{}
		opts.Header.Set(name, value)
	}
	return opts
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
	lines = append(lines, f.rows(st)...)
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
	s := "Relative paths start at " + where + ". The endpoint is called as the app's client would call it: a POST, with the body and header given (none when empty)."
	if emulator != "" {
		s += " When the app's backend talks to linkexplorer's emulator at " + emulator +
			", the /link/token/create request it makes is inspected too."
	}
	return s
}

// ShortHelp is the footer's help while the form is open.
func (f *migrateForm) ShortHelp() []key.Binding { return f.shortHelp("audit") }
