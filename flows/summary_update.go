package flows

import "strings"

// What the run summary says of the update-mode variants' webhooks and
// Link sessions (update_variants.go).

// webhookMeanings say what an ITEM webhook asks of the app.
var webhookMeanings = map[string]string{
	"NEW_ACCOUNTS_AVAILABLE": "the user has accounts to share: update mode with update.account_selection_enabled",
	"PENDING_EXPIRATION":     "the Item's consent ends at consent_expiration_time: send the user through update mode before then",
	"PENDING_DISCONNECT":     "the Item will disconnect: send the user through update mode",
	"LOGIN_REPAIRED":         "the Item's login works again",
}

// webhookMeaning is ": what it asks of the app" for a known ITEM webhook,
// else "".
func webhookMeaning(typ, code string) string {
	if m, ok := webhookMeanings[code]; ok && typ == "ITEM" {
		return ": " + m
	}
	return ""
}

// updateModeSuccess qualifies onSuccess in an update-mode flow: the Item
// changed in place and its public_token is not exchanged.
func updateModeSuccess(flow string) string {
	if strings.HasPrefix(flow, "update") {
		return " (update mode: the same Item, changed in place; the public_token is not exchanged)"
	}
	return ""
}
