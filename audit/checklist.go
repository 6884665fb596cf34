package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Step is one step of the migration guide's checklist (reference §5.2),
// with the checks that verify it.
type Step struct {
	N     int    `json:"step"`
	Title string `json:"title"`
	// Status is fail if a check fails, manual if a check still needs a
	// person, pass otherwise.
	Status Status   `json:"status"`
	Checks []*Check `json:"checks"`
}

// guideSteps are the checklist steps of Plaid's migration guide.
var guideSteps = []string{
	1: "Add a server route that calls /link/token/create (client_user_id, client_name, products, language, country_codes)",
	2: "Client: pass token, drop key and the other options, handle INVALID_LINK_TOKEN",
	3: "Convert every entry point, update mode included (access_token on /link/token/create)",
	4: "Test in Sandbox: user_good, INVALID_LINK_TOKEN recovery, update mode after reset_login",
	5: "Switch API calls that used public_key to client_id/secret",
	6: "Disable the public_key in the Dashboard",
}

// Inputs are the results a Report is built from; any may be nil (not run).
type Inputs struct {
	Static *StaticResult
	Live   *LiveResult
	// Observed is the manual checks' evidence from the emulator
	// (Observer.Evidence); State keeps earlier runs' evidence and ticks.
	Observed map[string][]Evidence
	State    *State
	// Src, Endpoint and Emulator say what was audited, for the report.
	Src, Endpoint, Emulator string
	Now                     time.Time
}

// Report is the migration audit: the guide's checklist with a result and
// evidence for each check, and the static findings.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Src         string    `json:"src,omitempty"`
	Endpoint    string    `json:"endpoint,omitempty"`
	Emulator    string    `json:"emulator,omitempty"`
	Summary     Summary   `json:"summary"`
	Steps       []Step    `json:"checklist"`
	// Findings are the static audit's findings, good signs included.
	Findings []Finding `json:"findings"`
	// Coverage is what the static audit read and skipped.
	Coverage *Coverage `json:"coverage,omitempty"`
	// Calls are the live audit's calls to the app.
	Calls []EndpointCall `json:"calls"`
}

// Summary counts the checks by status.
type Summary struct {
	Pass   int `json:"pass"`
	Fail   int `json:"fail"`
	Manual int `json:"manual"`
	// Result is fail if any check fails, else manual if any needs a
	// person, else pass.
	Result Status `json:"result"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return r.Summary.Fail > 0 }

// Check returns the check with the given id.
func (r *Report) Check(id string) (*Check, bool) {
	for _, s := range r.Steps {
		for _, c := range s.Checks {
			if c.ID == id {
				return c, true
			}
		}
	}
	return nil, false
}

// BuildReport assembles the checklist from the audits' results, applies the
// ticks of in.State, and keeps the manual evidence observed now in it.
func BuildReport(in Inputs) *Report {
	r := &Report{GeneratedAt: in.Now, Src: in.Src, Endpoint: in.Endpoint, Emulator: in.Emulator,
		Findings: []Finding{}, Calls: []EndpointCall{}}
	var checks []*Check
	if in.Static != nil {
		checks = append(checks, staticChecks(in.Static)...)
		r.Findings = in.Static.Findings
		r.Coverage = in.Static.Coverage
	}
	if in.Live != nil {
		for _, c := range in.Live.Checks { // copies: ticks must not change the caller's result
			cp := *c
			checks = append(checks, &cp)
		}
		r.Calls = in.Live.Calls
	}
	state := in.State
	if state == nil {
		state = &State{}
	}
	for id, ev := range in.Observed {
		state.setEvidence(id, ev)
	}
	checks = append(checks, manualChecks(state, in.Emulator != "")...)
	for _, c := range checks {
		if c.Status == StatusManual && state.Ticked(c.ID) {
			c.Status, c.Ticked = StatusPass, true
			c.Detail = joinNonEmpty("; ", c.Detail, "ticked by a person on "+state.Ticks[c.ID].Format(time.DateOnly))
		}
	}
	for n := 1; n < len(guideSteps); n++ {
		s := Step{N: n, Title: guideSteps[n], Checks: []*Check{}}
		for _, c := range checks {
			if c.Step == n {
				s.Checks = append(s.Checks, c)
			}
		}
		s.Status = stepStatus(s.Checks)
		r.Steps = append(r.Steps, s)
	}
	r.Summary = summarize(checks)
	return r
}

// stepStatus is fail if any check fails, manual if any needs a person (or
// there is none), else pass.
func stepStatus(checks []*Check) Status {
	switch {
	case slices.ContainsFunc(checks, func(c *Check) bool { return c.Status == StatusFail }):
		return StatusFail
	case len(checks) == 0 || slices.ContainsFunc(checks, func(c *Check) bool { return c.Status == StatusManual }):
		return StatusManual
	}
	return StatusPass
}

func summarize(checks []*Check) Summary {
	var s Summary
	for _, c := range checks {
		switch c.Status {
		case StatusPass:
			s.Pass++
		case StatusFail:
			s.Fail++
		default:
			s.Manual++
		}
	}
	s.Result = stepStatus(checks)
	return s
}

// staticCheck describes how a static check reads the findings.
type staticCheck struct {
	id, title, rec string
	step           int
	problems       []Rule
	good           []Rule
	// manual are the findings a person must decide.
	manual []Rule
	// needsConfigs: without any Link config found, the check needs a person.
	needsConfigs bool
	// none is the detail when neither problems nor good signs are found;
	// empty means that is a pass.
	none string
	// markers are the unread-file markers that concern the check: an
	// unread file that has one keeps the check from passing.
	markers []string
}

var staticCheckList = []staticCheck{
	{
		id: "static.link-token-route", step: 1, title: "A server route creates link_tokens with user.client_user_id",
		rec:      "Add an authenticated server route that calls /link/token/create with user.client_user_id (your internal user id), client_name, products, language and country_codes, and returns the link_token.",
		problems: []Rule{RuleLinkTokenCreateNoUser}, good: []Rule{RuleLinkTokenCreate}, manual: []Rule{RuleLinkTokenCreateUnresolved},
		none:    "no /link/token/create call was found in the source: if the server lives elsewhere, audit it too (--src) or check its route live (--endpoint)",
		markers: []string{"/link/token/create"},
	},
	{
		id: "static.link-config", step: 2, title: "Link is created with a token and no public_key options",
		rec:      "Pass only token (and the callbacks) to Plaid.create / usePlaidLink; drop key, env, product and the other public_key options: they moved to /link/token/create on the server.",
		problems: []Rule{RuleLinkPublicKey, RuleLinkLegacyOption, RuleLinkMissingToken}, good: []Rule{RuleLinkTokenConfig},
		manual: []Rule{RuleLinkConfigUnresolved}, needsConfigs: true,
		markers: []string{"public_key", "Plaid.create"},
	},
	{
		id: "static.invalid-link-token", step: 2, title: "onExit recovers from INVALID_LINK_TOKEN, and Link is re-created only after destroy()",
		rec:      "In onExit, when error.error_code === 'INVALID_LINK_TOKEN': call handler.destroy(), fetch a new link_token from your server, create Link again with it, and open() when the user is ready. Create Link once per link_token, not on every click.",
		problems: []Rule{RuleInvalidTokenUnhandled, RuleInvalidTokenNoDestroy, RuleInvalidTokenNoRecovery, RuleLinkCreateRepeated},
		good:     []Rule{RuleInvalidTokenRecovery}, manual: []Rule{RuleInvalidTokenUnresolved, RuleExitThis},
		needsConfigs: true,
		markers:      []string{"Plaid.create"},
	},
	{
		id: "static.update-mode", step: 3, title: "Update mode uses a link_token created with access_token",
		rec:      "Start update mode with a link_token from /link/token/create with the Item's access_token (and no products), instead of /item/public_token/create.",
		problems: []Rule{RuleUpdateModePublicToken}, good: []Rule{RuleUpdateModeAccessToken},
		none:    "no update-mode code was found: if the app repairs Items (ITEM_LOGIN_REQUIRED), its update mode must create link_tokens with access_token",
		markers: []string{"/link/token/create"},
	},
	{
		id: "static.server-public-key", step: 5, title: "No API call sends public_key",
		rec:      "Call /institutions/search, /institutions/get_by_id and /sandbox/public_token/create from the server with client_id and secret, and build the Plaid client without a public_key.",
		problems: []Rule{RuleServerPublicKey},
		markers:  []string{"public_key"},
	},
}

// staticChecks turns the static findings into checks.
func staticChecks(res *StaticResult) []*Check {
	out := make([]*Check, 0, len(staticCheckList))
	for _, sc := range staticCheckList {
		c := newCheck(sc.id, sc.step, KindStatic, sc.title)
		var bad, good, manual []Finding
		for _, f := range res.Findings {
			switch {
			case slices.Contains(sc.problems, f.Rule):
				bad = append(bad, f)
			case slices.Contains(sc.good, f.Rule):
				good = append(good, f)
			case slices.Contains(sc.manual, f.Rule):
				manual = append(manual, f)
			}
		}
		for _, f := range slices.Concat(bad, manual, good) {
			c.with(Evidence{Kind: "file", File: f.File, Line: f.Line, Note: f.Message})
		}
		unread := unreadHits(res, sc.markers)
		switch {
		case res.FilesScanned == 0 && res.FilesSkipped > 0:
			c.manual(sc.rec, "no file could be read under %s (%s): a person must read them", res.Root, coverageSummary(res))
		case res.FilesScanned == 0:
			c.manual(sc.rec, "no source file was found under %s", res.Root)
		case len(bad) > 0:
			c.fail(sc.rec, "%s", countFindings(bad))
		case len(unread) > 0:
			verb := "mention"
			if len(unread) == 1 {
				verb = "mentions"
			}
			c.manual(sc.rec, "%s in files the audit could not read %s it: a person must read them", plural(len(unread), "line"), verb)
		case sc.id == "static.invalid-link-token" && res.LinkConfigs > 0 && res.LinkConfigs == res.LegacyConfigs:
			c.manual(sc.rec, "every Link config still uses a public_key: INVALID_LINK_TOKEN concerns Link once it is created with a link_token")
		case sc.needsConfigs && res.LinkConfigs == 0:
			c.manual(sc.rec, "no Link client code (Plaid.create, usePlaidLink, <PlaidLink>) was found under %s: check the client by hand, or audit its source too", res.Root)
		case len(manual) > 0 && (len(good) == 0 || sc.id != "static.link-token-route"):
			c.manual(sc.rec, "%s the audit could not decide", plural(len(manual), "place"))
		case len(good) > 0:
			c.pass("%s, and no problem", plural(len(good), "good sign"))
		case sc.id == "static.link-token-route" && len(res.PlaidServer) > 0:
			c.with(res.PlaidServer...).fail(sc.rec, "the server in this tree talks to Plaid but never creates a link_token: Link cannot open without one")
		case sc.none != "":
			c.manual(sc.rec, "%s", sc.none)
		default:
			c.pass("nothing found in %s", plural(res.FilesScanned, "file"))
		}
		for _, h := range unread {
			c.with(Evidence{Kind: "file", File: h.File, Line: h.Line, Note: "not read (" + h.Pattern + "): " + h.Text})
		}
		out = append(out, c)
	}
	return out
}

// unreadHits returns the hits in unread files of the given markers.
func unreadHits(res *StaticResult, markers []string) []UnreadHit {
	if res.Coverage == nil {
		return nil
	}
	var out []UnreadHit
	for _, h := range res.Coverage.UnreadHits {
		if slices.Contains(markers, h.Pattern) {
			out = append(out, h)
		}
	}
	return out
}

func coverageSummary(res *StaticResult) string {
	if res.Coverage == nil {
		return plural(res.FilesSkipped, "file") + " skipped"
	}
	return res.Coverage.Summary()
}

// countFindings says how many problems there are, in how many files.
func countFindings(list []Finding) string {
	files := map[string]bool{}
	for _, f := range list {
		files[f.File] = true
	}
	return fmt.Sprintf("%s in %s", plural(len(list), "problem"), plural(len(files), "file"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// manualCheck describes a check a person does.
type manualCheck struct {
	id, title, how string
	step           int
}

var manualCheckList = []manualCheck{
	{
		id: ManualUserGood, step: 4, title: "A new Item links with user_good / pass_good",
		how: "Open the app, connect First Platypus Bank with user_good / pass_good, and check that the app exchanges the public_token (the emulator then sees a successful Link session and /item/public_token/exchange).",
	},
	{
		id: ManualInvalidToken, step: 4, title: "The app recovers from INVALID_LINK_TOKEN",
		how: "Open the app and log in as user_custom with the password {\"force_error\":\"INVALID_LINK_TOKEN\"}: the app must destroy Link, fetch a new link_token and open Link again (the emulator then sees a second /link/token/create and a second Link session). Only one Link iframe may be on the page.",
	},
	{
		id: ManualUpdateMode, step: 4, title: "Update mode repairs an Item after /sandbox/item/reset_login",
		how: "Call /sandbox/item/reset_login on an Item of the app, then use the app's repair path: it must create a link_token with the access_token and Link must finish in update mode.",
	},
	{
		id: ManualDashboardKeys, step: 6, title: "The public_key is disabled in the Dashboard",
		how: "In the Plaid Dashboard (Team Settings → Keys), disable the public_key in each environment, for Link and for the API, once every client runs the new code.",
	},
}

// manualChecks builds the manual checks with their evidence.
func manualChecks(state *State, emulator bool) []*Check {
	out := make([]*Check, 0, len(manualCheckList))
	for _, m := range manualCheckList {
		c := newCheck(m.id, m.step, KindManual, m.title)
		ev := state.Evidence[m.id]
		observable := slices.Contains(observedCheckIDs, m.id)
		switch {
		case len(ev) > 0:
			c.with(ev...).manual(m.how, "the emulator saw it done (%s): confirm the app behaved, then tick it", evidenceIDs(ev))
		case observable && emulator:
			c.manual(m.how, "not seen yet: do it in the app (linkexplorer migrate --observe 10m records it)")
		case observable:
			c.manual(m.how, "needs a person; give --emulator to record evidence")
		default:
			c.manual(m.how, "needs a person: nothing records it")
		}
		out = append(out, c)
	}
	return out
}

// evidenceIDs lists the request ids and link_session_ids of evidence.
func evidenceIDs(ev []Evidence) string {
	var ids []string
	for _, e := range ev {
		switch {
		case e.RequestID != "":
			ids = append(ids, "request_id "+e.RequestID)
		case e.LinkSessionID != "":
			ids = append(ids, "link_session_id "+e.LinkSessionID)
		}
	}
	return strings.Join(ids, ", ")
}

// CheckIDs returns the ids of every check the audit can report, for --tick.
func CheckIDs() []string {
	var ids []string
	for _, sc := range staticCheckList {
		ids = append(ids, sc.id)
	}
	for _, p := range []string{"live.", "live.update."} {
		for _, id := range liveCheckIDs {
			ids = append(ids, p+id)
		}
	}
	for _, m := range manualCheckList {
		ids = append(ids, m.id)
	}
	return ids
}

// liveCheckIDs are the live checks, without their live. or live.update.
// prefix.
var liveCheckIDs = []string{
	"token-endpoint", "link-token-create", "request-body", "client-user-id", "client-name", "language",
	"country-codes", "products", "redirect-uri", "webhook", "access-token",
}
