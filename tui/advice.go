package tui

// adviceByCode says what to do about a Plaid error_code, in one or two
// sentences.
var adviceByCode = map[string]string{
	"MISSING_FIELDS":             "Add the fields the message names. plaid-go sends null for unset required fields, so set every required one (client_user_id, country_codes, language, products).",
	"UNKNOWN_FIELDS":             "Remove the fields the message names; they may be misspelled, or old public_key-era options.",
	"INVALID_FIELD":              "Fix the field the message names. A webhook must be a full URL; a redirect_uri must be allowlisted in the Dashboard (http://localhost is allowed in Sandbox).",
	"INVALID_BODY":               "Send a valid JSON body with Content-Type: application/json.",
	"INVALID_CONFIGURATION":      "Check the request body's shape and the names of its configuration keys.",
	"INVALID_API_KEYS":           "Check PLAID_CLIENT_ID and PLAID_SECRET: use the Sandbox secret from Dashboard → Developers → Keys.",
	"UNAUTHORIZED_ENVIRONMENT":   "Your client is not enabled for this environment; use Sandbox, or ask Plaid to enable it.",
	"INVALID_ACCESS_TOKEN":       "The access_token is unknown, removed or rotated. Link the Item again, or use the new token from /item/access_token/invalidate.",
	"INVALID_PUBLIC_TOKEN":       "public_tokens expire after 30 minutes and work once. Run Link again for a fresh one, and exchange it only once.",
	"INVALID_LINK_TOKEN":         "The link_token expired, was used up or was invalidated. In onExit: destroy() the handler, create a new link_token, Plaid.create() again and open().",
	"INVALID_PRODUCT":            "Use products your client is enabled for; balance is not a product for /link/token/create (use auth or transactions).",
	"INVALID_ACCOUNT_ID":         "Use account_ids from /accounts/get for this Item.",
	"INVALID_INSTITUTION":        "Use an institution_id from /institutions/search, e.g. ins_109508 in Sandbox.",
	"INVALID_LINK_CUSTOMIZATION": "Set up the Link customization (with a Data Transparency use case) in the Dashboard, or leave link_customization_name out.",
	"ITEM_LOGIN_REQUIRED":        "Send the user through Link in update mode: create a link_token with the Item's access_token and no products.",
	"INVALID_CREDENTIALS":        "The user typed wrong credentials; Link lets them retry. In Sandbox use user_good / pass_good.",
	"INVALID_MFA":                "The MFA answer was wrong; Link lets the user retry. In Sandbox the device code is 1234.",
	"ITEM_LOCKED":                "The account is locked at the bank; the user must unlock it there, then relink in update mode.",
	"ITEM_NOT_FOUND":             "The Item was removed; link it again.",
	"NO_ACCOUNTS":                "The login has no accounts of the requested types; relax account_filters or products.",
	"PRODUCT_NOT_READY":          "The product is still being prepared: wait for the webhook, or retry a little later.",
	"PRODUCTS_NOT_SUPPORTED":     "The institution does not support a requested product; request fewer products or pick another institution.",
	"INSTITUTION_DOWN":           "The institution is down; try again later, and tell the user.",
	"INSTITUTION_NOT_RESPONDING": "The institution is not responding; try again later.",
	"INSTITUTION_NOT_AVAILABLE":  "The institution is not available; try again later.",
	"RATE_LIMIT":                 "Too many requests: back off and retry with exponential delay.",
	"INTERNAL_SERVER_ERROR":      "Plaid had an internal error: retry, and give Plaid support the request_id if it persists.",
	"PLANNED_MAINTENANCE":        "Plaid is in planned maintenance; retry later.",
	"NOT_FOUND":                  "The endpoint does not exist: check the path and the API URL.",
	"SANDBOX_ONLY":               "This endpoint works only in Sandbox; point the client at https://sandbox.plaid.com.",
}

// adviceByType covers codes the table does not know, by error_type.
var adviceByType = map[string]string{
	"INVALID_REQUEST":     "The request is malformed: fix it as the message says.",
	"INVALID_INPUT":       "A token, key or id in the request is wrong: check the one the message names.",
	"ITEM_ERROR":          "The Item needs attention: update mode (Link with the access_token) usually repairs it.",
	"INSTITUTION_ERROR":   "The institution has a problem: try again later.",
	"RATE_LIMIT_EXCEEDED": "Too many requests: back off and retry.",
	"API_ERROR":           "Plaid had a problem: retry, and quote the request_id to support if it persists.",
}

// adviceFor says what to do about an error. Without a Plaid error code it
// points at the connection, since no Plaid answer arrived.
func adviceFor(code, errType string) string {
	if a, ok := adviceByCode[code]; ok {
		return a
	}
	if a, ok := adviceByType[errType]; ok {
		return a
	}
	if code == "" {
		return "No Plaid error came back: check that the API (or the emulator) is reachable, then retry with r."
	}
	return "Look the code up at https://plaid.com/docs/errors/ and retry with r once fixed."
}
