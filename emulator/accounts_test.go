package emulator

import (
	"sort"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestAccountsAndBalance(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	all := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	saving := all.Accounts[1]
	if saving.GetName() != "Plaid Saving" || saving.GetSubtype() != "savings" || saving.GetType() != "depository" ||
		saving.GetOfficialName() != "Plaid Silver Standard 0.1% Interest Saving" || saving.Balances.GetIsoCurrencyCode() != "USD" {
		t.Errorf("Plaid Saving: %+v", saving)
	}
	card := all.Accounts[3]
	if card.Balances.GetLimit() != 2000 || card.Balances.Available.Get() != nil {
		t.Errorf("Plaid Credit Card balances: %+v", card.Balances)
	}

	opts := plaid.NewAccountsGetRequestOptions()
	opts.SetAccountIds([]string{saving.GetAccountId()})
	req := plaid.NewAccountsGetRequest(access)
	req.SetOptions(*opts)
	one := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*req).Execute()).must(t)
	if len(one.Accounts) != 1 || one.Accounts[0].GetAccountId() != saving.GetAccountId() {
		t.Errorf("filtered to one account, got %d", len(one.Accounts))
	}
	opts.SetAccountIds([]string{"not-an-account"})
	req.SetOptions(*opts)
	_, _, err := h.client.AccountsGet(h.ctx).AccountsGetRequest(*req).Execute()
	wantPlaidError(t, err, "INVALID_ACCOUNT_ID")

	bal := res(h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest(access)).Execute()).must(t)
	if len(bal.Accounts) != 12 || bal.Accounts[0].Balances.GetCurrent() != 110 {
		t.Errorf("balance: %d accounts, first %+v", len(bal.Accounts), bal.Accounts[0].Balances)
	}
	bopts := plaid.NewAccountsBalanceGetRequestOptions()
	bopts.SetAccountIds([]string{"nope"})
	breq := plaid.NewAccountsBalanceGetRequest(access)
	breq.SetOptions(*bopts)
	_, _, err = h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*breq).Execute()
	wantPlaidError(t, err, "INVALID_ACCOUNT_ID")
	_, _, err = h.client.AccountsBalanceGet(h.ctx).AccountsBalanceGetRequest(*plaid.NewAccountsBalanceGetRequest("access-sandbox-nope")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}

// TestAuthAddedAfterLink: /auth/get works on a transactions-only Item,
// returns the ACH numbers and bills auth from then on.
func TestAuthAddedAfterLink(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	auth := res(h.client.AuthGet(h.ctx).AuthGetRequest(*plaid.NewAuthGetRequest(access)).Execute()).must(t)
	if len(auth.Accounts) < 2 || len(auth.Numbers.Ach) != len(auth.Accounts) {
		t.Fatalf("auth: %d accounts, %d ach", len(auth.Accounts), len(auth.Numbers.Ach))
	}
	checking := auth.Numbers.Ach[0]
	if checking.GetAccount() != "1111222233330000" || checking.GetRouting() != "011401533" || checking.GetWireRouting() != "021000021" {
		t.Errorf("checking numbers %+v", checking)
	}
	if auth.Numbers.Eft == nil || auth.Numbers.International == nil || auth.Numbers.Bacs == nil {
		t.Error("eft, international and bacs must be [] when unused")
	}
	billed := auth.Item.GetBilledProducts()
	if len(billed) != 2 || billed[1] != plaid.PRODUCTS_AUTH {
		t.Errorf("billed after /auth/get: %v", billed)
	}

	opts := plaid.NewAuthGetRequestOptions()
	opts.SetAccountIds([]string{checking.GetAccountId()})
	req := plaid.NewAuthGetRequest(access)
	req.SetOptions(*opts)
	one := res(h.client.AuthGet(h.ctx).AuthGetRequest(*req).Execute()).must(t)
	if len(one.Accounts) != 1 || len(one.Numbers.Ach) != 1 {
		t.Errorf("filtered auth: %d accounts", len(one.Accounts))
	}

	all := res(h.client.AccountsGet(h.ctx).AccountsGetRequest(*plaid.NewAccountsGetRequest(access)).Execute()).must(t)
	opts.SetAccountIds([]string{all.Accounts[5].GetAccountId()}) // Plaid IRA: no numbers
	req.SetOptions(*opts)
	_, _, err := h.client.AuthGet(h.ctx).AuthGetRequest(*req).Execute()
	wantPlaidError(t, err, "NO_AUTH_ACCOUNTS")
}

func TestIdentity(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_AUTH)
	id := res(h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest(access)).Execute()).must(t)
	if len(id.Accounts) != 12 {
		t.Fatalf("%d accounts", len(id.Accounts))
	}
	for _, a := range id.Accounts {
		if len(a.Owners) != 1 || a.Owners[0].Names[0] != "Alberta Bobbeth Charleson" {
			t.Fatalf("owners of %s: %+v", a.GetName(), a.Owners)
		}
	}
	o := id.Accounts[0].Owners[0]
	if len(o.Emails) != 3 || len(o.PhoneNumbers) != 3 || len(o.Addresses) != 2 || o.Addresses[0].Data.GetCity() != "Malakoff" {
		t.Errorf("owner %+v", o)
	}
	_, _, err := h.client.IdentityGet(h.ctx).IdentityGetRequest(*plaid.NewIdentityGetRequest("public-sandbox-x")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}

func TestTransactionsSyncPagesWithCursors(t *testing.T) {
	h := newHarness(t, Options{})
	access, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	sync := func(cursor string, count int32) plaid.TransactionsSyncResponse {
		req := plaid.NewTransactionsSyncRequest(access)
		if cursor != "" {
			req.SetCursor(cursor)
		}
		if count > 0 {
			req.SetCount(count)
		}
		return res(h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*req).Execute()).must(t)
	}
	whole := sync("", 500)
	if whole.HasMore || len(whole.Added) < 20 {
		t.Fatalf("one big page: has_more %v, %d added", whole.HasMore, len(whole.Added))
	}
	if !sort.SliceIsSorted(whole.Added, func(i, j int) bool { return whole.Added[i].Date < whole.Added[j].Date }) {
		t.Error("added is not oldest first")
	}

	var paged []plaid.Transaction
	cursor, pages := "", 0
	for {
		page := sync(cursor, 7)
		pages++
		paged = append(paged, page.Added...)
		if len(page.Modified) != 0 || len(page.Removed) != 0 {
			t.Errorf("static data has modified/removed: %v %v", page.Modified, page.Removed)
		}
		cursor = page.NextCursor
		if !page.HasMore {
			break
		}
		if pages > 100 {
			t.Fatal("sync never ends")
		}
	}
	if len(paged) != len(whole.Added) || pages != (len(whole.Added)+6)/7 {
		t.Fatalf("paged %d transactions in %d pages, want %d", len(paged), pages, len(whole.Added))
	}
	for i := range paged {
		if paged[i].TransactionId != whole.Added[i].TransactionId {
			t.Fatalf("page order differs at %d", i)
		}
	}
	done := sync(cursor, 0)
	if len(done.Added) != 0 || done.HasMore || done.NextCursor != cursor {
		t.Errorf("sync at the end: %d added, has_more %v", len(done.Added), done.HasMore)
	}

	tx := whole.Added[0]
	if tx.GetName() == "" || tx.GetPaymentChannel() == "" || len(tx.GetTransactionId()) != 37 || tx.GetIsoCurrencyCode() != "USD" {
		t.Errorf("transaction %+v", tx)
	}

	other, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	for name, bad := range map[string]string{"garbage": "!!not-a-cursor", "another Item's": cursor} {
		t.Run(name, func(t *testing.T) {
			req := plaid.NewTransactionsSyncRequest(other)
			req.SetCursor(bad)
			_, _, err := h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*req).Execute()
			wantPlaidError(t, err, "INVALID_FIELD")
		})
	}
	req := plaid.NewTransactionsSyncRequest(access)
	req.SetCount(501)
	_, _, err := h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*req).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
}
