package flows

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// PageEvent is one report from the callback page: a Link callback (load,
// event, success, exit), a page step (token_fetched, created, destroyed,
// token_error, script_error), or, with Rejected set, a refused request.
type PageEvent struct {
	Kind            string `json:"kind"`
	EventName       string `json:"event_name,omitempty"`
	LinkSessionID   string `json:"link_session_id,omitempty"`
	RequestID       string `json:"request_id,omitempty"`
	ViewName        string `json:"view_name,omitempty"`
	ErrorType       string `json:"error_type,omitempty"`
	ErrorCode       string `json:"error_code,omitempty"`
	ErrorMessage    string `json:"error_message,omitempty"`
	ExitStatus      string `json:"exit_status,omitempty"`
	InstitutionID   string `json:"institution_id,omitempty"`
	InstitutionName string `json:"institution_name,omitempty"`
	// PublicToken is the full public_token of a success report. It lives
	// only in memory for the flow to exchange: never log or store it.
	PublicToken  string          `json:"-"`
	Metadata     json.RawMessage `json:"metadata,omitempty"` // masked
	Time         time.Time       `json:"time"`
	Rejected     bool            `json:"rejected,omitempty"`
	RejectReason string          `json:"reject_reason,omitempty"`
	// Refused is, for a rejected event, how many refused requests it
	// stands for: 1 for one reported in full, more for a summary of those
	// not reported one by one.
	Refused int `json:"refused,omitempty"`
	// PageLoad and Seq identify a report: the page picks a random id each
	// time it loads (the OAuth return is a new load) and numbers its
	// reports 1, 2, 3… The server drops a (PageLoad, Seq) it already
	// accepted, so a report resent in a batch when the page went away is
	// recorded once. Both are empty for a report that carries neither.
	PageLoad string `json:"page_load,omitempty"`
	Seq      int64  `json:"seq,omitempty"`
}

// String describes the event for logs, with the public_token masked.
func (e PageEvent) String() string {
	var b strings.Builder
	b.WriteString(e.Kind)
	for _, kv := range [][2]string{
		{"event", e.EventName}, {"view", e.ViewName}, {"error", e.ErrorCode},
		{"status", e.ExitStatus}, {"link_session_id", e.LinkSessionID},
		{"request_id", e.RequestID}, {"public_token", redact.Value(e.PublicToken)},
		{"rejected", e.RejectReason},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	return b.String()
}

// that a report may carry; the required ones are marked with a "!" prefix.
var reportFields = map[string][]string{
	"load":          nil,
	"created":       nil,
	"destroyed":     nil,
	"event":         {"!event_name", "!metadata"},
	"success":       {"!public_token", "!metadata"},
	"exit":          {"!error", "!metadata"},
	"token_fetched": {"!link_token_last4"},
	"token_error":   {"!error"},
	"script_error":  {"!message"},
	// OAuth redirect round trip: the page is back from the bank, and (with
	// the deliberate mistake) Link started over without receivedRedirectUri.
	"oauth_return":    {"!oauth_state_id"},
	"oauth_restarted": nil,
}

// String length bounds for report fields.
const (
	maxIDLen      = 256
	maxMessageLen = 2048
	// maxPageLoadLen bounds a report's page-load id; maxSeq its number.
	maxPageLoadLen = 64
	maxSeq         = 1 << 31
)

// parseReports parses a report body: one report (a JSON object) or, sent
// by the page when it goes away, a batch (a JSON array of reports in the
// order they happened). Every report of a batch is checked exactly as a
// single one and must carry page and seq; one bad report refuses the whole
// batch, so a batch is applied entirely or not at all. On failure it
// returns the HTTP status to answer with, and the kind when it got that far.
func parseReports(body []byte, state string) ([]PageEvent, int, string, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		ev, status, err := parseReport(body, state)
		if err != nil {
			return nil, status, ev.Kind, err
		}
		return []PageEvent{ev}, status, ev.Kind, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, http.StatusBadRequest, "", fmt.Errorf("a batch of reports must be a JSON array of objects")
	}
	if len(items) == 0 {
		return nil, http.StatusBadRequest, "", fmt.Errorf("a batch of reports must not be empty")
	}
	evs := make([]PageEvent, 0, len(items))
	for i, item := range items {
		ev, status, err := parseReport(item, state)
		if err == nil && ev.PageLoad == "" {
			status, err = http.StatusBadRequest, fmt.Errorf("a report in a batch needs page and seq")
		}
		if err != nil {
			return nil, status, ev.Kind, fmt.Errorf("report %d of %d in the batch: %w", i+1, len(items), err)
		}
		evs = append(evs, ev)
	}
	return evs, http.StatusNoContent, evs[0].Kind, nil
}

// parseReport checks a report body against the session's state token and
// the expected shape of its kind, and turns it into a PageEvent. The
// envelope is strict (known kinds and fields only); the error and metadata
// objects come from Link, so unknown keys there are kept, but the keys
// linkexplorer reads must have the right types. On failure it returns the
// HTTP status to answer with, and the kind when it got that far.
func parseReport(body []byte, state string) (PageEvent, int, error) {
	ev := PageEvent{Time: time.Now()}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return ev, http.StatusBadRequest, fmt.Errorf("the report must be a JSON object")
	}
	got, err := stringField(fields, "state", maxIDLen)
	if err != nil || subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return ev, http.StatusForbidden, errors.New("the state token does not match this Link session")
	}
	kind, err := stringField(fields, "kind", 32)
	allowed, known := reportFields[kind]
	if err != nil || !known {
		return ev, http.StatusBadRequest, fmt.Errorf("unknown report kind %q", truncate(kind, 32))
	}
	ev.Kind = kind
	if err := checkFields(fields, kind, allowed); err != nil {
		return ev, http.StatusBadRequest, err
	}
	if err := readSeq(&ev, fields); err != nil {
		return ev, http.StatusBadRequest, err
	}
	if err := fillEvent(&ev, fields); err != nil {
		return ev, http.StatusBadRequest, err
	}
	return ev, http.StatusNoContent, nil
}

func checkFields(fields map[string]json.RawMessage, kind string, allowed []string) error {
	ok := map[string]bool{"state": true, "kind": true, "page": true, "seq": true}
	for _, f := range allowed {
		name, required := strings.CutPrefix(f, "!")
		ok[name] = true
		if _, present := fields[name]; required && !present {
			return fmt.Errorf("a %s report needs the field %q", kind, name)
		}
	}
	for k := range fields {
		if !ok[k] {
			return fmt.Errorf("unknown field %q in a %s report", truncate(k, 64), kind)
		}
	}
	return nil
}

// readSeq reads a report's page-load id and sequence number: both or
// neither. The id is 1-64 letters, digits, '-' or '_'; seq is an integer
// from 1 to 2^31.
func readSeq(ev *PageEvent, f map[string]json.RawMessage) error {
	_, hasPage := f["page"]
	rawSeq, hasSeq := f["seq"]
	if !hasPage && !hasSeq {
		return nil
	}
	if hasPage != hasSeq {
		return fmt.Errorf("a report carries page and seq together, or neither")
	}
	page, err := stringField(f, "page", maxPageLoadLen)
	if err != nil {
		return err
	}
	if page == "" || strings.ContainsFunc(page, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		return fmt.Errorf("page must be 1-%d letters, digits, '-' or '_'", maxPageLoadLen)
	}
	var seq int64
	if err := json.Unmarshal(rawSeq, &seq); err != nil || seq < 1 || seq > maxSeq {
		return fmt.Errorf("seq must be an integer from 1 to %d", int64(maxSeq))
	}
	ev.PageLoad, ev.Seq = page, seq
	return nil
}

// fillEvent reads the kind-specific fields into ev.
func fillEvent(ev *PageEvent, f map[string]json.RawMessage) error {
	var err error
	switch ev.Kind {
	case "event":
		if ev.EventName, err = stringField(f, "event_name", 64); err != nil {
			return err
		}
		if !validEventName(ev.EventName) {
			return fmt.Errorf("event_name %q is not a Link event name", truncate(ev.EventName, 64))
		}
		return readMetadata(ev, f["metadata"])
	case "success":
		if ev.PublicToken, err = optStringField(f, "public_token", 512); err != nil {
			return err
		}
		if strings.ContainsFunc(ev.PublicToken, func(r rune) bool { return r <= ' ' || r > '~' }) {
			return fmt.Errorf("public_token has characters a token cannot have")
		}
		return readMetadata(ev, f["metadata"])
	case "exit":
		if err := readLinkError(ev, f["error"], true); err != nil {
			return err
		}
		return readMetadata(ev, f["metadata"])
	case "token_error":
		return readLinkError(ev, f["error"], false)
	case "token_fetched":
		last4, err := stringField(f, "link_token_last4", 4)
		if err != nil {
			return err
		}
		ev.Metadata, _ = json.Marshal(map[string]string{"link_token_last4": last4})
	case "script_error":
		ev.ErrorMessage, err = stringField(f, "message", maxMessageLen)
		return err
	case "oauth_return":
		id, err := stringField(f, "oauth_state_id", 64)
		if err != nil {
			return err
		}
		ev.Metadata, _ = json.Marshal(map[string]string{"oauth_state_id": id})
	}
	return nil
}

func validEventName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// readLinkError reads Link's error object ({error_type, error_code,
// error_message, display_message}); null is allowed when nullable.
func readLinkError(ev *PageEvent, raw json.RawMessage, nullable bool) error {
	obj, err := object(raw, "error", nullable)
	if err != nil || obj == nil {
		return err
	}
	for _, t := range []struct {
		key string
		max int
		dst *string
	}{
		{"error_type", maxIDLen, &ev.ErrorType},
		{"error_code", maxIDLen, &ev.ErrorCode},
		{"error_message", maxMessageLen, &ev.ErrorMessage},
		{"request_id", maxIDLen, &ev.RequestID},
	} {
		if *t.dst, err = optStringField(obj, t.key, t.max); err != nil {
			return fmt.Errorf("error.%s", err.Error())
		}
	}
	if _, err := optStringField(obj, "display_message", maxMessageLen); err != nil {
		return fmt.Errorf("error.%s", err.Error())
	}
	return nil
}

// readMetadata reads the keys linkexplorer uses from Link's metadata and
// keeps the whole object, masked, in ev.Metadata. Fields already set (from
// an exit's error) are not overwritten.
func readMetadata(ev *PageEvent, raw json.RawMessage) error {
	obj, err := object(raw, "metadata", false)
	if err != nil {
		return err
	}
	for _, t := range []struct {
		key string
		max int
		dst *string
	}{
		{"link_session_id", maxIDLen, &ev.LinkSessionID},
		{"request_id", maxIDLen, &ev.RequestID},
		{"view_name", maxIDLen, &ev.ViewName},
		{"error_type", maxIDLen, &ev.ErrorType},
		{"error_code", maxIDLen, &ev.ErrorCode},
		{"error_message", maxMessageLen, &ev.ErrorMessage},
		{"exit_status", maxIDLen, &ev.ExitStatus},
		{"status", maxIDLen, &ev.ExitStatus},
		{"institution_id", maxIDLen, &ev.InstitutionID},
		{"institution_name", maxIDLen, &ev.InstitutionName},
	} {
		v, err := optStringField(obj, t.key, t.max)
		if err != nil {
			return fmt.Errorf("metadata.%s", err.Error())
		}
		if *t.dst == "" {
			*t.dst = v
		}
	}
	inst, err := object(obj["institution"], "metadata.institution", true)
	if err != nil {
		return err
	}
	for key, dst := range map[string]*string{"institution_id": &ev.InstitutionID, "name": &ev.InstitutionName} {
		v, err := optStringField(inst, key, maxIDLen)
		if err != nil {
			return fmt.Errorf("metadata.institution.%s", err.Error())
		}
		if *dst == "" {
			*dst = v
		}
	}
	ev.Metadata = json.RawMessage(redact.JSON(raw))
	return nil
}

// object decodes a JSON object field; a missing or null one gives nil when
// nullable.
func object(raw json.RawMessage, name string, nullable bool) (map[string]json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if nullable {
			return nil, nil
		}
		return nil, fmt.Errorf("%s must be an object", name)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("%s must be an object", name)
	}
	return obj, nil
}

// stringField reads a required string field.
func stringField(f map[string]json.RawMessage, key string, max int) (string, error) {
	raw, ok := f[key]
	if !ok || string(raw) == "null" {
		return "", fmt.Errorf("%s must be a string", key)
	}
	return optStringField(f, key, max)
}

// optStringField reads a string field that may be absent or null (""). The
// string must be at most max characters, without control characters other
// than tab and newline.
func optStringField(f map[string]json.RawMessage, key string, max int) (string, error) {
	raw, ok := f[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s must be a string", key)
	}
	if len([]rune(s)) > max {
		return "", fmt.Errorf("%s is longer than %d characters", key, max)
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return (r < ' ' && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f)
	}) {
		return "", fmt.Errorf("%s contains control characters", key)
	}
	return s, nil
}
