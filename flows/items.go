package flows

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/store"
)

// Item actions: what a user can do with a stored Item outside a flow
// (Home's Item screen, `linkexplorer items`). Each goes through the Env's
// recorded client, so its calls land in the session log with their
// request_ids, in the session WithSession names.

type sessionKey struct{}

// WithSession marks ctx so that the calls made with it outside a run are
// recorded in the store session id (the app's session, or one the CLI
// opened for the command): Item actions' and the API console's calls are
// in the log beside the flows'. Without it they are recorded in no session.
func WithSession(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, sessionKey{}, id)
}

func sessionOf(ctx context.Context) string {
	s, _ := ctx.Value(sessionKey{}).(string)
	return s
}

// ItemAccount is one account of an inspected Item.
type ItemAccount struct {
	ID           string `json:"account_id"`
	Name         string `json:"name"`
	OfficialName string `json:"official_name,omitempty"`
	Mask         string `json:"mask"`
	Type         string `json:"type"`
	Subtype      string `json:"subtype"`
	// Available and Current are nil when the institution gives none.
	Available *float64 `json:"available"`
	Current   *float64 `json:"current"`
	Currency  string   `json:"iso_currency_code"`
}

// ItemInspection is what /item/get and /accounts/get say about an Item.
type ItemInspection struct {
	ItemID          string `json:"item_id"`
	InstitutionID   string `json:"institution_id"`
	InstitutionName string `json:"institution_name"` // from the session log; /item/get gives only the id
	Webhook         string `json:"webhook"`
	// Products are products, else billed_products.
	Products  []string `json:"products"`
	Billed    []string `json:"billed_products"`
	Available []string `json:"available_products"`
	// ConsentExpiration is nil when the institution sets none.
	ConsentExpiration *time.Time `json:"consent_expiration_time"`
	UpdateType        string     `json:"update_type"`
	// Error is item.error: nil for a healthy Item.
	Error *APIError `json:"error"`
	// LastWebhook is status.last_webhook: its code and when it was sent.
	LastWebhookCode string        `json:"last_webhook_code,omitempty"`
	LastWebhookAt   *time.Time    `json:"last_webhook_sent_at,omitempty"`
	Accounts        []ItemAccount `json:"accounts"`
	// AccountsErr is why /accounts/get failed (ITEM_LOGIN_REQUIRED for an
	// Item whose login was reset): /item/get still answered. AccountsError
	// is its text.
	AccountsErr   error  `json:"-"`
	AccountsError string `json:"accounts_error,omitempty"`
	// Status is the Item's status in the session log after the inspection.
	Status string `json:"status"`
	// Calls are the calls made, oldest first, each with its request_id.
	Calls []Call `json:"-"`
}

// ItemActionResult is the outcome of an action on an Item.
type ItemActionResult struct {
	ItemID string `json:"item_id"`
	// Status is the Item's status in the session log after the action.
	Status string `json:"status"`
	// Notes say what happened besides the call, in sentences.
	Notes []string `json:"notes,omitempty"`
	// Webhook is the webhook fire_webhook made, when linkexplorer's
	// receiver got it before FireWebhook returned.
	Webhook *WebhookReceived `json:"webhook,omitempty"`
	// Calls are the calls made, oldest first, each with its request_id.
	Calls []Call `json:"-"`
}

// WebhookChoice is a webhook_code /sandbox/item/fire_webhook can fire.
type WebhookChoice struct {
	Code, Type string
	// Product is the product the Item must have ("" for none).
	Product string
	// Explain says what the webhook tells an app, and what the app does.
	Explain string
}

// FirableWebhooks are the codes of the API schema's
// SandboxItemFireWebhookRequest enum (2020-09-14), plus the ITEM codes
// Sandbox accepts since; the emulator fires each.
var FirableWebhooks = []WebhookChoice{
	{"SYNC_UPDATES_AVAILABLE", "TRANSACTIONS", "transactions", "New transaction updates are ready: call /transactions/sync with your saved cursor until has_more is false."},
	{"DEFAULT_UPDATE", "TRANSACTIONS", "transactions", "New transactions arrived (legacy /transactions/get integrations): fetch the recent ones."},
	{"NEW_ACCOUNTS_AVAILABLE", "ITEM", "", "The user has accounts the Item does not share yet: send them to Link in update mode with account selection enabled."},
	{"RECURRING_TRANSACTIONS_UPDATE", "TRANSACTIONS", "transactions", "Recurring streams changed: call /transactions/recurring/get again."},
	{"AUTH_DATA_UPDATE", "AUTH", "auth", "Account and routing numbers changed: call /auth/get again."},
	{"PRODUCT_READY", "ASSETS", "assets", "An Asset Report is ready: call /asset_report/get."},
	{"ERROR", "ASSETS", "assets", "An Asset Report failed: read error and create it again."},
	{"AUTHORIZATION_GRANTED", "INCOME", "income_verification", "The user granted access to income data."},
	{"PENDING_EXPIRATION", "ITEM", "", "The user's consent expires soon (consent_expiration_time): send them to update mode before it does."},
	{"USER_PERMISSION_REVOKED", "ITEM", "", "The user revoked access at their bank: delete the Item's data, /item/remove it, and offer to link again."},
	{"LOGIN_REPAIRED", "ITEM", "", "The Item's login works again without update mode: clear any \"please log in\" prompt."},
}

// WebhookChoiceFor finds a firable code, case-insensitively.
func WebhookChoiceFor(code string) (WebhookChoice, bool) {
	for _, c := range FirableWebhooks {
		if strings.EqualFold(c.Code, code) {
			return c, true
		}
	}
	return WebhookChoice{}, false
}

// itemActionWebhookWait bounds how long FireWebhook waits for the webhook to reach
// linkexplorer's receiver; a webhook arriving later is recorded all the
// same.
const itemActionWebhookWait = 10 * time.Second

// ErrItemRemoved is returned for an action on an Item the session log
// marks removed.
var ErrItemRemoved = errors.New("the Item was removed: its access_token no longer works; link a new Item (run the Quickstart)")

// itemAccess reads an Item and its access_token from the store, refusing
// removed Items and Items of another API.
func (e *Env) itemAccess(ctx context.Context, itemID string) (store.Item, string, error) {
	it, err := e.Store.Item(ctx, itemID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Item{}, "", fmt.Errorf("no Item %s in the session log: list them with `linkexplorer items`", itemID)
	}
	if err != nil {
		return store.Item{}, "", err
	}
	if it.Status == store.ItemRemoved {
		return it, "", fmt.Errorf("Item %s: %w", itemID, ErrItemRemoved)
	}
	if err := e.sameAPI(it); err != nil {
		return it, "", err
	}
	tok, err := e.Store.AccessToken(ctx, itemID)
	if err != nil {
		return it, "", err
	}
	return it, tok, nil
}

// sameAPI fails for an Item made against another API than the Env's: its
// access_token means nothing there.
func (e *Env) sameAPI(it store.Item) error {
	mode := store.ModeEmulated
	if e.Config.Mode == ModePlaid {
		mode = store.ModePlaid
	}
	if it.Mode != "" && it.Mode != mode {
		return fmt.Errorf("Item %s was linked in %s mode, and this is %s mode: its access_token works only there; restart linkexplorer in %s mode", it.ItemID, it.Mode, mode, it.Mode)
	}
	if mode == store.ModePlaid && it.BaseURL != "" && it.BaseURL != e.Config.BaseURL {
		return fmt.Errorf("Item %s was linked against %s, not %s: its access_token works only there", it.ItemID, it.BaseURL, e.Config.BaseURL)
	}
	return nil
}

// forgetGone marks an Item removed when the API answers that it no longer
// knows it (an emulator reset, a removal elsewhere), and says so.
func (e *Env) forgetGone(ctx context.Context, itemID string, err error) error {
	var ae *APIError
	if !errors.As(err, &ae) || (ae.Code != "INVALID_ACCESS_TOKEN" && ae.Code != "ITEM_NOT_FOUND") {
		return err
	}
	if serr := e.Store.SetItemStatus(ctx, itemID, store.ItemRemoved); serr != nil {
		return errors.Join(err, serr)
	}
	return fmt.Errorf("%w; the API no longer knows Item %s, so the session log now marks it removed", err, itemID)
}

// InspectItem calls /item/get and /accounts/get for an Item, and records
// in the store the status /item/get shows (its error_code, or healthy).
// An /accounts/get failure is not an error: it is in AccountsErr, since
// /item/get answered.
func (e *Env) InspectItem(ctx context.Context, itemID string) (ItemInspection, error) {
	ctx, cc := WithCallCapture(ctx)
	it, tok, err := e.itemAccess(ctx, itemID)
	if err != nil {
		return ItemInspection{}, err
	}
	ins := ItemInspection{ItemID: itemID, InstitutionID: it.InstitutionID, InstitutionName: it.InstitutionName, Status: it.Status}
	api := e.Client.PlaidApi
	resp, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(tok)).Execute()
	ins.Calls = cc.Calls()
	if err != nil {
		return ins, e.forgetGone(ctx, itemID, AsAPIError("/item/get", err))
	}
	if err := requireFields("/item/get", resp.GetRequestId(), "item.item_id", resp.Item.GetItemId()); err != nil {
		return ins, err
	}
	item := resp.Item
	if id := item.GetInstitutionId(); id != "" {
		ins.InstitutionID = id
	}
	ins.Webhook = item.GetWebhook()
	ins.Billed = productNames(item.GetBilledProducts())
	ins.Available = productNames(item.GetAvailableProducts())
	ins.Products = productNames(item.GetProducts())
	if len(ins.Products) == 0 {
		ins.Products = ins.Billed
	}
	if t, ok := item.GetConsentExpirationTimeOk(); ok && t != nil {
		tt := *t
		ins.ConsentExpiration = &tt
	}
	ins.UpdateType = item.GetUpdateType()
	status := store.ItemHealthy
	if pe, ok := item.GetErrorOk(); ok && pe != nil && pe.ErrorCode != "" {
		ins.Error = &APIError{Endpoint: "/item/get", Type: string(pe.ErrorType), Code: pe.ErrorCode, Message: pe.ErrorMessage, RequestID: resp.GetRequestId()}
		status = pe.ErrorCode
	}
	if st, ok := resp.GetStatusOk(); ok && st != nil {
		if lw, ok := st.GetLastWebhookOk(); ok && lw != nil {
			ins.LastWebhookCode = lw.GetCodeSent()
			if t, ok := lw.GetSentAtOk(); ok && t != nil {
				tt := *t
				ins.LastWebhookAt = &tt
			}
		}
	}
	if status != it.Status {
		if err := e.Store.SetItemStatus(ctx, itemID, status); err != nil {
			return ins, err
		}
	}
	ins.Status = status
	acc, _, err := api.AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(tok)).Execute()
	ins.Calls = cc.Calls()
	if err != nil {
		ins.AccountsErr = AsAPIError("/accounts/get", err)
		ins.AccountsError = ins.AccountsErr.Error()
		return ins, nil
	}
	for _, a := range acc.GetAccounts() {
		b := a.GetBalances()
		ia := ItemAccount{
			ID: a.GetAccountId(), Name: a.GetName(), OfficialName: a.GetOfficialName(), Mask: a.GetMask(),
			Type: string(a.GetType()), Subtype: string(a.GetSubtype()), Currency: b.GetIsoCurrencyCode(),
		}
		if v, ok := b.GetAvailableOk(); ok && v != nil {
			x := *v
			ia.Available = &x
		}
		if v, ok := b.GetCurrentOk(); ok && v != nil {
			x := *v
			ia.Current = &x
		}
		ins.Accounts = append(ins.Accounts, ia)
	}
	return ins, nil
}

func productNames(ps []plaid.Products) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	sort.Strings(out)
	return out
}

// ResetLogin calls /sandbox/item/reset_login: the Item needs its user to
// log in again (ITEM_LOGIN_REQUIRED) until update mode repairs it. The
// store records the new status at once; the ITEM ERROR webhook that
// follows (offline) confirms it.
func (e *Env) ResetLogin(ctx context.Context, itemID string) (ItemActionResult, error) {
	ctx, cc := WithCallCapture(ctx)
	res := ItemActionResult{ItemID: itemID}
	_, tok, err := e.itemAccess(ctx, itemID)
	if err != nil {
		return res, err
	}
	resp, _, err := e.Client.PlaidApi.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(tok)).Execute()
	res.Calls = cc.Calls()
	if err != nil {
		return res, e.forgetGone(ctx, itemID, AsAPIError("/sandbox/item/reset_login", err))
	}
	if err := requireFields("/sandbox/item/reset_login", resp.GetRequestId(), "reset_login", resp.GetResetLogin()); err != nil {
		return res, err
	}
	if err := e.Store.SetItemStatus(ctx, itemID, itemLoginRequired); err != nil {
		return res, err
	}
	res.Status = itemLoginRequired
	res.Notes = append(res.Notes, "The Item now needs its user to log in again: /item/get shows ITEM_LOGIN_REQUIRED in item.error, and data endpoints fail with it. Repair it with \"Use for update mode\".")
	if e.WebhookURL() != "" {
		res.Notes = append(res.Notes, "An ITEM ERROR webhook follows if the Item's webhook points at linkexplorer (see the session log).")
	}
	return res, nil
}

// RemoveItem calls /item/remove: the access_token stops working for good.
// The store marks the Item removed (and keeps its history).
func (e *Env) RemoveItem(ctx context.Context, itemID string) (ItemActionResult, error) {
	ctx, cc := WithCallCapture(ctx)
	res := ItemActionResult{ItemID: itemID}
	_, tok, err := e.itemAccess(ctx, itemID)
	if err != nil {
		return res, err
	}
	resp, _, err := e.Client.PlaidApi.ItemRemove(ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(tok)).Execute()
	res.Calls = cc.Calls()
	if err != nil {
		return res, e.forgetGone(ctx, itemID, AsAPIError("/item/remove", err))
	}
	if err := requireFields("/item/remove", resp.GetRequestId()); err != nil {
		return res, err
	}
	if err := e.Store.SetItemStatus(ctx, itemID, store.ItemRemoved); err != nil {
		return res, err
	}
	res.Status = store.ItemRemoved
	res.Notes = append(res.Notes, "The Item is removed: its access_token no longer works (INVALID_ACCESS_TOKEN / ITEM_NOT_FOUND). Delete it from your database too.")
	return res, nil
}

// FireWebhook calls /sandbox/item/fire_webhook with code. Offline it first
// points the Item's webhook at this process's receiver when it points
// elsewhere (an Item from an earlier run), with /item/webhook/update, and
// then waits a little for the webhook to arrive, so that the result can
// show it; it is in the session log either way. Against real Plaid the
// webhook goes to the Item's own webhook URL.
func (e *Env) FireWebhook(ctx context.Context, itemID, code string) (ItemActionResult, error) {
	ctx, cc := WithCallCapture(ctx)
	res := ItemActionResult{ItemID: itemID}
	choice, ok := WebhookChoiceFor(code)
	if !ok {
		return res, fmt.Errorf("unknown webhook code %q: use one of %s", code, firableList())
	}
	it, tok, err := e.itemAccess(ctx, itemID)
	if err != nil {
		return res, err
	}
	res.Status = it.Status
	api := e.Client.PlaidApi
	here := e.WebhookURL()
	if here != "" {
		got, _, err := api.ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(tok)).Execute()
		res.Calls = cc.Calls()
		if err != nil {
			return res, e.forgetGone(ctx, itemID, AsAPIError("/item/get", err))
		}
		if got.Item.GetWebhook() != here {
			req := plaid.NewItemWebhookUpdateRequest(tok)
			req.SetWebhook(here)
			if _, _, err := api.ItemWebhookUpdate(ctx).ItemWebhookUpdateRequest(*req).Execute(); err != nil {
				res.Calls = cc.Calls()
				return res, AsAPIError("/item/webhook/update", err)
			}
			res.Notes = append(res.Notes, "The Item's webhook pointed elsewhere (an earlier linkexplorer); /item/webhook/update pointed it here first, which sends WEBHOOK_UPDATE_ACKNOWLEDGED.")
		}
	}
	var wait chan WebhookReceived
	if here != "" {
		wait = e.awaitWebhook(itemID, choice.Code, sessionOf(ctx))
		defer e.stopAwait(wait)
	}
	req := plaid.NewSandboxItemFireWebhookRequest(tok, choice.Code)
	req.SetWebhookType(plaid.WebhookType(choice.Type))
	resp, _, err := api.SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(*req).Execute()
	res.Calls = cc.Calls()
	if err != nil {
		return res, e.forgetGone(ctx, itemID, AsAPIError("/sandbox/item/fire_webhook", err))
	}
	if err := requireFields("/sandbox/item/fire_webhook", resp.GetRequestId(), "webhook_fired", resp.GetWebhookFired()); err != nil {
		return res, err
	}
	if wait == nil {
		res.Notes = append(res.Notes, "Plaid sends the webhook to the Item's webhook URL: real Plaid cannot reach linkexplorer on loopback, so look for it at your own receiver.")
		return res, nil
	}
	timer := time.NewTimer(itemActionWebhookWait)
	defer timer.Stop()
	select {
	case wh := <-wait:
		res.Webhook = &wh
		if it, err := e.Store.Item(ctx, itemID); err == nil {
			res.Status = it.Status
		}
	case <-timer.C:
		res.Notes = append(res.Notes, fmt.Sprintf("The webhook had not arrived after %s; it joins the session log when it does.", itemActionWebhookWait))
	case <-ctx.Done():
	}
	return res, nil
}

func firableList() string {
	s := ""
	for i, c := range FirableWebhooks {
		if i > 0 {
			s += ", "
		}
		s += c.Code
	}
	return s
}

// webhookWaiter is an Item action waiting for its webhook: the session it
// records the webhook in, and where to hand it.
type webhookWaiter struct {
	itemID, code, session string
	ch                    chan WebhookReceived
}

// itemWaiters are the Item actions waiting for webhooks.
type itemWaiters struct {
	mu      sync.Mutex
	waiters []*webhookWaiter
}

func (e *Env) awaitWebhook(itemID, code, session string) chan WebhookReceived {
	w := &webhookWaiter{itemID: itemID, code: code, session: session, ch: make(chan WebhookReceived, 1)}
	e.waiters.mu.Lock()
	e.waiters.waiters = append(e.waiters.waiters, w)
	e.waiters.mu.Unlock()
	return w.ch
}

func (e *Env) stopAwait(ch chan WebhookReceived) {
	e.waiters.mu.Lock()
	defer e.waiters.mu.Unlock()
	for i, w := range e.waiters.waiters {
		if w.ch == ch {
			e.waiters.waiters = append(e.waiters.waiters[:i], e.waiters.waiters[i+1:]...)
			return
		}
	}
}

// webhookSession is the session of the Item action waiting for a webhook
// about itemID; ok is false when none is.
func (e *Env) webhookSession(itemID string) (session string, ok bool) {
	e.waiters.mu.Lock()
	defer e.waiters.mu.Unlock()
	for _, w := range e.waiters.waiters {
		if w.itemID == itemID {
			return w.session, true
		}
	}
	return "", false
}

// deliverWebhook hands a received webhook to the Item action waiting for
// it.
func (e *Env) deliverWebhook(wh WebhookReceived) {
	e.waiters.mu.Lock()
	defer e.waiters.mu.Unlock()
	for _, w := range e.waiters.waiters {
		if w.itemID == wh.ItemID && w.code == wh.WebhookCode {
			select {
			case w.ch <- wh:
			default:
			}
		}
	}
}

// useChosenItem is update mode's pick-item for RunOptions.ItemID: that
// Item, checked with /item/get, with its webhook pointed here (offline).
// It fails, rather than making another Item, when the Item cannot be used.
func (r *Run) useChosenItem(ctx context.Context) error {
	id := r.opts.ItemID
	it, tok, err := r.env.itemAccess(ctx, id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.st.accessToken, r.st.item = tok, id
	r.st.institutionID, r.st.institutionName = it.InstitutionID, it.InstitutionName
	r.mu.Unlock()
	if _, err := r.getItem(ctx); err != nil {
		r.forgetItem()
		return r.env.forgetGone(ctx, id, err)
	}
	r.fact("item_id", id+" (chosen on Home)")
	return r.pointWebhookHere(ctx)
}
