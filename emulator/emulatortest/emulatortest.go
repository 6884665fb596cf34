// Package emulatortest starts the real emulator for tests: on a loopback
// httptest server, closed (and checked to close cleanly) when the test
// ends, with webhooks delivered to loopback addresses only (a webhook URL
// elsewhere, such as https://app.example.com/hook, is refused and recorded
// as a failed delivery: tests never reach the network), and a plaid-go
// client configured as a user's app configures it.
//
//	srv := emulatortest.Start(t)
//	resp, _, err := srv.Client().LinkTokenCreate(ctx).LinkTokenCreateRequest(req).Execute()
//	ctl := &flows.Control{BaseURL: srv.URL}
//
// Tests inside package emulator cannot import this package (it imports
// emulator); they use that package's own harness.
package emulatortest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator"
)

// Default credentials Client sends when none are set with Credentials. An
// emulator started without Credentials accepts any pair.
const (
	DefaultClientID = "test-client-id"
	DefaultSecret   = "test-secret-0123456789"
)

// Server is a running emulator.
type Server struct {
	// Emulator is the emulator itself, for what its Go API offers.
	Emulator *emulator.Emulator
	// URL is its base URL, http://127.0.0.1:port: Plaid's API, the
	// control API under /__emulator/ and the emulated Link.
	URL string
	// ClientID and Secret are the credentials Client sends.
	ClientID, Secret string

	srv       *httptest.Server
	closeOnce sync.Once
	closeErr  error
}

// Option configures Start and New.
type Option func(*config)

type config struct {
	opts             emulator.Options
	clientID, secret string
}

// Options replaces the emulator's options; give it before Credentials. A
// nil WebhookClient becomes one that delivers to loopback addresses only,
// and a ClientID and Secret set here are also what Client sends.
func Options(o emulator.Options) Option {
	return func(c *config) {
		c.opts = o
		if o.ClientID != "" && o.Secret != "" {
			c.clientID, c.secret = o.ClientID, o.Secret
		}
	}
}

// Credentials makes the emulator accept only this client_id and secret
// (a wrong pair gets INVALID_API_KEYS), and Client send them.
func Credentials(clientID, secret string) Option {
	return func(c *config) {
		c.opts.ClientID, c.opts.Secret = clientID, secret
		c.clientID, c.secret = clientID, secret
	}
}

// Start starts an emulator for the test and closes it when the test ends,
// failing the test if it does not close cleanly. A failure to start fails
// the test at once.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := start(opts)
	if err != nil {
		t.Fatalf("emulatortest: starting the emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("emulatortest: closing the emulator: %v", err)
		}
	})
	return s
}

// New starts an emulator that the caller closes with Close, for code that
// starts one on demand (a doctor's StartEmulator hook, say) rather than
// once per test.
func New(opts ...Option) (*Server, error) {
	return start(opts)
}

func start(opts []Option) (*Server, error) {
	c := config{clientID: DefaultClientID, secret: DefaultSecret}
	for _, o := range opts {
		o(&c)
	}
	if c.opts.WebhookClient == nil {
		c.opts.WebhookClient = loopbackOnly()
	}
	emu, err := emulator.New(c.opts)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(emu) // binds 127.0.0.1
	return &Server{Emulator: emu, URL: srv.URL, ClientID: c.clientID, Secret: c.secret, srv: srv}, nil
}

// Close stops the server and the emulator (its webhook deliveries and
// state saving). It may be called more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.srv.Close()
		s.closeErr = s.Emulator.Close()
	})
	return s.closeErr
}

// Client returns plaid-go pointed at the emulator with the server's
// credentials, as a user's app configures it.
func (s *Server) Client() *plaid.PlaidApiService {
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", s.ClientID)
	cfg.AddDefaultHeader("PLAID-SECRET", s.Secret)
	cfg.UseEnvironment(plaid.Environment(s.URL))
	cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	return plaid.NewAPIClient(cfg).PlaidApi
}

// loopbackOnly delivers webhooks to loopback addresses only and refuses
// the others, which the emulator records as failed deliveries.
func loopbackOnly() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("tests deliver webhooks to loopback only, not to %s", addr)
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}
