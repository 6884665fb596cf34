package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// OAuth institutions: Link hands off to the bank's own page. Two flows teach
// it: the pop-up (no redirect_uri, desktop web) and the redirect round trip
// (a redirect_uri: the page goes to the bank and comes back to it, and must
// re-initialize Link with the same link_token and receivedRedirectUri).

// oauthInstitution is the Sandbox's US OAuth test bank.
const (
	oauthInstitution     = "ins_127287"
	oauthInstitutionName = "Platypus OAuth Bank"
)

// oauthPilot is the autopilot of the OAuth flows: Platypus OAuth Bank,
// consent approved at the bank.
var oauthPilot = Autopilot{Username: goodUser, Password: goodPassword, MFA: goodMFA, InstitutionID: oauthInstitution}

func oauthRedirectFlow() *Flow {
	return oauthFlow(true)
}

func oauthPopupFlow() *Flow {
	return oauthFlow(false)
}

// oauthFlow is the OAuth lesson; redirect picks the round trip.
func oauthFlow(redirect bool) *Flow {
	create := createTokenStep("Create a link_token for OAuth", false)
	create.Explain = "Your server calls /link/token/create as usual; OAuth changes nothing but redirect_uri. " +
		"Without one (the pop-up variant) Link opens the bank in a pop-up window, which is fine on desktop and " +
		"mobile web. With one, Link sends the whole page to the bank, and the bank sends the user back to " +
		"redirect_uri?oauth_state_id=…; webviews and in-app browsers need this. The redirect_uri must be on the " +
		"allowlist (Dashboard → Developers → API → Allowed redirect URIs; the emulator allows the callback " +
		"page's own /oauth-return on loopback), else /link/token/create answers INVALID_FIELD \"OAuth redirect " +
		"URI must be configured in the developer dashboard\"."
	create.do = func(ctx context.Context, r *Run) error {
		r.mu.Lock()
		r.st.flowPilot = &oauthPilot
		r.mu.Unlock()
		if redirect {
			r.useOAuthRedirect()
		} else {
			r.dropOAuthRedirect()
		}
		_, err := r.createToken(ctx, false)
		return err
	}
	f := &Flow{
		DemoOnRequest: true,
		Name:          "oauth-popup",
		Title:         "OAuth bank (pop-up)",
		Summary: "Most large US banks, and every UK/EU bank, use OAuth: the user logs in and consents on the " +
			"bank's own site, not in Link. On desktop web, without a redirect_uri, Link opens the bank in a " +
			"pop-up and goes on when the bank answers. Watch OPEN_OAUTH, then the accounts, then HANDOFF.",
		Steps: []Step{
			create,
			{
				Name: "open-link-oauth", Title: "Open Link at " + oauthInstitutionName + " (pop-up)", Kind: StepLink,
				Explain: "Choose " + oauthInstitutionName + " (" + oauthInstitution + "). Link shows its OAUTH pane " +
					"(TRANSITION_VIEW OAUTH), then opens the bank in a pop-up (OPEN_OAUTH). Log in with anything and " +
					"Authorize: the pop-up closes and Link shows the accounts. Declining gives FAIL_OAUTH, closing the " +
					"pop-up CLOSE_OAUTH; exiting then ends Link with status requires_oauth.",
				do: func(ctx context.Context, r *Run) error { return oauthLink(ctx, r, false) },
			},
			exchangeStep(),
			oauthVerifyStep(),
		},
	}
	if !redirect {
		return f
	}
	f.Name, f.Title = "oauth", "OAuth bank (redirect round trip)"
	f.Summary = "OAuth with a redirect_uri, as webviews and mobile apps need: Link sends the page to the bank, and " +
		"the bank sends the user back to your redirect_uri?oauth_state_id=…. That page must call Plaid.create " +
		"with the SAME link_token (kept in sessionStorage or localStorage before leaving) and receivedRedirectUri: " +
		"window.location.href, then open(): Link resumes the same session. Switch on the deliberate mistake " +
		"(run --oauth-mistake, or m in the TUI before the Link step) to see Link start over without receivedRedirectUri."
	f.Steps[1] = Step{
		Name: "open-link-oauth", Title: "Open Link at " + oauthInstitutionName + ", go to the bank and come back", Kind: StepLink,
		Explain: "Choose " + oauthInstitutionName + " (" + oauthInstitution + ") and continue: the whole page goes to " +
			"the bank (OPEN_OAUTH). Authorize there; the bank redirects to the callback page's /oauth-return?oauth_state_id=…, " +
			"which reads the link_token it kept in sessionStorage and calls Plaid.create({token, receivedRedirectUri: " +
			"window.location.href}): the same link_session_id goes on at the account list. Mistakes Plaid punishes: a new " +
			"link_token there (INVALID_FIELD), reloading the page (OAUTH_STATE_ID_ALREADY_PROCESSED: each oauth_state_id " +
			"is processed once), and no receivedRedirectUri (Link starts over at its first pane, and the user loops).",
		do: func(ctx context.Context, r *Run) error { return oauthLink(ctx, r, true) },
	}
	return f
}

// useOAuthRedirect sets the token request's redirect_uri to the configured
// PLAID_REDIRECT_URI, else to the callback page's own /oauth-return.
func (r *Run) useOAuthRedirect() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tokenReq.RedirectURI == "" {
		r.tokenReq.RedirectURI = r.env.Callback.RedirectURI()
	}
}

// dropOAuthRedirect clears redirect_uri for the pop-up variant, unless the
// user set one in the form.
func (r *Run) dropOAuthRedirect() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.tokenEdited {
		r.tokenReq.RedirectURI = ""
	}
}

// oauthLink opens Link and checks the OAuth story in what the page reported.
func oauthLink(ctx context.Context, r *Run, redirect bool) error {
	if r.env.Browser == BrowserAuto && r.env.Control == nil {
		return errors.New("--browser=auto cannot log in at a real OAuth bank page: run the OAuth flows against real Plaid with --browser=system (or none) and authorize at " + oauthInstitutionName + " yourself")
	}
	tr := r.TokenRequest()
	if redirect && tr.RedirectURI != r.env.Callback.RedirectURI() {
		r.note("redirect_uri is %s, not the callback page's %s: the bank sends the user there, so that page must re-initialize Link itself", tr.RedirectURI, r.env.Callback.RedirectURI())
	}
	if !r.autopilot() {
		r.note("In Link, choose %s (%s) and continue; at the bank, log in with anything and Authorize", oauthInstitutionName, oauthInstitution)
	}
	mistake := redirect && r.OAuthMistake()
	r.mu.Lock()
	r.st.oauthOpened, r.st.oauthReturned, r.st.oauthRestarted = false, "", false
	r.st.oauthMistake = mistake
	r.mu.Unlock()
	if _, err := r.openLink(ctx, "OAuth: link "+oauthInstitutionName); err != nil {
		return err
	}
	r.mu.Lock()
	opened, returned, restarted := r.st.oauthOpened, r.st.oauthReturned, r.st.oauthRestarted
	r.mu.Unlock()
	if !opened {
		return fmt.Errorf("link finished without OPEN_OAUTH: the institution chosen was not an OAuth bank; choose %s (%s)", oauthInstitutionName, oauthInstitution)
	}
	if redirect {
		if returned == "" {
			return errors.New("link finished without the redirect round trip: the page never came back from the bank to /oauth-return (was redirect_uri dropped from the token request?)")
		}
		r.fact("oauth_state_id", returned)
	}
	if mistake {
		r.fact("the mistake", "re-initialized without receivedRedirectUri: Link started over at CONSENT")
		if !restarted {
			return errors.New("the deliberate mistake did not show: Link did not start over after the redirect")
		}
		r.fact("the recovery", "destroy(), then Plaid.create with the same link_token and receivedRedirectUri")
	}
	return nil
}

// SetOAuthMistake switches the OAuth redirect flow's deliberate mistake on
// or off for its next Link step (see RunOptions.OAuthMistake).
func (r *Run) SetOAuthMistake(on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opts.OAuthMistake = on
}

// OAuthMistake reports whether the deliberate OAuth mistake is on.
func (r *Run) OAuthMistake() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.opts.OAuthMistake
}

// oauthVerifyStep checks the Item is at the OAuth bank.
func oauthVerifyStep() Step {
	return Step{
		Name: "get-accounts", Title: "Verify: /accounts/get", Kind: StepAPI, Endpoint: "/accounts/get",
		Explain: "Calls /accounts/get with the new access_token: the Item is at " + oauthInstitutionName +
			" and holds the accounts the user shared at the bank. OAuth Items can carry consent_expiration_time " +
			"(some banks' consent lapses), which /item/get shows.",
		do: func(ctx context.Context, r *Run) error {
			resp, err := r.getAccounts(ctx)
			if err != nil {
				return err
			}
			r.accountFacts(resp.GetAccounts())
			if id := resp.Item.GetInstitutionId(); id != "" && r.env.Control != nil && id != oauthInstitution {
				return fmt.Errorf("the Item is at %s, not %s: choose %s in Link", id, oauthInstitution, oauthInstitutionName)
			}
			return r.checkSameItem(resp.Item.GetItemId())
		},
	}
}

// onOAuthReport notes the OAuth reports of the page (under r.mu).
func (r *Run) onOAuthReportLocked(ev PageEvent) string {
	switch {
	case ev.Kind == "event" && ev.EventName == "OPEN_OAUTH":
		r.st.oauthOpened = true
		return "Link handed off to the bank (OPEN_OAUTH)"
	case ev.Kind == "oauth_return":
		id := strings.Trim(string(ev.Metadata), "{}")
		if _, v, ok := strings.Cut(id, ":"); ok {
			id = strings.Trim(v, `"`)
		}
		r.st.oauthReturned = id
		return "page: back from the bank at /oauth-return, re-initializing Link"
	case ev.Kind == "oauth_restarted":
		r.st.oauthRestarted = true
		return "page: Link started over (no receivedRedirectUri): recovering"
	case ev.Kind == "destroyed" && r.st.oauthRestarted:
		return "page: handler.destroy(), then Plaid.create with receivedRedirectUri"
	}
	return ""
}
