package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/link"
	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// The update-mode variants: an Item whose user opened a new account at the
// bank (NEW_ACCOUNTS_AVAILABLE, then update mode with account selection),
// and an Item whose consent runs out (PENDING_EXPIRATION or
// PENDING_DISCONNECT, then update mode renews it).

const (
	// consentWarning is how far ahead Plaid warns of an expiring consent
	// (reference §3.6: "Consent expires in 7 days").
	consentWarning = 7 * 24 * time.Hour
	// consentRenewal is the consent a user grants again in update mode.
	consentRenewal = 365 * 24 * time.Hour
	// newAccountPrefix marks NewAccounts' placeholder ids.
	newAccountPrefix = "new-"
)

// newAccountTemplate is the n-th (from 1) account the user opens at the
// bank after linking: a savings account with its own numbers.
func newAccountTemplate(n int) sandbox.AccountTemplate {
	mask := fmt.Sprintf("%04d", 1000+n)
	sub, official := "savings", "Plaid Bronze Standard 0.2% Interest Saving"
	avail, cur := 250.0*float64(n), 250.0*float64(n)
	return sandbox.AccountTemplate{
		Name: fmt.Sprintf("Plaid New Savings %d", n), OfficialName: &official, Mask: &mask,
		Type: "depository", Subtype: &sub, Available: &avail, Current: &cur, Currency: "USD",
		ACH: &sandbox.ACHNumbers{Account: "11112222" + mask, Routing: sandbox.DefaultRouting, WireRouting: sandbox.DefaultWireRouting},
	}
}

// newAccountsAvailable is NEW_ACCOUNTS_AVAILABLE's effect: the user opened
// one more account at the bank, which the Item does not share until update
// mode with account selection (e.mu held).
func newAccountsAvailable(_ *Emulator, it *item) map[string]any {
	n := len(it.PendingAccounts) + 1
	for _, a := range it.Accounts {
		if strings.HasPrefix(a.Name, "Plaid New Savings ") {
			n++
		}
	}
	it.PendingAccounts = append(it.PendingAccounts, newAccountTemplate(n))
	return map[string]any{"error": nil}
}

// expireConsentSoon sets the Item's consent to run out in consentWarning
// (e.mu held).
func expireConsentSoon(e *Emulator, it *item) time.Time {
	t := e.Now().Add(consentWarning).UTC().Truncate(time.Second)
	it.ConsentExpiration = &t
	return t
}

// pendingExpiration is PENDING_EXPIRATION: consent ends in 7 days.
func pendingExpiration(e *Emulator, it *item) map[string]any {
	return map[string]any{"consent_expiration_time": expireConsentSoon(e, it)}
}

// pendingDisconnect is PENDING_DISCONNECT, later API versions' US/CA form:
// the Item will disconnect unless the user goes through update mode.
func pendingDisconnect(e *Emulator, it *item) map[string]any {
	expireConsentSoon(e, it)
	return map[string]any{"reason": "INSTITUTION_TOKEN_EXPIRATION"}
}

// renewConsentLocked is update mode's effect on an Item whose consent was
// set to expire: the user consented again (e.mu held).
func (e *Emulator) renewConsentLocked(it *item) {
	if it.ConsentExpiration == nil {
		return
	}
	t := e.Now().Add(consentRenewal).UTC().Truncate(time.Second)
	it.ConsentExpiration = &t
}

// NewAccounts returns the accounts the Item's user opened at the bank that
// the Item does not share yet, with placeholder ids.
func (e *Emulator) NewAccounts(itemID string) ([]link.ItemAccount, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.st.items[itemID]
	if !ok {
		return nil, apiError("ITEM_NOT_FOUND", "the Item %s does not exist (it may have been removed)", itemID)
	}
	out := make([]link.ItemAccount, len(it.PendingAccounts))
	for i, a := range it.PendingAccounts {
		out[i] = link.ItemAccount{ID: newAccountPrefix + strconv.Itoa(i), Name: a.Name, Mask: deref(a.Mask), Type: a.Type, Subtype: deref(a.Subtype)}
	}
	return out, nil
}

// ShareAccounts makes the selected accounts the Item's shared set: selected
// new accounts become accounts of the Item (with fresh account_ids), and
// deselected accounts stop being shared (they wait with the new ones, to be
// selected again in a later update mode).
func (e *Emulator) ShareAccounts(itemID string, ids []string) (map[string]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.st.items[itemID]
	if !ok {
		return nil, apiError("ITEM_NOT_FOUND", "the Item %s does not exist (it may have been removed)", itemID)
	}
	if len(ids) == 0 {
		return nil, apiError("INVALID_FIELD", "at least one account must stay selected")
	}
	out := make(map[string]string, len(ids))
	var (
		keep    []account
		pending []sandbox.AccountTemplate
	)
	for _, a := range it.Accounts {
		if slices.Contains(ids, a.ID) {
			keep = append(keep, a)
			out[a.ID] = a.ID
		} else {
			pending = append(pending, a.AccountTemplate)
		}
	}
	for i, tmpl := range it.PendingAccounts {
		id := newAccountPrefix + strconv.Itoa(i)
		if !slices.Contains(ids, id) {
			pending = append(pending, tmpl)
			continue
		}
		a := account{ID: newObjectID(), AccountTemplate: tmpl}
		a.Transactions = nil
		keep = append(keep, a)
		out[id] = a.ID
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, apiError("INVALID_ACCOUNT_ID", "account %q is neither an account of the Item nor a new one", id)
		}
	}
	it.Accounts, it.PendingAccounts = keep, pending
	e.changedItem(it)
	return out, nil
}
