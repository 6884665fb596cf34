package emulator

import (
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// enumSet is a set of valid values with their listing for error messages.
type enumSet struct {
	set  map[string]bool
	list string
}

func newEnumSet(values []string) enumSet {
	s := enumSet{set: make(map[string]bool, len(values)), list: strings.Join(values, ", ")}
	for _, v := range values {
		s.set[v] = true
	}
	return s
}

var (
	productSet  = sync.OnceValue(func() enumSet { return newEnumSet(sandbox.Products()) })
	countrySet  = sync.OnceValue(func() enumSet { return newEnumSet(sandbox.CountryCodes()) })
	languageSet = sync.OnceValue(func() enumSet { return newEnumSet(sandbox.Languages()) })
)

// accountSubtypes are the subtypes account_filters accepts per account
// type (the OpenAPI schema's *AccountSubtype enumerations).
var accountSubtypes = map[string]enumSet{
	"depository": newEnumSet([]string{"checking", "savings", "hsa", "cd", "money market", "paypal", "prepaid", "cash management", "ebt", "all"}),
	"credit":     newEnumSet([]string{"credit card", "paypal", "all"}),
	"loan":       newEnumSet([]string{"auto", "business", "commercial", "construction", "consumer", "home equity", "loan", "mortgage", "line of credit", "student", "other", "all"}),
	"investment": newEnumSet([]string{"529", "401a", "401k", "403B", "457b", "brokerage", "cash isa", "crypto exchange", "education savings account", "fixed annuity", "gic", "health reimbursement arrangement", "hsa", "ira", "isa", "keogh", "lif", "life insurance", "lira", "lrif", "lrsp", "mutual fund", "non-custodial wallet", "non-taxable brokerage account", "other", "other annuity", "other insurance", "pension", "prif", "profit sharing plan", "qshr", "rdsp", "resp", "retirement", "rlif", "roth", "roth 401k", "rrif", "rrsp", "sarsep", "sep ira", "simple ira", "sipp", "stock plan", "tfsa", "trust", "ugma", "utma", "variable annuity", "all"}),
	"other":      newEnumSet([]string{"other", "all"}),
}

// checkProducts validates a list of products. balance is not a product
// one can request (INVALID_PRODUCT), as in Plaid.
func checkProducts(field string, products []string) *sandbox.Error {
	valid := productSet()
	for _, p := range products {
		if p == "balance" {
			return apiError("INVALID_PRODUCT", "balance is not a valid product for %s: balance data comes with every Item, so remove it (use /accounts/balance/get)", field)
		}
		if !valid.set[p] {
			return apiError("INVALID_PRODUCT", "%q in %s is not a Plaid product; valid products are: %s", p, field, valid.list)
		}
	}
	return nil
}

// checkNoOverlap rejects products listed both in products and in another
// product list of /link/token/create.
func checkNoOverlap(products []string, field string, others []string) *sandbox.Error {
	for _, p := range others {
		if slices.Contains(products, p) {
			return apiError("INVALID_FIELD", "%q is in both products and %s; list each product once", p, field)
		}
	}
	return nil
}

// checkCountryCodes validates a required, non-empty country_codes list.
func checkCountryCodes(codes []string) *sandbox.Error {
	if len(codes) == 0 {
		return apiError("INVALID_FIELD", "country_codes must be a non-empty array of country codes, e.g. [\"US\"]")
	}
	valid := countrySet()
	for _, cc := range codes {
		if !valid.set[cc] {
			return apiError("INVALID_FIELD", "%q in country_codes is not a supported country code; use uppercase codes from: %s", cc, valid.list)
		}
	}
	return nil
}

// checkLanguage validates /link/token/create's language.
func checkLanguage(lang string) *sandbox.Error {
	if !languageSet().set[lang] {
		return apiError("INVALID_FIELD", "language %q is not supported; use one of: %s", lang, languageSet().list)
	}
	return nil
}

// checkWebhook validates a webhook URL: absolute http(s) with a host.
// hint is appended to the error message.
func checkWebhook(raw, hint string) *sandbox.Error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return apiError("INVALID_FIELD", "webhook must be a non-empty string URL (an absolute http or https URL, got %q)%s", raw, hint)
	}
	return nil
}

// checkRedirectURI validates /link/token/create's redirect_uri: its form
// (redirectShape), then the allowlist (redirects.go).
func (e *Emulator) checkRedirectURI(raw string) *sandbox.Error {
	u, local, perr := redirectShape(raw)
	if perr != nil {
		return perr
	}
	if !e.redirects.allowed(raw, u, local) {
		return apiError("INVALID_FIELD", "OAuth redirect URI must be configured in the developer dashboard. See https://plaid.com/docs/#oauth-redirect-uris (the emulator's allowlist lacks %q: add it with --redirect-uri or POST /__emulator/redirect_uris; loopback URIs with the paths %s are allowed as they are)", raw, strings.Join(LoopbackRedirectPaths, " "))
	}
	return nil
}

// accountFilter is one entry of account_filters.
type accountFilter struct {
	AccountSubtypes []string `json:"account_subtypes"`
}

// checkAccountFilters validates account_filters' types and subtypes.
func checkAccountFilters(filters map[string]accountFilter) *sandbox.Error {
	for typ, f := range filters {
		valid, ok := accountSubtypes[typ]
		if !ok {
			return apiError("INVALID_FIELD", "account_filters has unknown account type %q; use depository, credit, loan, investment or other", typ)
		}
		if len(f.AccountSubtypes) == 0 {
			return apiError("INVALID_FIELD", "account_filters.%s.account_subtypes must list at least one subtype (or \"all\")", typ)
		}
		for _, st := range f.AccountSubtypes {
			if !valid.set[st] {
				return apiError("INVALID_FIELD", "%q is not a %s account subtype; valid ones are: %s", st, typ, valid.list)
			}
		}
	}
	return nil
}
