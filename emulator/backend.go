package emulator

import (
	"cmp"

	"github.com/linkexplorer/linkexplorer/emulator/link"
	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// This file implements link.Backend: the emulator state as the emulated
// Link sees it.

// LinkToken looks up a link_token. An unknown, expired or invalidated
// token yields a *sandbox.Error with code INVALID_LINK_TOKEN.
func (e *Emulator) LinkToken(token string) (link.TokenInfo, error) {
	info, err := e.linkToken(token)
	if err != nil {
		return link.TokenInfo{}, err
	}
	return info, nil
}

// InvalidateLinkToken makes the token unusable from now on.
func (e *Emulator) InvalidateLinkToken(token string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if lt, ok := e.st.linkTokens[token]; ok && lt.InvalidatedAt == nil {
		now := e.Now()
		lt.InvalidatedAt = &now
		e.changedLinkToken(token)
	}
}

// CreateItem creates an Item for a completed new-Item Link session, on the
// same path as /sandbox/public_token/create, and returns a fresh one-time
// public_token for it.
func (e *Emulator) CreateItem(ni link.NewItem) (link.CreatedItem, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	info, perr := e.linkTokenLocked(ni.LinkToken)
	if perr != nil {
		return link.CreatedItem{}, perr
	}
	if info.UpdateMode {
		return link.CreatedItem{}, apiError("INVALID_LINK_TOKEN", "invalid link_token provided: it is an update-mode token for Item %s; repair that Item instead of creating one", info.ItemID)
	}
	inst, ok := sandbox.InstitutionByID(ni.InstitutionID)
	if !ok {
		return link.CreatedItem{}, apiError("INVALID_INSTITUTION", "invalid institution_id provided: %q", ni.InstitutionID)
	}
	products := ni.Products
	if len(products) == 0 {
		products = info.Products
	}
	if perr := checkItemProducts(inst, products, "products"); perr != nil {
		return link.CreatedItem{}, perr
	}
	spec := newItem{
		institutionID: inst.ID, products: products,
		webhook: cmp.Or(ni.Webhook, info.Webhook), accounts: ni.Accounts,
	}
	if ni.AutomatedMicroDeposits && info.AutomatedMicroDeposits && automatedMicroDeposits(inst, products) {
		spec.verification = pendingAutomaticVerification
	}
	it, tok := e.createItemLocked(spec)
	return link.CreatedItem{ItemID: it.ID, PublicToken: tok, AccountIDs: it.accountIDs(), VerificationStatus: spec.verification}, nil
}

// RepairItem is update mode's repair: it clears the Item's error in place
// (same item_id, same access_token), fires LOGIN_REPAIRED when the Item was
// in error and has a webhook, and returns a fresh public_token that the
// client need not exchange (exchanging it yields the same access_token).
func (e *Emulator) RepairItem(itemID string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.st.items[itemID]
	if !ok {
		return "", apiError("ITEM_NOT_FOUND", "the Item %s does not exist (it may have been removed)", itemID)
	}
	if it.Error != nil {
		it.Error = nil
		if it.Webhook != "" {
			e.fireLocked(it, it.Webhook, "ITEM", "LOGIN_REPAIRED", nil)
		}
	}
	if it.ConsentExpiration != nil {
		e.renewConsentLocked(it)
		e.changedItem(it)
	}
	return e.newPublicTokenLocked(it.ID), nil
}

// ItemAccounts returns the Item's accounts, with their ids.
func (e *Emulator) ItemAccounts(itemID string) ([]link.ItemAccount, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.st.items[itemID]
	if !ok {
		return nil, apiError("ITEM_NOT_FOUND", "the Item %s does not exist (it may have been removed)", itemID)
	}
	out := make([]link.ItemAccount, len(it.Accounts))
	for i, a := range it.Accounts {
		out[i] = link.ItemAccount{ID: a.ID, Name: a.Name, Mask: deref(a.Mask), Type: a.Type, Subtype: deref(a.Subtype),
			VerificationStatus: a.VerificationStatus}
	}
	return out, nil
}
