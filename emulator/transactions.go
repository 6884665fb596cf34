package emulator

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
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
	AccessToken string  `json:"access_token" plaid:"required"`
	Cursor      *string `json:"cursor"`
	Count       *int    `json:"count"`
	Options     *struct {
		IncludeOriginalDescription     *bool `json:"include_original_description"`
		IncludePersonalFinanceCategory *bool `json:"include_personal_finance_category"`
		DaysRequested                  *int  `json:"days_requested"`
	} `json:"options"`
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

// transactionsSync serves /transactions/sync. The cursor encodes a
// position in the Item's transactions, oldest first; the Sandbox data does
// not change, so only the first pass adds anything.
func transactionsSync(e *Emulator, c *call, req *transactionsSyncRequest) (any, *sandbox.Error) {
	count := defaultSyncCount
	if req.Count != nil {
		count = *req.Count
	}
	if count < 1 || count > maxSyncCount {
		return nil, apiError("INVALID_FIELD", "count must be between 1 and %d, got %d", maxSyncCount, count)
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		pos, err := decodeCursor(deref(req.Cursor), it)
		if err != nil {
			return nil, err
		}
		added, err := it.ensureProduct("transactions")
		if err != nil {
			return nil, err
		}
		end := min(pos+count, len(it.Transactions))
		orig := req.Options != nil && req.Options.IncludeOriginalDescription != nil && *req.Options.IncludeOriginalDescription
		resp := transactionsSyncResponse{
			Added: make([]transactionJSON, 0, end-pos), Modified: []transactionJSON{}, Removed: []removedJSON{},
			NextCursor: encodeCursor(it, end), HasMore: end < len(it.Transactions), RequestID: c.requestID,
		}
		today := e.Now().Format(time.DateOnly)
		for i := pos; i < end; i++ {
			resp.Added = append(resp.Added, it.Transactions[i].render(today, orig))
		}
		if added || !it.Synced {
			e.changed()
		}
		if !it.Synced {
			it.Synced = true
			if it.Webhook != "" {
				e.fireLocked(it, it.Webhook, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", map[string]any{
					"initial_update_complete": true, "historical_update_complete": true,
				})
			}
		}
		return resp, nil
	})
}

// ensureProduct bills p on the Item if the institution supports it, as
// Plaid does when a product is first used after Link.
// It reports whether p was added.
func (it *item) ensureProduct(p string) (bool, *sandbox.Error) {
	if it.hasProduct(p) {
		return false, nil
	}
	inst, _ := sandbox.InstitutionByID(it.InstitutionID)
	if !slices.Contains(inst.Products, p) {
		return false, apiError("PRODUCTS_NOT_SUPPORTED", "%s (%s) does not support %s", inst.Name, it.InstitutionID, p)
	}
	it.Billed = append(it.Billed, p)
	return true, nil
}

// Cursors are "v1:<item_id>:<position>", base64url-encoded: opaque to
// clients, checked against the Item they are used with.
const cursorVersion = "v1"

func encodeCursor(it *item, pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + ":" + it.ID + ":" + strconv.Itoa(pos)))
}

// decodeCursor returns the position a cursor encodes; "" is the start.
func decodeCursor(cursor string, it *item) (int, *sandbox.Error) {
	if cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	parts := strings.Split(string(raw), ":")
	bad := func(why string) (int, *sandbox.Error) {
		return 0, apiError("INVALID_FIELD", "cursor is not valid: %s; pass the next_cursor of a previous call, or omit cursor to start from the beginning", why)
	}
	if err != nil || len(parts) != 3 || parts[0] != cursorVersion {
		return bad("it was not issued by /transactions/sync")
	}
	if parts[1] != it.ID {
		return bad("it was issued for another Item")
	}
	pos, err := strconv.Atoi(parts[2])
	if err != nil || pos < 0 || pos > len(it.Transactions) {
		return bad(fmt.Sprintf("position %q is out of range", parts[2]))
	}
	return pos, nil
}
