package audit

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

// languages are /link/token/create's languages (reference §2.1).
var languages = []string{"da", "nl", "en", "et", "fr", "de", "it", "lv", "lt", "no", "pl", "pt", "ro", "es", "sv"}

// PII patterns for client_user_id: an email address, or a phone number
// (10 to 15 digits with the usual separators).
var (
	emailLike = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneLike = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{8,20}[0-9]$`)
)

// looksLikePII says what kind of personal data s looks like, or "".
func looksLikePII(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case emailLike.MatchString(s):
		return "an email address"
	case phoneLike.MatchString(s):
		digits := 0
		for _, c := range s {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits >= 10 && digits <= 15 {
			return "a phone number"
		}
	}
	return ""
}

// fields checks the fields of a /link/token/create request body.
func (a *liveAudit) fields(body map[string]any, update bool, ev Evidence) []*Check {
	checks := []*Check{
		a.userCheck(body),
		a.clientNameCheck(body),
		a.languageCheck(body),
		a.countryCheck(body),
		a.productsCheck(body, update),
		a.urlCheck(body, "redirect_uri", "The redirect_uri is sane",
			"Use an https URL on the Dashboard allowlist (http://localhost is allowed in Sandbox), with no query string, fragment or wildcard; or leave it out on desktop web.", true),
		a.urlCheck(body, "webhook", "The webhook is sane",
			"Use an absolute https URL your server answers (http://localhost only against the emulator); a relative path gives INVALID_FIELD \"webhook must be a non-empty string URL\".", false),
	}
	if update {
		checks = append(checks, a.accessTokenCheck(body))
	}
	for _, c := range checks {
		c.with(ev)
	}
	return checks
}

func (a *liveAudit) userCheck(body map[string]any) *Check {
	c := a.check("client-user-id", "user.client_user_id is set and holds no personal data")
	user, _ := body["user"].(map[string]any)
	id, _ := user["client_user_id"].(string)
	const rec = "Send your own stable, internal id of the user (a database id or a UUID) as user.client_user_id; never an email address or phone number."
	switch {
	case strings.TrimSpace(id) == "":
		return c.fail(rec, "user.client_user_id is missing or empty: it is required")
	case looksLikePII(id) != "":
		return c.fail(rec, "user.client_user_id looks like %s: it must not hold personal data", looksLikePII(id))
	}
	return c.pass("user.client_user_id is set (%d characters) and looks like an opaque id", len([]rune(id)))
}

func (a *liveAudit) clientNameCheck(body map[string]any) *Check {
	c := a.check("client-name", "client_name is set")
	name, _ := body["client_name"].(string)
	switch n := len([]rune(name)); {
	case strings.TrimSpace(name) == "":
		return c.fail("Send your app's name as client_name: Link shows it to the user.", "client_name is missing or empty: it is required")
	case n > 30:
		return c.pass("client_name is set, but it is %d characters: Link shows \"This Application\" instead of names over 30", n)
	}
	return c.pass("client_name is %q", name)
}

func (a *liveAudit) languageCheck(body map[string]any) *Check {
	c := a.check("language", "language is present and valid")
	lang, _ := body["language"].(string)
	rec := "Send language (one of " + strings.Join(languages, " ") + "): it became required with link_token."
	switch {
	case lang == "":
		return c.fail(rec, "language is missing: it is required")
	case !slices.Contains(languages, lang):
		return c.fail(rec, "language %q is not one Link supports", lang)
	}
	return c.pass("language is %q", lang)
}

func (a *liveAudit) countryCheck(body map[string]any) *Check {
	c := a.check("country-codes", "country_codes are present and valid")
	codes := stringList(body["country_codes"])
	const rec = "Send country_codes, e.g. [\"US\"]: they became required with link_token (two-letter codes Plaid supports)."
	if len(codes) == 0 {
		return c.fail(rec, "country_codes is missing or empty: it is required")
	}
	var bad []string
	for _, cc := range codes {
		if !plaid.CountryCode(cc).IsValid() {
			bad = append(bad, cc)
		}
	}
	if len(bad) > 0 {
		return c.fail(rec, "country_codes has codes Plaid does not support: %s", strings.Join(bad, ", "))
	}
	return c.pass("country_codes are %s", strings.Join(codes, ", "))
}

func (a *liveAudit) productsCheck(body map[string]any, update bool) *Check {
	products := stringList(body["products"])
	if update {
		c := a.check("products", "update mode: products are empty")
		if len(products) > 0 {
			return c.fail("Leave products out of update-mode tokens (unless you are adding Assets, Statements or Income).",
				"an update-mode token is created with products %s", strings.Join(products, ", "))
		}
		return c.pass("no products, as update mode needs")
	}
	c := a.check("products", "products are valid")
	const rec = "Send products from Plaid's list (transactions, auth, identity, …); never balance, which comes with every Item."
	if len(products) == 0 {
		return c.fail(rec, "products is missing or empty: it is required outside update mode")
	}
	var bad []string
	for _, p := range products {
		switch {
		case p == "balance":
			bad = append(bad, "balance (refused with INVALID_PRODUCT: balance comes with every Item)")
		case !plaid.Products(p).IsValid():
			bad = append(bad, p+" (not a Plaid product)")
		}
	}
	if len(bad) > 0 {
		return c.fail(rec, "products has %s", strings.Join(bad, ", "))
	}
	return c.pass("products are %s", strings.Join(products, ", "))
}

// urlCheck checks redirect_uri or webhook: absent is fine; present, it is
// an absolute https URL, or http://localhost (a redirect_uri also has no
// query, fragment or wildcard).
func (a *liveAudit) urlCheck(body map[string]any, field, title, rec string, redirect bool) *Check {
	c := a.check(strings.ReplaceAll(field, "_", "-"), title)
	raw, present := body[field]
	if !present || raw == nil {
		if redirect {
			return c.pass("redirect_uri is not set: fine on desktop and mobile web (webviews and OAuth apps need one)")
		}
		return c.pass("webhook is not set: the app will not hear of Items needing update mode (ITEM_LOGIN_REQUIRED)")
	}
	s, _ := raw.(string)
	if problem := urlProblem(s, redirect); problem != "" {
		return c.fail(rec, "%s %q %s", field, s, problem)
	}
	return c.pass("%s is %s", field, s)
}

// urlProblem says what is wrong with a webhook or redirect_uri, or "".
func urlProblem(s string, redirect bool) string {
	u, err := url.Parse(s)
	switch {
	case strings.TrimSpace(s) == "":
		return "is empty"
	case err != nil:
		return "is not a URL"
	case u.Scheme == "" || u.Host == "":
		return "is not an absolute URL"
	case u.Scheme != "https" && !(u.Scheme == "http" && isLocalhost(u.Hostname())):
		return "must be https (http only for localhost)"
	case redirect && (u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "*")):
		return "must have no query string, fragment or wildcard"
	}
	return ""
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func (a *liveAudit) accessTokenCheck(body map[string]any) *Check {
	c := a.check("access-token", "update mode: the token is created with the Item's access_token")
	tok, _ := body["access_token"].(string)
	if tok == "" {
		return c.fail("Create update-mode link_tokens with the Item's access_token on /link/token/create (not /item/public_token/create).",
			"no access_token in the request: this is a new-Item token, not an update-mode one")
	}
	return c.pass("access_token is set")
}

// stringList reads a JSON array of strings; other values are ignored.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		} else {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}
