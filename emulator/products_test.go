package emulator

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// newItemAt creates an Item at an institution with products and returns
// its access_token.
func (h *harness) newItemAt(institution string, products ...plaid.Products) string {
	h.t.Helper()
	pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest(institution, products)).Execute()).must(h.t)
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.PublicToken)).Execute()).must(h.t)
	return ex.AccessToken
}

// newCustomItem creates an Item for user_custom with one checking account.
func (h *harness) newCustomItem(products ...plaid.Products) string {
	h.t.Helper()
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", products)
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetOverrideUsername("user_custom")
	opts.SetOverridePassword(`{"override_accounts":[{"type":"depository","subtype":"checking","starting_balance":500}]}`)
	req.SetOptions(*opts)
	pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(*req).Execute()).must(h.t)
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.PublicToken)).Execute()).must(h.t)
	return ex.AccessToken
}

func billed(t *testing.T, h *harness, access string) []plaid.Products {
	t.Helper()
	return res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t).Item.BilledProducts
}

func TestInvestments(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	hold := res(h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest(access)).Execute()).must(t)
	if len(hold.Accounts) != 2 || len(hold.Holdings) == 0 || len(hold.Securities) == 0 {
		t.Fatalf("holdings: %d accounts, %d holdings, %d securities", len(hold.Accounts), len(hold.Holdings), len(hold.Securities))
	}
	// The positions add up to each account's balance.
	for _, a := range hold.Accounts {
		sum := 0.0
		for _, ho := range hold.Holdings {
			if ho.AccountId == a.AccountId {
				sum += ho.InstitutionValue
			}
		}
		if d := sum - a.Balances.GetCurrent(); d > 0.01 || d < -0.01 {
			t.Errorf("%s: holdings %.4f, balance %.4f", a.Name, sum, a.Balances.GetCurrent())
		}
	}
	securities := map[string]bool{}
	for _, s := range hold.Securities {
		securities[s.SecurityId] = true
	}
	for _, ho := range hold.Holdings {
		if !securities[ho.SecurityId] {
			t.Errorf("holding of unknown security %s", ho.SecurityId)
		}
	}
	if !slices.Contains(billed(t, h, access), plaid.PRODUCTS_INVESTMENTS) {
		t.Error("investments not billed after use")
	}

	now := h.emu.Now()
	req := plaid.NewInvestmentsTransactionsGetRequest(access, now.AddDate(0, 0, -100).Format(time.DateOnly), now.Format(time.DateOnly))
	all := res(h.client.InvestmentsTransactionsGet(h.ctx).InvestmentsTransactionsGetRequest(*req).Execute()).must(t)
	if all.TotalInvestmentTransactions < 10 || len(all.InvestmentTransactions) != int(all.TotalInvestmentTransactions) {
		t.Fatalf("investment transactions: %d of %d", len(all.InvestmentTransactions), all.TotalInvestmentTransactions)
	}
	opts := plaid.NewInvestmentsTransactionsGetRequestOptions()
	opts.SetCount(3)
	opts.SetOffset(2)
	opts.SetAccountIds([]string{hold.Accounts[1].AccountId})
	req.SetOptions(*opts)
	page := res(h.client.InvestmentsTransactionsGet(h.ctx).InvestmentsTransactionsGetRequest(*req).Execute()).must(t)
	if len(page.InvestmentTransactions) != 3 || page.TotalInvestmentTransactions >= all.TotalInvestmentTransactions || len(page.Accounts) != 1 {
		t.Errorf("page: %d of %d", len(page.InvestmentTransactions), page.TotalInvestmentTransactions)
	}
	for _, tx := range page.InvestmentTransactions {
		if tx.AccountId != hold.Accounts[1].AccountId {
			t.Errorf("transaction of another account")
		}
	}
	again := res(h.client.InvestmentsTransactionsGet(h.ctx).InvestmentsTransactionsGetRequest(*req).Execute()).must(t)
	if again.InvestmentTransactions[0].InvestmentTransactionId != page.InvestmentTransactions[0].InvestmentTransactionId {
		t.Error("investment transaction ids are not stable")
	}

	_, _, err := h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest("access-sandbox-nope-x")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	houndstooth := h.newItemAt("ins_109512", plaid.PRODUCTS_AUTH)
	_, _, err = h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest(houndstooth)).Execute()
	wantPlaidError(t, err, "PRODUCTS_NOT_SUPPORTED")
	custom := h.newCustomItem(plaid.PRODUCTS_AUTH)
	_, _, err = h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest(custom)).Execute()
	wantPlaidError(t, err, "NO_INVESTMENT_ACCOUNTS")
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	_, _, err = h.client.InvestmentsTransactionsGet(h.ctx).InvestmentsTransactionsGetRequest(*req).Execute()
	wantPlaidError(t, err, "ITEM_LOGIN_REQUIRED")
}

func TestLiabilities(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_LIABILITIES)
	l := res(h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(access)).Execute()).must(t)
	credit, mortgage, student := l.Liabilities.GetCredit(), l.Liabilities.GetMortgage(), l.Liabilities.GetStudent()
	if len(credit) != 2 || len(mortgage) != 1 || len(student) != 1 || len(l.Accounts) != 4 {
		t.Fatalf("liabilities: %d credit, %d mortgage, %d student, %d accounts", len(credit), len(mortgage), len(student), len(l.Accounts))
	}
	if student[0].InterestRatePercentage <= 0 || mortgage[0].InterestRate.GetPercentage() <= 0 || len(credit[0].Aprs) == 0 {
		t.Errorf("terms: %+v %+v", student[0], mortgage[0])
	}
	if credit[0].GetNextPaymentDueDate() <= h.emu.Now().Format(time.DateOnly) {
		t.Errorf("next payment due %s is not in the future", credit[0].GetNextPaymentDueDate())
	}
	req := plaid.NewLiabilitiesGetRequest(access)
	opts := plaid.NewLiabilitiesGetRequestOptions()
	opts.SetAccountIds([]string{mortgage[0].AccountId})
	req.SetOptions(*opts)
	one := res(h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*req).Execute()).must(t)
	if len(one.Accounts) != 1 || len(one.Liabilities.GetMortgage()) != 1 || len(one.Liabilities.GetCredit()) != 0 {
		t.Errorf("filtered to the mortgage: %+v", one.Liabilities)
	}
	_, _, err := h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(h.newCustomItem(plaid.PRODUCTS_AUTH))).Execute()
	wantPlaidError(t, err, "NO_LIABILITY_ACCOUNTS")
	_, _, err = h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(h.newItemAt("ins_109512", plaid.PRODUCTS_AUTH))).Execute()
	wantPlaidError(t, err, "PRODUCTS_NOT_SUPPORTED")
	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(access)).Execute()).must(t)
	_, _, err = h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(access)).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}

// TestSignal: a small debit scores low risk, one the balance cannot cover
// high; decisions and returns are reported against the evaluation, also
// after a restart.
func TestSignal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, Options{StateFile: path})
	access, _ := h.newItem("", plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS)
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	checking := accounts.Accounts[0].AccountId
	eval := func(token, account, id string, amount float64) (plaid.SignalEvaluateResponse, error) {
		req := plaid.NewSignalEvaluateRequest(token, account, id, amount)
		req.SetUserPresent(true)
		v, _, err := h.client.SignalEvaluate(h.ctx).SignalEvaluateRequest(*req).Execute()
		return v, err
	}
	low, err := eval(access, checking, "txn-low", 1)
	if err != nil {
		t.Fatal(err)
	}
	high, err := eval(access, checking, "txn-high", 5000)
	if err != nil {
		t.Fatal(err)
	}
	lowRisk, highRisk := low.Scores.CustomerInitiatedReturnRisk, high.Scores.CustomerInitiatedReturnRisk
	if lowRisk.Score >= highRisk.Score || lowRisk.RiskTier >= highRisk.RiskTier || high.Scores.BankInitiatedReturnRisk.RiskTier < 5 {
		t.Errorf("low %+v high %+v", low.Scores, high.Scores)
	}
	if ca := low.CoreAttributes; ca == nil || ca.GetAvailableBalance() != 100 || ca.GetDebitTransactionsCount30d() == 0 {
		t.Errorf("core attributes %+v", low.CoreAttributes)
	}
	if !slices.Contains(billed(t, h, access), plaid.PRODUCTS_SIGNAL) {
		t.Error("signal not billed after use")
	}
	dec := plaid.NewSignalDecisionReportRequest("txn-low", true)
	dec.SetDecisionOutcome(plaid.SIGNALDECISIONOUTCOME_APPROVE)
	dec.SetPaymentMethod(plaid.SIGNALPAYMENTMETHOD_SAME_DAY_ACH)
	res(h.client.SignalDecisionReport(h.ctx).SignalDecisionReportRequest(*dec).Execute()).must(t)

	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, Options{StateFile: path})
	ret := plaid.NewSignalReturnReportRequest("txn-low", "R01")
	res(h.client.SignalReturnReport(h.ctx).SignalReturnReportRequest(*ret).Execute()).must(t)
	if ev := h.emu.st.prod.Signals["txn-low"]; ev.Decision != "APPROVE" || ev.ReturnCode != "R01" || ev.Initiated == nil || !*ev.Initiated {
		t.Errorf("evaluation after restart: %+v", ev)
	}
	_, _, err = h.client.SignalReturnReport(h.ctx).SignalReturnReportRequest(*plaid.NewSignalReturnReportRequest("never-evaluated", "R01")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	_, _, err = h.client.SignalReturnReport(h.ctx).SignalReturnReportRequest(*plaid.NewSignalReturnReportRequest("txn-low", "bounced")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
	_, err = eval(access, accounts.Accounts[3].AccountId, "txn-credit", 10) // the credit card
	wantPlaidError(t, err, "INVALID_ACCOUNT_ID")
	_, err = eval(access, checking, "txn-neg", -5)
	wantPlaidError(t, err, "INVALID_FIELD")
	_, err = eval("access-sandbox-nope-x", checking, "txn-x", 5)
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	warned, err := eval(access, checking, "txn-warned", 5)
	if err != nil || len(warned.Warnings) != 1 || warned.Warnings[0].GetWarningCode() != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("an Item in error: %v %+v", err, warned.Warnings)
	}
	houndstooth := h.newItemAt("ins_109512", plaid.PRODUCTS_AUTH)
	acc := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(houndstooth)).Execute()).must(t)
	_, err = eval(houndstooth, acc.Accounts[0].AccountId, "txn-h", 5)
	wantPlaidError(t, err, "PRODUCTS_NOT_SUPPORTED")
}

func TestIdentityMatch(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_IDENTITY)
	match := func(name, phone, email, street, postal string) plaid.IdentityMatchResponse {
		req := plaid.NewIdentityMatchRequest(access)
		u := plaid.NewIdentityMatchUser()
		u.SetLegalName(name)
		u.SetPhoneNumber(phone)
		u.SetEmailAddress(email)
		addr := plaid.NewAddressDataNullableNoRequiredFields()
		addr.SetStreet(street)
		addr.SetPostalCode(postal)
		addr.SetCity("Malakoff")
		u.SetAddress(*addr)
		req.SetUser(*u)
		return res(h.client.IdentityMatch(h.ctx).IdentityMatchRequest(*req).Execute()).must(t)
	}
	same := match("Alberta Bobbeth Charleson", "+1 111-222-3333", "accountholder0@example.com", "2992 Cameron Road", "14236")
	other := match("John Doe", "+1 415 555 0100", "john@example.org", "1 Market Street", "94105")
	s, o := same.Accounts[0], other.Accounts[0]
	if s.LegalName.Get().GetScore() != 100 || s.PhoneNumber.Get().GetScore() != 100 || s.EmailAddress.Get().GetScore() != 100 ||
		s.Address.Get().GetScore() < 90 || !s.Address.Get().GetIsPostalCodeMatch() {
		t.Errorf("same person: %+v %+v %+v %+v", s.LegalName.Get(), s.PhoneNumber.Get(), s.EmailAddress.Get(), s.Address.Get())
	}
	if o.LegalName.Get().GetScore() > 20 || o.EmailAddress.Get().GetScore() != 0 || o.Address.Get().GetIsPostalCodeMatch() {
		t.Errorf("other person: %+v %+v", o.LegalName.Get(), o.EmailAddress.Get())
	}
	_, _, err := h.client.IdentityMatch(h.ctx).IdentityMatchRequest(*plaid.NewIdentityMatchRequest("access-sandbox-nope-x")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	_, _, err = h.client.IdentityMatch(h.ctx).IdentityMatchRequest(*plaid.NewIdentityMatchRequest(h.newItemAt("ins_109512", plaid.PRODUCTS_AUTH))).Execute()
	wantPlaidError(t, err, "PRODUCTS_NOT_SUPPORTED")
}

// TestAvailableProductsTellTheTruth: every product /item/get lists in
// available_products works when its endpoint is called (and then moves to
// billed_products); the institution's products that are not available
// answer PRODUCT_NOT_ENABLED.
func TestAvailableProductsTellTheTruth(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	accounts := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	checking := accounts.Accounts[0].AccountId
	call := map[plaid.Products]func() error{
		plaid.PRODUCTS_AUTH: func() error {
			_, _, err := h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_IDENTITY: func() error {
			_, _, err := h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_IDENTITY_MATCH: func() error {
			_, _, err := h.client.IdentityMatch(h.ctx).IdentityMatchRequest(*plaid.NewIdentityMatchRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_INVESTMENTS: func() error {
			_, _, err := h.client.InvestmentsHoldingsGet(h.ctx).InvestmentsHoldingsGetRequest(*plaid.NewInvestmentsHoldingsGetRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_LIABILITIES: func() error {
			_, _, err := h.client.LiabilitiesGet(h.ctx).LiabilitiesGetRequest(*plaid.NewLiabilitiesGetRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_SIGNAL: func() error {
			_, _, err := h.client.SignalEvaluate(h.ctx).SignalEvaluateRequest(*plaid.NewSignalEvaluateRequest(access, checking, "truth-1", 5)).Execute()
			return err
		},
		plaid.PRODUCTS_BALANCE: func() error {
			_, _, err := h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_ASSETS: func() error {
			req := plaid.NewAssetReportCreateRequest(30)
			req.SetAccessTokens([]string{access})
			_, _, err := h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*req).Execute()
			return err
		},
		plaid.PRODUCTS_STATEMENTS: func() error {
			_, _, err := h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(access)).Execute()
			return err
		},
		plaid.PRODUCTS_TRANSFER: func() error {
			_, _, err := h.client.TransferAuthorizationCreate(h.ctx).TransferAuthorizationCreateRequest(*transferAuthRequest(access, checking, "1.00")).Execute()
			return err
		},
		plaid.PRODUCTS_INCOME_VERIFICATION: func() error {
			req := plaid.NewIncomeVerificationPaystubsGetRequest()
			req.SetAccessToken(access)
			_, _, err := h.client.IncomeVerificationPaystubsGet(h.ctx).IncomeVerificationPaystubsGetRequest(*req).Execute()
			return err
		},
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t).Item
	available := item.AvailableProducts
	if len(available) < 5 {
		t.Fatalf("available_products %v", available)
	}
	for _, p := range available {
		f, ok := call[p]
		if !ok {
			t.Errorf("%s is available but the test has no endpoint for it", p)
			continue
		}
		if err := f(); err != nil {
			t.Errorf("%s is available, but its endpoint failed: %v", p, err)
		}
	}
	after := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t).Item
	for _, p := range available {
		if p != plaid.PRODUCTS_BALANCE && (!slices.Contains(after.BilledProducts, p) || slices.Contains(after.AvailableProducts, p)) {
			t.Errorf("%s: used, but billed %v available %v", p, after.BilledProducts, after.AvailableProducts)
		}
	}
	for p, f := range call {
		if !slices.Contains(available, p) && !slices.Contains(item.BilledProducts, p) {
			wantPlaidError(t, f(), "PRODUCT_NOT_ENABLED")
		}
	}
}
