package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/jsonenc"
)

// entryEncoder writes the entries of the JSON export byte for byte as
// encoding/json writes entryJSON (field order, omitempty, escaping <, >
// and & and U+2028/U+2029, invalid UTF-8 as U+FFFD, bodies that are JSON
// compacted, others as strings), into a buffer it reuses, without
// reflection. A big log's export spends its time here, once per entry;
// TestEntryEncoderMatchesEncodingJSON holds it to encoding/json's output.
type entryEncoder struct {
	buf []byte
	n   int // entries written
}

// entry returns "\n" and the entry's JSON object; the slice is valid
// until the next call.
func (enc *entryEncoder) entry(j *entryJSON) []byte {
	return write(enc, &entryOf[string]{ID: j.ID, Time: j.Time, Kind: string(j.Kind), SessionID: j.SessionID,
		Source: j.Source, Method: j.Method, Endpoint: j.Endpoint, HTTPStatus: j.HTTPStatus, DurationMS: j.DurationMS,
		EventKind: j.EventKind, EventName: j.EventName, WebhookType: j.WebhookType, WebhookCode: j.WebhookCode,
		Signature: j.Signature, RequestID: j.RequestID, LinkSessionID: j.LinkSessionID, ItemID: j.ItemID,
		ViewName: j.ViewName, ExitStatus: j.ExitStatus, InstitutionID: j.InstitutionID,
		InstitutionName: j.InstitutionName, ErrorType: j.ErrorType, ErrorCode: j.ErrorCode,
		ErrorMessage: j.ErrorMessage, RequestBody: j.RequestBody, ResponseBody: j.ResponseBody,
		Metadata: j.Metadata, Body: j.Body})
}

// entryOf is entryJSON with its text as strings, or as bytes read from the
// database without copies (see exportEntries).
type entryOf[S string | []byte] struct {
	ID                                                                   int64
	Time, Kind, SessionID, Source, Method, Endpoint                      S
	HTTPStatus                                                           *int
	DurationMS                                                           *float64
	EventKind, EventName, WebhookType, WebhookCode, Signature, RequestID S
	LinkSessionID, ItemID, ViewName, ExitStatus, InstitutionID           S
	InstitutionName, ErrorType, ErrorCode, ErrorMessage                  S
	RequestBody, ResponseBody, Metadata, Body                            []byte
}

// write returns "\n" and the entry's JSON object, in entryJSON's field
// order; the slice is valid until the next call.
func write[S string | []byte](enc *entryEncoder, j *entryOf[S]) []byte {
	enc.n++
	enc.buf = appendEntry(enc.buf[:0], j)
	return enc.buf
}

func appendEntry[S string | []byte](b []byte, j *entryOf[S]) []byte {
	b = append(b, "\n{\"id\":"...)
	b = strconv.AppendInt(b, j.ID, 10)
	b = appendField(b, "time", j.Time, false)
	b = appendField(b, "kind", j.Kind, false)
	b = appendField(b, "session_id", j.SessionID, true)
	b = appendField(b, "source", j.Source, true)
	b = appendField(b, "method", j.Method, true)
	b = appendField(b, "endpoint", j.Endpoint, true)
	if j.HTTPStatus != nil {
		b = append(b, `,"http_status":`...)
		b = strconv.AppendInt(b, int64(*j.HTTPStatus), 10)
	}
	if j.DurationMS != nil {
		b = append(b, `,"duration_ms":`...)
		b = jsonenc.AppendFloat(b, *j.DurationMS)
	}
	b = appendField(b, "event_kind", j.EventKind, true)
	b = appendField(b, "event_name", j.EventName, true)
	b = appendField(b, "webhook_type", j.WebhookType, true)
	b = appendField(b, "webhook_code", j.WebhookCode, true)
	b = appendField(b, "signature", j.Signature, true)
	b = appendField(b, "request_id", j.RequestID, true)
	b = appendField(b, "link_session_id", j.LinkSessionID, true)
	b = appendField(b, "item_id", j.ItemID, true)
	b = appendField(b, "view_name", j.ViewName, true)
	b = appendField(b, "exit_status", j.ExitStatus, true)
	b = appendField(b, "institution_id", j.InstitutionID, true)
	b = appendField(b, "institution_name", j.InstitutionName, true)
	b = appendField(b, "error_type", j.ErrorType, true)
	b = appendField(b, "error_code", j.ErrorCode, true)
	b = appendField(b, "error_message", j.ErrorMessage, true)
	b = appendBody(b, "request_body", j.RequestBody)
	b = appendBody(b, "response_body", j.ResponseBody)
	b = appendBody(b, "metadata", j.Metadata)
	b = appendBody(b, "body", j.Body)
	return append(b, '}')
}

// appendField appends ,"name":"value", unless omitempty and value is "".
func appendField[S string | []byte](b []byte, name string, value S, omitempty bool) []byte {
	if omitempty && len(value) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return jsonenc.AppendString(b, value)
}

// appendBody appends ,"name": and the body, as JSON when it is JSON
// (compacted, as encoding/json writes a json.RawMessage), else as a
// string; nothing for an empty body.
func appendBody(b []byte, name string, body []byte) []byte {
	if len(body) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	if out, ok := jsonenc.AppendCompact(b, body); ok {
		return out
	}
	return jsonenc.AppendString(b, body)
}

// exportTextColumns are the text columns of an entry the JSON export
// reads, in the order exportRow packs them; a row has values only in its
// kind's table, the other joins' columns are NULL.
var exportTextColumns = [...]string{"e.kind", "e.time", "e.session_id", "e.request_id", "e.link_session_id",
	"e.item_id", "e.error_type", "e.error_code",
	"c.method", "c.endpoint", "c.source", "c.error_message", "c.response_body", "c.request_body",
	"v.kind", "v.event_name", "v.view_name", "v.error_message", "v.exit_status", "v.institution_id",
	"v.institution_name", "v.metadata",
	"w.webhook_type", "w.webhook_code", "w.signature", "w.body"}

// exportIntColumns are its numbers, NULL read as 0.
var exportIntColumns = [...]string{"e.id", "e.masked", "c.http_status", "c.duration_ns"}

// exportRow is the one column the JSON export reads per entry: SQLite
// packs the row into one text value, the numbers and the byte length of
// each text column in decimal, separated by spaces and ended by ':',
// then the text columns one after the other (NULL as nothing). Each
// column is a trip through the SQLite API in modernc.org/sqlite, three
// calls under the connection's mutex, which was a third of the export's
// CPU with a column per value (rawRow.unpack reads it back).
var exportRow = func() string {
	var format, args, texts []string
	for _, c := range exportIntColumns {
		format, args = append(format, "%d"), append(args, c)
	}
	for _, c := range exportTextColumns {
		format, args, texts = append(format, "%d"), append(args, "octet_length("+c+")"), append(texts, c)
	}
	return "SELECT concat(printf('" + strings.Join(format, " ") + ":', " + strings.Join(args, ", ") + "), " +
		strings.Join(texts, ", ") + ")"
}()

// rawRow is a row of the JSON export as the driver hands it over: the
// text in a buffer reused from row to row (sql.RawBytes), no string or
// slice allocated for it.
type rawRow struct {
	id                                                        int64
	kind, time                                                []byte
	session, request, linkSession, item, errType, errCode     []byte
	method, endpoint                                          []byte
	httpStatus                                                int
	callMsg                                                   []byte
	duration                                                  int64
	source, reqBody, respBody                                 []byte
	evKind, evName, view, evMsg, exit, instID, instName, meta []byte
	whType, whCode, whSig, whBody                             []byte
	masked                                                    int
	demo                                                      bool // recorded by a run of the demo
	packed                                                    sql.RawBytes
	timeBuf                                                   []byte
}

// errPacked is a packed row that does not read back (see exportRow).
var errPacked = errors.New("reading the log for export: a packed row does not match its lengths")

// unpack reads r.packed (see exportRow) into the row's fields, which
// point into it, and keeps only its kind's columns.
func (r *rawRow) unpack() error {
	p := r.packed
	var ints [len(exportIntColumns) + len(exportTextColumns)]int64
	for i := range ints {
		neg := len(p) > 0 && p[0] == '-'
		if neg {
			p = p[1:]
		}
		n, digits := int64(0), 0
		for ; digits < len(p) && p[digits] >= '0' && p[digits] <= '9'; digits++ {
			n = n*10 + int64(p[digits]-'0')
		}
		want := byte(' ')
		if i == len(ints)-1 {
			want = ':'
		}
		if digits == 0 || digits > 19 || digits >= len(p) || p[digits] != want {
			return errPacked
		}
		if neg {
			n = -n
		}
		ints[i], p = n, p[digits+1:]
	}
	r.id, r.masked, r.httpStatus, r.duration = ints[0], int(ints[1]), int(ints[2]), ints[3]
	var text [len(exportTextColumns)][]byte
	for i, n := range ints[len(exportIntColumns):] {
		if n < 0 || n > int64(len(p)) {
			return errPacked
		}
		text[i], p = p[:n:n], p[n:]
	}
	if len(p) != 0 {
		return errPacked
	}
	r.kind, r.time, r.session, r.request, r.linkSession, r.item, r.errType, r.errCode =
		text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7]
	r.method, r.endpoint, r.source, r.callMsg, r.respBody, r.reqBody = nil, nil, nil, nil, nil, nil
	r.evKind, r.evName, r.view, r.evMsg, r.exit, r.instID, r.instName, r.meta = nil, nil, nil, nil, nil, nil, nil, nil
	r.whType, r.whCode, r.whSig, r.whBody = nil, nil, nil, nil
	switch EntryKind(r.kind) {
	case KindCall:
		r.method, r.endpoint, r.source, r.callMsg, r.respBody, r.reqBody = text[8], text[9], text[10], text[11], text[12], text[13]
	case KindEvent:
		r.evKind, r.evName, r.view, r.evMsg, r.exit = text[14], text[15], text[16], text[17], text[18]
		r.instID, r.instName, r.meta = text[19], text[20], text[21]
	default:
		r.whType, r.whCode, r.whSig, r.whBody = text[22], text[23], text[24], text[25]
	}
	return nil
}

// scanned is the row as entryRowScan, copied out of the driver's buffers.
func (r *rawRow) scanned() entryRowScan {
	return entryRowScan{id: r.id, kind: string(r.kind), time: string(r.time), session: string(r.session),
		request: string(r.request), linkSession: string(r.linkSession), item: string(r.item),
		errType: string(r.errType), errCode: string(r.errCode), method: string(r.method),
		endpoint: string(r.endpoint), httpStatus: r.httpStatus, callMsg: string(r.callMsg), duration: r.duration,
		source: string(r.source), reqBody: string(r.reqBody), respBody: string(r.respBody),
		evKind: string(r.evKind), evName: string(r.evName), view: string(r.view), evMsg: string(r.evMsg),
		exit: string(r.exit), instID: string(r.instID), instName: string(r.instName), meta: string(r.meta),
		whType: string(r.whType), whCode: string(r.whCode), whSig: string(r.whSig), whBody: string(r.whBody),
		masked: r.masked, demo: r.demo}
}

// The export's source and kind words, as Entry.Source and Entry.ShownKind
// give them.
var (
	sourceAppBytes          = []byte(SourceApp)
	sourceDemoBytes         = []byte(SourceDemo)
	sourceLinkexplorerBytes = []byte(SourceLinkexplorer)
	kindAppBytes            = []byte(KindApp)
)

// sourceAndKind are the row's source and shown kind (see Entry.Source).
func (r *rawRow) sourceAndKind() (source, kind []byte) {
	if EntryKind(r.kind) == KindCall && (string(r.source) == SourceApp || string(r.source) == storedSourceEmulator) {
		return sourceAppBytes, kindAppBytes
	}
	if r.demo {
		return sourceDemoBytes, r.kind
	}
	return sourceLinkexplorerBytes, r.kind
}

// fields is the row as entryFields makes an entry of it, for a row of a
// known kind; the result points into r.
func (r *rawRow) fields(j *entryOf[[]byte], ms *float64) {
	r.timeBuf = parseTime(string(r.time)).UTC().AppendFormat(r.timeBuf[:0], timeLayout)
	source, kind := r.sourceAndKind()
	*j = entryOf[[]byte]{ID: r.id, Time: r.timeBuf, Kind: kind, Source: source, SessionID: r.session, ErrorType: r.errType, ErrorCode: r.errCode}
	switch EntryKind(r.kind) {
	case KindCall:
		*ms = float64(time.Duration(r.duration)) / float64(time.Millisecond)
		j.Method, j.Endpoint, j.HTTPStatus, j.DurationMS = r.method, r.endpoint, &r.httpStatus, ms
		j.RequestID, j.ItemID, j.ErrorMessage = r.request, r.item, r.callMsg
		j.RequestBody, j.ResponseBody = r.reqBody, r.respBody
	case KindEvent:
		j.EventKind, j.EventName, j.ViewName, j.ExitStatus = r.evKind, r.evName, r.view, r.exit
		j.RequestID, j.LinkSessionID, j.ErrorMessage = r.request, r.linkSession, r.evMsg
		j.InstitutionID, j.InstitutionName, j.Metadata = r.instID, r.instName, r.meta
	case KindWebhook:
		j.WebhookType, j.WebhookCode, j.Signature, j.Body = r.whType, r.whCode, r.whSig, r.whBody
		j.ItemID = r.item
	}
}

// demoSessions tells whether a session was a run of the demo
// (Entry.Source), from the kinds of the sessions the export lists,
// asking the store for a session that is not among them (one started
// after they were read).
type demoSessions struct {
	s     *Store
	kinds map[string]bool // session id → a demo's
	last  string
	demo  bool
}

func newDemoSessions(s *Store, sessions []Session) *demoSessions {
	d := &demoSessions{s: s, kinds: make(map[string]bool, len(sessions))}
	for _, sess := range sessions {
		d.kinds[sess.ID] = isDemoKind(sess.Kind)
	}
	return d
}

// isDemoKind is the session kind's LIKE 'demo:%' (entrySelect's test:
// ASCII letters in any case).
func isDemoKind(kind string) bool { return len(kind) >= 5 && strings.EqualFold(kind[:5], "demo:") }

// of tells whether the session of that id was a demo's; no session, or
// one the store does not hold, is not.
func (d *demoSessions) of(ctx context.Context, id []byte) (bool, error) {
	if len(id) == 0 {
		return false, nil
	}
	if string(id) == d.last {
		return d.demo, nil
	}
	demo, ok := d.kinds[string(id)]
	if !ok {
		var kind string
		err := d.s.db.QueryRowContext(ctx, `SELECT kind FROM sessions WHERE id = ?`, string(id)).Scan(&kind)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		demo = isDemoKind(kind)
		d.kinds[string(id)] = demo
	}
	d.last, d.demo = string(id), demo
	return demo, nil
}

// exportEntries writes the entries matching f, newest first, each
// preceded by a comma but the first. Entries masked on the way in with
// the current rules, nearly all, go from the driver's buffer to the
// output without being copied into an Entry; the others are masked again
// on the way, as each does.
func (s *Store) exportEntries(ctx context.Context, w *bufio.Writer, f Filter, enc *entryEncoder, demo *demoSessions) error {
	fs, err := s.compile(ctx, f)
	if err != nil {
		return err
	}
	query, args := Query{Bodies: true, columns: exportRow}.sql(fs, 0)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		r  rawRow
		j  entryOf[[]byte]
		ms float64
	)
	for rows.Next() {
		if err := rows.Scan(&r.packed); err != nil {
			return err
		}
		if err := r.unpack(); err != nil {
			return err
		}
		if r.demo, err = demo.of(ctx, r.session); err != nil {
			return err
		}
		if enc.n > 0 {
			w.WriteByte(',')
		}
		var out []byte
		switch k := EntryKind(r.kind); {
		case maskedOnWrite(r.masked) && (k == KindCall || k == KindEvent || k == KindWebhook):
			r.fields(&j, &ms)
			out = write(enc, &j)
		default:
			e, err := r.scanned().entry()
			if err != nil {
				return err
			}
			if !maskedOnWrite(e.masked) {
				e = remask(e)
			}
			jj := entryFields(e)
			out = enc.entry(&jj)
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
