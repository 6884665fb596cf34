package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

// referenceCodes is reference §1.4's table (plus §2.5, §2.7 and §1.1
// codes the emulator needs), typed in by hand.
var referenceCodes = map[string][]string{
	"INVALID_REQUEST": {"MISSING_FIELDS", "UNKNOWN_FIELDS", "INVALID_FIELD", "INVALID_BODY", "INVALID_HEADERS",
		"INVALID_CONFIGURATION", "INCOMPATIBLE_API_VERSION", "SANDBOX_ONLY", "NOT_FOUND", "NO_LONGER_AVAILABLE"},
	"INVALID_INPUT": {"INVALID_API_KEYS", "INVALID_ACCESS_TOKEN", "INVALID_PUBLIC_TOKEN", "INVALID_LINK_TOKEN",
		"INVALID_PRODUCT", "INVALID_ACCOUNT_ID", "INVALID_INSTITUTION", "INVALID_LINK_CUSTOMIZATION",
		"UNAUTHORIZED_ENVIRONMENT", "UNAUTHORIZED_ROUTE_ACCESS", "INVALID_WEBHOOK_VERIFICATION_KEY_ID"},
	"ITEM_ERROR": {"ITEM_LOGIN_REQUIRED", "INVALID_CREDENTIALS", "INVALID_MFA", "ITEM_LOCKED", "ITEM_NOT_SUPPORTED",
		"MFA_NOT_SUPPORTED", "NO_ACCOUNTS", "NO_AUTH_ACCOUNTS", "PRODUCT_NOT_READY", "PRODUCTS_NOT_SUPPORTED",
		"USER_SETUP_REQUIRED", "USER_INPUT_TIMEOUT", "ITEM_NOT_FOUND",
		// Plaid's error docs (ITEM_ERROR) for the product endpoints.
		"PRODUCT_NOT_ENABLED", "NO_INVESTMENT_ACCOUNTS", "NO_LIABILITY_ACCOUNTS"},
	"INSTITUTION_ERROR": {"INSTITUTION_DOWN", "INSTITUTION_NOT_RESPONDING", "INSTITUTION_NOT_AVAILABLE",
		"INSTITUTION_NO_LONGER_SUPPORTED", "UNAUTHORIZED_INSTITUTION", "INSTITUTION_REGISTRATION_REQUIRED"},
	"RATE_LIMIT_EXCEEDED": {"RATE_LIMIT", "ACCOUNTS_LIMIT", "AUTH_LIMIT", "BALANCE_LIMIT", "IDENTITY_LIMIT",
		"ITEM_GET_LIMIT", "TRANSACTIONS_LIMIT"},
	"API_ERROR":          {"INTERNAL_SERVER_ERROR", "PLANNED_MAINTENANCE"},
	"SANDBOX_ERROR":      {"SANDBOX_PRODUCT_NOT_ENABLED", "SANDBOX_WEBHOOK_INVALID"},
	"RECAPTCHA_ERROR":    {"RECAPTCHA_REQUIRED", "RECAPTCHA_BAD"},
	"OAUTH_ERROR":        {"INCORRECT_OAUTH_NONCE", "OAUTH_STATE_ID_ALREADY_PROCESSED"},
	"TRANSACTIONS_ERROR": {"TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"},
}

func TestCatalogueMatchesReference(t *testing.T) {
	n := 0
	for typ, codes := range referenceCodes {
		for _, code := range codes {
			n++
			if !KnownErrorCode(code) {
				t.Errorf("%s is not in the catalogue", code)
				continue
			}
			if e := NewError(code, ""); e.Type != typ || e.Code != code {
				t.Errorf("NewError(%s) = %s/%s, want %s/%s", code, e.Type, e.Code, typ, code)
			}
		}
	}
	if got := len(ErrorCodes()); got != n {
		t.Errorf("catalogue has %d codes, reference table %d: keep them in step", got, n)
	}
}

func TestHTTPStatusPerType(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{"MISSING_FIELDS", http.StatusBadRequest},
		{"INVALID_BODY", http.StatusBadRequest},
		{"NOT_FOUND", http.StatusNotFound},
		{"NO_LONGER_AVAILABLE", http.StatusNotFound},
		{"INVALID_API_KEYS", http.StatusBadRequest},
		{"INVALID_LINK_TOKEN", http.StatusBadRequest},
		{"ITEM_LOGIN_REQUIRED", http.StatusBadRequest},
		{"INSTITUTION_DOWN", http.StatusBadRequest},
		{"RATE_LIMIT", http.StatusTooManyRequests},
		{"TRANSACTIONS_LIMIT", http.StatusTooManyRequests},
		{"INTERNAL_SERVER_ERROR", http.StatusInternalServerError},
		{"PLANNED_MAINTENANCE", http.StatusServiceUnavailable},
		{"SANDBOX_WEBHOOK_INVALID", http.StatusBadRequest},
		{"RECAPTCHA_BAD", http.StatusBadRequest},
		{"INCORRECT_OAUTH_NONCE", http.StatusBadRequest},
		{"TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if got := NewError(tt.code, "").HTTPStatus(); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.code, got, tt.want)
		}
	}
	// Every other code follows its type.
	byType := map[string]int{"RATE_LIMIT_EXCEEDED": 429, "API_ERROR": 500}
	for _, code := range ErrorCodes() {
		e := NewError(code, "")
		want, ok := byType[e.Type]
		if !ok {
			want = 400
		}
		switch code {
		case "NOT_FOUND", "NO_LONGER_AVAILABLE":
			want = 404
		case "PLANNED_MAINTENANCE":
			want = 503
		}
		if got := e.HTTPStatus(); got != want {
			t.Errorf("%s (%s): status %d, want %d", code, e.Type, got, want)
		}
	}
}

func TestDocumentationURL(t *testing.T) {
	tests := map[string]string{
		"MISSING_FIELDS":          "https://plaid.com/docs/?ref=error#invalid-request-errors",
		"INVALID_LINK_TOKEN":      "https://plaid.com/docs/?ref=error#invalid-input-errors",
		"INVALID_CREDENTIALS":     "https://plaid.com/docs/?ref=error#item-errors",
		"INSTITUTION_DOWN":        "https://plaid.com/docs/?ref=error#institution-errors",
		"RATE_LIMIT":              "https://plaid.com/docs/?ref=error#rate-limit-exceeded-errors",
		"INTERNAL_SERVER_ERROR":   "https://plaid.com/docs/?ref=error#api-errors",
		"SANDBOX_WEBHOOK_INVALID": "https://plaid.com/docs/?ref=error#sandbox-errors",
		"RECAPTCHA_BAD":           "https://plaid.com/docs/?ref=error#recaptcha-errors",
		"INCORRECT_OAUTH_NONCE":   "https://plaid.com/docs/?ref=error#oauth-errors",
	}
	for code, want := range tests {
		if got := NewError(code, "").DocumentationURL(); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
	if got := (&Error{}).DocumentationURL(); got != "https://plaid.com/docs/?ref=error" {
		t.Errorf("no type: %s", got)
	}
}

func TestDocumentedMessages(t *testing.T) {
	tests := map[string]string{
		"INVALID_BODY":          "body could not be parsed as JSON",
		"INVALID_CONFIGURATION": "please ensure that the request body is formatted correctly",
		"INVALID_API_KEYS":      "invalid client_id or secret provided",
		"INVALID_ACCESS_TOKEN":  "could not find matching access token",
		"INVALID_PUBLIC_TOKEN":  "could not find matching public token",
		"INVALID_LINK_TOKEN":    "invalid link_token provided",
		"INVALID_INSTITUTION":   "invalid institution_id provided",
		"INVALID_ACCOUNT_ID":    "failed to find requested account ID for requested item",
		"ITEM_LOGIN_REQUIRED":   "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
		"PRODUCT_NOT_READY":     "the requested product is not yet ready. please provide a webhook or try the request again later",
		"INVALID_CREDENTIALS":   "the provided credentials were not correct",
		"INTERNAL_SERVER_ERROR": "an unexpected error occurred",
	}
	for code, want := range tests {
		if got := NewError(code, "").Message; got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
	e := NewError("INVALID_CREDENTIALS", "")
	if e.DisplayMessage == nil || *e.DisplayMessage != "The provided credentials were not correct. Please try again." {
		t.Errorf("INVALID_CREDENTIALS display message: %v", e.DisplayMessage)
	}
}

func TestDisplayMessages(t *testing.T) {
	// Errors a user meets in Link carry a display message.
	for _, code := range []string{
		"INVALID_CREDENTIALS", "INVALID_MFA", "ITEM_LOCKED", "ITEM_NOT_SUPPORTED", "MFA_NOT_SUPPORTED",
		"NO_ACCOUNTS", "NO_AUTH_ACCOUNTS", "USER_SETUP_REQUIRED", "USER_INPUT_TIMEOUT",
		"INSTITUTION_DOWN", "INSTITUTION_NOT_RESPONDING", "INSTITUTION_NOT_AVAILABLE",
		"INSTITUTION_NO_LONGER_SUPPORTED", "UNAUTHORIZED_INSTITUTION", "INSTITUTION_REGISTRATION_REQUIRED",
		"RECAPTCHA_BAD", "RECAPTCHA_REQUIRED",
	} {
		if e := NewError(code, ""); e.DisplayMessage == nil || *e.DisplayMessage == "" {
			t.Errorf("%s has no display message", code)
		}
	}
	// Developer errors do not.
	for _, code := range []string{"MISSING_FIELDS", "INVALID_API_KEYS", "INVALID_LINK_TOKEN", "ITEM_LOGIN_REQUIRED", "INTERNAL_SERVER_ERROR", "RATE_LIMIT"} {
		if e := NewError(code, ""); e.DisplayMessage != nil {
			t.Errorf("%s has display message %q, want null", code, *e.DisplayMessage)
		}
	}
}

func TestNewErrorMessageOverrideAndIsolation(t *testing.T) {
	e := NewError("MISSING_FIELDS", "the following required fields are missing: client_id")
	if e.Message != "the following required fields are missing: client_id" || e.Type != TypeInvalidRequest {
		t.Fatalf("override: %+v", e)
	}
	if e.Error() != "MISSING_FIELDS: the following required fields are missing: client_id" {
		t.Errorf("Error() = %q", e.Error())
	}
	a := NewError("ITEM_LOCKED", "")
	*a.DisplayMessage = "changed"
	if b := NewError("ITEM_LOCKED", ""); *b.DisplayMessage == "changed" {
		t.Error("NewError shares its display message between calls")
	}
}

func TestNewErrorUnknownCode(t *testing.T) {
	for _, tt := range []struct{ code, msg string }{{"NOT_A_CODE", ""}, {"", ""}, {"WEIRD", "boom"}} {
		e := NewError(tt.code, tt.msg)
		if e.Type != TypeAPI || e.Code != "INTERNAL_SERVER_ERROR" || e.HTTPStatus() != 500 {
			t.Errorf("NewError(%q) = %+v", tt.code, e)
		}
		if !strings.Contains(e.Message, `"`+tt.code+`"`) {
			t.Errorf("message %q does not name the code %q", e.Message, tt.code)
		}
		if tt.msg != "" && !strings.HasPrefix(e.Message, tt.msg) {
			t.Errorf("message %q lost the caller's %q", e.Message, tt.msg)
		}
		if KnownErrorCode(tt.code) {
			t.Errorf("KnownErrorCode(%q) = true", tt.code)
		}
	}
	long := NewError(strings.Repeat("X", 500), "")
	if len(long.Message) > 200 {
		t.Errorf("unknown code message not bounded: %d bytes", len(long.Message))
	}
}
