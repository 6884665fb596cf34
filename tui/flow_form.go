package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
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
	fieldName
)

var fieldLabels = []string{
	"products", "country_codes", "language", "webhook", "redirect_uri", "user.client_user_id", "client_name",
}

var fieldHints = []string{
	"comma-separated, e.g. auth, transactions",
	"comma-separated, e.g. US, CA",
	"e.g. en, fr, es",
	"a full URL, or empty",
	"allowlisted https URL (http://localhost in Sandbox), or empty",
	"your user's id: required, no PII",
	"the app name Link shows (over 30 characters: \"This Application\")",
}

// tokenForm edits the /link/token/create request before it is sent.
type tokenForm struct {
	fieldSet
	c          *common
	base       flows.TokenRequest // fields the form does not edit
	updateMode bool               // an update-mode token: products are UpdateProducts
	err        string
	saving     bool
}

func newTokenForm(c *common, tr flows.TokenRequest) *tokenForm {
	return newTokenFormFor(c, tr, false)
}

// updateProductsHint explains why an update-mode token sends no products.
const updateProductsHint = "update mode: empty, as Plaid wants (the token repairs an Item); type one (e.g. assets) to send it and see Plaid's answer"

// newTokenFormFor is the form for a new-Item token, or with update for an
// update-mode one, whose products field is empty unless the user types
// products to add.
func newTokenFormFor(c *common, tr flows.TokenRequest, update bool) *tokenForm {
	prods := tr.Products
	hints := fieldHints
	if update {
		prods = tr.UpdateProducts
		hints = append([]string{updateProductsHint}, fieldHints[1:]...)
	}
	values := []string{
		strings.Join(prods, ", "), strings.Join(tr.CountryCodes, ", "), tr.Language,
		tr.Webhook, tr.RedirectURI, tr.ClientUserID, tr.ClientName,
	}
	return &tokenForm{fieldSet: newFieldSet(c, fieldLabels, hints, values, 2048), c: c, base: tr, updateMode: update}
}

// request is the /link/token/create request the form describes.
func (f *tokenForm) request() flows.TokenRequest {
	tr := f.base
	if f.updateMode {
		tr.UpdateProducts = splitField(f.inputs[fieldProducts].Value(), strings.ToLower)
	} else {
		tr.Products = splitField(f.inputs[fieldProducts].Value(), strings.ToLower)
	}
	tr.CountryCodes = splitField(f.inputs[fieldCountries].Value(), strings.ToUpper)
	tr.Language = f.value(fieldLanguage)
	tr.Webhook = f.value(fieldWebhook)
	tr.RedirectURI = f.value(fieldRedirect)
	tr.ClientUserID = f.value(fieldUser)
	tr.ClientName = f.value(fieldName)
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

// update handles a message while the form is open; the request is sent,
// and checked by Plaid, once saved.
func (f *tokenForm) update(msg tea.Msg) (formResult, tea.Cmd) {
	return f.fieldSet.update(msg, func() bool {
		f.err, f.saving = "", true
		return true
	})
}

// refused shows why the request was not accepted.
func (f *tokenForm) refused(err error) {
	f.saving, f.err = false, oneLine(err.Error())
}

// view renders the form in width cells.
func (f *tokenForm) view(width int) string {
	st := f.c.styles
	lines := []string{
		st.Title.Render("Edit the /link/token/create request"),
		wrap(st.Muted.Render("These fields go into the next /link/token/create. Plaid validates them when the step runs: a bad value is part of the lesson."), width),
		"",
	}
	lines = append(lines, f.rows(st)...)
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
func (f *tokenForm) ShortHelp() []key.Binding { return f.shortHelp("") }
