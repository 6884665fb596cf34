package store

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Format is an export format of the log.
type Format string

// Export formats.
const (
	// FormatMarkdown is ready to paste into a Plaid support ticket: the
	// sessions, link_session_ids, errors and every entry with its time,
	// request_id and error code. It holds no bodies.
	FormatMarkdown Format = "md"
	// FormatJSON is one document with every entry, bodies included (masked).
	FormatJSON Format = "json"
	// FormatCSV has one row per entry and no bodies.
	FormatCSV Format = "csv"
)

// ParseFormat reads a format name: md (or markdown), json or csv.
func ParseFormat(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "md", "markdown":
		return FormatMarkdown, nil
	case "json":
		return FormatJSON, nil
	case "csv":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("unknown export format %q; use md, json or csv", name)
}

// Export writes the entries that match f, newest first, in the given
// format. Exports never hold a full secret, access_token or public_token:
// everything was masked on the way in, and what was masked with older
// rules (or written by something else) is masked again on the way out.
func (s *Store) Export(ctx context.Context, w io.Writer, format Format, f Filter) error {
	format, err := ParseFormat(string(format))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	switch format {
	case FormatMarkdown:
		err = s.exportMarkdown(ctx, bw, f)
	case FormatJSON:
		err = s.exportJSON(ctx, bw, f)
	case FormatCSV:
		err = s.exportCSV(ctx, bw, f)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("exporting the session log: %w", err)
	}
	return nil
}

// each calls fn for every entry matching f, newest first, each entry
// masked again for export unless it was masked with the current rules
// when it was written (see maskRules). It reads the match with one query,
// streamed: one snapshot of the log, and the statement prepared once
// rather than once a page.
func (s *Store) each(ctx context.Context, f Filter, bodies bool, fn func(Entry) error) error {
	fs, err := s.compile(ctx, f)
	if err != nil {
		return err
	}
	query, args := Query{Bodies: bodies}.sql(fs, 0)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		if !maskedOnWrite(e.masked) {
			e = remask(e)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// remask masks an entry's free text and bodies again, in case they were
// written by something other than this package.
func remask(e Entry) Entry {
	switch {
	case e.Call != nil:
		c := *e.Call
		c.Endpoint, c.ErrorMessage = redact.Text(c.Endpoint), redact.Text(c.ErrorMessage)
		c.RequestBody, c.ResponseBody = redact.JSON(c.RequestBody), redact.JSON(c.ResponseBody)
		e.Call = &c
	case e.Event != nil:
		v := *e.Event
		v.ErrorMessage, v.Metadata = redact.Text(v.ErrorMessage), redact.JSON(v.Metadata)
		e.Event = &v
	case e.Webhook != nil:
		wh := *e.Webhook
		wh.Body = redact.JSON(wh.Body)
		e.Webhook = &wh
	}
	return e
}

// sessionsOf returns the sessions that entries matching f belong to, most
// recent first.
func (s *Store) sessionsOf(ctx context.Context, f Filter) ([]Session, error) {
	fs, err := s.compile(ctx, f)
	if err != nil {
		return nil, err
	}
	ids, args := fs.ids("", 0)
	query := `SELECT ` + sessionColumns + ` FROM sessions WHERE id IN
		(SELECT session_id FROM log_entries WHERE id IN (` + ids + `)) ORDER BY started_at DESC, id DESC`
	if len(fs.where) == 0 && fs.driver == nil {
		// The whole log: a probe of the session index per session rather
		// than a scan of every entry.
		query = `SELECT ` + sessionColumns + ` FROM sessions s WHERE EXISTS
			(SELECT 1 FROM log_entries WHERE session_id = s.id) ORDER BY started_at DESC, id DESC`
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, rows.Err()
}

// exportJSON writes {"exported_at", "filter", "sessions", "entries"},
// streaming the entries.
func (s *Store) exportJSON(ctx context.Context, w *bufio.Writer, f Filter) error {
	sessions, err := s.sessionsOf(ctx, f)
	if err != nil {
		return err
	}
	head, err := json.Marshal(struct {
		ExportedAt string        `json:"exported_at"`
		Filter     filterJSON    `json:"filter"`
		Sessions   []sessionJSON `json:"sessions"`
	}{formatTime(now()), filterToJSON(f), sessionsToJSON(sessions)})
	if err != nil {
		return err
	}
	w.Write(head[:len(head)-1]) // reopen the object to add the entries
	w.WriteString(`,"entries":[`)
	var enc entryEncoder
	if err := s.exportEntries(ctx, w, f, &enc, newDemoSessions(s, sessions)); err != nil {
		return err
	}
	_, err = w.WriteString("\n]}\n")
	return err
}

type filterJSON struct {
	SessionID     string `json:"session_id,omitempty"`
	RequestID     string `json:"request_id,omitempty"`
	LinkSessionID string `json:"link_session_id,omitempty"`
	ItemID        string `json:"item_id,omitempty"`
	ErrorCode     string `json:"error_code,omitempty"`
	Kind          string `json:"kind,omitempty"`
	Source        string `json:"source,omitempty"`
	Errors        bool   `json:"errors_only,omitempty"`
	Text          string `json:"text,omitempty"`
}

func filterToJSON(f Filter) filterJSON {
	return filterJSON{f.SessionID, f.RequestID, f.LinkSessionID, f.ItemID, f.ErrorCode, string(f.Kind), f.Source, f.Errors, f.Text}
}

type sessionJSON struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Mode      string `json:"mode"`
	StartedAt string `json:"started_at"`
	EndedAt   string `json:"ended_at,omitempty"`
	Status    string `json:"status"`
	Summary   string `json:"summary,omitempty"`
}

func sessionsToJSON(ss []Session) []sessionJSON {
	out := make([]sessionJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, sessionJSON{s.ID, s.Kind, s.Mode, formatTime(s.StartedAt), optionalTime(s.EndedAt),
			s.Status, redact.Text(s.Summary)})
	}
	return out
}

func optionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// entryJSON is an entry in the JSON export: the fields of its kind.
type entryJSON struct {
	ID              int64           `json:"id"`
	Time            string          `json:"time"`
	Kind            EntryKind       `json:"kind"`
	SessionID       string          `json:"session_id,omitempty"`
	Source          string          `json:"source,omitempty"`
	Method          string          `json:"method,omitempty"`
	Endpoint        string          `json:"endpoint,omitempty"`
	HTTPStatus      *int            `json:"http_status,omitempty"`
	DurationMS      *float64        `json:"duration_ms,omitempty"`
	EventKind       string          `json:"event_kind,omitempty"`
	EventName       string          `json:"event_name,omitempty"`
	WebhookType     string          `json:"webhook_type,omitempty"`
	WebhookCode     string          `json:"webhook_code,omitempty"`
	Signature       string          `json:"signature,omitempty"`
	RequestID       string          `json:"request_id,omitempty"`
	LinkSessionID   string          `json:"link_session_id,omitempty"`
	ItemID          string          `json:"item_id,omitempty"`
	ViewName        string          `json:"view_name,omitempty"`
	ExitStatus      string          `json:"exit_status,omitempty"`
	InstitutionID   string          `json:"institution_id,omitempty"`
	InstitutionName string          `json:"institution_name,omitempty"`
	ErrorType       string          `json:"error_type,omitempty"`
	ErrorCode       string          `json:"error_code,omitempty"`
	ErrorMessage    string          `json:"error_message,omitempty"`
	RequestBody     json.RawMessage `json:"request_body,omitempty"`
	ResponseBody    json.RawMessage `json:"response_body,omitempty"`
	Metadata        json.RawMessage `json:"metadata,omitempty"`
	Body            json.RawMessage `json:"body,omitempty"`
}

// entryFields is an entry in the JSON export, its bodies as stored: the
// writer embeds each as JSON when it is JSON, else as a JSON string.
func entryFields(e Entry) entryJSON {
	j := entryJSON{ID: e.ID, Time: formatTime(e.Time()), Kind: e.ShownKind(), Source: e.Source(), SessionID: e.SessionID(),
		RequestID: e.RequestID(), LinkSessionID: e.LinkSessionID(), ItemID: e.ItemID(),
		ErrorType: e.ErrorType(), ErrorCode: e.ErrorCode(), ErrorMessage: e.ErrorMessage()}
	switch {
	case e.Call != nil:
		c := e.Call
		ms := float64(c.Duration) / float64(time.Millisecond)
		j.Method, j.Endpoint, j.HTTPStatus, j.DurationMS = c.Method, c.Endpoint, &c.HTTPStatus, &ms
		j.RequestBody, j.ResponseBody = c.RequestBody, c.ResponseBody
	case e.Event != nil:
		v := e.Event
		j.EventKind, j.EventName, j.ViewName, j.ExitStatus = v.Kind, v.EventName, v.ViewName, v.ExitStatus
		j.InstitutionID, j.InstitutionName, j.Metadata = v.InstitutionID, v.InstitutionName, v.Metadata
	case e.Webhook != nil:
		j.WebhookType, j.WebhookCode, j.Body = e.Webhook.WebhookType, e.Webhook.WebhookCode, e.Webhook.Body
		j.Signature = e.Webhook.Signature
	}
	return j
}

// csvHeader is the CSV export's first row.
var csvHeader = []string{"id", "time", "kind", "session_id", "source", "what", "status", "request_id",
	"link_session_id", "item_id", "error_type", "error_code", "error_message", "duration_ms", "institution"}

func (s *Store) exportCSV(ctx context.Context, w *bufio.Writer, f Filter) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	err := s.each(ctx, f, false, func(e Entry) error {
		duration, institution := "", ""
		if e.Call != nil {
			duration = strconv.FormatFloat(float64(e.Call.Duration)/float64(time.Millisecond), 'f', 3, 64)
		}
		if e.Event != nil {
			institution = e.Event.InstitutionName
		}
		row := []string{strconv.FormatInt(e.ID, 10), formatTime(e.Time()), string(e.ShownKind()), e.SessionID(), e.Source(),
			e.Title(), e.Status(), e.RequestID(), e.LinkSessionID(), e.ItemID(), e.ErrorType(), e.ErrorCode(),
			e.ErrorMessage(), duration, institution}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
