package flows

import (
	"context"
	"fmt"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

// quickstartFlow is Plaid's quickstart: a new Item through Link.
func quickstartFlow() *Flow {
	return &Flow{
		Name:  "quickstart",
		Title: "Quickstart",
		Summary: "The integration every Plaid app starts with: your server creates a link_token, " +
			"your page opens Link with it, Link hands back a public_token, and your server exchanges " +
			"it for an access_token and reads the accounts.",
		Steps: []Step{
			createTokenStep("Create a link_token", false),
			openLinkStep("open-link", "Open Link and wait for onSuccess", "quickstart: link a new Item",
				"Opens linkexplorer's callback page, which plays your app's front end: it fetches the "+
					"link_token from POST /create_link_token and calls Plaid.create({token, onSuccess, onExit, "+
					"onEvent}). Watch the onEvent stream (OPEN, TRANSITION_VIEW, SELECT_INSTITUTION, "+
					"SUBMIT_CREDENTIALS, HANDOFF) and the link_session_id: it is what Plaid support asks for. "+
					"onSuccess brings a one-time public_token, valid for 30 minutes. With --browser=auto "+
					"against real Plaid, /sandbox/public_token/create stands in for Link."),
			exchangeStep(),
			{
				Name: "get-accounts", Title: "Verify: /accounts/get", Kind: StepAPI, Endpoint: "/accounts/get",
				Explain: "Calls /accounts/get with the new access_token. Look for the accounts the user " +
					"selected, with their masks, types and (possibly cached) balances, and for the item " +
					"object: its error is null on a healthy Item.",
				do: func(ctx context.Context, r *Run) error {
					resp, err := r.getAccounts(ctx)
					if err != nil {
						return err
					}
					r.accountFacts(resp.GetAccounts())
					return r.checkSameItem(resp.Item.GetItemId())
				},
			},
			{
				Name: "get-auth", Title: "Verify: /auth/get", Kind: StepAPI, Endpoint: "/auth/get",
				Explain: "Calls /auth/get: the account and routing numbers of the Item's checking and " +
					"savings accounts (numbers.ach). Only Auth-eligible accounts come back; an Item " +
					"without any gives NO_AUTH_ACCOUNTS.",
				do: authStep,
			},
		},
	}
}

// authStep calls /auth/get and lists the ACH numbers, account numbers
// masked to their last 4 digits.
func authStep(ctx context.Context, r *Run) error {
	tok, _, err := r.access()
	if err != nil {
		return err
	}
	resp, _, err := r.api().AuthGet(ctx).AuthGetRequest(*plaid.NewAuthGetRequest(tok)).Execute()
	if err != nil {
		return AsAPIError("/auth/get", err)
	}
	if err := requireFields("/auth/get", resp.GetRequestId(), "accounts", len(resp.GetAccounts())); err != nil {
		return err
	}
	r.accountFacts(resp.GetAccounts())
	numbers := resp.GetNumbers()
	for _, n := range numbers.GetAch() {
		r.fact("ach", fmt.Sprintf("account ••%s, routing %s", last4(n.GetAccount()), n.GetRouting()))
	}
	return nil
}

func last4(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

// createTokenStep is the editable /link/token/create step.
func createTokenStep(title string, update bool) Step {
	explain := "Your server calls /link/token/create with client_name, language, country_codes, " +
		"user.client_user_id and products (edit them before sending). Look at the link_token " +
		"(link-sandbox-…) and its expiration: 4 hours for a new Item. The token is per session and " +
		"short-lived, which is why the page fetches it from your server each time."
	name := "create-link-token"
	if update {
		name = "create-update-token"
		explain = "Creates an update-mode link_token: /link/token/create with the Item's access_token " +
			"and no products. Link then goes straight to the Item's institution and repairs it in " +
			"place. Look at the shorter expiration: 30 minutes for update mode."
	}
	return Step{
		Name: name, Title: title, Kind: StepAPI, Endpoint: "/link/token/create", Editable: true,
		Explain: explain,
		do: func(ctx context.Context, r *Run) error {
			_, err := r.createToken(ctx, update)
			return err
		},
	}
}

// openLinkStep waits for Link's onSuccess on the callback page. Against
// real Plaid with --browser=auto there is no person to complete Link, so
// the step makes the Item with /sandbox/public_token/create instead.
func openLinkStep(name, title, purpose, explain string) Step {
	return Step{
		Name: name, Title: title, Kind: StepLink, Explain: explain,
		do: func(ctx context.Context, r *Run) error {
			if r.env.Browser == BrowserAuto && r.env.Control == nil {
				r.note("--browser=auto against real Plaid: Link needs a person, so /sandbox/public_token/create makes the Item instead (user_good at %s)", sandboxInstitutionName)
				return r.sandboxItem(ctx)
			}
			_, err := r.openLink(ctx, purpose)
			return err
		},
	}
}

// exchangeStep swaps the public_token for an access_token.
func exchangeStep() Step {
	return Step{
		Name: "exchange-public-token", Title: "Exchange the public_token", Kind: StepAPI,
		Endpoint: "/item/public_token/exchange",
		Explain: "Your server calls /item/public_token/exchange with the public_token from onSuccess. " +
			"It answers with an access_token (never expires; keep it secret, server-side) and the " +
			"item_id. The public_token is one-time: a second exchange gives INVALID_PUBLIC_TOKEN.",
		do: func(ctx context.Context, r *Run) error { return r.exchange(ctx) },
	}
}
