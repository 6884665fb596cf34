package audit

import (
	"cmp"
	"fmt"
	"slices"
)

// Rule names what a static finding is about.
type Rule string

// The static audit's rules. Problems fail a checklist item; good signs
// (Finding.Good) are evidence that an item passes.
const (
	// RuleLinkPublicKey: a Link config passes key/publicKey (public_key Link).
	RuleLinkPublicKey Rule = "link-public-key"
	// RuleLinkLegacyOption: a Link config passes an option that moved to
	// /link/token/create or was dropped (env, product, countryCodes, …).
	RuleLinkLegacyOption Rule = "link-legacy-option"
	// RuleLinkMissingToken: a Link config has no token.
	RuleLinkMissingToken Rule = "link-missing-token"
	// RuleLinkTokenConfig (good): a Link config passes a token.
	RuleLinkTokenConfig Rule = "link-token-config"
	// RuleUpdateModePublicToken: /item/public_token/create, the deprecated
	// way to start update mode.
	RuleUpdateModePublicToken Rule = "update-mode-public-token"
	// RuleUpdateModeAccessToken (good): /link/token/create with access_token.
	RuleUpdateModeAccessToken Rule = "update-mode-access-token"
	// RuleServerPublicKey: public_key sent to /institutions/*,
	// /sandbox/public_token/create or a Plaid client library.
	RuleServerPublicKey Rule = "server-public-key"
	// RuleInvalidTokenUnhandled: a Link config whose onExit has no
	// INVALID_LINK_TOKEN branch.
	RuleInvalidTokenUnhandled Rule = "invalid-link-token-unhandled"
	// RuleInvalidTokenNoDestroy: INVALID_LINK_TOKEN handled by creating Link
	// again without destroy() first: iframes stack up.
	RuleInvalidTokenNoDestroy Rule = "invalid-link-token-no-destroy"
	// RuleInvalidTokenRecovery (good): INVALID_LINK_TOKEN handled, with
	// destroy() before Link is created again.
	RuleInvalidTokenRecovery Rule = "invalid-link-token-recovery"
	// RuleLinkTokenCreate (good): a server call to /link/token/create with
	// user.client_user_id.
	RuleLinkTokenCreate Rule = "link-token-create"
	// RuleLinkTokenCreateNoUser: a /link/token/create call whose request is
	// known in full and has no client_user_id.
	RuleLinkTokenCreateNoUser Rule = "link-token-create-no-user"
	// RuleLinkTokenCreateUnresolved (needs a person): a /link/token/create
	// call whose request the audit cannot follow.
	RuleLinkTokenCreateUnresolved Rule = "link-token-create-unresolved"
	// RuleLinkConfigUnresolved (needs a person): a Link config the audit
	// cannot read (built elsewhere, passed in as a parameter).
	RuleLinkConfigUnresolved Rule = "link-config-unresolved"
	// RuleInvalidTokenNoRecovery: onExit tests INVALID_LINK_TOKEN but only
	// tells the user (an alert, a log): Link is never created again.
	RuleInvalidTokenNoRecovery Rule = "invalid-link-token-no-recovery"
	// RuleInvalidTokenUnresolved (needs a person): onExit is defined where
	// the audit cannot follow it, or its recovery cannot be read.
	RuleInvalidTokenUnresolved Rule = "invalid-link-token-unresolved"
	// RuleLinkCreateRepeated: Plaid.create runs again on each click
	// without destroy() of the previous handler: iframes stack up.
	RuleLinkCreateRepeated Rule = "link-create-repeated"
	// RuleExitThis (needs a person): onExit is a plain function that uses
	// this, which is not the component when Link calls it.
	RuleExitThis Rule = "on-exit-this"
)

// Finding is one thing the static audit found, at a file and line.
type Finding struct {
	Rule Rule `json:"rule"`
	// File is slash-separated, relative to the audited root.
	File string `json:"file"`
	Line int    `json:"line"`
	// Subject is the option, endpoint or call concerned (e.g. "countryCodes",
	// "/institutions/search", "createPublicToken"), when there is one.
	Subject string `json:"subject,omitempty"`
	// Good marks a good sign rather than a problem.
	Good bool `json:"good"`
	// Manual marks something a person must look at: the audit could not
	// decide it (it is neither a problem nor a good sign).
	Manual  bool   `json:"manual,omitempty"`
	Message string `json:"message"`
}

// Location is "file:line".
func (f Finding) Location() string { return fmt.Sprintf("%s:%d", f.File, f.Line) }

// goodRules are the rules whose findings are good signs; manualRules those
// a person must decide.
var (
	goodRules   = []Rule{RuleLinkTokenConfig, RuleUpdateModeAccessToken, RuleInvalidTokenRecovery, RuleLinkTokenCreate}
	manualRules = []Rule{RuleLinkTokenCreateUnresolved, RuleLinkConfigUnresolved, RuleInvalidTokenUnresolved, RuleExitThis}
)

// findings collects a file's findings, one per rule, line and subject.
type findings struct {
	file string
	list []Finding
	seen map[string]bool
}

func newFindings(file string) *findings {
	return &findings{file: file, seen: map[string]bool{}}
}

func (fs *findings) add(rule Rule, line int, subject, format string, args ...any) {
	key := fmt.Sprint(rule, line, subject)
	if fs.seen[key] {
		return
	}
	fs.seen[key] = true
	fs.list = append(fs.list, Finding{
		Rule: rule, File: fs.file, Line: line, Subject: subject,
		Good: slices.Contains(goodRules, rule), Manual: slices.Contains(manualRules, rule), Message: fmt.Sprintf(format, args...),
	})
}

// sortFindings orders findings by file, line, rule and subject.
func sortFindings(list []Finding) {
	slices.SortFunc(list, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Subject, b.Subject))
	})
}

// legacyOptions are the public_key-era Plaid.create / react-plaid-link
// options, with where each went (reference §5.1).
var legacyOptions = map[string]string{
	"env":                   "the environment is now the Plaid host your server calls (sandbox or production); remove env",
	"product":               "move it to products on /link/token/create",
	"webhook":               "move it to webhook on /link/token/create (server side)",
	"countryCodes":          "move it to country_codes on /link/token/create (now required)",
	"language":              "move it to language on /link/token/create (now required)",
	"clientName":            "move it to client_name on /link/token/create",
	"apiVersion":            "remove it: Link with a link_token is always v2",
	"selectAccount":         "remove it: Account Select is configured in the Dashboard",
	"accountSubtypes":       "move it to account_filters on /link/token/create",
	"oauthNonce":            "remove it: oauthNonce was dropped",
	"oauthRedirectUri":      "move it to redirect_uri on /link/token/create",
	"oauthStateId":          "remove it: pass receivedRedirectUri when re-initializing after OAuth",
	"paymentToken":          "move it to payment_initiation.payment_id on /link/token/create",
	"linkCustomizationName": "move it to link_customization_name on /link/token/create",
	"userLegalName":         "move it to user.legal_name on /link/token/create",
	"userEmailAddress":      "move it to user.email_address on /link/token/create",
	"userPhoneNumber":       "move it to user.phone_number on /link/token/create",
}

// publicKeyOptions are the Link options that carry a public_key.
var publicKeyOptions = []string{"key", "publicKey"}
