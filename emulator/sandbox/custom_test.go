package sandbox

import (
	"fmt"
	"strings"
	"testing"
)

func TestCustomForceError(t *testing.T) {
	tests := []struct{ force, typ, code string }{
		{"INSTITUTION_NOT_RESPONDING", "INSTITUTION_ERROR", "INSTITUTION_NOT_RESPONDING"},
		{"INSTITUTION_NO_LONGER_SUPPORTED", "INSTITUTION_ERROR", "INSTITUTION_NO_LONGER_SUPPORTED"},
		{"INVALID_CREDENTIALS", "ITEM_ERROR", "INVALID_CREDENTIALS"},
		{"INVALID_MFA", "ITEM_ERROR", "INVALID_MFA"},
		{"ITEM_LOCKED", "ITEM_ERROR", "ITEM_LOCKED"},
		{"ITEM_LOGIN_REQUIRED", "ITEM_ERROR", "ITEM_LOGIN_REQUIRED"},
		{"ITEM_NOT_SUPPORTED", "ITEM_ERROR", "ITEM_NOT_SUPPORTED"},
		{"INVALID_LINK_TOKEN", "INVALID_INPUT", "INVALID_LINK_TOKEN"},
		{"MFA_NOT_SUPPORTED", "ITEM_ERROR", "MFA_NOT_SUPPORTED"},
		{"NO_ACCOUNTS", "ITEM_ERROR", "NO_ACCOUNTS"},
		{"PLAID_ERROR", "API_ERROR", "INTERNAL_SERVER_ERROR"},
		{"USER_INPUT_TIMEOUT", "ITEM_ERROR", "USER_INPUT_TIMEOUT"},
		{"USER_SETUP_REQUIRED", "ITEM_ERROR", "USER_SETUP_REQUIRED"},
	}
	if len(ForceErrorCodes()) != len(tests) {
		t.Errorf("ForceErrorCodes() = %v, want the %d of reference §3.3", ForceErrorCodes(), len(tests))
	}
	for _, tt := range tests {
		o := Evaluate("user_custom", fmt.Sprintf(`{"force_error": %q}`, tt.force))
		if o.Err == nil || o.Err.Type != tt.typ || o.Err.Code != tt.code || o.ErrAfterMFA || o.MFA != nil || o.Accounts != nil {
			t.Errorf("force_error %s: %+v", tt.force, o)
		}
	}
	if o := Evaluate("user_custom", `{ "force_error": "INVALID_LINK_TOKEN" }`); o.Err.Message != "invalid link_token provided" {
		t.Errorf("INVALID_LINK_TOKEN message %q", o.Err.Message)
	}
}

func TestCustomForceErrorRejectsOthers(t *testing.T) {
	for _, code := range []string{"INSTITUTION_DOWN", "item_locked", "NOPE"} {
		o := Evaluate("user_custom", fmt.Sprintf(`{"force_error": %q}`, code))
		if o.Err == nil || o.Err.Code != "INVALID_CREDENTIALS" || !strings.Contains(o.Err.Message, "force_error") {
			t.Errorf("force_error %s: %+v", code, o.Err)
		}
	}
	o := Evaluate("user_custom", `{"force_error": "INSTITUTION_DOWN"}`)
	if !strings.Contains(o.Err.Message, "error_INSTITUTION_DOWN") {
		t.Errorf("INSTITUTION_DOWN message does not point to the password: %q", o.Err.Message)
	}
}

func TestCustomInvalidMFATiming(t *testing.T) {
	o := Evaluate("user_custom", `{"force_error":"INVALID_MFA","mfa":{"type":"device"}}`)
	if o.Err == nil || o.Err.Code != "INVALID_MFA" || !o.ErrAfterMFA || len(roundKinds(o.MFA)) != 2 {
		t.Errorf("INVALID_MFA with MFA: %+v", o)
	}
	o = Evaluate("user_custom", `{"force_error":"INVALID_MFA"}`)
	if o.Err == nil || o.Err.Code != "INVALID_MFA" || o.ErrAfterMFA || o.MFA != nil {
		t.Errorf("INVALID_MFA without MFA: %+v", o)
	}
	o = Evaluate("user_custom", `{"force_error":"ITEM_LOCKED","mfa":{"type":"device"}}`)
	if o.Err == nil || o.Err.Code != "ITEM_LOCKED" || o.ErrAfterMFA {
		t.Errorf("ITEM_LOCKED with MFA: %+v", o)
	}
}

func TestCustomMFA(t *testing.T) {
	tests := []struct {
		mfa       string
		kinds     []string
		questions int // per round
		options   int // per question, selections only
	}{
		{`{"type":"device"}`, []string{"device", "code"}, 0, 0},
		{`{"type":"questions"}`, []string{"questions"}, 1, 0},
		{`{"type":"questions","question_rounds":2,"questions_per_round":3}`, []string{"questions", "questions"}, 3, 0},
		{`{"type":"selections"}`, []string{"selections"}, 1, 2},
		{`{"type":"selections","selection_rounds":3,"selections_per_question":4}`, []string{"selections", "selections", "selections"}, 1, 4},
	}
	for _, tt := range tests {
		o := Evaluate("user_custom", `{"mfa":`+tt.mfa+`}`)
		checkOutcome(t, tt.mfa, o, "", tt.kinds)
		if o.MFA == nil {
			continue
		}
		for i, r := range o.MFA.Rounds {
			if r.Kind == MFACodeKind || r.Kind == MFADevice {
				continue
			}
			if len(r.Questions) != tt.questions {
				t.Errorf("%s round %d: %d questions", tt.mfa, i, len(r.Questions))
			}
			if r.Kind == MFASelections && len(r.Options[0]) != tt.options {
				t.Errorf("%s round %d: %d options", tt.mfa, i, len(r.Options[0]))
			}
			answers := make([]string, len(r.Questions))
			for j := range answers {
				answers[j] = fmt.Sprintf("answer_%d_%d", i, j)
			}
			if !o.MFA.CheckMFA(i, answers) {
				t.Errorf("%s round %d: %v rejected", tt.mfa, i, answers)
			}
		}
	}
}

func TestCustomInvalid(t *testing.T) {
	tests := []struct{ name, password, mention string }{
		{"empty", ``, "JSON object"},
		{"not JSON", `force_error=ITEM_LOCKED`, "JSON object"},
		{"null", `null`, "JSON object"},
		{"array", `[]`, "JSON object"},
		{"broken", `{"force_error":`, "invalid JSON"},
		{"trailing", `{} {}`, "after the object"},
		{"unknown key", `{"force_eror":"ITEM_LOCKED"}`, "force_eror"},
		{"wrong type", `{"override_accounts":{}}`, "override_accounts"},
		{"too big", `{"seed":"` + strings.Repeat("x", MaxCustomConfigBytes) + `"}`, "limit"},
		{"version", `{"version":"3"}`, "version"},
		{"recaptcha", `{"recaptcha":"maybe"}`, "recaptcha"},
		{"mfa type", `{"mfa":{"type":"sms"}}`, "mfa.type"},
		{"mfa missing type", `{"mfa":{}}`, "mfa.type"},
		{"mfa zero rounds", `{"mfa":{"type":"questions","question_rounds":0}}`, "question_rounds"},
		{"mfa too many rounds", `{"mfa":{"type":"questions","question_rounds":11}}`, "question_rounds"},
		{"mfa huge", `{"mfa":{"type":"questions","questions_per_round":1000000000}}`, "questions_per_round"},
		{"mfa options", `{"mfa":{"type":"selections","selections_per_question":0}}`, "selections_per_question"},
		{"mfa not a number", `{"mfa":{"type":"selections","selection_rounds":"2"}}`, "selection_rounds"},
	}
	for _, tt := range tests {
		o := Evaluate("user_custom", tt.password)
		if o.Err == nil || o.Err.Code != "INVALID_CREDENTIALS" || o.Err.DisplayMessage == nil {
			t.Errorf("%s: %+v", tt.name, o)
			continue
		}
		if !strings.Contains(o.Err.Message, "user_custom") || !strings.Contains(o.Err.Message, tt.mention) {
			t.Errorf("%s: message %q does not mention %q", tt.name, o.Err.Message, tt.mention)
		}
		if len(o.Err.Message) > 600 {
			t.Errorf("%s: message is %d bytes", tt.name, len(o.Err.Message))
		}
	}
}

func TestCustomAccepted(t *testing.T) {
	for _, pw := range []string{
		`{}`, ` { } `, `{"version":"1"}`, `{"version":"2","seed":"abc"}`, `{"version":2}`,
		`{"recaptcha":"good"}`, `{"override_accounts":[]}`,
		`{"override_accounts":[{"type":"depository","subtype":"checking","identity":{"names":["x"]},"inflow_model":{"type":"none"}}]}`,
	} {
		if o := Evaluate("user_custom", pw); o.Err != nil || len(o.Accounts) == 0 {
			t.Errorf("%s: %+v", pw, o)
		}
	}
	if o := Evaluate("user_custom", `{"recaptcha":"bad"}`); o.Err == nil || o.Err.Code != "RECAPTCHA_BAD" || o.Err.Type != TypeRecaptcha {
		t.Errorf("recaptcha bad: %+v", o.Err)
	}
	if o := Evaluate("user_custom", `{}`); len(o.Accounts) != 12 || o.MFA != nil {
		t.Errorf("{} is not the default data: %d accounts", len(o.Accounts))
	}
}

const fullCustom = `{
  "override_accounts": [
    {
      "type": "depository", "subtype": "checking", "starting_balance": 10000,
      "force_available_balance": 9000, "currency": "USD",
      "meta": {"name": "Household Checking", "official_name": "Household Premier Checking", "mask": "4321"},
      "numbers": {"account": "987654321", "ach_routing": "011000138", "ach_wire_routing": "026009593"},
      "transactions": [
        {"date_transacted": "2024-01-01", "date_posted": "2024-01-03", "amount": 100, "description": "1 year Netflix", "currency": "USD"},
        {"date_posted": "2024-01-05", "amount": -2500.5, "description": "Payroll"}
      ]
    },
    {
      "type": "credit", "subtype": "credit card", "starting_balance": 300,
      "meta": {"limit": 1000, "mask": "ab"}
    },
    {
      "type": "depository", "subtype": "savings", "currency": "GBP",
      "numbers": {"account": "31926819", "bacs_sort_code": "601613", "international_iban": "GB29NWBK60161331926819", "international_bic": "NWBKGB21"}
    },
    {
      "type": "depository", "subtype": "checking", "currency": "CAD",
      "numbers": {"account": "111122223333", "eft_institution": "021", "eft_branch": "01140"}
    },
    {"type": "payroll"},
    {"type": "loan", "subtype": "student", "starting_balance": 5000}
  ]
}`

func TestCustomOverrideAccounts(t *testing.T) {
	o := Evaluate("user_custom", fullCustom)
	if o.Err != nil || len(o.Accounts) != 6 {
		t.Fatalf("%+v", o)
	}
	a := o.Accounts
	c := a[0]
	if c.Name != "Household Checking" || *c.OfficialName != "Household Premier Checking" || *c.Mask != "4321" ||
		c.Type != "depository" || *c.Subtype != "checking" || *c.Current != 10000 || *c.Available != 9000 || c.Limit != nil ||
		c.Currency != "USD" || *c.ACH != (ACHNumbers{"987654321", "011000138", "026009593"}) {
		t.Errorf("checking: %+v", c)
	}
	if len(c.Transactions) != 2 {
		t.Fatalf("checking transactions: %+v", c.Transactions)
	}
	tx := c.Transactions[0]
	if tx.Date != "2024-01-03" || tx.AuthorizedDate != "2024-01-01" || tx.Amount != 100 || tx.Name != "1 year Netflix" ||
		tx.Currency != "USD" || len(tx.Category) == 0 || tx.CategoryID == "" || tx.PaymentChannel == "" || tx.PFCPrimary == "" {
		t.Errorf("transaction: %+v", tx)
	}
	if tx := c.Transactions[1]; tx.Date != "2024-01-05" || tx.AuthorizedDate != "2024-01-05" || tx.Amount != -2500.5 || tx.PFCPrimary != "TRANSFER_IN" {
		t.Errorf("income transaction: %+v", tx)
	}
	if cc := a[1]; cc.Type != "credit" || *cc.Current != 300 || *cc.Limit != 1000 || *cc.Available != 700 || *cc.Mask != "ab" || cc.ACH != nil {
		t.Errorf("credit: %+v", cc)
	}
	if s := a[2]; s.Currency != "GBP" || s.ACH != nil || *s.BACS != (BACSNumbers{"31926819", "601613"}) ||
		*s.IBAN != (InternationalNumbers{"GB29NWBK60161331926819", "NWBKGB21"}) {
		t.Errorf("GB savings: %+v", s)
	}
	if e := a[3]; e.ACH != nil || *e.EFT != (EFTNumbers{"111122223333", "021", "01140"}) {
		t.Errorf("CA checking: %+v", e)
	}
	if p := a[4]; p.Type != "other" || p.Subtype != nil || p.Name != "Custom Payroll" || *p.Current != 0 || p.Available != nil || p.Mask != nil {
		t.Errorf("payroll: %+v", p)
	}
	if l := a[5]; l.Type != "loan" || l.Available != nil || l.Name != "Custom Student" || l.ACH != nil {
		t.Errorf("loan: %+v", l)
	}
}

func TestCustomDefaultNumbers(t *testing.T) {
	o := Evaluate("user_custom", `{"override_accounts":[
		{"type":"depository","subtype":"checking","meta":{"mask":"1234"}},
		{"type":"depository","subtype":"savings"},
		{"type":"depository","subtype":"cd"}]}`)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if ach := o.Accounts[0].ACH; ach == nil || ach.Account != "1111222233331234" || ach.Routing != DefaultRouting || ach.WireRouting != DefaultWireRouting {
		t.Errorf("checking: %+v", ach)
	}
	if ach := o.Accounts[1].ACH; ach == nil || ach.Account != "1111222233330001" {
		t.Errorf("savings: %+v", ach)
	}
	if o.Accounts[2].ACH != nil {
		t.Errorf("cd got ACH numbers")
	}
}

// accountsJSON builds override_accounts with n copies of account.
func accountsJSON(n int, account string) string {
	return `{"override_accounts":[` + strings.TrimSuffix(strings.Repeat(account+",", n), ",") + `]}`
}

// txnsJSON is a depository account with n transactions.
func txnsJSON(n int) string {
	tx := `{"date_posted":"2024-02-01","amount":1,"description":"t"}`
	return accountsJSON(1, `{"type":"depository","subtype":"checking","transactions":[`+strings.TrimSuffix(strings.Repeat(tx+",", n), ",")+`]}`)
}

func TestCustomLimits(t *testing.T) {
	acct := `{"type":"depository","subtype":"checking"}`
	tests := []struct {
		name, password string
		ok             bool
		mention        string
	}{
		{"10 accounts", accountsJSON(10, acct), true, ""},
		{"11 accounts", accountsJSON(11, acct), false, "at most 10"},
		{"250 transactions", txnsJSON(250), true, ""},
		{"251 transactions", txnsJSON(251), false, "at most 250"},
		{"mask empty", accountsJSON(1, `{"type":"credit","subtype":"credit card","meta":{"mask":""}}`), true, ""},
		{"mask 2", accountsJSON(1, `{"type":"credit","meta":{"mask":"a1"}}`), true, ""},
		{"mask 4", accountsJSON(1, `{"type":"credit","meta":{"mask":"A1b2"}}`), true, ""},
		{"mask 1", accountsJSON(1, `{"type":"credit","meta":{"mask":"1"}}`), false, "meta.mask"},
		{"mask 5", accountsJSON(1, `{"type":"credit","meta":{"mask":"12345"}}`), false, "meta.mask"},
		{"mask symbol", accountsJSON(1, `{"type":"credit","meta":{"mask":"12-4"}}`), false, "meta.mask"},
		{"mask unicode", accountsJSON(1, `{"type":"credit","meta":{"mask":"ééé"}}`), false, "meta.mask"},
		{"no type", accountsJSON(1, `{"subtype":"checking"}`), false, "type"},
		{"bad type", accountsJSON(1, `{"type":"brokerage"}`), false, "type"},
		{"bad subtype", accountsJSON(1, `{"type":"depository","subtype":"piggy bank"}`), false, "subtype"},
		{"bad currency", accountsJSON(1, `{"type":"depository","currency":"usd"}`), false, "currency"},
		{"bad routing", accountsJSON(1, `{"type":"depository","numbers":{"account":"1","ach_routing":"1234"}}`), false, "ach_routing"},
		{"routing without account", accountsJSON(1, `{"type":"depository","numbers":{"ach_routing":"011000138"}}`), false, "numbers.account"},
		{"wire without routing", accountsJSON(1, `{"type":"depository","numbers":{"account":"1","ach_wire_routing":"011000138"}}`), false, "ach_wire_routing"},
		{"account letters", accountsJSON(1, `{"type":"depository","numbers":{"account":"12ab","ach_routing":"011000138"}}`), false, "numbers.account"},
		{"eft half", accountsJSON(1, `{"type":"depository","numbers":{"account":"1","eft_institution":"021"}}`), false, "eft_branch"},
		{"eft branch length", accountsJSON(1, `{"type":"depository","numbers":{"account":"1","eft_institution":"021","eft_branch":"1"}}`), false, "eft_branch"},
		{"sort code", accountsJSON(1, `{"type":"depository","numbers":{"account":"1","bacs_sort_code":"60-16-13"}}`), false, "bacs_sort_code"},
		{"iban", accountsJSON(1, `{"type":"depository","numbers":{"international_iban":"not an iban"}}`), false, "international_iban"},
		{"bic alone", accountsJSON(1, `{"type":"depository","numbers":{"international_bic":"NWBKGB21"}}`), false, "international_bic"},
		{"txn no date", accountsJSON(1, `{"type":"depository","transactions":[{"amount":1,"description":"t"}]}`), false, "date_posted"},
		{"txn bad date", accountsJSON(1, `{"type":"depository","transactions":[{"date_posted":"01/02/2024","amount":1,"description":"t"}]}`), false, "YYYY-MM-DD"},
		{"txn order", accountsJSON(1, `{"type":"depository","transactions":[{"date_transacted":"2024-02-02","date_posted":"2024-02-01","amount":1,"description":"t"}]}`), false, "after date_posted"},
		{"txn no amount", accountsJSON(1, `{"type":"depository","transactions":[{"date_posted":"2024-02-01","description":"t"}]}`), false, "amount"},
		{"txn no description", accountsJSON(1, `{"type":"depository","transactions":[{"date_posted":"2024-02-01","amount":1,"description":" "}]}`), false, "description"},
		{"txn currency", accountsJSON(1, `{"type":"depository","transactions":[{"date_posted":"2024-02-01","amount":1,"description":"t","currency":"EURO"}]}`), false, "currency"},
	}
	for _, tt := range tests {
		o := Evaluate("user_custom", tt.password)
		if tt.ok {
			if o.Err != nil {
				t.Errorf("%s: %v", tt.name, o.Err)
			}
			continue
		}
		if o.Err == nil || o.Err.Code != "INVALID_CREDENTIALS" || !strings.Contains(o.Err.Message, tt.mention) {
			t.Errorf("%s: error %v, want INVALID_CREDENTIALS mentioning %q", tt.name, o.Err, tt.mention)
		}
	}
	o := Evaluate("user_custom", accountsJSON(3, `{"type":"depository"}`)[:len(accountsJSON(3, `{"type":"depository"}`))-2]+`,{"type":"x"}]}`)
	if o.Err == nil || !strings.Contains(o.Err.Message, "override_accounts[3]") {
		t.Errorf("error does not locate the account: %v", o.Err)
	}
}

func TestCustomConfigErrorBeatsForceError(t *testing.T) {
	o := Evaluate("user_custom", `{"force_error":"ITEM_LOCKED","override_accounts":[{"type":"nope"}]}`)
	if o.Err == nil || o.Err.Code != "INVALID_CREDENTIALS" {
		t.Errorf("%+v", o.Err)
	}
}

func TestCustomNoDefaultACHOutsideUSD(t *testing.T) {
	o := Evaluate("user_custom", `{"override_accounts":[{"type":"depository","subtype":"checking","currency":"GBP"}]}`)
	if o.Err != nil || o.Accounts[0].ACH != nil {
		t.Errorf("GBP checking: %+v", o)
	}
}
