package link

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// OAuth as Link does it on the web (reference §4.6, §4.9). At an OAuth
// institution Link hands off to the bank's own consent page, served here by
// the emulator as an emulated bank:
//
//   - without a redirect_uri on the link_token, in a pop-up window; the bank
//     page tells Link the outcome and closes, and the session goes on in the
//     same Link;
//   - with one, by a full-page redirect of the app's page to the bank, which
//     sends the user back to redirect_uri?oauth_state_id=…; that page must
//     re-initialize Link with the same link_token and receivedRedirectUri,
//     and the session resumes where it left off.
//
// Each handoff has an oauth_state_id, which can be processed once.

// maxOAuthStates bounds the handoffs remembered; the oldest are forgotten.
const maxOAuthStates = 1000

// The statuses of a handoff.
const (
	oauthPending   = "pending"   // the bank page is open
	oauthApproved  = "approved"  // the user authorized; Link has not resumed
	oauthDeclined  = "declined"  // the user declined at the bank
	oauthProcessed = "processed" // Link resumed with it: it cannot be used again
)

// The handoff modes.
const (
	modePopup    = "popup"
	modeRedirect = "redirect"
)

// oauthState is one handoff to the bank. Its fields are guarded by the
// store's mutex.
type oauthState struct {
	id          string
	sessionID   string
	token       string
	inst        sandbox.Institution
	mode        string
	redirectURI string
	status      string
	created     time.Time
	// accounts are the names or masks /sandbox/oauth/select_accounts chose;
	// empty: every account.
	accounts []string
}

// oauthRecord is a session's OAuth story, as GET /__emulator/link_sessions
// shows it.
type oauthRecord struct {
	StateID     string `json:"oauth_state_id"`
	Mode        string `json:"mode"`
	RedirectURI string `json:"redirect_uri"`
	Status      string `json:"status"`
	Resumed     bool   `json:"resumed"`
	// MissedRedirect: Link was opened again with the token of a handoff the
	// bank had approved, but without receivedRedirectUri, so it started over
	// (the classic mistake).
	MissedRedirect bool `json:"missed_redirect"`
}

func (r *oauthRecord) json() any {
	if r == nil {
		return nil
	}
	c := *r
	return c
}

// addOAuth remembers a handoff.
func (st *store) addOAuth(o *oauthState) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.oauth[o.id] = o
	st.oauthIDs = append(st.oauthIDs, o.id)
	if len(st.oauthIDs) > maxOAuthStates {
		delete(st.oauth, st.oauthIDs[0])
		st.oauthIDs = slices.Delete(st.oauthIDs, 0, 1)
	}
}

// oauthSnapshot returns a copy of the handoff with this id.
func (st *store) oauthSnapshot(id string) (oauthState, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, ok := st.oauth[id]
	if !ok {
		return oauthState{}, false
	}
	return *o, true
}

// oauthTransition moves a handoff from one of the statuses in from to to;
// it returns the status found.
func (st *store) oauthTransition(id string, from []string, to string) (string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, ok := st.oauth[id]
	if !ok {
		return "", false
	}
	was := o.status
	if slices.Contains(from, was) {
		o.status = to
	}
	return was, true
}

// approvedFor finds an approved redirect handoff of token.
func (st *store) approvedFor(token string) (oauthState, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for i := len(st.oauthIDs) - 1; i >= 0; i-- {
		o := st.oauth[st.oauthIDs[i]]
		if o.token == token && o.mode == modeRedirect && o.status == oauthApproved {
			return *o, true
		}
	}
	return oauthState{}, false
}

func oauthError(code, format string, args ...any) *sandbox.Error {
	return sandbox.NewError(code, sprintf(format, args...))
}

// oauthURIError is Link's error for a receivedRedirectUri it cannot use.
func oauthURIError(format string, args ...any) *failure {
	return &failure{status: http.StatusBadRequest, exit: true, err: &sandbox.Error{
		Type: "INVALID_REQUEST", Code: "INVALID_FIELD", Message: sprintf(format, args...),
	}}
}

// alreadyProcessed is OAUTH_STATE_ID_ALREADY_PROCESSED.
func alreadyProcessed() *failure {
	return &failure{status: http.StatusBadRequest, exit: true, err: oauthError("OAUTH_STATE_ID_ALREADY_PROCESSED",
		"this oauth_state_id has already been processed: a page that re-initializes Link with the same receivedRedirectUri twice (a reload, the back button) cannot resume again; start a new Link session")}
}

type oauthRequest struct {
	withSession
}

// oauth starts the handoff to the bank: POST /__link/oauth, on the OAUTH
// pane's Continue. The UI then opens the bank page in a pop-up, or asks the
// SDK to send the whole page there.
func (h *Handler) oauth(s *session, info TokenInfo, _ *oauthRequest) (obj, *failure) {
	o := &oauthState{
		id: uuid.NewString(), sessionID: s.id, token: s.token, inst: *s.inst,
		mode: modePopup, status: oauthPending, created: h.b.Now(),
	}
	if info.RedirectURI != "" {
		o.mode, o.redirectURI = modeRedirect, info.RedirectURI
	}
	h.st.addOAuth(o)
	s.oauth = &oauthRecord{StateID: o.id, Mode: o.mode, RedirectURI: o.redirectURI, Status: oauthPending}
	h.opts.Logger.Info("emulated Link: OAuth handoff", "link_session_id", s.id, "oauth_state_id", o.id,
		"institution_id", o.inst.ID, "mode", o.mode)
	return obj{
		"next":           "oauth_bank",
		"oauth_state_id": o.id,
		"mode":           o.mode,
		"bank_url":       "/link/v2/stable/oauth/bank.html?oauth_state_id=" + url.QueryEscape(o.id),
	}, nil
}

type oauthCompleteRequest struct {
	withSession
	OAuthStateID string `json:"oauth_state_id"`
}

// oauthComplete is the end of a pop-up handoff: POST /__link/oauth/complete,
// once the bank page said the user decided.
func (h *Handler) oauthComplete(s *session, info TokenInfo, req *oauthCompleteRequest) (obj, *failure) {
	o, ok := h.st.oauthSnapshot(req.OAuthStateID)
	if !ok || o.sessionID != s.id {
		return nil, requestError(http.StatusBadRequest, "INVALID_FIELD", "oauth_state_id %q is not this session's handoff", req.OAuthStateID)
	}
	return h.afterBank(s, info, o)
}

// afterBank goes on after the bank: to the accounts when the user
// approved (the handoff is then processed), back to the OAUTH pane when
// they declined or never decided.
func (h *Handler) afterBank(s *session, info TokenInfo, o oauthState) (obj, *failure) {
	was, _ := h.st.oauthTransition(o.id, []string{oauthApproved}, oauthProcessed)
	if s.oauth != nil && s.oauth.StateID == o.id {
		s.oauth.Status = was
	}
	switch was {
	case oauthProcessed:
		return nil, alreadyProcessed()
	case oauthDeclined, oauthPending:
		s.state = stateOAuth
		next := "oauth_declined"
		if was == oauthPending {
			next = "oauth_closed"
		}
		return obj{"next": next, "institution": institutionUI(s.inst)}, nil
	}
	if s.oauth != nil && s.oauth.StateID == o.id {
		s.oauth.Status = oauthProcessed
	}
	s.outcome = sandbox.Evaluate("user_good", "pass_good")
	if len(o.accounts) > 0 {
		var kept []sandbox.AccountTemplate
		for _, a := range s.outcome.Accounts {
			if slices.Contains(o.accounts, a.Name) || (a.Mask != nil && slices.Contains(o.accounts, *a.Mask)) {
				kept = append(kept, a)
			}
		}
		s.outcome.Accounts = kept
	}
	return h.toAccounts(s, info)
}

// resume is POST /__link/session with received_redirect_uri: Link
// re-initialized on the redirect_uri page after the bank. It checks the
// URI and the token, then continues the session that handed off.
func (h *Handler) resume(fresh *session, received string) (*session, obj, *failure) {
	u, perr := url.Parse(received)
	id := ""
	if perr == nil {
		id = u.Query().Get("oauth_state_id")
	}
	o, ok := h.st.oauthSnapshot(id)
	if !ok {
		return fresh, nil, oauthURIError("oauth uri does not contain a valid oauth_state_id query parameter: receivedRedirectUri is only for re-initializing Link on the redirect_uri page after the bank, as window.location.href (got %q)", truncate(received, 200))
	}
	if o.token != fresh.token {
		return fresh, nil, oauthURIError("the oauth_state_id in receivedRedirectUri belongs to another link_token: re-initialize Link with the same link_token it was opened with (keep it in sessionStorage or localStorage before the redirect), not a new one")
	}
	if base := u.Scheme + "://" + u.Host + u.Path; base != o.redirectURI {
		return fresh, nil, oauthURIError("receivedRedirectUri %q is not the link_token's redirect_uri %q with its oauth_state_id: pass window.location.href unchanged", truncate(received, 200), o.redirectURI)
	}
	s := h.st.get(o.sessionID)
	if s == nil || s == fresh {
		return fresh, nil, oauthURIError("the Link session of this oauth_state_id was forgotten (the emulator was reset?); open Link again")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := h.b.LinkToken(fresh.token)
	if err != nil {
		// The token expired (or was invalidated) while the user was at
		// the bank: the session that handed off ends with it.
		fresh.state, fresh.result, fresh.finished = stateExited, "resumed", h.b.Now()
		f := tokenFailure(err)
		if s.finished.IsZero() {
			s.lastErr = f.err
			s.state = stateClosed
			return s, nil, f
		}
		return fresh, nil, f
	}
	if !s.finished.IsZero() || s.state != stateOAuth {
		return fresh, nil, alreadyProcessed()
	}
	if st, _ := h.st.oauthSnapshot(o.id); st.status == oauthProcessed {
		return fresh, nil, alreadyProcessed()
	}
	// The fresh session was only the vehicle: the original one goes on.
	fresh.state, fresh.result, fresh.finished = stateExited, "resumed", h.b.Now()
	s.token = fresh.token
	s.addRequestID(fresh.requestIDs[len(fresh.requestIDs)-1])
	if s.oauth != nil {
		s.oauth.Resumed = true
	}
	resp, f := h.afterBank(s, info, o)
	if f != nil {
		if !f.request {
			s.lastErr = f.err
		}
		return s, nil, f
	}
	h.opts.Logger.Info("emulated Link: resumed after the OAuth redirect", "link_session_id", s.id, "oauth_state_id", o.id, "next", resp["next"])
	out := obj{
		"client_name":    clientName(info.ClientName),
		"is_update_mode": info.UpdateMode,
		"institution":    institutionUI(s.inst),
		"step":           s.state,
		"now":            h.b.Now().UTC().Format(timestampLayout),
		"resumed":        resp,
	}
	if s.pilot != nil {
		out["autopilot"] = s.pilot.ui()
	}
	return s, out, nil
}

// noteMissedRedirect marks a session opened, without receivedRedirectUri,
// with the token of a redirect handoff the bank approved: Link starts over,
// as real Link does, and the record says why.
func (h *Handler) noteMissedRedirect(s *session) {
	o, ok := h.st.approvedFor(s.token)
	if !ok {
		return
	}
	s.oauth = &oauthRecord{StateID: o.id, Mode: o.mode, RedirectURI: o.redirectURI, Status: o.status, MissedRedirect: true}
	h.opts.Logger.Warn("emulated Link: re-initialized without receivedRedirectUri after an OAuth redirect; Link starts over",
		"link_session_id", s.id, "oauth_state_id", o.id, "link_token", redact.Value(s.token))
}

// ---- the emulated bank page ----

type bankRequest struct {
	OAuthStateID string `json:"oauth_state_id"`
}

// bankState finds a handoff for the bank page.
func (h *Handler) bankState(id string) (oauthState, *failure) {
	o, ok := h.st.oauthSnapshot(id)
	if !ok {
		return o, requestError(http.StatusNotFound, "NOT_FOUND", "unknown oauth_state_id %q: this bank page was not opened by Link, or the emulator was reset", truncate(id, 64))
	}
	return o, nil
}

// serveBank tells the bank page what to show: POST /__link/oauth/bank.
func (h *Handler) serveBank(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var req bankRequest
	f := h.checkRequest(w, r, smallBodyLimit, &req)
	var o oauthState
	if f == nil {
		o, f = h.bankState(req.OAuthStateID)
	}
	if f != nil {
		writeFailure(w, rid, "", f)
		return
	}
	resp := obj{
		"request_id": rid, "oauth_state_id": o.id, "mode": o.mode, "status": o.status,
		"institution": institutionUI(&o.inst), "client_name": nil, "autopilot": nil,
	}
	if info, err := h.b.LinkToken(o.token); err == nil {
		resp["client_name"] = clientName(info.ClientName)
	}
	if s := h.st.get(o.sessionID); s != nil {
		s.mu.Lock()
		if s.pilot != nil {
			resp["autopilot"] = s.pilot.ui()
		}
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, resp)
}

type consentRequest struct {
	OAuthStateID string `json:"oauth_state_id"`
	Approve      bool   `json:"approve"`
}

// serveConsent records the user's decision at the bank:
// POST /__link/oauth/consent. The answer says where the bank sends the
// user: back to redirect_uri?oauth_state_id=…, or (pop-up) nowhere.
func (h *Handler) serveConsent(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var req consentRequest
	f := h.checkRequest(w, r, smallBodyLimit, &req)
	var o oauthState
	if f == nil {
		o, f = h.bankState(req.OAuthStateID)
	}
	if f != nil {
		writeFailure(w, rid, "", f)
		return
	}
	to := oauthDeclined
	if req.Approve {
		to = oauthApproved
	}
	was, _ := h.st.oauthTransition(o.id, []string{oauthPending}, to)
	if was != oauthPending {
		writeFailure(w, rid, "", &failure{status: http.StatusBadRequest, err: oauthError("OAUTH_STATE_ID_ALREADY_PROCESSED",
			"the bank already has your answer for this oauth_state_id (%s); start a new Link session", was)})
		return
	}
	if s := h.st.get(o.sessionID); s != nil {
		s.mu.Lock()
		if s.oauth != nil && s.oauth.StateID == o.id {
			s.oauth.Status = to
		}
		s.mu.Unlock()
	}
	h.opts.Logger.Info("emulated Link: the bank has the user's answer", "oauth_state_id", o.id, "status", to)
	resp := obj{"request_id": rid, "oauth_state_id": o.id, "status": to, "redirect_to": nil}
	if o.mode == modeRedirect {
		resp["redirect_to"] = o.redirectURI + "?oauth_state_id=" + url.QueryEscape(o.id)
	}
	writeJSON(w, http.StatusOK, resp)
}

// SelectOAuthAccounts is /sandbox/oauth/select_accounts: it chooses which
// of the bank's accounts an OAuth handoff shares, by account name or mask.
// The handoff must not be processed yet.
func (h *Handler) SelectOAuthAccounts(stateID string, accounts []string) *sandbox.Error {
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	o, ok := h.st.oauth[stateID]
	if !ok {
		return sandbox.NewError("INVALID_FIELD", sprintf("oauth_state_id %q is not a handoff of the emulated Link: open Link at an OAuth institution (e.g. Platypus OAuth Bank, ins_127287) and read the id from the bank page's URL", truncate(stateID, 64)))
	}
	if o.status == oauthProcessed || o.status == oauthDeclined {
		return oauthError("OAUTH_STATE_ID_ALREADY_PROCESSED", "this oauth_state_id has already been processed (%s); its accounts can no longer be chosen", o.status)
	}
	if len(accounts) == 0 {
		return sandbox.NewError("INVALID_FIELD", "accounts must name at least one account")
	}
	var names []string
	for _, a := range sandbox.Evaluate("user_good", "pass_good").Accounts {
		names = append(names, a.Name)
		if a.Mask != nil {
			names = append(names, *a.Mask)
		}
	}
	for _, a := range accounts {
		if !slices.Contains(names, a) {
			return sandbox.NewError("INVALID_FIELD", sprintf("accounts: %q is not an account of the bank; use names or masks of: %s", truncate(a, 64), strings.Join(names, ", ")))
		}
	}
	o.accounts = slices.Clone(accounts)
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

var sprintf = fmt.Sprintf
