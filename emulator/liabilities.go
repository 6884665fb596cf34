package emulator

import (
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

type liabilitiesRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	Options     *struct {
		AccountIDs []string `json:"account_ids"`
	} `json:"options"`
}

type liabilitiesResponse struct {
	Accounts    []accountJSON `json:"accounts"`
	Item        itemJSON      `json:"item"`
	Liabilities struct {
		Credit   []creditLiability   `json:"credit"`
		Mortgage []mortgageLiability `json:"mortgage"`
		Student  []studentLoan       `json:"student"`
	} `json:"liabilities"`
	RequestID string `json:"request_id"`
}

type aprJSON struct {
	APRPercentage        float64  `json:"apr_percentage"`
	APRType              string   `json:"apr_type"`
	BalanceSubjectToAPR  *float64 `json:"balance_subject_to_apr"`
	InterestChargeAmount *float64 `json:"interest_charge_amount"`
}

type creditLiability struct {
	AccountID              *string   `json:"account_id"`
	APRs                   []aprJSON `json:"aprs"`
	IsOverdue              *bool     `json:"is_overdue"`
	LastPaymentAmount      *float64  `json:"last_payment_amount"`
	LastPaymentDate        *string   `json:"last_payment_date"`
	LastStatementIssueDate *string   `json:"last_statement_issue_date"`
	LastStatementBalance   *float64  `json:"last_statement_balance"`
	MinimumPaymentAmount   *float64  `json:"minimum_payment_amount"`
	NextPaymentDueDate     *string   `json:"next_payment_due_date"`
}

type addressNullable struct {
	City       *string `json:"city"`
	Region     *string `json:"region"`
	Street     *string `json:"street"`
	PostalCode *string `json:"postal_code"`
	Country    *string `json:"country"`
}

type mortgageLiability struct {
	AccountID            string   `json:"account_id"`
	AccountNumber        string   `json:"account_number"`
	CurrentLateFee       *float64 `json:"current_late_fee"`
	EscrowBalance        *float64 `json:"escrow_balance"`
	HasPMI               *bool    `json:"has_pmi"`
	HasPrepaymentPenalty *bool    `json:"has_prepayment_penalty"`
	InterestRate         struct {
		Percentage *float64 `json:"percentage"`
		Type       *string  `json:"type"`
	} `json:"interest_rate"`
	LastPaymentAmount          *float64        `json:"last_payment_amount"`
	LastPaymentDate            *string         `json:"last_payment_date"`
	LoanTypeDescription        *string         `json:"loan_type_description"`
	LoanTerm                   *string         `json:"loan_term"`
	MaturityDate               *string         `json:"maturity_date"`
	NextMonthlyPayment         *float64        `json:"next_monthly_payment"`
	NextPaymentDueDate         *string         `json:"next_payment_due_date"`
	OriginationDate            *string         `json:"origination_date"`
	OriginationPrincipalAmount *float64        `json:"origination_principal_amount"`
	PastDueAmount              *float64        `json:"past_due_amount"`
	PropertyAddress            addressNullable `json:"property_address"`
	YTDInterestPaid            *float64        `json:"ytd_interest_paid"`
	YTDPrincipalPaid           *float64        `json:"ytd_principal_paid"`
}

type studentLoan struct {
	AccountID              *string  `json:"account_id"`
	AccountNumber          *string  `json:"account_number"`
	DisbursementDates      []string `json:"disbursement_dates"`
	ExpectedPayoffDate     *string  `json:"expected_payoff_date"`
	Guarantor              *string  `json:"guarantor"`
	InterestRatePercentage float64  `json:"interest_rate_percentage"`
	IsOverdue              *bool    `json:"is_overdue"`
	LastPaymentAmount      *float64 `json:"last_payment_amount"`
	LastPaymentDate        *string  `json:"last_payment_date"`
	LastStatementIssueDate *string  `json:"last_statement_issue_date"`
	LoanName               *string  `json:"loan_name"`
	LoanStatus             struct {
		EndDate *string `json:"end_date"`
		Type    *string `json:"type"`
	} `json:"loan_status"`
	MinimumPaymentAmount       *float64 `json:"minimum_payment_amount"`
	NextPaymentDueDate         *string  `json:"next_payment_due_date"`
	OriginationDate            *string  `json:"origination_date"`
	OriginationPrincipalAmount *float64 `json:"origination_principal_amount"`
	OutstandingInterestAmount  *float64 `json:"outstanding_interest_amount"`
	PaymentReferenceNumber     *string  `json:"payment_reference_number"`
	PSLFStatus                 struct {
		EstimatedEligibilityDate *string `json:"estimated_eligibility_date"`
		PaymentsMade             *int    `json:"payments_made"`
		PaymentsRemaining        *int    `json:"payments_remaining"`
	} `json:"pslf_status"`
	RepaymentPlan struct {
		Description *string `json:"description"`
		Type        *string `json:"type"`
	} `json:"repayment_plan"`
	SequenceNumber   *string         `json:"sequence_number"`
	ServicerAddress  addressNullable `json:"servicer_address"`
	YTDInterestPaid  *float64        `json:"ytd_interest_paid"`
	YTDPrincipalPaid *float64        `json:"ytd_principal_paid"`
}

func ptr[T any](v T) *T { return &v }

// liabilitiesGet serves /liabilities/get: the Item's credit cards, student
// loans and mortgages with their terms; dates follow the Item's creation
// (last statement 5 days before it, next payment due 20 days after).
func liabilitiesGet(e *Emulator, c *call, req *liabilitiesRequest) (any, *sandbox.Error) {
	var ids []string
	if req.Options != nil {
		ids = req.Options.AccountIDs
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		selected, err := it.selectAccounts(ids)
		if err != nil {
			return nil, err
		}
		if err := e.useProduct(it, "liabilities"); err != nil {
			return nil, err
		}
		resp := liabilitiesResponse{Item: it.render(), RequestID: c.requestID}
		resp.Liabilities.Credit, resp.Liabilities.Mortgage, resp.Liabilities.Student = []creditLiability{}, []mortgageLiability{}, []studentLoan{}
		day := it.createdDay()
		date := func(days int) *string { return ptr(day.AddDate(0, 0, days).Format(time.DateOnly)) }
		for _, a := range selected {
			switch {
			case a.Type == "credit":
				cur := val(a.Current)
				resp.Liabilities.Credit = append(resp.Liabilities.Credit, creditLiability{
					AccountID: ptr(a.ID),
					APRs: []aprJSON{
						{APRPercentage: 15.24, APRType: "balance_transfer_apr", BalanceSubjectToAPR: ptr(1562.32), InterestChargeAmount: ptr(130.22)},
						{APRPercentage: 27.95, APRType: "cash_apr", BalanceSubjectToAPR: ptr(56.22), InterestChargeAmount: ptr(14.81)},
						{APRPercentage: 12.5, APRType: "purchase_apr", BalanceSubjectToAPR: ptr(cur), InterestChargeAmount: ptr(25.66)},
					},
					IsOverdue: ptr(false), LastPaymentAmount: ptr(168.25), LastPaymentDate: date(-9),
					LastStatementIssueDate: date(-5), LastStatementBalance: ptr(cur),
					MinimumPaymentAmount: ptr(20.0), NextPaymentDueDate: date(20),
				})
			case a.Type == "loan" && val(a.Subtype) == "mortgage":
				m := mortgageLiability{
					AccountID: a.ID, AccountNumber: "3120194154" + val(a.Mask), CurrentLateFee: ptr(0.0),
					EscrowBalance: ptr(3141.54), HasPMI: ptr(true), HasPrepaymentPenalty: ptr(true),
					LastPaymentAmount: ptr(3141.54), LastPaymentDate: date(-12),
					LoanTypeDescription: ptr("conventional"), LoanTerm: ptr("30 year"),
					MaturityDate:       ptr(day.AddDate(26, 0, 0).Format(time.DateOnly)),
					NextMonthlyPayment: ptr(3141.54), NextPaymentDueDate: date(18),
					OriginationDate:            ptr(day.AddDate(-4, 0, 0).Format(time.DateOnly)),
					OriginationPrincipalAmount: ptr(425000.0), PastDueAmount: ptr(0.0),
					PropertyAddress: addressNullable{City: ptr("Malakoff"), Country: ptr("US"), PostalCode: ptr("14236"), Region: ptr("NY"), Street: ptr("2992 Cameron Road")},
					YTDInterestPaid: ptr(12300.4), YTDPrincipalPaid: ptr(12340.5),
				}
				m.InterestRate.Percentage, m.InterestRate.Type = ptr(3.99), ptr("fixed")
				resp.Liabilities.Mortgage = append(resp.Liabilities.Mortgage, m)
			case a.Type == "loan" && val(a.Subtype) == "student":
				s := studentLoan{
					AccountID: ptr(a.ID), AccountNumber: ptr("4277075694" + val(a.Mask)),
					DisbursementDates:  []string{day.AddDate(-6, 0, 0).Format(time.DateOnly)},
					ExpectedPayoffDate: ptr(day.AddDate(6, 0, 0).Format(time.DateOnly)),
					Guarantor:          ptr("DEPT OF ED"), InterestRatePercentage: 5.25, IsOverdue: ptr(false),
					LastPaymentAmount: ptr(138.05), LastPaymentDate: date(-14), LastStatementIssueDate: date(-5),
					LoanName: ptr("Consolidation"), MinimumPaymentAmount: ptr(25.0), NextPaymentDueDate: date(16),
					OriginationDate:            ptr(day.AddDate(-6, 0, 0).Format(time.DateOnly)),
					OriginationPrincipalAmount: ptr(25000.0), OutstandingInterestAmount: ptr(6227.36),
					PaymentReferenceNumber: ptr("4277075694"), SequenceNumber: ptr("1"),
					ServicerAddress: addressNullable{City: ptr("San Matias"), Country: ptr("US"), PostalCode: ptr("99415"), Region: ptr("CA"), Street: ptr("123 Relaxation Road")},
					YTDInterestPaid: ptr(280.55), YTDPrincipalPaid: ptr(271.65),
				}
				s.LoanStatus.EndDate, s.LoanStatus.Type = ptr(day.AddDate(6, 0, 0).Format(time.DateOnly)), ptr("repayment")
				s.PSLFStatus.EstimatedEligibilityDate, s.PSLFStatus.PaymentsMade, s.PSLFStatus.PaymentsRemaining = ptr(day.AddDate(4, 0, 0).Format(time.DateOnly)), ptr(72), ptr(48)
				s.RepaymentPlan.Description, s.RepaymentPlan.Type = ptr("Standard Repayment"), ptr("standard")
				resp.Liabilities.Student = append(resp.Liabilities.Student, s)
			default:
				continue
			}
			resp.Accounts = append(resp.Accounts, a.render())
		}
		if len(resp.Accounts) == 0 {
			return nil, apiError("NO_LIABILITY_ACCOUNTS", "")
		}
		return resp, nil
	})
}
