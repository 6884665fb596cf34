package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/redact"
	"github.com/linkexplorer/linkexplorer/store"
)

// The institution and credentials used when linkexplorer creates Items or
// drives the autopilot itself.
const (
	sandboxInstitution     = "ins_109508"
	sandboxInstitutionName = "First Platypus Bank"
	goodUser               = "user_good"
	goodPassword           = "pass_good"
	goodMFA                = "1234"
)

// forceInvalidToken is the autopilot that makes Link exit with
// INVALID_LINK_TOKEN, as a person would with these Sandbox credentials.
var forceInvalidToken = Autopilot{Username: "user_custom", Password: `{"force_error":"INVALID_LINK_TOKEN"}`}

func (r *Run) api() *plaid.PlaidApiService { return r.env.Client.PlaidApi }

// errNoLinkToken and friends explain a step run before the one it needs.
var (
	errNoLinkToken   = &PrereqError{Needs: "link_token", Message: "no link_token yet: run the step that creates one first"}
	errNoPublicToken = &PrereqError{Needs: "public_token", Message: "no public_token yet: the Link step has not succeeded; run it first"}
	errNoItem        = &PrereqError{Needs: "item", Message: "no Item yet: run the step that picks or creates the Item first"}
)

// createToken calls /link/token/create with the run's token request: a
// new-Item token, or with update an update-mode token for the run's Item
// (access_token, no products). Offline with --browser=auto it arms the
// autopilot for the new token.
func (r *Run) createToken(ctx context.Context, update bool) (string, error) {
	tr := r.TokenRequest()
	r.mu.Lock()
	access := r.st.accessToken
	r.mu.Unlock()
	if update && access == "" {
		return "", errNoItem
	}
	countries := make([]plaid.CountryCode, len(tr.CountryCodes))
	for i, c := range tr.CountryCodes {
		countries[i] = plaid.CountryCode(c)
	}
	req := plaid.NewLinkTokenCreateRequest(tr.ClientName, tr.Language, countries, *plaid.NewLinkTokenCreateRequestUser(tr.ClientUserID))
	if update {
		req.SetAccessToken(access)
		if len(tr.UpdateProducts) > 0 {
			req.SetProducts(products(tr.UpdateProducts))
		}
		setAccountSelection(req, tr.AccountSelection)
	} else {
		req.SetProducts(products(tr.Products))
	}
	if tr.Webhook != "" {
		req.SetWebhook(tr.Webhook)
	}
	if tr.RedirectURI != "" {
		req.SetRedirectUri(tr.RedirectURI)
	}
	resp, _, err := r.api().LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		return "", AsAPIError("/link/token/create", err)
	}
	tok, exp := resp.GetLinkToken(), resp.GetExpiration()
	if err := requireFields("/link/token/create", resp.GetRequestId(), "link_token", tok, "expiration", exp); err != nil {
		return "", err
	}
	r.mu.Lock()
	r.st.tokens++
	n, pilot := r.st.tokens, r.st.nextPilot
	r.st.linkToken, r.st.linkTokenExp, r.st.updateToken, r.st.nextPilot = tok, exp, update, nil
	r.st.tokenExpired = false
	r.mu.Unlock()
	r.addTimeline(TimelineEntry{What: fmt.Sprintf("link_token #%d created", n), Token: redact.Value(tok), RequestID: resp.GetRequestId()})
	r.fact("link_token", redact.Value(tok))
	r.fact("expiration", fmt.Sprintf("%s (in %s)", exp.Format(time.RFC3339), time.Until(exp).Round(time.Minute)))
	if update {
		r.fact("mode", "update mode: created with the Item's access_token and no products")
	}
	return tok, r.armAutopilot(ctx, tok, pilot)
}

func products(names []string) []plaid.Products {
	out := make([]plaid.Products, len(names))
	for i, p := range names {
		out[i] = plaid.Products(p)
	}
	return out
}

// autopilot reports whether Link steps complete by themselves through the
// emulated Link's autopilot.
func (r *Run) autopilot() bool {
	return (r.env.Browser == BrowserAuto || r.opts.Autopilot) && r.env.Control != nil
}

// armAutopilot arms the emulated Link's autopilot for tok when Link steps
// run by themselves: with pilot's credentials, else user_good.
func (r *Run) armAutopilot(ctx context.Context, tok string, pilot *Autopilot) error {
	if !r.autopilot() {
		return nil
	}
	a := Autopilot{Username: goodUser, Password: goodPassword, MFA: goodMFA}
	if pilot == nil {
		r.mu.Lock()
		pilot = r.st.flowPilot
		r.mu.Unlock()
	}
	if pilot != nil {
		a = *pilot
	}
	a.LinkToken, a.DelayMS = tok, int(r.opts.AutopilotDelay/time.Millisecond)
	if err := r.env.Control.ArmAutopilot(ctx, a); err != nil {
		return fmt.Errorf("arming the emulated Link's autopilot for link_token %s: %w", redact.Value(tok), err)
	}
	r.mu.Lock()
	r.st.armedFor = tok
	r.mu.Unlock()
	r.note("autopilot armed for link_token %s: the emulated Link logs in as %s by itself", redact.Value(tok), a.Username)
	return nil
}

// sandboxItem creates an Item without Link, through
// /sandbox/public_token/create (user_good at First Platypus Bank), and
// keeps its public_token for the exchange.
func (r *Run) sandboxItem(ctx context.Context) error {
	tr := r.TokenRequest()
	prods := tr.Products
	if len(prods) == 0 {
		prods = r.env.Config.Products
	}
	req := plaid.NewSandboxPublicTokenCreateRequest(sandboxInstitution, products(prods))
	if tr.Webhook != "" {
		opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
		opts.SetWebhook(tr.Webhook)
		req.SetOptions(*opts)
	}
	resp, _, err := r.api().SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		return AsAPIError("/sandbox/public_token/create", err)
	}
	if err := requireFields("/sandbox/public_token/create", resp.GetRequestId(), "public_token", resp.GetPublicToken()); err != nil {
		return err
	}
	r.mu.Lock()
	r.st.publicToken = resp.GetPublicToken()
	r.st.institutionID, r.st.institutionName = sandboxInstitution, sandboxInstitutionName
	r.mu.Unlock()
	r.fact("public_token", redact.Value(resp.GetPublicToken()))
	r.fact("institution", sandboxInstitutionName+" ("+sandboxInstitution+"), user_good / pass_good")
	r.addTimeline(TimelineEntry{What: "Item created with /sandbox/public_token/create (no Link)", RequestID: resp.GetRequestId()})
	return nil
}

// exchange swaps the public_token for an access_token and records the Item.
func (r *Run) exchange(ctx context.Context) error {
	r.mu.Lock()
	pt := r.st.publicToken
	r.mu.Unlock()
	if pt == "" {
		return errNoPublicToken
	}
	resp, _, err := r.api().ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt)).Execute()
	if err != nil {
		return AsAPIError("/item/public_token/exchange", err)
	}
	if err := requireFields("/item/public_token/exchange", resp.GetRequestId(),
		"access_token", resp.GetAccessToken(), "item_id", resp.GetItemId()); err != nil {
		return err // the public_token may be spent: Link runs again for a new one
	}
	r.mu.Lock()
	r.st.publicToken = "" // one-time: it is spent
	r.st.accessToken, r.st.item = resp.GetAccessToken(), resp.GetItemId()
	item := store.Item{
		ItemID: resp.GetItemId(), InstitutionID: r.st.institutionID, InstitutionName: r.st.institutionName,
		Mode: r.mode, Status: store.ItemHealthy, BaseURL: r.env.Config.BaseURL,
	}
	r.mu.Unlock()
	r.fact("item_id", resp.GetItemId())
	r.fact("access_token", redact.Value(resp.GetAccessToken())+" (kept only in the session log's Items table)")
	r.addTimeline(TimelineEntry{What: "public_token exchanged for an access_token", RequestID: resp.GetRequestId()})
	if err := r.env.Store.UpsertItem(ctx, item, resp.GetAccessToken()); err != nil {
		return fmt.Errorf("the exchange worked, but saving the Item failed: %w", err)
	}
	return nil
}

// access returns the run's access_token and item_id.
func (r *Run) access() (token, itemID string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.accessToken == "" {
		return "", "", errNoItem
	}
	return r.st.accessToken, r.st.item, nil
}

// getItem calls /item/get for the run's Item.
func (r *Run) getItem(ctx context.Context) (plaid.ItemGetResponse, error) {
	tok, _, err := r.access()
	if err != nil {
		return plaid.ItemGetResponse{}, err
	}
	resp, _, err := r.api().ItemGet(ctx).ItemGetRequest(*plaid.NewItemGetRequest(tok)).Execute()
	if err != nil {
		return plaid.ItemGetResponse{}, AsAPIError("/item/get", err)
	}
	if err := requireFields("/item/get", resp.GetRequestId(), "item.item_id", resp.Item.GetItemId()); err != nil {
		return plaid.ItemGetResponse{}, err
	}
	return resp, nil
}

// getAccounts calls /accounts/get for the run's Item.
func (r *Run) getAccounts(ctx context.Context) (plaid.AccountsGetResponse, error) {
	tok, _, err := r.access()
	if err != nil {
		return plaid.AccountsGetResponse{}, err
	}
	resp, _, err := r.api().AccountsGet(ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(tok)).Execute()
	if err != nil {
		return plaid.AccountsGetResponse{}, AsAPIError("/accounts/get", err)
	}
	if err := requireFields("/accounts/get", resp.GetRequestId(), "item.item_id", resp.Item.GetItemId(), "accounts", len(resp.GetAccounts())); err != nil {
		return plaid.AccountsGetResponse{}, err
	}
	return resp, nil
}

// accountFacts lists the accounts of an /accounts/get or /auth/get answer.
func (r *Run) accountFacts(accounts []plaid.AccountBase) {
	names := make([]string, len(accounts))
	for i, a := range accounts {
		names[i] = a.GetName()
		if m := a.GetMask(); m != "" {
			names[i] += " ••" + m
		}
	}
	r.fact("accounts", fmt.Sprintf("%d: %s", len(accounts), strings.Join(names, ", ")))
}

// checkSameItem fails when an answer is about another Item than the run's.
func (r *Run) checkSameItem(got string) error {
	_, want, err := r.access()
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("the answer is about item %s, not the run's item %s", got, want)
	}
	r.fact("item_id", got+" (the same Item)")
	return nil
}

// setItemStatus records the run's Item's status in the store.
func (r *Run) setItemStatus(ctx context.Context, status string) error {
	_, id, err := r.access()
	if err != nil {
		return err
	}
	if err := r.env.Store.SetItemStatus(ctx, id, status); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}
