package flows

import (
	"context"
	"errors"
	"fmt"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/redact"
	"github.com/linkexplorer/linkexplorer/store"
)

const itemLoginRequired = "ITEM_LOGIN_REQUIRED"

// updateModeFlow breaks an Item with reset_login and repairs it through
// Link's update mode.
func updateModeFlow() *Flow {
	return &Flow{
		Name:  "update-mode",
		Title: "Update mode",
		Summary: "An Item whose login stopped working (ITEM_LOGIN_REQUIRED) is repaired by sending the " +
			"user back through Link in update mode: a link_token made with the Item's access_token. " +
			"The Item, its item_id and its access_token stay the same, and there is nothing to exchange.",
		Steps: []Step{
			{
				Name: "pick-item", Title: "Pick an Item, or make one", Kind: StepAPI, Endpoint: "/item/get",
				Explain: "Uses an Item linkexplorer made earlier (checked with /item/get), or makes one " +
					"without Link: /sandbox/public_token/create for user_good at First Platypus Bank, then " +
					"/item/public_token/exchange. Offline, the Item's webhook points at linkexplorer, so " +
					"the ERROR and LOGIN_REPAIRED webhooks show up in this run.",
				do: pickItem,
			},
			{
				Name: "reset-login", Title: "Break it: /sandbox/item/reset_login", Kind: StepAPI,
				Endpoint: "/sandbox/item/reset_login",
				Explain: "Calls /sandbox/item/reset_login, Sandbox's way to force the state a real Item " +
					"enters when the user changes their bank password: ITEM_LOGIN_REQUIRED. Look for " +
					"{\"reset_login\": true}; an Item with a webhook also gets an ITEM/ERROR webhook.",
				do: resetLogin,
			},
			{
				Name: "item-get-error", Title: "See it in /item/get", Kind: StepAPI, Endpoint: "/item/get",
				Explain: "Calls /item/get, the one call that still answers 200 for a broken Item: look at " +
					"item.error, whose error_code is ITEM_LOGIN_REQUIRED. This is how your app finds out " +
					"that it must send the user to update mode.",
				do: itemGetShowsError,
			},
			{
				Name: "accounts-get-error", Title: "See it in /accounts/get", Kind: StepAPI,
				Endpoint: "/accounts/get",
				Explain: "Calls /accounts/get, which now fails with HTTP 400, error_type ITEM_ERROR and " +
					"error_code ITEM_LOGIN_REQUIRED, as every data endpoint does. This step succeeds " +
					"because it sees that error.",
				do: accountsGetShowsError,
			},
			createTokenStep("Create an update-mode link_token", true),
			{
				Name: "open-link-update", Title: "Open Link in update mode", Kind: StepLink,
				Explain: "Opens Link with the update-mode token. Link skips the institution list (OPEN " +
					"carries is_update_mode) and asks only for the login again (user_good / pass_good). " +
					"onSuccess brings a public_token that you must NOT exchange: the Item is repaired in " +
					"place and the access_token you have keeps working.",
				do: openUpdateLink,
			},
			{
				Name: "verify-item", Title: "Verify: /item/get has no error", Kind: StepAPI, Endpoint: "/item/get",
				Explain: "Calls /item/get again: item.error is null now, and the item_id is the same one.",
				do:      verifyItemHealthy,
			},
			{
				Name: "verify-accounts", Title: "Verify: /accounts/get works", Kind: StepAPI, Endpoint: "/accounts/get",
				Explain: "Calls /accounts/get with the same access_token as before the repair: it answers " +
					"200 with the accounts again.",
				do: func(ctx context.Context, r *Run) error {
					resp, err := r.getAccounts(ctx)
					if err != nil {
						return err
					}
					r.accountFacts(resp.GetAccounts())
					return r.checkSameItem(resp.Item.GetItemId())
				},
			},
		},
	}
}

// pickItem uses a stored Item that still works, else (or with
// RunOptions.NewItem) makes a new one.
func pickItem(ctx context.Context, r *Run) error {
	if r.opts.ItemID != "" {
		return r.useChosenItem(ctx) // items.go
	}
	if !r.opts.NewItem {
		ok, err := r.reuseItem(ctx)
		if err != nil || ok {
			return err
		}
	}
	if err := r.sandboxItem(ctx); err != nil {
		return err
	}
	return r.exchange(ctx)
}

// reuseItem looks for an Item of this mode (and, against Plaid, this API)
// in the store and checks it with /item/get. Items the API no longer knows
// are marked removed.
func (r *Run) reuseItem(ctx context.Context) (bool, error) {
	items, err := r.env.Store.Items(ctx)
	if err != nil {
		return false, err
	}
	for _, it := range items {
		if it.Mode != r.mode || it.Status == store.ItemRemoved ||
			(r.mode == store.ModePlaid && it.BaseURL != r.env.Config.BaseURL) {
			continue
		}
		tok, err := r.env.Store.AccessToken(ctx, it.ItemID)
		if err != nil {
			continue
		}
		r.mu.Lock()
		r.st.accessToken, r.st.item = tok, it.ItemID
		r.st.institutionID, r.st.institutionName = it.InstitutionID, it.InstitutionName
		r.mu.Unlock()
		_, err = r.getItem(ctx)
		var ae *APIError
		if errors.As(err, &ae) && (ae.Code == "INVALID_ACCESS_TOKEN" || ae.Code == "ITEM_NOT_FOUND") {
			r.note("Item %s is no longer known to the API (%s): marked removed", it.ItemID, ae.Code)
			if err := r.env.Store.SetItemStatus(ctx, it.ItemID, store.ItemRemoved); err != nil {
				return false, err
			}
			r.forgetItem()
			continue
		}
		if err != nil {
			r.forgetItem()
			return false, err
		}
		r.fact("item_id", it.ItemID+" (from the session log)")
		return true, r.pointWebhookHere(ctx)
	}
	return false, nil
}

func (r *Run) forgetItem() {
	r.mu.Lock()
	r.st.accessToken, r.st.item, r.st.institutionID, r.st.institutionName = "", "", "", ""
	r.mu.Unlock()
}

// pointWebhookHere points a reused Item's webhook at this process's
// receiver (offline), so its webhooks show up in the run.
func (r *Run) pointWebhookHere(ctx context.Context) error {
	url := r.env.WebhookURL()
	if url == "" {
		return nil
	}
	tok, _, err := r.access()
	if err != nil {
		return err
	}
	req := plaid.NewItemWebhookUpdateRequest(tok)
	req.SetWebhook(url)
	if _, _, err := r.api().ItemWebhookUpdate(ctx).ItemWebhookUpdateRequest(*req).Execute(); err != nil {
		return AsAPIError("/item/webhook/update", err)
	}
	r.fact("webhook", url+" (set with /item/webhook/update)")
	return nil
}

func resetLogin(ctx context.Context, r *Run) error {
	tok, _, err := r.access()
	if err != nil {
		return err
	}
	resp, _, err := r.api().SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(tok)).Execute()
	if err != nil {
		return AsAPIError("/sandbox/item/reset_login", err)
	}
	if err := requireFields("/sandbox/item/reset_login", resp.GetRequestId(), "reset_login", resp.GetResetLogin()); err != nil {
		return err
	}
	r.fact("reset_login", fmt.Sprint(resp.GetResetLogin()))
	return r.setItemStatus(ctx, itemLoginRequired)
}

func itemGetShowsError(ctx context.Context, r *Run) error {
	resp, err := r.getItem(ctx)
	if err != nil {
		return err
	}
	perr, ok := resp.Item.GetErrorOk()
	if !ok || perr == nil || perr.ErrorCode != itemLoginRequired {
		return &PrereqError{Needs: "login_required", Message: "/item/get shows no ITEM_LOGIN_REQUIRED in item.error: run the reset_login step first"}
	}
	r.fact("item.error", string(perr.ErrorType)+" / "+perr.ErrorCode)
	r.fact("error_message", perr.ErrorMessage)
	return nil
}

func accountsGetShowsError(ctx context.Context, r *Run) error {
	_, err := r.getAccounts(ctx)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Code == itemLoginRequired:
		r.fact("expected error", fmt.Sprintf("HTTP %d %s / %s (request_id %s)", ae.HTTPStatus, ae.Type, ae.Code, ae.RequestID))
		return nil
	case err != nil:
		return err
	}
	return &PrereqError{Needs: "login_required", Message: "/accounts/get answered 200, but the Item should be in ITEM_LOGIN_REQUIRED: run the reset_login step first"}
}

// openUpdateLink completes update mode in Link, without an exchange.
func openUpdateLink(ctx context.Context, r *Run) error {
	if r.env.Browser == BrowserAuto && r.env.Control == nil {
		return errors.New("--browser=auto cannot repair an Item through real Link: update mode needs a person to log in again; run with --browser=system (or none) and log in as user_good / pass_good")
	}
	ev, err := r.openLink(ctx, "update mode: log in again to repair the Item")
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.st.publicToken = "" // update mode: not to be exchanged
	r.mu.Unlock()
	r.fact("public_token", redact.Value(ev.PublicToken)+": not exchanged (update mode repairs the Item in place)")
	return nil
}

func verifyItemHealthy(ctx context.Context, r *Run) error {
	resp, err := r.getItem(ctx)
	if err != nil {
		return err
	}
	if perr, ok := resp.Item.GetErrorOk(); ok && perr != nil {
		return fmt.Errorf("/item/get still shows item.error %s: the repair did not happen; open Link in update mode again", perr.ErrorCode)
	}
	r.fact("item.error", "null")
	if err := r.checkSameItem(resp.Item.GetItemId()); err != nil {
		return err
	}
	return r.setItemStatus(ctx, store.ItemHealthy)
}
