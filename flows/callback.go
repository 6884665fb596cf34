package flows

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/browser"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

//go:embed page
var pageFS embed.FS

var pageTemplate = template.Must(template.ParseFS(pageFS, "page/callback.html"))

// Limits of the callback server.
const (
	// MaxReportBody is the largest request body the callback server reads.
	MaxReportBody = 64 << 10
	// DefaultWaitTimeout is how long LinkSession.Wait waits for Link.
	DefaultWaitTimeout = 10 * time.Minute
	// maxSessionEvents bounds the events one Link session may report.
	maxSessionEvents = 10000
	// maxTokenRequests bounds the link_tokens one session may ask for.
	maxTokenRequests = 20
	// createTokenTimeout bounds one CreateLinkToken call.
	createTokenTimeout = DefaultAPITimeout + 5*time.Second
)

// CallbackOptions configure StartCallbackServer.
type CallbackOptions struct {
	// Addr is the address to listen on: 127.0.0.1:PORT or localhost:PORT
	// (port 0 picks a free one). Empty means 127.0.0.1:0. Other hosts are
	// refused: the server binds loopback only.
	Addr string
	// LinkScriptURL is the Link SDK the page loads:
	// https://cdn.plaid.com/link/v2/stable/link-initialize.js against Plaid,
	// <emulator URL>/link/v2/stable/link-initialize.js offline.
	LinkScriptURL string
	// CreateLinkToken answers the page's POST /create_link_token: here
	// linkexplorer plays "your app's server". An *APIError it returns is
	// shown on the page with its code and request_id. Required.
	CreateLinkToken func(ctx context.Context, s *LinkSession) (token string, err error)
	// OnRejected, when set, receives every refused request as a PageEvent
	// with Rejected set. It runs on the request's goroutine: return quickly.
	OnRejected func(PageEvent)
	// WaitTimeout bounds LinkSession.Wait; 0 means DefaultWaitTimeout.
	WaitTimeout time.Duration
	// WebhookPath, when set with OnWebhook, is the unguessable path
	// ("/webhook/<random>") where the server receives webhooks: POSTed
	// JSON objects, size-limited, handed to OnWebhook (see webhook.go).
	WebhookPath string
	// OnWebhook receives each webhook body posted to WebhookPath, with its
	// Plaid-Verification header ("" when absent). It runs on the request's
	// goroutine: return quickly (fetching a verification key once per kid
	// is quick enough; the sender waits for the answer anyway).
	OnWebhook func(body []byte, verification string)
}

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

// CallbackServer serves the local callback page: the page a developer's own
// app would serve to open Link, on 127.0.0.1. Each Link session has its own
// page at an unguessable URL, and every report it posts is checked (state
// token, Host, Origin, size, shape) before it reaches the flow.
type CallbackServer struct {
	opts    CallbackOptions
	ln      net.Listener
	srv     *http.Server
	base    string    // http://127.0.0.1:PORT
	hosts   [2]string // the Host values accepted
	origins [2]string // the Origin values accepted
	csp     string
	stop    func() bool

	mu       sync.Mutex
	sessions map[string]*LinkSession
	closed   bool
}

// StartCallbackServer starts the callback server on loopback. It stops when
// ctx is done or Close is called.
func StartCallbackServer(ctx context.Context, opts CallbackOptions) (*CallbackServer, error) {
	if opts.CreateLinkToken == nil {
		return nil, errors.New("callback server: no CreateLinkToken function given")
	}
	script, err := url.Parse(opts.LinkScriptURL)
	if err != nil || (script.Scheme != "http" && script.Scheme != "https") || script.Host == "" {
		return nil, fmt.Errorf("callback server: the Link script URL %q is not an http(s) URL", opts.LinkScriptURL)
	}
	addr, err := loopbackAddr(opts.Addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, listenError(addr, err)
	}
	if opts.WaitTimeout <= 0 {
		opts.WaitTimeout = DefaultWaitTimeout
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	c := &CallbackServer{
		opts:     opts,
		ln:       ln,
		base:     "http://127.0.0.1:" + port,
		hosts:    [2]string{"127.0.0.1:" + port, "localhost:" + port},
		origins:  [2]string{"http://127.0.0.1:" + port, "http://localhost:" + port},
		csp:      pageCSP(script),
		sessions: map[string]*LinkSession{},
	}
	c.srv = &http.Server{
		Handler:           c,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      createTokenTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { _ = c.srv.Serve(ln) }() // ErrServerClosed after Close
	c.stop = context.AfterFunc(ctx, c.Close)
	return c, nil
}

// loopbackAddr checks a listen address and maps localhost to 127.0.0.1.
func loopbackAddr(addr string) (string, error) {
	if addr == "" {
		return "127.0.0.1:0", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("callback address %q: want 127.0.0.1:PORT (%v)", addr, err)
	}
	switch strings.ToLower(host) {
	case "127.0.0.1", "localhost":
		return net.JoinHostPort("127.0.0.1", port), nil
	}
	return "", fmt.Errorf("callback address %q refused: the callback server binds loopback only; use --callback-addr 127.0.0.1:PORT (or 127.0.0.1:0 for any free port)", addr)
}

func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("callback server: %s is already in use by another program; choose another port, or let linkexplorer pick a free one with --callback-addr 127.0.0.1:0", addr)
	}
	return fmt.Errorf("callback server: cannot listen on %s: %w", addr, err)
}

// pageCSP allows the page's own assets, the Link script's origin and its
// frames. Against Plaid, Link's parent-page code also talks to Sandbox, and
// inline styles are allowed as Plaid's CSP guide requires.
func pageCSP(script *url.URL) string {
	link := script.Scheme + "://" + script.Host
	connect := "'self'"
	if strings.EqualFold(script.Hostname(), "cdn.plaid.com") {
		connect += " " + DefaultPlaidURL
	}
	return strings.Join([]string{
		"default-src 'self' " + link,
		"script-src 'self' " + link,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: " + link,
		"frame-src " + link,
		"connect-src " + connect,
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// Addr returns the server's base URL, http://127.0.0.1:PORT.
func (c *CallbackServer) Addr() string { return c.base }

// Close stops the server and closes every session. It is safe to call more
// than once.
func (c *CallbackServer) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	sessions := c.sessions
	c.sessions = map[string]*LinkSession{}
	c.mu.Unlock()
	c.stop()
	_ = c.srv.Close()
	for _, s := range sessions {
		s.shutdown()
	}
}

// NewSession registers a new Link session with its own page. purpose is
// shown on the page (e.g. "quickstart: link a new Item").
func (c *CallbackServer) NewSession(purpose string) *LinkSession {
	s := &LinkSession{
		srv:     c,
		id:      randomHex(16),
		state:   randomBase64(32),
		purpose: purpose,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		out:     make(chan PageEvent),
	}
	go s.pump()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		s.shutdown() // a session of a stopped server starts closed
		return s
	}
	c.sessions[s.id] = s
	return s
}

func (c *CallbackServer) session(id string) *LinkSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[id]
}

func (c *CallbackServer) forget(id string) {
	c.mu.Lock()
	delete(c.sessions, id)
	c.mu.Unlock()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ServeHTTP checks Host and Origin, then routes: GET /link/{id} (the page),
// POST /link/{id}/report, POST /create_link_token and GET /assets/….
func (c *CallbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", c.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if !c.allowedHost(r.Host) {
		c.reject(w, r, http.StatusMisdirectedRequest, "", fmt.Sprintf("Host %q is not this server (%s): refused to prevent DNS rebinding", r.Host, c.hosts[0]))
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !c.allowedOrigin(o) {
		c.reject(w, r, http.StatusForbidden, "", fmt.Sprintf("Origin %q is not this server (%s): cross-origin requests are refused", o, c.origins[0]))
		return
	}
	switch p := r.URL.Path; {
	case p == "/create_link_token":
		c.handleCreateToken(w, r)
	case c.opts.WebhookPath != "" && p == c.opts.WebhookPath:
		c.handleWebhook(w, r)
	case strings.HasPrefix(p, "/assets/"):
		c.handleAsset(w, r)
	case strings.HasPrefix(p, "/link/"):
		c.handleLink(w, r, strings.TrimPrefix(p, "/link/"))
	default:
		c.reject(w, r, http.StatusNotFound, "", "no such page: open the URL linkexplorer printed for this Link session")
	}
}

func (c *CallbackServer) allowedHost(host string) bool {
	host = strings.ToLower(host)
	return host == c.hosts[0] || host == c.hosts[1]
}

func (c *CallbackServer) allowedOrigin(origin string) bool {
	origin = strings.ToLower(origin)
	return origin == c.origins[0] || origin == c.origins[1]
}

// reject answers a refused request with a JSON error and reports it as a
// rejected PageEvent, never as a Link event.
func (c *CallbackServer) reject(w http.ResponseWriter, r *http.Request, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	if c.opts.OnRejected != nil {
		c.opts.OnRejected(PageEvent{
			Kind:         kind,
			Time:         time.Now(),
			Rejected:     true,
			RejectReason: fmt.Sprintf("%s %s → %d: %s", r.Method, redactPath(r.URL.Path), status, msg),
		})
	}
}

// redactPath shortens the unguessable id in a session or webhook path, so
// rejection records do not carry live URLs.
func redactPath(p string) string {
	for _, prefix := range []string{"/link/", "/webhook/"} {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		id, tail, _ := strings.Cut(rest, "/")
		if len(id) > 6 {
			id = id[:6] + "…"
		}
		if tail != "" {
			tail = "/" + tail
		}
		return truncate(prefix+id+tail, 100)
	}
	return truncate(p, 100)
}

// methodAllowed answers 405 unless r uses one of the methods.
func (c *CallbackServer) methodAllowed(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	c.reject(w, r, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s not allowed here; use %s", r.Method, strings.Join(methods, " or ")))
	return false
}

var assetTypes = map[string]string{
	"/assets/callback.js":  "text/javascript; charset=utf-8",
	"/assets/callback.css": "text/css; charset=utf-8",
}

func (c *CallbackServer) handleAsset(w http.ResponseWriter, r *http.Request) {
	ctype, ok := assetTypes[r.URL.Path]
	if !ok {
		c.reject(w, r, http.StatusNotFound, "", "no such asset")
		return
	}
	if !c.methodAllowed(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	data, _ := pageFS.ReadFile("page/" + strings.TrimPrefix(r.URL.Path, "/assets/")) // embedded: cannot fail
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(data)
}

// handleLink serves /link/{id} and /link/{id}/report.
func (c *CallbackServer) handleLink(w http.ResponseWriter, r *http.Request, rest string) {
	id, sub, _ := strings.Cut(rest, "/")
	s := c.session(id)
	if s == nil || (sub != "" && sub != "report") {
		c.reject(w, r, http.StatusNotFound, "", "no such Link session: it has ended, or the URL is wrong; start the step again in linkexplorer")
		return
	}
	if sub == "report" {
		if c.methodAllowed(w, r, http.MethodPost) {
			c.handleReport(w, r, s)
		}
		return
	}
	if !c.methodAllowed(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, map[string]string{
		"Session":    s.id,
		"State":      s.state,
		"LinkScript": c.opts.LinkScriptURL,
		"Purpose":    s.purpose,
	})
}

// readBody reads a JSON request body, enforcing the content type and the
// size limit; on failure it has already answered.
func (c *CallbackServer) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		c.reject(w, r, http.StatusUnsupportedMediaType, "", "the body must be JSON (Content-Type: application/json)")
		return nil, false
	}
	if r.ContentLength > MaxReportBody {
		c.reject(w, r, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", MaxReportBody))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		c.reject(w, r, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", MaxReportBody))
		return nil, false
	case err != nil:
		c.reject(w, r, http.StatusBadRequest, "", "could not read the body: "+err.Error())
		return nil, false
	}
	return body, true
}

func (c *CallbackServer) handleReport(w http.ResponseWriter, r *http.Request, s *LinkSession) {
	body, ok := c.readBody(w, r)
	if !ok {
		return
	}
	ev, status, err := parseReport(body, s.state)
	if err != nil {
		c.reject(w, r, status, ev.Kind, err.Error())
		return
	}
	if !s.deliver(ev) {
		c.reject(w, r, http.StatusTooManyRequests, ev.Kind, fmt.Sprintf("this Link session has already reported %d events", maxSessionEvents))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// tokenRequest is the body of POST /create_link_token.
type tokenRequest struct {
	Session string `json:"session"`
	State   string `json:"state"`
}

func (c *CallbackServer) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	if !c.methodAllowed(w, r, http.MethodPost) {
		return
	}
	body, ok := c.readBody(w, r)
	if !ok {
		return
	}
	var req tokenRequest
	if err := decodeStrict(body, &req); err != nil {
		c.reject(w, r, http.StatusBadRequest, "", "malformed create_link_token request: "+err.Error())
		return
	}
	s := c.session(req.Session)
	if s == nil || !s.stateMatches(req.State) {
		c.reject(w, r, http.StatusForbidden, "", "the state token does not match any open Link session")
		return
	}
	if !s.allowTokenRequest() {
		c.reject(w, r, http.StatusTooManyRequests, "", fmt.Sprintf("this Link session has already asked for %d link_tokens", maxTokenRequests))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), createTokenTimeout)
	defer cancel()
	token, err := c.opts.CreateLinkToken(ctx, s)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": tokenErrorBody(err)})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"link_token": token})
}

// tokenErrorBody is the Plaid-shaped error the page shows when linkexplorer
// could not create a link_token ("Unable to fetch link_token").
func tokenErrorBody(err error) map[string]any {
	var ae *APIError
	if errors.As(err, &ae) {
		return map[string]any{
			"error_type": ae.Type, "error_code": ae.Code, "error_message": ae.Message,
			"display_message": ae.DisplayMessage, "request_id": ae.RequestID,
		}
	}
	return map[string]any{"error_message": err.Error()}
}

// decodeStrict decodes one JSON value, refusing unknown fields and trailing
// data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// LinkSession is one Link session's page on the callback server, and the
// stream of what that page reports.
type LinkSession struct {
	srv     *CallbackServer
	id      string
	state   string
	purpose string

	wake chan struct{}
	done chan struct{}
	out  chan PageEvent

	mu       sync.Mutex
	queue    []PageEvent
	events   int
	tokens   int
	shutOnce sync.Once
}

// URL is the session's page: http://127.0.0.1:PORT/link/<128-bit id>.
func (s *LinkSession) URL() string { return s.srv.base + "/link/" + s.id }

// Purpose is the description given to NewSession.
func (s *LinkSession) Purpose() string { return s.purpose }

// Events delivers each accepted report, in the order received, as soon as
// it arrives. It is closed when the session is closed. Wait reads from it
// too: use one or the other.
func (s *LinkSession) Events() <-chan PageEvent { return s.out }

// Close ends the session: its page stops answering and Events is closed.
func (s *LinkSession) Close() {
	s.srv.forget(s.id)
	s.shutdown()
}

func (s *LinkSession) shutdown() { s.shutOnce.Do(func() { close(s.done) }) }

func (s *LinkSession) stateMatches(state string) bool {
	return subtle.ConstantTimeCompare([]byte(state), []byte(s.state)) == 1
}

func (s *LinkSession) allowTokenRequest() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens++
	return s.tokens <= maxTokenRequests
}

// deliver queues an event for Events; false when the session is over its
// event budget.
func (s *LinkSession) deliver(ev PageEvent) bool {
	s.mu.Lock()
	if s.events >= maxSessionEvents {
		s.mu.Unlock()
		return false
	}
	s.events++
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// pump moves queued events to the Events channel, so that the HTTP handler
// never blocks on a slow reader and order is kept.
func (s *LinkSession) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		ev := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}

// ErrWaitTimeout is wrapped by Wait's error when the wait timed out.
var ErrWaitTimeout = errors.New("timed out waiting for Link")

// Wait returns the first event for which pred returns true (nil pred: the
// first event). pred sees every event in order, so it can also record them.
// Wait gives up after the server's WaitTimeout, when ctx is done, or when
// the session closes; its error says where the page still is.
func (s *LinkSession) Wait(ctx context.Context, pred func(PageEvent) bool) (PageEvent, error) {
	timeout := s.srv.opts.WaitTimeout
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrWaitTimeout)
	defer cancel()
	for {
		select {
		case ev, ok := <-s.out:
			if !ok {
				return PageEvent{}, errors.New("the Link session was closed before Link finished")
			}
			if pred == nil || pred(ev) {
				return ev, nil
			}
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), ErrWaitTimeout) {
				return PageEvent{}, fmt.Errorf("%w after %s; the page is still at %s", ErrWaitTimeout, shortDuration(timeout), s.URL())
			}
			return PageEvent{}, fmt.Errorf("stopped waiting for Link (%w); the page is still at %s", context.Cause(ctx), s.URL())
		}
	}
}

// shortDuration prints 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// reportFields lists, per report kind, the fields besides state and kind
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
}

// String length bounds for report fields.
const (
	maxIDLen      = 256
	maxMessageLen = 2048
)

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
	if err := fillEvent(&ev, fields); err != nil {
		return ev, http.StatusBadRequest, err
	}
	return ev, http.StatusNoContent, nil
}

func checkFields(fields map[string]json.RawMessage, kind string, allowed []string) error {
	ok := map[string]bool{"state": true, "kind": true}
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

// Browser choices for OpenBrowser.
const (
	// BrowserSystem opens the page in the user's default browser.
	BrowserSystem = "system"
	// BrowserNone opens nothing: the caller prints the URL for the user.
	BrowserNone = "none"
)

var quietBrowser sync.Once

// OpenBrowser opens url as how says: "system" (the default browser, through
// github.com/pkg/browser) or "none" (nothing). When the browser cannot be
// opened, the error tells the user to open the URL by hand.
func OpenBrowser(url, how string) error {
	switch how {
	case BrowserNone:
		return nil
	case BrowserSystem, "":
		// pkg/browser copies the opener's output to ours, which would
		// scribble over the terminal UI.
		quietBrowser.Do(func() { browser.Stdout, browser.Stderr = io.Discard, io.Discard })
		if err := browser.OpenURL(url); err != nil {
			return fmt.Errorf("could not open a browser (%v): open %s by hand", err, url)
		}
		return nil
	}
	return fmt.Errorf("unknown browser choice %q: use %s or %s", how, BrowserSystem, BrowserNone)
}
