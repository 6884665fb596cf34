package store

import (
	"encoding/json"
	"time"
)

// Mode values for sessions and Items: which Plaid a session talked to.
const (
	ModeEmulated = "emulated" // the embedded, offline Sandbox emulator
	ModePlaid    = "plaid"    // Plaid's real Sandbox (or a proxy named by PLAID_API_URL)
)

// Session status values. A session whose process died before it could end
// the session is ended as SessionAbandoned by the next process that opens
// the store on the same host.
const (
	SessionRunning   = "running"
	SessionOK        = "ok"
	SessionFailed    = "failed"
	SessionCancelled = "cancelled"
	SessionAbandoned = "abandoned"
)

// Session is one run of the app or of a flow.
type Session struct {
	ID        string    // sortable random id, e.g. "01kaq3m5x2b7c9dz"
	Kind      string    // "app", "flow:quickstart", "flow:update-mode", …
	Mode      string    // ModeEmulated or ModePlaid
	StartedAt time.Time // UTC
	EndedAt   time.Time // UTC; zero while the session runs
	Status    string    // SessionRunning, SessionOK, …
	Summary   string    // one line describing the outcome
}

// Sources of entries: who made them. They are one vocabulary with the
// kinds: an API call from the user's own app is of kind "app" and source
// "app", in the terminal app, the CLI (log --kind, --source) and exports.
const (
	SourceLinkexplorer = "linkexplorer" // made by linkexplorer: its own Plaid client, its Link page, webhooks to it
	SourceApp          = "app"          // an API call the user's own app made, observed by the emulator
	SourceDemo         = "demo"         // made by a run the demo played (a session of kind "demo:…")
	// SourceEmulator is the older name of SourceApp; entries written with
	// it (stored as "emulator") read back as SourceApp.
	SourceEmulator = SourceApp
)

// storedSourceEmulator is how versions before the shared vocabulary
// stored SourceApp.
const storedSourceEmulator = "emulator"

// Sources lists the sources a Filter accepts.
var Sources = []string{SourceLinkexplorer, SourceApp, SourceDemo}

// APICall is one Plaid API request and its response.
//
// RequestBody and ResponseBody should arrive masked; the store masks them
// again before writing, so the values of secret, access_token,
// new_access_token and public_token (and anything shaped like an access or
// public token) never reach the file in full.
type APICall struct {
	ID           int64 // set by the store
	SessionID    string
	Time         time.Time // when the request started; zero means now
	Method       string    // "POST"
	Endpoint     string    // "/link/token/create"
	HTTPStatus   int       // 0 when no response arrived
	RequestID    string
	ErrorType    string
	ErrorCode    string
	ErrorMessage string // Plaid's error_message, or the transport error
	ItemID       string // found in the bodies when left empty
	Duration     time.Duration
	Source       string // SourceLinkexplorer (the default) or SourceApp
	RequestBody  []byte
	ResponseBody []byte
}

// Kinds of LinkEvent: what the callback page reported.
const (
	EventKindEvent    = "event"    // onEvent
	EventKindSuccess  = "success"  // onSuccess
	EventKindExit     = "exit"     // onExit
	EventKindLoad     = "load"     // onLoad
	EventKindPage     = "page"     // a step of the page itself: token fetched, handler destroyed or created, …
	EventKindRejected = "rejected" // a report the callback server refused
)

// LinkEvent is one report from Link, through the local callback page.
type LinkEvent struct {
	ID              int64 // set by the store
	SessionID       string
	Time            time.Time // zero means now
	Kind            string    // EventKind…
	EventName       string    // "OPEN", "TRANSITION_VIEW", …; for page steps the step name
	LinkSessionID   string
	RequestID       string
	ViewName        string
	ErrorType       string
	ErrorCode       string
	ErrorMessage    string
	ExitStatus      string
	InstitutionID   string
	InstitutionName string
	Metadata        json.RawMessage // the full metadata (masked by the store)
}

// Webhook is one webhook received from Plaid or the emulator.
type Webhook struct {
	ID          int64 // set by the store
	SessionID   string
	Time        time.Time // zero means now
	WebhookType string    // "ITEM"; read from Body when empty
	WebhookCode string    // "ERROR"; read from Body when empty
	ItemID      string    // read from Body when empty
	ErrorType   string    // read from Body's error when empty
	ErrorCode   string    // read from Body's error when empty
	Signature   string    // the Plaid-Verification check: "verified", "unsigned", "invalid: …"; "" when not checked
	// Step is the step of the run that caused the webhook (the one that
	// last acted on its Item, e.g. "reset-login"), StepAfterRun when it
	// came after the run's last step, "" when no run received it.
	Step string
	// Verification is the Plaid-Verification header as received: a JWT
	// (header.claims.signature, each base64url), signed by Plaid, holding
	// no secret. Read back only with the bodies (Query.Bodies, Entry).
	Verification string
	Body         json.RawMessage
}

// StepAfterRun is Webhook.Step for a webhook that arrived after the run's
// last step had finished.
const StepAfterRun = "after the run"

// Item status values; an Item in error has its error code as status.
const (
	ItemHealthy       = "healthy"
	ItemLoginRequired = "ITEM_LOGIN_REQUIRED"
	ItemRemoved       = "removed"
)

// Item is a Plaid Item that linkexplorer created. Its access_token is kept
// in the store for Sandbox use but never leaves it in full except through
// Store.AccessToken.
type Item struct {
	ItemID            string
	InstitutionID     string
	InstitutionName   string
	Mode              string // ModeEmulated or ModePlaid
	Status            string // ItemHealthy, ItemLoginRequired, ItemRemoved, or another error code
	BaseURL           string // the API the Item belongs to
	AccessTokenMasked string // e.g. "access-sandbox-…3f2a"; ignored by UpsertItem
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// EntryKind says which record an Entry of the log holds.
type EntryKind string

// Kinds of Entry.
const (
	KindCall    EntryKind = "call"
	KindEvent   EntryKind = "event"
	KindWebhook EntryKind = "webhook"
	// KindApp is the kind shown, filtered and exported for an API call
	// from the user's own app: stored as a KindCall with SourceApp. As a
	// Filter's Kind, KindCall then means linkexplorer's own calls.
	KindApp EntryKind = "app"
)

// Kinds lists the kinds a Filter accepts, as shown.
var Kinds = []EntryKind{KindCall, KindApp, KindEvent, KindWebhook}

// Entry is one line of the unified session log: an API call, a Link event or
// a webhook. Exactly one of Call, Event and Webhook is set, as Kind says.
//
// ID orders the log: it is the entry's time in UTC nanoseconds since the Unix
// epoch, made unique by the store, so it serves as the time+id cursor for
// paging.
type Entry struct {
	ID      int64
	Kind    EntryKind
	Call    *APICall
	Event   *LinkEvent
	Webhook *Webhook

	masked int  // the masking rules' version it was written with (maskRules)
	demo   bool // recorded by a run of the demo (its session's kind is "demo:…")
}
