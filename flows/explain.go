package flows

import (
	"errors"
	"fmt"
	"strings"
)

// Explanation is what a Plaid error_code means in plain English and what
// the developer should do about it. One table holds them all, shared by the
// terminal app, run, doctor and migrate.
type Explanation struct {
	// Code is the error_code, e.g. INVALID_LINK_TOKEN.
	Code string `json:"error_code"`
	// Type is its error_type, e.g. INVALID_INPUT.
	Type string `json:"error_type"`
	// Meaning says what happened, in a sentence or two.
	Meaning string `json:"explanation"`
	// NextStep is the concrete thing to do next.
	NextStep string `json:"next_step"`
	// Docs is Plaid's documentation for the code.
	Docs string `json:"docs"`
}

// explanation is one row of the table; Docs is derived from the type
// unless docs is set.
type explanation struct {
	typ, meaning, next, docs string
}

// Plaid's error types (reference §1.3-1.4).
const (
	typeInvalidRequest = "INVALID_REQUEST"
	typeInvalidInput   = "INVALID_INPUT"
	typeItem           = "ITEM_ERROR"
	typeInstitution    = "INSTITUTION_ERROR"
	typeRateLimit      = "RATE_LIMIT_EXCEEDED"
	typeAPI            = "API_ERROR"
	typeSandbox        = "SANDBOX_ERROR"
	typeRecaptcha      = "RECAPTCHA_ERROR"
	typeOAuth          = "OAUTH_ERROR"
	typeTransactions   = "TRANSACTIONS_ERROR"
)

// Next steps shared by several codes.
const (
	nextCredentials = "Copy PLAID_CLIENT_ID and PLAID_SECRET from Dashboard → Developers → Keys, taking the secret of the environment you call (the Sandbox secret with sandbox.plaid.com and PLAID_ENV=sandbox). Restart your server so it reloads .env, then run `linkexplorer doctor`."
	nextRedirectURI = "Add the exact URI (scheme, host, port, path and trailing slash) in Dashboard → Developers → API → Allowed redirect URIs, or unset PLAID_REDIRECT_URI if you don't need OAuth in a webview. It must be https (http://localhost is allowed in Sandbox), with no query string, fragment or wildcard. `linkexplorer doctor` checks it."
	nextRetryLater  = "Nothing to change in your code: show display_message, and let the user retry later or pick another institution."
	nextRateLimit   = "Back off and retry later (exponential backoff), and call the endpoint less often: cache its results and rely on webhooks instead of polling."
	nextUserRetries = "Nothing to fix in code: Link lets the user try again; show display_message if you surface the error."
)

// explanations covers every error_code of reference §1.4, the force_error
// values of §3.3, and the other codes the emulator and Link can produce.
var explanations = map[string]explanation{
	// INVALID_REQUEST
	"MISSING_FIELDS": {typeInvalidRequest,
		"The request lacks a required field; error_message lists which. \"client_id\" or \"secret\" means no credentials were sent at all.",
		"Add the fields error_message lists. Missing client_id/secret: set PLAID_CLIENT_ID and PLAID_SECRET where your server reads them (environment or .env) and restart it. /link/token/create needs client_name, language, country_codes, user.client_user_id and, except in update mode, products.", ""},
	"UNKNOWN_FIELDS": {typeInvalidRequest,
		"The request has a field this endpoint does not know: usually a misspelling, or an option from the old public_key integration.",
		"Remove or rename the fields error_message lists, checking the spelling against the API reference (snake_case, e.g. country_codes, account_filters).", ""},
	"INVALID_FIELD": {typeInvalidRequest,
		"A field has a value Plaid refuses; error_message says which field and why.",
		"Read error_message: a redirect_uri must be on Dashboard → Developers → API → Allowed redirect URIs (https, or http://localhost in Sandbox, with no query string or fragment); a webhook must be an absolute http(s) URL; country_codes must be supported, uppercase and enabled for your team. `linkexplorer doctor` checks each.", ""},
	"INVALID_BODY": {typeInvalidRequest,
		"The request body is not a JSON object, or it was not sent as Content-Type: application/json.",
		"Send one JSON object with Content-Type: application/json; an official Plaid client library does this for you.", ""},
	"INVALID_HEADERS": {typeInvalidRequest,
		"A required header is missing or malformed.",
		"Send Content-Type: application/json and Plaid-Version: 2020-09-14 (an official client library sets both).", ""},
	"INVALID_CONFIGURATION": {typeInvalidRequest,
		"A configuration object in the request is malformed: a misspelled or misplaced key, or a public_key-era option name.",
		"Compare the request with the endpoint's schema and fix the misspelled or legacy keys (e.g. accountSubtypes became account_filters).", ""},
	"INCOMPATIBLE_API_VERSION": {typeInvalidRequest,
		"A public_key (or another legacy field) was used with API version 2020-09-14, which works only with link_tokens.",
		"Create a link_token on your server with /link/token/create and pass it to Plaid.create as token; call the API with client_id and secret. `linkexplorer migrate` audits your code for what is left.", ""},
	"SANDBOX_ONLY": {typeInvalidRequest,
		"A /sandbox/ endpoint was called outside Sandbox.",
		"Call /sandbox/* endpoints only against https://sandbox.plaid.com with Sandbox keys, and keep them out of production code paths.", ""},
	"NOT_FOUND": {typeInvalidRequest,
		"There is no such endpoint: the path or base URL is wrong, or the request was not a POST.",
		"Check the base URL and path (e.g. POST https://sandbox.plaid.com/link/token/create).", ""},
	"NO_LONGER_AVAILABLE": {typeInvalidRequest,
		"The endpoint was removed in this API version.",
		"Use its replacement from Plaid's API changelog (e.g. update mode uses a link_token created with the Item's access_token, not /item/public_token/create).", ""},

	// INVALID_INPUT
	"INVALID_API_KEYS": {typeInvalidInput,
		"Plaid refused the client_id/secret pair: the secret is wrong, or it belongs to another environment than the host you called.",
		nextCredentials, ""},
	"INVALID_ACCESS_TOKEN": {typeInvalidInput,
		"The access_token is unknown: mistyped, from another environment, or its Item was removed (/item/remove) or the token rotated.",
		"Use the access_token stored from /item/public_token/exchange in this environment; if the Item was removed, link the account again in a new Link session.", ""},
	"INVALID_PUBLIC_TOKEN": {typeInvalidInput,
		"The public_token is unknown, expired (after 30 minutes) or already exchanged (it is one-time).",
		"Exchange the public_token from onSuccess once, straight away, on your server. To retry, run Link again for a new one. In update mode there is nothing to exchange.", ""},
	"INVALID_LINK_TOKEN": {typeInvalidInput,
		"The link_token can no longer open Link: it expired (4 h; 30 min in update mode), was already used (Production), comes from another environment, was invalidated after too many failed logins, or Sandbox forced the error.",
		"In onExit, when error.error_code is INVALID_LINK_TOKEN: handler.destroy(), fetch a new link_token from your server, Plaid.create again with it and open() it. `linkexplorer run invalid-token` shows it.", ""},
	"INVALID_PRODUCT": {typeInvalidInput,
		"A requested product is unknown, not enabled for your team, or not requestable: balance is never requested, because balance data comes with every Item.",
		"Fix PLAID_PRODUCTS (the products of /link/token/create): remove balance, spell products as the API does (auth, transactions, identity...), and request access to the others in the Dashboard. `linkexplorer doctor` checks the list.", ""},
	"INVALID_ACCOUNT_ID": {typeInvalidInput,
		"An account_id does not belong to this Item (the account was closed, or the user revoked OAuth access to it).",
		"Refresh the Item's account ids with /accounts/get and stop using those that are gone.", ""},
	"INVALID_INSTITUTION": {typeInvalidInput,
		"The institution_id does not exist.",
		"Look the institution up with /institutions/search; Sandbox's test bank is ins_109508 (First Platypus Bank).", ""},
	"INVALID_LINK_CUSTOMIZATION": {typeInvalidInput,
		"The link_customization_name is unknown, or the customization has no Data Transparency Messaging use case.",
		"Check the name in Dashboard → Link → Customization and set its Data Transparency use case there, or omit link_customization_name to use the default.", ""},
	"UNAUTHORIZED_ENVIRONMENT": {typeInvalidInput,
		"Your client_id is not enabled for the environment you called (e.g. Production before Plaid approved it).",
		"See which environments your team has in the Dashboard and request access; meanwhile use Sandbox (PLAID_ENV=sandbox with the Sandbox secret).", ""},
	"UNAUTHORIZED_ROUTE_ACCESS": {typeInvalidInput,
		"Your client_id may not call this endpoint in this environment.",
		"Request access to the product behind the endpoint in the Dashboard (or from your Plaid account manager).", ""},
	"INVALID_WEBHOOK_VERIFICATION_KEY_ID": {typeInvalidInput,
		"The key_id given to /webhook_verification_key/get is unknown.",
		"Pass the kid from the Plaid-Verification JWT header exactly as received, and fetch the key again whenever the kid changes.", ""},
	// Plaid does not document this code's error_type; Link reports it
	// for public_key integrations.
	"PUBLIC_KEY_NOT_ENABLED": {typeInvalidInput,
		"Link was opened with a public_key. Public-key Link stopped working in February 2025; Link may also say \"Current version not supported\".",
		"Migrate to link_tokens: create one on your server with /link/token/create and pass it to Plaid.create as token, instead of key. `linkexplorer migrate --src DIR` lists what to change.",
		"https://plaid.com/docs/link/link-token-migration-guide/"},

	// ITEM_ERROR
	"ITEM_LOGIN_REQUIRED": {typeItem,
		"The bank needs the user to log in again (changed password, new MFA, expired consent); the Item stops updating until they do.",
		"Send the user through update mode: /link/token/create with the Item's access_token and no products, open Link with that token, and don't exchange the public_token. `linkexplorer run update-mode` shows it.", ""},
	"INVALID_CREDENTIALS": {typeItem,
		"The user entered wrong bank credentials.",
		nextUserRetries + " In Sandbox, log in with user_good / pass_good.", ""},
	"INVALID_MFA": {typeItem,
		"The user answered the bank's multi-factor challenge wrongly.",
		nextUserRetries + " In Sandbox, device codes are 1234 and questions take answer_<round>_<question>.", ""},
	"ITEM_LOCKED": {typeItem,
		"The bank locked the account after too many failed attempts.",
		"Ask the user to unlock the account on the bank's website, then link again (update mode for an existing Item).", ""},
	"ITEM_NOT_SUPPORTED": {typeItem,
		"Plaid cannot connect this kind of account at this institution.",
		"Tell the user the account is not supported and offer another account or institution (or manual entry, such as micro-deposits).", ""},
	"MFA_NOT_SUPPORTED": {typeItem,
		"The bank asks for a multi-factor method Plaid does not support.",
		"Ask the user to switch their MFA method at the bank, or to connect another account.", ""},
	"NO_ACCOUNTS": {typeItem,
		"The login worked, but no eligible open accounts were found.",
		"Ask the user to connect an institution where they have open accounts, and check that account_filters does not exclude them all.", ""},
	"NO_AUTH_ACCOUNTS": {typeItem,
		"No checking or savings account at this Item supports Auth.",
		"Ask the user for a checking or savings account, or enable the micro-deposit flows for Auth (the auth settings of /link/token/create).", ""},
	"PRODUCT_NOT_READY": {typeItem,
		"The product's data is still being extracted (e.g. transactions right after linking).",
		"Wait for the product's webhook (e.g. SYNC_UPDATES_AVAILABLE) or retry later with backoff; give /link/token/create a webhook so you are told when data is ready.", ""},
	"PRODUCT_NOT_ENABLED": {typeItem,
		"The Item was not created with this product, and it is one that cannot be added after Link (e.g. Assets, Statements, Transfer, Income).",
		"Add the product to products (or optional_products) in /link/token/create and link the Item again; products such as Transactions or Auth are added on first use instead.", ""},
	"NO_INVESTMENT_ACCOUNTS": {typeItem,
		"The Item has no investment account, so there are no holdings or investment transactions to return.",
		"Ask the user to connect an institution and account with investments, or stop calling the Investments endpoints for this Item.", ""},
	"NO_LIABILITY_ACCOUNTS": {typeItem,
		"The Item has no credit card, student loan or mortgage account, so there are no liabilities to return.",
		"Ask the user to connect an account with liabilities, or stop calling /liabilities/get for this Item.", ""},
	"PRODUCTS_NOT_SUPPORTED": {typeItem,
		"The Item's institution does not support a requested product.",
		"Request that product only where it is supported (required_if_supported_products or optional_products), or ask the user for another institution.", ""},
	"USER_SETUP_REQUIRED": {typeItem,
		"The user must finish a setup step on the bank's website (e.g. accept new terms) before Plaid can connect.",
		"Ask the user to log in to the bank's website and finish it, then link again (update mode for an existing Item).", ""},
	"USER_INPUT_TIMEOUT": {typeItem,
		"The user took too long to complete a step in Link.",
		nextUserRetries, ""},
	"ITEM_NOT_FOUND": {typeItem,
		"The Item does not exist (any more).",
		"Drop the stored access_token and link the account again.", ""},

	// INSTITUTION_ERROR
	"INSTITUTION_DOWN": {typeInstitution,
		"The bank is down or failing at the moment.",
		nextRetryLater + " Check the institution's status with /institutions/get_by_id (options.include_status).", ""},
	"INSTITUTION_NOT_RESPONDING": {typeInstitution,
		"The bank did not answer Plaid in time.",
		nextRetryLater, ""},
	"INSTITUTION_NOT_AVAILABLE": {typeInstitution,
		"Plaid has temporarily stopped connecting to this bank.",
		nextRetryLater, ""},
	"INSTITUTION_NO_LONGER_SUPPORTED": {typeInstitution,
		"Plaid no longer supports this institution.",
		"Ask the user to connect another institution.", ""},
	"UNAUTHORIZED_INSTITUTION": {typeInstitution,
		"Your client is not enabled for this institution.",
		"Request access to it in the Dashboard, or ask the user to pick another institution.", ""},
	"INSTITUTION_REGISTRATION_REQUIRED": {typeInstitution,
		"The institution (usually an OAuth bank) requires your app to be registered with it first.",
		"Complete the institution's registration in the Dashboard's OAuth institutions page and wait for approval.", ""},

	// RATE_LIMIT_EXCEEDED
	"RATE_LIMIT": {typeRateLimit,
		"Your client sent too many requests in a short time.",
		nextRateLimit + " Create a link_token per Link session, not per page load.", ""},
	"ACCOUNTS_LIMIT":     {typeRateLimit, "Too many /accounts/get calls for this Item in a short time.", nextRateLimit, ""},
	"AUTH_LIMIT":         {typeRateLimit, "Too many /auth/get calls for this Item in a short time.", nextRateLimit, ""},
	"BALANCE_LIMIT":      {typeRateLimit, "Too many /accounts/balance/get calls for this Item in a short time.", nextRateLimit, ""},
	"IDENTITY_LIMIT":     {typeRateLimit, "Too many /identity/get calls for this Item in a short time.", nextRateLimit, ""},
	"ITEM_GET_LIMIT":     {typeRateLimit, "Too many /item/get calls for this Item in a short time.", nextRateLimit, ""},
	"TRANSACTIONS_LIMIT": {typeRateLimit, "Too many transactions calls for this Item in a short time.", nextRateLimit + " Use /transactions/sync with the SYNC_UPDATES_AVAILABLE webhook.", ""},

	// API_ERROR
	"INTERNAL_SERVER_ERROR": {typeAPI,
		"Plaid failed unexpectedly; this is not caused by your request.",
		"Retry with backoff. If it persists, contact Plaid support with the request_id.", ""},
	"PLANNED_MAINTENANCE": {typeAPI,
		"Plaid, or this endpoint, is down for planned maintenance.",
		"Retry later; https://status.plaid.com/ says when it ends.", ""},
	// PLAID_ERROR is a Sandbox force_error value (reference §3.3); Link
	// reports it as API_ERROR / INTERNAL_SERVER_ERROR.
	"PLAID_ERROR": {typeAPI,
		"Sandbox's force_error PLAID_ERROR: a generic Plaid failure, reported by Link as API_ERROR / INTERNAL_SERVER_ERROR.",
		"Check that onExit shows the user a retry message and keeps your app usable; in real use, retry later.",
		"https://plaid.com/docs/sandbox/user-custom/"},

	// SANDBOX_ERROR
	"SANDBOX_PRODUCT_NOT_ENABLED": {typeSandbox,
		"The Sandbox Item was created without the product this call needs.",
		"Create the Item with the product: in initial_products of /sandbox/public_token/create, or in products of /link/token/create.", ""},
	"SANDBOX_WEBHOOK_INVALID": {typeSandbox,
		"The Item has no webhook, or an invalid one, so Sandbox cannot fire a webhook for it.",
		"Give the Item a webhook (/item/webhook/update, or webhook on /link/token/create), then fire it again.", ""},

	// RECAPTCHA_ERROR
	"RECAPTCHA_REQUIRED": {typeRecaptcha,
		"Link wants the user to pass a reCAPTCHA challenge.",
		"Nothing in code: the user completes the challenge in Link. In a webview, allow JavaScript and cookies so the challenge can load.", ""},
	"RECAPTCHA_BAD": {typeRecaptcha,
		"The user failed the reCAPTCHA challenge.",
		nextUserRetries + " In Sandbox, user_custom with \"recaptcha\": \"bad\" forces it.", ""},

	// OAUTH_ERROR
	"INCORRECT_OAUTH_NONCE": {typeOAuth,
		"The OAuth nonce given when Link was re-created after the bank's redirect does not match (the legacy oauthNonce option).",
		"Drop oauthNonce: re-create Link on the redirect page with the same link_token and receivedRedirectUri: window.location.href.", ""},
	"OAUTH_STATE_ID_ALREADY_PROCESSED": {typeOAuth,
		"The oauth_state_id from the bank's redirect was already used.",
		"Don't resume the same redirect twice (e.g. on reload); start a new Link session with a new link_token.", ""},

	// TRANSACTIONS_ERROR
	"TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": {typeTransactions,
		"The Item's transactions changed while you were paging through /transactions/sync.",
		"Restart this round of pagination from the cursor you had before its first page, not from the last page's cursor.", ""},
}

// refinement is a more precise next step for a code whose error_message
// contains match (lower case).
type refinement struct {
	code, match, meaning, next string
}

// refinements are tried in order; the first match wins. They carry the
// causes of "Unable to fetch link_token" (reference §5.3).
var refinements = []refinement{
	{"INVALID_FIELD", "redirect uri must be configured",
		"The redirect_uri is not on your team's allowlist of OAuth redirect URIs.", nextRedirectURI},
	{"INVALID_FIELD", "redirect_uri",
		"The redirect_uri is malformed: it must be an absolute https URL (http://localhost is allowed in Sandbox) with no query string, fragment or wildcard.", nextRedirectURI},
	{"INVALID_FIELD", "webhook",
		"The webhook is not an absolute http(s) URL (a relative path, or a bare host, is refused).",
		"Give /link/token/create a full URL that Plaid can reach, e.g. https://example.com/plaid/webhook, or leave webhook out. `linkexplorer doctor --webhook URL` checks it."},
	{"INVALID_FIELD", "country",
		"A country code is unsupported, or not enabled for your team (Production starts with US and CA).",
		"Use uppercase ISO codes Plaid supports (US, CA, GB, FR, ES, NL, IE, DE, IT, PL, DK, NO, SE, EE, LT, LV, PT, BE) in PLAID_COUNTRY_CODES, and request other countries in the Dashboard. `linkexplorer doctor` checks them."},
	{"INVALID_FIELD", "language",
		"The language is not one Link supports.",
		"Use one of da, nl, en, et, fr, de, it, lv, lt, no, pl, pt, ro, es, sv."},
	{"MISSING_FIELDS", "client_id",
		"No client_id (or secret) reached Plaid: your server has no credentials.",
		"Set PLAID_CLIENT_ID and PLAID_SECRET (Dashboard → Developers → Keys) where your server reads them, the environment or .env, and restart it. `linkexplorer doctor` checks them."},
	{"MISSING_FIELDS", "secret",
		"No secret reached Plaid: your server has no PLAID_SECRET.",
		"Set PLAID_SECRET (Dashboard → Developers → Keys; the Sandbox secret for sandbox.plaid.com) where your server reads it, and restart it. `linkexplorer doctor` checks it."},
	{"PRODUCT_NOT_READY", "verification",
		"The account was linked with micro-deposits and is not verified yet (verification_status pending_automatic_verification or pending_manual_verification): it has no numbers to give until then.",
		"Wait for the AUTH webhook AUTOMATICALLY_VERIFIED (automated micro-deposits; the user verifies same-day ones in Link), then call /auth/get again. In the Sandbox, /sandbox/item/set_verification_status verifies it at once."},
	{"NO_AUTH_ACCOUNTS", "verification_expired",
		"The account's micro-deposit verification expired: Plaid could not verify it within 7 days and will not try again.",
		"Ask the user to link the account again through Link (a new Item), and remove the old one with /item/remove."},
	{"INVALID_PRODUCT", "balance",
		"balance is not a product you request: balance data comes with every Item.",
		"Remove balance from PLAID_PRODUCTS (the products of /link/token/create) and call /accounts/balance/get on any Item. `linkexplorer doctor` checks the list."},
}

// Explain returns the table's explanation of an error_code.
func Explain(code string) (Explanation, bool) {
	e, ok := explanations[code]
	if !ok {
		e, ok = networkExplanations[code] // linkexplorer's own: a network fault, a bad answer
	}
	if !ok {
		return Explanation{}, false
	}
	docs := e.docs
	if docs == "" {
		docs = docsURL(e.typ, code)
	}
	return Explanation{Code: code, Type: e.typ, Meaning: e.meaning, NextStep: e.next, Docs: docs}, true
}

// ExplainMessage is Explain made precise by the error_message: for
// INVALID_FIELD it tells a redirect_uri allowlist problem from a bad
// webhook or country code, for MISSING_FIELDS missing credentials from
// other fields.
func ExplainMessage(code, message string) (Explanation, bool) {
	ex, ok := Explain(code)
	if !ok {
		return ex, false
	}
	msg := strings.ToLower(message)
	for _, r := range refinements {
		if r.code == code && strings.Contains(msg, r.match) {
			ex.Meaning, ex.NextStep = r.meaning, r.next
			break
		}
	}
	return ex, true
}

// ExplanationOf finds the Plaid error in err (an *APIError, a Link exit,
// or a plaid-go error) and explains it.
func ExplanationOf(err error) (Explanation, bool) {
	code, message, _ := plaidErrorFields(err)
	if code == "" {
		return Explanation{}, false
	}
	return ExplainMessage(code, message)
}

// ExplainError renders err for a terminal: what happened (err's own text),
// what it means, what to do, and the request_id to quote to Plaid support.
// Errors without a known Plaid error_code are rendered as their text.
func ExplainError(err error) string {
	if err == nil {
		return ""
	}
	what := err.Error()
	ex, ok := ExplanationOf(err)
	if !ok {
		return what
	}
	var b strings.Builder
	b.WriteString(what)
	fmt.Fprintf(&b, "\n  What it means: %s\n  What to do: %s\n  Docs: %s", ex.Meaning, ex.NextStep, ex.Docs)
	if _, _, rid := plaidErrorFields(err); rid != "" && !strings.Contains(what, rid) {
		fmt.Fprintf(&b, "\n  request_id: %s (quote it if you ask Plaid support)", rid)
	}
	return b.String()
}

// plaidErrorFields digs the error_code, error_message and request_id out of
// err.
func plaidErrorFields(err error) (code, message, requestID string) {
	var ae *APIError
	var le *LinkExitError
	var ne *NetworkError
	var re *ResponseError
	switch {
	case errors.As(err, &ae):
		return ae.Code, ae.Message, ae.RequestID
	case errors.As(err, &le):
		return le.Code, le.Message, le.RequestID
	case errors.As(err, &ne):
		return ne.Code, ne.Error(), ""
	case errors.As(err, &re):
		return FaultIncomplete, re.Error(), re.RequestID
	}
	if pe, ok := PlaidErrorOf(err); ok {
		return pe.ErrorCode, pe.ErrorMessage, pe.GetRequestId()
	}
	return "", "", ""
}

// docsURL is Plaid's page for an error code, e.g. INVALID_INPUT /
// INVALID_LINK_TOKEN -> https://plaid.com/docs/errors/invalid-input/#invalid_link_token.
func docsURL(typ, code string) string {
	page := strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(typ, "_ERROR"), "_", "-"))
	return "https://plaid.com/docs/errors/" + page + "/#" + strings.ToLower(code)
}

// Explanation explains a failed step's Plaid error, if it had one: from
// the step's error when it is still attached, else from its error_code and
// error text (a result read back from JSON).
func (s *StepResult) Explanation() (Explanation, bool) {
	if s == nil || s.Status != StatusFailed {
		return Explanation{}, false
	}
	if ex, ok := ExplanationOf(s.Err); ok {
		return ex, true
	}
	return ExplainMessage(s.ErrorCode, s.Error)
}
