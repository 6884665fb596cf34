package flows

import (
	"fmt"
	"strings"
)

// The Sandbox credentials lesson: one flow, sandbox-credentials, played
// with one scenario at a time (MFA device, questions, selections, and the
// error_<CODE> passwords). The scenarios and everything the lesson says
// about them live in one table, credentialScenarios.

// CredentialsFlowName is the name of the Sandbox credentials lesson.
const CredentialsFlowName = "sandbox-credentials"

// DefaultCredentialScenario is the scenario a run plays when none is named.
const DefaultCredentialScenario = "mfa-device"

// Families of credential scenarios.
const (
	FamilyMFA   = "MFA"
	FamilyError = "Error Items"
)

// CredentialScenario is one Sandbox test login and what it teaches.
type CredentialScenario struct {
	// Name is the scenario's id: run sandbox-credentials --scenario NAME.
	Name   string `json:"name"`
	Family string `json:"family"`
	// Title is the scenario's one-line title.
	Title string `json:"title"`
	// Username and Password are what the user types on the credentials
	// pane (reference §3.2).
	Username string `json:"username"`
	Password string `json:"password"`
	// Answers is what the user types or picks at the MFA panes, one entry
	// per pane, for a person to read ("" without MFA).
	Answers []string `json:"answers,omitempty"`
	// MFATypes are the mfa_type values of the MFA panes, in order.
	MFATypes []string `json:"mfa_types,omitempty"`
	// ErrorCode is the onExit error_code the scenario ends with ("" for
	// onSuccess), ErrorType its error_type.
	ErrorCode string `json:"error_code,omitempty"`
	ErrorType string `json:"error_type,omitempty"`
	// ExitStatus is onExit's metadata.status when the user leaves at the
	// error pane.
	ExitStatus string `json:"exit_status,omitempty"`
	// UserSees is what a real user sees in Link: panes, messages, retry.
	UserSees string `json:"user_sees"`
	// Handlers is what the app's onEvent and onExit (or onSuccess)
	// receive, in order.
	Handlers string `json:"handlers"`
	// AppShould is what the app should do about it.
	AppShould string `json:"app_should"`
}

// Succeeds reports whether the scenario ends in onSuccess.
func (s CredentialScenario) Succeeds() bool { return s.ErrorCode == "" }

// Typing is the credentials (and MFA answers) to type, on one line.
func (s CredentialScenario) Typing() string {
	t := s.Username + " / " + s.Password
	if len(s.Answers) > 0 {
		t += "; then " + strings.Join(s.Answers, "; then ")
	}
	return t
}

// ends says how Link ends: onSuccess after the MFA panes, or onExit with
// the error and status.
func (s CredentialScenario) ends() string {
	if s.Succeeds() {
		return "onSuccess after the MFA panes (mfa_type " + strings.Join(s.MFATypes, ", then ") + ")"
	}
	return "onExit with " + s.ErrorCode + " (" + s.ErrorType + "), status " + s.ExitStatus
}

// Ends is how Link ends for the scenario, on one line.
func (s CredentialScenario) Ends() string { return s.ends() }

// autopilot is the emulated Link's autopilot for the scenario: it types
// the credentials, answers the MFA panes (device: the first device; code:
// 1234; questions: answer_<i>_<j>; selections: the first option, Yes) and
// leaves at the error pane with Exit.
func (s CredentialScenario) autopilot() *Autopilot {
	return &Autopilot{Username: s.Username, Password: s.Password, MFA: goodMFA, InstitutionID: sandboxInstitution}
}

// Shared texts of the table.
const (
	credsPanes     = "Consent, the institution list (First Platypus Bank), the credentials pane"
	credsErrorPane = "Link shows its error pane with the error's display_message, a Try again button and Exit. "
	credsExitTail  = "Exit ends Link: onExit(error, {status: \"requires_credentials\", institution, link_session_id, request_id})."
	credsEvents    = "onEvent: OPEN, TRANSITION_VIEW (CONSENT, SELECT_INSTITUTION), SEARCH_INSTITUTION, SELECT_INSTITUTION, TRANSITION_VIEW (CREDENTIAL), SUBMIT_CREDENTIALS, "
	credsErrEvents = "ERROR (error_type, error_code, error_message), TRANSITION_VIEW (ERROR); on Exit: EXIT (exit_status requires_credentials, the same error fields), then onExit with the error object (display_message included) and metadata.status requires_credentials."
	credsMFAEnd    = "TRANSITION_VIEW (LOADING, SELECT_ACCOUNT, CONNECTED), HANDOFF, then onSuccess(public_token, metadata). Every event's metadata carries link_session_id, request_id and timestamp; the MFA ones mfa_type."
	credsMFAApp    = "Nothing special: MFA happens inside Link, so onSuccess is handled as usual (send the public_token to your server and exchange it). Log link_session_id for support; an exit mid-MFA has a status (choose_device, requires_code, requires_questions, requires_selections) that tells where the user gave up."
)

// credentialScenarios is the one table of the lesson, in menu order.
var credentialScenarios = []CredentialScenario{
	{
		Name: "mfa-device", Family: FamilyMFA, Title: "MFA: pick a device, then code 1234",
		Username: goodUser, Password: "mfa_device",
		Answers:  []string{"choose any device (Send code)", "the code 1234"},
		MFATypes: []string{"device", "code"},
		UserSees: credsPanes + ", then two MFA panes: \"Where should we send your one-time code?\" (pick SMS or email, Send code) and \"Enter the code we sent you\" (1234). " +
			"A wrong code shows the error pane (INVALID_MFA) and Try again starts the login over. Then the accounts, Success, Continue.",
		Handlers:  credsEvents + "TRANSITION_VIEW (MFA, mfa_type device), SUBMIT_MFA (device), TRANSITION_VIEW (MFA, mfa_type code), SUBMIT_MFA (code), " + credsMFAEnd,
		AppShould: credsMFAApp,
	},
	{
		Name: "mfa-questions", Family: FamilyMFA, Title: "MFA: one security question",
		Username: goodUser, Password: "mfa_questions_1_1",
		Answers:  []string{"answer_0_0"},
		MFATypes: []string{"questions"},
		UserSees: credsPanes + ", then one MFA pane with one security question (question_0_0), answered answer_0_0. " +
			"mfa_questions_<n>_<m> asks n rounds of m questions; question j of round i is answered answer_<i>_<j>. A wrong answer shows INVALID_MFA and Try again.",
		Handlers:  credsEvents + "TRANSITION_VIEW (MFA, mfa_type questions), SUBMIT_MFA (questions), " + credsMFAEnd,
		AppShould: credsMFAApp,
	},
	{
		Name: "mfa-questions-rounds", Family: FamilyMFA, Title: "MFA: two rounds of two questions",
		Username: goodUser, Password: "mfa_questions_2_2",
		Answers:  []string{"answer_0_0 and answer_0_1", "answer_1_0 and answer_1_1"},
		MFATypes: []string{"questions", "questions"},
		UserSees: credsPanes + ", then an MFA pane with two questions (answer_0_0, answer_0_1) and, once submitted, a second one (answer_1_0, answer_1_1): " +
			"each round is its own pane, as banks ask follow-up questions.",
		Handlers:  credsEvents + "TRANSITION_VIEW (MFA, mfa_type questions), SUBMIT_MFA (questions), and the same pair again for round two, " + credsMFAEnd,
		AppShould: credsMFAApp,
	},
	{
		Name: "mfa-selections", Family: FamilyMFA, Title: "MFA: multiple choice (Yes)",
		Username: goodUser, Password: "mfa_selections",
		Answers:   []string{"Yes"},
		MFATypes:  []string{"selections"},
		UserSees:  credsPanes + ", then one MFA pane with a multiple-choice question (\"Did you recently make a purchase at Starbucks?\"): pick Yes. No shows INVALID_MFA.",
		Handlers:  credsEvents + "TRANSITION_VIEW (MFA, mfa_type selections), SUBMIT_MFA (selections), " + credsMFAEnd,
		AppShould: credsMFAApp,
	},
	{
		Name: "item-locked", Family: FamilyError, Title: "ITEM_LOCKED: the bank locked the account",
		Username: goodUser, Password: "error_ITEM_LOCKED",
		ErrorCode: "ITEM_LOCKED", ErrorType: "ITEM_ERROR", ExitStatus: "requires_credentials",
		UserSees: credsPanes + "; after Submit " + credsErrorPane + "The message tells the user the account is locked and to reset their credentials on the bank's website; " +
			"Try again only helps once they have. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Show the display_message and tell the user to unlock the account at their bank (logging in on its website usually clears the lock), then offer Link again. Do not retry automatically: more attempts keep it locked.",
	},
	{
		Name: "invalid-credentials", Family: FamilyError, Title: "INVALID_CREDENTIALS: wrong username or password",
		Username: goodUser, Password: "error_INVALID_CREDENTIALS",
		ErrorCode: "INVALID_CREDENTIALS", ErrorType: "ITEM_ERROR", ExitStatus: "requires_credentials",
		UserSees: credsPanes + "; after Submit " + credsErrorPane + "\"The provided credentials were not correct. Please try again.\" Try again returns to the credentials pane. " +
			"Any wrong password does the same; the third in one session invalidates the link_token (onExit INVALID_LINK_TOKEN; the page then recovers with a new token). " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Nothing to fix in code: Link lets the user retry. If they exit, offer to open Link again (a new link_token if the old one was invalidated), and log the link_session_id and request_id.",
	},
	{
		Name: "invalid-mfa", Family: FamilyError, Title: "INVALID_MFA: the MFA answer was wrong",
		Username: goodUser, Password: "error_INVALID_MFA",
		ErrorCode: "INVALID_MFA", ErrorType: "ITEM_ERROR", ExitStatus: "requires_credentials",
		UserSees: credsPanes + "; after Submit " + credsErrorPane + "\"The provided MFA responses were not correct. Please try again.\" Try again starts the login over (credentials, then MFA). " +
			"A wrong answer on a real MFA pane (mfa_device with a code other than 1234) ends the same way. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Nothing to fix in code: Link lets the user retry. Show display_message if you surface the exit, and offer Link again.",
	},
	{
		Name: "institution-down", Family: FamilyError, Title: "INSTITUTION_DOWN: the bank is down",
		Username: goodUser, Password: "error_INSTITUTION_DOWN",
		ErrorCode: "INSTITUTION_DOWN", ErrorType: "INSTITUTION_ERROR", ExitStatus: "requires_credentials",
		UserSees:  credsPanes + "; after Submit " + credsErrorPane + "The message says the institution is not responding; Try again goes back to the institution list, to pick another bank or try later. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Nothing to change in code: show display_message, let the user try later or link another institution. /institutions/get_by_id with options.include_status shows the bank's health.",
	},
	{
		Name: "institution-not-responding", Family: FamilyError, Title: "INSTITUTION_NOT_RESPONDING: the bank timed out",
		Username: goodUser, Password: "error_INSTITUTION_NOT_RESPONDING",
		ErrorCode: "INSTITUTION_NOT_RESPONDING", ErrorType: "INSTITUTION_ERROR", ExitStatus: "requires_credentials",
		UserSees:  credsPanes + "; after Submit " + credsErrorPane + "The bank did not answer in time; Try again goes back to the institution list. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Nothing to change in code: it is usually brief. Show display_message and invite the user to try again in a few minutes.",
	},
	{
		Name: "item-not-supported", Family: FamilyError, Title: "ITEM_NOT_SUPPORTED: this account cannot be connected",
		Username: goodUser, Password: "error_ITEM_NOT_SUPPORTED",
		ErrorCode: "ITEM_NOT_SUPPORTED", ErrorType: "ITEM_ERROR", ExitStatus: "requires_credentials",
		UserSees:  credsPanes + "; after Submit " + credsErrorPane + "\"Account not currently supported.\" Try again only helps with another login. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Tell the user this account cannot be connected and offer another account or institution, or a manual path (micro-deposits).",
	},
	{
		Name: "no-accounts", Family: FamilyError, Title: "NO_ACCOUNTS: the login has no eligible accounts",
		Username: goodUser, Password: "error_NO_ACCOUNTS",
		ErrorCode: "NO_ACCOUNTS", ErrorType: "ITEM_ERROR", ExitStatus: "requires_credentials",
		UserSees:  credsPanes + "; after Submit " + credsErrorPane + "The login worked but no valid accounts were found. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Ask the user to connect an institution where they have open accounts; check that account_filters and products do not exclude every account.",
	},
	{
		Name: "user-setup-required", Family: FamilyError, Title: "USER_SETUP_REQUIRED: finish setup at the bank",
		Username: goodUser, Password: "error_USER_SETUP_REQUIRED",
		ErrorCode: "USER_SETUP_REQUIRED", ErrorType: "ITEM_ERROR", ExitStatus: "requires_credentials",
		UserSees:  credsPanes + "; after Submit " + credsErrorPane + "The message asks the user to finish setting up the account on the bank's website. " + credsExitTail,
		Handlers:  credsEvents + credsErrEvents,
		AppShould: "Ask the user to log in to the bank's website and finish the setup (new terms, a new password), then offer Link again.",
	},
}

// CredentialScenarios returns the scenarios of the Sandbox credentials
// lesson, in menu order.
func CredentialScenarios() []CredentialScenario {
	out := make([]CredentialScenario, len(credentialScenarios))
	copy(out, credentialScenarios)
	return out
}

// CredentialScenarioNames lists the scenarios' names, in menu order.
func CredentialScenarioNames() []string {
	names := make([]string, len(credentialScenarios))
	for i, s := range credentialScenarios {
		names[i] = s.Name
	}
	return names
}

// CredentialScenarioByName finds a scenario.
func CredentialScenarioByName(name string) (CredentialScenario, bool) {
	for _, s := range credentialScenarios {
		if s.Name == name {
			return s, true
		}
	}
	return CredentialScenario{}, false
}

// UnknownScenarioError is a scenario name that is not in the table.
type UnknownScenarioError struct{ Name string }

func (e UnknownScenarioError) Error() string {
	return fmt.Sprintf("unknown scenario %q: use %s", e.Name, strings.Join(CredentialScenarioNames(), ", "))
}

// IsCredentialsFlow reports whether f is the Sandbox credentials lesson
// (any scenario of it).
func IsCredentialsFlow(f *Flow) bool { return f != nil && f.Name == CredentialsFlowName }
