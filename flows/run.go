package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/store"
)

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

	log         *logWriter
	webhookPath string
	webhookKeys *webhookKeys
	// headless is the one headless Chromium of --browser=auto, shared by
	// every run and kept running until Close.
	headless *headlessBrowser
	// stopBrowserAfterLink is EnvOptions.StopBrowserAfterLink.
	stopBrowserAfterLink bool
	// openHeadless, when set, opens a page instead of headless (tests
	// substitute their own tab).
	openHeadless func(ctx context.Context, url string) (stop func(), err error)

	mu     sync.Mutex
	runs   map[*Run]bool
	latest *Run
	// waiters are the Item actions waiting for their webhooks (items.go).
	waiters itemWaiters
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
	// WaitTimeout bounds each wait for Link; 0 is DefaultWaitTimeout.
	WaitTimeout time.Duration
	// Prewarmed is a headless Chromium launched before the Env
	// (PrewarmHeadless) by a command that runs a flow straight away
	// (linkexplorer run), which the Env takes over. An Env that has no
	// use for it (not --browser auto, or not offline) closes it. Without
	// it the browser starts with the first run that opens Link.
	Prewarmed *Prewarmed
	// StopBrowserAfterLink stops headless Chromium, in the background, as
	// soon as a run has no Link step left, for a command that runs one
	// flow and exits (linkexplorer run): the exchange and the checks that
	// follow Link then overlap the browser's shutdown instead of the exit
	// waiting for it. A later page relaunches it.
	StopBrowserAfterLink bool
}

// Flows returns the flows in menu order: quickstart, update-mode,
// invalid-token, oauth (redirect round trip), oauth-popup.
func Flows() []*Flow {
	return []*Flow{quickstartFlow(), updateModeFlow(), invalidTokenFlow(), oauthRedirectFlow(), oauthPopupFlow(),
		transactionsFlow(), updateNewAccountsFlow(), updateExpiringFlow(), sandboxCredentialsFlow()}
}

// FlowByName finds a flow by its Name.
func FlowByName(name string) (*Flow, bool) {
	for _, f := range Flows() {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// FlowNames lists the flows' names in menu order.
func FlowNames() []string {
	var names []string
	for _, f := range Flows() {
		names = append(names, f.Name)
	}
	return names
}

// Run is one execution of a Flow: it opens a session in the store, runs the
// steps one at a time (a UI drives it step by step; the CLI calls RunAll)
// and reports progress on Events. All methods are safe for concurrent use;
// Next, Retry and RunAll run one step at a time.
type Run struct {
	mu     sync.Mutex
	id     string
	flow   *Flow
	events chan Event

	env     *Env
	opts    RunOptions
	q       *eventQueue
	mode    string
	started time.Time
	ended   time.Time // when the last step finished

	stepMu   sync.Mutex // held while a step runs
	running  bool
	cur      int
	results  []*StepResult
	capture  *CallCapture // the running step's
	stepName string       // the running step's name, "" between steps
	// acted maps an item_id to the step that last acted on it, and
	// lastActed is the step that last acted on any (webhookstep.go).
	acted     map[string]string
	lastActed string
	// webhooks are the webhooks received for the run so far, oldest
	// first; webhookArrived, closed and replaced on each arrival, wakes
	// the steps waiting for one (run_webhooks.go).
	webhooks       []WebhookReceived
	webhookArrived chan struct{}
	tokenReq       TokenRequest
	// tokenEdited: SetTokenRequest was called (the form was saved).
	tokenEdited bool
	st          runState
	timeline    []TimelineEntry
	cancelled   bool
	// stopped is set when RunAll stopped at a failed step: the run ended
	// as failed. A run closed before its end otherwise (the user quit
	// mid-run) is cancelled, whatever an earlier attempt returned.
	stopped bool
	closed  bool
}

// RunOptions change how one run goes (see NewRunWith). The zero value is
// a run as NewRun makes it.
type RunOptions struct {
	// Autopilot arms the emulated Link's autopilot for every link_token the
	// run creates, whatever the Env's BrowserMode: with BrowserSystem, the
	// user's browser shows Link completing by itself (demo mode). It needs
	// the emulator; against real Plaid it changes nothing. BrowserAuto
	// always arms the autopilot.
	Autopilot bool
	// AutopilotDelay paces each action of the autopilot (its delay_ms) so
	// that people can follow it; 0 runs it instantly. At most
	// MaxAutopilotDelay.
	AutopilotDelay time.Duration
	// NewItem makes update mode link a new Item instead of reusing one from
	// the session log, so that the run does not depend on earlier ones.
	NewItem bool
	// ItemID makes update mode work on this stored Item (Home's "Use for
	// update mode") instead of the latest usable one.
	ItemID string
	// Demo marks the run as one the demo played: its session's kind is
	// "demo:FLOW" instead of "flow:FLOW", so the log can tell (and filter,
	// source:demo) what the demo did from what the user did.
	Demo bool
	// OAuthMistake makes the OAuth redirect flow's page re-initialize Link
	// without receivedRedirectUri after the bank (the classic mistake),
	// then recover.
	OAuthMistake bool
}

// MaxAutopilotDelay is the slowest pace the emulated Link's autopilot
// accepts.
const MaxAutopilotDelay = 10 * time.Second

// NewRun starts a run of flow: a new session in the store.
func (e *Env) NewRun(ctx context.Context, flow *Flow) (*Run, error) {
	return e.NewRunWith(ctx, flow, RunOptions{})
}

// NewRunWith starts a run of flow with opts: a new session in the store.
func (e *Env) NewRunWith(ctx context.Context, flow *Flow, opts RunOptions) (*Run, error) {
	if flow == nil || len(flow.Steps) == 0 {
		return nil, errors.New("flows: no flow to run")
	}
	if opts.AutopilotDelay < 0 || opts.AutopilotDelay > MaxAutopilotDelay {
		return nil, fmt.Errorf("flows: the autopilot's delay %v is out of range: use 0 (instant) to %v", opts.AutopilotDelay, MaxAutopilotDelay)
	}
	mode := store.ModeEmulated
	if e.Config.Mode == ModePlaid {
		mode = store.ModePlaid
	}
	kind := "flow:" + flow.Name
	if opts.Demo {
		kind = "demo:" + flow.Name
	}
	sess, err := e.Store.StartSession(ctx, kind, mode)
	if err != nil {
		return nil, err
	}
	q := newEventQueue()
	r := &Run{
		id: sess.ID, flow: flow, events: q.out, env: e, q: q, mode: mode,
		started: time.Now(), results: make([]*StepResult, len(flow.Steps)),
		tokenReq: e.defaultTokenRequest(), opts: opts,
	}
	if len(flow.Products) > 0 {
		r.tokenReq.Products = slices.Clone(flow.Products)
	}
	r.st.linkSessions = map[string]bool{}
	e.register(r)
	if e.Browser == BrowserAuto && e.Control != nil && e.openHeadless == nil && opensLink(flow) {
		// Chromium's launch is the slowest part of a Link step: start it
		// now, while the first steps create the link_token.
		e.headless.prewarm()
	}
	return r, nil
}

// opensLink reports whether flow has a step that opens Link.
func opensLink(flow *Flow) bool {
	return slices.ContainsFunc(flow.Steps, func(s Step) bool { return s.Kind == StepLink })
}

// defaultTokenRequest is the /link/token/create request built from the
// configuration; offline it carries the webhook receiver's URL.
func (e *Env) defaultTokenRequest() TokenRequest {
	c := e.Config
	tr := TokenRequest{
		ClientName: c.ClientName, ClientUserID: c.ClientUserID,
		Products: slices.Clone(c.Products), CountryCodes: slices.Clone(c.CountryCodes),
		Language: c.Language, Webhook: c.Webhook, RedirectURI: c.RedirectURI,
	}
	if tr.Webhook == "" {
		tr.Webhook = e.WebhookURL()
	}
	return tr
}

// ID identifies the run (its store session id).
func (r *Run) ID() string { return r.id }

// Flow is the flow being run.
func (r *Run) Flow() *Flow { return r.flow }

// Events delivers the run's progress. It is closed by Close. Events are
// queued without limit for step results; narration, calls, Link reports and
// webhooks beyond 10,000 unread are dropped.
func (r *Run) Events() <-chan Event { return r.events }

// Current is the index of the step Next would run; len(Flow().Steps) once
// every step has run or been skipped.
func (r *Run) Current() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

// Done reports whether every step has run or been skipped.
func (r *Run) Done() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur >= len(r.flow.Steps)
}

// Result is step i's latest result, or nil if it has not run.
func (r *Run) Result(i int) *StepResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < 0 || i >= len(r.results) || r.results[i] == nil {
		return nil
	}
	return r.results[i].clone()
}

func (s *StepResult) clone() *StepResult {
	c := *s
	c.Calls = slices.Clone(s.Calls)
	c.Facts = slices.Clone(s.Facts)
	return &c
}

// TokenRequest is the /link/token/create request the next create step will
// send (editable before sending).
func (r *Run) TokenRequest() TokenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	tr := r.tokenReq
	tr.Products, tr.CountryCodes = slices.Clone(tr.Products), slices.Clone(tr.CountryCodes)
	tr.UpdateProducts = slices.Clone(tr.UpdateProducts)
	return tr
}

// SetTokenRequest replaces the request the next create step sends. It only
// trims the values: an empty or bad one goes to Plaid like any other, since
// Plaid's own error is the lesson.
func (r *Run) SetTokenRequest(tr TokenRequest) error {
	tr.ClientName = strings.TrimSpace(tr.ClientName)
	tr.ClientUserID = strings.TrimSpace(tr.ClientUserID)
	tr.Language = strings.TrimSpace(tr.Language)
	tr.Webhook = strings.TrimSpace(tr.Webhook)
	tr.RedirectURI = strings.TrimSpace(tr.RedirectURI)
	tr.Products = normList(tr.Products, strings.ToLower)
	tr.CountryCodes = normList(tr.CountryCodes, strings.ToUpper)
	tr.UpdateProducts = normList(tr.UpdateProducts, strings.ToLower)
	r.mu.Lock()
	r.tokenReq, r.tokenEdited = tr, true
	r.mu.Unlock()
	return nil
}

// TokenRequestEdited reports whether the token request was edited (so a
// bad value came from the form, not from the configuration).
func (r *Run) TokenRequestEdited() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tokenEdited
}

func normList(in []string, norm func(string) string) []string {
	var out []string
	for _, s := range in {
		if s = norm(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Next runs the current step and, if it succeeds, moves to the next one.
// It returns nil when every step has run or the run is closed.
func (r *Run) Next(ctx context.Context) *StepResult {
	r.stepMu.Lock()
	defer r.stepMu.Unlock()
	r.mu.Lock()
	i, closed := r.cur, r.closed
	r.mu.Unlock()
	if closed || i >= len(r.flow.Steps) {
		return nil
	}
	return r.runStep(ctx, i)
}

// Retry runs the current step again (after a failure, or to repeat it).
// Once every step has run, it repeats the last one.
func (r *Run) Retry(ctx context.Context) *StepResult {
	r.stepMu.Lock()
	defer r.stepMu.Unlock()
	r.mu.Lock()
	i, closed := min(r.cur, len(r.flow.Steps)-1), r.closed
	r.mu.Unlock()
	if closed {
		return nil
	}
	return r.runStep(ctx, i)
}

// Skip marks the current step skipped and moves on. It does nothing while
// a step runs.
func (r *Run) Skip() {
	r.mu.Lock()
	if r.running || r.closed || r.cur >= len(r.flow.Steps) {
		r.mu.Unlock()
		return
	}
	step := r.flow.Steps[r.cur]
	res := &StepResult{Step: step.Name, Status: StatusSkipped, Endpoint: step.Endpoint}
	r.results[r.cur] = res
	r.cur++
	done := r.cur >= len(r.flow.Steps)
	r.mu.Unlock()
	r.publish(Event{Kind: EventStepFinished, Step: step.Name, Result: res.clone()})
	if done {
		r.finish(nil)
	}
}

// Back moves to the previous step, so it can be run again. It does nothing
// while a step runs.
func (r *Run) Back() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running && r.cur > 0 {
		r.cur--
	}
}

// runStep runs step i, records its result and, on success, moves past it.
func (r *Run) runStep(ctx context.Context, i int) *StepResult {
	step := &r.flow.Steps[i]
	res := &StepResult{Step: step.Name, Status: StatusRunning, Endpoint: step.Endpoint}
	ctx, cc := WithCallCapture(withRun(ctx, r))
	r.mu.Lock()
	r.results[i], r.running, r.capture, r.stepName = res, true, cc, step.Name
	r.mu.Unlock()
	r.publish(Event{Kind: EventStepStarted, Step: step.Name})

	start := time.Now()
	err := step.do(ctx, r)
	elapsed := time.Since(start)
	if step.Kind == StepLink && r.env.stopBrowserAfterLink && !opensLink(&Flow{Steps: r.flow.Steps[i+1:]}) {
		r.env.headless.stop()
	}
	// A finished step is in the session log: a UI may read it at once.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	if ferr := r.env.log.flush(fctx); ferr != nil {
		r.note("warning: %v", ferr)
	}
	cancel()

	r.mu.Lock()
	res.Calls = cc.Calls()
	res.complete(step, err, elapsed)
	r.running, r.capture, r.stepName = false, nil, ""
	if step.Kind == StepLink && res.Status == StatusOK {
		// Link created the Item, or repaired it in update mode.
		r.actedOn(r.st.item, step.Name)
	}
	if err != nil && ctx.Err() != nil {
		r.cancelled = true
	}
	advanced := false
	if res.Status == StatusOK && r.cur == i {
		r.cur++
		advanced = true
	}
	done := r.cur >= len(r.flow.Steps)
	if done {
		r.ended = time.Now()
	}
	out := res.clone()
	r.mu.Unlock()

	r.env.Logger.Debug("step finished", "run", r.id, "step", step.Name, "status", out.Status, "err", out.Error)
	r.publish(Event{Kind: EventStepFinished, Step: step.Name, Result: out, Err: out.Err})
	if advanced && done {
		r.finish(nil)
	}
	return out
}

// complete fills the result from the step's calls and error.
func (s *StepResult) complete(step *Step, err error, d time.Duration) {
	s.Duration = d
	if main, ok := mainCall(s.Calls, step.Endpoint); ok {
		if s.Endpoint == "" {
			s.Endpoint = main.Endpoint
		}
		s.RequestID, s.HTTPStatus, s.ErrorCode = main.RequestID, main.HTTPStatus, main.ErrorCode
	}
	if err == nil {
		s.Status = StatusOK
		if len(s.Calls) == 0 {
			// It called no Plaid endpoint (the transactions lesson changes
			// data through the emulator's control API offline): the
			// result names none, rather than one with no request_id.
			s.Endpoint = ""
		}
		return
	}
	s.Status, s.Err, s.Error = StatusFailed, err, err.Error()
	var ae *APIError
	var le *LinkExitError
	var ne *NetworkError
	var re *ResponseError
	switch {
	case errors.As(err, &ae):
		s.Endpoint, s.RequestID, s.ErrorCode = ae.Endpoint, ae.RequestID, ae.Code
		if ae.HTTPStatus != 0 {
			s.HTTPStatus = ae.HTTPStatus
		}
	case errors.As(err, &le):
		s.ErrorCode = le.Code
		if le.RequestID != "" {
			s.RequestID = le.RequestID
		}
	case errors.As(err, &ne):
		s.Endpoint, s.ErrorCode = ne.Endpoint, ne.Code
	case errors.As(err, &re):
		s.Endpoint, s.ErrorCode, s.RequestID = re.Endpoint, FaultIncomplete, re.RequestID
	}
}

// mainCall is the step's last call to its endpoint, else its last call.
func mainCall(calls []Call, endpoint string) (Call, bool) {
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Endpoint == endpoint {
			return calls[i], true
		}
	}
	if len(calls) == 0 {
		return Call{}, false
	}
	return calls[len(calls)-1], true
}

// finish reports that the flow ended, with err when it failed.
func (r *Run) finish(err error) {
	msg := "flow " + r.flow.Name + " finished"
	if err != nil {
		msg = "flow " + r.flow.Name + " failed: " + err.Error()
	}
	r.publish(Event{Kind: EventFinished, Message: msg, Err: err})
}

// RunAll runs every remaining step, stopping at the first failure.
func (r *Run) RunAll(ctx context.Context) Report {
	for !r.Done() {
		res := r.Next(ctx)
		if res == nil {
			break
		}
		if res.Status == StatusFailed {
			r.mu.Lock()
			r.ended, r.stopped = time.Now(), true
			r.mu.Unlock()
			r.finish(fmt.Errorf("step %s: %w", res.Step, res.Err))
			break
		}
	}
	return r.Report()
}

// publish hands an event to the run's Events.
func (r *Run) publish(ev Event) {
	ev.RunID = r.id
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	r.q.publish(ev)
}

// note publishes narration.
func (r *Run) note(format string, args ...any) {
	r.publish(Event{Kind: EventNote, Message: fmt.Sprintf(format, args...)})
}

// fact adds a labelled value to the running step's result.
func (r *Run) fact(label, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.results) - 1; i >= 0; i-- {
		if res := r.results[i]; res != nil && res.Status == StatusRunning {
			res.Facts = append(res.Facts, Fact{Label: label, Value: value})
			return
		}
	}
}

// Close ends the run: closes its session in the store and its Events.
// Events still queued are dropped; read up to EventFinished first to see
// them all.
func (r *Run) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	page := r.st.page
	r.mu.Unlock()
	if page != nil {
		page.Close()
	}
	r.env.unregister(r)
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	flushErr := r.env.log.flush(ctx)
	status, summary := r.outcome()
	endErr := r.env.Store.EndSession(ctx, r.id, status, summary)
	r.q.stop()
	return errors.Join(flushErr, endErr)
}

// outcome is the store session's final status and summary.
func (r *Run) outcome() (status, summary string) {
	rep := r.Report()
	r.mu.Lock()
	cancelled, stopped, cur := r.cancelled, r.stopped, r.cur
	r.mu.Unlock()
	switch {
	case rep.OK:
		summary = fmt.Sprintf("%s: ok in %s", rep.Flow, rep.Duration)
		if rep.ItemID != "" {
			summary += ", item_id " + rep.ItemID
		}
		return store.SessionOK, summary
	case stopped && !cancelled && rep.Error != "":
		return store.SessionFailed, rep.Flow + ": " + rep.Error
	}
	// Closed before the end: the user quit (or pressed Ctrl-C) mid-run. An
	// earlier attempt's error is not why the run ended, so it is not the
	// summary.
	at := "before its first step"
	if cur < len(r.flow.Steps) {
		at = fmt.Sprintf("at step %d of %d, %q", cur+1, len(r.flow.Steps), r.flow.Steps[cur].Title)
	}
	return store.SessionCancelled, rep.Flow + ": cancelled " + at
}
