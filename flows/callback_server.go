package flows

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

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
	// OnRejected, when set, receives refused requests as PageEvents with
	// Rejected set: per reason (status and report kind), the first few of
	// each RefusalWindow one by one, and the rest as one summary event
	// whose Refused field counts them, when the window ends or the server
	// closes. It runs on the request's goroutine or a timer's: return
	// quickly.
	OnRejected func(PageEvent)
	// RefusalWindow is the sampling window of OnRejected; 0 means
	// DefaultRefusalWindow (a minute).
	RefusalWindow time.Duration
	// OnReport, when set, records the accepted reports of a request, in
	// order, before the page is answered 204: the request is answered
	// only once it returns. It returns how many it recorded before the
	// first it could not; those are accepted, and the request is answered
	// 503 (the page does not retry; the rest are then at least not
	// acknowledged as kept). It runs on the request's goroutine.
	OnReport func(s *LinkSession, evs []PageEvent) (int, error)
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

	refusals *refusalSampler

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
	c.refusals = newRefusalSampler(opts.RefusalWindow, func(ev PageEvent) {
		if c.opts.OnRejected != nil {
			c.opts.OnRejected(ev)
		}
	})
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
	c.refusals.close()
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
