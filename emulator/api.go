package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// maxBodyBytes bounds request bodies; Plaid's own requests are a few KB.
const maxBodyBytes = 1 << 20

// jsonContentType is the Content-Type of every emulator response.
var jsonContentType = []string{"application/json; charset=utf-8"}

// call is one Plaid API request being served.
type call struct {
	r         *http.Request
	requestID string
	body      []byte
	// raw is the body's top-level object, once decoded.
	raw      map[string]json.RawMessage
	clientID string
	// contentType is set when the answer is not JSON (binaryResponse).
	contentType string
}

// binaryResponse is a success answer that is not JSON, e.g. a PDF.
type binaryResponse struct {
	contentType string
	body        []byte
}

// handlerFunc serves one Plaid endpoint. It returns the response (a struct
// with a RequestID field the handler set from c.requestID) or a Plaid error.
type handlerFunc func(e *Emulator, c *call) (any, *sandbox.Error)

// apiError returns the catalogue error for code. A non-empty format replaces
// the catalogue's error_message.
func apiError(code, format string, args ...any) *sandbox.Error {
	if format != "" && len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	return sandbox.NewError(code, format)
}

// errorJSON is Plaid's error object (reference §1.3), with the keys in the
// order Plaid writes them.
type errorJSON struct {
	DisplayMessage   *string `json:"display_message"`
	DocumentationURL string  `json:"documentation_url,omitempty"`
	ErrorCode        string  `json:"error_code"`
	ErrorMessage     string  `json:"error_message"`
	ErrorType        string  `json:"error_type"`
	RequestID        string  `json:"request_id,omitempty"`
	// Status is set only in errors carried by webhooks.
	Status          *int    `json:"status,omitempty"`
	SuggestedAction *string `json:"suggested_action"`
}

func newErrorJSON(err *sandbox.Error, requestID string) *errorJSON {
	return &errorJSON{
		DisplayMessage:   err.DisplayMessage,
		DocumentationURL: err.DocumentationURL(),
		ErrorCode:        err.Code,
		ErrorMessage:     err.Message,
		ErrorType:        err.Type,
		RequestID:        requestID,
	}
}

// serveAPI runs one Plaid endpoint: it writes the JSON response, records
// the request in the request log and logs one line.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, h handlerFunc) {
	start := time.Now()
	c := &call{r: r, requestID: newRequestID()}
	status, out, perr := e.respond(c, h)
	w.Header()["Content-Type"] = jsonContentType
	if c.contentType != "" {
		w.Header().Set("Content-Type", c.contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
	e.recordCall(c, status, out, perr, time.Since(start))
}

// respond runs h and renders its outcome as a status and JSON body.
func (e *Emulator) respond(c *call, h handlerFunc) (int, []byte, *sandbox.Error) {
	res, perr := h(e, c)
	if b, ok := res.(binaryResponse); ok && perr == nil {
		c.contentType = b.contentType
		return http.StatusOK, b.body, nil
	}
	if perr == nil {
		out, err := json.Marshal(res)
		if err == nil {
			return http.StatusOK, out, nil
		}
		e.log.Error("encoding a response failed", "path", c.r.URL.Path, "request_id", c.requestID, "err", err)
		perr = apiError("INTERNAL_SERVER_ERROR", "")
	}
	out, _ := json.Marshal(newErrorJSON(perr, c.requestID)) // plain strings: cannot fail
	return perr.HTTPStatus(), out, perr
}

// recordCall adds a served API request to the request log and logs it.
func (e *Emulator) recordCall(c *call, status int, out []byte, perr *sandbox.Error, d time.Duration) {
	entry := requestEntry{
		Time:       e.Now(),
		Method:     c.r.Method,
		Path:       c.r.URL.Path,
		Status:     status,
		RequestID:  c.requestID,
		DurationMS: float64(d.Microseconds()) / 1000,
		ClientID:   c.clientID,
		UserAgent:  c.r.UserAgent(),
	}
	if perr != nil {
		entry.ErrorType, entry.ErrorCode = perr.Type, perr.Code
	}
	e.requests.add(entry, c.body, out)
	e.log.LogAttrs(c.r.Context(), slog.LevelInfo, "request",
		slog.String("method", entry.Method), slog.String("path", entry.Path),
		slog.Int("status", status), slog.String("request_id", c.requestID),
		slog.String("error_code", entry.ErrorCode), slog.Duration("duration", d))
}

// notFound answers any path that is not a Plaid endpoint.
func notFound(_ *Emulator, c *call) (any, *sandbox.Error) {
	return nil, apiError("NOT_FOUND", "%s %s is not a Plaid API endpoint the emulator knows; check the path (Plaid endpoints are POST, e.g. /link/token/create)", c.r.Method, c.r.URL.Path)
}

// fieldSpec describes an endpoint's top-level request fields.
type fieldSpec struct {
	known    map[string]bool
	required []string
}

// specFor derives the fields of a request type from its json tags; a
// `plaid:"required"` tag marks a schema-required field. accepted lists
// fields the endpoint accepts but the emulator ignores.
func specFor(t reflect.Type, accepted []string) fieldSpec {
	s := fieldSpec{known: map[string]bool{"client_id": true, "secret": true}}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		s.known[name] = true
		if f.Tag.Get("plaid") == "required" {
			s.required = append(s.required, name)
		}
	}
	for _, name := range accepted {
		s.known[name] = true
	}
	return s
}

// bind turns a typed endpoint handler into a handlerFunc: the request body
// is decoded into a T and checked against T's fields first.
func bind[T any](h func(e *Emulator, c *call, req *T) (any, *sandbox.Error), accepted ...string) handlerFunc {
	spec := specFor(reflect.TypeFor[T](), accepted)
	return func(e *Emulator, c *call) (any, *sandbox.Error) {
		req := new(T)
		if err := e.decode(c, spec, req); err != nil {
			return nil, err
		}
		return h(e, c, req)
	}
}

// decode is the one place Plaid request bodies are read and checked, in the
// order Plaid checks them: a POST of a JSON object (INVALID_BODY), the
// credentials (MISSING_FIELDS, INVALID_API_KEYS), unknown top-level fields
// (UNKNOWN_FIELDS), required fields that are absent, null or ""
// (MISSING_FIELDS), then field types (INVALID_FIELD).
func (e *Emulator) decode(c *call, spec fieldSpec, into any) *sandbox.Error {
	if c.r.Method != http.MethodPost {
		return apiError("NOT_FOUND", "%s %s: Plaid API endpoints only accept POST", c.r.Method, c.r.URL.Path)
	}
	if err := readBody(c); err != nil {
		return err
	}
	if err := e.checkCredentials(c); err != nil {
		return err
	}
	if err := checkFields(c.raw, spec); err != nil {
		return err
	}
	if err := json.Unmarshal(c.body, into); err != nil {
		return fieldTypeError(err)
	}
	return nil
}

// readBody reads and parses the body of c into c.body and c.raw.
func readBody(c *call) *sandbox.Error {
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: send it with Content-Type: application/json (got %q)", c.r.Header.Get("Content-Type"))
	}
	body, err := readLimited(c.r.Body, c.r.ContentLength)
	c.body = body
	if err != nil {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: %v", err)
	}
	if err := json.Unmarshal(body, &c.raw); err != nil || c.raw == nil {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: it must be one JSON object, like {\"client_id\": \"...\"}")
	}
	return nil
}

// readLimited reads at most maxBodyBytes from r.
func readLimited(r io.Reader, contentLength int64) ([]byte, error) {
	if contentLength > maxBodyBytes {
		return nil, fmt.Errorf("the body is larger than %d bytes", maxBodyBytes)
	}
	buf := make([]byte, 0, max(contentLength, 512)+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > maxBodyBytes {
			return buf[:maxBodyBytes], fmt.Errorf("the body is larger than %d bytes", maxBodyBytes)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, fmt.Errorf("reading the body failed: %w", err)
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, len(buf))
		}
	}
}

// checkCredentials takes client_id and secret from the body or, failing
// that, the PLAID-CLIENT-ID and PLAID-SECRET headers.
func (e *Emulator) checkCredentials(c *call) *sandbox.Error {
	id, idErr := credential(c, "client_id", "PLAID-CLIENT-ID")
	secret, secretErr := credential(c, "secret", "PLAID-SECRET")
	if idErr != nil {
		return idErr
	}
	if secretErr != nil {
		return secretErr
	}
	c.clientID = id
	var missing []string
	if id == "" {
		missing = append(missing, "client_id")
	}
	if secret == "" {
		missing = append(missing, "secret")
	}
	if missing != nil {
		return missingFields(missing)
	}
	if e.opts.ClientID != "" && (id != e.opts.ClientID || secret != e.opts.Secret) {
		return apiError("INVALID_API_KEYS", "invalid client_id or secret provided")
	}
	return nil
}

// credential reads one credential from the body field or the header.
func credential(c *call, field, header string) (string, *sandbox.Error) {
	if raw, ok := c.raw[field]; ok && !isNull(raw) {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return "", apiError("INVALID_FIELD", "%s must be a string", field)
		}
		if v != "" {
			return v, nil
		}
	}
	return c.r.Header.Get(header), nil
}

// checkFields rejects unknown top-level fields and missing required ones.
func checkFields(raw map[string]json.RawMessage, spec fieldSpec) *sandbox.Error {
	var unknown []string
	for k := range raw {
		if !spec.known[k] {
			unknown = append(unknown, k)
		}
	}
	if unknown != nil {
		slices.Sort(unknown)
		return apiError("UNKNOWN_FIELDS", "the following fields are not recognized by this endpoint: %s", strings.Join(unknown, ", "))
	}
	var missing []string
	for _, name := range spec.required {
		if v, ok := raw[name]; !ok || isNull(v) || string(v) == `""` {
			missing = append(missing, name)
		}
	}
	if missing != nil {
		return missingFields(missing)
	}
	return nil
}

func missingFields(names []string) *sandbox.Error {
	return apiError("MISSING_FIELDS", "the following required fields are missing: %s", strings.Join(names, ", "))
}

func isNull(v json.RawMessage) bool { return string(v) == "null" }

// fieldTypeError turns a JSON decoding error into INVALID_FIELD.
func fieldTypeError(err error) *sandbox.Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return apiError("INVALID_FIELD", "%s must be %s, not a JSON %s", te.Field, typeName(te.Type), te.Value)
	}
	return apiError("INVALID_BODY", "body could not be parsed as JSON: %v", err)
}

// typeName names a Go type as the JSON type a client must send.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	default:
		return "an object"
	}
}
