package emulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/plaid/plaid-go/v20/plaid"
)

// newAccountsItem makes an Item with a webhook and fires
// NEW_ACCOUNTS_AVAILABLE: the bank now has an account the Item does not
// share. It returns the access_token and the shared account ids.
func newAccountsItem(t *testing.T, env *linkEnv) (string, []string) {
	t.Helper()
	bg := context.Background()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(hook.Close)
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetWebhook(hook.URL + "/hook")
	req.SetOptions(*opts)
	pt, _, err := env.client.SandboxPublicTokenCreate(bg).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatalf("/sandbox/public_token/create: %v", plaidErr(err))
	}
	ex, _, err := env.client.ItemPublicTokenExchange(bg).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatalf("exchange: %v", plaidErr(err))
	}
	access := ex.GetAccessToken()
	if _, _, err := env.client.SandboxItemFireWebhook(bg).SandboxItemFireWebhookRequest(
		*plaid.NewSandboxItemFireWebhookRequest(access, "NEW_ACCOUNTS_AVAILABLE")).Execute(); err != nil {
		t.Fatalf("fire_webhook: %v", plaidErr(err))
	}
	return access, accountIDsOf(t, env, access)
}

func accountIDsOf(t *testing.T, env *linkEnv, access string) []string {
	t.Helper()
	got, _, err := env.client.AccountsGet(context.Background()).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()
	if err != nil {
		t.Fatalf("/accounts/get: %v", plaidErr(err))
	}
	var ids []string
	for _, a := range got.GetAccounts() {
		ids = append(ids, a.GetAccountId())
	}
	return ids
}

// accountSelectionToken is an update-mode link_token with
// update.account_selection_enabled.
func accountSelectionToken(t *testing.T, env *linkEnv, access string) string {
	t.Helper()
	req := plaid.NewLinkTokenCreateRequest("Plaid Quickstart", "en",
		[]plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("user-1"))
	req.SetAccessToken(access)
	upd := plaid.NewLinkTokenCreateRequestUpdate()
	upd.SetAccountSelectionEnabled(true)
	req.SetUpdate(*upd)
	resp, _, err := env.client.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatalf("/link/token/create: %v", plaidErr(err))
	}
	return resp.GetLinkToken()
}

func successAccountIDs(md map[string]any) (ids, names []string) {
	for _, a := range md["accounts"].([]any) {
		acct := a.(map[string]any)
		ids = append(ids, acct["id"].(string))
		names = append(names, acct["name"].(string))
	}
	return ids, names
}

// TestLinkBrowserUpdateModeAccountSelectAutopilot: update mode with
// account selection shows the account-select pane with the new account;
// the autopilot keeps everything selected, and the new account is shared.
func TestLinkBrowserUpdateModeAccountSelectAutopilot(t *testing.T) {
	env := newLinkEnv(t)
	access, before := newAccountsItem(t, env)
	token := accountSelectionToken(t, env, access)
	env.autopilot(token, "user_good", "pass_good")
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("success", 1)

	inOrder(t, kinds(log), []string{
		"load", "event:OPEN", "event:TRANSITION_VIEW:CREDENTIAL", "event:SUBMIT_CREDENTIALS",
		"event:TRANSITION_VIEW:SELECT_ACCOUNT", "event:TRANSITION_VIEW:CONNECTED", "event:HANDOFF", "success",
	})
	if open := events(log)[0]; open.meta()["is_update_mode"] != "true" {
		t.Errorf("OPEN metadata %v, want is_update_mode \"true\"", open.meta())
	}
	if slices.Contains(kinds(log), "event:TRANSITION_VIEW:SELECT_INSTITUTION") {
		t.Error("update mode showed the institution list")
	}
	md := find(log, "success").meta()
	checkEvents(t, log, md["link_session_id"].(string))
	ids, names := successAccountIDs(md)
	if len(ids) != len(before)+1 || !slices.Contains(names, "Plaid New Savings 1") {
		t.Fatalf("onSuccess metadata.accounts %v, want the %d shared accounts and Plaid New Savings 1", names, len(before))
	}
	after := accountIDsOf(t, env, access)
	slices.Sort(ids)
	slices.Sort(after)
	if !slices.Equal(ids, after) {
		t.Errorf("onSuccess account ids %v, /accounts/get %v", ids, after)
	}
}

// TestLinkBrowserUpdateModeAccountSelectByHand: a person logs in again,
// sees the new account marked New with every account ticked, unticks one
// old account and continues: the selection is the Item's new shared set.
func TestLinkBrowserUpdateModeAccountSelectByHand(t *testing.T) {
	env := newLinkEnv(t)
	access, before := newAccountsItem(t, env)
	token := accountSelectionToken(t, env, access)
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	env.waitFor("event", 1)
	frames, err := chromedp.Run(env.ctx, chromedp.Nodes(chromedp.CSS(`iframe[id^="plaid-link-iframe"]`)))
	if err != nil || len(frames) != 1 {
		t.Fatalf("Link iframe: %v (%d found)", err, len(frames))
	}
	in := chromedp.FromNode(frames[0])
	env.do(
		chromedp.WaitVisible(chromedp.CSS("#username"), in),
		chromedp.SendKeys(chromedp.CSS("#username"), "user_good", in),
		chromedp.SendKeys(chromedp.CSS("#password"), "pass_good", in),
		chromedp.Click(chromedp.CSS("#submit-credentials"), in),
		chromedp.WaitVisible(chromedp.CSS("#accounts-continue"), in),
	)
	pane, err := chromedp.Run(env.ctx, chromedp.Text(chromedp.CSS("#accounts"), in))
	if err != nil || !strings.Contains(pane, "Plaid New Savings 1") || !strings.Contains(pane, "New") {
		t.Fatalf("account-select pane %q (%v): want the new account, marked New", pane, err)
	}
	boxes, err := chromedp.Run(env.ctx, chromedp.Nodes(chromedp.CSSAll(`#accounts input[name=account]:checked`), in))
	if err != nil || len(boxes) != len(before)+1 {
		t.Fatalf("%d accounts ticked (%v), want all %d", len(boxes), err, len(before)+1)
	}
	dropped := before[0]
	env.do(
		chromedp.Click(chromedp.CSS(`#accounts input[value="`+dropped+`"]`), in),
		chromedp.Click(chromedp.CSS("#accounts-continue"), in),
		chromedp.WaitVisible(chromedp.CSS("#connected-continue"), in),
		chromedp.Click(chromedp.CSS("#connected-continue"), in),
	)
	log := env.waitFor("success", 1)
	ids, names := successAccountIDs(find(log, "success").meta())
	if slices.Contains(ids, dropped) || !slices.Contains(names, "Plaid New Savings 1") || len(ids) != len(before) {
		t.Errorf("onSuccess metadata.accounts %v (%v): want all but %s, plus the new account", names, ids, dropped)
	}
	after := accountIDsOf(t, env, access)
	if slices.Contains(after, dropped) || len(after) != len(before) {
		t.Errorf("/accounts/get %v: the unticked account %s must stop being shared", after, dropped)
	}
	inOrder(t, kinds(log), []string{"event:OPEN", "event:TRANSITION_VIEW:CREDENTIAL", "event:SUBMIT_CREDENTIALS",
		"event:TRANSITION_VIEW:SELECT_ACCOUNT", "event:TRANSITION_VIEW:CONNECTED", "event:HANDOFF", "success"})
}

// TestLinkBrowserUpdateModeWithoutAccountSelection: without the flag, the
// pane lists only the shared accounts, with nothing to tick.
func TestLinkBrowserUpdateModeWithoutAccountSelection(t *testing.T) {
	env := newLinkEnv(t)
	access, before := newAccountsItem(t, env)
	token := env.linkToken(access)
	env.autopilot(token, "user_good", "pass_good")
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	log := env.waitFor("success", 1)
	_, names := successAccountIDs(find(log, "success").meta())
	if slices.Contains(names, "Plaid New Savings 1") || len(names) != len(before) {
		t.Errorf("onSuccess metadata.accounts %v: without account_selection_enabled the new account is not offered", names)
	}
	if after := accountIDsOf(t, env, access); len(after) != len(before) {
		t.Errorf("/accounts/get has %d accounts, had %d", len(after), len(before))
	}
}
