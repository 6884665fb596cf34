package emulator

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// statementMonths is how many monthly statements before the Item's
// creation an Item has, until /statements/refresh asks for more.
const statementMonths = 3

type statementsListResponse struct {
	Accounts        []statementsAccount `json:"accounts"`
	InstitutionID   string              `json:"institution_id"`
	InstitutionName string              `json:"institution_name"`
	ItemID          string              `json:"item_id"`
	RequestID       string              `json:"request_id"`
}

type statementsAccount struct {
	AccountID           string          `json:"account_id"`
	AccountMask         string          `json:"account_mask"`
	AccountName         string          `json:"account_name"`
	AccountOfficialName string          `json:"account_official_name"`
	AccountSubtype      string          `json:"account_subtype"`
	AccountType         string          `json:"account_type"`
	Statements          []statementJSON `json:"statements"`
}

type statementJSON struct {
	StatementID string `json:"statement_id"`
	Month       int    `json:"month"`
	Year        int    `json:"year"`
}

// statementAccounts are the accounts with statements: depository and
// credit accounts.
func (it *item) statementAccounts() []*account {
	var out []*account
	for i := range it.Accounts {
		if a := &it.Accounts[i]; a.Type == "depository" || a.Type == "credit" {
			out = append(out, a)
		}
	}
	return out
}

// statementMonthsOf lists the first days of the months with a statement,
// oldest first: from statementMonths before the Item's creation (or the
// month /statements/refresh went back to) to the last month that ended
// before now.
func (it *item) statementMonthsOf(now time.Time) []time.Time {
	created := it.createdDay()
	first := time.Date(created.Year(), created.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -statementMonths, 0)
	if it.StatementsFrom != "" {
		if d, err := time.Parse(time.DateOnly, it.StatementsFrom); err == nil && d.Before(first) {
			first = d
		}
	}
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var out []time.Time
	for m := first; m.Before(current); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

func statementID(it *item, a *account, month time.Time) string {
	return cannedID(it.ID, a.ID+"\x00statement", month.Year(), int(month.Month()))
}

// requireStatements checks the Item was created with Statements, which
// Plaid cannot add after Link.
func requireStatements(it *item) *sandbox.Error {
	if it.hasProduct("statements") {
		return nil
	}
	return apiError("PRODUCT_NOT_ENABLED", "the Item was not created with Statements, which cannot be added after Link: create the link_token (or /sandbox/public_token/create's initial_products) with \"statements\" in products and link the Item again; it has: %v", it.Billed)
}

// statementsList serves /statements/list: each depository and credit
// account's monthly statements.
func statementsList(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	now := e.Now()
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if err := requireStatements(it); err != nil {
			return nil, err
		}
		inst, _ := sandbox.InstitutionByID(it.InstitutionID)
		resp := statementsListResponse{Accounts: []statementsAccount{}, InstitutionID: it.InstitutionID, InstitutionName: inst.Name, ItemID: it.ID, RequestID: c.requestID}
		months := it.statementMonthsOf(now)
		for _, a := range it.statementAccounts() {
			sa := statementsAccount{
				AccountID: a.ID, AccountMask: val(a.Mask), AccountName: a.Name, AccountOfficialName: cmp.Or(val(a.OfficialName), a.Name),
				AccountSubtype: val(a.Subtype), AccountType: a.Type, Statements: []statementJSON{},
			}
			for _, m := range months {
				sa.Statements = append(sa.Statements, statementJSON{StatementID: statementID(it, a, m), Month: int(m.Month()), Year: m.Year()})
			}
			resp.Accounts = append(resp.Accounts, sa)
		}
		return resp, nil
	})
}

type statementsDownloadRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	StatementID string `json:"statement_id" plaid:"required"`
}

// statementsDownload serves /statements/download: the statement as a PDF,
// with the month's transactions and the opening and closing balances.
func statementsDownload(e *Emulator, c *call, req *statementsDownloadRequest) (any, *sandbox.Error) {
	now := e.Now()
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if err := requireStatements(it); err != nil {
			return nil, err
		}
		for _, a := range it.statementAccounts() {
			for _, m := range it.statementMonthsOf(now) {
				if statementID(it, a, m) == req.StatementID {
					return rawResponse{contentType: pdfContentType, body: it.statementPDF(a, m)}, nil
				}
			}
		}
		return nil, apiError("INVALID_FIELD", "statement_id %q is not one of this Item's statements; list them with /statements/list", req.StatementID)
	})
}

// statementPDF renders one monthly statement.
func (it *item) statementPDF(a *account, month time.Time) []byte {
	end := month.AddDate(0, 1, -1)
	from, to := month.Format(time.DateOnly), end.Format(time.DateOnly)
	var txns []*transaction
	for _, t := range it.current() {
		if t.AccountID == a.ID && t.Date >= from && t.Date <= to {
			txns = append(txns, t)
		}
	}
	slices.SortStableFunc(txns, func(x, y *transaction) int { return cmp.Compare(x.Date, y.Date) })
	// The closing balance is today's balance before the later transactions.
	sign := 1.0
	if a.Type == "credit" {
		sign = -1
	}
	closing := val(a.Current)
	for _, t := range it.current() {
		if t.AccountID == a.ID && t.Date > to {
			closing += sign * t.Amount
		}
	}
	opening := closing
	for _, t := range txns {
		opening += sign * t.Amount
	}
	inst, _ := sandbox.InstitutionByID(it.InstitutionID)
	doc := newPDF(fmt.Sprintf("%s statement %s", a.Name, month.Format("January 2006")))
	doc.heading(inst.Name)
	doc.line("Account statement for %s", month.Format("January 2006"))
	doc.blank()
	doc.line("Account holder: %s", sandbox.DefaultOwner().Names[0])
	doc.line("Account: %s (%s) ****%s", a.Name, cmp.Or(val(a.OfficialName), a.Type), val(a.Mask))
	doc.line("Period: %s to %s", from, to)
	doc.line("Opening balance: %s %.2f", currency(a.Currency), opening)
	doc.line("Closing balance: %s %.2f", currency(a.Currency), closing)
	doc.blank()
	doc.add(pdfLine{text: "Date        Description                                   Amount", bold: true, size: 10})
	for _, t := range txns {
		doc.line("%s  %-44s %10.2f", t.Date, truncate(t.Name, 44), -t.Amount)
	}
	if len(txns) == 0 {
		doc.line("No transactions this month.")
	}
	doc.blank()
	doc.line("Plaid Sandbox data served by the linkexplorer emulator; not a real bank statement.")
	return doc.bytes(end)
}

type statementsRefreshRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	StartDate   string `json:"start_date" plaid:"required"`
	EndDate     string `json:"end_date" plaid:"required"`
}

// statementsRefresh serves /statements/refresh: the statements of the
// months from start_date on become available (up to two years back), and
// STATEMENTS_REFRESH_COMPLETE goes to the Item's webhook.
func statementsRefresh(e *Emulator, c *call, req *statementsRefreshRequest) (any, *sandbox.Error) {
	start, _, err := dateRange(req.StartDate, req.EndDate)
	if err != nil {
		return nil, err
	}
	now := e.Now()
	if start < now.AddDate(-2, 0, 0).Format(time.DateOnly) {
		return nil, apiError("INVALID_FIELD", "start_date %s is more than two years ago; statements go back at most two years", start)
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if err := requireStatements(it); err != nil {
			return nil, err
		}
		d, _ := time.Parse(time.DateOnly, start)
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		if it.StatementsFrom == "" || first < it.StatementsFrom {
			it.StatementsFrom = first
			e.changed()
		}
		if it.Webhook != "" {
			e.fireLocked(it, it.Webhook, "STATEMENTS", "STATEMENTS_REFRESH_COMPLETE", map[string]any{"result": "SUCCESS"})
		}
		return requestIDResponse{RequestID: c.requestID}, nil
	})
}
