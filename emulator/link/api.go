package link

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Body limits of the session API, in bytes.
const (
	smallBodyLimit       = 8 << 10
	credentialsBodyLimit = 256 << 10 // a user_custom JSON password
	eventsBodyLimit      = 256 << 10
)

// withSession is the link_session_id every session-API step carries.
type withSession struct {
	LinkSessionID string `json:"link_session_id"`
}

func (w withSession) sid() string { return w.LinkSessionID }

// stepFunc runs one step of a session, with the session locked and its
// link_token known to be live.
type stepFunc[R any] func(s *session, info TokenInfo, req *R) (obj, *failure)

// step serves one session-API step: it decodes the body, finds the session,
// checks the step is expected now, re-validates the link_token (so a token
// expired or invalidated mid-session ends Link at the next step), and runs
// fn. Every response carries a fresh request_id.
func step[R any, P interface {
	*R
	sid() string
}](h *Handler, limit int64, states []string, fn stepFunc[R]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rid := h.b.NewRequestID()
		var req R
		if f := h.checkRequest(w, r, limit, &req); f != nil {
			writeFailure(w, rid, "", f)
			return
		}
		s := h.st.get(P(&req).sid())
		if s == nil {
			writeFailure(w, rid, "", unknownSession(P(&req).sid()))
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.addRequestID(rid)
		if !slices.Contains(states, s.state) {
			writeFailure(w, rid, s.id, requestError(http.StatusConflict, "INVALID_REQUEST",
				"%s is not expected now: the Link session is at step %q", r.URL.Path, s.state))
			return
		}
		resp, f := runStep(h, s, &req, fn)
		if f != nil {
			if !f.request {
				s.lastErr = f.err
			}
			writeFailure(w, rid, s.id, f)
			return
		}
		resp["request_id"] = rid
		resp["link_session_id"] = s.id
		writeJSON(w, http.StatusOK, resp)
	}
}

// runStep re-validates the session's token, then runs fn.
func runStep[R any](h *Handler, s *session, req *R, fn stepFunc[R]) (obj, *failure) {
	info, err := h.b.LinkToken(s.token)
	if err != nil {
		return nil, tokenFailure(err)
	}
	return fn(s, info, req)
}

// checkRequest refuses cross-origin browser requests, then decodes the body.
func (h *Handler) checkRequest(w http.ResponseWriter, r *http.Request, limit int64, v any) *failure {
	if !sameOrigin(r) {
		return requestError(http.StatusForbidden, "INVALID_REQUEST",
			"cross-origin request refused: the session API is only for the emulated Link UI served by this emulator")
	}
	return decodeJSON(w, r, limit, v)
}

// sameOrigin reports whether a browser request comes from the emulator's own
// origin (requests without an Origin header are not from a page).
func sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// unknownSession is the failure for a link_session_id the emulator does not
// know (never started, forgotten, or the emulator was reset).
func unknownSession(id string) *failure {
	return &failure{status: http.StatusNotFound, exit: true, err: &sandbox.Error{
		Type: "INVALID_REQUEST", Code: "NOT_FOUND",
		Message: "unknown link_session_id " + strings.TrimSpace(id) + ": the emulator was reset or the session was forgotten; open Link again",
	}}
}

// invalidLinkToken is Link's INVALID_LINK_TOKEN error (reference §4.8).
func invalidLinkToken() *sandbox.Error {
	return &sandbox.Error{Type: "INVALID_INPUT", Code: "INVALID_LINK_TOKEN", Message: "invalid link_token provided"}
}

// tokenFailure is the failure for a link_token Backend.LinkToken refused:
// Link exits with INVALID_LINK_TOKEN.
func tokenFailure(err error) *failure {
	e := invalidLinkToken()
	var se *sandbox.Error
	if errors.As(err, &se) && se.Code != "INVALID_LINK_TOKEN" {
		e = se // not a token problem: surface what happened
	}
	return &failure{status: http.StatusBadRequest, err: e, exit: true}
}

// internalFailure wraps an unexpected Backend error.
func internalFailure(err error) *failure {
	var se *sandbox.Error
	if errors.As(err, &se) {
		return plaidFailure(se, "")
	}
	return &failure{status: http.StatusInternalServerError, err: &sandbox.Error{
		Type: "API_ERROR", Code: "INTERNAL_SERVER_ERROR", Message: "an unexpected error occurred: " + err.Error(),
	}}
}

// clientName is the name Link shows: over 30 characters, Link shows
// "This Application" (reference §2.1).
func clientName(name string) string {
	if len([]rune(name)) > 30 || name == "" {
		return "This Application"
	}
	return name
}

type startRequest struct {
	LinkToken string `json:"link_token"`
	// ReceivedRedirectURI is Plaid.create's receivedRedirectUri: set when
	// the page re-initializes Link after an OAuth redirect.
	ReceivedRedirectURI string `json:"received_redirect_uri"`
}

// serveStart opens a Link session: POST /__link/session. A refused token
// still gets a session (and a link_session_id), which exits at once.
func (h *Handler) serveStart(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var req startRequest
	if f := h.checkRequest(w, r, smallBodyLimit, &req); f != nil {
		writeFailure(w, rid, "", f)
		return
	}
	s := &session{id: uuid.NewString(), token: req.LinkToken, started: h.b.Now(), state: stateClosed}
	s.addRequestID(rid)
	if req.ReceivedRedirectURI != "" {
		h.serveResume(w, rid, s, req.ReceivedRedirectURI)
		return
	}
	ap, armed := h.st.takeAutopilot(req.LinkToken)
	s.autopilot = armed
	if armed {
		s.pilot = &ap
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h.st.add(s)
	resp, f := h.start(s)
	if f == nil {
		h.noteMissedRedirect(s)
	}
	h.opts.Logger.Info("emulated Link: session opened", "link_session_id", s.id,
		"link_token", redact.Value(s.token), "update_mode", s.updateMode, "autopilot", armed, "ok", f == nil)
	if f != nil {
		s.lastErr = f.err
		writeFailure(w, rid, s.id, f)
		return
	}
	if armed {
		resp["autopilot"] = ap.ui()
	}
	resp["request_id"] = rid
	resp["link_session_id"] = s.id
	writeJSON(w, http.StatusOK, resp)
}

// serveResume answers a start with receivedRedirectUri: the session that
// handed off to the bank goes on, or Link exits with the OAuth error.
func (h *Handler) serveResume(w http.ResponseWriter, rid string, fresh *session, received string) {
	fresh.mu.Lock() // then the original session's: never the other way
	defer fresh.mu.Unlock()
	h.st.add(fresh)
	s, resp, f := h.resume(fresh, received)
	if f != nil {
		if s == fresh {
			s.lastErr = f.err
		}
		h.opts.Logger.Info("emulated Link: re-initialized after OAuth, refused", "link_session_id", s.id, "error", errCode(f.err))
		writeFailure(w, rid, s.id, f)
		return
	}
	resp["request_id"] = rid
	resp["link_session_id"] = s.id
	writeJSON(w, http.StatusOK, resp)
}

// start validates the token and sets the session's first step.
func (h *Handler) start(s *session) (obj, *failure) {
	info, err := h.b.LinkToken(s.token)
	if err != nil {
		return nil, tokenFailure(err)
	}
	s.products = info.Products
	s.updateMode = info.UpdateMode
	s.accountSelection = info.UpdateMode && info.AccountSelection
	s.state = stateInstitution
	if info.UpdateMode {
		inst, ok := sandbox.InstitutionByID(info.InstitutionID)
		if !ok {
			return nil, internalFailure(errors.New("the update-mode Item's institution " + info.InstitutionID + " is unknown"))
		}
		s.itemID, s.inst, s.state = info.ItemID, &inst, stateCredentials
		if inst.OAuth {
			s.state = stateOAuth
		}
	}
	return obj{
		"client_name":    clientName(info.ClientName),
		"is_update_mode": info.UpdateMode,
		"institution":    institutionUI(s.inst),
		"step":           s.state,
		"now":            h.b.Now().UTC().Format(timestampLayout),
	}, nil
}

// exitStatuses are the onExit statuses Link reports (reference §4.4).
var exitStatuses = []string{
	"requires_questions", "requires_selections", "requires_code", "choose_device",
	"requires_credentials", "requires_account_selection", "requires_oauth",
	"institution_not_found", "institution_not_supported",
}

type exitRequest struct {
	withSession
	Status *string `json:"status"`
}

// serveExit ends a session with onExit: POST /__link/exit. It works whatever
// the token's state, and answers with the error the user last met.
func (h *Handler) serveExit(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var req exitRequest
	if f := h.checkRequest(w, r, smallBodyLimit, &req); f != nil {
		writeFailure(w, rid, "", f)
		return
	}
	if req.Status != nil && !slices.Contains(exitStatuses, *req.Status) {
		writeFailure(w, rid, "", requestError(http.StatusBadRequest, "INVALID_FIELD",
			"status must be null or one of %s", strings.Join(exitStatuses, ", ")))
		return
	}
	s := h.st.get(req.LinkSessionID)
	if s == nil {
		writeFailure(w, rid, "", unknownSession(req.LinkSessionID))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addRequestID(rid)
	if !s.finished.IsZero() {
		writeFailure(w, rid, s.id, requestError(http.StatusConflict, "INVALID_REQUEST", "the Link session has already finished (%s)", s.result))
		return
	}
	s.state, s.result, s.exitStatus, s.finished = stateExited, "exit", req.Status, h.b.Now()
	h.opts.Logger.Info("emulated Link: session exited", "link_session_id", s.id, "status", deref(req.Status), "error", errCode(s.lastErr))
	writeJSON(w, http.StatusOK, obj{
		"request_id":      rid,
		"link_session_id": s.id,
		"error":           errorJSON(s.lastErr),
		"institution":     institutionJSON(s.inst),
		"status":          req.Status,
	})
}

// serveAbandon records that the page tore Link down mid-session (destroy(),
// navigation) without an onExit: POST /__link/abandon, sent by the UI as it
// unloads.
func (h *Handler) serveAbandon(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var req withSession
	if f := h.checkRequest(w, r, smallBodyLimit, &req); f != nil {
		writeFailure(w, rid, "", f)
		return
	}
	s := h.st.get(req.LinkSessionID)
	if s == nil {
		writeFailure(w, rid, "", unknownSession(req.LinkSessionID))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth != nil && s.oauth.Mode == modeRedirect && s.state == stateOAuth && s.oauth.Status != oauthProcessed {
		// The page left for the bank: the session waits for the page
		// to re-initialize Link with receivedRedirectUri.
		writeJSON(w, http.StatusOK, obj{"request_id": rid, "link_session_id": s.id, "outcome": nil})
		return
	}
	if s.finished.IsZero() {
		s.state, s.result, s.finished = stateExited, "abandoned", h.b.Now()
		h.opts.Logger.Info("emulated Link: session abandoned by the page", "link_session_id", s.id)
	}
	writeJSON(w, http.StatusOK, obj{"request_id": rid, "link_session_id": s.id, "outcome": s.result})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func errCode(e *sandbox.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

// serveSessions lists the Link sessions, newest first:
// GET /__emulator/link_sessions.
func (h *Handler) serveSessions(w http.ResponseWriter, r *http.Request) {
	list := []obj{}
	for _, s := range h.st.newestFirst() {
		list = append(list, s.record())
	}
	writeJSON(w, http.StatusOK, obj{"link_sessions": list})
}

// timestampLayout is the ISO 8601 millisecond form Link's events use.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"
