package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Record is something the log keeps: an APICall, a LinkEvent or a Webhook.
type Record interface {
	row() (entryRow, error)
}

// entryRow is a Record made ready for the database: its spine columns,
// its kind's own row, and the text its words are taken from.
type entryRow struct {
	kind          EntryKind
	time          time.Time
	sessionID     string
	requestID     string
	linkSessionID string
	itemID        string
	errorType     string
	errorCode     string
	detailSQL     string // insertCall, insertEvent or insertWebhook
	detailArgs    []any
	search        []string
}

// AddCall records an API call and returns its entry id.
func (s *Store) AddCall(ctx context.Context, c APICall) (int64, error) {
	return s.addOne(ctx, c)
}

// AddEvent records a Link event and returns its entry id.
func (s *Store) AddEvent(ctx context.Context, e LinkEvent) (int64, error) {
	return s.addOne(ctx, e)
}

// AddWebhook records a webhook and returns its entry id.
func (s *Store) AddWebhook(ctx context.Context, w Webhook) (int64, error) {
	return s.addOne(ctx, w)
}

func (s *Store) addOne(ctx context.Context, r Record) (int64, error) {
	ids, err := s.Add(ctx, r)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// Add records several records in one transaction: all of them are kept, or
// none. It returns their entry ids in order.
func (s *Store) Add(ctx context.Context, recs ...Record) ([]int64, error) {
	rows := make([]entryRow, len(recs))
	for i, r := range recs {
		if v := reflect.ValueOf(r); !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
			return nil, fmt.Errorf("recording in the session log: record %d is nil", i)
		}
		row, err := r.row()
		if err != nil {
			return nil, fmt.Errorf("recording in the session log: %w", err)
		}
		rows[i] = row
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	err := s.write(ctx, func(tx *sql.Tx) error {
		ins := s.inserts.in(ctx, tx)
		if len(rows) >= batchMin {
			batch, ok, err := ins.insertBatch(ctx, tx, rows)
			if ok || err != nil {
				copy(ids, batch)
				return err
			}
		}
		for i, row := range rows {
			var err error
			if ids[i], err = ins.insert(ctx, row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recording in the session log: %w", err)
	}
	return ids, nil
}

// inserts holds the statements that record entries, prepared once.
type inserts struct {
	free, entry, word *sql.Stmt
	detail            map[string]*sql.Stmt // by entryRow.detailSQL
}

// preparer is a *sql.DB or a *sql.Tx.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func prepareInserts(ctx context.Context, db preparer) (*inserts, error) {
	var ins inserts
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.PrepareContext(ctx, q)
		return st
	}
	ins.free = prep(`SELECT id FROM log_entries WHERE id >= ? ORDER BY id LIMIT 64`)
	ins.entry = prep(`INSERT INTO log_entries
		(id, kind, time, session_id, request_id, link_session_id, item_id, error_type, error_code, words, masked)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	ins.word = prep(`INSERT INTO log_words (word, entry_id) VALUES (?, ?)`)
	ins.detail = map[string]*sql.Stmt{}
	for _, q := range []string{insertCall, insertEvent, insertWebhook} {
		ins.detail[q] = prep(q)
	}
	if err != nil {
		ins.close()
		return nil, err
	}
	return &ins, nil
}

// in returns the statements for use in tx.
func (ins *inserts) in(ctx context.Context, tx *sql.Tx) *inserts {
	out := &inserts{free: tx.StmtContext(ctx, ins.free), entry: tx.StmtContext(ctx, ins.entry),
		word: tx.StmtContext(ctx, ins.word), detail: map[string]*sql.Stmt{}}
	for q, st := range ins.detail {
		out.detail[q] = tx.StmtContext(ctx, st)
	}
	return out
}

func (ins *inserts) close() {
	for _, st := range []*sql.Stmt{ins.free, ins.entry, ins.word} {
		if st != nil {
			st.Close()
		}
	}
	for _, st := range ins.detail {
		if st != nil {
			st.Close()
		}
	}
}

func (ins *inserts) insert(ctx context.Context, r entryRow) (int64, error) {
	id, err := ins.freeID(ctx, r.time.UnixNano())
	if err != nil {
		return 0, err
	}
	words := wordsOf(r.search...)
	_, err = ins.entry.ExecContext(ctx, id, string(r.kind), formatTime(r.time), null(r.sessionID),
		null(r.requestID), null(r.linkSessionID), null(r.itemID), null(r.errorType), null(r.errorCode),
		wordsColumn(words), maskRules)
	if err != nil {
		if isForeignKey(err) {
			return 0, missingSessionError(r.sessionID)
		}
		return 0, err
	}
	if _, err := ins.detail[r.detailSQL].ExecContext(ctx, append([]any{id}, r.detailArgs...)...); err != nil {
		return 0, err
	}
	for _, w := range words {
		if _, err := ins.word.ExecContext(ctx, w, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// missingSessionError says that entries were recorded into a session
// that does not exist.
func missingSessionError(id string) error {
	return fmt.Errorf("session %q does not exist; start a session before recording into it", id)
}

// freeID returns the first unused entry id at or after want: entries that
// happened in the same nanosecond are kept in the order they were added.
func (ins *inserts) freeID(ctx context.Context, want int64) (int64, error) {
	for {
		rows, err := ins.free.QueryContext(ctx, want)
		if err != nil {
			return 0, err
		}
		n, gap := 0, false
		for rows.Next() && !gap {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, err
			}
			n++
			if gap = id != want; !gap {
				want++
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil || gap || n < 64 {
			return want, err
		}
	}
}

// null stores an empty string as NULL, keeping it out of partial indexes.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// The statements that record each kind's own row; the entry id comes first.
const (
	insertCall = `INSERT INTO api_calls (entry_id, method, endpoint, http_status, error_message,
		duration_ns, source, request_body, response_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertEvent = `INSERT INTO link_events (entry_id, kind, event_name, view_name, error_message,
		exit_status, institution_id, institution_name, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertWebhook = `INSERT INTO webhooks (entry_id, webhook_type, webhook_code, body, signature, verification, step) VALUES (?, ?, ?, ?, ?, ?, ?)`
)

func (c APICall) row() (entryRow, error) {
	t, err := recordTime(c.Time)
	if err != nil {
		return entryRow{}, err
	}
	if c.Endpoint == "" {
		return entryRow{}, errors.New("an API call needs its endpoint")
	}
	maskFields(&c.Endpoint, &c.RequestID, &c.ErrorMessage, &c.ItemID)
	method := cmp.Or(strings.ToUpper(c.Method), "POST")
	source := cmp.Or(c.Source, SourceLinkexplorer)
	switch source {
	case storedSourceEmulator:
		source = SourceApp
	case SourceLinkexplorer, SourceApp:
	default:
		return entryRow{}, fmt.Errorf("unknown API call source %q (want %q or %q)", source, SourceLinkexplorer, SourceApp)
	}
	req, resp := redact.JSON(c.RequestBody), redact.JSON(c.ResponseBody)
	itemID := cmp.Or(c.ItemID, itemIDIn(resp), itemIDIn(req))
	status := ""
	if c.HTTPStatus != 0 {
		status = strconv.Itoa(c.HTTPStatus)
	}
	searchSource := "" // so that "link" does not match every call of linkexplorer
	if source != SourceLinkexplorer {
		searchSource = source
	}
	return entryRow{
		kind: KindCall, time: t, sessionID: c.SessionID, requestID: c.RequestID, itemID: itemID,
		errorType: c.ErrorType, errorCode: c.ErrorCode,
		detailSQL:  insertCall,
		detailArgs: []any{method, c.Endpoint, c.HTTPStatus, c.ErrorMessage, int64(c.Duration), source, string(req), string(resp)},
		search: []string{method, c.Endpoint, status, c.RequestID, itemID, c.ErrorType, c.ErrorCode, c.ErrorMessage, searchSource,
			bodyWords(req, resp)},
	}, nil
}

func (e LinkEvent) row() (entryRow, error) {
	t, err := recordTime(e.Time)
	if err != nil {
		return entryRow{}, err
	}
	e.Kind = cmp.Or(e.Kind, EventKindEvent)
	switch e.Kind {
	case EventKindEvent, EventKindSuccess, EventKindExit, EventKindLoad, EventKindPage, EventKindRejected:
	default:
		return entryRow{}, fmt.Errorf("unknown Link event kind %q", e.Kind)
	}
	meta := redact.JSON(e.Metadata)
	e = e.withMetadata(meta)
	maskFields(&e.EventName, &e.LinkSessionID, &e.RequestID, &e.ViewName, &e.ErrorMessage, &e.ExitStatus, &e.InstitutionName)
	return entryRow{
		kind: KindEvent, time: t, sessionID: e.SessionID, requestID: e.RequestID,
		linkSessionID: e.LinkSessionID, errorType: e.ErrorType, errorCode: e.ErrorCode,
		detailSQL:  insertEvent,
		detailArgs: []any{e.Kind, e.EventName, e.ViewName, e.ErrorMessage, e.ExitStatus, e.InstitutionID, e.InstitutionName, string(meta)},
		search: []string{e.Kind, e.EventName, e.ViewName, e.LinkSessionID, e.RequestID, e.ErrorType, e.ErrorCode,
			e.ErrorMessage, e.ExitStatus, e.InstitutionID, e.InstitutionName},
	}, nil
}

func (w Webhook) row() (entryRow, error) {
	t, err := recordTime(w.Time)
	if err != nil {
		return entryRow{}, err
	}
	body := redact.JSON(w.Body)
	var b struct {
		Type   string `json:"webhook_type"`
		Code   string `json:"webhook_code"`
		ItemID string `json:"item_id"`
		Error  *struct {
			Type string `json:"error_type"`
			Code string `json:"error_code"`
		} `json:"error"`
	}
	// A body that is not a webhook's JSON is kept as it came; the fields
	// the caller gave are all there is to index.
	lenientUnmarshal(body, &b)
	if b.Error != nil {
		w.ErrorType, w.ErrorCode = cmp.Or(w.ErrorType, b.Error.Type), cmp.Or(w.ErrorCode, b.Error.Code)
	}
	w.WebhookType, w.WebhookCode, w.ItemID = cmp.Or(w.WebhookType, b.Type), cmp.Or(w.WebhookCode, b.Code), cmp.Or(w.ItemID, b.ItemID)
	maskFields(&w.WebhookType, &w.WebhookCode, &w.ItemID, &w.Signature)
	return entryRow{
		kind: KindWebhook, time: t, sessionID: w.SessionID, itemID: w.ItemID,
		errorType: w.ErrorType, errorCode: w.ErrorCode,
		detailSQL:  insertWebhook,
		detailArgs: []any{w.WebhookType, w.WebhookCode, string(body), w.Signature, verificationHeader(w.Verification), w.Step},
		search: []string{"webhook", w.WebhookType, w.WebhookCode, w.ItemID, w.ErrorType, w.ErrorCode, signatureWord(w.Signature),
			bodyWords(body)},
	}, nil
}

// withMetadata fills the event's empty fields from Link's metadata, whose
// keys are those of onEvent (flat) and of onSuccess/onExit (institution
// nested, exit status as "status").
func (e LinkEvent) withMetadata(meta []byte) LinkEvent {
	var m struct {
		LinkSessionID   string `json:"link_session_id"`
		RequestID       string `json:"request_id"`
		ViewName        string `json:"view_name"`
		ErrorType       string `json:"error_type"`
		ErrorCode       string `json:"error_code"`
		ErrorMessage    string `json:"error_message"`
		ExitStatus      string `json:"exit_status"`
		Status          string `json:"status"`
		InstitutionID   string `json:"institution_id"`
		InstitutionName string `json:"institution_name"`
		Institution     *struct {
			ID   string `json:"institution_id"`
			Name string `json:"name"`
		} `json:"institution"`
	}
	if !lenientUnmarshal(meta, &m) {
		return e
	}
	if m.Institution != nil {
		m.InstitutionID, m.InstitutionName = cmp.Or(m.InstitutionID, m.Institution.ID), cmp.Or(m.InstitutionName, m.Institution.Name)
	}
	e.LinkSessionID = cmp.Or(e.LinkSessionID, m.LinkSessionID)
	e.RequestID = cmp.Or(e.RequestID, m.RequestID)
	e.ViewName = cmp.Or(e.ViewName, m.ViewName)
	e.ErrorType = cmp.Or(e.ErrorType, m.ErrorType)
	e.ErrorCode = cmp.Or(e.ErrorCode, m.ErrorCode)
	e.ErrorMessage = cmp.Or(e.ErrorMessage, m.ErrorMessage)
	e.ExitStatus = cmp.Or(e.ExitStatus, m.ExitStatus, m.Status)
	e.InstitutionID = cmp.Or(e.InstitutionID, m.InstitutionID)
	e.InstitutionName = cmp.Or(e.InstitutionName, m.InstitutionName)
	return e
}

// maskFields masks token-shaped text in free-form fields, which a caller
// may have filled from an error message or a URL.
func maskFields(fields ...*string) {
	for _, f := range fields {
		*f = redact.Text(*f)
	}
}

// itemIDIn finds the item_id of a Plaid request or response body: at the
// top level (/item/public_token/exchange) or in "item" (/item/get,
// /accounts/get).
func itemIDIn(body []byte) string {
	var b struct {
		ItemID string `json:"item_id"`
		Item   *struct {
			ItemID string `json:"item_id"`
		} `json:"item"`
	}
	if !lenientUnmarshal(body, &b) {
		return ""
	}
	if b.ItemID == "" && b.Item != nil {
		return b.Item.ItemID
	}
	return b.ItemID
}

// lenientUnmarshal decodes the fields of v that body holds with the right
// types, skipping the others, and reports whether body was a JSON object.
func lenientUnmarshal(body []byte, v any) bool {
	err := json.Unmarshal(body, v)
	var typeErr *json.UnmarshalTypeError
	return err == nil || errors.As(err, &typeErr)
}

// maxVerification bounds the Plaid-Verification header kept: Plaid's is
// well under 1 KB; anything longer is not Plaid's and is cut.
const maxVerification = 4096

// verificationHeader is the Plaid-Verification header as kept: trimmed and
// bounded; a value that is not shaped like a JWT (three base64url parts) is
// masked, since it is not Plaid's and might be anything.
func verificationHeader(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > maxVerification {
		v = v[:maxVerification]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return redact.Text(v)
	}
	for _, p := range parts {
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '=') {
				return redact.Text(v)
			}
		}
	}
	return v
}

// signatureWord is the word a webhook's signature check is found by:
// verified, unsigned or invalid.
func signatureWord(sig string) string {
	words := strings.FieldsFunc(sig, func(r rune) bool { return r == ' ' || r == ':' })
	if len(words) == 0 {
		return ""
	}
	return words[0]
}
