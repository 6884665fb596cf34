package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Error types of reference §1.3-1.4.
const (
	TypeInvalidRequest    = "INVALID_REQUEST"
	TypeInvalidInput      = "INVALID_INPUT"
	TypeItem              = "ITEM_ERROR"
	TypeInstitution       = "INSTITUTION_ERROR"
	TypeRateLimitExceeded = "RATE_LIMIT_EXCEEDED"
	TypeAPI               = "API_ERROR"
	TypeSandbox           = "SANDBOX_ERROR"
	TypeRecaptcha         = "RECAPTCHA_ERROR"
	TypeOAuth             = "OAUTH_ERROR"
	TypeTransactions      = "TRANSACTIONS_ERROR"
)

// catalogueEntry is one error code's type, default error_message and
// display_message ("" means null).
type catalogueEntry struct {
	typ, message, display string
}

const (
	msgInstitutionDown = "this institution is not currently responding to this request. please try again soon"
	dispInstitution    = "This financial institution is not currently responding to requests. We apologize for the inconvenience."
)

// catalogue holds every error code the emulator can produce. Messages quoted
// in reference §1.4 are verbatim; the others follow Plaid's style.
var catalogue = map[string]catalogueEntry{
	// INVALID_REQUEST
	"MISSING_FIELDS":           {TypeInvalidRequest, "the following required fields are missing: (unspecified)", ""},
	"UNKNOWN_FIELDS":           {TypeInvalidRequest, "the following fields are not recognized by this endpoint: (unspecified)", ""},
	"INVALID_FIELD":            {TypeInvalidRequest, "one or more of the request fields is invalid", ""},
	"INVALID_BODY":             {TypeInvalidRequest, "body could not be parsed as JSON", ""},
	"INVALID_HEADERS":          {TypeInvalidRequest, "request headers are missing or malformed; send Content-Type: application/json", ""},
	"INVALID_CONFIGURATION":    {TypeInvalidRequest, "please ensure that the request body is formatted correctly", ""},
	"INCOMPATIBLE_API_VERSION": {TypeInvalidRequest, "the public_key cannot be used with API version 2020-09-14; create a link_token with /link/token/create instead", ""},
	"SANDBOX_ONLY":             {TypeInvalidRequest, "the requested endpoint is only available in the sandbox environment", ""},
	"NOT_FOUND":                {TypeInvalidRequest, "the requested route was not found", ""},
	"NO_LONGER_AVAILABLE":      {TypeInvalidRequest, "the requested endpoint is no longer available in this API version", ""},

	// INVALID_INPUT
	"INVALID_API_KEYS":                    {TypeInvalidInput, "invalid client_id or secret provided", ""},
	"INVALID_ACCESS_TOKEN":                {TypeInvalidInput, "could not find matching access token", ""},
	"INVALID_PUBLIC_TOKEN":                {TypeInvalidInput, "could not find matching public token", ""},
	"INVALID_LINK_TOKEN":                  {TypeInvalidInput, "invalid link_token provided", ""},
	"INVALID_PRODUCT":                     {TypeInvalidInput, "one or more of the requested products is invalid or not enabled for this client", ""},
	"INVALID_ACCOUNT_ID":                  {TypeInvalidInput, "failed to find requested account ID for requested item", ""},
	"INVALID_INSTITUTION":                 {TypeInvalidInput, "invalid institution_id provided", ""},
	"INVALID_LINK_CUSTOMIZATION":          {TypeInvalidInput, "the Link customization is not valid for this request; check its Data Transparency use case in the Dashboard", ""},
	"UNAUTHORIZED_ENVIRONMENT":            {TypeInvalidInput, "you are not authorized to access this environment; request access in the Dashboard", ""},
	"UNAUTHORIZED_ROUTE_ACCESS":           {TypeInvalidInput, "you are not authorized to access this route in this environment", ""},
	"INVALID_WEBHOOK_VERIFICATION_KEY_ID": {TypeInvalidInput, "invalid key_id provided", ""},

	// ITEM_ERROR
	"ITEM_LOGIN_REQUIRED":    {TypeItem, "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state", ""},
	"INVALID_CREDENTIALS":    {TypeItem, "the provided credentials were not correct", "The provided credentials were not correct. Please try again."},
	"INVALID_MFA":            {TypeItem, "the provided MFA response(s) were not correct", "The provided MFA responses were not correct. Please try again."},
	"ITEM_LOCKED":            {TypeItem, "the account is locked. prompt the user to visit the institution's site and unlock their account", "The given credentials belong to a locked account. Please reset your credentials on your bank's website and try again."},
	"ITEM_NOT_SUPPORTED":     {TypeItem, "this account is currently not supported", "Account not currently supported."},
	"MFA_NOT_SUPPORTED":      {TypeItem, "this account requires a software-based MFA method, which is not currently supported", "This account requires a form of multi-factor authentication that is not currently supported. Please try another account."},
	"NO_ACCOUNTS":            {TypeItem, "no valid accounts were found for this item", "No valid accounts were found at the bank. Please ensure you are connecting a supported account."},
	"NO_AUTH_ACCOUNTS":       {TypeItem, "no valid checking or savings accounts were found that support auth", "No valid checking or savings accounts were found. Please connect a checking or savings account."},
	"PRODUCT_NOT_READY":      {TypeItem, "the requested product is not yet ready. please provide a webhook or try the request again later", ""},
	"PRODUCTS_NOT_SUPPORTED": {TypeItem, "the requested products are not supported by this item", ""},
	"USER_SETUP_REQUIRED":    {TypeItem, "the account has not been fully set up. prompt the user to visit the issuing institution's site and finish the setup process", "The given account requires additional setup. Please visit your bank's website to finish setting it up, then try again."},
	"USER_INPUT_TIMEOUT":     {TypeItem, "the user did not complete a step in time", "Your session timed out. Please try again."},
	"ITEM_NOT_FOUND":         {TypeItem, "the requested item was not found", ""},
	"PRODUCT_NOT_ENABLED":    {TypeItem, "A requested product was not enabled for the current access token. Please ensure it is included when when initializing Link and create the Item again.", ""},
	"NO_INVESTMENT_ACCOUNTS": {TypeItem, "no valid investment accounts were found for this item", "No valid investment accounts were found at the bank. Please ensure you are connecting a supported account."},
	"NO_LIABILITY_ACCOUNTS":  {TypeItem, "no valid liability accounts were found for this item", "No valid liability accounts were found at the bank. Please ensure you are connecting a supported account."},

	// INSTITUTION_ERROR
	"INSTITUTION_DOWN":                  {TypeInstitution, msgInstitutionDown, dispInstitution},
	"INSTITUTION_NOT_RESPONDING":        {TypeInstitution, msgInstitutionDown, dispInstitution},
	"INSTITUTION_NOT_AVAILABLE":         {TypeInstitution, msgInstitutionDown, dispInstitution},
	"INSTITUTION_NO_LONGER_SUPPORTED":   {TypeInstitution, "this institution is no longer supported", "This financial institution is no longer supported. We apologize for the inconvenience."},
	"UNAUTHORIZED_INSTITUTION":          {TypeInstitution, "not authorized to create items for this institution", "This financial institution is not available for this application. Please try another one."},
	"INSTITUTION_REGISTRATION_REQUIRED": {TypeInstitution, "access to this institution must be registered for your client_id before it can be used", "This financial institution is not yet available for this application. Please try another one."},

	// RATE_LIMIT_EXCEEDED
	"RATE_LIMIT":         {TypeRateLimitExceeded, "rate limit exceeded for this client; slow down and retry later", ""},
	"ACCOUNTS_LIMIT":     {TypeRateLimitExceeded, "rate limit exceeded for attempts to access this item's accounts. please try again later", ""},
	"AUTH_LIMIT":         {TypeRateLimitExceeded, "rate limit exceeded for attempts to access this item's auth data. please try again later", ""},
	"BALANCE_LIMIT":      {TypeRateLimitExceeded, "rate limit exceeded for attempts to access this item's balances. please try again later", ""},
	"IDENTITY_LIMIT":     {TypeRateLimitExceeded, "rate limit exceeded for attempts to access this item's identity. please try again later", ""},
	"ITEM_GET_LIMIT":     {TypeRateLimitExceeded, "rate limit exceeded for attempts to access this item. please try again later", ""},
	"TRANSACTIONS_LIMIT": {TypeRateLimitExceeded, "rate limit exceeded for attempts to access this item's transactions. please try again later", ""},

	// API_ERROR
	"INTERNAL_SERVER_ERROR": {TypeAPI, "an unexpected error occurred", ""},
	"PLANNED_MAINTENANCE":   {TypeAPI, "the Plaid API is temporarily unavailable due to planned maintenance. visit https://status.plaid.com/ for more information", ""},

	// SANDBOX_ERROR
	"SANDBOX_PRODUCT_NOT_ENABLED": {TypeSandbox, "the requested product is not enabled for this item; create the item with it in initial_products", ""},
	"SANDBOX_WEBHOOK_INVALID":     {TypeSandbox, "the webhook for this item is either not set up, or invalid. please update the item's webhook and try again", ""},

	// RECAPTCHA_ERROR
	"RECAPTCHA_REQUIRED": {TypeRecaptcha, "this request requires additional verification. please resubmit the request after completing the challenge", "Please complete the additional verification step to continue."},
	"RECAPTCHA_BAD":      {TypeRecaptcha, "the provided challenge response was denied", "The verification challenge failed. Please try again."},

	// OAUTH_ERROR
	"INCORRECT_OAUTH_NONCE":            {TypeOAuth, "the OAuth nonce does not match the one sent with the OAuth request", ""},
	"OAUTH_STATE_ID_ALREADY_PROCESSED": {TypeOAuth, "this oauth_state_id has already been processed; start a new Link session", ""},

	// TRANSACTIONS_ERROR
	"TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": {TypeTransactions, "underlying transaction data changed since last page was fetched. please restart pagination from last update", ""},
}

func knownErrorCode(code string) bool {
	_, ok := catalogue[code]
	return ok
}

// ErrorCodes returns every code in the catalogue, sorted.
func ErrorCodes() []string {
	codes := make([]string, 0, len(catalogue))
	for c := range catalogue {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

func newError(code, message string) *Error {
	e, ok := catalogue[code]
	if !ok {
		if message == "" {
			message = catalogue["INTERNAL_SERVER_ERROR"].message
		}
		return &Error{
			Type:    TypeAPI,
			Code:    "INTERNAL_SERVER_ERROR",
			Message: message + " (unknown error code " + quote(code) + ")",
		}
	}
	if message == "" {
		message = e.message
	}
	out := &Error{Type: e.typ, Code: code, Message: message}
	if e.display != "" {
		d := e.display
		out.DisplayMessage = &d
	}
	return out
}

// statusFor follows reference §1.4: the type decides, except for the codes
// with their own status.
func statusFor(typ, code string) int {
	switch code {
	case "NOT_FOUND", "NO_LONGER_AVAILABLE":
		return http.StatusNotFound
	case "PLANNED_MAINTENANCE":
		return http.StatusServiceUnavailable
	}
	switch typ {
	case TypeRateLimitExceeded:
		return http.StatusTooManyRequests
	case TypeAPI:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// docURLFor builds Plaid's per-type anchor, e.g. INVALID_REQUEST ->
// https://plaid.com/docs/?ref=error#invalid-request-errors.
func docURLFor(typ string) string {
	const base = "https://plaid.com/docs/?ref=error"
	slug := strings.TrimSuffix(strings.ToLower(typ), "_error")
	if slug == "" {
		return base
	}
	return base + "#" + strings.ReplaceAll(slug, "_", "-") + "-errors"
}

// quote renders s for an error message, printable and bounded in length.
func quote(s string) string {
	const maxLen = 64
	r := []rune(s)
	if len(r) > maxLen {
		s = string(r[:maxLen]) + "…"
	}
	return strconv.Quote(s)
}
