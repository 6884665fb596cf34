package link

import (
	"slices"
	"sync"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Limits that keep the session records bounded.
const (
	maxSessions         = 200  // records kept; the oldest are forgotten
	maxEventsPerSession = 1000 // events recorded per session
	maxRequestIDs       = 1000 // request ids recorded per session
)

// The steps of a Link session, as the session API enforces them.
const (
	stateClosed      = ""                   // nothing but exit (a failed open)
	stateInstitution = "select_institution" // consent and institution search
	stateCredentials = "credentials"
	stateOAuth       = "oauth"
	stateMFA         = "mfa"
	stateAccounts    = "select_account"
	stateConnected   = "connected" // the Item exists; onSuccess is due
	stateExited      = "exited"
)

// offered is an account shown on the account-select pane.
type offered struct {
	id       string // the Item's account_id in update mode, else the index
	template sandbox.AccountTemplate
	existing ItemAccount // update mode
	isNew    bool        // update mode with account selection: not shared yet
}

// event is one onEvent call, as the UI reported it.
type event struct {
	Name     string             `json:"event_name"`
	Metadata map[string]*string `json:"metadata"`
}

// session is one Link session: one open() of a handler.
type session struct {
	mu sync.Mutex

	id        string
	token     string
	started   time.Time
	finished  time.Time
	autopilot bool

	updateMode bool
	itemID     string // update mode
	// accountSelection is the token's update.account_selection_enabled.
	accountSelection bool
	products         []string

	state        string
	inst         *sandbox.Institution
	outcome      sandbox.Outcome
	mfaRound     int
	failedLogins int
	offered      []offered
	lastErr      *sandbox.Error

	result      string // "", "success" or "exit"
	exitStatus  *string
	newItemID   string
	publicToken string // masked

	events     []event
	requestIDs []string

	// OAuth (oauth.go): the armed autopilot, kept for the bank page and for
	// the second half of a redirect round trip; the handoff under way.
	pilot *autopilot
	oauth *oauthRecord
}

// addRequestID records a request id the session's UI will see.
func (s *session) addRequestID(id string) {
	if len(s.requestIDs) < maxRequestIDs {
		s.requestIDs = append(s.requestIDs, id)
	}
}

// institutionJSON is {name, institution_id} or nil.
func institutionJSON(inst *sandbox.Institution) obj {
	if inst == nil {
		return nil
	}
	return obj{"name": inst.Name, "institution_id": inst.ID}
}

// record is the session as GET /__emulator/link_sessions lists it.
func (s *session) record() obj {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := obj{
		"link_session_id": s.id,
		"link_token":      redact.Value(s.token),
		"started_at":      s.started.UTC().Format(time.RFC3339Nano),
		"finished_at":     nil,
		"is_update_mode":  s.updateMode,
		"autopilot":       s.autopilot,
		"step":            s.state,
		"institution":     institutionJSON(s.inst),
		"outcome":         nil,
		"exit_status":     s.exitStatus,
		"error":           errorJSON(s.lastErr),
		"item_id":         nil,
		"public_token":    nil,
		"events":          slices.Clone(s.events),
		"request_ids":     slices.Clone(s.requestIDs),
	}
	if !s.finished.IsZero() {
		rec["finished_at"] = s.finished.UTC().Format(time.RFC3339Nano)
	}
	if s.result != "" {
		rec["outcome"] = s.result
	}
	if s.newItemID != "" {
		rec["item_id"] = s.newItemID
	}
	if s.publicToken != "" {
		rec["public_token"] = s.publicToken
	}
	if s.events == nil {
		rec["events"] = []event{}
	}
	if s.requestIDs == nil {
		rec["request_ids"] = []string{}
	}
	rec["oauth"] = s.oauth.json()
	return rec
}

// store holds the sessions and the armed autopilots.
type store struct {
	mu        sync.Mutex
	sessions  map[string]*session
	order     []string // session ids, oldest first
	autopilot map[string]autopilot
	oauth     map[string]*oauthState // by oauth_state_id
	oauthIDs  []string               // oldest first
}

func newStore() *store {
	return &store{sessions: map[string]*session{}, autopilot: map[string]autopilot{}, oauth: map[string]*oauthState{}}
}

// add records a new session, forgetting the oldest beyond maxSessions.
func (st *store) add(s *session) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sessions[s.id] = s
	st.order = append(st.order, s.id)
	if len(st.order) > maxSessions {
		delete(st.sessions, st.order[0])
		st.order = slices.Delete(st.order, 0, 1)
	}
}

// get finds a session.
func (st *store) get(id string) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sessions[id]
}

// newestFirst returns the sessions, newest first.
func (st *store) newestFirst() []*session {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*session, 0, len(st.order))
	for i := len(st.order) - 1; i >= 0; i-- {
		out = append(out, st.sessions[st.order[i]])
	}
	return out
}

// arm stores the autopilot for the next session opened with its token.
func (st *store) arm(a autopilot) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.autopilot[a.LinkToken] = a
}

// takeAutopilot returns and disarms the autopilot armed for token.
func (st *store) takeAutopilot(token string) (autopilot, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	a, ok := st.autopilot[token]
	delete(st.autopilot, token)
	return a, ok
}

// reset forgets everything.
func (st *store) reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sessions = map[string]*session{}
	st.order = nil
	st.autopilot = map[string]autopilot{}
	st.oauth = map[string]*oauthState{}
	st.oauthIDs = nil
}
