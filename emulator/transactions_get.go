package emulator

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

const (
	defaultGetCount = 100
	maxGetCount     = 500
	// initialUpdateDays is the window INITIAL_UPDATE announces.
	initialUpdateDays = 30
)

type transactionsGetRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	StartDate   string `json:"start_date" plaid:"required"`
	EndDate     string `json:"end_date" plaid:"required"`
	Options     *struct {
		AccountIDs                         []string `json:"account_ids"`
		Count                              *int     `json:"count"`
		Offset                             *int     `json:"offset"`
		IncludeOriginalDescription         *bool    `json:"include_original_description"`
		IncludePersonalFinanceCategoryBeta *bool    `json:"include_personal_finance_category_beta"`
		IncludePersonalFinanceCategory     *bool    `json:"include_personal_finance_category"`
		IncludeLogoAndCounterpartyBeta     *bool    `json:"include_logo_and_counterparty_beta"`
		DaysRequested                      *int     `json:"days_requested"`
	} `json:"options"`
}

type transactionsGetResponse struct {
	Accounts          []accountJSON     `json:"accounts"`
	Transactions      []transactionJSON `json:"transactions"`
	TotalTransactions int               `json:"total_transactions"`
	Item              itemJSON          `json:"item"`
	RequestID         string            `json:"request_id"`
}

// transactionsGet serves /transactions/get: the Item's transactions dated
// between start_date and end_date, newest first, a page at a time
// (options.count and options.offset). Like Plaid, the first call on an
// Item that was created without Transactions adds the product and answers
// PRODUCT_NOT_READY while the data is pulled; the next call has it.
func transactionsGet(e *Emulator, c *call, req *transactionsGetRequest) (any, *sandbox.Error) {
	start, err1 := time.Parse(time.DateOnly, req.StartDate)
	end, err2 := time.Parse(time.DateOnly, req.EndDate)
	switch {
	case err1 != nil:
		return nil, apiError("INVALID_FIELD", "start_date must be a date in the format YYYY-MM-DD, got %q", req.StartDate)
	case err2 != nil:
		return nil, apiError("INVALID_FIELD", "end_date must be a date in the format YYYY-MM-DD, got %q", req.EndDate)
	case end.Before(start):
		return nil, apiError("INVALID_FIELD", "start_date (%s) must be on or before end_date (%s)", req.StartDate, req.EndDate)
	}
	count, offset := defaultGetCount, 0
	var ids []string
	opts := renderOptions{today: e.Now().Format(time.DateOnly)}
	if o := req.Options; o != nil {
		count, offset, ids = cmp.Or(val(o.Count), count), val(o.Offset), o.AccountIDs
		if o.Count != nil && (*o.Count < 1 || *o.Count > maxGetCount) {
			return nil, apiError("INVALID_FIELD", "options.count must be between 1 and %d, got %d", maxGetCount, *o.Count)
		}
		if offset < 0 {
			return nil, apiError("INVALID_FIELD", "options.offset must be 0 or more, got %d", offset)
		}
		if o.DaysRequested != nil && (*o.DaysRequested < 1 || *o.DaysRequested > 730) {
			return nil, apiError("INVALID_FIELD", "options.days_requested must be between 1 and 730, got %d", *o.DaysRequested)
		}
		opts.originalDescription = o.IncludeOriginalDescription != nil && *o.IncludeOriginalDescription
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts(ids)
		if err != nil {
			return nil, err
		}
		added, err := it.ensureProduct("transactions")
		if err != nil {
			return nil, err
		}
		if added {
			it.pull(e.Now())
			e.changedItem(it)
			e.announceInitialPull(it)
			return nil, apiError("PRODUCT_NOT_READY", "the requested product is not yet ready: Transactions was added to this Item just now and its data is being pulled. please provide a webhook (INITIAL_UPDATE, HISTORICAL_UPDATE) or try the request again later")
		}
		wanted := map[string]bool{}
		for _, a := range accounts {
			wanted[a.ID] = true
		}
		var match []*transaction
		for _, t := range it.current() {
			if wanted[t.AccountID] && t.Date >= req.StartDate && t.Date <= req.EndDate {
				match = append(match, t)
			}
		}
		// Newest first; the sync order breaks ties, newest first too.
		slices.Reverse(match)
		slices.SortStableFunc(match, func(a, b *transaction) int { return cmp.Compare(b.Date, a.Date) })
		page := match[min(offset, len(match)):min(offset+count, len(match))]
		resp := transactionsGetResponse{
			Accounts: make([]accountJSON, len(accounts)), Transactions: renderAll(page, opts),
			TotalTransactions: len(match), Item: it.render(), RequestID: c.requestID,
		}
		for i, a := range accounts {
			resp.Accounts[i] = a.render()
		}
		return resp, nil
	})
}

// transactionsRefresh serves /transactions/refresh: Plaid checks the bank
// at once. New transactions (the canned set repeats every 30 days of the
// virtual clock) give DEFAULT_UPDATE and, once /transactions/sync has been
// called, SYNC_UPDATES_AVAILABLE.
func transactionsRefresh(e *Emulator, c *call, req *accessTokenRequest) (any, *sandbox.Error) {
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if !it.hasProduct("transactions") {
			return nil, apiError("PRODUCT_NOT_ENABLED", "/transactions/refresh needs the Transactions product: call /transactions/sync or /transactions/get first to add it, or create the Item with \"transactions\" in products; it has: %v", it.Billed)
		}
		e.updateTransactionsLocked(it, e.Now(), true)
		return requestIDResponse{RequestID: c.requestID}, nil
	})
}

// updateTransactionsLocked pulls new canned transactions as of now and
// announces them (e.mu held). A refresh counts as an update even when
// nothing is new.
func (e *Emulator) updateTransactionsLocked(it *item, now time.Time, refresh bool) {
	n := it.pull(now)
	if n == 0 && !refresh {
		return
	}
	it.Txn.Updated = now.Truncate(time.Second)
	e.changedItem(it)
	if n > 0 {
		e.announceTxnChanges(it, n, nil)
	}
}

// autoUpdateTransactions is Plaid's periodic update of every Transactions
// Item, run after the virtual clock moves: Items in error are not updated.
func (e *Emulator) autoUpdateTransactions() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.Now()
	for _, it := range e.st.items {
		if it.Error == nil && it.hasProduct("transactions") {
			e.updateTransactionsLocked(it, now, false)
		}
	}
}

// announceInitialPull fires INITIAL_UPDATE and HISTORICAL_UPDATE, as
// Plaid does once an Item's first 30 days and then its whole history are
// ready (e.mu held).
func (e *Emulator) announceInitialPull(it *item) {
	if it.Webhook == "" {
		return
	}
	all := it.initialPull()
	recent := it.createdDay().AddDate(0, 0, -initialUpdateDays).Format(time.DateOnly)
	n := 0
	for _, t := range all {
		if t.Date >= recent {
			n++
		}
	}
	e.fireLocked(it, it.Webhook, "TRANSACTIONS", "INITIAL_UPDATE", map[string]any{"new_transactions": n, "error": nil})
	e.fireLocked(it, it.Webhook, "TRANSACTIONS", "HISTORICAL_UPDATE", map[string]any{"new_transactions": len(all), "error": nil})
	if it.Synced {
		e.fireSyncUpdates(it)
	}
}

// announceTxnChanges fires the webhooks of an update: DEFAULT_UPDATE for
// new transactions, TRANSACTIONS_REMOVED for removed ones and, once
// /transactions/sync has been called, SYNC_UPDATES_AVAILABLE (e.mu held).
func (e *Emulator) announceTxnChanges(it *item, added int, removed []string) {
	if it.Webhook == "" {
		return
	}
	if added > 0 {
		e.fireLocked(it, it.Webhook, "TRANSACTIONS", "DEFAULT_UPDATE", map[string]any{"new_transactions": added, "error": nil})
	}
	if len(removed) > 0 {
		e.fireLocked(it, it.Webhook, "TRANSACTIONS", "TRANSACTIONS_REMOVED", map[string]any{"removed_transactions": removed, "error": nil})
	}
	if it.Synced {
		e.fireSyncUpdates(it)
	}
}

// fireSyncUpdates fires SYNC_UPDATES_AVAILABLE (e.mu held).
func (e *Emulator) fireSyncUpdates(it *item) {
	e.fireLocked(it, it.Webhook, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", map[string]any{
		"initial_update_complete": true, "historical_update_complete": true,
	})
}

type recurringRequest struct {
	AccessToken string   `json:"access_token" plaid:"required"`
	AccountIDs  []string `json:"account_ids" plaid:"required"`
	Options     *struct {
		IncludePersonalFinanceCategory *bool `json:"include_personal_finance_category"`
	} `json:"options"`
}

type recurringResponse struct {
	InflowStreams   []streamJSON `json:"inflow_streams"`
	OutflowStreams  []streamJSON `json:"outflow_streams"`
	UpdatedDatetime time.Time    `json:"updated_datetime"`
	RequestID       string       `json:"request_id"`
}

type streamJSON struct {
	AccountID               string       `json:"account_id"`
	StreamID                string       `json:"stream_id"`
	Category                []string     `json:"category"`
	CategoryID              string       `json:"category_id"`
	Description             string       `json:"description"`
	MerchantName            *string      `json:"merchant_name"`
	FirstDate               string       `json:"first_date"`
	LastDate                string       `json:"last_date"`
	Frequency               string       `json:"frequency"`
	TransactionIDs          []string     `json:"transaction_ids"`
	AverageAmount           streamAmount `json:"average_amount"`
	LastAmount              streamAmount `json:"last_amount"`
	IsActive                bool         `json:"is_active"`
	Status                  string       `json:"status"`
	PersonalFinanceCategory *pfcJSON     `json:"personal_finance_category,omitempty"`
	IsUserModified          bool         `json:"is_user_modified"`
}

type streamAmount struct {
	Amount                 float64 `json:"amount"`
	ISOCurrencyCode        *string `json:"iso_currency_code"`
	UnofficialCurrencyCode *string `json:"unofficial_currency_code"`
}

// transactionsRecurringGet serves /transactions/recurring/get: the
// transactions of the given accounts that repeat (same account and
// description, at least twice), as inflow (money in) and outflow streams.
func transactionsRecurringGet(e *Emulator, c *call, req *recurringRequest) (any, *sandbox.Error) {
	if len(req.AccountIDs) == 0 {
		return nil, apiError("INVALID_FIELD", "account_ids must list at least one of the Item's account_ids")
	}
	withPFC := req.Options != nil && req.Options.IncludePersonalFinanceCategory != nil && *req.Options.IncludePersonalFinanceCategory
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		if _, err := it.selectAccounts(req.AccountIDs); err != nil {
			return nil, err
		}
		if err := e.useProduct(it, "transactions"); err != nil {
			return nil, err
		}
		groups := map[[2]string][]*transaction{}
		var keys [][2]string
		for _, t := range it.current() {
			if !slices.Contains(req.AccountIDs, t.AccountID) {
				continue
			}
			k := [2]string{t.AccountID, t.Name}
			if groups[k] == nil {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], t)
		}
		today := e.Now().Format(time.DateOnly)
		resp := recurringResponse{
			InflowStreams: []streamJSON{}, OutflowStreams: []streamJSON{},
			UpdatedDatetime: it.txns().Updated.UTC(), RequestID: c.requestID,
		}
		for _, k := range keys {
			ts := groups[k]
			if len(ts) < 2 {
				continue
			}
			s := newStream(it, ts, today, withPFC)
			if s.AverageAmount.Amount < 0 {
				resp.InflowStreams = append(resp.InflowStreams, s)
			} else {
				resp.OutflowStreams = append(resp.OutflowStreams, s)
			}
		}
		return resp, nil
	})
}

// newStream describes one recurring stream of transactions.
func newStream(it *item, ts []*transaction, today string, withPFC bool) streamJSON {
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b *transaction) int { return cmp.Compare(a.Date, b.Date) })
	first, last := ts[0], ts[len(ts)-1]
	sum := 0.0
	ids := make([]string, len(ts))
	for i, t := range ts {
		sum += t.Amount
		ids[i] = t.ID
	}
	cur := nonEmpty(currency(last.Currency))
	span := float64(it.daysBetween(first.Date, last.Date)) / float64(len(ts)-1)
	freq := "UNKNOWN"
	switch {
	case span >= 6 && span <= 8:
		freq = "WEEKLY"
	case span >= 13 && span <= 16:
		freq = "BIWEEKLY"
	case span >= 26 && span <= 33:
		freq = "MONTHLY"
	case span >= 350 && span <= 380:
		freq = "ANNUALLY"
	}
	status := "EARLY_DETECTION"
	if len(ts) >= 3 {
		status = "MATURE"
	}
	s := streamJSON{
		AccountID: last.AccountID, StreamID: cannedID(it.ID, last.AccountID+"\x00stream\x00"+last.Name, 0, 0),
		Category: append([]string{}, last.Category...), CategoryID: last.CategoryID,
		Description: last.Name, MerchantName: last.MerchantName,
		FirstDate: first.Date, LastDate: last.Date, Frequency: freq, TransactionIDs: ids,
		AverageAmount: streamAmount{Amount: math.Round(sum/float64(len(ts))*100) / 100, ISOCurrencyCode: cur},
		LastAmount:    streamAmount{Amount: last.Amount, ISOCurrencyCode: cur},
		IsActive:      it.daysBetween(last.Date, today) <= int(math.Max(span, 7)*1.5),
		Status:        status,
	}
	if withPFC && last.PFCPrimary != "" {
		s.PersonalFinanceCategory = &pfcJSON{Primary: last.PFCPrimary, Detailed: last.PFCDetailed}
	}
	return s
}

// daysBetween is the number of days from date a to date b (YYYY-MM-DD).
func (it *item) daysBetween(a, b string) int {
	return it.daysAfterCreation(b) - it.daysAfterCreation(a)
}
