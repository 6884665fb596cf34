// Package link is the emulated Link web SDK: link-initialize.js, the Link UI
// served in an iframe from the emulator's origin, the Link-session API that UI
// talks to, Link session records and the autopilot. It stands in for
// https://cdn.plaid.com/link/v2/stable/link-initialize.js when linkexplorer
// runs offline, and follows reference §4.
//
// The package knows nothing of the emulator's storage: everything it needs
// from the Sandbox state goes through Backend, which the emulator core
// implements.
package link

import (
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// TokenInfo is what Link needs to know about a link_token.
type TokenInfo struct {
	Token        string
	ClientName   string
	Products     []string // empty in update mode
	CountryCodes []string
	Language     string
	Webhook      string
	RedirectURI  string
	CreatedAt    time.Time
	Expiration   time.Time
	// AccountFilters maps an account type to its allowed subtypes.
	AccountFilters map[string][]string
	// AutomatedMicroDeposits is the token's auth.automated_microdeposits_enabled.
	AutomatedMicroDeposits bool `json:",omitempty"`

	// Update mode: the token was created with an access_token.
	UpdateMode    bool
	ItemID        string
	InstitutionID string
	// AccountSelection is update.account_selection_enabled: update mode
	// shows the account-select pane with the Item's new accounts.
	AccountSelection bool `json:",omitempty"`
}

// NewItem is a completed new-Item Link session.
type NewItem struct {
	LinkToken     string
	InstitutionID string
	Products      []string
	Webhook       string
	// Accounts are the accounts the user selected (templates from
	// sandbox.Outcome.Accounts).
	Accounts []sandbox.AccountTemplate
	// AutomatedMicroDeposits is set when the user logged in with the
	// Automated Micro-deposits credentials (sandbox.Outcome).
	AutomatedMicroDeposits bool
}

// CreatedItem is the result of Backend.CreateItem.
type CreatedItem struct {
	ItemID      string
	PublicToken string
	// AccountIDs are the ids assigned to NewItem.Accounts, in order.
	AccountIDs []string
	// VerificationStatus is the accounts' verification_status
	// (pending_automatic_verification for an Automated Micro-deposits
	// Item), or "" (null) for an instantly authenticated Item.
	VerificationStatus string
}

// Backend is the emulator state as Link sees it. *emulator.Emulator
// implements it; every method is safe for concurrent use.
type Backend interface {
	// Now is the emulator's (virtual) clock.
	Now() time.Time
	// NewRequestID returns a fresh Plaid-format request_id.
	NewRequestID() string
	// LinkToken looks up a link_token. An unknown, expired or invalidated
	// token yields a *sandbox.Error with code INVALID_LINK_TOKEN.
	LinkToken(token string) (TokenInfo, error)
	// InvalidateLinkToken makes the token unusable from now on (too many
	// failed logins, or a force_error INVALID_LINK_TOKEN).
	InvalidateLinkToken(token string)
	// CreateItem creates an Item exactly as /sandbox/public_token/create
	// would, and returns a fresh one-time public_token for it.
	CreateItem(NewItem) (CreatedItem, error)
	// RepairItem is the update-mode repair: it clears the Item's error in
	// place (same item_id, same access_token) and fires LOGIN_REPAIRED when
	// the Item has a webhook. It returns a fresh public_token, which the
	// client must not exchange.
	RepairItem(itemID string) (publicToken string, err error)
	// ItemAccounts returns the Item's accounts (for update mode's account
	// list), with their ids.
	ItemAccounts(itemID string) ([]ItemAccount, error)
	// NewAccounts returns the accounts opened at the bank that the Item
	// does not share yet (update mode with account selection). Their IDs
	// are placeholders until ShareAccounts.
	NewAccounts(itemID string) ([]ItemAccount, error)
	// ShareAccounts makes the selected accounts (ItemAccounts' and
	// NewAccounts' ids) the Item's shared set, as update mode with account
	// selection does, and returns each selected id's account_id.
	ShareAccounts(itemID string, ids []string) (map[string]string, error)
}

// ItemAccount is an existing account of an Item.
type ItemAccount struct {
	ID      string
	Name    string
	Mask    string
	Type    string
	Subtype string
	// VerificationStatus is the account's micro-deposit verification
	// status, or "" (null).
	VerificationStatus string
}
