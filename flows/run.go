package flows

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/store"
)

// errNotBuilt marks the parts of the runner still being written.
var errNotBuilt = errors.New("flows: runner not built yet")

// Env is what every run shares: the configuration, the recorded plaid-go
// client, the callback server, the emulator's control API (emulated mode
// only) and the session log.
type Env struct {
	Config   Config
	Client   *plaid.APIClient
	Control  *Control // nil against real Plaid
	Callback *CallbackServer
	Store    *store.Store
	Browser  BrowserMode
	Logger   *slog.Logger
}

// EnvOptions configure NewEnv.
type EnvOptions struct {
	Config Config // BaseURL already set (the emulator's URL offline)
	Store  *store.Store
	// Browser is how Link steps get a browser (default BrowserSystem).
	Browser BrowserMode
	// CallbackAddr is --callback-addr; empty picks a free loopback port.
	CallbackAddr string
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

// NewEnv builds the recorded client (recording into the store), starts the
// callback server and, offline, the control client.
func NewEnv(ctx context.Context, opts EnvOptions) (*Env, error) { return nil, errNotBuilt }

// Close stops the callback server.
func (e *Env) Close() error { return nil }

// Flows returns the flows in menu order: quickstart, update-mode,
// invalid-token.
func Flows() []*Flow { return nil }

// FlowByName finds a flow by its Name.
func FlowByName(name string) (*Flow, bool) { return nil, false }

// Run is one execution of a Flow: it opens a session in the store, runs the
// steps one at a time (a UI drives it step by step; the CLI calls RunAll)
// and reports progress on Events. All methods are safe for concurrent use;
// Next, Retry and RunAll run one step at a time.
type Run struct {
	mu     sync.Mutex
	id     string
	flow   *Flow
	events chan Event
}

// NewRun starts a run of flow: a new session in the store.
func (e *Env) NewRun(ctx context.Context, flow *Flow) (*Run, error) { return nil, errNotBuilt }

// ID identifies the run (its store session id).
func (r *Run) ID() string { return r.id }

// Flow is the flow being run.
func (r *Run) Flow() *Flow { return r.flow }

// Events delivers the run's progress. It is closed by Close.
func (r *Run) Events() <-chan Event { return r.events }

// Current is the index of the step Next would run; len(Flow().Steps) once
// every step has run or been skipped.
func (r *Run) Current() int { return 0 }

// Done reports whether every step has run or been skipped.
func (r *Run) Done() bool { return false }

// Result is step i's latest result, or nil if it has not run.
func (r *Run) Result(i int) *StepResult { return nil }

// TokenRequest is the /link/token/create request the next create step will
// send (editable before sending).
func (r *Run) TokenRequest() TokenRequest { return TokenRequest{} }

// SetTokenRequest replaces the request the next create step sends. It
// refuses what Plaid would refuse for obvious reasons (no client_user_id,
// no country code) with a clear error; Plaid-side validation still happens
// when the step runs, which is part of the lesson.
func (r *Run) SetTokenRequest(tr TokenRequest) error { return errNotBuilt }

// Next runs the current step and, if it succeeds, moves to the next one.
func (r *Run) Next(ctx context.Context) *StepResult { return nil }

// Retry runs the current step again (after a failure, or to repeat it).
func (r *Run) Retry(ctx context.Context) *StepResult { return nil }

// Skip marks the current step skipped and moves on.
func (r *Run) Skip() {}

// Back moves to the previous step, so it can be run again.
func (r *Run) Back() {}

// LinkToken is the current link_token (masked) and its expiry, once created.
func (r *Run) LinkToken() (masked string, expiration time.Time) { return "", time.Time{} }

// PageURL is the callback page of the current Link step, or "".
func (r *Run) PageURL() string { return "" }

// OpenBrowser (re)opens the current page in the system browser.
func (r *Run) OpenBrowser() error { return errNotBuilt }

// ExpireLinkToken expires the current link_token now, through the
// emulator's control API (emulated mode only), so the page meets
// INVALID_LINK_TOKEN and recovers.
func (r *Run) ExpireLinkToken(ctx context.Context) error { return errNotBuilt }

// Timeline is the run's token/session timeline so far (invalid-token
// recovery: token #1 → INVALID_LINK_TOKEN → token #2 → success).
func (r *Run) Timeline() []TimelineEntry { return nil }

// Report describes the run so far.
func (r *Run) Report() Report { return Report{} }

// RunAll runs every remaining step, stopping at the first failure.
func (r *Run) RunAll(ctx context.Context) Report { return Report{} }

// Close ends the run: closes its session in the store and its Events.
func (r *Run) Close() error { return nil }
