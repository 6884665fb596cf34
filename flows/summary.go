package flows

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
	"github.com/linkexplorer/linkexplorer/store"
)

// Summary is what a run did, read back from the session log: the same
// whether the run just ended in the terminal app, in run, or is printed
// later by `linkexplorer log --last --summary`. It holds no secrets: the
// log is masked.
type Summary struct {
	RunID     string
	Flow      string // the session's kind without "flow:", e.g. quickstart
	Mode      string // emulated or plaid
	Status    string // store.SessionOK, SessionFailed, SessionCancelled or SessionRunning
	Headline  string // the session's one-line summary
	StartedAt time.Time
	EndedAt   time.Time // zero while running

	ItemID      string
	Institution string // "First Platypus Bank (ins_109508)"

	Happened     []string // a few lines, oldest first
	Calls        []SummaryCall
	LinkSessions []SummaryLinkSession
	Errors       []SummaryError
}

// SummaryCall is one API call of the run.
type SummaryCall struct {
	Time       time.Time
	Endpoint   string
	HTTPStatus int
	RequestID  string
	ErrorCode  string
}

// SummaryLinkSession is one Link session (one open()) of the run.
type SummaryLinkSession struct {
	ID          string
	Institution string
	Outcome     string // "onSuccess", "onExit INVALID_LINK_TOKEN", "onExit (closed, status …)", "no onSuccess or onExit"
	RequestID   string // of its last event with one
}

// SummaryError is one error the run met, with its explanation.
type SummaryError struct {
	Time          time.Time
	Where         string // "POST /item/public_token/exchange", "Link onExit", "webhook ITEM: ERROR"
	Code, Type    string
	Message       string
	RequestID     string
	LinkSessionID string
	Explanation   *Explanation
}

// summaryEntryLimit bounds the entries a summary reads.
const summaryEntryLimit = 20 * store.MaxPageSize

// LoadSummary reads the summary of run (store session) id from the log.
func LoadSummary(ctx context.Context, st *store.Store, id string) (Summary, error) {
	sess, err := st.Session(ctx, id)
	if err != nil {
		return Summary{}, err
	}
	var entries []store.Entry
	q := store.Query{Filter: store.Filter{SessionID: id}, Limit: store.MaxPageSize}
	for len(entries) < summaryEntryLimit {
		page, err := st.Entries(ctx, q)
		if err != nil {
			return Summary{}, fmt.Errorf("reading session %s: %w", id, err)
		}
		entries = append(entries, page.Entries...)
		if !page.More {
			break
		}
		q.Before = page.Next
	}
	slices.Reverse(entries) // oldest first
	return BuildSummary(sess, entries), nil
}

// BuildSummary summarizes a session from its entries, oldest first.
func BuildSummary(sess store.Session, entries []store.Entry) Summary {
	s := Summary{
		RunID: sess.ID, Flow: strings.TrimPrefix(sess.Kind, "flow:"), Mode: sess.Mode, Status: sess.Status,
		Headline: redact.Text(sess.Summary), StartedAt: sess.StartedAt, EndedAt: sess.EndedAt,
	}
	links := map[string]int{} // link_session_id -> index in s.LinkSessions
	for _, e := range entries {
		switch {
		case e.Call != nil:
			s.addCall(e.Call)
		case e.Event != nil:
			s.addEvent(e.Event, links)
		case e.Webhook != nil:
			s.addWebhook(e.Webhook)
		}
	}
	for i := range s.LinkSessions {
		if s.LinkSessions[i].Outcome == "" {
			s.LinkSessions[i].Outcome = "no onSuccess or onExit"
		}
	}
	return s
}

// callVerbs says what a successful call did, for the "what happened" lines.
var callVerbs = map[string]string{
	"/link/token/create":                    "Created a link_token",
	"/item/public_token/exchange":           "Exchanged the public_token for an access_token",
	"/accounts/get":                         "Read the Item's accounts",
	"/item/get":                             "Read the Item",
	"/item/remove":                          "Removed the Item",
	"/sandbox/public_token/create":          "Created a Sandbox public_token",
	"/sandbox/item/reset_login":             "Reset the Item's login (it now needs update mode)",
	"/sandbox/item/fire_webhook":            "Fired a Sandbox webhook",
	"/webhook_verification_key/get":         "Fetched the webhook verification key",
	"/link/token/get":                       "Read the link_token",
	"/transactions/sync":                    "Synced transactions",
	"/transactions/refresh":                 "Asked Plaid to refresh the Item's transactions",
	"/transactions/get":                     "Read transactions",
	"/auth/get":                             "Read account and routing numbers",
	"/identity/get":                         "Read identity data",
	"/accounts/balance/get":                 "Read real-time balances",
	"/institutions/get_by_id":               "Read the institution",
	"/sandbox/item/set_verification_status": "Set the micro-deposit verification status",
}

func (s *Summary) addCall(c *store.APICall) {
	s.Calls = append(s.Calls, SummaryCall{Time: c.Time, Endpoint: c.Endpoint, HTTPStatus: c.HTTPStatus, RequestID: c.RequestID, ErrorCode: c.ErrorCode})
	if c.ItemID != "" {
		s.ItemID = c.ItemID
	}
	rid := ""
	if c.RequestID != "" {
		rid = " (request_id " + c.RequestID + ")"
	}
	if c.ErrorCode != "" || c.HTTPStatus >= 400 || c.HTTPStatus == 0 {
		what := c.ErrorCode
		if what == "" {
			what = "no response"
			if c.HTTPStatus != 0 {
				what = fmt.Sprintf("HTTP %d", c.HTTPStatus)
			}
		}
		s.Happened = append(s.Happened, fmt.Sprintf("%s %s failed: %s%s", c.Method, c.Endpoint, what, rid))
		s.addError(SummaryError{Time: c.Time, Where: c.Method + " " + c.Endpoint, Code: c.ErrorCode, Type: c.ErrorType,
			Message: c.ErrorMessage, RequestID: c.RequestID})
		return
	}
	verb, ok := callVerbs[c.Endpoint]
	if !ok {
		verb = "Called " + c.Endpoint
	}
	if c.Source == store.SourceEmulator {
		verb += ", from your own app"
	}
	s.Happened = append(s.Happened, verb+rid)
}

func (s *Summary) addEvent(v *store.LinkEvent, links map[string]int) {
	i, seen := links[v.LinkSessionID]
	if v.LinkSessionID != "" && !seen {
		i = len(s.LinkSessions)
		links[v.LinkSessionID] = i
		s.LinkSessions = append(s.LinkSessions, SummaryLinkSession{ID: v.LinkSessionID})
		s.Happened = append(s.Happened, "Opened Link (link_session_id "+v.LinkSessionID+")")
	}
	var ls *SummaryLinkSession
	if v.LinkSessionID != "" {
		ls = &s.LinkSessions[i]
		if v.RequestID != "" {
			ls.RequestID = v.RequestID
		}
	}
	inst := strings.TrimSpace(v.InstitutionName)
	if v.InstitutionID != "" {
		inst = strings.TrimSpace(inst + " (" + v.InstitutionID + ")")
	}
	if ls != nil && inst != "" {
		ls.Institution = inst
	}
	switch v.Kind {
	case store.EventKindSuccess:
		if inst != "" {
			s.Institution = inst
		}
		if ls != nil {
			ls.Outcome = "onSuccess"
		}
		line := "Link onSuccess: the user linked their accounts"
		if inst != "" {
			line += " at " + inst
		}
		line += updateModeSuccess(s.Flow)
		s.Happened = append(s.Happened, line)
	case store.EventKindExit:
		outcome := "onExit " + v.ErrorCode
		if v.ErrorCode == "" {
			outcome = "onExit (closed, status " + cmpOrNone(v.ExitStatus) + ")"
		} else if v.ExitStatus != "" {
			outcome += " (status " + v.ExitStatus + ")"
		}
		if ls != nil {
			ls.Outcome = outcome
		}
		s.Happened = append(s.Happened, "Link "+outcome)
		if v.ErrorCode != "" {
			s.addError(SummaryError{Time: v.Time, Where: "Link onExit", Code: v.ErrorCode, Type: v.ErrorType,
				Message: v.ErrorMessage, RequestID: v.RequestID, LinkSessionID: v.LinkSessionID})
		}
	case store.EventKindPage:
		switch v.EventName {
		case "destroyed":
			s.Happened = append(s.Happened, "The page called handler.destroy() and asked for a new link_token")
		case "token_error":
			s.Happened = append(s.Happened, "The page could not get a link_token")
			s.addError(SummaryError{Time: v.Time, Where: "callback page", Code: v.ErrorCode, Message: v.ErrorMessage})
		case "script_error":
			s.addError(SummaryError{Time: v.Time, Where: "callback page script", Message: v.ErrorMessage})
		}
	}
}

func cmpOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (s *Summary) addWebhook(w *store.Webhook) {
	line := "Webhook " + w.WebhookType + ": " + w.WebhookCode
	if w.ErrorCode != "" {
		line += " " + w.ErrorCode
	}
	line += " received" + WebhookCause(w.Step)
	switch {
	case strings.HasPrefix(w.Signature, SignatureVerified):
		line += ", signature verified"
	case w.Signature != "":
		line += ", signature " + w.Signature + ": not to be acted on"
	}
	s.Happened = append(s.Happened, line+webhookMeaning(w.WebhookType, w.WebhookCode))
	if w.ErrorCode != "" {
		s.addError(SummaryError{Time: w.Time, Where: "webhook " + w.WebhookType + ": " + w.WebhookCode, Code: w.ErrorCode, Type: w.ErrorType})
	}
}

// WebhookCause says which step caused a webhook, as a suffix for a line
// about it: " (from step reset-login)", " (after the run)", or "" when
// unknown.
func WebhookCause(step string) string {
	switch step {
	case "":
		return ""
	case store.StepAfterRun:
		return " (" + step + ")"
	}
	return " (from step " + step + ")"
}

func (s *Summary) addError(e SummaryError) {
	if e.Code != "" {
		if ex, ok := ExplainMessage(e.Code, e.Message); ok {
			e.Explanation = &ex
		}
	}
	e.Message = redact.Text(e.Message)
	s.Errors = append(s.Errors, e)
}

// Outcome is the run's outcome in a word or two: ok, failed, cancelled,
// still running.
func (s Summary) Outcome() string {
	switch s.Status {
	case store.SessionOK:
		return "ok"
	case store.SessionFailed:
		return "failed"
	case store.SessionCancelled:
		return "cancelled"
	case store.SessionRunning, "":
		return "still running"
	}
	return s.Status
}

// Duration is how long the run took (so far).
func (s Summary) Duration() time.Duration {
	if s.EndedAt.IsZero() || s.StartedAt.IsZero() {
		return 0
	}
	return s.EndedAt.Sub(s.StartedAt).Round(time.Millisecond)
}

// KeyRequestID is the request_id to quote: the first error's, else the
// last call's.
func (s Summary) KeyRequestID() string {
	for _, e := range s.Errors {
		if e.RequestID != "" {
			return e.RequestID
		}
	}
	for i := len(s.Calls) - 1; i >= 0; i-- {
		if s.Calls[i].RequestID != "" {
			return s.Calls[i].RequestID
		}
	}
	return ""
}

// KeyLinkSessionID is the link_session_id to quote: the first error's,
// else the last Link session's.
func (s Summary) KeyLinkSessionID() string {
	for _, e := range s.Errors {
		if e.LinkSessionID != "" {
			return e.LinkSessionID
		}
	}
	if n := len(s.LinkSessions); n > 0 {
		return s.LinkSessions[n-1].ID
	}
	return ""
}

// summaryTime is how the summary shows times: UTC to the millisecond, as
// Plaid support and Link's own timestamps do.
const summaryTime = "2006-01-02 15:04:05.000"

// ResultLine is the first line: "quickstart: ok in 4.2 s · emulated · run ID".
func (s Summary) ResultLine() string {
	line := s.Flow + ": " + s.Outcome()
	if d := s.Duration(); d > 0 {
		line += " in " + FormatDuration(d)
	}
	return line + " · " + s.Mode + " · run " + s.RunID
}

// Markdown renders the summary for a Plaid support ticket.
func (s Summary) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# linkexplorer run summary: %s\n\n", mdEscape(s.Flow))
	fmt.Fprintf(&b, "- Result: **%s**", s.Outcome())
	if d := s.Duration(); d > 0 {
		fmt.Fprintf(&b, " in %s", FormatDuration(d))
	}
	fmt.Fprintf(&b, "\n- Run: `%s` (%s), started %s UTC\n", s.RunID, mdEscape(s.Mode), s.StartedAt.UTC().Format(summaryTime))
	if s.Headline != "" {
		fmt.Fprintf(&b, "- Summary: %s\n", mdEscape(s.Headline))
	}
	fmt.Fprintf(&b, "- Item: %s\n", mdOr(s.ItemID, s.Institution))
	fmt.Fprintf(&b, "- Secrets, access_tokens and public_tokens are masked.\n")
	if len(s.Happened) > 0 {
		b.WriteString("\n## What happened\n\n")
		for i, h := range s.Happened {
			fmt.Fprintf(&b, "%d. %s\n", i+1, mdEscape(h))
		}
	}
	if len(s.Errors) > 0 {
		b.WriteString("\n## Errors\n")
		for _, e := range s.Errors {
			fmt.Fprintf(&b, "\n### %s at %s\n\n", mdEscape(cmpOrNone(strings.TrimSpace(e.Code+" "+paren(e.Type)))), mdEscape(e.Where))
			fmt.Fprintf(&b, "- Time: %s UTC\n", e.Time.UTC().Format(summaryTime))
			if e.RequestID != "" {
				fmt.Fprintf(&b, "- request_id: `%s`\n", e.RequestID)
			}
			if e.LinkSessionID != "" {
				fmt.Fprintf(&b, "- link_session_id: `%s`\n", e.LinkSessionID)
			}
			if e.Message != "" {
				fmt.Fprintf(&b, "- error_message: %s\n", mdEscape(e.Message))
			}
			if ex := e.Explanation; ex != nil {
				fmt.Fprintf(&b, "- What it means: %s\n- What to do: %s\n- Docs: %s\n", mdEscape(ex.Meaning), mdEscape(ex.NextStep), ex.Docs)
			}
		}
	}
	if len(s.Calls) > 0 {
		b.WriteString("\n## request_ids\n\n| Time (UTC) | Call | Status | request_id | Error |\n|---|---|---|---|---|\n")
		for _, c := range s.Calls {
			status := "no response"
			if c.HTTPStatus != 0 {
				status = fmt.Sprint(c.HTTPStatus)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Time.UTC().Format(summaryTime), mdEscape(c.Endpoint), status, mdCodeOr(c.RequestID), mdEscape(c.ErrorCode))
		}
	}
	if len(s.LinkSessions) > 0 {
		b.WriteString("\n## link_session_ids\n\n| link_session_id | Institution | Outcome | last request_id |\n|---|---|---|---|\n")
		for _, l := range s.LinkSessions {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", l.ID, mdEscape(l.Institution), mdEscape(l.Outcome), mdCodeOr(l.RequestID))
		}
	}
	b.WriteString("\nEvery call and Link event: `linkexplorer log --session " + s.RunID + " --md`\n")
	return b.String()
}

// Text renders the summary for a terminal: a few lines, then the ids and
// errors.
func (s Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run summary: %s\n", s.ResultLine())
	if s.ItemID != "" || s.Institution != "" {
		fmt.Fprintf(&b, "  Item: %s\n", strings.TrimSpace(s.ItemID+" "+paren(s.Institution)))
	}
	for _, h := range s.Happened {
		fmt.Fprintf(&b, "  - %s\n", h)
	}
	for _, e := range s.Errors {
		fmt.Fprintf(&b, "  Error %s at %s", cmpOrNone(e.Code), e.Where)
		for _, kv := range [][2]string{{"request_id", e.RequestID}, {"link_session_id", e.LinkSessionID}} {
			if kv[1] != "" {
				fmt.Fprintf(&b, ", %s %s", kv[0], kv[1])
			}
		}
		b.WriteString("\n")
		if ex := e.Explanation; ex != nil {
			fmt.Fprintf(&b, "    What it means: %s\n    What to do: %s\n", ex.Meaning, ex.NextStep)
		}
	}
	var rids, lsids []string
	for _, c := range s.Calls {
		if c.RequestID != "" {
			rids = append(rids, c.RequestID)
		}
	}
	for _, l := range s.LinkSessions {
		lsids = append(lsids, l.ID)
	}
	if len(rids) > 0 {
		fmt.Fprintf(&b, "  request_ids: %s\n", strings.Join(rids, ", "))
	}
	if len(lsids) > 0 {
		fmt.Fprintf(&b, "  link_session_ids: %s\n", strings.Join(lsids, ", "))
	}
	return b.String()
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func mdOr(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, mdEscape(p))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func mdCodeOr(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// mdEscape keeps text from breaking Markdown tables and lines.
func mdEscape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// SummaryExportPath is where a run's summary is exported in dir (the
// working directory when empty): one file per run, named by the run and
// the time. Every export of a summary goes through it.
func SummaryExportPath(dir, runID string, now time.Time) (string, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("linkexplorer-summary-%s-%s.md", safeName(runID), now.Format("20060102-150405"))
	return filepath.Join(abs, name), nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// ExportSummary writes the summary as Markdown to a new file in dir (see
// SummaryExportPath), readable by the user only, and returns its path.
func ExportSummary(dir string, s Summary, now time.Time) (string, error) {
	path, err := SummaryExportPath(dir, s.RunID, now)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing the run summary: %w (choose a writable export directory)", err)
	}
	_, err = f.WriteString(s.Markdown())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Join(fmt.Errorf("writing the run summary: %w", err), os.Remove(path))
	}
	return path, nil
}
