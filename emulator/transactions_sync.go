package emulator

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

const (
	defaultSyncCount = 100
	maxSyncCount     = 500
)

type transactionsSyncRequest struct {
	AccessToken string               `json:"access_token" plaid:"required"`
	Cursor      *string              `json:"cursor"`
	Count       *int                 `json:"count"`
	Options     *transactionsOptions `json:"options"`
}

type transactionsOptions struct {
	IncludeOriginalDescription     *bool `json:"include_original_description"`
	IncludePersonalFinanceCategory *bool `json:"include_personal_finance_category"`
	IncludeLogoAndCounterpartyBeta *bool `json:"include_logo_and_counterparty_beta"`
	DaysRequested                  *int  `json:"days_requested"`
}

type transactionsSyncResponse struct {
	Added      []transactionJSON `json:"added"`
	Modified   []transactionJSON `json:"modified"`
	Removed    []removedJSON     `json:"removed"`
	NextCursor string            `json:"next_cursor"`
	HasMore    bool              `json:"has_more"`
	RequestID  string            `json:"request_id"`
}

type removedJSON struct {
	TransactionID string `json:"transaction_id"`
}

type transactionJSON struct {
	TransactionID           string       `json:"transaction_id"`
	AccountID               string       `json:"account_id"`
	Amount                  float64      `json:"amount"`
	ISOCurrencyCode         *string      `json:"iso_currency_code"`
	UnofficialCurrencyCode  *string      `json:"unofficial_currency_code"`
	Category                []string     `json:"category"`
	CategoryID              *string      `json:"category_id"`
	Date                    string       `json:"date"`
	AuthorizedDate          *string      `json:"authorized_date"`
	AuthorizedDatetime      *string      `json:"authorized_datetime"`
	Datetime                *string      `json:"datetime"`
	Location                locationJSON `json:"location"`
	Name                    string       `json:"name"`
	MerchantName            *string      `json:"merchant_name"`
	OriginalDescription     *string      `json:"original_description,omitempty"`
	PaymentMeta             paymentMeta  `json:"payment_meta"`
	PaymentChannel          string       `json:"payment_channel"`
	Pending                 bool         `json:"pending"`
	PendingTransactionID    *string      `json:"pending_transaction_id"`
	AccountOwner            *string      `json:"account_owner"`
	TransactionCode         *string      `json:"transaction_code"`
	PersonalFinanceCategory *pfcJSON     `json:"personal_finance_category,omitempty"`
}

type locationJSON struct {
	Address     *string  `json:"address"`
	City        *string  `json:"city"`
	Region      *string  `json:"region"`
	PostalCode  *string  `json:"postal_code"`
	Country     *string  `json:"country"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	StoreNumber *string  `json:"store_number"`
}

type paymentMeta struct {
	ReferenceNumber  *string `json:"reference_number"`
	PPDID            *string `json:"ppd_id"`
	Payee            *string `json:"payee"`
	ByOrderOf        *string `json:"by_order_of"`
	Payer            *string `json:"payer"`
	PaymentMethod    *string `json:"payment_method"`
	PaymentProcessor *string `json:"payment_processor"`
	Reason           *string `json:"reason"`
}

type pfcJSON struct {
	Primary         string  `json:"primary"`
	Detailed        string  `json:"detailed"`
	ConfidenceLevel *string `json:"confidence_level"`
}

// render returns the transaction as Plaid shows it. A transaction dated
// after today (the virtual clock's) is pending.
func (t *transaction) render(today string, originalDescription bool) transactionJSON {
	j := transactionJSON{
		TransactionID:   t.ID,
		AccountID:       t.AccountID,
		Amount:          t.Amount,
		ISOCurrencyCode: nonEmpty(currency(t.Currency)),
		Category:        append([]string{}, t.Category...),
		CategoryID:      nonEmpty(t.CategoryID),
		Date:            t.Date,
		Name:            t.Name,
		MerchantName:    t.MerchantName,
		PaymentChannel:  t.PaymentChannel,
		Pending:         t.Pending || t.Date > today,
		AuthorizedDate:  nonEmpty(cmp.Or(t.AuthorizedDate, t.Date)),
	}
	if j.PaymentChannel == "" {
		j.PaymentChannel = "other"
	}
	if originalDescription {
		j.OriginalDescription = nonEmpty(t.Name)
	}
	if t.PFCPrimary != "" {
		high := "VERY_HIGH"
		j.PersonalFinanceCategory = &pfcJSON{Primary: t.PFCPrimary, Detailed: t.PFCDetailed, ConfidenceLevel: &high}
	}
	return j
}

// transactionsSync serves /transactions/sync: the changes since the
// cursor (every transaction on the first call), oldest change first.
func transactionsSync(e *Emulator, c *call, req *transactionsSyncRequest) (any, *sandbox.Error) {
	count := defaultSyncCount
	if req.Count != nil {
		count = *req.Count
	}
	if count < 1 || count > maxSyncCount {
		return nil, apiError("INVALID_FIELD", "count must be between 1 and %d, got %d", maxSyncCount, count)
	}
	if err := checkDaysRequested(req.Options); err != nil {
		return nil, err
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		seq, err := decodeCursor(deref(req.Cursor), it)
		if err != nil {
			return nil, err
		}
		added, err := it.ensureProduct("transactions")
		if err != nil {
			return nil, err
		}
		if added {
			// Added after Link: the first pull reaches today.
			it.pull(e.Now())
			e.changedItem(it)
		}
		page := it.since(seq, count)
		opts := renderOptions{today: e.Now().Format(time.DateOnly)}
		if o := req.Options; o != nil {
			opts.originalDescription = o.IncludeOriginalDescription != nil && *o.IncludeOriginalDescription
		}
		resp := transactionsSyncResponse{
			Added: renderAll(page.added, opts), Modified: renderAll(page.modified, opts),
			Removed: make([]removedJSON, len(page.removed)), NextCursor: encodeCursor(it, page.next),
			HasMore: page.hasMore, RequestID: c.requestID,
		}
		for i, id := range page.removed {
			resp.Removed[i] = removedJSON{TransactionID: id}
		}
		if !it.Synced {
			// Sync was called before Plaid's initial pull finished (as it
			// is right after Link): SYNC_UPDATES_AVAILABLE follows.
			it.Synced = true
			e.changedItem(it)
			if it.Webhook != "" {
				e.fireSyncUpdates(it)
			}
		}
		return resp, nil
	})
}

// checkDaysRequested validates options.days_requested (1 to 730).
func checkDaysRequested(o *transactionsOptions) *sandbox.Error {
	if o != nil && o.DaysRequested != nil && (*o.DaysRequested < 1 || *o.DaysRequested > 730) {
		return apiError("INVALID_FIELD", "options.days_requested must be between 1 and 730, got %d", *o.DaysRequested)
	}
	return nil
}

// renderOptions are the per-request choices of how transactions render.
type renderOptions struct {
	today               string
	originalDescription bool
}

func renderAll(ts []*transaction, o renderOptions) []transactionJSON {
	out := make([]transactionJSON, len(ts))
	for i, t := range ts {
		out[i] = t.render(o.today, o.originalDescription)
	}
	return out
}

// Cursors are "v2:<item_id>:<seq>", base64url-encoded: opaque to
// clients, checked against the Item they are used with. A seq is a place in
// the Item's transaction history (see txnLog), so a cursor stays valid
// across restarts with a state file. Version 1 cursors held a position in
// the initial pull, which is the same number.
const cursorVersion = "v2"

func encodeCursor(it *item, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + ":" + it.ID + ":" + strconv.FormatInt(seq, 10)))
}

// decodeCursor returns the seq a cursor encodes; "" is the start.
func decodeCursor(cursor string, it *item) (int64, *sandbox.Error) {
	if cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	parts := strings.Split(string(raw), ":")
	bad := func(why string) (int64, *sandbox.Error) {
		return 0, apiError("INVALID_FIELD", "cursor is not valid: %s; pass the next_cursor of a previous call, or omit cursor to start from the beginning", why)
	}
	if err != nil || len(parts) != 3 || (parts[0] != cursorVersion && parts[0] != "v1") {
		return bad("it was not issued by /transactions/sync")
	}
	if parts[1] != it.ID {
		return bad("it was issued for another Item")
	}
	seq, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || seq < 0 || seq > it.txns().Seq {
		return bad(fmt.Sprintf("position %q is out of range", parts[2]))
	}
	return seq, nil
}
