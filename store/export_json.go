package store

import (
	"bufio"
	"context"
	"database/sql"
	"strconv"
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

// exportColumns are the columns the JSON export reads: the kind's own
// columns share one result column each (a call's method, an event's kind
// and a webhook's type in k1, and so on), 21 columns where entrySelect has
// 30, each of which the driver fetches through the SQLite API.
const exportColumns = `SELECT e.id, e.kind, e.time, COALESCE(e.session_id, ''), COALESCE(e.request_id, ''),
	COALESCE(e.link_session_id, ''), COALESCE(e.item_id, ''), COALESCE(e.error_type, ''), COALESCE(e.error_code, ''),
	e.masked, COALESCE(c.http_status, 0), COALESCE(c.duration_ns, 0),
	COALESCE(CASE e.kind WHEN 'call' THEN c.method WHEN 'event' THEN v.kind ELSE w.webhook_type END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.endpoint WHEN 'event' THEN v.event_name ELSE w.webhook_code END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.source WHEN 'event' THEN v.view_name ELSE w.signature END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.error_message ELSE v.error_message END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.response_body ELSE v.exit_status END, ''),
	COALESCE(v.institution_id, ''), COALESCE(v.institution_name, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.request_body WHEN 'event' THEN v.metadata ELSE w.body END, ''),
	COALESCE((SELECT s.kind FROM sessions s WHERE s.id = e.session_id), '') LIKE 'demo:%'`

// rawRow is a row of the JSON export as the driver hands it over: the
// text in buffers reused from row to row (sql.RawBytes), no string or
// slice allocated for it.
type rawRow struct {
	id                                                        int64
	kind, time                                                sql.RawBytes
	session, request, linkSession, item, errType, errCode     sql.RawBytes
	method, endpoint                                          sql.RawBytes
	httpStatus                                                int
	callMsg                                                   sql.RawBytes
	duration                                                  int64
	source, reqBody, respBody                                 sql.RawBytes
	evKind, evName, view, evMsg, exit, instID, instName, meta sql.RawBytes
	whType, whCode, whSig, whBody                             sql.RawBytes
	masked                                                    int
	demo                                                      bool            // recorded by a run of the demo
	k                                                         [6]sql.RawBytes // the shared columns
	timeBuf                                                   []byte
}

// scan reads a row of exportColumns and hands the shared columns to the
// row's kind.
func (r *rawRow) scan(rows *sql.Rows) error {
	err := rows.Scan(&r.id, &r.kind, &r.time, &r.session, &r.request, &r.linkSession, &r.item, &r.errType, &r.errCode,
		&r.masked, &r.httpStatus, &r.duration, &r.k[0], &r.k[1], &r.k[2], &r.k[3], &r.k[4], &r.instID, &r.instName, &r.k[5], &r.demo)
	if err != nil {
		return err
	}
	r.method, r.endpoint, r.source, r.callMsg, r.respBody, r.reqBody = nil, nil, nil, nil, nil, nil
	r.evKind, r.evName, r.view, r.evMsg, r.exit, r.meta = nil, nil, nil, nil, nil, nil
	r.whType, r.whCode, r.whSig, r.whBody = nil, nil, nil, nil
	switch EntryKind(r.kind) {
	case KindCall:
		r.method, r.endpoint, r.source, r.callMsg, r.respBody, r.reqBody = r.k[0], r.k[1], r.k[2], r.k[3], r.k[4], r.k[5]
	case KindEvent:
		r.evKind, r.evName, r.view, r.evMsg, r.exit, r.meta = r.k[0], r.k[1], r.k[2], r.k[3], r.k[4], r.k[5]
	default:
		r.whType, r.whCode, r.whSig, r.whBody = r.k[0], r.k[1], r.k[2], r.k[5]
	}
	if EntryKind(r.kind) != KindEvent {
		r.instID, r.instName = nil, nil
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

// exportEntries writes the entries matching f, newest first, each
// preceded by a comma but the first. Entries masked on the way in with
// the current rules, nearly all, go from the driver's buffers to the
// output without being copied into an Entry; the others are masked again
// on the way, as each does.
func (s *Store) exportEntries(ctx context.Context, w *bufio.Writer, f Filter, enc *entryEncoder) error {
	fs, err := s.compile(ctx, f)
	if err != nil {
		return err
	}
	query, args := Query{Bodies: true, columns: exportColumns}.sql(fs, 0)
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
		if err := r.scan(rows); err != nil {
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
	return rows.Err()
}
