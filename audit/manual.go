package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// The manual checks: a person does them in the app, against the emulator,
// which records what happened as evidence.
const (
	ManualUserGood      = "manual.user-good"
	ManualInvalidToken  = "manual.invalid-link-token"
	ManualUpdateMode    = "manual.update-mode"
	ManualDashboardKeys = "manual.dashboard-public-key"
)

// observedCheckIDs are the manual checks the emulator can gather evidence
// for.
var observedCheckIDs = []string{ManualUserGood, ManualInvalidToken, ManualUpdateMode}

// Observer follows the emulator's request log and Link sessions, and finds
// in them the evidence of the manual checks. It is not safe for concurrent
// use.
type Observer struct {
	ctl      *flows.Control
	since    int64
	requests []flows.ObservedRequest
	// details holds the bodies of the requests the evidence needs.
	details  map[int64]flows.ObservedRequestDetail
	sessions []flows.LinkSessionRecord
	known    map[string]string // link_session_id -> outcome already reported
	// ignored are the client_ids of requests that are not the audited
	// app's: linkexplorer's own flows and demo.
	ignored []string
	// appTokens are the link_tokens (masked) the app created: only Link
	// sessions opened with one of them are the app's.
	appTokens map[string]bool
}

// NewObserver returns an Observer of the emulator behind ctl that
// considers everything the emulator still holds, earlier requests included.
// Only the audited app's requests count: those made with linkexplorer's
// own client_id (flows.EmulatedClientID, and any given to IgnoreClientIDs)
// are left out, and so are the Link sessions opened with tokens the app
// did not create.
func NewObserver(ctl *flows.Control) *Observer {
	return &Observer{ctl: ctl, details: map[int64]flows.ObservedRequestDetail{}, known: map[string]string{},
		ignored: []string{flows.EmulatedClientID}, appTokens: map[string]bool{}}
}

// IgnoreClientIDs leaves out the requests made with these client_ids
// (linkexplorer's own, when it runs with PLAID_CLIENT_ID): they are not
// evidence about the audited app.
func (o *Observer) IgnoreClientIDs(ids ...string) *Observer {
	for _, id := range ids {
		if id != "" && !slices.Contains(o.ignored, id) {
			o.ignored = append(o.ignored, id)
		}
	}
	return o
}

// Sighting is something new the Observer saw: a request or a Link session
// that started or finished.
type Sighting struct {
	Time time.Time `json:"time"`
	// What reads like "POST /link/token/create → 200" or
	// "Link session exit (INVALID_LINK_TOKEN)".
	What          string `json:"what"`
	RequestID     string `json:"request_id,omitempty"`
	LinkSessionID string `json:"link_session_id,omitempty"`
}

// bodyPaths are the requests whose bodies the evidence reads.
var bodyPaths = []string{"/link/token/create"}

// Poll fetches what the emulator saw since the last poll and returns it.
func (o *Observer) Poll(ctx context.Context) ([]Sighting, error) {
	reqs, next, err := requestsSince(ctx, o.ctl, o.since)
	if err != nil {
		return nil, err
	}
	var seen []Sighting
	for _, r := range reqs {
		if slices.Contains(o.ignored, r.ClientID) {
			continue // linkexplorer's own flows or demo: not the app
		}
		if slices.Contains(bodyPaths, r.Path) && r.Status == http.StatusOK {
			d, err := o.ctl.Request(ctx, r.Seq)
			if err != nil {
				return nil, err
			}
			o.details[r.Seq] = d
			o.appTokens[redact.Value(responseToken(d.ResponseBody))] = true
		}
		o.requests = append(o.requests, r)
		seen = append(seen, Sighting{Time: r.Time, RequestID: r.RequestID,
			What: fmt.Sprintf("%s %s → %d %s", r.Method, r.Path, r.Status, r.ErrorCode)})
	}
	o.since = next
	all, err := o.ctl.LinkSessions(ctx)
	if err != nil {
		return nil, err
	}
	o.sessions = slices.DeleteFunc(all, func(s flows.LinkSessionRecord) bool { return !o.appTokens[s.LinkToken] })
	for _, s := range slices.Backward(o.sessions) { // oldest first
		if prev, ok := o.known[s.LinkSessionID]; ok && prev == s.Outcome {
			continue
		}
		o.known[s.LinkSessionID] = s.Outcome
		seen = append(seen, Sighting{Time: s.StartedAt, LinkSessionID: s.LinkSessionID, What: sessionSummary(s)})
	}
	return seen, nil
}

func sessionSummary(s flows.LinkSessionRecord) string {
	what := "Link session opened"
	if s.Outcome != "" {
		what = "Link session " + s.Outcome
	}
	if s.IsUpdateMode {
		what += " (update mode)"
	}
	if code := sessionErrorCode(s); code != "" {
		what += " with " + code
	}
	return what
}

// sessionErrorCode is the error_code of the last error a Link session met.
func sessionErrorCode(s flows.LinkSessionRecord) string {
	var r struct {
		Error *struct {
			Code string `json:"error_code"`
		} `json:"error"`
	}
	if json.Unmarshal(s.Raw, &r) != nil || r.Error == nil {
		return ""
	}
	return r.Error.Code
}

// Evidence returns, for each manual check the emulator shows done, its
// evidence (keyed by check id).
func (o *Observer) Evidence() map[string][]Evidence {
	out := map[string][]Evidence{}
	for id, ev := range map[string][]Evidence{
		ManualUserGood:     o.userGood(),
		ManualInvalidToken: o.recovery(),
		ManualUpdateMode:   o.updateMode(),
	} {
		if ev != nil {
			out[id] = ev
		}
	}
	return out
}

// Observe polls the emulator every interval until every observable manual
// check has evidence, d has passed, or ctx is done; progress (if not nil)
// gets each new sighting. It returns the evidence found, even when ctx ends
// the watch.
//
// d bounds the watch, not a poll: the first poll and the one when d has
// passed always run to their end (under ctx only), so a short watch on a
// busy machine still reads everything the emulator saw until its end.
func (o *Observer) Observe(ctx context.Context, d, interval time.Duration, progress func(Sighting)) (map[string][]Evidence, error) {
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for last := false; ; {
		seen, err := o.Poll(ctx)
		if progress != nil {
			for _, s := range seen {
				progress(s)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return o.Evidence(), nil // Ctrl-C: what was seen so far
			}
			return o.Evidence(), err
		}
		ev := o.Evidence()
		if last || len(ev) == len(observedCheckIDs) {
			return ev, nil
		}
		select {
		case <-ctx.Done():
			return ev, nil
		case <-end.C:
			last = true // one more poll reads what came in the last interval
		case <-tick.C:
		}
	}
}

// tokenRequest is a successful /link/token/create with its token.
type tokenRequest struct {
	req    flows.ObservedRequest
	token  string // masked as the Link session records show it
	update bool
}

// tokenRequests lists the successful /link/token/create requests, oldest
// first.
func (o *Observer) tokenRequests() []tokenRequest {
	var out []tokenRequest
	for _, r := range o.requests {
		d, ok := o.details[r.Seq]
		if !ok || r.Path != "/link/token/create" {
			continue
		}
		var body struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(d.RequestBody, &body) // a body that is not JSON is no update-mode token
		out = append(out, tokenRequest{req: r, token: redact.Value(responseToken(d.ResponseBody)), update: body.AccessToken != ""})
	}
	return out
}

// sessionsOldestFirst returns the Link sessions in the order they started.
func (o *Observer) sessionsOldestFirst() []flows.LinkSessionRecord {
	s := slices.Clone(o.sessions)
	slices.SortStableFunc(s, func(a, b flows.LinkSessionRecord) int { return a.StartedAt.Compare(b.StartedAt) })
	return s
}

// recovery finds an INVALID_LINK_TOKEN recovery: a Link session that met
// INVALID_LINK_TOKEN, then a new /link/token/create, then a Link session
// opened with the new token.
func (o *Observer) recovery() []Evidence {
	tokens := o.tokenRequests()
	sessions := o.sessionsOldestFirst()
	for _, a := range sessions {
		if sessionErrorCode(a) != "INVALID_LINK_TOKEN" {
			continue
		}
		for _, t := range tokens {
			if t.req.Time.Before(a.StartedAt) || t.token == a.LinkToken {
				continue
			}
			b, ok := firstSession(sessions, t.token, t.req.Time)
			if !ok {
				continue
			}
			var ev []Evidence
			if first, ok := tokenFor(tokens, a.LinkToken); ok {
				ev = append(ev, requestEvidence(first.req, "link_token #1"))
			}
			return append(ev,
				sessionEvidence(a, "Link met INVALID_LINK_TOKEN"),
				requestEvidence(t.req, "link_token #2, fetched after the error"),
				sessionEvidence(b, "Link opened again with the new token"))
		}
	}
	return nil
}

// updateMode finds update mode after reset_login: /sandbox/item/reset_login,
// then /link/token/create with an access_token, then an update-mode Link
// session with that token that succeeded.
func (o *Observer) updateMode() []Evidence {
	sessions := o.sessionsOldestFirst()
	for _, reset := range o.requests {
		if reset.Path != "/sandbox/item/reset_login" || reset.Status != http.StatusOK {
			continue
		}
		for _, t := range o.tokenRequests() {
			if !t.update || t.req.Time.Before(reset.Time) {
				continue
			}
			for _, s := range sessions {
				if s.IsUpdateMode && s.LinkToken == t.token && s.Outcome == "success" {
					return []Evidence{
						requestEvidence(reset, "the Item needs the user again (ITEM_LOGIN_REQUIRED)"),
						requestEvidence(t.req, "update-mode link_token, created with the access_token"),
						sessionEvidence(s, "update mode repaired the Item"),
					}
				}
			}
		}
	}
	return nil
}

// userGood finds a new Item linked through Link and exchanged: a
// successful new-Item Link session, then /item/public_token/exchange.
func (o *Observer) userGood() []Evidence {
	for _, s := range o.sessionsOldestFirst() {
		if s.IsUpdateMode || s.Outcome != "success" {
			continue
		}
		for _, r := range o.requests {
			if r.Path == "/item/public_token/exchange" && r.Status == http.StatusOK && !r.Time.Before(s.StartedAt) {
				return []Evidence{sessionEvidence(s, "a new Item linked"), requestEvidence(r, "public_token exchanged")}
			}
		}
	}
	return nil
}

// firstSession is the first Link session opened with token at or after t.
func firstSession(sessions []flows.LinkSessionRecord, token string, t time.Time) (flows.LinkSessionRecord, bool) {
	for _, s := range sessions {
		if s.LinkToken == token && !s.StartedAt.Before(t) {
			return s, true
		}
	}
	return flows.LinkSessionRecord{}, false
}

// tokenFor finds the /link/token/create that returned token (masked).
func tokenFor(tokens []tokenRequest, token string) (tokenRequest, bool) {
	for _, t := range tokens {
		if t.token == token {
			return t, true
		}
	}
	return tokenRequest{}, false
}

func sessionEvidence(s flows.LinkSessionRecord, note string) Evidence {
	return Evidence{Kind: "link_session", LinkSessionID: s.LinkSessionID, Note: note}
}
