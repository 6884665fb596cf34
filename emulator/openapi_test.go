package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// TestOpenAPIEveryEndpoint drives every endpoint to a success through
// plaid-go (raw HTTP for /item/public_token/create, which plaid-go v20 no
// longer has) and checks each response was validated against the schema
// by the harness's transport.
func TestOpenAPIEveryEndpoint(t *testing.T) {
	requireSpec(t)
	validatedMu.Lock()
	before := make(map[string]int, len(validatedPaths))
	for k, v := range validatedPaths {
		before[k] = v
	}
	validatedMu.Unlock()

	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS, plaid.PRODUCTS_IDENTITY)
	upd := linkTokenRequest()
	upd.SetWebhook(recv.url("/hook"))
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*upd).Execute()).must(t)
	res(h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()).must(t)
	res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
	res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	res(h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(access)).Execute()).must(t)
	res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()).must(t)
	res(h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()).must(t)
	sync := plaid.NewTransactionsSyncRequest(access)
	opts := plaid.NewTransactionsSyncRequestOptions()
	opts.SetIncludeOriginalDescription(true)
	opts.SetIncludePersonalFinanceCategory(true)
	sync.SetOptions(*opts)
	res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*sync).Execute()).must(t)
	productEndpoints(t, h, access)
	fire := plaid.NewSandboxItemFireWebhookRequest(access, "DEFAULT_UPDATE")
	res(h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*fire).Execute()).must(t)
	wh := plaid.NewItemWebhookUpdateRequest(access)
	wh.SetWebhook(recv.url("/new"))
	res(h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(*wh).Execute()).must(t)
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t) // with item.error
	status, out := h.post("/item/public_token/create", "application/json", fmt.Appendf(nil, `{"access_token":%q}`, access), creds)
	if status != 200 {
		t.Fatalf("/item/public_token/create: %d %v", status, out)
	}
	body, _ := json.Marshal(out)
	checkSchema(t, "/item/public_token/create", status, http.Header{"Content-Type": jsonContentType}, body)
	rot := res(h.client.ItemAccessTokenInvalidate(h.ctx).ItemAccessTokenInvalidateRequest(*plaid.NewItemAccessTokenInvalidateRequest(access)).Execute()).must(t)
	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(rot.GetNewAccessToken())).Execute()).must(t)

	instOpts := plaid.NewInstitutionsGetRequestOptions()
	instOpts.SetIncludeOptionalMetadata(true)
	instOpts.SetIncludeAuthMetadata(true)
	instOpts.SetIncludePaymentInitiationMetadata(true)
	ig := plaid.NewInstitutionsGetRequest(500, 0, []plaid.CountryCode{"US", "GB", "CA", "ES", "FR", "IE", "NL", "DE"})
	ig.SetOptions(*instOpts)
	res(h.client.InstitutionsGet(h.ctx).InstitutionsGetRequest(*ig).Execute()).must(t)
	search := plaid.NewInstitutionsSearchRequest("Plaid", []plaid.CountryCode{"GB", "US"})
	sopts := plaid.NewInstitutionsSearchRequestOptions()
	sopts.SetIncludeOptionalMetadata(true)
	sopts.SetIncludePaymentInitiationMetadata(true)
	search.SetOptions(*sopts)
	res(h.client.InstitutionsSearch(h.ctx).InstitutionsSearchRequest(*search).Execute()).must(t)
	byID := plaid.NewInstitutionsGetByIdRequest("ins_117650", []plaid.CountryCode{"GB"})
	bopts := plaid.NewInstitutionsGetByIdRequestOptions()
	bopts.SetIncludeOptionalMetadata(true)
	bopts.SetIncludeStatus(true)
	bopts.SetIncludeAuthMetadata(true)
	bopts.SetIncludePaymentInitiationMetadata(true)
	byID.SetOptions(*bopts)
	res(h.client.InstitutionsGetById(h.ctx).InstitutionsGetByIdRequest(*byID).Execute()).must(t)
	res(h.client.WebhookVerificationKeyGet(h.ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(h.emu.whKey.kid)).Execute()).must(t)

	selectOAuthAccounts(t, h, lt.GetLinkToken())

	validatedMu.Lock()
	defer validatedMu.Unlock()
	var missing []string
	for path := range apiRoutes {
		if validatedPaths[path] <= before[path] {
			missing = append(missing, path)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("no success response validated for %v", missing)
	}
}

// recordingTB captures a checkSchema failure instead of failing the test.
type recordingTB struct {
	testing.TB
	failed bool
}

func (r *recordingTB) Errorf(string, ...any) { r.failed = true }
func (r *recordingTB) Helper()               {}

// TestSchemaCheckCatchesBadResponses makes sure the validation the other
// tests rely on can fail.
func TestSchemaCheckCatchesBadResponses(t *testing.T) {
	requireSpec(t)
	for name, body := range map[string]string{
		"missing item":         `{"request_id":"abcdefghijklmno"}`,
		"non-RFC3339 time":     `{"link_token":"link-sandbox-x","expiration":"12/03/2020","request_id":"abcdefghijklmno"}`,
		"wrong type for total": `{"institutions":[],"total":"3","request_id":"abcdefghijklmno"}`,
	} {
		path := map[string]string{
			"missing item": "/item/get", "non-RFC3339 time": "/link/token/create", "wrong type for total": "/institutions/get",
		}[name]
		rec := &recordingTB{TB: t}
		checkSchema(rec, path, http.StatusOK, http.Header{"Content-Type": jsonContentType}, []byte(body))
		if !rec.failed {
			t.Errorf("%s: schema check passed %s", name, body)
		}
	}
}

// productEndpoints calls, through plaid-go, every product endpoint that
// an Item created with auth, transactions and identity can reach.
func productEndpoints(t *testing.T, h *harness, access string) {
	t.Helper()
	now := h.emu.Now()
	tg := plaid.NewTransactionsGetRequest(access, now.AddDate(0, 0, -30).Format("2006-01-02"), now.Format("2006-01-02"))
	tgo := plaid.NewTransactionsGetRequestOptions()
	tgo.SetCount(5)
	tgo.SetIncludeOriginalDescription(true)
	tg.SetOptions(*tgo)
	tx := res(h.client.TransactionsGet(h.ctx).TransactionsGetRequest(*tg).Execute()).must(t)
	res(h.client.TransactionsRefresh(h.ctx).TransactionsRefreshRequest(*plaid.NewTransactionsRefreshRequest(access)).Execute()).must(t)
	rec := plaid.NewTransactionsRecurringGetRequest(access, []string{tx.Accounts[0].AccountId, tx.Accounts[1].AccountId})
	ro := plaid.NewTransactionsRecurringGetRequestOptions()
	ro.SetIncludePersonalFinanceCategory(true)
	rec.SetOptions(*ro)
	res(h.client.TransactionsRecurringGet(h.ctx).TransactionsRecurringGetRequest(*rec).Execute()).must(t)
	res(h.client.CategoriesGet(h.ctx).Body(map[string]any{}).Execute()).must(t)

	im := plaid.NewIdentityMatchRequest(access)
	u := plaid.NewIdentityMatchUser()
	u.SetLegalName("Alberta Charleson")
	u.SetPhoneNumber("+11112223333")
	u.SetEmailAddress("accountholder0@example.com")
	addr := plaid.NewAddressDataNullableNoRequiredFields()
	addr.SetStreet("2992 Cameron Road")
	addr.SetPostalCode("14236")
	u.SetAddress(*addr)
	im.SetUser(*u)
	res(h.client.IdentityMatch(h.ctx).IdentityMatchRequest(*im).Execute()).must(t)
	res(h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest(access)).Execute()).must(t)
	res(h.client.InvestmentsTransactionsGet(h.ctx).InvestmentsTransactionsGetRequest(*plaid.NewInvestmentsTransactionsGetRequest(
		access, now.AddDate(0, 0, -90).Format("2006-01-02"), now.Format("2006-01-02"))).Execute()).must(t)
	res(h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(access)).Execute()).must(t)
	res(h.client.SignalEvaluate(h.ctx).SignalEvaluateRequest(*plaid.NewSignalEvaluateRequest(access, tx.Accounts[0].AccountId, "openapi-1", 25)).Execute()).must(t)
	res(h.client.SignalDecisionReport(h.ctx).SignalDecisionReportRequest(*plaid.NewSignalDecisionReportRequest("openapi-1", true)).Execute()).must(t)
	res(h.client.SignalReturnReport(h.ctx).SignalReturnReportRequest(*plaid.NewSignalReturnReportRequest("openapi-1", "R01")).Execute()).must(t)
	res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t) // with status.investments

	res(h.client.UserCreate(h.ctx).UserCreateRequest(*plaid.NewUserCreateRequest("openapi-user")).Execute()).must(t)
	res(h.client.ProcessorTokenCreate(h.ctx).ProcessorTokenCreateRequest(*plaid.NewProcessorTokenCreateRequest(access, tx.Accounts[0].AccountId, "dwolla")).Execute()).must(t)
	res(h.client.SandboxProcessorTokenCreate(h.ctx).SandboxProcessorTokenCreateRequest(*plaid.NewSandboxProcessorTokenCreateRequest("ins_109508")).Execute()).must(t)
	al := plaid.NewItemApplicationListRequest()
	al.SetAccessToken(access)
	res(h.client.ItemApplicationList(h.ctx).ItemApplicationListRequest(*al).Execute()).must(t)
	md := h.newMicroDepositItem("ins_109512", "", plaid.PRODUCTS_AUTH)
	_, mdAccounts := h.accountStatuses(md)
	res(h.client.SandboxItemSetVerificationStatus(h.ctx).SandboxItemSetVerificationStatusRequest(
		*plaid.NewSandboxItemSetVerificationStatusRequest(md, mdAccounts[0].AccountId, "automatically_verified")).Execute()).must(t)
	res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(md)).Execute()).must(t) // with verification_status

	xfer, _ := h.newItem("", plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSFER)
	xacc := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(xfer)).Execute()).must(t).Accounts[0].AccountId
	xa := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(xfer, xacc, "10.00")).Execute()).must(t)
	xt := res(h.client.TransferCreate(h.ctx).TransferCreateRequest(*plaid.NewTransferCreateRequest(xfer, xacc, xa.Authorization.Id, "openapi")).Execute()).must(t)
	res(h.client.SandboxTransferSimulate(h.ctx).SandboxTransferSimulateRequest(*plaid.NewSandboxTransferSimulateRequest(xt.Transfer.Id, "failed")).Execute()).must(t)
	res(h.client.TransferGet(h.ctx).TransferGetRequest(*plaid.NewTransferGetRequest(xt.Transfer.Id)).Execute()).must(t)
	res(h.client.TransferList(h.ctx).TransferListRequest(*plaid.NewTransferListRequest()).Execute()).must(t)
	res(h.client.TransferEventList(h.ctx).TransferEventListRequest(*plaid.NewTransferEventListRequest()).Execute()).must(t)
	res(h.client.TransferEventSync(h.ctx).TransferEventSyncRequest(*plaid.NewTransferEventSyncRequest(0)).Execute()).must(t)
	xa2 := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(xfer, xacc, "1000.00")).Execute()).must(t) // declined
	if xa2.Authorization.Decision != "declined" {
		t.Errorf("1000 against 100 available: %s", xa2.Authorization.Decision)
	}
	xa3 := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(xfer, xacc, "1.00")).Execute()).must(t)
	xt3 := res(h.client.TransferCreate(h.ctx).TransferCreateRequest(*plaid.NewTransferCreateRequest(xfer, xacc, xa3.Authorization.Id, "openapi")).Execute()).must(t)
	res(h.client.TransferCancel(h.ctx).TransferCancelRequest(*plaid.NewTransferCancelRequest(xt3.Transfer.Id)).Execute()).must(t)
	res(h.client.SandboxTransferFireWebhook(h.ctx).SandboxTransferFireWebhookRequest(*plaid.NewSandboxTransferFireWebhookRequest("http://127.0.0.1:1/hook")).Execute()).must(t)

	prc := plaid.NewPaymentInitiationRecipientCreateRequest("Openapi Ltd")
	prc.SetIban("GB33BUKB20201555555555")
	pr := res(h.client.PaymentInitiationRecipientCreate(h.ctx).PaymentInitiationRecipientCreateRequest(*prc).Execute()).must(t)
	res(h.client.PaymentInitiationRecipientGet(h.ctx).PaymentInitiationRecipientGetRequest(*plaid.NewPaymentInitiationRecipientGetRequest(pr.RecipientId)).Execute()).must(t)
	pp := res(h.client.PaymentInitiationPaymentCreate(h.ctx).PaymentInitiationPaymentCreateRequest(
		*plaid.NewPaymentInitiationPaymentCreateRequest(pr.RecipientId, "Ref 1", *plaid.NewPaymentAmount(plaid.PAYMENTAMOUNTCURRENCY_EUR, 3))).Execute()).must(t)
	res(h.client.PaymentInitiationPaymentGet(h.ctx).PaymentInitiationPaymentGetRequest(*plaid.NewPaymentInitiationPaymentGetRequest(pp.PaymentId)).Execute()).must(t)
	pl := plaid.NewPaymentInitiationPaymentListRequest()
	pl.SetCount(1)
	res(h.client.PaymentInitiationPaymentList(h.ctx).PaymentInitiationPaymentListRequest(*pl).Execute()).must(t)

	inc, _ := h.newItem("", plaid.PRODUCTS_INCOME_VERIFICATION)
	psg := plaid.NewIncomeVerificationPaystubsGetRequest()
	psg.SetAccessToken(inc)
	res(h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*psg).Execute()).must(t)

	h.emu.assetDelay = 0
	docs, _ := h.newItem("", plaid.PRODUCTS_ASSETS, plaid.PRODUCTS_STATEMENTS)
	arc := plaid.NewAssetReportCreateRequest(30)
	arc.SetAccessTokens([]string{docs})
	ar := res(h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*arc).Execute()).must(t)
	arg := plaid.NewAssetReportGetRequest()
	arg.SetAssetReportToken(ar.AssetReportToken)
	res(h.client.AssetReportGet(h.ctx).AssetReportGetRequest(*arg).Execute()).must(t)
	res(h.client.AssetReportPdfGet(h.ctx).AssetReportPDFGetRequest(*plaid.NewAssetReportPDFGetRequest(ar.AssetReportToken)).Execute()).must(t)
	res(h.client.AssetReportRefresh(h.ctx).AssetReportRefreshRequest(*plaid.NewAssetReportRefreshRequest(ar.AssetReportToken)).Execute()).must(t)
	res(h.client.AssetReportRemove(h.ctx).AssetReportRemoveRequest(*plaid.NewAssetReportRemoveRequest(ar.AssetReportToken)).Execute()).must(t)
	sl := res(h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(docs)).Execute()).must(t)
	res(h.client.StatementsDownload(h.ctx).StatementsDownloadRequest(*plaid.NewStatementsDownloadRequest(docs, sl.Accounts[0].Statements[0].StatementId)).Execute()).must(t)
	res(h.client.StatementsRefresh(h.ctx).StatementsRefreshRequest(*plaid.NewStatementsRefreshRequest(docs,
		now.AddDate(0, -6, 0).Format("2006-01-02"), now.Format("2006-01-02"))).Execute()).must(t)
}

// selectOAuthAccounts opens a Link session through the session API (as the
// Link UI does), hands off to Platypus OAuth Bank, and chooses the
// handoff's accounts with /sandbox/oauth/select_accounts.
func selectOAuthAccounts(t *testing.T, h *harness, token string) {
	t.Helper()
	step := func(path string, body map[string]any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		status, out := h.post(path, "application/json", b, nil)
		if status != 200 {
			t.Fatalf("%s: %d %v", path, status, out)
		}
		return out
	}
	sid := step("/__link/session", map[string]any{"link_token": token})["link_session_id"]
	step("/__link/institution", map[string]any{"link_session_id": sid, "institution_id": "ins_127287"})
	state := step("/__link/oauth", map[string]any{"link_session_id": sid})["oauth_state_id"].(string)
	body, _ := json.Marshal(map[string]any{"oauth_state_id": state, "accounts": []string{"Plaid Checking"}})
	status, out := h.post("/sandbox/oauth/select_accounts", "application/json", body, creds)
	if status != 200 {
		t.Fatalf("/sandbox/oauth/select_accounts: %d %v", status, out)
	}
	raw, _ := json.Marshal(out)
	checkSchema(t, "/sandbox/oauth/select_accounts", status, http.Header{"Content-Type": jsonContentType}, raw)
}
