package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Filter selects entries of the log. Empty fields match everything; the
// fields that are set must all match.
type Filter struct {
	SessionID     string
	RequestID     string // exact (request ids are case-sensitive)
	LinkSessionID string
	ItemID        string
	ErrorCode     string    // e.g. "INVALID_LINK_TOKEN"
	Kind          EntryKind // KindCall (linkexplorer's calls), KindApp (the user's app's calls), KindEvent or KindWebhook
	Source        string    // SourceLinkexplorer, SourceApp or SourceDemo
	Errors        bool      // only entries with an error code
	// Text matches words and word prefixes, case-insensitively, in an
	// entry's endpoint or event name, ids, error type, code and message,
	// view, exit status, institution and webhook type and code, and in
	// the request and response bodies of calls and webhooks' bodies
	// (their first 400 distinct words, keys and values; a masked value is
	// found only by what is shown of it; entries recorded before bodies were
	// indexed are found by their other fields). Words are runs of letters and digits: "login" finds
	// ITEM_LOGIN_REQUIRED, "public_token/exch" finds
	// /item/public_token/exchange. Every word given must match; the last
	// word of each space-separated term may be a prefix.
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
	// columns replaces entrySelect's columns (the JSON export's own).
	columns string
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
// not on the size of the log: pages are read by keyset (the entry id)
// rather than by offset, every filter but Errors has an index, and free
// text has an index of words (see search.go).
func (s *Store) Entries(ctx context.Context, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	fs, err := s.compile(ctx, q.Filter)
	if err != nil {
		return Page{}, fmt.Errorf("reading the session log: %w", err)
	}
	query, args := q.sql(fs, limit+1)
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

// sql returns the query for a page of at most limit entries matching fs
// (every one when limit <= 0), and its arguments.
func (q Query) sql(fs filterSQL, limit int) (string, []any) {
	fs.before, fs.after = q.Before, q.After
	sel := q.columns
	if sel == "" {
		sel = entrySelect(q.Bodies)
	}
	order := "DESC"
	if q.After != 0 {
		order = "ASC"
	}
	if fs.driver == nil {
		if limit <= 0 {
			q, args := fs.idsFrom(sel+" FROM log_entries e "+joins, "e.id", order, 0)
			return q + " ORDER BY e.id " + order, args
		}
		return fs.idsFrom(sel+" FROM log_entries e "+joins, "e.id", order, limit)
	}
	ids, args := fs.ids(order, limit)
	q2 := sel + " FROM log_entries e " + joins + " WHERE e.id IN (" + ids + ")" + " ORDER BY e.id " + order
	if limit <= 0 {
		return q2, args
	}
	return q2 + " LIMIT ?", append(args, limit)
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
	fs, err := s.compile(ctx, f)
	var n int
	if err == nil {
		ids, args := fs.ids("", 0)
		err = s.db.QueryRowContext(ctx, "SELECT count(*) FROM ("+ids+")", args...).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("counting log entries: %w", err)
	}
	return n, nil
}

// filterSQL is a Filter as SQL: conditions on log_entries e and their
// arguments, the words that drive a text search (if any), and the cursor.
type filterSQL struct {
	where         []string
	args          []any
	driver        []string
	before, after int64 // see Query
}

// compile turns a Filter into SQL.
func (s *Store) compile(ctx context.Context, f Filter) (filterSQL, error) {
	var fs filterSQL
	indexed := false
	add := func(col, v string) {
		if v != "" {
			fs, indexed = fs.and(col+" = ?", v), true
		}
	}
	add("e.session_id", strings.TrimSpace(f.SessionID))
	add("e.request_id", strings.TrimSpace(f.RequestID))
	add("e.link_session_id", strings.TrimSpace(f.LinkSessionID))
	add("e.item_id", strings.TrimSpace(f.ItemID))
	add("e.error_code", strings.ToUpper(strings.TrimSpace(f.ErrorCode)))
	switch f.Kind {
	case "":
	case KindCall:
		fs, indexed = fs.and("e.kind = 'call' AND NOT "+appCallSQL), true
	case KindApp:
		fs, indexed = fs.and("e.kind = 'call' AND "+appCallSQL), true
	case KindEvent, KindWebhook:
		add("e.kind", string(f.Kind))
	default:
		return filterSQL{}, fmt.Errorf("unknown kind %q: use %s", f.Kind, kindList())
	}
	switch strings.ToLower(strings.TrimSpace(f.Source)) {
	case "":
	case SourceApp:
		fs = fs.and("e.kind = 'call' AND " + appCallSQL)
	case SourceDemo:
		fs = fs.and(demoSessionSQL)
	case SourceLinkexplorer:
		fs = fs.and("NOT (e.kind = 'call' AND " + appCallSQL + ") AND NOT " + demoSessionSQL)
	default:
		return filterSQL{}, fmt.Errorf("unknown source %q: use %s", f.Source, strings.Join(Sources, ", "))
	}
	if f.Errors {
		fs = fs.and("e.error_code IS NOT NULL")
	}
	conds := parseText(f.Text)
	for _, c := range conds {
		fs = fs.and("instr(e.words, ?) > 0", c.pattern())
	}
	if len(conds) > 0 {
		var err error
		if fs.driver, err = s.driver(ctx, conds, indexed); err != nil {
			return filterSQL{}, err
		}
	}
	return fs, nil
}

// appCallSQL holds for an entry that is a call from the user's own app
// (stored as "app", or "emulator" by older versions).
const appCallSQL = `EXISTS (SELECT 1 FROM api_calls ac WHERE ac.entry_id = e.id AND ac.source IN ('app', 'emulator'))`

// demoSessionSQL holds for an entry recorded by a run of the demo.
const demoSessionSQL = `COALESCE(e.session_id IN (SELECT ds.id FROM sessions ds WHERE ds.kind LIKE 'demo:%'), 0)`

// kindList names the kinds a Filter accepts.
func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// ids returns a query for the ids of the matching entries, and its
// arguments: with limit > 0, the first limit of them in the given order,
// "DESC" or "ASC".
func (fs filterSQL) ids(order string, limit int) (string, []any) {
	if fs.driver == nil {
		return fs.idsFrom("SELECT e.id FROM log_entries e", "e.id", order, limit)
	}
	branches := make([]string, len(fs.driver))
	var args []any
	for i, w := range fs.driver {
		// The driving word's entries come from log_words in id order.
		q, a := fs.and("lw.word = ?", w).idsFrom(
			"SELECT lw.entry_id AS id FROM log_words lw JOIN log_entries e ON e.id = lw.entry_id", "lw.entry_id", order, limit)
		if limit > 0 {
			q = "SELECT id FROM (" + q + ")"
		}
		branches[i], args = q, append(args, a...)
	}
	return strings.Join(branches, " UNION "), args
}

// idsFrom completes a query selecting ids with the conditions, the cursor
// on the id column, and the order and limit.
func (fs filterSQL) idsFrom(sel, id, order string, limit int) (string, []any) {
	if fs.before != 0 {
		fs = fs.and(id+" < ?", fs.before)
	}
	if fs.after != 0 {
		fs = fs.and(id+" > ?", fs.after)
	}
	q, args := sel+fs.whereSQL(), fs.args
	if limit > 0 {
		q, args = q+" ORDER BY "+id+" "+order+" LIMIT ?", append(args, limit)
	}
	return q, args
}

// and returns fs with one more condition.
func (fs filterSQL) and(cond string, args ...any) filterSQL {
	fs.where = append(fs.where[:len(fs.where):len(fs.where)], cond)
	fs.args = append(fs.args[:len(fs.args):len(fs.args)], args...)
	return fs
}

// whereSQL is the WHERE clause, if any.
func (fs filterSQL) whereSQL() string {
	if len(fs.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(fs.where, " AND ")
}

const joins = `LEFT JOIN api_calls c ON c.entry_id = e.id
	LEFT JOIN link_events v ON v.entry_id = e.id
	LEFT JOIN webhooks w ON w.entry_id = e.id`

// entrySelect selects every column of an entry; without bodies, those
// columns are empty.
func entrySelect(bodies bool) string {
	b := [4]string{"''", "''", "''", "''"}
	verification := "''"
	if bodies {
		b = [4]string{"COALESCE(c.request_body, '')", "COALESCE(c.response_body, '')",
			"COALESCE(v.metadata, '')", "COALESCE(w.body, '')"}
		verification = "COALESCE(w.verification, '')"
	}
	return `SELECT e.id, e.kind, e.time, COALESCE(e.session_id, ''), COALESCE(e.request_id, ''),
		COALESCE(e.link_session_id, ''), COALESCE(e.item_id, ''), COALESCE(e.error_type, ''), COALESCE(e.error_code, ''),
		COALESCE(c.method, ''), COALESCE(c.endpoint, ''), COALESCE(c.http_status, 0), COALESCE(c.error_message, ''),
		COALESCE(c.duration_ns, 0), COALESCE(c.source, ''), ` + b[0] + `, ` + b[1] + `,
		COALESCE(v.kind, ''), COALESCE(v.event_name, ''), COALESCE(v.view_name, ''), COALESCE(v.error_message, ''),
		COALESCE(v.exit_status, ''), COALESCE(v.institution_id, ''), COALESCE(v.institution_name, ''), ` + b[2] + `,
		COALESCE(w.webhook_type, ''), COALESCE(w.webhook_code, ''), COALESCE(w.signature, ''), ` + b[3] + `,
		e.masked, COALESCE((SELECT s.kind FROM sessions s WHERE s.id = e.session_id), '') LIKE 'demo:%', ` + verification + `,
		COALESCE(w.step, '')`
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
	whType, whCode, whSig, whBody                             string
	masked                                                    int
	demo                                                      bool
	verification                                              string
	step                                                      string
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var r entryRowScan
	err := rows.Scan(&r.id, &r.kind, &r.time, &r.session, &r.request, &r.linkSession, &r.item, &r.errType, &r.errCode,
		&r.method, &r.endpoint, &r.httpStatus, &r.callMsg, &r.duration, &r.source, &r.reqBody, &r.respBody,
		&r.evKind, &r.evName, &r.view, &r.evMsg, &r.exit, &r.instID, &r.instName, &r.meta,
		&r.whType, &r.whCode, &r.whSig, &r.whBody, &r.masked, &r.demo, &r.verification, &r.step)
	if err != nil {
		return Entry{}, err
	}
	return r.entry()
}

func (r entryRowScan) entry() (Entry, error) {
	t := parseTime(r.time)
	e := Entry{ID: r.id, Kind: EntryKind(r.kind), masked: r.masked, demo: r.demo}
	if r.source == storedSourceEmulator {
		r.source = SourceApp
	}
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
			ItemID: r.item, ErrorType: r.errType, ErrorCode: r.errCode, Signature: r.whSig, Body: bytesOrNil(r.whBody),
			Verification: r.verification, Step: r.step}
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
