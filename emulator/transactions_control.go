package emulator

import (
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// maxControlChanges bounds one control request's changes.
const maxControlChanges = 500

type txnAddJSON struct {
	AccountID      string   `json:"account_id"`
	Name           string   `json:"name"`
	Amount         *float64 `json:"amount"`
	Date           string   `json:"date"`
	AuthorizedDate string   `json:"authorized_date"`
	MerchantName   *string  `json:"merchant_name"`
	Pending        bool     `json:"pending"`
	CategoryID     string   `json:"category_id"`
	PaymentChannel string   `json:"payment_channel"`
	Currency       string   `json:"iso_currency_code"`
}

type txnModifyJSON struct {
	TransactionID  string   `json:"transaction_id"`
	Name           *string  `json:"name"`
	Amount         *float64 `json:"amount"`
	Date           *string  `json:"date"`
	AuthorizedDate *string  `json:"authorized_date"`
	MerchantName   *string  `json:"merchant_name"`
	Pending        *bool    `json:"pending"`
	CategoryID     *string  `json:"category_id"`
	PaymentChannel *string  `json:"payment_channel"`
}

type txnChangesRequest struct {
	Add    []txnAddJSON    `json:"add"`
	Modify []txnModifyJSON `json:"modify"`
	Remove []string        `json:"remove"`
	// Webhooks, when false, changes the data without announcing it.
	Webhooks *bool `json:"webhooks"`
}

type txnChangesResponse struct {
	Added    []transactionJSON `json:"added"`
	Modified []transactionJSON `json:"modified"`
	Removed  []string          `json:"removed"`
}

// ctlItemTransactions lists an Item's current transactions, as
// /transactions/sync would render them, oldest change first.
func (e *Emulator) ctlItemTransactions(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.st.items[r.PathValue("item_id")]
	if !ok {
		writeControlError(w, apiError("NOT_FOUND", "no Item %q; list them with GET /__emulator/items", r.PathValue("item_id")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"item_id": it.ID, "transactions": renderAll(it.current(), renderOptions{today: e.Now().Format(time.DateOnly)}),
	})
}

// ctlItemTransactionsChange adds, modifies and removes an Item's
// transactions in one step, then announces the change as Plaid does
// (DEFAULT_UPDATE, TRANSACTIONS_REMOVED, SYNC_UPDATES_AVAILABLE).
func (e *Emulator) ctlItemTransactionsChange(w http.ResponseWriter, r *http.Request) {
	var req txnChangesRequest
	if err := decodeControl(r, &req); err != nil {
		writeControlError(w, err)
		return
	}
	if n := len(req.Add) + len(req.Modify) + len(req.Remove); n == 0 || n > maxControlChanges {
		writeControlError(w, apiError("INVALID_FIELD", "pass between 1 and %d changes in \"add\", \"modify\" and \"remove\" (got %d)", maxControlChanges, n))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.st.items[r.PathValue("item_id")]
	if !ok {
		writeControlError(w, apiError("NOT_FOUND", "no Item %q; list them with GET /__emulator/items", r.PathValue("item_id")))
		return
	}
	resp, err := e.changeTransactionsLocked(it, &req)
	if err != nil {
		writeControlError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// changeTransactionsLocked checks every change, then applies them all
// (e.mu held): a bad change leaves the Item untouched.
func (e *Emulator) changeTransactionsLocked(it *item, req *txnChangesRequest) (*txnChangesResponse, *sandbox.Error) {
	now := e.Now()
	today := now.Format(time.DateOnly)
	byID := map[string]*transaction{}
	for _, t := range it.current() {
		byID[t.ID] = t
	}
	var adds []transaction
	for i, a := range req.Add {
		t, err := it.newTransaction(a, today)
		if err != nil {
			return nil, apiError("INVALID_FIELD", "add[%d]: %s", i, err.Message)
		}
		adds = append(adds, t)
	}
	var mods []transaction
	touched := map[string]bool{}
	for i, m := range req.Modify {
		cur, ok := byID[m.TransactionID]
		if !ok || touched[m.TransactionID] {
			return nil, apiError("INVALID_FIELD", "modify[%d]: transaction_id %q is not one of the Item's current transactions (or is changed twice); list them with GET /__emulator/items/%s/transactions", i, m.TransactionID, it.ID)
		}
		touched[m.TransactionID] = true
		t, err := modified(*cur, m)
		if err != nil {
			return nil, apiError("INVALID_FIELD", "modify[%d]: %s", i, err.Message)
		}
		mods = append(mods, t)
	}
	for i, id := range req.Remove {
		if _, ok := byID[id]; !ok || touched[id] {
			return nil, apiError("INVALID_FIELD", "remove[%d]: transaction_id %q is not one of the Item's current transactions (or is changed twice)", i, id)
		}
		touched[id] = true
	}

	log := it.txns()
	if log.Changes == nil {
		log.Changes = map[string]*txnChange{}
	}
	opts := renderOptions{today: today}
	resp := &txnChangesResponse{Added: []transactionJSON{}, Modified: []transactionJSON{}, Removed: []string{}}
	for i := range adds {
		log.Seq++
		t := adds[i]
		log.Changes[t.ID] = &txnChange{Seq: log.Seq, Created: log.Seq, Txn: &t}
		resp.Added = append(resp.Added, t.render(today, opts.originalDescription))
	}
	for i := range mods {
		log.Seq++
		t := mods[i]
		c := log.Changes[t.ID]
		if c == nil {
			c = &txnChange{}
			log.Changes[t.ID] = c
		}
		c.Seq, c.Txn = log.Seq, &t
		resp.Modified = append(resp.Modified, t.render(today, false))
	}
	for _, id := range req.Remove {
		log.Seq++
		c := log.Changes[id]
		if c == nil {
			c = &txnChange{}
			log.Changes[id] = c
		}
		c.Seq, c.Removed = log.Seq, true
		if c.Created == 0 {
			c.Txn = nil // a generated transaction: its content is regenerated
		}
		resp.Removed = append(resp.Removed, id)
	}
	log.Updated = now.Truncate(time.Second)
	e.changedItem(it)
	if req.Webhooks == nil || *req.Webhooks {
		if len(adds) > 0 || len(mods) > 0 || len(req.Remove) > 0 {
			e.announceTxnChanges(it, len(adds), req.Remove)
		}
	}
	return resp, nil
}

// newTransaction builds a transaction added through the control API.
func (it *item) newTransaction(a txnAddJSON, today string) (transaction, *sandbox.Error) {
	if a.Name == "" || a.Amount == nil {
		return transaction{}, apiError("INVALID_FIELD", "name and amount are required (amount is positive for money out)")
	}
	if a.AccountID == "" {
		a.AccountID = it.defaultTxnAccount()
	}
	if !slices.ContainsFunc(it.Accounts, func(acc account) bool { return acc.ID == a.AccountID }) {
		return transaction{}, apiError("INVALID_FIELD", "account_id %q is not one of the Item's accounts", a.AccountID)
	}
	t := transaction{ID: newObjectID(), AccountID: a.AccountID}
	t.Date = today
	t.Currency = currency(a.Currency)
	t.PaymentChannel = "other"
	m := txnModifyJSON{
		Name: &a.Name, Amount: a.Amount, MerchantName: a.MerchantName, Pending: &a.Pending,
	}
	if a.Date != "" {
		m.Date = &a.Date
	}
	if a.AuthorizedDate != "" {
		m.AuthorizedDate = &a.AuthorizedDate
	}
	if a.CategoryID != "" {
		m.CategoryID = &a.CategoryID
	}
	if a.PaymentChannel != "" {
		m.PaymentChannel = &a.PaymentChannel
	}
	return modified(t, m)
}

// defaultTxnAccount is the account new transactions land on by default:
// the first one with transactions, else the first depository account.
func (it *item) defaultTxnAccount() string {
	for _, a := range it.Accounts {
		if a.Canned != "" {
			return a.ID
		}
	}
	for _, t := range it.Transactions {
		return t.AccountID
	}
	for _, a := range it.Accounts {
		if a.Type == "depository" {
			return a.ID
		}
	}
	if len(it.Accounts) > 0 {
		return it.Accounts[0].ID
	}
	return ""
}

// modified returns t with m's fields applied.
func modified(t transaction, m txnModifyJSON) (transaction, *sandbox.Error) {
	if m.Name != nil {
		if *m.Name == "" {
			return t, apiError("INVALID_FIELD", "name must not be empty")
		}
		t.Name = *m.Name
	}
	if m.Amount != nil {
		if math.IsNaN(*m.Amount) || math.IsInf(*m.Amount, 0) {
			return t, apiError("INVALID_FIELD", "amount must be a number")
		}
		t.Amount = math.Round(*m.Amount*100) / 100
	}
	for _, d := range []*string{m.Date, m.AuthorizedDate} {
		if d != nil {
			if _, err := time.Parse(time.DateOnly, *d); err != nil {
				return t, apiError("INVALID_FIELD", "dates must be YYYY-MM-DD, got %q", *d)
			}
		}
	}
	if m.Date != nil {
		t.Date = *m.Date
	}
	if m.AuthorizedDate != nil {
		t.AuthorizedDate = *m.AuthorizedDate
	}
	if m.MerchantName != nil {
		t.MerchantName = nil
		if *m.MerchantName != "" {
			name := *m.MerchantName
			t.MerchantName = &name
		}
	}
	if m.Pending != nil {
		t.Pending = *m.Pending
	}
	if m.CategoryID != nil {
		c, ok := categoryByID(*m.CategoryID)
		if !ok {
			return t, apiError("INVALID_FIELD", "category_id %q is not a category of /categories/get", *m.CategoryID)
		}
		t.CategoryID, t.Category = c.CategoryID, c.Hierarchy
	}
	if m.PaymentChannel != nil {
		switch *m.PaymentChannel {
		case "online", "in store", "other":
			t.PaymentChannel = *m.PaymentChannel
		default:
			return t, apiError("INVALID_FIELD", "payment_channel must be online, in store or other, got %q", *m.PaymentChannel)
		}
	}
	return t, nil
}
