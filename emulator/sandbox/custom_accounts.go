package sandbox

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// customAccount is one user_custom override_accounts entry. identity,
// liability, holdings, investment_transactions, inflow_model and income are
// documented but not modelled: they are accepted and ignored.
type customAccount struct {
	Type                   string          `json:"type"`
	Subtype                string          `json:"subtype"`
	StartingBalance        *float64        `json:"starting_balance"`
	ForceAvailableBalance  *float64        `json:"force_available_balance"`
	Currency               string          `json:"currency"`
	Meta                   customMeta      `json:"meta"`
	Numbers                customNumbers   `json:"numbers"`
	Transactions           []customTxn     `json:"transactions"`
	Identity               json.RawMessage `json:"identity"`
	Liability              json.RawMessage `json:"liability"`
	Holdings               json.RawMessage `json:"holdings"`
	InvestmentTransactions json.RawMessage `json:"investment_transactions"`
	InflowModel            json.RawMessage `json:"inflow_model"`
	Income                 json.RawMessage `json:"income"`
}

type customMeta struct {
	Name         string   `json:"name"`
	OfficialName string   `json:"official_name"`
	Limit        *float64 `json:"limit"`
	Mask         string   `json:"mask"`
}

type customNumbers struct {
	Account           string `json:"account"`
	ACHRouting        string `json:"ach_routing"`
	ACHWireRouting    string `json:"ach_wire_routing"`
	EFTInstitution    string `json:"eft_institution"`
	EFTBranch         string `json:"eft_branch"`
	InternationalBIC  string `json:"international_bic"`
	InternationalIBAN string `json:"international_iban"`
	BACSSortCode      string `json:"bacs_sort_code"`
}

type customTxn struct {
	DateTransacted string   `json:"date_transacted"`
	DatePosted     string   `json:"date_posted"`
	Amount         *float64 `json:"amount"`
	Description    string   `json:"description"`
	Currency       string   `json:"currency"`
}

// customTypes maps user_custom account types to Plaid's AccountType; payroll
// accounts are reported as type other.
var customTypes = map[string]string{
	"investment": "investment", "credit": "credit", "depository": "depository",
	"loan": "loan", "payroll": "other", "other": "other",
}

// accountSubtypes is the AccountSubtype enum of the 2020-09-14 schema.
var accountSubtypes = []string{
	"401a", "401k", "403B", "457b", "529", "brokerage", "cash isa", "crypto exchange",
	"education savings account", "ebt", "fixed annuity", "gic",
	"health reimbursement arrangement", "hsa", "isa", "ira", "lif", "life insurance",
	"lira", "lrif", "lrsp", "non-custodial wallet", "non-taxable brokerage account",
	"other", "other insurance", "other annuity", "prif", "rdsp", "resp", "rlif", "rrif",
	"pension", "profit sharing plan", "retirement", "roth", "roth 401k", "rrsp",
	"sep ira", "simple ira", "sipp", "stock plan", "thrift savings plan", "tfsa",
	"trust", "ugma", "utma", "variable annuity", "credit card", "paypal", "cd",
	"checking", "savings", "money market", "prepaid", "auto", "business", "commercial",
	"construction", "consumer", "home equity", "loan", "mortgage", "overdraft",
	"line of credit", "student", "cash management", "keogh", "mutual fund",
	"recurring", "rewards", "safe deposit", "sarsep", "payroll",
}

// template builds the i-th override account.
func (a customAccount) template(i int) (AccountTemplate, error) {
	currency, err := a.validate()
	if err != nil {
		return AccountTemplate{}, err
	}
	t := AccountTemplate{
		Name:         a.name(),
		Type:         customTypes[a.Type],
		Current:      a.StartingBalance,
		Limit:        a.Meta.Limit,
		Currency:     currency,
		Subtype:      optional(a.Subtype),
		OfficialName: optional(a.Meta.OfficialName),
		Mask:         optional(a.Meta.Mask),
	}
	if t.Current == nil {
		t.Current = num(0)
	}
	t.Available = a.available(t.Type, *t.Current)
	if err := a.numbers(&t, i); err != nil {
		return AccountTemplate{}, err
	}
	for j, tx := range a.Transactions {
		tt, err := tx.template(currency)
		if err != nil {
			return AccountTemplate{}, fmt.Errorf("transactions[%d]: %w", j, err)
		}
		t.Transactions = append(t.Transactions, tt)
	}
	return t, nil
}

// validate checks type, subtype, currency and mask, and returns the
// account's currency.
func (a customAccount) validate() (string, error) {
	if _, ok := customTypes[a.Type]; !ok {
		return "", fmt.Errorf("type must be one of investment, credit, depository, loan, payroll, other; got %s", quote(a.Type))
	}
	if a.Subtype != "" && !slices.Contains(accountSubtypes, a.Subtype) {
		return "", fmt.Errorf("subtype %s is not a Plaid account subtype", quote(a.Subtype))
	}
	if !validMask(a.Meta.Mask) {
		return "", fmt.Errorf("meta.mask must be empty or 2 to 4 letters or digits, not %s", quote(a.Meta.Mask))
	}
	return currencyOr(a.Currency, "USD", "currency")
}

// optional is nil for "", else a pointer to v.
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// name is meta.name, or one derived from the subtype ("Custom Checking").
func (a customAccount) name() string {
	if a.Meta.Name != "" {
		return a.Meta.Name
	}
	label := a.Subtype
	if label == "" {
		label = a.Type
	}
	return "Custom " + strings.ToUpper(label[:1]) + label[1:]
}

// available is force_available_balance, else what Plaid reports by type:
// the current balance for depository, the remaining credit for a credit
// account with a limit, and null otherwise.
func (a customAccount) available(typ string, current float64) *float64 {
	switch {
	case a.ForceAvailableBalance != nil:
		return a.ForceAvailableBalance
	case typ == "depository":
		return num(current)
	case typ == "credit" && a.Meta.Limit != nil:
		return num(*a.Meta.Limit - current)
	}
	return nil
}

// numbers fills the payment numbers. A USD depository checking, savings or
// cash management account without numbers gets ACH numbers like the
// defaults', so that Auth works on it.
func (a customAccount) numbers(t *AccountTemplate, i int) error {
	n := a.Numbers
	usd := a.Currency == "" || a.Currency == "USD"
	if n == (customNumbers{}) && usd && a.Type == "depository" && slices.Contains([]string{"checking", "savings", "cash management"}, a.Subtype) {
		n = customNumbers{Account: defaultAccountNumber(a.Meta.Mask, i), ACHRouting: DefaultRouting, ACHWireRouting: DefaultWireRouting}
	}
	if err := n.validate(); err != nil {
		return err
	}
	if n.ACHRouting != "" {
		t.ACH = &ACHNumbers{Account: n.Account, Routing: n.ACHRouting, WireRouting: n.ACHWireRouting}
	}
	if n.EFTInstitution != "" {
		t.EFT = &EFTNumbers{Account: n.Account, Institution: n.EFTInstitution, Branch: n.EFTBranch}
	}
	if n.BACSSortCode != "" {
		t.BACS = &BACSNumbers{Account: n.Account, SortCode: n.BACSSortCode}
	}
	if n.InternationalIBAN != "" {
		t.IBAN = &InternationalNumbers{IBAN: n.InternationalIBAN, BIC: n.InternationalBIC}
	}
	return nil
}

// validate checks the numbers' formats and that the fields each network
// needs come together.
func (n customNumbers) validate() error {
	switch {
	case (n.ACHRouting != "" || n.EFTInstitution != "" || n.EFTBranch != "" || n.BACSSortCode != "") && n.Account == "":
		return errors.New("numbers.account is required with ach_routing, eft_institution, eft_branch or bacs_sort_code")
	case n.ACHWireRouting != "" && n.ACHRouting == "":
		return errors.New("numbers.ach_wire_routing needs numbers.ach_routing")
	case (n.EFTInstitution == "") != (n.EFTBranch == ""):
		return errors.New("numbers.eft_institution and numbers.eft_branch go together")
	case n.InternationalBIC != "" && n.InternationalIBAN == "":
		return errors.New("numbers.international_bic needs numbers.international_iban")
	case n.InternationalIBAN != "" && !validIBANShape(n.InternationalIBAN):
		return fmt.Errorf("numbers.international_iban %s is not an IBAN (2 letters, 2 digits, up to 30 letters or digits)", quote(n.InternationalIBAN))
	}
	checks := []struct {
		field, value string
		length       int
	}{
		{"account", n.Account, 0}, {"ach_routing", n.ACHRouting, 9}, {"ach_wire_routing", n.ACHWireRouting, 9},
		{"eft_institution", n.EFTInstitution, 3}, {"eft_branch", n.EFTBranch, 5}, {"bacs_sort_code", n.BACSSortCode, 6},
	}
	for _, c := range checks {
		if err := checkDigits(c.field, c.value, c.length); err != nil {
			return err
		}
	}
	return nil
}

// defaultAccountNumber ends with the mask when it is four digits, as the
// default accounts' numbers do.
func defaultAccountNumber(mask string, i int) string {
	if len(mask) == 4 && isDigits(mask) {
		return "111122223333" + mask
	}
	return fmt.Sprintf("111122223333%04d", i)
}

func (tx customTxn) template(accountCurrency string) (TransactionTemplate, error) {
	posted, transacted, err := tx.dates()
	if err != nil {
		return TransactionTemplate{}, err
	}
	if tx.Amount == nil {
		return TransactionTemplate{}, errors.New("amount is required (positive for money out)")
	}
	if strings.TrimSpace(tx.Description) == "" {
		return TransactionTemplate{}, errors.New("description is required")
	}
	currency, err := currencyOr(tx.Currency, accountCurrency, "currency")
	if err != nil {
		return TransactionTemplate{}, err
	}
	t := TransactionTemplate{
		Date: posted, AuthorizedDate: transacted, Name: tx.Description, Amount: *tx.Amount,
		Currency: currency, PaymentChannel: "other",
		Category: []string{"Transfer", "Debit"}, CategoryID: "21006000",
		PFCPrimary: "TRANSFER_OUT", PFCDetailed: "TRANSFER_OUT_WITHDRAWAL",
	}
	if *tx.Amount < 0 {
		t.Category, t.CategoryID = []string{"Transfer", "Credit"}, "21005000"
		t.PFCPrimary, t.PFCDetailed = "TRANSFER_IN", "TRANSFER_IN_DEPOSIT"
	}
	return t, nil
}

// dates returns date_posted and date_transacted, each defaulting to the
// other, checked as YYYY-MM-DD with the transaction not after the posting.
func (tx customTxn) dates() (posted, transacted string, err error) {
	posted, transacted = cmp.Or(tx.DatePosted, tx.DateTransacted), cmp.Or(tx.DateTransacted, tx.DatePosted)
	if posted == "" {
		return "", "", errors.New("date_posted or date_transacted is required (YYYY-MM-DD)")
	}
	p, err1 := time.Parse(time.DateOnly, posted)
	d, err2 := time.Parse(time.DateOnly, transacted)
	if err1 != nil || err2 != nil {
		return "", "", fmt.Errorf("dates must be YYYY-MM-DD, got date_posted %s and date_transacted %s", quote(tx.DatePosted), quote(tx.DateTransacted))
	}
	if d.After(p) {
		return "", "", errors.New("date_transacted is after date_posted")
	}
	return posted, transacted, nil
}

// currencyOr checks an ISO 4217-shaped code, defaulting an empty one.
func currencyOr(code, def, field string) (string, error) {
	if code == "" {
		return def, nil
	}
	if len(code) != 3 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", fmt.Errorf("%s must be a 3-letter ISO 4217 code such as USD, not %s", field, quote(code))
	}
	return code, nil
}

// validMask: empty, or 2 to 4 ASCII letters or digits (reference §3.3).
func validMask(m string) bool {
	if m == "" {
		return true
	}
	return len(m) >= 2 && len(m) <= 4 && strings.Trim(m, alnum) == ""
}

func validIBANShape(s string) bool {
	return len(s) >= 5 && len(s) <= 34 && strings.Trim(s[:2], upper) == "" &&
		isDigits(s[2:4]) && strings.Trim(s[4:], upper+digits) == ""
}

// checkDigits checks an optional all-digit field; want > 0 fixes its length.
func checkDigits(field, v string, want int) error {
	if v == "" {
		return nil
	}
	if !isDigits(v) || (want > 0 && len(v) != want) || len(v) > 17 {
		if want > 0 {
			return fmt.Errorf("numbers.%s must be %d digits, not %s", field, want, quote(v))
		}
		return fmt.Errorf("numbers.%s must be 1 to 17 digits, not %s", field, quote(v))
	}
	return nil
}

const (
	digits = "0123456789"
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alnum  = digits + upper + "abcdefghijklmnopqrstuvwxyz"
)

func isDigits(s string) bool { return s != "" && strings.Trim(s, digits) == "" }
