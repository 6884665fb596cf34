package emulator

import (
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// signalEval is one /signal/evaluate call, kept so that the decision and
// the return can be reported against its client_transaction_id.
type signalEval struct {
	ItemID      string    `json:"item_id"`
	AccountID   string    `json:"account_id"`
	Amount      float64   `json:"amount"`
	Score       int       `json:"score"`
	EvaluatedAt time.Time `json:"evaluated_at"`
	Initiated   *bool     `json:"initiated,omitempty"`
	Decision    string    `json:"decision,omitempty"`
	ReturnCode  string    `json:"return_code,omitempty"`
}

type signalEvaluateRequest struct {
	AccessToken          string   `json:"access_token" plaid:"required"`
	AccountID            string   `json:"account_id" plaid:"required"`
	ClientTransactionID  string   `json:"client_transaction_id" plaid:"required"`
	Amount               *float64 `json:"amount" plaid:"required"`
	UserPresent          *bool    `json:"user_present"`
	ClientUserID         string   `json:"client_user_id"`
	IsRecurring          *bool    `json:"is_recurring"`
	DefaultPaymentMethod *string  `json:"default_payment_method"`
	User                 *struct {
		Name *struct {
			Prefix     *string `json:"prefix"`
			GivenName  *string `json:"given_name"`
			MiddleName *string `json:"middle_name"`
			FamilyName *string `json:"family_name"`
			Suffix     *string `json:"suffix"`
		} `json:"name"`
		PhoneNumber  *string        `json:"phone_number"`
		EmailAddress *string        `json:"email_address"`
		Address      *signalAddress `json:"address"`
	} `json:"user"`
	Device *struct {
		IPAddress *string `json:"ip_address"`
		UserAgent *string `json:"user_agent"`
	} `json:"device"`
	RiskProfileKey *string `json:"risk_profile_key"`
}

type signalAddress struct {
	City       string  `json:"city"`
	Region     *string `json:"region"`
	Street     string  `json:"street"`
	PostalCode *string `json:"postal_code"`
	Country    *string `json:"country"`
}

type returnRisk struct {
	Score    int `json:"score"`
	RiskTier int `json:"risk_tier"`
}

type signalEvaluateResponse struct {
	RequestID string `json:"request_id"`
	Scores    struct {
		CustomerInitiatedReturnRisk returnRisk `json:"customer_initiated_return_risk"`
		BankInitiatedReturnRisk     returnRisk `json:"bank_initiated_return_risk"`
	} `json:"scores"`
	CoreAttributes map[string]any  `json:"core_attributes"`
	Warnings       []signalWarning `json:"warnings"`
}

type signalWarning struct {
	WarningType    string `json:"warning_type"`
	WarningCode    string `json:"warning_code"`
	WarningMessage string `json:"warning_message"`
}

// maxClientTransactionID is the length Plaid allows a client_transaction_id.
const maxClientTransactionID = 36

var clientTransactionIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

// signalEvaluate serves /signal/evaluate: the return risk of an ACH debit
// of amount from the account. In the emulator the score grows with the
// amount against the account's available balance (1 when the balance
// covers it many times, 99 when it does not cover it at all), so a test
// can ask for a low or a high risk; the core attributes come from the
// account's balances and transactions. An Item in error (ITEM_LOGIN_REQUIRED)
// is still scored, with a warning, as Plaid does.
func signalEvaluate(e *Emulator, c *call, req *signalEvaluateRequest) (any, *sandbox.Error) {
	if err := checkClientTransactionID(req.ClientTransactionID); err != nil {
		return nil, err
	}
	amount := *req.Amount
	if amount <= 0 || math.IsInf(amount, 0) || amount > 1e9 {
		return nil, apiError("INVALID_FIELD", "amount must be a positive number of dollars, got %v", amount)
	}
	now := e.Now()
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts([]string{req.AccountID})
		if err != nil {
			return nil, err
		}
		a := accounts[0]
		if a.Type != "depository" {
			return nil, apiError("INVALID_ACCOUNT_ID", "account %s is a %s account; /signal/evaluate scores ACH debits from depository (checking or savings) accounts", a.ID, a.Type)
		}
		if err := e.useProduct(it, "signal"); err != nil {
			return nil, err
		}
		ps := e.st.products()
		if ps.Signals == nil {
			ps.Signals = map[string]*signalEval{}
		}
		score := signalScore(amount, val(a.Available))
		ps.Signals[req.ClientTransactionID] = &signalEval{
			ItemID: it.ID, AccountID: a.ID, Amount: amount, Score: score, EvaluatedAt: now.Truncate(time.Second),
		}
		e.changed()
		resp := signalEvaluateResponse{RequestID: c.requestID, Warnings: []signalWarning{}}
		if it.Error != nil {
			// As Plaid does, an Item in error still gets scores, from what
			// was known before, with a warning instead of fresh bank data.
			resp.Warnings = append(resp.Warnings, signalWarning{WarningType: it.Error.Type, WarningCode: it.Error.Code, WarningMessage: it.Error.Message})
			resp.CoreAttributes = map[string]any{"available_balance": a.Available, "current_balance": a.Current}
		} else {
			resp.CoreAttributes = it.signalAttributes(a, now)
		}
		resp.Scores.CustomerInitiatedReturnRisk = returnRisk{Score: score, RiskTier: tier(score, 5)}
		resp.Scores.BankInitiatedReturnRisk = returnRisk{Score: score, RiskTier: tier(score, 8)}
		return resp, nil
	})
}

// signalScore is 1-99: the share of the amount the available balance
// does not cover, with a floor that grows with the amount.
func signalScore(amount, available float64) int {
	if available <= 0 {
		return 99
	}
	s := 100 * amount / (amount + available)
	return int(math.Max(1, math.Min(99, math.Round(s))))
}

// tier maps a 1-99 score onto 1..n risk tiers.
func tier(score, n int) int { return min(n, 1+(score-1)*n/99) }

// signalAttributes are the core attributes Plaid derives from the account.
func (it *item) signalAttributes(a *account, now time.Time) map[string]any {
	today := now.Format(time.DateOnly)
	counts := map[string]int{}
	sums := map[string]float64{}
	for _, t := range it.current() {
		if t.AccountID != a.ID || t.Date > today {
			continue
		}
		age := it.daysBetween(t.Date, today)
		kind := "debit"
		if t.Amount < 0 {
			kind = "credit"
		}
		for _, window := range []int{10, 30, 60, 90} {
			if age < window {
				counts[kind+"_"+itoa(window)]++
				sums[kind+"_"+itoa(window)] += math.Abs(t.Amount)
			}
		}
	}
	attrs := map[string]any{
		"available_balance":                    a.Available,
		"current_balance":                      a.Current,
		"balance_last_updated":                 now.Truncate(time.Second),
		"is_savings_or_money_market_account":   slices.Contains([]string{"savings", "money market"}, val(a.Subtype)),
		"days_since_first_plaid_connection":    int(now.Sub(it.CreatedAt).Hours() / 24),
		"plaid_connections_count_7d":           1,
		"plaid_connections_count_30d":          1,
		"total_plaid_connections_count":        1,
		"unauthorized_transactions_count_30d":  0,
		"nsf_overdraft_transactions_count_30d": 0,
		"total_debit_transactions_amount_10d":  round2(sums["debit_10"]),
		"total_credit_transactions_amount_10d": round2(sums["credit_10"]),
		"total_debit_transactions_amount_30d":  round2(sums["debit_30"]),
		"total_credit_transactions_amount_30d": round2(sums["credit_30"]),
	}
	for _, w := range []int{10, 30, 60, 90} {
		attrs["debit_transactions_count_"+itoa(w)+"d"] = counts["debit_"+itoa(w)]
		attrs["credit_transactions_count_"+itoa(w)+"d"] = counts["credit_"+itoa(w)]
	}
	return attrs
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

func checkClientTransactionID(id string) *sandbox.Error {
	if len(id) > maxClientTransactionID || !clientTransactionIDPattern.MatchString(id) {
		return apiError("INVALID_FIELD", "client_transaction_id must be 1 to %d letters, digits or _ . : -, got %q", maxClientTransactionID, id)
	}
	return nil
}

type signalDecisionRequest struct {
	ClientTransactionID      string   `json:"client_transaction_id" plaid:"required"`
	Initiated                *bool    `json:"initiated" plaid:"required"`
	DaysFundsOnHold          *int     `json:"days_funds_on_hold"`
	DecisionOutcome          *string  `json:"decision_outcome"`
	PaymentMethod            *string  `json:"payment_method"`
	AmountInstantlyAvailable *float64 `json:"amount_instantly_available"`
}

var (
	signalOutcomes       = []string{"APPROVE", "REVIEW", "REJECT", "TAKE_OTHER_RISK_MEASURES", "NOT_EVALUATED"}
	signalPaymentMethods = []string{"SAME_DAY_ACH", "NEXT_DAY_ACH", "STANDARD_ACH", "REAL_TIME_PAYMENTS", "DEBIT_CARD", "MULTIPLE_PAYMENT_METHODS"}
)

// signalDecisionReport serves /signal/decision/report: what the app did
// with an evaluated transaction.
func signalDecisionReport(e *Emulator, c *call, req *signalDecisionRequest) (any, *sandbox.Error) {
	if req.DecisionOutcome != nil && !slices.Contains(signalOutcomes, *req.DecisionOutcome) {
		return nil, apiError("INVALID_FIELD", "decision_outcome must be one of %v, got %q", signalOutcomes, *req.DecisionOutcome)
	}
	if req.PaymentMethod != nil && !slices.Contains(signalPaymentMethods, *req.PaymentMethod) {
		return nil, apiError("INVALID_FIELD", "payment_method must be one of %v, got %q", signalPaymentMethods, *req.PaymentMethod)
	}
	if req.DaysFundsOnHold != nil && *req.DaysFundsOnHold < 0 {
		return nil, apiError("INVALID_FIELD", "days_funds_on_hold must be 0 or more")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ev, err := e.signalEvalLocked(req.ClientTransactionID)
	if err != nil {
		return nil, err
	}
	ev.Initiated = req.Initiated
	ev.Decision = val(req.DecisionOutcome)
	e.changed()
	return requestIDResponse{RequestID: c.requestID}, nil
}

type signalReturnRequest struct {
	ClientTransactionID string  `json:"client_transaction_id" plaid:"required"`
	ReturnCode          string  `json:"return_code" plaid:"required"`
	ReturnedAt          *string `json:"returned_at"`
}

var achReturnCode = regexp.MustCompile(`^R[0-9]{2}$`)

// signalReturnReport serves /signal/return/report: an evaluated
// transaction came back with an ACH return code (R01...).
func signalReturnReport(e *Emulator, c *call, req *signalReturnRequest) (any, *sandbox.Error) {
	if !achReturnCode.MatchString(req.ReturnCode) {
		return nil, apiError("INVALID_FIELD", "return_code must be an ACH return code such as R01, got %q", req.ReturnCode)
	}
	if req.ReturnedAt != nil {
		if _, err := time.Parse(time.RFC3339, *req.ReturnedAt); err != nil {
			return nil, apiError("INVALID_FIELD", "returned_at must be an RFC 3339 date-time, got %q", *req.ReturnedAt)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ev, err := e.signalEvalLocked(req.ClientTransactionID)
	if err != nil {
		return nil, err
	}
	ev.ReturnCode = req.ReturnCode
	e.changed()
	return requestIDResponse{RequestID: c.requestID}, nil
}

// signalEvalLocked finds an evaluation (e.mu held).
func (e *Emulator) signalEvalLocked(id string) (*signalEval, *sandbox.Error) {
	if e.st.prod != nil {
		if ev, ok := e.st.prod.Signals[id]; ok {
			return ev, nil
		}
	}
	return nil, apiError("INVALID_FIELD", "client_transaction_id %q was not evaluated with /signal/evaluate; report decisions and returns for transactions you evaluated", id)
}
