package emulator

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// securityData is one security of the Sandbox's investment accounts.
type securityData struct {
	ticker, name, typ string
	price             float64
	cash              bool
}

// sandboxSecurities are the securities the investment accounts hold.
var sandboxSecurities = []securityData{
	{"CUR:USD", "U S Dollar", "cash", 1, true},
	{"VTI", "Vanguard Total Stock Market ETF", "etf", 250, false},
	{"VFIFX", "Vanguard Target Retirement 2050 Fund", "mutual fund", 48.5, false},
	{"FXAIX", "Fidelity 500 Index Fund", "mutual fund", 181.63961, false},
}

// holdingData is a position: quantity of a security, by account subtype.
type holdingData struct {
	ticker    string
	quantity  float64
	costBasis float64
}

// sandboxHoldings are the positions by investment subtype; their values
// add up to the accounts' balances (IRA 320.76, 401k 23631.9805).
var sandboxHoldings = map[string][]holdingData{
	"ira":  {{"CUR:USD", 20.76, 20.76}, {"VTI", 1.2, 276}},
	"401k": {{"VFIFX", 300, 13800}, {"FXAIX", 50, 8500}},
}

// investmentCanned are an investment account's transactions in each
// 30-day cycle, by subtype. amount is cash out of the account (positive
// for buys and fees, negative for contributions and dividends).
var investmentCanned = map[string][]struct {
	day                int
	name, typ, subtype string
	ticker             string // "" for none
	quantity, amount   float64
}{
	"ira": {
		{10, "DIVIDEND RECEIVED VTI", "cash", "dividend", "VTI", 0, -1.14},
		{20, "ACCOUNT MAINTENANCE FEE", "fee", "account fee", "", 0, 0.5},
	},
	"401k": {
		{2, "EMPLOYEE CONTRIBUTION", "cash", "contribution", "", 0, -500},
		{2, "BUY VANGUARD TARGET RETIREMENT 2050", "buy", "buy", "VFIFX", 10.30928, 500},
	},
}

type securityJSON struct {
	SecurityID             string    `json:"security_id"`
	ISIN                   *string   `json:"isin"`
	CUSIP                  *string   `json:"cusip"`
	SEDOL                  *string   `json:"sedol"`
	InstitutionSecurityID  *string   `json:"institution_security_id"`
	InstitutionID          *string   `json:"institution_id"`
	ProxySecurityID        *string   `json:"proxy_security_id"`
	Name                   *string   `json:"name"`
	TickerSymbol           *string   `json:"ticker_symbol"`
	IsCashEquivalent       *bool     `json:"is_cash_equivalent"`
	Type                   *string   `json:"type"`
	ClosePrice             *float64  `json:"close_price"`
	ClosePriceAsOf         *string   `json:"close_price_as_of"`
	ISOCurrencyCode        *string   `json:"iso_currency_code"`
	UnofficialCurrencyCode *string   `json:"unofficial_currency_code"`
	MarketIdentifierCode   *string   `json:"market_identifier_code"`
	OptionContract         *struct{} `json:"option_contract"`
}

type holdingJSON struct {
	AccountID              string   `json:"account_id"`
	SecurityID             string   `json:"security_id"`
	InstitutionPrice       float64  `json:"institution_price"`
	InstitutionPriceAsOf   *string  `json:"institution_price_as_of"`
	InstitutionValue       float64  `json:"institution_value"`
	CostBasis              *float64 `json:"cost_basis"`
	Quantity               float64  `json:"quantity"`
	ISOCurrencyCode        *string  `json:"iso_currency_code"`
	UnofficialCurrencyCode *string  `json:"unofficial_currency_code"`
}

type investmentTransactionJSON struct {
	InvestmentTransactionID string   `json:"investment_transaction_id"`
	AccountID               string   `json:"account_id"`
	SecurityID              *string  `json:"security_id"`
	Date                    string   `json:"date"`
	Name                    string   `json:"name"`
	Quantity                float64  `json:"quantity"`
	Amount                  float64  `json:"amount"`
	Price                   float64  `json:"price"`
	Fees                    *float64 `json:"fees"`
	Type                    string   `json:"type"`
	Subtype                 string   `json:"subtype"`
	ISOCurrencyCode         *string  `json:"iso_currency_code"`
	UnofficialCurrencyCode  *string  `json:"unofficial_currency_code"`
}

// securityID is a security's security_id: the same for every Item, as
// Plaid's are.
func securityID(ticker string) string { return cannedID("security", ticker, 0, 0) }

func securityByTicker(ticker string) securityData {
	i := slices.IndexFunc(sandboxSecurities, func(s securityData) bool { return s.ticker == ticker })
	return sandboxSecurities[i]
}

func (s securityData) render(asOf string) securityJSON {
	usd := "USD"
	return securityJSON{
		SecurityID: securityID(s.ticker), Name: &s.name, TickerSymbol: &s.ticker,
		IsCashEquivalent: &s.cash, Type: &s.typ, ClosePrice: &s.price, ClosePriceAsOf: &asOf,
		ISOCurrencyCode: &usd,
	}
}

// investmentAccounts are the Item's investment accounts among accounts,
// or NO_INVESTMENT_ACCOUNTS.
func investmentAccounts(accounts []*account) ([]*account, *sandbox.Error) {
	out := slices.DeleteFunc(slices.Clone(accounts), func(a *account) bool { return a.Type != "investment" })
	if len(out) == 0 {
		return nil, apiError("NO_INVESTMENT_ACCOUNTS", "")
	}
	return out, nil
}

type holdingsRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	Options     *struct {
		AccountIDs []string `json:"account_ids"`
	} `json:"options"`
}

type holdingsResponse struct {
	Accounts   []accountJSON  `json:"accounts"`
	Holdings   []holdingJSON  `json:"holdings"`
	Securities []securityJSON `json:"securities"`
	Item       itemJSON       `json:"item"`
	RequestID  string         `json:"request_id"`
}

// investmentsHoldingsGet serves /investments/holdings/get: the positions
// of the Item's investment accounts and the securities they hold.
func investmentsHoldingsGet(e *Emulator, c *call, req *holdingsRequest) (any, *sandbox.Error) {
	var ids []string
	if req.Options != nil {
		ids = req.Options.AccountIDs
	}
	today := e.Now().Format(time.DateOnly)
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		selected, err := it.selectAccounts(ids)
		if err != nil {
			return nil, err
		}
		if err := e.useProduct(it, "investments"); err != nil {
			return nil, err
		}
		accounts, err := investmentAccounts(selected)
		if err != nil {
			return nil, err
		}
		resp := holdingsResponse{Holdings: []holdingJSON{}, Securities: []securityJSON{}, Item: it.render(), RequestID: c.requestID}
		seen := map[string]bool{}
		usd := "USD"
		for _, a := range accounts {
			resp.Accounts = append(resp.Accounts, a.render())
			for _, h := range sandboxHoldings[val(a.Subtype)] {
				s := securityByTicker(h.ticker)
				cost := h.costBasis
				resp.Holdings = append(resp.Holdings, holdingJSON{
					AccountID: a.ID, SecurityID: securityID(s.ticker), InstitutionPrice: s.price,
					InstitutionPriceAsOf: &today, InstitutionValue: math.Round(h.quantity*s.price*10000) / 10000,
					CostBasis: &cost, Quantity: h.quantity, ISOCurrencyCode: &usd,
				})
				if !seen[s.ticker] {
					seen[s.ticker] = true
					resp.Securities = append(resp.Securities, s.render(today))
				}
			}
		}
		return resp, nil
	})
}

type investmentsTransactionsRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	StartDate   string `json:"start_date" plaid:"required"`
	EndDate     string `json:"end_date" plaid:"required"`
	Options     *struct {
		AccountIDs  []string `json:"account_ids"`
		Count       *int     `json:"count"`
		Offset      *int     `json:"offset"`
		AsyncUpdate *bool    `json:"async_update"`
	} `json:"options"`
}

type investmentsTransactionsResponse struct {
	Item                        itemJSON                    `json:"item"`
	Accounts                    []accountJSON               `json:"accounts"`
	Securities                  []securityJSON              `json:"securities"`
	InvestmentTransactions      []investmentTransactionJSON `json:"investment_transactions"`
	TotalInvestmentTransactions int                         `json:"total_investment_transactions"`
	RequestID                   string                      `json:"request_id"`
}

// investmentsTransactionsGet serves /investments/transactions/get: the
// investment accounts' monthly contributions, buys, dividends and fees
// between start_date and end_date, newest first, paged.
func investmentsTransactionsGet(e *Emulator, c *call, req *investmentsTransactionsRequest) (any, *sandbox.Error) {
	start, end, perr := dateRange(req.StartDate, req.EndDate)
	if perr != nil {
		return nil, perr
	}
	count, offset := defaultGetCount, 0
	var ids []string
	if o := req.Options; o != nil {
		count, offset, ids = cmp.Or(val(o.Count), count), val(o.Offset), o.AccountIDs
		if o.Count != nil && (*o.Count < 1 || *o.Count > maxGetCount) {
			return nil, apiError("INVALID_FIELD", "options.count must be between 1 and %d, got %d", maxGetCount, *o.Count)
		}
		if offset < 0 {
			return nil, apiError("INVALID_FIELD", "options.offset must be 0 or more, got %d", offset)
		}
	}
	today := e.Now().Format(time.DateOnly)
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		selected, err := it.selectAccounts(ids)
		if err != nil {
			return nil, err
		}
		if err := e.useProduct(it, "investments"); err != nil {
			return nil, err
		}
		accounts, err := investmentAccounts(selected)
		if err != nil {
			return nil, err
		}
		var all []investmentTransactionJSON
		resp := investmentsTransactionsResponse{Item: it.render(), Securities: []securityJSON{}, RequestID: c.requestID}
		seen := map[string]bool{}
		for _, a := range accounts {
			resp.Accounts = append(resp.Accounts, a.render())
			for _, t := range it.investmentTransactions(a) {
				if t.Date < start || t.Date > end {
					continue
				}
				all = append(all, t)
			}
			for _, h := range sandboxHoldings[val(a.Subtype)] {
				if !seen[h.ticker] {
					seen[h.ticker] = true
					resp.Securities = append(resp.Securities, securityByTicker(h.ticker).render(today))
				}
			}
		}
		slices.SortStableFunc(all, func(a, b investmentTransactionJSON) int { return cmp.Compare(b.Date, a.Date) })
		resp.TotalInvestmentTransactions = len(all)
		resp.InvestmentTransactions = all[min(offset, len(all)):min(offset+count, len(all))]
		if resp.InvestmentTransactions == nil {
			resp.InvestmentTransactions = []investmentTransactionJSON{}
		}
		return resp, nil
	})
}

// investmentTransactions generates an investment account's transactions
// over the 90 days before the Item's creation, oldest first.
func (it *item) investmentTransactions(a *account) []investmentTransactionJSON {
	var out []investmentTransactionJSON
	usd := "USD"
	zero := 0.0
	day := it.createdDay()
	for i, c := range investmentCanned[val(a.Subtype)] {
		for d := c.day; d < historyDays; d += sandbox.CyclePeriod {
			t := investmentTransactionJSON{
				InvestmentTransactionID: cannedID(it.ID, a.ID+"\x00investment", i, d),
				AccountID:               a.ID, Date: day.AddDate(0, 0, -d).Format(time.DateOnly),
				Name: c.name, Quantity: c.quantity, Amount: c.amount, Price: 1, Fees: &zero,
				Type: c.typ, Subtype: c.subtype, ISOCurrencyCode: &usd,
			}
			if c.ticker != "" {
				id := securityID(c.ticker)
				t.SecurityID = &id
				t.Price = securityByTicker(c.ticker).price
				if c.quantity == 0 {
					t.Price = 0
				}
			}
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b investmentTransactionJSON) int { return cmp.Compare(a.Date, b.Date) })
	return out
}

// dateRange checks a start_date/end_date pair.
func dateRange(startDate, endDate string) (string, string, *sandbox.Error) {
	start, err1 := time.Parse(time.DateOnly, startDate)
	end, err2 := time.Parse(time.DateOnly, endDate)
	switch {
	case err1 != nil:
		return "", "", apiError("INVALID_FIELD", "start_date must be a date in the format YYYY-MM-DD, got %q", startDate)
	case err2 != nil:
		return "", "", apiError("INVALID_FIELD", "end_date must be a date in the format YYYY-MM-DD, got %q", endDate)
	case end.Before(start):
		return "", "", apiError("INVALID_FIELD", "start_date (%s) must be on or before end_date (%s)", startDate, endDate)
	}
	return startDate, endDate, nil
}
