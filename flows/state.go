package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// runState is what a run's steps hand on to the next ones. The public and
// access tokens live only here, in memory (and the access_token in the
// store's Items table).
type runState struct {
	linkToken    string // the current link_token
	linkTokenExp time.Time
	tokenExpired bool   // the current link_token was expired early (x)
	tokens       int    // link_tokens created so far
	updateToken  bool   // the current link_token is an update-mode one
	armedFor     string // the link_token whose autopilot is armed and unused
	// nextPilot, when set, is the autopilot for the next link_token created
	// (the invalid-token flow's force_error credentials).
	nextPilot *Autopilot
	// flowPilot, when set, is the autopilot of every link_token of the run
	// (the OAuth flows' bank).
	flowPilot *Autopilot

	// OAuth (oauth.go): what the page reported of the handoff.
	oauthOpened    bool   // OPEN_OAUTH seen
	oauthReturned  string // the oauth_state_id the page came back with
	oauthRestarted bool   // Link started over without receivedRedirectUri
	oauthMistake   bool   // the page makes that mistake on purpose

	page      *LinkSession // the open Link page
	closeTab  func()       // closes the page's headless tab (--browser auto)
	pageCalls int          // the page's POST /create_link_token calls

	publicToken     string
	accessToken     string
	item            string // item_id
	institutionID   string
	institutionName string

	linkSessions map[string]bool
	invalidExits int // onExit INVALID_LINK_TOKEN seen
	// recovering is set by an onExit with INVALID_LINK_TOKEN and cleared
	// when the page gets its new token: a page asking for a token without
	// it was reloaded (or opened again), which is no recovery.
	recovering bool

	// txn is the Transactions lesson's state (transactions.go).
	txn  txnState
	seen []seenEvent // the Link step's onEvents (credentials lessons: credentials_flow.go)
}

// LinkExitError is a Link step that ended without onSuccess: Link exited
// (with an error, or closed by the user), or the page could not get a
// link_token or load Link.
type LinkExitError struct {
	Kind          string // "exit", "token_error" or "script_error"
	Type          string // error_type, "" when the user closed Link
	Code          string // error_code
	Message       string
	ExitStatus    string // onExit metadata.status
	LinkSessionID string
	RequestID     string
}

// Error says what happened and what to do.
func (e *LinkExitError) Error() string {
	switch {
	case e.Kind == "script_error":
		return "the callback page could not load Link: " + e.Message + "; check that the Link script URL is reachable, then retry"
	case e.Kind == "token_error":
		return "the callback page could not get a link_token: " + describeLinkError(e) + "; fix the token request, then retry"
	case e.Code == "":
		return fmt.Sprintf("Link was closed before it finished (onExit with a null error, status %s%s); retry the step and complete Link",
			orNone(e.ExitStatus), e.ids())
	}
	return fmt.Sprintf("Link exited with %s%s; retry the step (with other credentials if they caused it)", describeLinkError(e), e.ids())
}

func describeLinkError(e *LinkExitError) string {
	s := e.Code
	if e.Type != "" {
		s += " (" + e.Type + ")"
	}
	if e.Message != "" {
		if s != "" {
			s += ": "
		}
		s += e.Message
	}
	return s
}

func (e *LinkExitError) ids() string {
	var s string
	if e.LinkSessionID != "" {
		s += ", link_session_id " + e.LinkSessionID
	}
	if e.RequestID != "" {
		s += ", request_id " + e.RequestID
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// LinkToken is the current link_token (masked) and its expiry, once created.
func (r *Run) LinkToken() (masked string, expiration time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return redact.Value(r.st.linkToken), r.st.linkTokenExp
}

// LinkTokenExpired reports whether the current link_token was expired
// early through the emulator's control API.
func (r *Run) LinkTokenExpired() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.tokenExpired
}

// PageURL is the callback page of the current Link step, or "".
func (r *Run) PageURL() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.page == nil {
		return ""
	}
	return r.st.page.URL()
}

// ItemID is the Item the run works with, once known.
func (r *Run) ItemID() string { return r.itemID() }

func (r *Run) itemID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.item
}

// ExpireLinkToken expires the current link_token now, through the
// emulator's control API (emulated mode only), so the page meets
// INVALID_LINK_TOKEN and recovers. It returns what it did and what happens
// next, which depends on whether a Link page is open.
func (r *Run) ExpireLinkToken(ctx context.Context) (string, error) {
	if r.env.Control == nil {
		return "", errors.New(`expiring a link_token needs the emulator's control API, so it works only in emulated mode; with real Plaid, log in to Link as user_custom with the password {"force_error":"INVALID_LINK_TOKEN"}`)
	}
	r.mu.Lock()
	tok, n, open := r.st.linkToken, r.st.tokens, r.st.page != nil
	r.mu.Unlock()
	if tok == "" {
		return "", errors.New("no link_token yet: run the step that creates one first")
	}
	if err := r.env.Control.ExpireToken(ctx, tok, false); err != nil {
		return "", fmt.Errorf("expiring link_token %s: %w", redact.Value(tok), err)
	}
	r.mu.Lock()
	if r.st.linkToken == tok {
		r.st.linkTokenExp, r.st.tokenExpired = time.Now(), true // the header stops counting down
	}
	r.mu.Unlock()
	r.addTimeline(TimelineEntry{What: fmt.Sprintf("link_token #%d expired through the emulator's control API", n), Token: redact.Value(tok)})
	msg := fmt.Sprintf("link_token #%d (%s) expired now. ", n, redact.Value(tok))
	if open {
		msg += "Link meets INVALID_LINK_TOKEN at its next step (or when the page is reloaded); " +
			"the page then destroys the handler and gets a new token from your server."
	} else {
		msg += "No Link page is open: the next step that opens Link hands Link this token, " +
			"Link exits with INVALID_LINK_TOKEN and the page recovers with a new token. " +
			"To start clean instead, go back (b) and create a new link_token."
	}
	r.note("%s", msg)
	return msg, nil
}

// ownsPage reports whether s is this run's open page.
func (r *Run) ownsPage(s *LinkSession) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.page == s
}

// addTimeline appends a timeline entry, stamped now if it has no time.
func (r *Run) addTimeline(e TimelineEntry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.mu.Lock()
	r.timeline = append(r.timeline, e)
	r.mu.Unlock()
}

// Timeline is the run's token/session timeline so far (invalid-token
// recovery: token #1 → INVALID_LINK_TOKEN → token #2 → success).
func (r *Run) Timeline() []TimelineEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]TimelineEntry(nil), r.timeline...)
}

// publishLink publishes a page report, without its public_token.
func (r *Run) publishLink(ev PageEvent) {
	ev.PublicToken = ""
	r.publish(Event{Kind: EventLink, Link: &ev})
}

// publishWebhook publishes a webhook received for the run.
func (r *Run) publishWebhook(wh WebhookReceived) {
	msg := fmt.Sprintf("webhook received: %s %s", wh.WebhookType, wh.WebhookCode)
	if wh.ErrorCode != "" {
		msg += " (" + wh.ErrorCode + ")"
	}
	if wh.ItemID != "" {
		msg += " for item " + wh.ItemID
	}
	if wh.Signature != "" {
		msg += "; signature " + wh.Signature
	}
	if wh.StatusEffect != "" {
		msg += "; " + wh.StatusEffect
	}
	r.mu.Lock()
	r.keepWebhook(wh)
	r.mu.Unlock()
	r.publish(Event{Kind: EventWebhook, Webhook: &wh, Message: msg})
}
