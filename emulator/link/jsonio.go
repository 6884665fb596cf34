package link

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// obj is a JSON object response.
type obj = map[string]any

// failure is an error a request ends in: the Plaid error to show, the HTTP
// status to answer with, and whether Link must close with it.
type failure struct {
	status int
	err    *sandbox.Error
	// exit: Link cannot go on and exits with this error (INVALID_LINK_TOKEN,
	// an unknown session).
	exit bool
	// retry is the pane "Try again" leads back to: "credentials",
	// "institution" or "" (no retry).
	retry string
	// request: the request itself was wrong (bad body, wrong step); this is
	// not an error the user met in Link, and onExit does not report it.
	request bool
}

// requestError is a failure caused by the request itself. A code from
// Plaid's catalogue gets its error_type; others are INVALID_REQUEST.
func requestError(status int, code, format string, args ...any) *failure {
	msg := fmt.Sprintf(format, args...)
	e := &sandbox.Error{Type: "INVALID_REQUEST", Code: code, Message: msg}
	if sandbox.KnownErrorCode(code) {
		e = sandbox.NewError(code, msg)
	}
	return &failure{status: status, err: e, request: true}
}

// plaidFailure wraps an error met in the flow with its Plaid HTTP status.
func plaidFailure(e *sandbox.Error, retry string) *failure {
	status := e.HTTPStatus()
	if status < 400 || status > 599 {
		status = http.StatusBadRequest
	}
	return &failure{status: status, err: e, retry: retry}
}

// errorJSON is a Plaid error object as Link reports it to onExit and events.
func errorJSON(e *sandbox.Error) obj {
	if e == nil {
		return nil
	}
	return obj{
		"error_type":      e.Type,
		"error_code":      e.Code,
		"error_message":   e.Message,
		"display_message": e.DisplayMessage,
	}
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "emulated Link: encoding the response failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeFailure writes a session-API error response; sessionID is "" when
// the request names no known session.
func writeFailure(w http.ResponseWriter, requestID, sessionID string, f *failure) {
	body := obj{"request_id": requestID, "error": errorJSON(f.err), "exit": f.exit}
	if sessionID != "" {
		body["link_session_id"] = sessionID
	}
	if f.retry != "" {
		body["retry"] = f.retry
	}
	writeJSON(w, f.status, body)
}

// fieldName finds the JSON field name in encoding/json's unknown-field error.
var fieldName = regexp.MustCompile(`json: unknown field "(.*)"`)

// decodeJSON reads a JSON request body of at most limit bytes into v,
// refusing other content types, unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) *failure {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return requestError(http.StatusUnsupportedMediaType, "INVALID_BODY", "body could not be parsed as JSON: send it with Content-Type: application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return requestError(http.StatusRequestEntityTooLarge, "INVALID_BODY", "request body is larger than the %d bytes this endpoint accepts", limit)
	case fieldName.MatchString(err.Error()):
		return requestError(http.StatusBadRequest, "UNKNOWN_FIELDS", "the following fields are not recognized by this endpoint: %s", fieldName.FindStringSubmatch(err.Error())[1])
	default:
		return requestError(http.StatusBadRequest, "INVALID_BODY", "body could not be parsed as JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}
