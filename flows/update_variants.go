package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/redact"
	"github.com/linkexplorer/linkexplorer/store"
)

// The update-mode variants beside the ITEM_LOGIN_REQUIRED drill
// (updatemode.go): an Item with new accounts at the bank
// (NEW_ACCOUNTS_AVAILABLE, update.account_selection_enabled and the
// account-select pane) and an Item whose consent is expiring
// (PENDING_EXPIRATION, and later versions' PENDING_DISCONNECT).

// webhookWait bounds the wait for a webhook the run made the API fire.
const webhookWait = 2 * time.Minute

// waitWebhook waits for an ITEM webhook with code about the run's Item,
// received after mark (webhookMark), and checks its signature was verified.
func (r *Run) waitWebhook(ctx context.Context, code string, mark int) (WebhookReceived, error) {
	_, itemID, err := r.access()
	if err != nil {
		return WebhookReceived{}, err
	}
	var wh WebhookReceived
	err = r.awaitWebhooks(ctx, mark, webhookWait, func(since []WebhookReceived) bool {
		i := slices.IndexFunc(since, func(w WebhookReceived) bool { return w.WebhookCode == code && w.ItemID == itemID })
		if i >= 0 {
			wh = since[i]
		}
		return i >= 0
	})
	if errors.Is(err, errWebhookWait) {
		return WebhookReceived{}, fmt.Errorf("no %s webhook for item %s arrived within %s of firing it: check the Item's webhook URL with /item/get (the emulator's delivery log is GET /__emulator/webhooks)", code, itemID, webhookWait)
	}
	if err != nil {
		return WebhookReceived{}, err
	}
	r.fact("webhook", wh.WebhookType+" "+wh.WebhookCode+", signature "+wh.Signature)
	if !strings.HasPrefix(wh.Signature, SignatureVerified) {
		return wh, fmt.Errorf("the %s webhook arrived, but its Plaid-Verification signature is %s: an app must not act on an unverified webhook", code, wh.Signature)
	}
	return wh, nil
}

// fireWebhook calls /sandbox/item/fire_webhook with code and, offline,
// waits for the verified webhook at linkexplorer's receiver. Against real
// Plaid the webhook goes to the Item's own webhook URL, which linkexplorer
// does not receive.
func (r *Run) fireWebhook(ctx context.Context, code string) (WebhookReceived, error) {
	tok, _, err := r.access()
	if err != nil {
		return WebhookReceived{}, err
	}
	mark := r.webhookMark()
	req := plaid.NewSandboxItemFireWebhookRequest(tok, code)
	resp, _, err := r.api().SandboxItemFireWebhook(ctx).SandboxItemFireWebhookRequest(*req).Execute()
	if err != nil {
		return WebhookReceived{}, AsAPIError("/sandbox/item/fire_webhook", err)
	}
	if err := requireFields("/sandbox/item/fire_webhook", resp.GetRequestId(), "webhook_fired", resp.GetWebhookFired()); err != nil {
		return WebhookReceived{}, err
	}
	r.fact("webhook_fired", "true ("+code+")")
	r.addTimeline(TimelineEntry{What: code + " webhook fired with /sandbox/item/fire_webhook", RequestID: resp.GetRequestId()})
	if r.env.WebhookURL() == "" {
		r.note("against real Plaid, the %s webhook goes to the Item's webhook URL; linkexplorer has no public receiver, so look for it at your own endpoint", code)
		return WebhookReceived{}, nil
	}
	r.note("waiting for the %s webhook at linkexplorer's receiver", code)
	return r.waitWebhook(ctx, code, mark)
}

// setAccountSelection adds update.account_selection_enabled to an
// update-mode /link/token/create request.
func setAccountSelection(req *plaid.LinkTokenCreateRequest, on bool) {
	if !on {
		return
	}
	u := plaid.NewLinkTokenCreateRequestUpdate()
	u.SetAccountSelectionEnabled(true)
	req.SetUpdate(*u)
}

// pickItemStep is the update-mode drill's first step, for the variants.
func pickItemStep(explain string) Step {
	return Step{
		Name: "pick-item", Title: "Pick an Item, or make one", Kind: StepAPI, Endpoint: "/item/get",
		Explain: explain, do: pickItem,
	}
}

// updateLinkGuard refuses --browser=auto against real Plaid: update mode
// needs a person in real Link.
func (r *Run) updateLinkGuard(what string) error {
	if r.env.Browser == BrowserAuto && r.env.Control == nil {
		return fmt.Errorf("--browser=auto cannot %s through real Link: update mode needs a person; run with --browser=system (or none) and log in as user_good / pass_good", what)
	}
	return nil
}

// noExchange records that update mode's public_token is not exchanged.
func (r *Run) noExchange(ev PageEvent, why string) {
	r.mu.Lock()
	r.st.publicToken = "" // update mode: not to be exchanged
	r.mu.Unlock()
	r.fact("public_token", redact.Value(ev.PublicToken)+": not exchanged ("+why+")")
}

// --- New accounts ---

// newAccountsState is what the new-accounts flow carries between steps.
type newAccountsState struct {
	mu     sync.Mutex
	before []string // the account_ids shared before update mode
	chosen []string // onSuccess metadata.accounts ids
}

// updateTokenStep creates an update-mode link_token, with
// update.account_selection_enabled set as accountSelection says.
func updateTokenStep(title string, accountSelection bool, explain string) Step {
	create := createTokenStep(title, true)
	create.Explain = explain
	create.do = func(ctx context.Context, r *Run) error {
		r.mu.Lock()
		r.tokenReq.AccountSelection = accountSelection
		r.mu.Unlock()
		_, err := r.createToken(ctx, true)
		return err
	}
	return create
}

func updateNewAccountsFlow() *Flow {
	st := &newAccountsState{}
	create := updateTokenStep("Create an update-mode link_token with account selection", true,
		"Your server calls /link/token/create with the Item's access_token, no products, and "+
			"update: {account_selection_enabled: true}. Without that flag update mode only repairs a login; with it "+
			"Link shows the account-select pane, where the user can add the new account (and untick ones to stop "+
			"sharing). Look for \"update\" in the request and the 30-minute expiration.")
	return &Flow{
		DemoOnRequest: true,
		Name:          "update-new-accounts",
		Title:         "Update mode: new accounts",
		Summary: "The user opened another account at their bank. Plaid tells you with an ITEM " +
			"NEW_ACCOUNTS_AVAILABLE webhook; the account is not shared until the user picks it. Your app sends " +
			"the user through update mode with update.account_selection_enabled: Link shows the account-select " +
			"pane (SELECT_ACCOUNT), onSuccess's metadata.accounts is the new shared set, and /accounts/get " +
			"returns the new account. The Item and access_token stay the same, and nothing is exchanged.",
		Steps: []Step{
			pickItemStep("Uses an Item linkexplorer made earlier (checked with /item/get), or makes one without " +
				"Link (/sandbox/public_token/create, user_good at First Platypus Bank, then the exchange). Offline the " +
				"Item's webhook points at linkexplorer's receiver, so the webhook shows up in this run."),
			{
				Name: "accounts-before", Title: "The accounts shared today: /accounts/get", Kind: StepAPI, Endpoint: "/accounts/get",
				Explain: "Calls /accounts/get to note which accounts the Item shares before anything changes. " +
					"The new account will not be among them until the user selects it in update mode.",
				do: func(ctx context.Context, r *Run) error {
					resp, err := r.getAccounts(ctx)
					if err != nil {
						return err
					}
					r.accountFacts(resp.GetAccounts())
					st.mu.Lock()
					st.before = accountIDs(resp.GetAccounts())
					st.mu.Unlock()
					return nil
				},
			},
			{
				Name: "fire-new-accounts", Title: "The bank has a new account: NEW_ACCOUNTS_AVAILABLE", Kind: StepAPI,
				Endpoint: "/sandbox/item/fire_webhook",
				Explain: "Calls /sandbox/item/fire_webhook with webhook_code NEW_ACCOUNTS_AVAILABLE, Sandbox's way to " +
					"play the bank telling Plaid about an account the user opened after linking (offline, the emulator " +
					"also adds that account, \"Plaid New Savings\", to the bank's data). Your webhook handler receives " +
					"{webhook_type: ITEM, webhook_code: NEW_ACCOUNTS_AVAILABLE, item_id}: verify its Plaid-Verification " +
					"JWT first, then flag the Item so the user is asked to share the account. Real Sandbox fires the " +
					"webhook but has no new account to offer.",
				do: func(ctx context.Context, r *Run) error {
					_, err := r.fireWebhook(ctx, "NEW_ACCOUNTS_AVAILABLE")
					return err
				},
			},
			create,
			{
				Name: "open-link-update", Title: "Open Link: select the new account", Kind: StepLink,
				Explain: "Opens Link with the token. OPEN carries is_update_mode; after the login Link shows the " +
					"account-select pane (TRANSITION_VIEW SELECT_ACCOUNT) with the accounts shared today and the new " +
					"one, marked New. Keep them all ticked and Continue (the autopilot does). onSuccess's " +
					"metadata.accounts lists the selected accounts: the new shared set. Its public_token need not be " +
					"exchanged: update mode changes the Item in place, and your access_token keeps working.",
				do: func(ctx context.Context, r *Run) error { return newAccountsLink(ctx, r, st) },
			},
			{
				Name: "verify-accounts", Title: "Verify: /accounts/get has the new account", Kind: StepAPI, Endpoint: "/accounts/get",
				Explain: "Calls /accounts/get with the access_token you had all along: the new account is now " +
					"shared, with its own account_id. Store it; data calls (/auth/get, /transactions/sync) cover it from now on.",
				do: func(ctx context.Context, r *Run) error { return verifyNewAccounts(ctx, r, st) },
			},
		},
	}
}

func accountIDs(accounts []plaid.AccountBase) []string {
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.GetAccountId()
	}
	return ids
}

// successAccounts reads onSuccess metadata.accounts.
func successAccounts(ev PageEvent) ([]struct{ ID, Name, Mask string }, error) {
	var md struct {
		Accounts []struct {
			ID   string  `json:"id"`
			Name string  `json:"name"`
			Mask *string `json:"mask"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(ev.Metadata, &md); err != nil {
		return nil, fmt.Errorf("reading onSuccess metadata.accounts: %w", err)
	}
	out := make([]struct{ ID, Name, Mask string }, len(md.Accounts))
	for i, a := range md.Accounts {
		out[i].ID, out[i].Name = a.ID, a.Name
		if a.Mask != nil {
			out[i].Mask = *a.Mask
		}
	}
	return out, nil
}

func newAccountsLink(ctx context.Context, r *Run, st *newAccountsState) error {
	if err := r.updateLinkGuard("select new accounts"); err != nil {
		return err
	}
	if !r.TokenRequest().AccountSelection {
		return &PrereqError{Needs: "link_token", Message: "the link_token was made without update.account_selection_enabled: run the create step again"}
	}
	if !r.autopilot() {
		r.note("In Link, log in as user_good / pass_good, keep every account ticked (the new one too) and Continue")
	}
	ev, err := r.openLink(ctx, "update mode: share the new account")
	if err != nil {
		return err
	}
	accts, err := successAccounts(ev)
	if err != nil {
		return err
	}
	names := make([]string, len(accts))
	ids := make([]string, len(accts))
	for i, a := range accts {
		names[i], ids[i] = a.Name, a.ID
		if a.Mask != "" {
			names[i] += " ••" + a.Mask
		}
	}
	r.fact("metadata.accounts", fmt.Sprintf("%d selected: %s", len(accts), strings.Join(names, ", ")))
	st.mu.Lock()
	st.chosen = ids
	before := st.before
	st.mu.Unlock()
	r.noExchange(ev, "update mode with account selection changes the Item in place")
	if r.env.Control != nil && len(before) > 0 && !slices.ContainsFunc(ids, func(id string) bool { return !slices.Contains(before, id) }) {
		return errors.New("onSuccess's metadata.accounts has no new account: tick the account marked New on the account-select pane and run the Link step again")
	}
	return nil
}

func verifyNewAccounts(ctx context.Context, r *Run, st *newAccountsState) error {
	resp, err := r.getAccounts(ctx)
	if err != nil {
		return err
	}
	r.accountFacts(resp.GetAccounts())
	st.mu.Lock()
	before, chosen := st.before, st.chosen
	st.mu.Unlock()
	now := accountIDs(resp.GetAccounts())
	var added []string
	for _, a := range resp.GetAccounts() {
		if len(before) > 0 && !slices.Contains(before, a.GetAccountId()) {
			added = append(added, a.GetName()+" ("+a.GetAccountId()+")")
		}
	}
	if len(added) > 0 {
		r.fact("new account", strings.Join(added, ", "))
	}
	for _, id := range chosen {
		if !slices.Contains(now, id) {
			return fmt.Errorf("account %s, selected in Link, is not in /accounts/get", id)
		}
	}
	if r.env.Control != nil && len(before) > 0 && len(added) == 0 {
		return errors.New("/accounts/get shows no account beyond those shared before: the new account was not selected in Link")
	}
	if r.env.Control == nil && len(added) == 0 {
		r.note("real Sandbox's NEW_ACCOUNTS_AVAILABLE has no new account behind it: the shared set is what you ticked in Link")
	}
	return r.checkSameItem(resp.Item.GetItemId())
}

// --- Consent expiring ---

// expiringState is what the consent flow carries between steps.
type expiringState struct {
	mu      sync.Mutex
	expires time.Time // consent_expiration_time before update mode
}

func updateExpiringFlow() *Flow {
	st := &expiringState{}
	create := updateTokenStep("Create an update-mode link_token", false,
		"Renewing consent is plain update mode: /link/token/create with the Item's access_token "+
			"and no products. Link goes straight to the Item's bank, where the user consents again.")
	return &Flow{
		DemoOnRequest: true,
		Name:          "update-expiring",
		Title:         "Update mode: consent expiring",
		Summary: "Some banks' consent runs out (UK/EU PSD2 consent, some US OAuth banks). Seven days before, " +
			"Plaid sends ITEM PENDING_EXPIRATION with consent_expiration_time (later API versions send " +
			"PENDING_DISCONNECT for US/CA Items), and /item/get shows the same time. Send the user through " +
			"update mode before then: the consent is renewed, and the Item keeps working without a new link.",
		Steps: []Step{
			pickItemStep("Uses an Item linkexplorer made earlier (checked with /item/get), or makes one without " +
				"Link. Its consent_expiration_time is null: consent that does not expire, like most US Items."),
			{
				Name: "fire-pending-expiration", Title: "Consent runs out in 7 days: PENDING_EXPIRATION", Kind: StepAPI,
				Endpoint: "/sandbox/item/fire_webhook",
				Explain: "Calls /sandbox/item/fire_webhook with webhook_code PENDING_EXPIRATION. The webhook " +
					"{webhook_type: ITEM, webhook_code: PENDING_EXPIRATION, item_id, consent_expiration_time} says " +
					"when access ends; offline the emulator also sets the Item's consent to end then. Verify the " +
					"webhook's signature, then prompt the user (email, in-app banner) to go through update mode.",
				do: func(ctx context.Context, r *Run) error {
					wh, err := r.fireWebhook(ctx, "PENDING_EXPIRATION")
					if err != nil || len(wh.Body) == 0 {
						return err
					}
					var b struct {
						Exp string `json:"consent_expiration_time"`
					}
					if json.Unmarshal(wh.Body, &b) == nil && b.Exp != "" {
						r.fact("consent_expiration_time", b.Exp+" (in the webhook)")
					}
					return nil
				},
			},
			{
				Name: "fire-pending-disconnect", Title: "The US/CA form: PENDING_DISCONNECT", Kind: StepAPI,
				Endpoint: "/sandbox/item/fire_webhook",
				Explain: "Later API versions send PENDING_DISCONNECT instead for US and Canadian Items, with a " +
					"reason (INSTITUTION_TOKEN_EXPIRATION, INSTITUTION_MIGRATION) and no time: the Item will " +
					"disconnect unless the user goes through update mode. Handle both codes the same way.",
				do: func(ctx context.Context, r *Run) error {
					wh, err := r.fireWebhook(ctx, "PENDING_DISCONNECT")
					if err != nil || len(wh.Body) == 0 {
						return err
					}
					var b struct {
						Reason string `json:"reason"`
					}
					if json.Unmarshal(wh.Body, &b) == nil && b.Reason != "" {
						r.fact("reason", b.Reason)
					}
					return nil
				},
			},
			{
				Name: "item-get-expiring", Title: "See it in /item/get: consent_expiration_time", Kind: StepAPI, Endpoint: "/item/get",
				Explain: "Calls /item/get: item.consent_expiration_time is when the Item stops working. Apps that " +
					"cannot take webhooks can poll it. The Item has no error yet: data calls work until then.",
				do: func(ctx context.Context, r *Run) error { return itemGetExpiring(ctx, r, st) },
			},
			create,
			{
				Name: "open-link-update", Title: "Open Link in update mode: consent again", Kind: StepLink,
				Explain: "Opens Link with the update-mode token: OPEN carries is_update_mode, Link goes straight to " +
					"the Item's bank, and the user logs in (user_good / pass_good) and consents again. onSuccess brings a " +
					"public_token you need not exchange: the Item, its item_id and access_token stay the same.",
				do: func(ctx context.Context, r *Run) error {
					if err := r.updateLinkGuard("renew consent"); err != nil {
						return err
					}
					ev, err := r.openLink(ctx, "update mode: renew the Item's consent")
					if err != nil {
						return err
					}
					r.noExchange(ev, "update mode renews the consent in place")
					return nil
				},
			},
			{
				Name: "verify-renewed", Title: "Verify: /item/get shows the renewed consent", Kind: StepAPI, Endpoint: "/item/get",
				Explain: "Calls /item/get again: consent_expiration_time has moved forward (the new consent's end), " +
					"item.error is null and the item_id is the same.",
				do: func(ctx context.Context, r *Run) error { return verifyRenewed(ctx, r, st) },
			},
		},
	}
}

func itemGetExpiring(ctx context.Context, r *Run, st *expiringState) error {
	resp, err := r.getItem(ctx)
	if err != nil {
		return err
	}
	exp, ok := resp.Item.GetConsentExpirationTimeOk()
	if !ok || exp == nil || exp.IsZero() {
		if r.env.Control == nil {
			r.fact("consent_expiration_time", "null")
			r.note("real Sandbox fires PENDING_EXPIRATION without changing the Item: consent_expiration_time stays null for a Sandbox Item at a non-OAuth bank")
			return r.checkSameItem(resp.Item.GetItemId())
		}
		return &PrereqError{Needs: "consent_expiring", Message: "/item/get shows no consent_expiration_time: run the PENDING_EXPIRATION step first"}
	}
	r.fact("consent_expiration_time", fmt.Sprintf("%s (in %s)", exp.UTC().Format(time.RFC3339), time.Until(*exp).Round(time.Hour)))
	st.mu.Lock()
	st.expires = *exp
	st.mu.Unlock()
	if perr, ok := resp.Item.GetErrorOk(); ok && perr != nil {
		r.fact("item.error", perr.ErrorCode)
	} else {
		r.fact("item.error", "null (the Item works until then)")
	}
	if err := r.setItemStatus(ctx, "PENDING_EXPIRATION"); err != nil {
		return err
	}
	return r.checkSameItem(resp.Item.GetItemId())
}

func verifyRenewed(ctx context.Context, r *Run, st *expiringState) error {
	resp, err := r.getItem(ctx)
	if err != nil {
		return err
	}
	if perr, ok := resp.Item.GetErrorOk(); ok && perr != nil {
		return fmt.Errorf("/item/get shows item.error %s after update mode: open Link in update mode again", perr.ErrorCode)
	}
	st.mu.Lock()
	before := st.expires
	st.mu.Unlock()
	exp, ok := resp.Item.GetConsentExpirationTimeOk()
	switch {
	case ok && exp != nil && !exp.IsZero():
		r.fact("consent_expiration_time", fmt.Sprintf("%s (was %s)", exp.UTC().Format(time.RFC3339), orNone(formatTime(before))))
		if !before.IsZero() && !exp.After(before) {
			return fmt.Errorf("consent_expiration_time is still %s: the consent was not renewed; open Link in update mode again", exp.UTC().Format(time.RFC3339))
		}
	case !before.IsZero():
		r.fact("consent_expiration_time", "null (no expiration any more)")
	default:
		r.fact("consent_expiration_time", "null")
	}
	if err := r.checkSameItem(resp.Item.GetItemId()); err != nil {
		return err
	}
	return r.setItemStatus(ctx, store.ItemHealthy)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
