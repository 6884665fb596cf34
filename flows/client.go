package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Call is one recorded API call. Bodies are masked: they never hold a full
// secret, access_token or public_token.
type Call struct {
	Time         time.Time
	Method       string
	Endpoint     string // the API path, e.g. /link/token/create
	HTTPStatus   int    // 0 when no response arrived
	RequestID    string
	ErrorType    string
	ErrorCode    string
	ErrorMessage string
	Duration     time.Duration
	RequestBody  []byte // masked
	ResponseBody []byte // masked
	Err          error  // transport error, if the call got no response
}

// Recorder receives every call the recorded client makes. RecordCall runs on
// the caller's goroutine, so it must return quickly (queue, don't block).
// Implementations: the store adapter, the TUI stream, tests.
type Recorder interface {
	RecordCall(ctx context.Context, c Call)
}

// CallCapture collects the calls made with a context from WithCallCapture,
// so a step can show its own request, response, request_id and duration.
// It is safe for concurrent use.
type CallCapture struct {
	mu    sync.Mutex
	calls []Call
}

type captureKey struct{}

// WithCallCapture returns a context that makes the recording transport
// append each call made with it to the returned CallCapture.
func WithCallCapture(ctx context.Context) (context.Context, *CallCapture) {
	cc := &CallCapture{}
	return context.WithValue(ctx, captureKey{}, cc), cc
}

// Calls returns the captured calls, oldest first.
func (cc *CallCapture) Calls() []Call {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return append([]Call(nil), cc.calls...)
}

// Last returns the most recent captured call.
func (cc *CallCapture) Last() (Call, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.calls) == 0 {
		return Call{}, false
	}
	return cc.calls[len(cc.calls)-1], true
}

func (cc *CallCapture) add(c Call) {
	cc.mu.Lock()
	cc.calls = append(cc.calls, c)
	cc.mu.Unlock()
}

// RecordingTransport is an http.RoundTripper that records every call made
// through it: it times the call, keeps masked copies of both bodies, parses
// request_id and error fields from the response, and hands the Call to the
// Recorder and to the request context's CallCapture. Header values (where
// PLAID-SECRET travels) are never recorded.
type RecordingTransport struct {
	// Base makes the actual requests; nil is http.DefaultTransport.
	Base http.RoundTripper
	// Recorder receives each call; nil records nothing (captures still work).
	Recorder Recorder
	// PathPrefix is trimmed from the URL path to form Call.Endpoint, for a
	// base URL with a path (a proxy, say).
	PathPrefix string
	// Timeout is the bound on each call that the client enforces, named in
	// the errors of calls that ran out of time; 0 is DefaultAPITimeout.
	Timeout time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *RecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	call := Call{Time: time.Now(), Method: req.Method, Endpoint: t.endpoint(req.URL)}
	// The bound covers the whole answer, which is read here; the
	// transport enforces it itself so that a timeout is told apart from a
	// cancellation (http.Client.Timeout turns both into plain text).
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout())
	defer cancel()
	req = req.WithContext(ctx)
	out := req
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the request body for %s: %w", call.Endpoint, err)
		}
		call.RequestBody = redact.JSON(body)
		out = req.Clone(req.Context())
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	resp, err := t.base().RoundTrip(out)
	if err != nil {
		call.Err = t.networkError(req, err, false, 0)
		t.finish(req.Context(), &call)
		return nil, call.Err
	}
	// At most MaxAPIResponse bytes are read and kept: a larger answer is
	// not Plaid's, and must not fill memory or the session log.
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxAPIResponse+1))
	resp.Body.Close()
	call.HTTPStatus = resp.StatusCode
	if err == nil && len(body) > MaxAPIResponse {
		call.Err = &NetworkError{Method: req.Method, Endpoint: call.Endpoint, Code: FaultTooLarge,
			Host: origin(req.URL), Timeout: t.timeout(), Received: int64(len(body))}
		t.finish(req.Context(), &call)
		return nil, call.Err
	}
	if err != nil {
		call.Err = t.networkError(req, err, true, int64(len(body)))
		t.finish(req.Context(), &call)
		return nil, call.Err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	parseResponseFields(&call, body)
	call.ResponseBody = redact.JSON(body)
	t.finish(req.Context(), &call)
	return resp, nil
}

// networkError explains a transport error as a *NetworkError; a call the
// caller cancelled stays a plain error.
func (t *RecordingTransport) networkError(req *http.Request, err error, inBody bool, received int64) error {
	ctx := req.Context()
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%s %s: cancelled: %w", req.Method, t.endpoint(req.URL), ctx.Err())
	}
	return &NetworkError{Method: req.Method, Endpoint: t.endpoint(req.URL), Code: classifyNetwork(ctx, err, inBody, received),
		Host: origin(req.URL), Timeout: t.timeout(), Received: received, Err: err}
}

func (t *RecordingTransport) timeout() time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return DefaultAPITimeout
}

// origin is a URL's scheme://host[:port].
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// refuseRedirects is the CheckRedirect of the API client: Plaid's API
// never redirects, and a followed redirect to another host would carry
// PLAID-CLIENT-ID, PLAID-SECRET and the body (access tokens included)
// there. A redirect within the same origin (a proxy adding a slash) is
// followed, up to 10.
func refuseRedirects(timeout time.Duration, prefix string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0]
		endpoint := (&RecordingTransport{PathPrefix: prefix}).endpoint(first.URL)
		if origin(req.URL) != origin(first.URL) {
			return &NetworkError{Method: first.Method, Endpoint: endpoint, Code: FaultRedirect,
				Host: origin(first.URL), Detail: origin(req.URL), Timeout: timeout}
		}
		if len(via) >= 10 {
			return &NetworkError{Method: first.Method, Endpoint: endpoint, Code: FaultRedirect,
				Host: origin(first.URL), Detail: "itself 10 times", Timeout: timeout}
		}
		return nil
	}
}

func (t *RecordingTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *RecordingTransport) endpoint(u *url.URL) string {
	p := strings.TrimPrefix(u.Path, strings.TrimRight(t.PathPrefix, "/"))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

func (t *RecordingTransport) finish(ctx context.Context, c *Call) {
	c.Duration = time.Since(c.Time)
	if cc, ok := ctx.Value(captureKey{}).(*CallCapture); ok {
		cc.add(*c)
	}
	if t.Recorder != nil {
		t.Recorder.RecordCall(ctx, *c)
	}
}

// plaidErrorBody is the part of a Plaid response body the recorder reads.
type plaidErrorBody struct {
	RequestID      string  `json:"request_id"`
	ErrorType      string  `json:"error_type"`
	ErrorCode      string  `json:"error_code"`
	ErrorMessage   string  `json:"error_message"`
	DisplayMessage *string `json:"display_message"`
}

func parseResponseFields(c *Call, body []byte) {
	var b plaidErrorBody
	if json.Unmarshal(body, &b) != nil {
		return
	}
	c.RequestID, c.ErrorType, c.ErrorCode, c.ErrorMessage = b.RequestID, b.ErrorType, b.ErrorCode, b.ErrorMessage
}

// DefaultAPITimeout bounds each API call of NewPlaidClient's client.
const DefaultAPITimeout = 30 * time.Second

// NewPlaidClient returns the official plaid-go client for either mode: it
// talks to cfg.BaseURL with cfg's credentials in the PLAID-CLIENT-ID and
// PLAID-SECRET headers, and records every call through a
// RecordingTransport. rec may be nil.
func NewPlaidClient(cfg Config, rec Recorder) *plaid.APIClient {
	pc := plaid.NewConfiguration()
	pc.AddDefaultHeader("PLAID-CLIENT-ID", cfg.ClientID)
	pc.AddDefaultHeader("PLAID-SECRET", cfg.Secret)
	base := cfg.BaseURL
	if base == "" {
		base = DefaultPlaidURL
	}
	pc.UseEnvironment(plaid.Environment(strings.TrimRight(base, "/")))
	var prefix string
	if u, err := url.Parse(base); err == nil {
		prefix = u.Path
	}
	timeout := cfg.APITimeout
	if timeout <= 0 {
		timeout = DefaultAPITimeout
	}
	pc.HTTPClient = &http.Client{
		// The transport times each call out (with a clear error); this is
		// only a backstop.
		Timeout:       timeout + 5*time.Second,
		Transport:     &RecordingTransport{Recorder: rec, PathPrefix: prefix, Timeout: timeout},
		CheckRedirect: refuseRedirects(timeout, prefix),
	}
	return plaid.NewAPIClient(pc)
}

// APIError is a failed Plaid (or emulator control) API call, as a user
// should read it.
type APIError struct {
	Method         string // "POST" when empty
	Endpoint       string
	RequestID      string
	Type           string
	Code           string
	Message        string
	DisplayMessage string
	HTTPStatus     int
}

// Error reads like "POST /link/token/create failed: INVALID_FIELD: webhook
// must be a non-empty string URL (request_id m8MDnv9okwxFNBV)".
func (e *APIError) Error() string {
	method := e.Method
	if method == "" {
		method = http.MethodPost
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s failed: ", method, e.Endpoint)
	switch {
	case e.Code != "" && e.Message != "":
		fmt.Fprintf(&b, "%s: %s", e.Code, e.Message)
	case e.Code != "":
		b.WriteString(e.Code)
	case e.HTTPStatus != 0 && e.Message != "":
		fmt.Fprintf(&b, "HTTP %d: %s", e.HTTPStatus, e.Message)
	case e.HTTPStatus != 0:
		fmt.Fprintf(&b, "HTTP %d %s", e.HTTPStatus, http.StatusText(e.HTTPStatus))
	default:
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request_id %s)", e.RequestID)
	}
	return b.String()
}

// PlaidErrorOf extracts the Plaid error object from an error returned by
// plaid-go, if the response carried one.
func PlaidErrorOf(err error) (*plaid.PlaidError, bool) {
	var g plaid.GenericOpenAPIError
	if !errors.As(err, &g) {
		return nil, false
	}
	if pe, ok := g.Model().(plaid.PlaidError); ok && pe.ErrorCode != "" {
		return &pe, true
	}
	var pe plaid.PlaidError
	if json.Unmarshal(g.Body(), &pe) != nil || pe.ErrorCode == "" {
		return nil, false
	}
	return &pe, true
}

// AsAPIError turns an error from a plaid-go call to endpoint (e.g.
// "/link/token/create") into an *APIError carrying the Plaid error fields
// and request_id. Other errors (transport, cancellation) are wrapped with the
// endpoint; nil stays nil.
func AsAPIError(endpoint string, err error) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var ne *NetworkError
	if errors.As(err, &ne) {
		return ne
	}
	var re *ResponseError
	if errors.As(err, &re) {
		return re
	}
	var g plaid.GenericOpenAPIError
	if !errors.As(err, &g) {
		return fmt.Errorf("POST %s failed: %w", endpoint, err)
	}
	ae = &APIError{Endpoint: endpoint, HTTPStatus: statusOf(g.Error())}
	var b plaidErrorBody
	if json.Unmarshal(g.Body(), &b) == nil && b.ErrorCode != "" {
		ae.RequestID, ae.Type, ae.Code, ae.Message = b.RequestID, b.ErrorType, b.ErrorCode, b.ErrorMessage
		if b.DisplayMessage != nil {
			ae.DisplayMessage = *b.DisplayMessage
		}
		return ae
	}
	ae.RequestID = b.RequestID
	ae.Message = nonPlaidMessage(g)
	return ae
}

// statusOf reads the HTTP status plaid-go puts at the start of its error
// text for non-2xx responses with a Plaid error body ("400 Bad Request");
// 0 if there is none (plaid-go then puts its decoding error there instead).
func statusOf(s string) int {
	code, _, _ := strings.Cut(s, " ")
	n, err := strconv.Atoi(code)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

// nonPlaidMessage describes a failed response that is not a Plaid error:
// a proxy's error page, or a body plaid-go could not decode.
func nonPlaidMessage(g plaid.GenericOpenAPIError) string {
	snippet := truncate(strings.Join(strings.Fields(string(redact.JSON(g.Body()))), " "), 200)
	if snippet == "" {
		return fmt.Sprintf("the response is not a Plaid response (%s, empty body); is the API URL right?", g.Error())
	}
	return fmt.Sprintf("the response is not a Plaid response: %q; is the API URL right?", snippet)
}

// truncate shortens s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
