package store

import (
	"strconv"

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
	enc.n++
	b := append(enc.buf[:0], "\n{\"id\":"...)
	b = strconv.AppendInt(b, j.ID, 10)
	b = appendField(b, "time", j.Time, false)
	b = appendField(b, "kind", string(j.Kind), false)
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
	b = enc.appendBody(b, "request_body", j.RequestBody)
	b = enc.appendBody(b, "response_body", j.ResponseBody)
	b = enc.appendBody(b, "metadata", j.Metadata)
	b = enc.appendBody(b, "body", j.Body)
	b = append(b, '}')
	enc.buf = b
	return b
}

// appendField appends ,"name":"value", unless omitempty and value is "".
func appendField(b []byte, name, value string, omitempty bool) []byte {
	if omitempty && value == "" {
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
func (enc *entryEncoder) appendBody(b []byte, name string, body []byte) []byte {
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
