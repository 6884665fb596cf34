package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// This file reproduces what Plaid's quickstart backend (plaid/quickstart,
// node/index.js and go/server.go) does against the emulator, panel by
// panel, through plaid-go v20.1.0: the link_token it creates (client_name
// "Plaid Quickstart", client_user_id "user-id", language en, PLAID_PRODUCTS
// and PLAID_COUNTRY_CODES, a statements range when statements is asked
// for, a user_token from /user/create for income, a payment_id for
// payment initiation), Link (driven through the emulated Link's session
// API, as link.js does), the exchange (and, with transfer, the
// authorization and transfer the quickstart makes right after it), then
// each panel's calls. Every answer must be 200 and about the Item that
// Link made.

// quickstartItem is the quickstart backend's state after the exchange.
type quickstartItem struct {
	h                   *harness
	access, itemID      string
	institution         string
	accountIDs          []string // from /accounts/get
	transferID, payment string
}

// quickstartLink creates the link_token as the quickstart does, completes
// Link at institution selecting every offered account, and exchanges the
// public_token.
func quickstartLink(t *testing.T, h *harness, institution string, countries []plaid.CountryCode, products []plaid.Products,
	configure func(*plaid.LinkTokenCreateRequest)) *quickstartItem {
	t.Helper()
	req := plaid.NewLinkTokenCreateRequest("Plaid Quickstart", "en", countries, *plaid.NewLinkTokenCreateRequestUser("user-id"))
	req.SetProducts(products)
	if slices.Contains(products, plaid.PRODUCTS_STATEMENTS) {
		st := plaid.NewLinkTokenCreateRequestStatements()
		now := h.emu.Now()
		st.SetStartDate(now.AddDate(0, 0, -30).Format(time.DateOnly))
		st.SetEndDate(now.Format(time.DateOnly))
		req.SetStatements(*st)
	}
	if configure != nil {
		configure(req)
	}
	lt := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*req).Execute()).must(t)

	step := func(path string, body map[string]any) map[string]any {
		t.Helper()
		status, out := h.postJSON(path, body)
		if status != http.StatusOK {
			t.Fatalf("Link %s: %d %v", path, status, out)
		}
		return out
	}
	sid := step("/__link/session", map[string]any{"link_token": lt.LinkToken})["link_session_id"]
	next := step("/__link/institution", map[string]any{"link_session_id": sid, "institution_id": institution})
	var login map[string]any
	switch next["next"] {
	case "oauth":
		// The bank's consent, as the user gives it in the pop-up: the
		// handoff, the bank's page, approve, and back to Link.
		handoff := step("/__link/oauth", map[string]any{"link_session_id": sid})
		state := handoff["oauth_state_id"]
		step("/__link/oauth/bank", map[string]any{"oauth_state_id": state})
		step("/__link/oauth/consent", map[string]any{"oauth_state_id": state, "approve": true})
		login = step("/__link/oauth/complete", map[string]any{"link_session_id": sid, "oauth_state_id": state})
	default:
		login = step("/__link/credentials", map[string]any{"link_session_id": sid, "username": "user_good", "password": "pass_good"})
	}
	offered, _ := login["accounts"].([]any)
	if len(offered) == 0 {
		t.Fatalf("Link offered no accounts: %v", login)
	}
	var ids []string
	for _, a := range offered {
		ids = append(ids, a.(map[string]any)["id"].(string))
	}
	done := step("/__link/accounts", map[string]any{"link_session_id": sid, "account_ids": ids})

	// /api/set_access_token
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(done["public_token"].(string))).Execute()).must(t)
	q := &quickstartItem{h: h, access: ex.AccessToken, itemID: ex.ItemId, institution: institution}
	acc := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(q.access)).Execute()).must(t)
	if len(acc.Accounts) != len(ids) || acc.Item.ItemId != q.itemID {
		t.Fatalf("/accounts/get after the exchange: %d accounts for %d linked, item %s", len(acc.Accounts), len(ids), acc.Item.ItemId)
	}
	for _, a := range acc.Accounts {
		q.accountIDs = append(q.accountIDs, a.AccountId)
	}
	return q
}

// owns fails the test unless every id is one of the Item's accounts.
func (q *quickstartItem) owns(t *testing.T, panel string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if !slices.Contains(q.accountIDs, id) {
			t.Errorf("%s: account_id %s is not one of the Item's accounts %v", panel, id, q.accountIDs)
		}
	}
}

// isPDF fails the test unless f (plaid-go's file for a binary answer)
// holds a PDF.
func isPDF(t *testing.T, panel string, f *os.File) {
	t.Helper()
	data, err := io.ReadAll(f)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data, []byte("%%EOF")) {
		t.Errorf("%s: the answer is not a PDF (%d bytes, %v)", panel, len(data), err)
	}
}

// TestQuickstartPanels runs the quickstart backend's panels against
// Items linked as the quickstart links them: PLAID_PRODUCTS=auth,transactions
// (its .env.example) first, then the products each other panel needs.
func TestQuickstartPanels(t *testing.T) {
	h := newHarness(t, Options{})
	us := []plaid.CountryCode{plaid.COUNTRYCODE_US}

	t.Run("auth,transactions", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS}, nil)
		q.authPanel(t)
		q.transactionsPanel(t)
		q.identityPanel(t)
		q.balancePanel(t)
		q.itemPanel(t, plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS)
		q.accountsPanel(t)
	})
	t.Run("investments", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_INVESTMENTS}, nil)
		q.holdingsPanel(t)
		q.investmentTransactionsPanel(t)
		q.itemPanel(t, plaid.PRODUCTS_INVESTMENTS)
	})
	t.Run("liabilities", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_LIABILITIES}, nil)
		q.liabilitiesPanel(t)
	})
	t.Run("assets", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_ASSETS}, nil)
		q.assetsPanel(t)
	})
	t.Run("statements", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_STATEMENTS}, nil)
		q.statementsPanel(t)
	})
	t.Run("signal", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_SIGNAL}, nil)
		q.signalPanel(t)
	})
	t.Run("transfer", func(t *testing.T) {
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_TRANSFER}, nil)
		q.authorizeAndCreateTransfer(t)
		q.transferPanel(t)
	})
	t.Run("payment_initiation", func(t *testing.T) {
		q := quickstartPaymentLink(t, h)
		q.paymentPanel(t)
	})
	t.Run("income_verification", func(t *testing.T) {
		// The quickstart makes a user for income products and passes its
		// user_token to /link/token/create.
		user := res(h.client.UserCreate(h.ctx).UserCreateRequest(*plaid.NewUserCreateRequest("user_" + newRequestID())).Execute()).must(t)
		if user.UserToken == "" || user.UserId == "" {
			t.Fatalf("/user/create %+v", user)
		}
		q := quickstartLink(t, h, "ins_109508", us, []plaid.Products{plaid.PRODUCTS_INCOME_VERIFICATION}, func(r *plaid.LinkTokenCreateRequest) {
			r.SetUserToken(user.UserToken)
		})
		q.paystubsPanel(t)
	})
}

// /api/auth
func (q *quickstartItem) authPanel(t *testing.T) {
	h := q.h
	auth := res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(q.access)).Execute()).must(t)
	if len(auth.Accounts) == 0 || len(auth.Numbers.Ach) == 0 || auth.Item.ItemId != q.itemID {
		t.Fatalf("auth: %d accounts, %d ACH numbers, item %s", len(auth.Accounts), len(auth.Numbers.Ach), auth.Item.ItemId)
	}
	for _, n := range auth.Numbers.Ach {
		q.owns(t, "auth", n.AccountId)
		if n.Routing != "011401533" || n.Account == "" {
			t.Errorf("auth: ACH %+v", n)
		}
	}
}

// /api/transactions: /transactions/sync from the start until has_more is
// false; while the initial pull is not done the first page is empty and
// the quickstart tries again.
func (q *quickstartItem) transactionsPanel(t *testing.T) {
	h := q.h
	var added []plaid.Transaction
	testwait.Until(t, "the Item's first transactions from /transactions/sync", func() (bool, string) {
		added = nil
		cursor := ""
		for {
			req := plaid.NewTransactionsSyncRequest(q.access)
			if cursor != "" {
				req.SetCursor(cursor)
			}
			page := res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*req).Execute()).must(t)
			added = append(added, page.Added...)
			cursor = page.NextCursor
			if !page.HasMore {
				break
			}
		}
		return len(added) > 0, fmt.Sprintf("%d added", len(added))
	})
	for _, tx := range added {
		q.owns(t, "transactions", tx.AccountId)
	}
}

// /api/identity
func (q *quickstartItem) identityPanel(t *testing.T) {
	h := q.h
	id := res(h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(q.access)).Execute()).must(t)
	if len(id.Accounts) != len(q.accountIDs) {
		t.Errorf("identity: %d accounts, the Item has %d", len(id.Accounts), len(q.accountIDs))
	}
	for _, a := range id.Accounts {
		q.owns(t, "identity", a.AccountId)
		if len(a.Owners) == 0 || len(a.Owners[0].Names) == 0 {
			t.Errorf("identity: account %s has no owner", a.AccountId)
		}
	}
}

// /api/balance
func (q *quickstartItem) balancePanel(t *testing.T) {
	h := q.h
	bal := res(h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(q.access)).Execute()).must(t)
	if len(bal.Accounts) != len(q.accountIDs) {
		t.Errorf("balance: %d accounts, the Item has %d", len(bal.Accounts), len(q.accountIDs))
	}
	for _, a := range bal.Accounts {
		q.owns(t, "balance", a.AccountId)
		if a.Balances.Current.Get() == nil && a.Balances.Available.Get() == nil {
			t.Errorf("balance: account %s has no balance", a.AccountId)
		}
	}
}

// /api/item: /item/get, then /institutions/get_by_id for its institution.
func (q *quickstartItem) itemPanel(t *testing.T, products ...plaid.Products) {
	h := q.h
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(q.access)).Execute()).must(t)
	if item.Item.ItemId != q.itemID || item.Item.GetInstitutionId() != q.institution {
		t.Errorf("item: %s at %s", item.Item.ItemId, item.Item.GetInstitutionId())
	}
	for _, p := range products {
		if !slices.Contains(item.Item.BilledProducts, p) {
			t.Errorf("item: billed_products %v lacks %s", item.Item.BilledProducts, p)
		}
	}
	inst := res(h.client.InstitutionsGetById(h.ctx).InstitutionsGetByIdRequest(
		*plaid.NewInstitutionsGetByIdRequest(item.Item.GetInstitutionId(), []plaid.CountryCode{plaid.COUNTRYCODE_US})).Execute()).must(t)
	if inst.Institution.InstitutionId != q.institution || inst.Institution.Name == "" {
		t.Errorf("institution %+v", inst.Institution)
	}
}

// /api/accounts
func (q *quickstartItem) accountsPanel(t *testing.T) {
	h := q.h
	acc := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(q.access)).Execute()).must(t)
	var ids []string
	for _, a := range acc.Accounts {
		ids = append(ids, a.AccountId)
	}
	if !slices.Equal(ids, q.accountIDs) {
		t.Errorf("accounts: %v, before %v", ids, q.accountIDs)
	}
}

// /api/holdings
func (q *quickstartItem) holdingsPanel(t *testing.T) {
	h := q.h
	hold := res(h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest(q.access)).Execute()).must(t)
	if len(hold.Holdings) == 0 || len(hold.Securities) == 0 {
		t.Fatalf("holdings: %d holdings, %d securities", len(hold.Holdings), len(hold.Securities))
	}
	securities := map[string]bool{}
	for _, s := range hold.Securities {
		securities[s.SecurityId] = true
	}
	for _, ho := range hold.Holdings {
		q.owns(t, "holdings", ho.AccountId)
		if !securities[ho.SecurityId] {
			t.Errorf("holdings: security %s is not in securities", ho.SecurityId)
		}
	}
}

// /api/investments_transactions: the last 30 days.
func (q *quickstartItem) investmentTransactionsPanel(t *testing.T) {
	h := q.h
	now := h.emu.Now()
	inv := res(h.client.InvestmentsTransactionsGet(h.ctx).InvestmentsTransactionsGetRequest(*plaid.NewInvestmentsTransactionsGetRequest(
		q.access, now.AddDate(0, 0, -30).Format(time.DateOnly), now.Format(time.DateOnly))).Execute()).must(t)
	if int(inv.TotalInvestmentTransactions) != len(inv.InvestmentTransactions) || inv.Item.ItemId != q.itemID {
		t.Errorf("investments transactions: total %d, got %d", inv.TotalInvestmentTransactions, len(inv.InvestmentTransactions))
	}
	for _, tx := range inv.InvestmentTransactions {
		q.owns(t, "investments transactions", tx.AccountId)
	}
}

// /api/liabilities
func (q *quickstartItem) liabilitiesPanel(t *testing.T) {
	h := q.h
	l := res(h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(q.access)).Execute()).must(t)
	n := 0
	for _, c := range l.Liabilities.GetCredit() {
		q.owns(t, "liabilities", c.GetAccountId())
		n++
	}
	for _, s := range l.Liabilities.GetStudent() {
		q.owns(t, "liabilities", s.GetAccountId())
		n++
	}
	for _, m := range l.Liabilities.GetMortgage() {
		q.owns(t, "liabilities", m.AccountId)
		n++
	}
	if n == 0 {
		t.Error("liabilities: none")
	}
}

// /api/assets: create a 10-day report with a user, poll /asset_report/get
// until it is ready (the quickstart retries on PRODUCT_NOT_READY), then the
// PDF.
func (q *quickstartItem) assetsPanel(t *testing.T) {
	h := q.h
	create := plaid.NewAssetReportCreateRequest(10)
	create.SetAccessTokens([]string{q.access})
	opts := plaid.NewAssetReportCreateRequestOptions()
	opts.SetClientReportId("Custom Report ID #123")
	user := plaid.NewAssetReportUser()
	user.SetClientUserId("Custom User ID #456")
	user.SetFirstName("Alice")
	user.SetLastName("Cranberry")
	opts.SetUser(*user)
	create.SetOptions(*opts)
	made := res(h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*create).Execute()).must(t)
	var rep plaid.AssetReportGetResponse
	testwait.Until(t, "the Asset Report", func() (bool, string) {
		req := plaid.NewAssetReportGetRequest()
		req.SetAssetReportToken(made.AssetReportToken)
		var err error
		rep, _, err = h.client.AssetReportGet(h.ctx).AssetReportGetRequest(*req).Execute()
		if err != nil {
			if pe, perr := plaid.ToPlaidError(err); perr == nil && pe.ErrorCode == "PRODUCT_NOT_READY" {
				return false, "PRODUCT_NOT_READY"
			}
			t.Fatalf("/asset_report/get: %v", err)
		}
		return true, ""
	})
	if rep.Report.AssetReportId != made.AssetReportId || len(rep.Report.Items) != 1 || rep.Report.Items[0].ItemId != q.itemID {
		t.Errorf("assets: report %s with %d Items", rep.Report.AssetReportId, len(rep.Report.Items))
	} else {
		for _, a := range rep.Report.Items[0].Accounts {
			q.owns(t, "assets", a.AccountId)
		}
	}
	pdf := res(h.client.AssetReportPdfGet(h.ctx).AssetReportPDFGetRequest(*plaid.NewAssetReportPDFGetRequest(made.AssetReportToken)).Execute()).must(t)
	isPDF(t, "assets", pdf)
}

// /api/statements: list, then download the first account's first
// statement.
func (q *quickstartItem) statementsPanel(t *testing.T) {
	h := q.h
	list := res(h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(q.access)).Execute()).must(t)
	if len(list.Accounts) == 0 || len(list.Accounts[0].Statements) == 0 || list.ItemId != q.itemID {
		t.Fatalf("statements: %+v", list)
	}
	for _, a := range list.Accounts {
		q.owns(t, "statements", a.AccountId)
	}
	pdf := res(h.client.StatementsDownload(h.ctx).StatementsDownloadRequest(
		*plaid.NewStatementsDownloadRequest(q.access, list.Accounts[0].Statements[0].StatementId)).Execute()).must(t)
	isPDF(t, "statements", pdf)
}

// /api/signal_evaluate: the first account of /accounts/get, 100 dollars.
func (q *quickstartItem) signalPanel(t *testing.T) {
	h := q.h
	req := plaid.NewSignalEvaluateRequest(q.access, q.accountIDs[0], "txn-"+newRequestID(), 100)
	user := plaid.NewSignalUser()
	user.SetEmailAddress("alice@example.com")
	req.SetUser(*user)
	sig := res(h.client.SignalEvaluate(h.ctx).SignalEvaluateRequest(*req).Execute()).must(t)
	if sig.Scores.CustomerInitiatedReturnRisk == nil || sig.Scores.BankInitiatedReturnRisk == nil {
		t.Errorf("signal: scores %+v", sig.Scores)
	}
}

// What the quickstart does right after the exchange when PLAID_PRODUCTS
// has transfer: the first account, an authorization, then the transfer.
func (q *quickstartItem) authorizeAndCreateTransfer(t *testing.T) {
	h := q.h
	authReq := plaid.NewTransferAuthorizationCreateRequest(q.access, q.accountIDs[0], plaid.TRANSFERTYPE_CREDIT, plaid.TRANSFERNETWORK_ACH, "1.00",
		*plaid.NewTransferAuthorizationUserInRequest("FirstName LastName"))
	authReq.SetAchClass(plaid.ACHCLASS_PPD)
	auth := res(h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*authReq).Execute()).must(t)
	if auth.Authorization.Decision != plaid.TRANSFERAUTHORIZATIONDECISION_APPROVED {
		t.Fatalf("transfer authorization: %+v", auth.Authorization)
	}
	tr := res(h.client.TransferCreate(h.ctx).TransferCreateRequest(
		*plaid.NewTransferCreateRequest(q.access, q.accountIDs[0], auth.Authorization.Id, "Debit")).Execute()).must(t)
	q.transferID = tr.Transfer.Id
}

// /api/transfer
func (q *quickstartItem) transferPanel(t *testing.T) {
	h := q.h
	got := res(h.client.TransferGet(h.ctx).TransferGetRequest(*plaid.NewTransferGetRequest(q.transferID)).Execute()).must(t)
	if got.Transfer.Id != q.transferID || got.Transfer.Amount != "1.00" {
		t.Errorf("transfer: %+v", got.Transfer)
	}
	q.owns(t, "transfer", got.Transfer.GetAccountId())
}

// quickstartPaymentLink is the quickstart's create_link_token_for_payment:
// a recipient, a payment, and a link_token for it (GB, payment_initiation),
// then Link at Royal Bank of Plaid and the exchange.
func quickstartPaymentLink(t *testing.T, h *harness) *quickstartItem {
	rc := plaid.NewPaymentInitiationRecipientCreateRequest("Harry Potter")
	rc.SetIban("GB33BUKB20201555555555")
	rc.SetAddress(*plaid.NewPaymentInitiationAddress([]string{"4 Privet Drive"}, "Little Whinging", "11111", "GB"))
	rec := res(h.client.PaymentInitiationRecipientCreate(h.ctx).PaymentInitiationRecipientCreateRequest(*rc).Execute()).must(t)
	pay := res(h.client.PaymentInitiationPaymentCreate(h.ctx).PaymentInitiationPaymentCreateRequest(
		*plaid.NewPaymentInitiationPaymentCreateRequest(rec.RecipientId, "paymentRef", *plaid.NewPaymentAmount(plaid.PAYMENTAMOUNTCURRENCY_GBP, 12.34))).Execute()).must(t)
	q := quickstartLink(t, h, "ins_117650", []plaid.CountryCode{plaid.COUNTRYCODE_GB}, []plaid.Products{plaid.PRODUCTS_PAYMENT_INITIATION},
		func(r *plaid.LinkTokenCreateRequest) {
			pi := plaid.NewLinkTokenCreateRequestPaymentInitiation()
			pi.SetPaymentId(pay.PaymentId)
			r.SetPaymentInitiation(*pi)
		})
	q.payment = pay.PaymentId
	return q
}

// /api/payment
func (q *quickstartItem) paymentPanel(t *testing.T) {
	h := q.h
	got := res(h.client.PaymentInitiationPaymentGet(h.ctx).PaymentInitiationPaymentGetRequest(*plaid.NewPaymentInitiationPaymentGetRequest(q.payment)).Execute()).must(t)
	if got.PaymentId != q.payment || got.Amount.Value != 12.34 || got.Reference != "paymentRef" {
		t.Errorf("payment: %+v", got)
	}
}

// /api/income/verification/paystubs
func (q *quickstartItem) paystubsPanel(t *testing.T) {
	h := q.h
	req := plaid.NewIncomeVerificationPaystubsGetRequest()
	req.SetAccessToken(q.access)
	got := res(h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*req).Execute()).must(t)
	if len(got.Paystubs) == 0 {
		t.Fatal("paystubs: none")
	}
	for i, p := range got.Paystubs {
		if p.NetPay.GetCurrentAmount() <= 0 {
			t.Errorf("paystub %d: net pay %v", i, p.NetPay.GetCurrentAmount())
		}
	}
}
