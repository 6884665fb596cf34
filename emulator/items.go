package emulator

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// itemJSON is Plaid's Item object.
type itemJSON struct {
	ItemID                string     `json:"item_id"`
	InstitutionID         *string    `json:"institution_id"`
	Webhook               *string    `json:"webhook"`
	Error                 *errorJSON `json:"error"`
	AvailableProducts     []string   `json:"available_products"`
	BilledProducts        []string   `json:"billed_products"`
	Products              []string   `json:"products"`
	ConsentedProducts     []string   `json:"consented_products"`
	ConsentExpirationTime *time.Time `json:"consent_expiration_time"`
	UpdateType            string     `json:"update_type"`
}

// render returns the Item as Plaid shows it.
func (it *item) render() itemJSON {
	j := itemJSON{
		ItemID:            it.ID,
		InstitutionID:     nonEmpty(it.InstitutionID),
		Webhook:           nonEmpty(it.Webhook),
		AvailableProducts: it.available(),
		BilledProducts:    slices.Clone(it.Billed),
		Products:          slices.Clone(it.Billed),
		ConsentedProducts: slices.Clone(it.Billed),
		UpdateType:        "background",
	}
	if it.ConsentExpiration != nil {
		t := it.ConsentExpiration.UTC()
		j.ConsentExpirationTime = &t
	}
	if it.Error != nil {
		j.Error = newErrorJSON(it.Error, "")
	}
	return j
}

// available lists what the Item can start using now: balance, and the
// institution's products the Item is not billed for that Plaid adds after
// Link when their endpoints are first called (addableAfterLink). Products
// that must be chosen in Link (statements, transfer, income...) are not
// available to an Item created without them: their endpoints answer
// PRODUCT_NOT_ENABLED.
func (it *item) available() []string {
	out := []string{}
	inst, _ := sandbox.InstitutionByID(it.InstitutionID)
	for _, p := range append(slices.Clone(inst.Products), "balance") {
		if (p == "balance" || addableAfterLink[p]) && !it.hasProduct(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// nonEmpty is s, or nil (JSON null) when s is empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// newItem describes an Item to create.
type newItem struct {
	institutionID string
	products      []string
	webhook       string
	accounts      []sandbox.AccountTemplate
	// verification is the verification_status of the accounts with
	// numbers (pending_automatic_verification for an Automated
	// Micro-deposits Item), or "".
	verification string
}

// Verification statuses of accounts linked by micro-deposits.
const (
	pendingAutomaticVerification = "pending_automatic_verification"
	pendingManualVerification    = "pending_manual_verification"
)

// automatedMicroDeposits reports whether an Item linked at inst with
// products, by a login with the Automated Micro-deposits credentials, goes
// through that flow: the institution supports it and auth or transfer is
// requested (Plaid's Automated Micro-deposits docs).
func automatedMicroDeposits(inst sandbox.Institution, products []string) bool {
	return inst.AuthMethods != nil && inst.AuthMethods.AutomatedMicroDeposits &&
		(slices.Contains(products, "auth") || slices.Contains(products, "transfer"))
}

// createItemLocked creates an Item and a public_token for it (e.mu held).
// /sandbox/public_token/create and the emulated Link both create Items here.
func (e *Emulator) createItemLocked(spec newItem) (*item, string) {
	now := e.Now().Truncate(time.Second)
	it := &item{
		ID:            newObjectID(),
		InstitutionID: spec.institutionID,
		AccessToken:   newToken(kindAccess),
		Webhook:       spec.webhook,
		Billed:        slices.Clone(spec.products),
		CreatedAt:     now,
	}
	n := 0
	for _, tmpl := range spec.accounts {
		if tmpl.Canned == "" {
			n += len(tmpl.Transactions)
		}
	}
	it.Accounts = make([]account, 0, len(spec.accounts))
	if n > 0 {
		it.Transactions = make([]transaction, 0, n)
	}
	dates := map[int]string{} // DaysAgo -> date
	for _, tmpl := range spec.accounts {
		a := account{ID: newObjectID(), AccountTemplate: tmpl}
		a.Transactions = nil
		if a.hasNumbers() {
			a.VerificationStatus = spec.verification
		}
		if tmpl.Canned == "" {
			for _, t := range tmpl.Transactions {
				if t.Date == "" {
					if _, ok := dates[t.DaysAgo]; !ok {
						dates[t.DaysAgo] = now.AddDate(0, 0, -t.DaysAgo).Format(time.DateOnly)
					}
					t.Date = dates[t.DaysAgo]
				}
				it.Transactions = append(it.Transactions, transaction{ID: newObjectID(), AccountID: a.ID, TransactionTemplate: t})
			}
		}
		it.Accounts = append(it.Accounts, a)
	}
	slices.SortStableFunc(it.Transactions, func(a, b transaction) int { return strings.Compare(a.Date, b.Date) })
	e.st.addItem(it)
	e.changedItem(it)
	if it.hasProduct("transactions") {
		e.announceInitialPull(it)
	}
	return it, e.newPublicTokenLocked(it.ID)
}

// newPublicTokenLocked issues a one-time public_token for an Item (e.mu held).
func (e *Emulator) newPublicTokenLocked(itemID string) string {
	now := e.Now().Truncate(time.Second)
	pt := &publicToken{Token: newToken(kindPublic), ItemID: itemID, ExpiresAt: now.Add(publicTokenLifetime)}
	e.st.addPublicToken(pt, now)
	e.changedPublicToken(pt.Token)
	return pt.Token
}

// itemLocked finds the Item an access_token opens (e.mu held).
func (e *Emulator) itemLocked(token string) (*item, *sandbox.Error) {
	if it, ok := e.st.byAccess[token]; ok {
		return it, nil
	}
	switch tokenKind(token) {
	case kindPublic:
		return nil, apiError("INVALID_ACCESS_TOKEN", "could not find matching access token: this is a public_token; exchange it with /item/public_token/exchange and use the access_token that returns")
	case kindLink:
		return nil, apiError("INVALID_ACCESS_TOKEN", "could not find matching access token: this is a link_token, not an access_token")
	}
	return nil, apiError("INVALID_ACCESS_TOKEN", "could not find matching access token; it may have been rotated by /item/access_token/invalidate or its Item removed")
}

// withItem runs f on the Item token opens, e.mu held.
func (e *Emulator) withItem(token string, f func(it *item) (any, *sandbox.Error)) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, err := e.itemLocked(token)
	if err != nil {
		return nil, err
	}
	return f(it)
}

// withHealthyItem is withItem for data endpoints: an Item in error gives
// its error (e.g. ITEM_LOGIN_REQUIRED) instead.
func (e *Emulator) withHealthyItem(token string, f func(it *item) (any, *sandbox.Error)) (any, *sandbox.Error) {
	return e.withItem(token, func(it *item) (any, *sandbox.Error) {
		if it.Error != nil {
			err := *it.Error
			return nil, &err
		}
		return f(it)
	})
}

// fireLocked queues a webhook about it to url and records it as the Item's
// last webhook (e.mu held). url is usually it.Webhook.
func (e *Emulator) fireLocked(it *item, url, typ, code string, extra map[string]any) {
	body := map[string]any{
		"webhook_type": typ, "webhook_code": code, "item_id": it.ID, "environment": environment,
	}
	maps.Copy(body, extra)
	it.LastWebhook = &webhookMark{SentAt: e.Now().Truncate(time.Second), Code: code}
	e.webhooks.send(url, typ, code, it.ID, body)
	e.changedItem(it)
}

// webhookError is an error as webhooks carry it: with its HTTP status and
// without a request_id.
func webhookError(err *sandbox.Error) *errorJSON {
	j := newErrorJSON(err, "")
	status := err.HTTPStatus()
	j.Status = &status
	return j
}

type accessTokenRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
}

type itemGetResponse struct {
	Item      itemJSON    `json:"item"`
	Status    *itemStatus `json:"status"`
	RequestID string      `json:"request_id"`
}

type itemStatus struct {
	Investments  *productUpdates `json:"investments,omitempty"`
	Transactions *productUpdates `json:"transactions,omitempty"`
	LastWebhook  *webhookMark    `json:"last_webhook"`
}

type productUpdates struct {
	LastSuccessfulUpdate *time.Time `json:"last_successful_update"`
	LastFailedUpdate     *time.Time `json:"last_failed_update"`
}

// itemGet serves /item/get, the one 200 response that carries an Item's
// error.
func itemGet(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		st := &itemStatus{}
		if it.LastWebhook != nil {
			mark := *it.LastWebhook
			st.LastWebhook = &mark
		}
		if it.hasProduct("transactions") {
			updated := it.CreatedAt
			if it.Txn != nil {
				updated = it.Txn.Updated
			}
			st.Transactions = &productUpdates{LastSuccessfulUpdate: &updated}
		}
		if it.hasProduct("investments") {
			created := it.CreatedAt
			st.Investments = &productUpdates{LastSuccessfulUpdate: &created}
		}
		return itemGetResponse{Item: it.render(), Status: st, RequestID: c.requestID}, nil
	})
}

type requestIDResponse struct {
	RequestID string `json:"request_id"`
}

// itemRemove serves /item/remove.
func itemRemove(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		e.st.removeItem(it)
		e.changedItem(it) // absent at the save: its removal is recorded
		return requestIDResponse{RequestID: c.requestID}, nil
	})
}

type webhookUpdateRequest struct {
	AccessToken string  `json:"access_token" plaid:"required"`
	Webhook     *string `json:"webhook"`
}

type itemResponse struct {
	Item      itemJSON `json:"item"`
	RequestID string   `json:"request_id"`
}

// itemWebhookUpdate serves /item/webhook/update: null clears the webhook;
// a new URL gets WEBHOOK_UPDATE_ACKNOWLEDGED.
func itemWebhookUpdate(e *Emulator, c *call, req *webhookUpdateRequest) (any, *sandbox.Error) {
	if req.Webhook != nil {
		if err := checkWebhook(*req.Webhook, "; pass null to remove the Item's webhook"); err != nil {
			return nil, err
		}
	}
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		it.Webhook = ""
		if req.Webhook != nil {
			it.Webhook = *req.Webhook
			e.fireLocked(it, it.Webhook, "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED", map[string]any{
				"new_webhook_url": it.Webhook, "error": nil,
			})
		}
		e.changedItem(it)
		return itemResponse{Item: it.render(), RequestID: c.requestID}, nil
	})
}

type accessTokenInvalidateResponse struct {
	NewAccessToken string `json:"new_access_token"`
	RequestID      string `json:"request_id"`
}

// itemAccessTokenInvalidate serves /item/access_token/invalidate: the
// Item gets a new access_token and the old one stops working at once.
func itemAccessTokenInvalidate(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		delete(e.st.byAccess, it.AccessToken)
		it.AccessToken = newToken(kindAccess)
		e.st.byAccess[it.AccessToken] = it
		e.changedItem(it)
		return accessTokenInvalidateResponse{NewAccessToken: it.AccessToken, RequestID: c.requestID}, nil
	})
}

type publicTokenResponse struct {
	PublicToken string     `json:"public_token"`
	Expiration  *time.Time `json:"expiration,omitempty"`
	RequestID   string     `json:"request_id"`
}

// itemPublicTokenCreate serves the deprecated /item/public_token/create.
func itemPublicTokenCreate(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		tok := e.newPublicTokenLocked(it.ID)
		exp := e.st.publicTokens[tok].ExpiresAt
		return publicTokenResponse{PublicToken: tok, Expiration: &exp, RequestID: c.requestID}, nil
	})
}

type publicTokenExchangeRequest struct {
	PublicToken string `json:"public_token" plaid:"required"`
}

type publicTokenExchangeResponse struct {
	AccessToken string `json:"access_token"`
	ItemID      string `json:"item_id"`
	RequestID   string `json:"request_id"`
}

// itemPublicTokenExchange serves /item/public_token/exchange. A
// public_token works once, for 30 minutes.
func itemPublicTokenExchange(e *Emulator, c *call, req *publicTokenExchangeRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pt, ok := e.st.publicTokens[req.PublicToken]
	if !ok {
		if tokenKind(req.PublicToken) == kindAccess {
			return nil, apiError("INVALID_PUBLIC_TOKEN", "could not find matching public token: this is already an access_token; use it directly")
		}
		return nil, apiError("INVALID_PUBLIC_TOKEN", "could not find matching public token; public tokens last 30 minutes and work once, so get a fresh one from Link's onSuccess")
	}
	delete(e.st.publicTokens, req.PublicToken)
	e.changedPublicToken(req.PublicToken)
	now := e.Now()
	if !now.Before(pt.ExpiresAt) {
		return nil, apiError("INVALID_PUBLIC_TOKEN", "could not find matching public token: it expired at %s (public tokens last 30 minutes); exchange it as soon as Link's onSuccess gives it to you", pt.ExpiresAt.Format(time.RFC3339))
	}
	it, ok := e.st.items[pt.ItemID]
	if !ok {
		return nil, apiError("INVALID_PUBLIC_TOKEN", "could not find matching public token: its Item has been removed")
	}
	return publicTokenExchangeResponse{AccessToken: it.AccessToken, ItemID: it.ID, RequestID: c.requestID}, nil
}
