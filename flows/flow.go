package flows

import (
	"context"
	"encoding/json"
	"time"
)

// BrowserMode says how the "open Link" step gets a browser.
type BrowserMode string

// BrowserAuto completes Link with no person: the emulated Link's autopilot
// in headless Chromium offline (or armed for a page the user opens when no
// Chromium is installed); /sandbox/public_token/create with real Plaid, for
// new Items.
const BrowserAuto BrowserMode = "auto"

// The other browser modes.
const (
	// BrowserSystem opens the page in the user's default browser.
	BrowserSystem BrowserMode = "system"
	// BrowserNone opens nothing: the caller prints the URL for the user.
	BrowserNone BrowserMode = "none"
)

// Flow is one of the Link flows: a named sequence of steps.
type Flow struct {
	Name    string // quickstart, update-mode, invalid-token, oauth, oauth-popup
	Title   string // "Quickstart"
	Summary string // one paragraph: what the flow teaches
	Steps   []Step
	// DemoOnRequest: the demo plays this flow only when it is named
	// (linkexplorer demo oauth), not in its default tour.
	DemoOnRequest bool
	// Products, when set, are the products the flow's token request starts
	// with instead of the configured ones (the transactions lesson's
	// ["transactions"]); the form can still change them.
	Products []string
	Scenario string // the sandbox-credentials lesson's scenario (credentials.go), else ""
}

// DemoFlows are the flows of the demo's default tour, in menu order.
func DemoFlows(all []*Flow) []*Flow {
	var out []*Flow
	for _, f := range all {
		if !f.DemoOnRequest {
			out = append(out, f)
		}
	}
	return out
}

// StepKind tells a UI how a step behaves.
type StepKind string

// Step kinds.
const (
	StepAPI  StepKind = "api"  // one or more Plaid API calls
	StepLink StepKind = "link" // waits on Link in the browser
)

// Step is one named step of a flow.
type Step struct {
	Name     string   // stable id, e.g. "create-link-token"
	Title    string   // "Create a link_token"
	Kind     StepKind //
	Endpoint string   // the main endpoint it calls, "" for Link steps
	// Explain says what the step does, which endpoint it calls and what to
	// look for in the result. Plain text, a few sentences.
	Explain string
	// Editable is true when the step's request can be edited before it is
	// sent (the link_token create steps: see Run.TokenRequest).
	Editable bool

	do func(ctx context.Context, r *Run) error
}

// TokenRequest is the editable part of a /link/token/create request.
type TokenRequest struct {
	ClientName   string
	ClientUserID string
	Products     []string
	CountryCodes []string
	Language     string
	Webhook      string
	RedirectURI  string
	// UpdateProducts are the products an update-mode token sends: none by
	// default, since update mode repairs an Item and Plaid wants products
	// omitted unless a product is being added (Assets, Statements,
	// Income). Set, they are sent as typed, for Plaid to judge.
	UpdateProducts []string
	// AccountSelection sends update.account_selection_enabled with an
	// update-mode token (the update-new-accounts flow).
	AccountSelection bool
}

// StepStatus is where a step stands.
type StepStatus string

// Step statuses.
const (
	StatusPending StepStatus = "pending"
	StatusRunning StepStatus = "running"
	StatusOK      StepStatus = "ok"
	StatusFailed  StepStatus = "failed"
	StatusSkipped StepStatus = "skipped"
)

// StepResult is what running a step produced.
type StepResult struct {
	Step       string        `json:"name"`
	Status     StepStatus    `json:"status"`
	Endpoint   string        `json:"endpoint,omitempty"`
	RequestID  string        `json:"request_id,omitempty"`
	HTTPStatus int           `json:"http_status,omitempty"`
	ErrorCode  string        `json:"error_code,omitempty"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"-"`
	// Calls are every API call the step made, bodies masked.
	Calls []Call `json:"calls,omitempty"`
	// Facts are labelled values worth showing: "link_token", "expiration",
	// "item_id", "accounts"... Secrets are already masked.
	Facts []Fact `json:"facts,omitempty"`
	// Err is the step's error, an *APIError when Plaid answered one.
	Err error `json:"-"`
}

// Fact is one labelled value of a step's result.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// EventKind tells what happened in a Run.
type EventKind string

// Run event kinds.
const (
	EventStepStarted  EventKind = "step_started"
	EventStepFinished EventKind = "step_finished"
	EventWaiting      EventKind = "waiting"  // Link page ready: URL set
	EventLink         EventKind = "link"     // a report from the page: Link set
	EventCall         EventKind = "call"     // an API call finished: Call set
	EventNote         EventKind = "note"     // narration: Message set
	EventWebhook      EventKind = "webhook"  // a webhook arrived: Webhook set
	EventFinished     EventKind = "finished" // the flow ended: Err set if failed
)

// Event is progress reported by a Run, for a UI or the CLI.
type Event struct {
	RunID   string
	Kind    EventKind
	Time    time.Time
	Step    string           // step name, when about a step
	Result  *StepResult      // EventStepFinished
	Link    *PageEvent       // EventLink
	Call    *Call            // EventCall
	Webhook *WebhookReceived // EventWebhook
	URL     string           // EventWaiting
	Message string           // EventNote, EventWaiting
	Err     error
}

// TimelineEntry is one moment of an invalid-token recovery (or any flow):
// token #1 → INVALID_LINK_TOKEN → token #2 → success.
type TimelineEntry struct {
	Time          time.Time `json:"time"`
	What          string    `json:"what"`
	Token         string    `json:"token,omitempty"` // masked
	RequestID     string    `json:"request_id,omitempty"`
	LinkSessionID string    `json:"link_session_id,omitempty"`
	ErrorCode     string    `json:"error_code,omitempty"`
}

// Report is one JSON document describing a finished run (run --json).
type Report struct {
	Flow     string          `json:"flow"`
	Scenario string          `json:"scenario,omitempty"` // sandbox-credentials' scenario
	RunID    string          `json:"run_id"`
	Mode     string          `json:"mode"`
	OK       bool            `json:"ok"`
	Error    string          `json:"error,omitempty"`
	Steps    []StepReport    `json:"steps"`
	Timeline []TimelineEntry `json:"timeline,omitempty"`
	// Webhooks are those received during the run, oldest first, each
	// with the step that caused it.
	Webhooks  []WebhookReceived `json:"webhooks,omitempty"`
	ItemID    string            `json:"item_id,omitempty"`
	StartedAt time.Time         `json:"started_at"`
	// Duration is the run's length; JSON carries it as duration_ms, a
	// number, like every step and call.
	Duration   time.Duration `json:"-"`
	DurationMS float64       `json:"duration_ms"`
}

// StepReport is one step of a Report.
type StepReport struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	Endpoint   string `json:"endpoint,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	ErrorCode  string `json:"error_code,omitempty"`
	Error      string `json:"error,omitempty"`
	// Explanation and NextStep explain a failed step's Plaid error_code
	// (see Explain).
	Explanation string            `json:"explanation,omitempty"`
	NextStep    string            `json:"next_step,omitempty"`
	DurationMS  float64           `json:"duration_ms"`
	Calls       []json.RawMessage `json:"calls,omitempty"`
	// Facts are the step's labelled results, masked (the ids a lesson
	// changed, the pages of a sync...).
	Facts []Fact `json:"facts,omitempty"`
}
