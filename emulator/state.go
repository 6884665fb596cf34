package emulator

import (
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/link"
	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// Token lifetimes (reference §1.5).
const (
	linkTokenLifetime       = 4 * time.Hour
	updateLinkTokenLifetime = 30 * time.Minute
	publicTokenLifetime     = 30 * time.Minute
	// expiredTokenRetention is how long an expired token is remembered, so
	// that errors can say it expired rather than that it is unknown.
	expiredTokenRetention = 24 * time.Hour
	// sweepEvery is how many token creations pass between sweeps of
	// long-expired tokens.
	sweepEvery = 1024
)

// state is everything the emulator knows. Emulator.mu guards it.
type state struct {
	items        map[string]*item        // by item_id
	byAccess     map[string]*item        // by access_token
	linkTokens   map[string]*linkToken   // by token
	publicTokens map[string]*publicToken // by token
	creations    int                     // token creations since the last sweep
	prod         *productState           // product data beyond Items (see products.go); nil until used
}

func newState() *state {
	return &state{
		items:        map[string]*item{},
		byAccess:     map[string]*item{},
		linkTokens:   map[string]*linkToken{},
		publicTokens: map[string]*publicToken{},
	}
}

// item is a Sandbox Item with its accounts and transactions.
type item struct {
	ID            string         `json:"item_id"`
	InstitutionID string         `json:"institution_id"`
	AccessToken   string         `json:"access_token"`
	Webhook       string         `json:"webhook,omitempty"`
	Billed        []string       `json:"billed_products"`
	Error         *sandbox.Error `json:"error,omitempty"`
	Accounts      []account      `json:"accounts"`
	// Transactions are the Item's explicit transactions (user_custom's);
	// canned ones are generated (see txnLog).
	Transactions []transaction `json:"transactions"`
	// Txn is the transaction history: pulls and changes (nil until used).
	Txn         *txnLog      `json:"txn,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	LastWebhook *webhookMark `json:"last_webhook,omitempty"`
	// StatementsFrom is the first month (YYYY-MM-01) /statements/refresh
	// asked for, when it goes back further than the default.
	StatementsFrom string `json:"statements_from,omitempty"`
	// Synced is set once /transactions/sync has been called.
	Synced bool `json:"synced,omitempty"`
}

// account is one of an Item's accounts. Its explicit Transactions are
// moved into the Item's list when the Item is created; canned ones
// (AccountTemplate.Canned) are generated when needed.
type account struct {
	ID string `json:"account_id"`
	// VerificationStatus is set by /sandbox/item/set_verification_status.
	VerificationStatus string `json:"verification_status,omitempty"`
	sandbox.AccountTemplate
}

// transaction is one of an Item's transactions. Its Date is always set:
// canned transactions get theirs from DaysAgo when the Item is created.
type transaction struct {
	ID        string `json:"transaction_id"`
	AccountID string `json:"account_id"`
	sandbox.TransactionTemplate
}

// webhookMark is what /item/get reports as status.last_webhook.
type webhookMark struct {
	SentAt time.Time `json:"sent_at"`
	Code   string    `json:"code_sent"`
}

// linkToken is a link_token and what it was created with.
type linkToken struct {
	link.TokenInfo
	// InvalidatedAt is set when the token was made unusable before its
	// expiration (too many failed logins, force_error, the control API).
	InvalidatedAt *time.Time `json:"invalidated_at,omitempty"`
}

// publicToken is a one-time public_token.
type publicToken struct {
	Token     string    `json:"token"`
	ItemID    string    `json:"item_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// hasProduct reports whether p is one of the Item's billed products.
func (it *item) hasProduct(p string) bool { return slices.Contains(it.Billed, p) }

// addItem stores a new Item (e.mu held).
func (s *state) addItem(it *item) {
	s.items[it.ID] = it
	s.byAccess[it.AccessToken] = it
}

// removeItem forgets an Item and every token that leads to it (e.mu held).
func (s *state) removeItem(it *item) {
	delete(s.items, it.ID)
	delete(s.byAccess, it.AccessToken)
	for tok, pt := range s.publicTokens {
		if pt.ItemID == it.ID {
			delete(s.publicTokens, tok)
		}
	}
	for tok, lt := range s.linkTokens {
		if lt.ItemID == it.ID {
			delete(s.linkTokens, tok)
		}
	}
	if s.prod != nil {
		for tok, pt := range s.prod.ProcessorTokens {
			if pt.ItemID == it.ID {
				delete(s.prod.ProcessorTokens, tok)
			}
		}
	}
}

// sweep forgets tokens that expired long ago, once every sweepEvery token
// creations (e.mu held), so a long-running emulator does not grow forever.
func (s *state) sweep(now time.Time) {
	s.creations++
	if s.creations < sweepEvery {
		return
	}
	s.creations = 0
	cutoff := now.Add(-expiredTokenRetention)
	for tok, lt := range s.linkTokens {
		if lt.Expiration.Before(cutoff) {
			delete(s.linkTokens, tok)
		}
	}
	for tok, pt := range s.publicTokens {
		if pt.ExpiresAt.Before(cutoff) {
			delete(s.publicTokens, tok)
		}
	}
}
