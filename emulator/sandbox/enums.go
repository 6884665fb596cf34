package sandbox

import "slices"

// The enumerations of reference §2.1, as plaid-go v20 knows them.
var (
	productEnum = []string{
		"assets", "auth", "balance", "identity", "identity_match",
		"investments", "investments_auth", "liabilities", "payment_initiation",
		"identity_verification", "transactions", "credit_details", "income",
		"income_verification", "deposit_switch", "standing_orders", "transfer",
		"employment", "recurring_transactions", "signal", "statements",
	}
	countryCodeEnum = []string{
		"US", "GB", "ES", "NL", "FR", "IE", "CA", "DE", "IT", "PL", "DK", "NO",
		"SE", "EE", "LT", "LV", "PT", "BE",
	}
	languageEnum = []string{
		"da", "nl", "en", "et", "fr", "de", "it", "lv", "lt", "no", "pl", "pt",
		"ro", "es", "sv",
	}
)

func products() []string     { return slices.Clone(productEnum) }
func countryCodes() []string { return slices.Clone(countryCodeEnum) }
func languages() []string    { return slices.Clone(languageEnum) }

// ValidProduct reports whether p is a v20 product name. It says nothing
// about where the product is allowed: `balance` is valid here but
// /link/token/create refuses it (INVALID_PRODUCT).
func ValidProduct(p string) bool { return slices.Contains(productEnum, p) }

// ValidCountryCode reports whether c is a country code /link/token/create
// accepts (upper case, as Plaid requires).
func ValidCountryCode(c string) bool { return slices.Contains(countryCodeEnum, c) }

// ValidLanguage reports whether l is a language /link/token/create accepts.
func ValidLanguage(l string) bool { return slices.Contains(languageEnum, l) }
