package flows

import (
	"encoding/json"
	"slices"
	"strings"
)

// LinkTerm explains one name a Link integration meets: an onEvent
// eventName, a view_name, an onExit status, a metadata field or a
// callback. One table holds them all (see ExplainLinkEvent and the other
// Explain functions), shared by the terminal app, run and the log.
type LinkTerm struct {
	// Kind is what the name is: one of the TermKind constants.
	Kind TermKind `json:"kind"`
	// Name is the name as Link spells it, e.g. TRANSITION_VIEW.
	Name string `json:"name"`
	// Meaning says what happened, in plain words.
	Meaning string `json:"meaning"`
	// Handler is what an app's handler typically does with it.
	Handler string `json:"handler"`
	// Stable marks the onEvent names Plaid calls safe for program logic;
	// the others are informational and may change.
	Stable bool `json:"stable,omitempty"`
}

// TermKind says which table a LinkTerm comes from.
type TermKind string

// The kinds of LinkTerm.
const (
	TermEvent      TermKind = "event"       // an onEvent eventName
	TermView       TermKind = "view_name"   // metadata.view_name of TRANSITION_VIEW
	TermExitStatus TermKind = "exit_status" // onExit metadata.status, EXIT's exit_status
	TermMetadata   TermKind = "metadata"    // a key of onEvent's metadata
	TermCallback   TermKind = "callback"    // onSuccess, onExit, onLoad, and the page's own steps
)

// Label is how the term is introduced: "onEvent OPEN", "view CREDENTIAL",
// "exit status requires_credentials", "metadata.mfa_type".
func (t LinkTerm) Label() string {
	switch t.Kind {
	case TermEvent:
		return "onEvent " + t.Name
	case TermView:
		return "view " + t.Name
	case TermExitStatus:
		return "exit status " + t.Name
	case TermMetadata:
		return "metadata." + t.Name
	}
	return t.Name
}

// term is one row of a table: what it means, what a handler does.
type term struct{ meaning, handler string }

// Handlers shared by several rows.
const (
	handleLogOnly    = "Nothing is required: log it with the timestamp and link_session_id for analytics or support."
	handleFunnel     = "Count it in your conversion funnel (where users drop off); do not branch program logic on it, as informational events may change."
	handleWaitForEnd = "Nothing in code: Link handles this pane; onSuccess or onExit follows."
	handleMFAExit    = "The user left during the bank's multi-factor step: keep the link_session_id, and offer to try again (a new Plaid.create with a fresh link_token if the old one may have expired)."
	handleIDV        = "Identity Verification only: record the step; your server reads the outcome with /identity_verification/get."
)

// stableEvents are the onEvent names Plaid documents as stable
// (reference §4.5).
var stableEvents = []string{
	"OPEN", "EXIT", "HANDOFF", "SELECT_INSTITUTION", "ERROR",
	"BANK_INCOME_INSIGHTS_COMPLETED", "IDENTITY_VERIFICATION_PASS_SESSION",
	"IDENTITY_VERIFICATION_FAIL_SESSION", "IDENTITY_MATCH_PASSED", "IDENTITY_MATCH_FAILED",
	"LAYER_READY", "LAYER_NOT_AVAILABLE", "LAYER_AUTOFILL_NOT_AVAILABLE",
}

// onEventTerms explains every onEvent eventName of reference §4.5.
var onEventTerms = map[string]term{
	// Stable events.
	"OPEN": {"Link opened: the user sees the first pane. metadata.is_update_mode says whether this token repairs an existing Item.",
		"Hide your own spinner or \"Connect a bank\" button, and record link_session_id: Plaid support asks for it."},
	"EXIT": {"The user closed Link (or Link closed itself after an error) before linking. exit_status is the pane they left from; error_code is the last error they met.",
		"Nothing here: handle the exit in onExit, which gets the same error and status (EXIT arrives with it, in no guaranteed order)."},
	"HANDOFF": {"Link finished successfully and is handing control back to your page; onSuccess follows (or came just before).",
		"Nothing here: exchange the public_token in onSuccess. Use HANDOFF only to time your own UI transition."},
	"SELECT_INSTITUTION": {"The user picked an institution; institution_id and institution_name say which (match_reason tells a saved institution).",
		"Optional: record which banks users choose. No action is needed."},
	"ERROR": {"Link met an error the user may recover from inside Link (wrong password, bank down); error_type, error_code and error_message say which.",
		"Usually nothing: the user can retry in Link. Log error_code with link_session_id and request_id; act on errors in onExit if the user gives up."},
	"BANK_INCOME_INSIGHTS_COMPLETED": {"Bank Income finished analysing the user's linked accounts.",
		"Fetch the report on your server with /credit/bank_income/get."},
	"IDENTITY_VERIFICATION_PASS_SESSION": {"The user passed an Identity Verification session.",
		"Confirm on your server with /identity_verification/get before trusting it; then let the user continue."},
	"IDENTITY_VERIFICATION_FAIL_SESSION": {"The user failed an Identity Verification session.",
		"Confirm on your server with /identity_verification/get; then offer manual review or another path, as your policy says."},
	"IDENTITY_MATCH_PASSED": {"Identity Match found that the account owner matches the user you described.",
		"Continue; your server can read the scores with /identity/match."},
	"IDENTITY_MATCH_FAILED": {"Identity Match found that the account owner does not match the user you described.",
		"Decide by your policy: ask for another account, or review manually."},
	"LAYER_READY": {"Layer found a profile for the phone number: Link can be opened for this user.",
		"Call open() to show Layer."},
	"LAYER_NOT_AVAILABLE": {"Layer has no profile for this user, so the Layer flow cannot be used.",
		"Fall back to your ordinary onboarding (and regular Link)."},
	"LAYER_AUTOFILL_NOT_AVAILABLE": {"Layer cannot autofill this user's details.",
		"Ask the user for the details yourself, or fall back to regular Link."},

	// Navigation and search.
	"TRANSITION_VIEW": {"Link moved to another pane; view_name says which (and mfa_type for the MFA pane).",
		handleFunnel},
	"SEARCH_INSTITUTION": {"The user typed into the institution search; institution_search_query holds the text.",
		"Optional: log searches that found nothing, to learn which banks users miss."},
	"SELECT_BRAND": {"The user picked a brand that has several institutions (e.g. a bank with personal and business logins).",
		handleLogOnly},
	"SELECT_DEGRADED_INSTITUTION": {"The user picked an institution Plaid reports as degraded: connecting may be slow or fail.",
		"Optional: warn the user that the bank has problems; errors, if any, come through ERROR and onExit."},
	"SELECT_DOWN_INSTITUTION": {"The user picked an institution that is down: Link cannot connect to it now.",
		"Expect an INSTITUTION_DOWN exit; in onExit suggest trying later or another bank."},
	"SELECT_FILTERED_INSTITUTION": {"The user picked an institution that lacks a product you requested, so Link filtered it.",
		"If many users hit this, reconsider the products (required_if_supported_products or optional_products)."},

	// Login.
	"SUBMIT_CREDENTIALS": {"The user submitted their bank username and password.",
		handleFunnel},
	"SUBMIT_MFA": {"The user answered a multi-factor challenge; mfa_type says which kind (code, device, questions, selections).",
		handleFunnel},
	"OPEN_OAUTH": {"Link sent the user to the bank's own site or app to log in (OAuth).",
		"Nothing in code on desktop web. In a webview, make sure redirect_uri is allowlisted and your redirect page re-creates Link with receivedRedirectUri."},
	"CLOSE_OAUTH": {"The user closed the bank's OAuth window without finishing.",
		handleLogOnly},
	"FAIL_OAUTH": {"The OAuth login at the bank failed.",
		"Log it with link_session_id; Link lets the user retry, and onExit reports the error if they give up."},

	// Auth and micro-deposits.
	"SELECT_AUTH_TYPE": {"The user chose how to verify the account: instant (log in) or manual (account and routing numbers); selection says which.",
		"If manual, expect a pending verification_status in onSuccess and handle micro-deposit verification later."},
	"SUBMIT_ROUTING_NUMBER": {"The user entered a routing number for manual (micro-deposit) verification.",
		handleFunnel},
	"SUBMIT_ACCOUNT_NUMBER": {"The user entered an account number for manual verification; account_number_mask holds its last digits.",
		handleFunnel},

	// Returning user and Layer.
	"MATCHED_SELECT_INSTITUTION": {"A returning user picked an institution Plaid remembered for them (match_reason says why it was offered).",
		handleLogOnly},
	"MATCHED_SELECT_VERIFY_METHOD": {"A returning user chose how to verify: phone code or password (selection says which).",
		handleLogOnly},
	"SUBMIT_PHONE":            {"The user entered a phone number for the returning-user flow.", handleFunnel},
	"SKIP_SUBMIT_PHONE":       {"The user skipped entering a phone number.", handleFunnel},
	"VERIFY_PHONE":            {"The user verified their phone number.", handleFunnel},
	"SUBMIT_OTP":              {"The user submitted a one-time code sent to their phone.", handleFunnel},
	"AUTO_SUBMIT_PHONE":       {"Link submitted the phone number you passed in the token (user.phone_number) by itself.", handleLogOnly},
	"CONNECT_NEW_INSTITUTION": {"A returning user chose to connect an institution other than the saved ones.", handleLogOnly},

	// Other.
	"OPEN_MY_PLAID":                                {"The user opened my.plaid.com from Link to manage their connections.", handleLogOnly},
	"VIEW_DATA_TYPES":                              {"The user opened the list of data types your app will access (Data Transparency Messaging).", handleLogOnly},
	"SUBMIT_DOCUMENTS":                             {"The user uploaded documents (e.g. for Document Income).", handleFunnel},
	"SUBMIT_DOCUMENTS_SUCCESS":                     {"The uploaded documents were accepted.", "Fetch the results on your server once the product's webhook arrives."},
	"SUBMIT_DOCUMENTS_ERROR":                       {"Uploading documents failed.", "Log it with link_session_id; the user can retry in Link."},
	"IDENTITY_VERIFICATION_START_STEP":             {"An Identity Verification step began; view_name names it.", handleIDV},
	"IDENTITY_VERIFICATION_PASS_STEP":              {"An Identity Verification step passed.", handleIDV},
	"IDENTITY_VERIFICATION_FAIL_STEP":              {"An Identity Verification step failed.", handleIDV},
	"IDENTITY_VERIFICATION_PENDING_REVIEW_STEP":    {"An Identity Verification step awaits manual review.", handleIDV},
	"IDENTITY_VERIFICATION_CREATE_SESSION":         {"An Identity Verification session was created.", handleIDV},
	"IDENTITY_VERIFICATION_RESUME_SESSION":         {"The user resumed an Identity Verification session.", handleIDV},
	"IDENTITY_VERIFICATION_PENDING_REVIEW_SESSION": {"An Identity Verification session awaits manual review.", handleIDV},
	"IDENTITY_VERIFICATION_OPEN_UI":                {"The Identity Verification UI opened.", handleIDV},
	"IDENTITY_VERIFICATION_RESUME_UI":              {"The Identity Verification UI was resumed.", handleIDV},
	"IDENTITY_VERIFICATION_CLOSE_UI":               {"The Identity Verification UI closed.", handleIDV},
}

// viewTerms explains every view_name of reference §4.5.
var viewTerms = map[string]term{
	"CONSENT":                    {"The consent pane: Link explains what your app will access and asks the user to continue.", handleFunnel},
	"SELECT_INSTITUTION":         {"The institution list and search.", handleFunnel},
	"SELECT_BRAND":               {"The pane for picking one institution of a brand that has several.", handleFunnel},
	"CREDENTIAL":                 {"The bank's login form (username and password).", handleFunnel},
	"MFA":                        {"A multi-factor challenge from the bank; mfa_type says which kind.", handleFunnel},
	"LOADING":                    {"Link is waiting on the bank or Plaid (logging in, fetching accounts).", handleWaitForEnd},
	"SELECT_ACCOUNT":             {"The user picks which accounts to share.", handleFunnel},
	"CONNECTED":                  {"Linking succeeded; HANDOFF and onSuccess follow.", "Nothing yet: exchange the public_token in onSuccess."},
	"ERROR":                      {"Link shows an error to the user (the ERROR event before it names the code); they may retry or exit.", "Nothing yet: if the user exits, onExit gets the error."},
	"EXIT":                       {"The exit confirmation pane: the user asked to close Link.", "Nothing yet: onExit follows if they confirm."},
	"OAUTH":                      {"The pane that sends the user to the bank's own login (OAuth).", handleFunnel},
	"RECAPTCHA":                  {"A reCAPTCHA challenge.", "Nothing in code; in a webview allow JavaScript and cookies so it can load."},
	"SELECT_AUTH_TYPE":           {"The choice between instant (log in) and manual (micro-deposit) account verification.", handleFunnel},
	"NUMBERS":                    {"The form for account and routing numbers (manual micro-deposit verification).", handleFunnel},
	"NUMBERS_SELECT_INSTITUTION": {"The institution choice within manual (micro-deposit) verification.", handleFunnel},
	"SUBMIT_PHONE":               {"The returning-user pane asking for a phone number.", handleFunnel},
	"VERIFY_PHONE":               {"The pane for the one-time code sent to the user's phone.", handleFunnel},
	"SELECT_SAVED_INSTITUTION":   {"A returning user's saved institutions.", handleFunnel},
	"SELECT_SAVED_ACCOUNT":       {"A returning user's saved accounts.", handleFunnel},
	"UPLOAD_DOCUMENTS":           {"The document upload pane (income verification).", handleFunnel},
	"ACCEPT_TOS":                 {"Identity Verification: the terms of service.", handleIDV},
	"VERIFY_SMS":                 {"Identity Verification: the SMS code check.", handleIDV},
	"KYC_CHECK":                  {"Identity Verification: the personal details (KYC) form.", handleIDV},
	"DOCUMENTARY_VERIFICATION":   {"Identity Verification: the photo ID check.", handleIDV},
	"SELFIE_CHECK":               {"Identity Verification: the selfie check.", handleIDV},
	"RISK_CHECK":                 {"Identity Verification: the risk check.", handleIDV},
	"SCREENING":                  {"Identity Verification: the watchlist screening.", handleIDV},
	"DATA_TRANSPARENCY":          {"Deprecated: the Data Transparency Messaging pane (now part of CONSENT).", handleFunnel},
	"DATA_TRANSPARENCY_CONSENT":  {"Deprecated: the Data Transparency consent pane (now part of CONSENT).", handleFunnel},
	"MATCHED_CONSENT":            {"Deprecated returning-user consent pane.", handleFunnel},
	"MATCHED_CREDENTIAL":         {"Deprecated returning-user login pane.", handleFunnel},
	"MATCHED_MFA":                {"Deprecated returning-user multi-factor pane.", handleFunnel},
}

// exitStatusTerms explains every onExit metadata.status of reference §4.4.
var exitStatusTerms = map[string]term{
	"requires_questions":  {"The user left while the bank asked security questions (MFA).", handleMFAExit},
	"requires_selections": {"The user left while the bank asked them to pick answers (MFA selections).", handleMFAExit},
	"requires_code":       {"The user left while the bank waited for a one-time code (MFA).", handleMFAExit},
	"choose_device":       {"The user left while choosing the device to receive a code on (MFA).", handleMFAExit},
	"requires_credentials": {"The user left at the bank's login form (often after a wrong password; error then says INVALID_CREDENTIALS).",
		"Offer \"Try again\", which calls open() again (or a new Plaid.create after INVALID_LINK_TOKEN); keep the link_session_id."},
	"requires_account_selection": {"The user logged in but left while choosing accounts.",
		"Offer to finish linking; nothing was shared, so there is nothing to exchange."},
	"requires_oauth": {"The user left during the bank's OAuth login (or never came back from it).",
		"Offer to try again; in a webview check that redirect_uri is allowlisted and your redirect page re-creates Link with receivedRedirectUri."},
	"institution_not_found": {"The user left from the institution list (newer Link reports this for any exit there, not only after an empty search).",
		"Nothing to fix: offer another way (manual entry), or log institution_search_query to learn which banks users miss."},
	"institution_not_supported": {"The user picked an institution that cannot give you the products you requested.",
		"Offer another institution, or request fewer products (optional_products)."},
	"connected": {"Mobile SDKs: the user had connected when Link closed.",
		"Expect onSuccess; nothing to do in onExit."},
	"requires_recaptcha": {"Mobile SDKs: the user left at a reCAPTCHA challenge.",
		"Offer to try again."},
	"requires_external_action": {"Mobile SDKs: the user left while an action outside Link was pending (e.g. at the bank's app).",
		"Offer to try again once they finished at the bank."},
}

// metadataTerms explains every key of onEvent's metadata (reference §4.5).
var metadataTerms = map[string]term{
	"error_type":               {"The error's category (ITEM_ERROR, INVALID_INPUT, INSTITUTION_ERROR…), on ERROR and EXIT.", "Branch on error_code rather than error_type."},
	"error_code":               {"The Plaid error_code, on ERROR and EXIT (e.g. INVALID_CREDENTIALS, INVALID_LINK_TOKEN).", "Log it; in onExit, INVALID_LINK_TOKEN means destroy(), a new link_token and Plaid.create again."},
	"error_message":            {"A developer-facing description of the error; never show it to users.", "Log it; show display_message (from onExit's error) to users instead."},
	"exit_status":              {"The pane the user exited from, on EXIT (the same value as onExit's metadata.status).", "Use it to word your \"try again\" message."},
	"institution_id":           {"The chosen institution's id (e.g. ins_109508), on every event once one is chosen.", "Log it; it identifies the bank in support tickets."},
	"institution_name":         {"The chosen institution's name, on every event once one is chosen.", "Display or log it."},
	"institution_search_query": {"What the user typed into the institution search, on SEARCH_INSTITUTION.", "Optional analytics; it is user input, so treat it as such."},
	"is_update_mode":           {"\"true\" or \"false\" (a string), on OPEN: whether the link_token repairs an existing Item.", "In update mode do not exchange the public_token: the Item keeps its access_token."},
	"match_reason":             {"Why an institution was offered to a returning user (returning_user, routing_number, SAVED_INSTITUTION…).", handleLogOnly},
	"mfa_type":                 {"The kind of multi-factor challenge (code, device, questions, selections), on SUBMIT_MFA and TRANSITION_VIEW to MFA.", handleLogOnly},
	"view_name":                {"The pane Link moved to, on TRANSITION_VIEW.", handleFunnel},
	"selection":                {"The user's choice, on SELECT_AUTH_TYPE (flow_type_instant or flow_type_manual) and MATCHED_SELECT_VERIFY_METHOD (phoneotp or password).", handleLogOnly},
	"routing_number":           {"The routing number entered, on SUBMIT_ROUTING_NUMBER.", handleLogOnly},
	"account_number_mask":      {"The last digits of the account number entered, on SUBMIT_ACCOUNT_NUMBER.", handleLogOnly},
	"request_id":               {"The request_id of Link's request to Plaid behind this event, on every event.", "Log it: Plaid support asks for it when something breaks."},
	"link_session_id":          {"The id of this Link session (one per open()), on every event and in onSuccess and onExit.", "Log it with every event and error: Plaid support asks for it first."},
	// onSuccess and onExit metadata (reference §4.3-4.4).
	"institution":     {"The institution the user chose ({name, institution_id}), in onSuccess and onExit metadata; null if none was chosen.", "Store institution_id with the Item; show the name in your UI."},
	"accounts":        {"The accounts the user chose to share (id, name, mask, type, subtype, verification_status), in onSuccess metadata.", "Store the account ids; in update mode with account selection, this is the new set of shared accounts."},
	"account":         {"Deprecated: the first selected account, in onSuccess metadata.", "Use accounts instead."},
	"status":          {"The pane the user left from, in onExit metadata (see the exit statuses).", "Word your \"try again\" message by it."},
	"transfer_status": {"COMPLETE or INCOMPLETE when Link ran the Transfer UI, in onSuccess metadata; null otherwise.", "Only for Transfer UI: check the transfer on your server."},
	"timestamp":       {"When the event happened, ISO 8601 in UTC, on every event.", "Order events by it: Link delivers most of them at the end, in no guaranteed order."},
}

// callbackTerms explains the callbacks of Plaid.create and the reports of
// linkexplorer's callback page (its own steps around Link).
var callbackTerms = map[string]term{
	"onSuccess": {"The user linked their accounts: Link hands your page a public_token (valid 30 minutes, one use) and metadata with the institution, the chosen accounts and link_session_id.",
		"Send the public_token to your server, which exchanges it with /item/public_token/exchange and stores the access_token. In update mode, do not exchange it."},
	"onExit": {"Link closed without linking: error is the last error met (or null), metadata.status the pane the user left from.",
		"If error.error_code is INVALID_LINK_TOKEN: handler.destroy(), fetch a new link_token, Plaid.create again. Otherwise show a retry option; log link_session_id and request_id."},
	"onLoad": {"Link's script finished loading; open() now shows Link at once.",
		"Enable your \"Connect a bank\" button (usePlaidLink's ready turns true)."},
	"created": {"The page called Plaid.create with the link_token.",
		"Nothing: the page calls open() next."},
	"destroyed": {"The page called handler.destroy(), removing Link's iframe (after INVALID_LINK_TOKEN, before creating Link again).",
		"This is the recovery: after destroy(), fetch a new link_token and Plaid.create again."},
	"token_fetched": {"The page got a link_token from your app's server (POST /create_link_token).",
		"Nothing: Plaid.create follows."},
	"token_error": {"The page could not get a link_token from your app's server (\"Unable to fetch link_token\").",
		"Check the server's /link/token/create call: its error and request_id are in the log. `linkexplorer doctor` checks the usual causes."},
	"oauth_return": {"The browser came back from the OAuth bank to the redirect_uri (the callback page's /oauth-return) with ?oauth_state_id=…; the page found the link_token it kept in sessionStorage before the redirect.",
		"Re-initialize Link with the SAME link_token and receivedRedirectUri: window.location.href, then open() it: Link resumes where the user left for the bank."},
	"oauth_restarted": {"Back from the bank, Link was re-initialized without receivedRedirectUri (the deliberate mistake), so it started over at the first pane instead of resuming the OAuth session.",
		"Pass receivedRedirectUri: window.location.href (with the same link_token) when re-initializing Link on the redirect page; the page now recovers by doing so."},
	"script_error": {"A JavaScript error on the page (e.g. link-initialize.js failed to load).",
		"Check the browser console and that the page may load https://cdn.plaid.com/link/v2/stable/link-initialize.js (CSP, ad blockers)."},
}

func lookup(kind TermKind, table map[string]term, name string) (LinkTerm, bool) {
	t, ok := table[name]
	if !ok {
		return LinkTerm{}, false
	}
	return LinkTerm{Kind: kind, Name: name, Meaning: t.meaning, Handler: t.handler,
		Stable: kind == TermEvent && slices.Contains(stableEvents, name)}, true
}

// ExplainLinkEvent explains an onEvent eventName, e.g. TRANSITION_VIEW.
func ExplainLinkEvent(name string) (LinkTerm, bool) { return lookup(TermEvent, onEventTerms, name) }

// ExplainLinkView explains a view_name, e.g. CREDENTIAL.
func ExplainLinkView(name string) (LinkTerm, bool) { return lookup(TermView, viewTerms, name) }

// ExplainExitStatus explains an onExit status, e.g. requires_credentials.
func ExplainExitStatus(name string) (LinkTerm, bool) {
	return lookup(TermExitStatus, exitStatusTerms, name)
}

// ExplainLinkMetadata explains a key of onEvent's metadata, e.g. mfa_type.
func ExplainLinkMetadata(name string) (LinkTerm, bool) {
	return lookup(TermMetadata, metadataTerms, name)
}

// ExplainLinkCallback explains onSuccess, onExit, onLoad, or one of the
// callback page's own reports (created, destroyed, token_fetched,
// token_error, script_error).
func ExplainLinkCallback(name string) (LinkTerm, bool) {
	return lookup(TermCallback, callbackTerms, name)
}

// LinkTermNames lists the names of one table, sorted.
func LinkTermNames(kind TermKind) []string {
	var table map[string]term
	switch kind {
	case TermEvent:
		table = onEventTerms
	case TermView:
		table = viewTerms
	case TermExitStatus:
		table = exitStatusTerms
	case TermMetadata:
		table = metadataTerms
	case TermCallback:
		table = callbackTerms
	}
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LinkReport is one report from Link as linkexplorer records it: the
// fields that ExplainLinkReport reads. A PageEvent and a stored LinkEvent
// both convert to it.
type LinkReport struct {
	Kind       string // event, success, exit, load, or a page step
	EventName  string
	ViewName   string
	ExitStatus string
	ErrorCode  string
}

// ReportOf is the LinkReport of a page event.
func ReportOf(ev PageEvent) LinkReport {
	return LinkReport{Kind: ev.Kind, EventName: ev.EventName, ViewName: ev.ViewName, ExitStatus: ev.ExitStatus, ErrorCode: ev.ErrorCode}
}

// ExplainLinkReport explains everything a report names, most specific
// last: the callback or onEvent name, then its view_name, its exit status,
// and (through Explain) its error_code. The page's own steps are explained
// as callbacks.
func ExplainLinkReport(r LinkReport) (terms []LinkTerm, errExplained *Explanation) {
	add := func(t LinkTerm, ok bool) {
		if ok {
			terms = append(terms, t)
		}
	}
	switch r.Kind {
	case "event":
		add(ExplainLinkEvent(r.EventName))
	case "success":
		add(ExplainLinkCallback("onSuccess"))
	case "exit":
		add(ExplainLinkCallback("onExit"))
	case "load":
		add(ExplainLinkCallback("onLoad"))
	case "page":
		add(ExplainLinkCallback(r.EventName))
	default:
		add(ExplainLinkCallback(r.Kind))
	}
	if r.ViewName != "" {
		add(ExplainLinkView(r.ViewName))
	}
	if r.ExitStatus != "" {
		add(ExplainExitStatus(r.ExitStatus))
	}
	if r.ErrorCode != "" {
		if ex, ok := Explain(r.ErrorCode); ok {
			errExplained = &ex
		}
	}
	return terms, errExplained
}

// LinkReportMeaning is a report's meaning in one sentence for a
// one-line display: the view's meaning for TRANSITION_VIEW, else the
// event's; "" when the table does not know it.
func LinkReportMeaning(r LinkReport) string {
	terms, _ := ExplainLinkReport(r)
	if len(terms) == 0 {
		return ""
	}
	if r.Kind == "event" && r.EventName == "TRANSITION_VIEW" && len(terms) > 1 {
		return terms[1].Meaning
	}
	return firstSentence(terms[0].Meaning)
}

// firstSentence cuts s after its first sentence.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// metadataOrder is the order metadata fields are explained in: Link's
// own order of onEvent keys, then onSuccess's and onExit's.
var metadataOrder = []string{
	"error_type", "error_code", "error_message", "exit_status",
	"institution_id", "institution_name", "institution_search_query",
	"is_update_mode", "match_reason", "mfa_type", "view_name", "selection",
	"routing_number", "account_number_mask", "request_id", "link_session_id", "timestamp",
	"institution", "accounts", "account", "status", "transfer_status",
}

// ExplainMetadataFields explains the fields a metadata object (onEvent's,
// onSuccess's or onExit's) sets, leaving out null and empty ones and keys
// the table does not know.
func ExplainMetadataFields(metadata json.RawMessage) []LinkTerm {
	var m map[string]json.RawMessage
	if json.Unmarshal(metadata, &m) != nil {
		return nil
	}
	var out []LinkTerm
	for _, k := range metadataOrder {
		v, ok := m[k]
		if !ok || string(v) == "null" || string(v) == `""` || string(v) == "[]" {
			continue
		}
		if t, ok := ExplainLinkMetadata(k); ok {
			out = append(out, t)
		}
	}
	return out
}

// Lines renders a term for plain text: "<label>: <meaning>" and "Your app:
// <handler>".
func (t LinkTerm) Lines() []string {
	return []string{t.Label() + ": " + t.Meaning, "Your app: " + t.Handler}
}
