package sandbox

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fmtOpt renders an optional value for comparisons ("null" when nil).
func fmtOpt[T any](p *T) any {
	if p == nil {
		return "null"
	}
	return *p
}

func TestDefaultAccountsMatchReference(t *testing.T) {
	type row struct {
		name, mask, typ, subtype  string
		available, current, limit any
		official                  any
	}
	// Reference §3.4, typed in by hand.
	want := []row{
		{"Plaid Checking", "0000", "depository", "checking", 100.0, 110.0, "null", "Plaid Gold Standard 0% Interest Checking"},
		{"Plaid Saving", "1111", "depository", "savings", 200.0, 210.0, "null", "Plaid Silver Standard 0.1% Interest Saving"},
		{"Plaid CD", "2222", "depository", "cd", "null", 1000.0, "null", "Plaid Bronze Standard 0.2% Interest CD"},
		{"Plaid Credit Card", "3333", "credit", "credit card", "null", 410.0, 2000.0, "Plaid Diamond 12.5% APR Interest Credit Card"},
		{"Plaid Money Market", "4444", "depository", "money market", 43200.0, 43200.0, "null", "Plaid Platinum Standard 1.85% Interest Money Market"},
		{"Plaid IRA", "5555", "investment", "ira", "null", 320.76, "null", "null"},
		{"Plaid 401k", "6666", "investment", "401k", "null", 23631.9805, "null", "null"},
		{"Plaid Student Loan", "7777", "loan", "student", "null", 65262.0, "null", "null"},
		{"Plaid Mortgage", "8888", "loan", "mortgage", "null", 56302.06, "null", "null"},
		{"Plaid HSA", "9001", "depository", "hsa", 6009.0, 6009.0, "null", "Plaid Cares Health Savings Account"},
		{"Plaid Cash Management", "9002", "depository", "cash management", 12060.0, 12060.0, "null", "Plaid Growth Cash Management"},
		{"Plaid Business Credit Card", "9999", "credit", "credit card", 4980.0, 5020.0, 10000.0, "Plaid Platinum Small Business Credit Card"},
	}
	got := DefaultAccounts()
	if len(got) != len(want) {
		t.Fatalf("%d accounts, want %d", len(got), len(want))
	}
	for i, w := range want {
		a := got[i]
		g := row{a.Name, *a.Mask, a.Type, *a.Subtype, fmtOpt(a.Available), fmtOpt(a.Current), fmtOpt(a.Limit), fmtOpt(a.OfficialName)}
		if g != w {
			t.Errorf("account %d:\n got %+v\nwant %+v", i, g, w)
		}
		if a.Currency != "USD" {
			t.Errorf("%s: currency %q", a.Name, a.Currency)
		}
	}
}

func TestDefaultAccountNumbers(t *testing.T) {
	want := map[string]string{
		"Plaid Checking":        "1111222233330000",
		"Plaid Saving":          "1111222233331111",
		"Plaid Cash Management": "1111222233339002",
	}
	for _, a := range DefaultAccounts() {
		acct, ok := want[a.Name]
		if !ok {
			if a.ACH != nil {
				t.Errorf("%s has ACH numbers", a.Name)
			}
			continue
		}
		if a.ACH == nil || *a.ACH != (ACHNumbers{Account: acct, Routing: "011401533", WireRouting: "021000021"}) {
			t.Errorf("%s: ACH %+v", a.Name, a.ACH)
		}
		if a.EFT != nil || a.IBAN != nil || a.BACS != nil {
			t.Errorf("%s has non-US numbers", a.Name)
		}
	}
}

func TestDefaultTransactions(t *testing.T) {
	wantNames := []string{
		"Uber 063015 SF**POOL**", "Uber 072515 SF**POOL**", "CREDIT CARD 3333 PAYMENT *//",
		"ACH Electronic CreditGUSTO PAY 123456", "CD DEPOSIT .INITIAL.", "United Airlines",
		"Touchstone Climbing", "Starbucks", "McDonald's", "SparkFun", "INTRST PYMNT", "Tectra Inc",
		"AUTOMATIC PAYMENT - THANK", "KFC", "Madison Bicycle Shop",
	}
	wantAmounts := map[float64]bool{5.40: true, 6.33: true, 25: true, 5850: true, 1000: true, -500: true, 500: true,
		78.50: true, 4.33: true, 12: true, 89.40: true, -4.22: true, 2078.50: true}
	catID := regexp.MustCompile(`^[0-9]{8}$`)
	names, amounts := map[string]int{}, map[float64]bool{}
	total, oldest := 0, 0
	for _, a := range DefaultAccounts() {
		if len(a.Transactions) > 0 && a.Type != "depository" && a.Type != "credit" {
			t.Errorf("%s (%s) has transactions", a.Name, a.Type)
		}
		for i, tx := range a.Transactions {
			total++
			names[tx.Name]++
			amounts[tx.Amount] = true
			oldest = max(oldest, tx.DaysAgo)
			if tx.DaysAgo < 0 || tx.DaysAgo >= TransactionHistoryDays {
				t.Errorf("%s: %s %d days ago", a.Name, tx.Name, tx.DaysAgo)
			}
			if i > 0 && a.Transactions[i-1].DaysAgo < tx.DaysAgo {
				t.Errorf("%s: transactions not oldest first", a.Name)
			}
			if len(tx.Category) == 0 || !catID.MatchString(tx.CategoryID) || tx.Currency != "USD" || tx.Date != "" {
				t.Errorf("%s: %+v", a.Name, tx)
			}
			if !slices.Contains([]string{"online", "in store", "other"}, tx.PaymentChannel) {
				t.Errorf("%s: payment channel %q", tx.Name, tx.PaymentChannel)
			}
			if tx.PFCPrimary == "" || !strings.HasPrefix(tx.PFCDetailed, tx.PFCPrimary+"_") {
				t.Errorf("%s: personal finance category %s / %s", tx.Name, tx.PFCPrimary, tx.PFCDetailed)
			}
		}
	}
	for _, n := range wantNames {
		if names[n] < 2 {
			t.Errorf("%q appears %d times; the canned set repeats", n, names[n])
		}
	}
	if len(names) != len(wantNames) {
		t.Errorf("transaction names %v, want exactly %v", names, wantNames)
	}
	for amt := range wantAmounts {
		if !amounts[amt] {
			t.Errorf("no transaction of %v", amt)
		}
	}
	if oldest < 60 || total < 40 {
		t.Errorf("%d transactions over %d days; want a ~90-day history", total, oldest)
	}
}

func TestDefaultAccountsAreFresh(t *testing.T) {
	a := DefaultAccounts()
	*a[0].Current = -1
	a[0].Transactions[0].Category[0] = "mutated"
	b := DefaultAccounts()
	if *b[0].Current != 110 || b[0].Transactions[0].Category[0] == "mutated" {
		t.Error("DefaultAccounts shares data between calls")
	}
}

func TestDefaultOwner(t *testing.T) {
	o := DefaultOwner()
	if !slices.Equal(o.Names, []string{"Alberta Bobbeth Charleson"}) {
		t.Errorf("names %v", o.Names)
	}
	wantEmails := []Email{
		{"accountholder0@example.com", true, "primary"},
		{"accountholder1@example.com", false, "secondary"},
		{"extraordinarily.long.email.username.123456@reallylonghostname.com", false, "other"},
	}
	if !slices.Equal(o.Emails, wantEmails) {
		t.Errorf("emails %v", o.Emails)
	}
	var phones []string
	for _, p := range o.Phones {
		phones = append(phones, p.Data+" "+p.Type)
	}
	if !slices.Equal(phones, []string{"1112223333 home", "1112224444 work", "1112225555 mobile"}) {
		t.Errorf("phones %v", phones)
	}
	wantAddr := []Address{
		{"2992 Cameron Road", "Malakoff", "NY", "14236", "US", true},
		{"2493 Leisure Lane", "San Matias", "CA", "93405-2255", "US", false},
	}
	if !slices.Equal(o.Addresses, wantAddr) {
		t.Errorf("addresses %v", o.Addresses)
	}
}
