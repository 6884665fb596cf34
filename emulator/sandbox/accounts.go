package sandbox

// ACH routing numbers of the default accounts (reference §3.4).
const (
	DefaultRouting     = "011401533"
	DefaultWireRouting = "021000021"
)

// TransactionHistoryDays is how far back the canned transactions go.
const TransactionHistoryDays = 90

// accountRow is one row of reference §3.4's table.
type accountRow struct {
	name, mask, typ, subtype  string
	available, current, limit *float64
	official                  string // "" is null
	achAccount                string // "" means no ACH numbers
	txns                      []canned
	set                       string
}

func num(v float64) *float64  { return &v }
func strPtr(v string) *string { return &v }

func defaultAccounts() []AccountTemplate {
	rows := []accountRow{
		{"Plaid Checking", "0000", "depository", "checking", num(100), num(110), nil, "Plaid Gold Standard 0% Interest Checking", "1111222233330000", checkingTxns, "checking"},
		{"Plaid Saving", "1111", "depository", "savings", num(200), num(210), nil, "Plaid Silver Standard 0.1% Interest Saving", "1111222233331111", savingTxns, "saving"},
		{"Plaid CD", "2222", "depository", "cd", nil, num(1000), nil, "Plaid Bronze Standard 0.2% Interest CD", "", cdTxns, "cd"},
		{"Plaid Credit Card", "3333", "credit", "credit card", nil, num(410), num(2000), "Plaid Diamond 12.5% APR Interest Credit Card", "", creditCardTxns, "credit card"},
		{"Plaid Money Market", "4444", "depository", "money market", num(43200), num(43200), nil, "Plaid Platinum Standard 1.85% Interest Money Market", "", nil, ""},
		{"Plaid IRA", "5555", "investment", "ira", nil, num(320.76), nil, "", "", nil, ""},
		{"Plaid 401k", "6666", "investment", "401k", nil, num(23631.9805), nil, "", "", nil, ""},
		{"Plaid Student Loan", "7777", "loan", "student", nil, num(65262), nil, "", "", nil, ""},
		{"Plaid Mortgage", "8888", "loan", "mortgage", nil, num(56302.06), nil, "", "", nil, ""},
		{"Plaid HSA", "9001", "depository", "hsa", num(6009), num(6009), nil, "Plaid Cares Health Savings Account", "", nil, ""},
		{"Plaid Cash Management", "9002", "depository", "cash management", num(12060), num(12060), nil, "Plaid Growth Cash Management", "1111222233339002", nil, ""},
		{"Plaid Business Credit Card", "9999", "credit", "credit card", num(4980), num(5020), num(10000), "Plaid Platinum Small Business Credit Card", "", nil, ""},
	}
	out := make([]AccountTemplate, len(rows))
	for i, r := range rows {
		out[i] = r.template()
	}
	return out
}

func (r accountRow) template() AccountTemplate {
	a := AccountTemplate{
		Name:         r.name,
		Mask:         strPtr(r.mask),
		Type:         r.typ,
		Subtype:      strPtr(r.subtype),
		Available:    r.available,
		Current:      r.current,
		Limit:        r.limit,
		Currency:     "USD",
		Transactions: expand(r.txns),
		Canned:       r.set,
	}
	if r.official != "" {
		a.OfficialName = strPtr(r.official)
	}
	if r.achAccount != "" {
		a.ACH = &ACHNumbers{Account: r.achAccount, Routing: DefaultRouting, WireRouting: DefaultWireRouting}
	}
	return a
}

func defaultOwner() Owner {
	return Owner{
		Names: []string{"Alberta Bobbeth Charleson"},
		Emails: []Email{
			{Data: "accountholder0@example.com", Primary: true, Type: "primary"},
			{Data: "accountholder1@example.com", Primary: false, Type: "secondary"},
			{Data: "extraordinarily.long.email.username.123456@reallylonghostname.com", Primary: false, Type: "other"},
		},
		Phones: []Phone{
			{Data: "1112223333", Primary: false, Type: "home"},
			{Data: "1112224444", Primary: false, Type: "work"},
			{Data: "1112225555", Primary: false, Type: "mobile"},
		},
		Addresses: []Address{
			{Street: "2992 Cameron Road", City: "Malakoff", Region: "NY", PostalCode: "14236", Country: "US", Primary: true},
			{Street: "2493 Leisure Lane", City: "San Matias", Region: "CA", PostalCode: "93405-2255", Country: "US", Primary: false},
		},
	}
}
