package store

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// entryEncoder writes the entries of the JSON export byte for byte as
// encoding/json writes entryJSON (field order, omitempty, escaping <, >
// and & and U+2028/U+2029, invalid UTF-8 as U+FFFD, bodies that are JSON
// compacted, others as strings), into a buffer it reuses, without
// reflection. A big log's export spends its time here, once per entry;
// TestEntryEncoderMatchesEncodingJSON holds it to encoding/json's output.
type entryEncoder struct {
	buf     []byte
	compact bytes.Buffer // a body, compacted
	escaped bytes.Buffer // a compacted body with <, > and & escaped
	n       int          // entries written
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
		b = appendFloat(b, *j.DurationMS)
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
	return appendString(b, value)
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
	enc.compact.Reset()
	if json.Compact(&enc.compact, body) != nil {
		return appendString(b, body)
	}
	c := enc.compact.Bytes()
	if needsHTMLEscape(c) {
		enc.escaped.Reset()
		json.HTMLEscape(&enc.escaped, c)
		c = enc.escaped.Bytes()
	}
	return append(b, c...)
}

// needsHTMLEscape reports whether compacted JSON holds <, > or &, or the
// first byte of U+2028 or U+2029 (0xE2, which other characters share),
// which encoding/json escapes. A byte loop: bytes.IndexAny with characters
// beyond ASCII decodes every rune.
func needsHTMLEscape(b []byte) bool {
	for _, c := range b {
		if c == '<' || c == '>' || c == '&' || c == 0xE2 {
			return true
		}
	}
	return false
}

// appendFloat appends f as encoding/json writes a float64.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, as encoding/json writes it with
// HTML escaping (its default).
func appendString[S string | []byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		var r rune
		var size int
		switch v := any(s).(type) {
		case string:
			r, size = utf8.DecodeRuneInString(v[i:])
		case []byte:
			r, size = utf8.DecodeRune(v[i:])
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
