// Package emulator is linkexplorer's offline Plaid Sandbox: Plaid's API over
// HTTP (the official plaid-go client works against it unchanged), the
// emulated Link SDK, webhooks, a virtual clock and a control API under
// /__emulator/. Other code reaches it only over HTTP.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/link"
	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
)

// Options configure an Emulator.
type Options struct {
	// ClientID and Secret, when both are set, are the only credentials
	// accepted; a wrong pair gives INVALID_API_KEYS. Empty: any pair.
	ClientID, Secret string
	// RedirectURIs is the redirect_uri allowlist (redirects.go), beyond
	// the loopback paths allowed out of the box (LoopbackRedirectPaths).
	RedirectURIs []string
	// StateFile, when set, persists Items and tokens across restarts.
	StateFile string
	// Logger receives the emulator's logs. Nil discards them.
	Logger *slog.Logger
	// WebhookClient delivers webhooks. Nil uses a client with a 10 s timeout.
	WebhookClient *http.Client
	// Now is the real clock under the virtual one. Nil is time.Now.
	Now func() time.Time
	// AllowRemote accepts any Host header. By default only the address the
	// emulator is reached on and loopback names (localhost, 127.0.0.1,
	// [::1]) with its port are accepted, so a DNS-rebound page cannot
	// reach it (421). Set it with --allow-remote, as Listen's allowRemote.
	AllowRemote bool
}

// Emulator is the offline Plaid Sandbox. It is an http.Handler; every method
// is safe for concurrent use.
type Emulator struct {
	opts      Options
	log       *slog.Logger
	clock     *clock
	link      *link.Handler
	control   *http.ServeMux
	requests  *requestLog
	lines     *accessLog // one line per API request, written off the request path
	webhooks  *dispatcher
	whKey     *webhookKey // signs webhooks; kept across reset, saved in the state file
	saver     *saver
	track     tracker  // what changed since the last save
	journal   *journal // the state file's journal; nil without one
	redirects *redirectList

	mu sync.Mutex // guards st
	st *state
	// assetDelay is how long an Asset Report takes (tests change it).
	assetDelay time.Duration

	closeOnce sync.Once
	closeErr  error
}

var _ link.Backend = (*Emulator)(nil)

// New returns an Emulator. When opts.StateFile names an existing file, the
// Items, tokens and clock offset saved there are loaded.
func New(opts Options) (*Emulator, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	// The schema is compiled in the background (35 ms or more of CPU):
	// the terminal app shows its first frame meanwhile, and the first
	// request waits for it (ServeHTTP).
	go compiledRoutes()
	e := &Emulator{
		lines:      newAccessLog(opts.Logger),
		opts:       opts,
		log:        opts.Logger,
		clock:      &clock{real: opts.Now},
		st:         newState(),
		requests:   newRequestLog(requestLogSize, requestBodyBudget),
		redirects:  newRedirectList(opts.RedirectURIs),
		assetDelay: defaultAssetReportDelay,
	}
	key, err := newWebhookKey(opts.Now())
	if err != nil {
		return nil, err
	}
	e.whKey = key
	if opts.StateFile != "" {
		if err := checkWritable(opts.StateFile); err != nil {
			return nil, err
		}
		if err := e.load(opts.StateFile); err != nil {
			return nil, err
		}
	}
	e.control = e.controlRoutes()
	e.link = link.New(e, link.Options{Logger: opts.Logger})
	e.webhooks = newDispatcher(opts.WebhookClient, e.Now, opts.Logger)
	e.webhooks.sign = func(body []byte) (string, error) { return e.whKey.sign(body, opts.Now()) }
	if opts.StateFile != "" {
		e.saver = newSaver(e.persist, opts.Logger)
		if !e.track.dirty.empty() {
			e.saver.poke()
		}
	}
	if e.st.prod != nil && len(e.st.prod.AssetReports) > 0 {
		time.AfterFunc(e.assetDelay, e.finishAssetReports) // reports pending at the last shutdown
	}
	return e, nil
}

// compiledSpec compiles the embedded schema once per process, with the enum
// values the emulator serves beyond it (later API releases added them).
var compiledSpec = sync.OnceValues(func() (*plaidspec.Spec, error) {
	spec, err := plaidspec.Load()
	if err != nil {
		return nil, err
	}
	if err := spec.AllowEnum("/sandbox/item/fire_webhook", "webhook_code", "LOGIN_REPAIRED", "PENDING_EXPIRATION", "PENDING_DISCONNECT"); err != nil {
		return nil, err
	}
	return spec, nil
})

// routeTable is the compiled schema and the handlers of the operations
// answered from its examples, the same for every Emulator of the process.
type routeTable struct {
	spec *plaidspec.Spec
	// examples answer the schema's operations that apiRoutes lacks.
	examples map[string]handlerFunc
}

// compiledRoutes makes the routeTable once per process.
var compiledRoutes = sync.OnceValues(func() (*routeTable, error) {
	spec, err := compiledSpec()
	if err != nil {
		return nil, fmt.Errorf("emulator: the embedded Plaid schema: %w", err)
	}
	return &routeTable{spec: spec, examples: exampleRoutes(spec)}, nil
})

// exampleRoutes are the handlers of the schema's operations that apiRoutes
// does not serve.
func exampleRoutes(spec *plaidspec.Spec) map[string]handlerFunc {
	out := map[string]handlerFunc{}
	for _, p := range spec.Paths() {
		if _, ok := apiRoutes[p]; ok {
			continue
		}
		op, _ := spec.Op(p)
		out[p] = exampleHandler(op)
	}
	return out
}

// ServeHTTP routes a request: Plaid's API endpoints first (the stateful
// ones, then those answered from the schema's examples), then the emulated
// Link's paths, then the control API under /__emulator/. Anything else is
// Plaid's 404 NOT_FOUND error. Before routing, guard refuses other Host
// headers, browser requests from other origins and control requests that
// are not JSON (see guard.go).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.guard(w, r) {
		return
	}
	routes, err := compiledRoutes()
	if err != nil { // the binary's embedded schema is broken: nothing can be served
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p := r.URL.Path
	if h, ok := apiRoutes[p]; ok {
		op, _ := routes.spec.Op(p)
		e.serveAPI(w, r, op, fidelityStatefulValue, h)
		return
	}
	if h, ok := routes.examples[p]; ok {
		op, _ := routes.spec.Op(p)
		e.serveAPI(w, r, op, fidelityExampleValue, h)
		return
	}
	if e.link.Owns(p) {
		e.link.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(p, "/__emulator/") {
		e.serveControl(w, r)
		return
	}
	e.serveAPI(w, r, nil, nil, notFound)
}

// Serve serves the emulator on ln until ctx is done, then shuts down
// gracefully: it stops accepting connections, drains requests in flight,
// gives pending webhook deliveries a moment and saves the state (Close).
// It returns nil after a clean shutdown.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	var unused unusedConns
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnState:         unused.track,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
		// Shutdown counts a connection that has not sent a request yet
		// as busy for its first 5 s, so one left open (a browser may
		// open spare connections it never uses) holds the shutdown that
		// long. Such connections carry no request: they are closed first.
		unused.closeAll()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			// A client still holding a request open after the drain (a
			// browser tab being killed, a stalled client) is cut off: the
			// state is saved all the same, so this is not a failure.
			_ = srv.Close()
			e.log.Warn("emulator: requests still open after 5 s of shutdown were cut off", "error", err)
		}
		<-served
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, e.Close())
}

// unusedConns are the server's connections that have not sent a request
// yet (http.StateNew).
type unusedConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track is the server's ConnState hook.
func (u *unusedConns) track(c net.Conn, st http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if st != http.StateNew {
		delete(u.conns, c)
		return
	}
	if u.conns == nil {
		u.conns = map[net.Conn]struct{}{}
	}
	u.conns[c] = struct{}{}
}

// closeAll closes the connections that have not sent a request yet.
func (u *unusedConns) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		_ = c.Close()
	}
	clear(u.conns)
}

// Close stops background work: webhook deliveries still queued get a
// moment to finish, then the state is saved to the state file, if any.
// Close is idempotent; later calls return the first call's result.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		e.webhooks.close(webhookDrainTimeout)
		e.lines.close(time.Second)
		if e.saver != nil {
			e.closeErr = e.saver.close()
			e.closeJournal()
		}
	})
	return e.closeErr
}

// Now is the emulator's virtual clock: the real clock plus the offset the
// control API has advanced it by, in UTC.
func (e *Emulator) Now() time.Time { return e.clock.now() }

// NewRequestID returns a fresh Plaid-format request_id.
func (e *Emulator) NewRequestID() string { return newRequestID() }

// changed records that the persisted state changed in a way not tracked
// per object: the saver writes a whole snapshot soon. Changes of one Item
// or token use changedItem and the like, which cost a journal record.
func (e *Emulator) changed() { e.mark(func(d *dirtySet) { d.full = true }) }
