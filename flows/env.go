package flows

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
	"github.com/linkexplorer/linkexplorer/store"
)

// PlaidLinkScriptURL is Plaid's Link web SDK, which the callback page loads
// against real Plaid.
const PlaidLinkScriptURL = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"

// emulatorLinkScript is where an emulator serves its emulated Link SDK.
const emulatorLinkScript = "/link/v2/stable/link-initialize.js"

// probeTimeout bounds the check for an emulator behind a plaid-mode URL.
const probeTimeout = 2 * time.Second

// webhookVerifyTimeout bounds fetching the key that verifies a webhook.
const webhookVerifyTimeout = 10 * time.Second

// closeTimeout bounds the wait for the session log when a run closes.
const closeTimeout = 30 * time.Second

// ParseBrowserMode reads a --browser value: system (the default when
// empty), none or auto.
func ParseBrowserMode(s string) (BrowserMode, error) {
	switch m := BrowserMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return BrowserSystem, nil
	case BrowserSystem, BrowserNone, BrowserAuto:
		return m, nil
	}
	return "", fmt.Errorf("unknown --browser %q: use system (your default browser), none (print the URL and wait) or auto (complete Link with no person)", s)
}

// NewEnv builds the recorded client (recording into the store), starts the
// callback server and, offline, the control client. ctx bounds the Env's
// life: when it is done the callback server stops; Close stops it too. It
// takes over opts.Prewarmed, which it closes when it fails or has no use
// for it.
func NewEnv(ctx context.Context, opts EnvOptions) (*Env, error) {
	fail := func(err error) (*Env, error) {
		if opts.Prewarmed != nil {
			opts.Prewarmed.Close()
		}
		return nil, err
	}
	if opts.Store == nil {
		return fail(errors.New("flows: NewEnv needs the session log (EnvOptions.Store)"))
	}
	cfg := opts.Config
	if cfg.BaseURL == "" {
		return fail(errors.New("flows: no API base URL: start the emulator first (emulated mode), or set PLAID_API_URL"))
	}
	browser, err := ParseBrowserMode(string(opts.Browser))
	if err != nil {
		return fail(err)
	}
	e := &Env{
		Config: cfg, Store: opts.Store, Browser: browser,
		Logger: opts.Logger, runs: map[*Run]bool{},
		stopBrowserAfterLink: opts.StopBrowserAfterLink,
	}
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	switch auto := browser == BrowserAuto && cfg.Mode == ModeEmulated; {
	case opts.Prewarmed != nil && auto:
		e.headless = opts.Prewarmed.h
	case opts.Prewarmed != nil:
		opts.Prewarmed.Close()
		fallthrough
	default:
		e.headless = newHeadlessBrowser(ctx)
	}
	e.log = newLogWriter(opts.Store, e.Logger)
	e.Client = NewPlaidClient(cfg, envRecorder{e})
	e.webhookKeys = &webhookKeys{client: e.Client}
	script := PlaidLinkScriptURL
	if cfg.Mode == ModeEmulated {
		e.Control = &Control{BaseURL: cfg.BaseURL}
		script = cfg.BaseURL + emulatorLinkScript
	} else if isEmulator(ctx, cfg.BaseURL) {
		// PLAID_API_URL names a standalone emulator: Plaid's CDN Link
		// would talk to the real Sandbox, so load the emulator's Link.
		script = cfg.BaseURL + emulatorLinkScript
	}
	e.webhookPath = "/webhook/" + randomHex(16)
	e.Callback, err = StartCallbackServer(ctx, CallbackOptions{
		Addr:            opts.CallbackAddr,
		LinkScriptURL:   script,
		CreateLinkToken: e.createLinkToken,
		OnRejected:      e.onRejected,
		OnReport:        e.onReport,
		WaitTimeout:     opts.WaitTimeout,
		WebhookPath:     e.webhookPath,
		OnWebhook:       e.onWebhook,
	})
	if err != nil {
		e.headless.close()
		_ = e.log.close()
		return nil, err
	}
	return e, nil
}

// envRecorder records each call of the Env's client into the store, in the
// session of the run that made it, and publishes it on that run's Events.
type envRecorder struct{ e *Env }

type runKey struct{}

// withRun marks ctx as belonging to a run, so the calls made with it are
// recorded in the run's session.
func withRun(ctx context.Context, r *Run) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}

// RecordCall implements Recorder.
func (rec envRecorder) RecordCall(ctx context.Context, c Call) {
	r, _ := ctx.Value(runKey{}).(*Run)
	session := sessionOf(ctx) // an Item action's (items.go)
	if r != nil {
		session = r.id
	}
	rec.e.log.add(callRecord(session, c))
	if r != nil {
		r.noteItemAction(c)
		r.publish(Event{Kind: EventCall, Call: &c})
	}
}

// isEmulator reports whether base answers the emulator's health check.
func isEmulator(ctx context.Context, base string) bool {
	if strings.TrimRight(base, "/") == DefaultPlaidURL {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, err := (&Control{BaseURL: base}).Health(ctx)
	return err == nil
}

// Close stops headless Chromium (removing its temporary profile) and the
// callback server, and writes what is left to the session log.
func (e *Env) Close() error {
	e.headless.close() // the browser and its temporary profile
	e.Callback.Close()
	return e.log.close()
}

// Emulated reports whether the Env talks to the embedded emulator (and so
// has its control API).
func (e *Env) Emulated() bool { return e.Control != nil }

// WebhookURL is the URL of linkexplorer's webhook receiver, given to
// link_tokens and Items offline so that the emulator's webhooks show up in
// the run. It is "" against real Plaid, which cannot reach loopback.
func (e *Env) WebhookURL() string {
	if !e.Emulated() {
		return ""
	}
	return e.Callback.Addr() + e.webhookPath
}

// register and unregister track the runs that may receive page requests
// and webhooks.
func (e *Env) register(r *Run) {
	e.mu.Lock()
	e.runs[r] = true
	e.latest = r
	e.mu.Unlock()
}

func (e *Env) unregister(r *Run) {
	e.mu.Lock()
	delete(e.runs, r)
	if e.latest == r {
		e.latest = nil
	}
	e.mu.Unlock()
}

// runFor finds the run a page session belongs to.
func (e *Env) runFor(s *LinkSession) *Run {
	e.mu.Lock()
	defer e.mu.Unlock()
	for r := range e.runs {
		if r.ownsPage(s) {
			return r
		}
	}
	return nil
}

// runForItem finds the run working on itemID, else the latest run.
func (e *Env) runForItem(itemID string) *Run {
	e.mu.Lock()
	defer e.mu.Unlock()
	for r := range e.runs {
		if itemID != "" && r.itemID() == itemID {
			return r
		}
	}
	return e.latest
}

// createLinkToken answers the page's POST /create_link_token for the run
// that opened the page.
func (e *Env) createLinkToken(ctx context.Context, s *LinkSession) (string, error) {
	r := e.runFor(s)
	if r == nil {
		return "", errors.New("this Link page belongs to no running flow: start the step again in linkexplorer")
	}
	return r.pageToken(ctx, s)
}

// onReport records page reports, in order, in the session of the run that
// opened the page, before the callback server acknowledges them: a Link
// event answered 204 is in the session log. The reports of one request
// (and those arriving meanwhile) share a transaction. It returns how many
// were recorded before the first that could not be. The run publishes
// them when it reads them (Run.onPageEvent).
func (e *Env) onReport(s *LinkSession, evs []PageEvent) (int, error) {
	session := ""
	if r := e.runFor(s); r != nil {
		session = r.id
	}
	recs := make([]store.Record, len(evs))
	for i, ev := range evs {
		recs[i] = linkEventRecord(session, ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return e.log.addWaitAll(ctx, recs)
}

// onRejected records a request the callback server refused, or a summary
// of those it did not report one by one, in the latest run's session.
func (e *Env) onRejected(ev PageEvent) {
	r := e.runForItem("")
	session := ""
	if r != nil {
		session = r.id
	}
	e.log.add(linkEventRecord(session, ev))
	if r != nil {
		r.publishLink(ev)
	}
}

// onWebhook records a webhook delivered to the receiver and hands it to the
// run working on its Item. The Item's status in the store follows ERROR
// and LOGIN_REPAIRED webhooks.
//
// Each webhook's Plaid-Verification JWT is checked first, as Plaid's guide
// tells an app to; the key is fetched through the recorded client, in the
// run's session, so its request_id is in the log too.
func (e *Env) onWebhook(body []byte, jwt string) {
	wh := parseWebhook(body)
	r := e.runForItem(wh.ItemID)
	session := ""
	if s, ok := e.webhookSession(wh.ItemID); ok && (r == nil || r.itemID() != wh.ItemID) {
		r, session = nil, s // an Item action fired it (items.go)
	}
	ctx, cancel := context.WithTimeout(context.Background(), webhookVerifyTimeout)
	defer cancel()
	if r != nil {
		session = r.id
		ctx = withRun(ctx, r)
		wh.Step = r.webhookStep(wh.ItemID) // as it arrives, before the key fetch
	} else if session != "" {
		ctx = WithSession(ctx, session)
	}
	wh.Signature = e.webhookKeys.check(ctx, jwt, body, time.Now())
	e.log.add(store.Webhook{SessionID: session, Time: wh.Time, Signature: wh.Signature, Verification: jwt, Step: wh.Step, Body: json.RawMessage(body)})
	wh.StatusEffect = e.followItemStatus(wh)
	if r != nil {
		r.publishWebhook(wh)
	}
	e.deliverWebhook(wh)
}

// followItemStatus updates an Item's status from a verified ITEM webhook
// and says what it did to the status ("" for a webhook that is not about
// an Item's status).
func (e *Env) followItemStatus(wh WebhookReceived) string {
	status, effect := ItemStatusEffect(wh.WebhookType, wh.WebhookCode, wh.ItemID, wh.ErrorCode, wh.Signature)
	if status == "" {
		return effect
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := e.Store.SetItemStatus(ctx, wh.ItemID, status); err != nil && !errors.Is(err, store.ErrNotFound) {
		e.Logger.Warn("updating an Item's status from a webhook", "item_id", wh.ItemID, "err", err)
		return "Item status not changed: saving it failed: " + err.Error()
	}
	return effect
}

// ItemStatusEffect says what a webhook does to its Item's status: the
// status to set ("" for none) and a sentence for the screen and the log.
// ITEM ERROR sets the error code and ITEM LOGIN_REPAIRED sets healthy,
// but only when the webhook's signature was verified: anyone who can
// reach the receiver can send an unsigned or forged one, so those are
// kept as evidence only.
func ItemStatusEffect(webhookType, webhookCode, itemID, errorCode, signature string) (status, effect string) {
	if itemID == "" || webhookType != "ITEM" {
		return "", ""
	}
	switch webhookCode {
	case "ERROR":
		status = errorCode
	case "LOGIN_REPAIRED":
		status = store.ItemHealthy
	}
	if status == "" {
		return "", ""
	}
	if !strings.HasPrefix(signature, SignatureVerified) {
		why := "it is " + signature
		if signature == "" {
			why = "its signature was not checked"
		}
		return "", fmt.Sprintf("Item status not changed (would be %s): %s; only a verified webhook may change it", status, why)
	}
	return status, "Item status set to " + status
}

// parseWebhook reads the fields a run shows from a webhook body.
func parseWebhook(body []byte) WebhookReceived {
	var b struct {
		Type   string `json:"webhook_type"`
		Code   string `json:"webhook_code"`
		ItemID string `json:"item_id"`
		Error  *struct {
			Code string `json:"error_code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &b) // the callback server checked it is a JSON object
	wh := WebhookReceived{
		Time: time.Now(), WebhookType: b.Type, WebhookCode: b.Code, ItemID: b.ItemID,
		Body: json.RawMessage(redact.JSON(body)),
	}
	if b.Error != nil {
		wh.ErrorCode = b.Error.Code
	}
	return wh
}

// RefusalSummary is the event name of a session-log row that sums up
// refused requests not recorded one by one; its metadata is
// {"refused": N}.
const RefusalSummary = "summary"

// linkEventRecord turns a page report into the store's LinkEvent.
func linkEventRecord(session string, ev PageEvent) store.LinkEvent {
	rec := store.LinkEvent{
		SessionID: session, Time: ev.Time, EventName: ev.EventName,
		LinkSessionID: ev.LinkSessionID, RequestID: ev.RequestID, ViewName: ev.ViewName,
		ErrorType: ev.ErrorType, ErrorCode: ev.ErrorCode, ErrorMessage: ev.ErrorMessage,
		ExitStatus: ev.ExitStatus, InstitutionID: ev.InstitutionID, InstitutionName: ev.InstitutionName,
		Metadata: ev.Metadata,
	}
	switch ev.Kind {
	case "event":
		rec.Kind = store.EventKindEvent
	case "success":
		rec.Kind = store.EventKindSuccess
	case "exit":
		rec.Kind = store.EventKindExit
	case "load":
		rec.Kind = store.EventKindLoad
	default:
		rec.Kind, rec.EventName = store.EventKindPage, ev.Kind
	}
	if ev.Rejected {
		rec.Kind, rec.EventName = store.EventKindRejected, cmp.Or(ev.Kind, "request")
		rec.ErrorMessage = ev.RejectReason
		if ev.Refused > 1 {
			rec.EventName = RefusalSummary
			rec.Metadata, _ = json.Marshal(map[string]int{"refused": ev.Refused})
		}
	}
	return rec
}
