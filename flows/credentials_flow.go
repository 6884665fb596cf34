package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxSeenEvents bounds the Link events a credentials lesson keeps to check
// and summarize.
const maxSeenEvents = 500

// sandboxCredentialsFlow is the lesson as Home and Flows() list it: its
// default scenario. A UI lets the learner pick another (CredentialsFlow).
func sandboxCredentialsFlow() *Flow {
	f, _ := CredentialsFlow(DefaultCredentialScenario)
	f.Title = "Sandbox credentials (MFA, error Items)"
	f.Summary = "The Sandbox's test logins as lessons: MFA by device code, security questions (one and several rounds) " +
		"and multiple choice, and the error_<CODE> passwords that make Link fail as a real bank would (ITEM_LOCKED, " +
		"INVALID_CREDENTIALS, INVALID_MFA, INSTITUTION_DOWN, ITEM_NOT_SUPPORTED, NO_ACCOUNTS…). Pick a scenario: see what " +
		"to type, what the user sees in Link, what onEvent and onExit receive, and what your app should do."
	return f
}

// CredentialsFlow is the Sandbox credentials lesson for one scenario.
func CredentialsFlow(scenario string) (*Flow, error) {
	sc, ok := CredentialScenarioByName(scenario)
	if !ok {
		return nil, UnknownScenarioError{Name: scenario}
	}
	create := createTokenStep("Create a link_token", false)
	create.Explain = "Your server calls /link/token/create as for any new Item: nothing in the token chooses the " +
		"scenario. The Sandbox decides it from what the user types in Link (reference §3.2): " + sc.Typing() + "."
	create.do = func(ctx context.Context, r *Run) error {
		r.mu.Lock()
		r.st.flowPilot = sc.autopilot()
		r.mu.Unlock()
		_, err := r.createToken(ctx, false)
		return err
	}
	title := "Open Link and log in as " + sc.Username + " / " + sc.Password
	if !sc.Succeeds() {
		title = "Open Link and meet " + sc.ErrorCode
	}
	link := Step{
		Name: "open-link-credentials", Title: title, Kind: StepLink,
		Explain: "Type: " + sc.Typing() + " (at " + sandboxInstitutionName + "). Ends with: " + sc.ends() + ". Your app should: " +
			sc.AppShould + " What the user sees: " + sc.UserSees + " Your handlers receive: " + sc.Handlers,
		do: func(ctx context.Context, r *Run) error { return credentialsLink(ctx, r, sc) },
	}
	f := &Flow{
		Name:          CredentialsFlowName,
		Title:         "Sandbox credentials: " + sc.Title,
		Summary:       sc.Title + ". Type " + sc.Typing() + ". " + sc.UserSees,
		Scenario:      sc.Name,
		DemoOnRequest: true,
		Steps:         []Step{create, link},
	}
	if sc.Succeeds() {
		f.Steps = append(f.Steps, exchangeStep())
	}
	return f, nil
}

// credentialsLink opens Link for the scenario and checks that it happened
// as the table says: the MFA panes and onSuccess, or onExit with the
// scenario's error.
func credentialsLink(ctx context.Context, r *Run, sc CredentialScenario) error {
	if r.env.Browser == BrowserAuto && r.env.Control == nil {
		return fmt.Errorf("--browser=auto cannot type Sandbox credentials into real Link: run with --browser=system (or none) and log in at %s as %s", sandboxInstitutionName, sc.Typing())
	}
	if !r.autopilot() {
		r.note("In Link, choose %s and log in as %s", sandboxInstitutionName, sc.Typing())
	}
	r.mu.Lock()
	r.st.seen = nil
	r.mu.Unlock()
	_, err := r.openLink(ctx, "sandbox credentials: "+sc.Name)
	r.mu.Lock()
	seen := slices.Clone(r.st.seen)
	r.mu.Unlock()
	r.fact("credentials", sc.Typing())
	if len(seen) > 0 {
		r.fact("onEvent", seenSummary(seen))
	}
	var exit *LinkExitError
	switch {
	case sc.Succeeds() && err != nil:
		return err
	case sc.Succeeds():
		got := mfaTypes(seen)
		if !isSubsequence(sc.MFATypes, got) {
			return fmt.Errorf("link succeeded without the MFA panes of %s (saw mfa_type %s): log in as %s", sc.Name, orNone(strings.Join(got, ", ")), sc.Typing())
		}
		r.fact("MFA panes", strings.Join(got, ", "))
		return nil
	case errors.As(err, &exit) && exit.Kind == "exit" && exit.Code == sc.ErrorCode:
		r.fact("onExit error", describeLinkError(exit))
		r.fact("onExit status", orNone(exit.ExitStatus))
		if exit.RequestID != "" {
			r.fact("request_id", exit.RequestID)
		}
		r.fact("link_session_id", exit.LinkSessionID)
		if x, ok := Explain(sc.ErrorCode); ok {
			r.fact("what it means", x.Meaning)
		}
		r.fact("your app should", sc.AppShould)
		return nil
	case err == nil && metError(seen, sc.ErrorCode):
		r.fact("outcome", "the user met "+sc.ErrorCode+", tried again with other credentials and linked (onSuccess); this lesson does not exchange that public_token")
		return nil
	case err == nil:
		return fmt.Errorf("link ended in onSuccess without %s: log in as %s to meet it", sc.ErrorCode, sc.Typing())
	case exit != nil && exit.Kind == "exit":
		return fmt.Errorf("link exited with %s, not %s: log in as %s", orNone(exit.Code), sc.ErrorCode, sc.Typing())
	}
	return err
}

// seenEvent is one onEvent of a lesson's Link step.
type seenEvent struct {
	name, view, mfaType, code string
}

// recordSeenLocked keeps ev if it is an onEvent (r.mu held).
func (r *Run) recordSeenLocked(ev PageEvent) {
	if ev.Kind != "event" || len(r.st.seen) >= maxSeenEvents {
		return
	}
	s := seenEvent{name: ev.EventName, view: ev.ViewName, code: ev.ErrorCode}
	var md struct {
		MFAType *string `json:"mfa_type"`
	}
	if len(ev.Metadata) > 0 && json.Unmarshal(ev.Metadata, &md) == nil && md.MFAType != nil {
		s.mfaType = *md.MFAType
	}
	r.st.seen = append(r.st.seen, s)
}

// seenSummary lists the events on one line: OPEN, TRANSITION_VIEW(MFA
// device), SUBMIT_MFA(device), ERROR(ITEM_LOCKED)…
func seenSummary(seen []seenEvent) string {
	parts := make([]string, len(seen))
	for i, e := range seen {
		var detail []string
		for _, d := range []string{e.view, e.mfaType, e.code} {
			if d != "" {
				detail = append(detail, d)
			}
		}
		parts[i] = e.name
		if len(detail) > 0 {
			parts[i] += "(" + strings.Join(detail, " ") + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// mfaTypes are the mfa_type values of the MFA panes shown, in order.
func mfaTypes(seen []seenEvent) []string {
	var out []string
	for _, e := range seen {
		if e.name == "TRANSITION_VIEW" && e.view == "MFA" && e.mfaType != "" {
			out = append(out, e.mfaType)
		}
	}
	return out
}

// metError reports whether an ERROR event with code was seen.
func metError(seen []seenEvent, code string) bool {
	return slices.ContainsFunc(seen, func(e seenEvent) bool { return e.name == "ERROR" && e.code == code })
}

// isSubsequence reports whether want appears in got in order (a retry may
// show panes more than once).
func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
