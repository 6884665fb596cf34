package emulator

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

type sandboxPublicTokenCreateRequest struct {
	InstitutionID   string   `json:"institution_id" plaid:"required"`
	InitialProducts []string `json:"initial_products" plaid:"required"`
	Options         *struct {
		Webhook          *string `json:"webhook"`
		OverrideUsername *string `json:"override_username"`
		OverridePassword *string `json:"override_password"`
	} `json:"options"`
}

// sandboxPublicTokenCreate serves /sandbox/public_token/create: it creates
// an Item at once, bypassing Link, with the Sandbox credential rules
// (MFA is skipped).
func sandboxPublicTokenCreate(e *Emulator, c *call, req *sandboxPublicTokenCreateRequest) (any, *sandbox.Error) {
	inst, ok := sandbox.InstitutionByID(req.InstitutionID)
	if !ok {
		return nil, apiError("INVALID_INSTITUTION", "invalid institution_id provided: %q is not a Sandbox institution (try ins_109508, First Platypus Bank)", req.InstitutionID)
	}
	if err := checkItemProducts(inst, req.InitialProducts, "initial_products"); err != nil {
		return nil, err
	}
	username, password, webhook := sandbox.UserGood, sandbox.PassGood, ""
	if o := req.Options; o != nil {
		if o.Webhook != nil {
			if err := checkWebhook(*o.Webhook, ""); err != nil {
				return nil, err
			}
			webhook = *o.Webhook
		}
		username = cmp.Or(deref(o.OverrideUsername), username)
		password = cmp.Or(deref(o.OverridePassword), password)
	}
	outcome := evaluate(username, password)
	if outcome.Err != nil {
		return nil, outcome.Err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	spec := newItem{institutionID: inst.ID, products: req.InitialProducts, webhook: webhook, accounts: outcome.Accounts}
	if outcome.AutomatedMicroDeposits && automatedMicroDeposits(inst, req.InitialProducts) {
		// As in Link, where the user links the one checking account
		// (Plaid Checking ****0000) for Automated Micro-deposits.
		spec.verification = pendingAutomaticVerification
		spec.accounts = microDepositAccounts(outcome.Accounts)
	}
	_, tok := e.createItemLocked(spec)
	return publicTokenResponse{PublicToken: tok, RequestID: c.requestID}, nil
}

// microDepositAccounts is the account an Automated Micro-deposits Item
// links: the first checking account.
func microDepositAccounts(all []sandbox.AccountTemplate) []sandbox.AccountTemplate {
	for _, a := range all {
		if a.Type == "depository" && deref(a.Subtype) == "checking" && a.ACH != nil {
			return []sandbox.AccountTemplate{a}
		}
	}
	return all
}

// defaultLogin is the outcome of user_good/pass_good, computed once: the
// Sandbox data is pure, and most Items are created with it.
var defaultLogin = sync.OnceValue(func() sandbox.Outcome { return sandbox.Evaluate(sandbox.UserGood, sandbox.PassGood) })

// evaluate is sandbox.Evaluate, with the default login's outcome reused.
// Callers only read the outcome's accounts.
func evaluate(username, password string) sandbox.Outcome {
	if username == sandbox.UserGood && password == sandbox.PassGood {
		return defaultLogin()
	}
	return sandbox.Evaluate(username, password)
}

// checkItemProducts validates the products an Item is created with: a
// non-empty list of products the institution supports.
func checkItemProducts(inst sandbox.Institution, products []string, field string) *sandbox.Error {
	if len(products) == 0 {
		return apiError("INVALID_FIELD", "%s must list at least one product, e.g. [\"transactions\"]", field)
	}
	if err := checkProducts(field, products); err != nil {
		return err
	}
	for _, p := range products {
		if !slices.Contains(inst.Products, p) {
			return apiError("PRODUCTS_NOT_SUPPORTED", "%s (%s) does not support %s; it supports: %v", inst.Name, inst.ID, p, inst.Products)
		}
	}
	return nil
}

type resetLoginResponse struct {
	ResetLogin bool   `json:"reset_login"`
	RequestID  string `json:"request_id"`
}

// sandboxItemResetLogin serves /sandbox/item/reset_login: the Item needs
// a new login (ITEM_LOGIN_REQUIRED) until update mode repairs it, and an
// ITEM ERROR webhook goes out.
func sandboxItemResetLogin(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		it.Error = sandbox.NewError("ITEM_LOGIN_REQUIRED", "")
		e.changedItem(it)
		if it.Webhook != "" {
			e.fireLocked(it, it.Webhook, "ITEM", "ERROR", map[string]any{"error": webhookError(it.Error)})
		}
		return resetLoginResponse{ResetLogin: true, RequestID: c.requestID}, nil
	})
}

type fireWebhookRequest struct {
	AccessToken string  `json:"access_token" plaid:"required"`
	WebhookType *string `json:"webhook_type"`
	WebhookCode string  `json:"webhook_code" plaid:"required"`
}

type fireWebhookResponse struct {
	WebhookFired bool   `json:"webhook_fired"`
	RequestID    string `json:"request_id"`
}

// firable describes a webhook_code /sandbox/item/fire_webhook can fire.
type firable struct {
	typ     string
	product string // the Item must have it; "" for none
	body    func(e *Emulator, it *item) map[string]any
}

// firableWebhooks are the codes of the v20 enumeration plus the ITEM codes
// later versions added.
var firableWebhooks = map[string]firable{
	"DEFAULT_UPDATE": {"TRANSACTIONS", "transactions", func(_ *Emulator, _ *item) map[string]any {
		return map[string]any{"new_transactions": 0, "error": nil}
	}},
	"SYNC_UPDATES_AVAILABLE": {"TRANSACTIONS", "transactions", func(_ *Emulator, _ *item) map[string]any {
		return map[string]any{"initial_update_complete": true, "historical_update_complete": true}
	}},
	"RECURRING_TRANSACTIONS_UPDATE": {"TRANSACTIONS", "transactions", func(_ *Emulator, it *item) map[string]any {
		return map[string]any{"account_ids": it.accountIDs()}
	}},
	"NEW_ACCOUNTS_AVAILABLE":  {"ITEM", "", newAccountsAvailable},
	"LOGIN_REPAIRED":          {"ITEM", "", nil},
	"USER_PERMISSION_REVOKED": {"ITEM", "", nil},
	"PENDING_EXPIRATION":      {"ITEM", "", pendingExpiration},
	"PENDING_DISCONNECT":      {"ITEM", "", pendingDisconnect},
	"AUTH_DATA_UPDATE": {"AUTH", "auth", func(_ *Emulator, it *item) map[string]any {
		return map[string]any{"account_ids": it.accountIDs()}
	}},
	"AUTHORIZATION_GRANTED": {"INCOME", "income_verification", nil},
	"PRODUCT_READY": {"ASSETS", "assets", func(_ *Emulator, _ *item) map[string]any {
		return map[string]any{"asset_report_id": newObjectID()}
	}},
	"ERROR": {"ASSETS", "assets", func(_ *Emulator, _ *item) map[string]any {
		return map[string]any{"asset_report_id": newObjectID(), "error": webhookError(sandbox.NewError("PRODUCT_NOT_READY", ""))}
	}},
}

// sandboxItemFireWebhook serves /sandbox/item/fire_webhook.
func sandboxItemFireWebhook(e *Emulator, c *call, req *fireWebhookRequest) (any, *sandbox.Error) {
	f, ok := firableWebhooks[req.WebhookCode]
	if !ok {
		return nil, apiError("INVALID_FIELD", "webhook_code %q cannot be fired; use one of: %s", req.WebhookCode, firableCodes())
	}
	if req.WebhookType != nil && *req.WebhookType != f.typ {
		return nil, apiError("INVALID_FIELD", "webhook_type %q does not go with webhook_code %s (the emulator fires it as %s); omit webhook_type or pass %s", *req.WebhookType, req.WebhookCode, f.typ, f.typ)
	}
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if it.Webhook == "" {
			return nil, apiError("SANDBOX_WEBHOOK_INVALID", "the Item has no webhook URL; set one with /item/webhook/update (or options.webhook at creation) first")
		}
		if f.product != "" && !it.hasProduct(f.product) {
			return nil, apiError("SANDBOX_PRODUCT_NOT_ENABLED", "%s needs the Item to have the %s product; it has: %v", req.WebhookCode, f.product, it.Billed)
		}
		var extra map[string]any
		if f.body != nil {
			extra = f.body(e, it)
		}
		e.fireLocked(it, it.Webhook, f.typ, req.WebhookCode, extra)
		return fireWebhookResponse{WebhookFired: true, RequestID: c.requestID}, nil
	})
}

// firableCodes lists the codes fire_webhook accepts, sorted.
func firableCodes() string {
	codes := make([]string, 0, len(firableWebhooks))
	for code := range firableWebhooks {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return strings.Join(codes, ", ")
}

// accountIDs lists the Item's account ids.
func (it *item) accountIDs() []string {
	ids := make([]string, len(it.Accounts))
	for i, a := range it.Accounts {
		ids[i] = a.ID
	}
	return ids
}
