package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
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
	clientID  string
	// op is the request's operation in Plaid's schema; nil for a path the
	// schema does not have.
	op *plaidspec.Operation
	// accessToken is the body's top-level access_token, if any.
	accessToken string
	// raw is the body's top-level object, decoded only for endpoints the
	// schema does not describe.
	raw map[string]json.RawMessage
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

// Fidelity values of the Plaid-Emulator-Fidelity response header: whether
// an endpoint keeps state or answers with the schema's example.
const (
	fidelityHeader   = "Plaid-Emulator-Fidelity"
	fidelityStateful = "stateful"
	fidelityExample  = "example"
)

var (
	fidelityStatefulValue = []string{fidelityStateful}
	fidelityExampleValue  = []string{fidelityExample}
)

// serveAPI runs one Plaid endpoint: it writes the response, records the
// request in the request log and logs one line. op is the endpoint's
// operation in the schema (nil if none); fidelity is nil for paths that
// are not endpoints.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, op *plaidspec.Operation, fidelity []string, h handlerFunc) {
	start := time.Now()
	c := &call{r: r, requestID: newRequestID(), op: op}
	status, ctype, out, perr := e.respond(c, h)
	hdr := w.Header()
	hdr["Content-Type"] = ctype
	if fidelity != nil {
		hdr[fidelityHeader] = fidelity
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
	e.recordCall(c, status, out, perr, time.Since(start))
}

// jsonAppender is a response that writes its own JSON, byte for byte what
// encoding/json would write, without reflection: the hottest endpoints'.
type jsonAppender interface {
	appendJSON(buf []byte) []byte
}

// pdfContentType is the Content-Type of PDF answers (asset reports,
// statements).
var pdfContentType = []string{"application/pdf"}

// rawResponse is a handler's answer that is not JSON (a PDF, a ZIP).
type rawResponse struct {
	contentType []string
	body        []byte
}

// respond runs h and renders its outcome as a status, content type and
// body.
func (e *Emulator) respond(c *call, h handlerFunc) (int, []string, []byte, *sandbox.Error) {
	res, perr := h(e, c)
	if perr == nil {
		switch res := res.(type) {
		case jsonAppender:
			return http.StatusOK, jsonContentType, res.appendJSON(make([]byte, 0, 256)), nil
		case rawResponse:
			return http.StatusOK, res.contentType, res.body, nil
		case json.RawMessage:
			return http.StatusOK, jsonContentType, res, nil
		}
		out, err := json.Marshal(res)
		if err == nil {
			return http.StatusOK, jsonContentType, out, nil
		}
		e.log.Error("encoding a response failed", "path", c.r.URL.Path, "request_id", c.requestID, "err", err)
		perr = apiError("INTERNAL_SERVER_ERROR", "")
	}
	out, _ := json.Marshal(newErrorJSON(perr, c.requestID)) // plain strings: cannot fail
	return perr.HTTPStatus(), jsonContentType, out, perr
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
	e.lines.log(entry, d)
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
// is checked (against Plaid's schema, see prepare) and then decoded into a
// T, once. accepted lists top-level fields the endpoint takes beyond the
// schema's.
func bind[T any](h func(e *Emulator, c *call, req *T) (any, *sandbox.Error), accepted ...string) handlerFunc {
	spec := specFor(reflect.TypeFor[T](), accepted)
	return func(e *Emulator, c *call) (any, *sandbox.Error) {
		if err := e.prepare(c, spec); err != nil {
			return nil, err
		}
		req := new(T)
		if err := json.Unmarshal(c.body, req); err != nil {
			return nil, fieldTypeError(err)
		}
		return h(e, c, req)
	}
}

// prepare is the one place Plaid request bodies are read and checked, in
// the order Plaid checks them: a POST of a JSON object (INVALID_BODY), the
// credentials (MISSING_FIELDS, INVALID_API_KEYS), unknown fields at any
// depth (UNKNOWN_FIELDS, with dotted paths), required fields that are
// absent, null or "" (MISSING_FIELDS), then types, enums, formats and
// ranges (INVALID_FIELD). The checks come from the operation's schema,
// compiled once (emulator/openapi); an endpoint the schema does not have
// falls back to spec, its request type's top-level fields.
func (e *Emulator) prepare(c *call, spec fieldSpec) *sandbox.Error {
	if c.r.Method != http.MethodPost {
		return apiError("NOT_FOUND", "%s %s: Plaid API endpoints only accept POST", c.r.Method, c.r.URL.Path)
	}
	if err := readBody(c); err != nil {
		return err
	}
	if c.op == nil {
		return e.prepareUnschemed(c, spec)
	}
	res := plaidspec.Validate(c.body, c.op.Request)
	if res.Syntax != "" {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: %s", res.Syntax)
	}
	if err := e.checkCredentials(c, res.ClientID, res.Secret); err != nil {
		return err
	}
	c.accessToken = res.AccessToken.Value
	unknown := res.Unknown
	if unknown != nil && len(spec.known) > 0 {
		unknown = slices.DeleteFunc(unknown, func(p string) bool { return spec.known[p] })
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return apiError("UNKNOWN_FIELDS", "the following fields are not recognized by this endpoint: %s", strings.Join(unknown, ", "))
	}
	// The schema lists client_id and secret as required body fields;
	// checkCredentials already found them in the body or the headers.
	missing := slices.DeleteFunc(res.Missing, func(p string) bool { return p == "client_id" || p == "secret" })
	if len(missing) > 0 {
		return missingFields(missing)
	}
	if inv := res.Invalid; inv != nil {
		if inv.IsEnum && inv.Schema.Name == "Products" {
			return apiError("INVALID_PRODUCT", "%q in %s is not a Plaid product; valid products are: %s", inv.EnumValue, inv.Path, strings.Join(inv.Schema.EnumList, ", "))
		}
		return apiError("INVALID_FIELD", "%s", inv.Message)
	}
	return nil
}

// prepareUnschemed checks a body against spec alone (top-level fields).
func (e *Emulator) prepareUnschemed(c *call, spec fieldSpec) *sandbox.Error {
	if err := json.Unmarshal(c.body, &c.raw); err != nil || c.raw == nil {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: it must be one JSON object, like {\"client_id\": \"...\"}")
	}
	if err := e.checkCredentials(c, rawCredential(c.raw, "client_id"), rawCredential(c.raw, "secret")); err != nil {
		return err
	}
	if tok, ok := c.raw["access_token"]; ok {
		_ = json.Unmarshal(tok, &c.accessToken)
	}
	return checkFields(c.raw, spec)
}

// readBody reads the body of c into c.body.
func readBody(c *call) *sandbox.Error {
	if !isJSONContentType(c.r.Header.Get("Content-Type")) {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: send it with Content-Type: application/json (got %q)", c.r.Header.Get("Content-Type"))
	}
	body, err := readLimited(c.r.Body, c.r.ContentLength)
	c.body = body
	if err != nil {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: %v", err)
	}
	return nil
}

// isJSONContentType reports whether a Content-Type is application/json
// (with parameters, in any case); the common spellings skip the parser.
func isJSONContentType(ct string) bool {
	switch ct {
	case "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8":
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// readLimited reads at most maxBodyBytes from r.
func readLimited(r io.Reader, contentLength int64) ([]byte, error) {
	if contentLength > maxBodyBytes {
		return nil, fmt.Errorf("the body is larger than %d bytes", maxBodyBytes)
	}
	// A known length gets a buffer of its size (plus one byte to see EOF):
	// the body is kept in the request log, so no slack is kept with it.
	size := int64(512)
	if contentLength > 0 {
		size = contentLength
	}
	buf := make([]byte, 0, size+1)
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
func (e *Emulator) checkCredentials(c *call, bodyID, bodySecret plaidspec.Captured) *sandbox.Error {
	if bodyID.NotString {
		return apiError("INVALID_FIELD", "client_id must be a string")
	}
	if bodySecret.NotString {
		return apiError("INVALID_FIELD", "secret must be a string")
	}
	id, secret := bodyID.Value, bodySecret.Value
	if id == "" {
		id = c.r.Header.Get("PLAID-CLIENT-ID")
	}
	if secret == "" {
		secret = c.r.Header.Get("PLAID-SECRET")
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

// rawCredential reads one credential from a decoded top-level object.
func rawCredential(raw map[string]json.RawMessage, field string) plaidspec.Captured {
	v, ok := raw[field]
	if !ok || isNull(v) {
		return plaidspec.Captured{}
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return plaidspec.Captured{Present: true, NotString: true}
	}
	return plaidspec.Captured{Value: s, Present: true}
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
