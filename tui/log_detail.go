package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// entryDetail shows one log entry in full: every field, and its bodies or
// metadata as coloured JSON.
type entryDetail struct {
	c        *common
	entry    store.Entry
	width    int
	height   int
	viewport viewport.Model
	code     *codeView // the API call as code, when open (v)
}

func newEntryDetail(c *common, e store.Entry, w, h int) *entryDetail {
	d := &entryDetail{c: c, entry: e, viewport: viewport.New(w, max(h-2, 1))}
	d.viewport.KeyMap = viewport.KeyMap{}
	d.viewport.MouseWheelDelta = 3
	d.setSize(w, h)
	return d
}

func (d *entryDetail) setSize(w, h int) {
	d.width, d.height = w, h
	if d.code != nil {
		d.code.setSize(w, h)
	}
	d.viewport.Width, d.viewport.Height = w, max(h-2, 1)
	d.viewport.SetContent(d.content(w))
}

func (d *entryDetail) scroll(msg tea.KeyMsg, k listKeys) {
	switch {
	case key.Matches(msg, k.Up):
		d.viewport.ScrollUp(1)
	case key.Matches(msg, k.Down):
		d.viewport.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		d.viewport.PageUp()
	case key.Matches(msg, k.PageDown):
		d.viewport.PageDown()
	case key.Matches(msg, k.Top):
		d.viewport.GotoTop()
	case key.Matches(msg, k.Bottom):
		d.viewport.GotoBottom()
	}
}

func (d *entryDetail) wheel(msg tea.MouseMsg) {
	d.viewport, _ = d.viewport.Update(msg)
}

// openCode shows the entry's API call as code, against the API in use.
func (d *entryDetail) openCode() {
	c := d.entry.Call
	title := "POST " + c.Endpoint
	if c.RequestID != "" {
		title += " (request_id " + c.RequestID + ")"
	}
	d.code = apiCodeView(d.c, d.c.codeRequest(c.Endpoint, c.RequestBody), title, d.width, d.height)
}

func (d *entryDetail) view() string {
	if d.code != nil {
		return d.code.view()
	}
	st := d.c.styles
	title := st.Title.Render(oneLine(d.entry.Title())) + st.Muted.Render(" · "+entryKind(d.entry)+codeHint(d.entry)+" · n/p next/previous · esc goes back")
	return truncate(title, d.width) + "\n\n" + d.viewport.View()
}

// content lists the entry's fields, then its JSON.
func (d *entryDetail) content(w int) string {
	st := d.c.styles
	e := d.entry
	rows := [][2]string{
		{"time", e.Time().Local().Format("2006-01-02 15:04:05.000 MST")},
		{"kind", entryKind(e)},
		{"session", e.SessionID()},
		{"status", e.Status()},
		{"request_id", e.RequestID()},
		{"link_session_id", e.LinkSessionID()},
		{"item_id", e.ItemID()},
		{"error_type", e.ErrorType()},
		{"error_code", e.ErrorCode()},
		{"error_message", e.ErrorMessage()},
	}
	rows = append(rows, kindRows(e)...)
	lw := 16
	var lines []string
	for _, r := range rows {
		if r[1] != "" {
			lines = append(lines, st.Muted.Render(pad(r[0], lw))+" "+st.Text.Render(wrap(clean(r[1]), max(w-lw-1, 10))))
		}
	}
	out := strings.Join(lines, "\n")
	if e.ErrorCode() != "" {
		out += "\n\n" + errorBlock(st, entryError(e.ErrorCode(), e.ErrorType(), e.ErrorMessage()), w)
	}
	if e.Event != nil {
		if ex := linkEntryExplanation(st, e.Event, w); ex != "" {
			out += "\n\n" + ex
		}
	}
	for _, b := range bodiesOf(e) {
		out += "\n\n" + st.Section.Render(b.title) + "\n" + wrap(prettyJSON(st, b.body), w)
	}
	if e.Webhook != nil {
		out += "\n\n" + verificationSection(st, e.Webhook.Verification, w)
	}
	return out
}

// verificationSection shows a webhook's Plaid-Verification header and its
// decoded header and claims (a JWT signed by Plaid: no secret in it).
func verificationSection(st styles, jwt string, w int) string {
	title := st.Section.Render("PLAID-VERIFICATION")
	if jwt == "" {
		return title + "\n" + st.Muted.Render(wrap("No Plaid-Verification header came with this webhook (or it was recorded before headers were kept).", w))
	}
	// The JWT on lines of its own, cut at the width only (no hyphens), so
	// that selecting the lines copies it whole.
	var jwtLines []string
	for rest := jwt; rest != ""; {
		n := min(len(rest), max(w, 20))
		jwtLines = append(jwtLines, rest[:n])
		rest = rest[n:]
	}
	out := title + "\n" + st.Text.Render(strings.Join(jwtLines, "\n"))
	vc, err := flows.DecodeVerification(jwt)
	if err != nil {
		return out + "\n" + st.Fail.Render(wrap("cannot decode it: "+err.Error(), w))
	}
	rows := [][2]string{{"alg", vc.Alg}, {"kid", vc.Kid}, {"typ", vc.Typ}}
	if !vc.IssuedAt.IsZero() {
		rows = append(rows, [2]string{"iat", fmt.Sprintf("%d (%s)", vc.IssuedAt.Unix(), vc.IssuedAt.Local().Format("2006-01-02 15:04:05 MST"))})
	}
	rows = append(rows, [2]string{"request_body_sha256", vc.RequestBodySHA256})
	out += "\n\n" + st.Muted.Render("decoded (header, claims):")
	for _, r := range rows {
		if r[1] != "" {
			out += "\n" + st.Muted.Render(pad(r[0], 20)) + " " + st.Text.Render(r[1])
		}
	}
	return out
}

// kindRows are the fields only one kind of entry has.
func kindRows(e store.Entry) [][2]string {
	switch {
	case e.Call != nil:
		return [][2]string{{"duration", shortDuration(e.Call.Duration)}, {"source", e.Source()}}
	case e.Event != nil:
		v := e.Event
		return [][2]string{{"view", v.ViewName}, {"exit_status", v.ExitStatus}, {"institution", strings.TrimSpace(v.InstitutionName + " " + v.InstitutionID)}}
	case e.Webhook != nil:
		w := e.Webhook
		_, effect := flows.ItemStatusEffect(w.WebhookType, w.WebhookCode, w.ItemID, w.ErrorCode, w.Signature)
		return [][2]string{{"webhook", strings.TrimSpace(w.WebhookType + " " + w.WebhookCode)}, {"caused by step", w.Step}, {"signature", w.Signature}, {"item status", effect}}
	}
	return nil
}

type namedBody struct {
	title string
	body  []byte
}

func bodiesOf(e store.Entry) []namedBody {
	switch {
	case e.Call != nil:
		return []namedBody{{"REQUEST", e.Call.RequestBody}, {"RESPONSE", e.Call.ResponseBody}}
	case e.Event != nil && len(e.Event.Metadata) > 0:
		return []namedBody{{"METADATA", e.Event.Metadata}}
	case e.Webhook != nil:
		return []namedBody{{"BODY", e.Webhook.Body}}
	}
	return nil
}

// codeHint points at the code view from an API call's detail.
func codeHint(e store.Entry) string {
	if e.Call == nil {
		return ""
	}
	return " · v shows it as code"
}
