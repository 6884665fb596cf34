package emulator

import (
	"slices"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// addableAfterLink are the products Plaid adds to an Item the first time
// one of their endpoints is called ("adding products post-Link"): billing
// starts then. Every other product must be in the link_token's products
// (or /sandbox/public_token/create's initial_products) when the Item is
// created; calling its endpoints otherwise gives PRODUCT_NOT_ENABLED.
var addableAfterLink = map[string]bool{
	"transactions": true, "auth": true, "identity": true, "identity_match": true,
	"investments": true, "liabilities": true, "signal": true,
}

// ensureProduct makes sure the Item may use product p: billed already,
// or added now when Plaid allows adding it after Link and the institution
// supports it. It reports whether p was added.
func (it *item) ensureProduct(p string) (bool, *sandbox.Error) {
	if it.hasProduct(p) {
		return false, nil
	}
	inst, _ := sandbox.InstitutionByID(it.InstitutionID)
	if !slices.Contains(inst.Products, p) {
		return false, apiError("PRODUCTS_NOT_SUPPORTED", "%s (%s) does not support %s; it supports: %v", inst.Name, it.InstitutionID, p, inst.Products)
	}
	if !addableAfterLink[p] {
		return false, apiError("PRODUCT_NOT_ENABLED", "the Item was not created with %s, which cannot be added after Link: create the link_token (or /sandbox/public_token/create's initial_products) with %q in products and link the Item again; it has: %v", p, p, it.Billed)
	}
	it.Billed = append(it.Billed, p)
	return true, nil
}

// useProduct is ensureProduct for an endpoint handler: it records the
// change when p was added (e.mu held).
func (e *Emulator) useProduct(it *item, p string) *sandbox.Error {
	added, err := it.ensureProduct(p)
	if added {
		e.changedItem(it)
	}
	return err
}

// productState is the product data that lives beside Items: Signal
// evaluations, asset reports, transfers, payments, users and processor
// tokens. It is saved in the state file.
type productState struct {
	Signals         map[string]*signalEval     `json:"signals,omitempty"`          // by client_transaction_id
	AssetReports    map[string]*assetReport    `json:"asset_reports,omitempty"`    // by asset_report_token
	Users           map[string]*userRecord     `json:"users,omitempty"`            // by client_user_id
	ProcessorTokens map[string]*processorToken `json:"processor_tokens,omitempty"` // by token
	Transfer        *transferState             `json:"transfer,omitempty"`
	Payments        *paymentState              `json:"payments,omitempty"`
}

// products returns the product state, creating it on first use (e.mu held).
func (s *state) products() *productState {
	if s.prod == nil {
		s.prod = &productState{}
	}
	return s.prod
}

// val is *p, or T's zero value when p is nil.
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// newUUID is a random UUID v4.
func newUUID() string { return uuid.NewString() }
