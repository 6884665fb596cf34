package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Filter selects entries of the log. Empty fields match everything; the
// fields that are set must all match.
type Filter struct {
	SessionID     string
	RequestID     string // exact (request ids are case-sensitive)
	LinkSessionID string
	ItemID        string
	ErrorCode     string    // e.g. "INVALID_LINK_TOKEN"
	Kind          EntryKind // KindCall, KindEvent or KindWebhook
	Errors        bool      // only entries with an error code
	// Text matches words and word prefixes, case-insensitively, in an
	// entry's endpoint or event name, ids, error type, code and message,
	// view, exit status, institution and webhook type and code (not in
	// bodies): "login" finds ITEM_LOGIN_REQUIRED, "exch" finds
	// /item/public_token/exchange. Every word given must match.
	Text string
}

// DefaultPageSize is the page size of a Query without a Limit.
const DefaultPageSize = 100

// MaxPageSize is the largest page a Query returns.
const MaxPageSize = 1000

// Query asks for one page of the log, newest first.
type Query struct {
	Filter
	// Before, when not 0, keeps only entries older than the entry with this
	// id: pass Page.Next to read the following (older) page.
	Before int64
	// After, when not 0, keeps only entries newer than the entry with this
	// id, and the page holds those nearest to it: pass the newest id you
	// have to catch up with what was added since, a page at a time.
	After int64
	// Limit is the page size: DefaultPageSize when 0, at most MaxPageSize.
	Limit int
	// Bodies asks for the request and response bodies, Link metadata and
	// webhook bodies, which a list of entries does not need.
	Bodies bool
}

// Page is one page of the log, newest first.
type Page struct {
	Entries []Entry
	// More says whether more entries match beyond this page in the
	// direction of paging: older ones, or newer ones when Query.After was
	// set. Next is then the cursor to continue with (as Before, or After).
	More bool
	Next int64
}

// Entries returns one page of the log. Its cost depends on the page size,
// not on the size of the log: every filter but Kind has an index, and
// pages are read by keyset (the entry id) rather than by offset.
func (s *Store) Entries(ctx context.Context, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	query, args := q.sql(limit + 1)
	entries, err := s.queryEntries(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("reading the session log: %w", err)
	}
	page := Page{Entries: entries}
	if len(entries) > limit {
		page.Entries, page.More = entries[:limit], true
		page.Next = page.Entries[limit-1].ID
	}
	if q.After != 0 {
		reverse(page.Entries)
	}
	return page, nil
}

// sql returns the query for a page of at most limit entries, and its
// arguments.
func (q Query) sql(limit int) (string, []any) {
	where, args := q.Filter.where()
	id := q.Filter.idColumn()
	if q.Before != 0 {
		where, args = append(where, id+" < ?"), append(args, q.Before)
	}
	if q.After != 0 {
		where, args = append(where, id+" > ?"), append(args, q.After)
	}
	order := " DESC"
	if q.After != 0 {
		order = " ASC"
	}
	query := entrySelect(q.Bodies) + q.Filter.from() + joins + whereSQL(where) +
		" ORDER BY " + id + order + " LIMIT ?"
	return query, append(args, limit)
}

// Entry returns one entry of the log, with its bodies, or ErrNotFound.
func (s *Store) Entry(ctx context.Context, id int64) (Entry, error) {
	entries, err := s.queryEntries(ctx, entrySelect(true)+" FROM log_entries e "+joins+" WHERE e.id = ?", id)
	if err == nil && len(entries) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("reading log entry %d: %w", id, err)
	}
	return entries[0], nil
}

// Count returns the number of entries that match f. It reads the whole
// match, so with a broad filter on a big log it costs more than a page.
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	where, args := f.where()
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*)"+f.from()+whereSQL(where), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting log entries: %w", err)
	}
	return n, nil
}

// where returns the filter's SQL conditions on log_entries e (and
// log_search, when Text is set) and their arguments.
func (f Filter) where() ([]string, []any) {
	var where []string
	var args []any
	add := func(col, v string) {
		if v != "" {
			where, args = append(where, col+" = ?"), append(args, v)
		}
	}
	add("e.session_id", strings.TrimSpace(f.SessionID))
	add("e.request_id", strings.TrimSpace(f.RequestID))
	add("e.link_session_id", strings.TrimSpace(f.LinkSessionID))
	add("e.item_id", strings.TrimSpace(f.ItemID))
	add("e.error_code", strings.ToUpper(strings.TrimSpace(f.ErrorCode)))
	add("e.kind", string(f.Kind))
	if f.Errors {
		where = append(where, "e.error_code IS NOT NULL")
	}
	if m := matchExpr(f.Text); m != "" {
		where, args = append(where, "log_search MATCH ?"), append(args, m)
	}
	return where, args
}

// from returns the FROM clause the filter needs.
func (f Filter) from() string {
	if matchExpr(f.Text) != "" {
		return " FROM log_search JOIN log_entries e ON e.id = log_search.rowid "
	}
	return " FROM log_entries e "
}

// idColumn names the entry id in the filter's FROM clause: with free text
// the id of log_search, so that the full-text index yields the entries in
// the log's order instead of sorting its matches.
func (f Filter) idColumn() string {
	if matchExpr(f.Text) != "" {
		return "log_search.rowid"
	}
	return "e.id"
}

func whereSQL(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// matchExpr turns free text into an FTS5 query: each word (split the way
// log_search splits text) is a phrase whose last token may be a prefix, and
// all must match. Words with no letter or digit are dropped.
func matchExpr(text string) string {
	var terms []string
	for _, w := range strings.Fields(text) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	return strings.Join(terms, " ")
}

const joins = `LEFT JOIN api_calls c ON c.entry_id = e.id
	LEFT JOIN link_events v ON v.entry_id = e.id
	LEFT JOIN webhooks w ON w.entry_id = e.id`

// entrySelect selects every column of an entry; without bodies, those
// columns are empty.
func entrySelect(bodies bool) string {
	b := [4]string{"''", "''", "''", "''"}
	if bodies {
		b = [4]string{"COALESCE(c.request_body, '')", "COALESCE(c.response_body, '')",
			"COALESCE(v.metadata, '')", "COALESCE(w.body, '')"}
	}
	return `SELECT e.id, e.kind, e.time, COALESCE(e.session_id, ''), COALESCE(e.request_id, ''),
		COALESCE(e.link_session_id, ''), COALESCE(e.item_id, ''), COALESCE(e.error_type, ''), COALESCE(e.error_code, ''),
		COALESCE(c.method, ''), COALESCE(c.endpoint, ''), COALESCE(c.http_status, 0), COALESCE(c.error_message, ''),
		COALESCE(c.duration_ns, 0), COALESCE(c.source, ''), ` + b[0] + `, ` + b[1] + `,
		COALESCE(v.kind, ''), COALESCE(v.event_name, ''), COALESCE(v.view_name, ''), COALESCE(v.error_message, ''),
		COALESCE(v.exit_status, ''), COALESCE(v.institution_id, ''), COALESCE(v.institution_name, ''), ` + b[2] + `,
		COALESCE(w.webhook_type, ''), COALESCE(w.webhook_code, ''), ` + b[3]
}

func (s *Store) queryEntries(ctx context.Context, query string, args ...any) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// entryRowScan holds one row of entrySelect.
type entryRowScan struct {
	id                                                        int64
	kind, time                                                string
	session, request, linkSession, item, errType, errCode     string
	method, endpoint                                          string
	httpStatus                                                int
	callMsg                                                   string
	duration                                                  int64
	source, reqBody, respBody                                 string
	evKind, evName, view, evMsg, exit, instID, instName, meta string
	whType, whCode, whBody                                    string
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var r entryRowScan
	err := rows.Scan(&r.id, &r.kind, &r.time, &r.session, &r.request, &r.linkSession, &r.item, &r.errType, &r.errCode,
		&r.method, &r.endpoint, &r.httpStatus, &r.callMsg, &r.duration, &r.source, &r.reqBody, &r.respBody,
		&r.evKind, &r.evName, &r.view, &r.evMsg, &r.exit, &r.instID, &r.instName, &r.meta,
		&r.whType, &r.whCode, &r.whBody)
	if err != nil {
		return Entry{}, err
	}
	return r.entry()
}

func (r entryRowScan) entry() (Entry, error) {
	t := parseTime(r.time)
	e := Entry{ID: r.id, Kind: EntryKind(r.kind)}
	switch e.Kind {
	case KindCall:
		e.Call = &APICall{ID: r.id, SessionID: r.session, Time: t, Method: r.method, Endpoint: r.endpoint,
			HTTPStatus: r.httpStatus, RequestID: r.request, ErrorType: r.errType, ErrorCode: r.errCode,
			ErrorMessage: r.callMsg, ItemID: r.item, Duration: time.Duration(r.duration), Source: r.source,
			RequestBody: bytesOrNil(r.reqBody), ResponseBody: bytesOrNil(r.respBody)}
	case KindEvent:
		e.Event = &LinkEvent{ID: r.id, SessionID: r.session, Time: t, Kind: r.evKind, EventName: r.evName,
			LinkSessionID: r.linkSession, RequestID: r.request, ViewName: r.view, ErrorType: r.errType,
			ErrorCode: r.errCode, ErrorMessage: r.evMsg, ExitStatus: r.exit, InstitutionID: r.instID,
			InstitutionName: r.instName, Metadata: bytesOrNil(r.meta)}
	case KindWebhook:
		e.Webhook = &Webhook{ID: r.id, SessionID: r.session, Time: t, WebhookType: r.whType, WebhookCode: r.whCode,
			ItemID: r.item, ErrorType: r.errType, ErrorCode: r.errCode, Body: bytesOrNil(r.whBody)}
	default:
		return Entry{}, fmt.Errorf("log entry %d has unknown kind %q", r.id, r.kind)
	}
	return e, nil
}

func bytesOrNil(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

func reverse(es []Entry) {
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
}
