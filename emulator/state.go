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
	// maxRememberedTokens bounds the link tokens, and the public tokens,
	// the emulator remembers: past it the oldest are forgotten first, even
	// before they expire (a load test makes that many in seconds; a person
	// makes a few a minute).
	maxRememberedTokens = 100_000
)

// state is everything the emulator knows. Emulator.mu guards it.
type state struct {
	items        map[string]*item        // by item_id
	byAccess     map[string]*item        // by access_token
	linkTokens   map[string]*linkToken   // by token
	publicTokens map[string]*publicToken // by token
	// linkQueue and publicQueue hold the tokens in the order they were
	// created, which is the order they are forgotten in.
	linkQueue, publicQueue tokenQueue
	prod                   *productState // product data beyond Items (see products.go); nil until used
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
	// Update-mode variants (item_update.go): accounts opened at the bank
	// but not shared yet, and when the user's consent runs out.
	PendingAccounts   []sandbox.AccountTemplate `json:"pending_accounts,omitempty"`
	ConsentExpiration *time.Time                `json:"consent_expiration_time,omitempty"`
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

// addLinkToken remembers a new link_token and forgets the oldest ones
// past their retention or beyond maxRememberedTokens (e.mu held).
func (s *state) addLinkToken(lt *linkToken, now time.Time) {
	s.linkTokens[lt.Token] = lt
	s.linkQueue.push(lt.Token, lt.Expiration.Add(expiredTokenRetention))
	s.linkQueue.expire(now, func(tok string) { delete(s.linkTokens, tok) })
}

// addPublicToken is addLinkToken for a public_token (e.mu held).
func (s *state) addPublicToken(pt *publicToken, now time.Time) {
	s.publicTokens[pt.Token] = pt
	s.publicQueue.push(pt.Token, pt.ExpiresAt.Add(expiredTokenRetention))
	s.publicQueue.expire(now, func(tok string) { delete(s.publicTokens, tok) })
}

// requeue rebuilds the queues from the token maps, oldest first (after
// loading a state file).
func (s *state) requeue() {
	links := make([]*linkToken, 0, len(s.linkTokens))
	for _, lt := range s.linkTokens {
		links = append(links, lt)
	}
	slices.SortFunc(links, func(a, b *linkToken) int { return a.CreatedAt.Compare(b.CreatedAt) })
	s.linkQueue = tokenQueue{}
	for _, lt := range links {
		s.linkQueue.push(lt.Token, lt.Expiration.Add(expiredTokenRetention))
	}
	publics := make([]*publicToken, 0, len(s.publicTokens))
	for _, pt := range s.publicTokens {
		publics = append(publics, pt)
	}
	slices.SortFunc(publics, func(a, b *publicToken) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
	s.publicQueue = tokenQueue{}
	for _, pt := range publics {
		s.publicQueue.push(pt.Token, pt.ExpiresAt.Add(expiredTokenRetention))
	}
}

// tokenQueue is a FIFO of tokens in creation order, each with the time
// after which it may be forgotten. Tokens are created in time order, so
// expiring is a look at the front: O(1) amortized per token, instead of a
// sweep of every token under the state mutex. Lifetimes differ (a 30 min
// update-mode link_token may sit behind a 4 h one), so a token can be kept
// up to the difference longer, never shorter.
type tokenQueue struct {
	q    []queuedToken
	head int
}

type queuedToken struct {
	token    string
	forgetAt time.Time
}

func (tq *tokenQueue) len() int { return len(tq.q) - tq.head }

func (tq *tokenQueue) push(token string, forgetAt time.Time) {
	if tq.head > 1024 && tq.head*2 >= len(tq.q) {
		n := copy(tq.q, tq.q[tq.head:])
		clear(tq.q[n:])
		tq.q, tq.head = tq.q[:n], 0
	}
	tq.q = append(tq.q, queuedToken{token: token, forgetAt: forgetAt})
}

// expire forgets the front tokens whose time has come, and any beyond
// maxRememberedTokens.
func (tq *tokenQueue) expire(now time.Time, forget func(token string)) {
	for tq.len() > 0 {
		front := &tq.q[tq.head]
		if tq.len() <= maxRememberedTokens && now.Before(front.forgetAt) {
			return
		}
		forget(front.token)
		*front = queuedToken{}
		tq.head++
	}
}
