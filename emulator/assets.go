package emulator

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// defaultAssetReportDelay is how long an Asset Report takes to generate:
// /asset_report/get answers PRODUCT_NOT_READY until then, and PRODUCT_READY
// goes to the report's webhook when it is ready. Advancing the virtual
// clock past it makes the report ready at once.
const defaultAssetReportDelay = 2 * time.Second

// assetReport is one Asset Report. Its Items are copied when it is
// created: a report keeps its data when an Item is removed, as Plaid's do.
type assetReport struct {
	ID             string     `json:"asset_report_id"`
	Token          string     `json:"asset_report_token"`
	ClientReportID *string    `json:"client_report_id,omitempty"`
	DaysRequested  int        `json:"days_requested"`
	User           *assetUser `json:"user,omitempty"`
	Webhook        string     `json:"webhook,omitempty"`
	Items          []*item    `json:"items"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadyAt        time.Time  `json:"ready_at"`
	Ready          bool       `json:"ready"`
	ClientID       string     `json:"client_id,omitempty"`
}

type assetUser struct {
	ClientUserID *string `json:"client_user_id,omitempty"`
	FirstName    *string `json:"first_name,omitempty"`
	MiddleName   *string `json:"middle_name,omitempty"`
	LastName     *string `json:"last_name,omitempty"`
	SSN          *string `json:"ssn,omitempty"`
	PhoneNumber  *string `json:"phone_number,omitempty"`
	Email        *string `json:"email,omitempty"`
}

// renderUser is the report's user with every field present (null when unset).
func (u *assetUser) render() map[string]*string {
	if u == nil {
		u = &assetUser{}
	}
	return map[string]*string{
		"client_user_id": u.ClientUserID, "first_name": u.FirstName, "middle_name": u.MiddleName,
		"last_name": u.LastName, "ssn": u.SSN, "phone_number": u.PhoneNumber, "email": u.Email,
	}
}

type assetReportCreateRequest struct {
	AccessTokens  []string `json:"access_tokens" plaid:"required"`
	DaysRequested *int     `json:"days_requested" plaid:"required"`
	Options       *struct {
		ClientReportID    *string    `json:"client_report_id"`
		Webhook           *string    `json:"webhook"`
		IncludeFastReport *bool      `json:"include_fast_report"`
		Products          []string   `json:"products"`
		AddOns            []string   `json:"add_ons"`
		User              *assetUser `json:"user"`
	} `json:"options"`
}

type assetReportCreateResponse struct {
	AssetReportToken string `json:"asset_report_token"`
	AssetReportID    string `json:"asset_report_id"`
	RequestID        string `json:"request_id"`
}

// newAssetReportToken is an asset_report_token: assets-sandbox-<uuid>.
func newAssetReportToken() string { return "assets-" + environment + "-" + uuid.NewString() }

// assetReportCreate serves /asset_report/create: a report over the
// Items, which must have been created with Assets. It is ready shortly
// (PRODUCT_READY to options.webhook).
func assetReportCreate(e *Emulator, c *call, req *assetReportCreateRequest) (any, *sandbox.Error) {
	days := *req.DaysRequested
	if days < 0 || days > 731 {
		return nil, apiError("INVALID_FIELD", "days_requested must be between 0 and 731, got %d", days)
	}
	if len(req.AccessTokens) == 0 || len(req.AccessTokens) > 99 {
		return nil, apiError("INVALID_FIELD", "access_tokens must list 1 to 99 access tokens, got %d", len(req.AccessTokens))
	}
	r := &assetReport{DaysRequested: days, ClientID: c.clientID}
	if o := req.Options; o != nil {
		if o.Webhook != nil && *o.Webhook != "" {
			if err := checkWebhook(*o.Webhook, ""); err != nil {
				return nil, err
			}
			r.Webhook = *o.Webhook
		}
		r.ClientReportID, r.User = o.ClientReportID, o.User
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var without []string // access tokens of Items without Assets
	for _, tok := range req.AccessTokens {
		it, err := e.itemLocked(tok)
		if err != nil {
			return nil, err
		}
		if it.Error != nil {
			err := *it.Error
			return nil, &err
		}
		if !it.hasProduct("assets") {
			without = append(without, redact.Value(tok))
			continue
		}
		r.Items = append(r.Items, it.snapshot())
	}
	if len(without) > 0 {
		return nil, assetsNotEnabled(without)
	}
	e.startAssetReportLocked(r)
	return assetReportCreateResponse{AssetReportToken: r.Token, AssetReportID: r.ID, RequestID: c.requestID}, nil
}

// assetsNotEnabled is Plaid's error for access tokens of Items created
// without Assets: an ASSET_REPORT_ERROR naming every such token (the
// schema's AssetsErrorWebhook example), here masked.
func assetsNotEnabled(tokens []string) *sandbox.Error {
	return &sandbox.Error{Type: "ASSET_REPORT_ERROR", Code: "PRODUCT_NOT_ENABLED", Message: fmt.Sprintf(
		"the 'assets' product is not enabled for the following access tokens: %s. please ensure that 'assets' is included in the 'product' array when initializing Link and create the Item(s) again. (Assets cannot be added to an Item after Link: link it again with \"assets\" in products, or in /sandbox/public_token/create's initial_products.)",
		strings.Join(tokens, ", "))}
}

// snapshot copies what a report needs of an Item.
func (it *item) snapshot() *item {
	cp := &item{
		ID: it.ID, InstitutionID: it.InstitutionID, Accounts: slices.Clone(it.Accounts),
		Transactions: slices.Clone(it.Transactions), CreatedAt: it.CreatedAt,
	}
	if it.Txn != nil {
		log := *it.Txn
		log.Pulls = slices.Clone(log.Pulls)
		log.Changes = make(map[string]*txnChange, len(it.Txn.Changes))
		for k, v := range it.Txn.Changes {
			c := *v
			log.Changes[k] = &c
		}
		cp.Txn = &log
	}
	return cp
}

// startAssetReportLocked files a new report and schedules it (e.mu held).
func (e *Emulator) startAssetReportLocked(r *assetReport) {
	now := e.Now()
	r.ID, r.Token, r.CreatedAt = uuid.NewString(), newAssetReportToken(), now.Truncate(time.Second)
	r.ReadyAt = now.Add(e.assetDelay)
	ps := e.st.products()
	if ps.AssetReports == nil {
		ps.AssetReports = map[string]*assetReport{}
	}
	ps.AssetReports[r.Token] = r
	e.changed()
	time.AfterFunc(e.assetDelay, e.finishAssetReports)
}

// finishAssetReports makes the reports that are due ready and sends their
// PRODUCT_READY webhooks.
func (e *Emulator) finishAssetReports() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st.prod == nil {
		return
	}
	now := e.Now()
	for _, r := range e.st.prod.AssetReports {
		e.finishAssetReportLocked(r, now)
	}
}

func (e *Emulator) finishAssetReportLocked(r *assetReport, now time.Time) {
	if r.Ready || now.Before(r.ReadyAt) {
		return
	}
	r.Ready = true
	e.changed()
	if r.Webhook != "" {
		itemID := ""
		if len(r.Items) > 0 {
			itemID = r.Items[0].ID
		}
		e.webhooks.send(r.Webhook, "ASSETS", "PRODUCT_READY", itemID, map[string]any{
			"webhook_type": "ASSETS", "webhook_code": "PRODUCT_READY", "asset_report_id": r.ID,
			"report_type": "FULL", "environment": environment,
		})
	}
}

// assetReportLocked finds a report by token; ready reports only unless
// pending is true (e.mu held).
func (e *Emulator) assetReportLocked(token string, pending bool) (*assetReport, *sandbox.Error) {
	var r *assetReport
	if e.st.prod != nil {
		r = e.st.prod.AssetReports[token]
	}
	if r == nil {
		return nil, apiError("INVALID_FIELD", "asset_report_token %s is not an Asset Report the emulator knows (removed, or from before a reset); create one with /asset_report/create", redact.Value(token))
	}
	e.finishAssetReportLocked(r, e.Now())
	if !r.Ready && !pending {
		return nil, &sandbox.Error{Type: "ASSET_REPORT_ERROR", Code: "PRODUCT_NOT_READY",
			Message: "the requested product is not yet ready. please provide a webhook or try the request again later: the Asset Report is still being generated (PRODUCT_READY goes to its webhook when it is done)"}
	}
	return r, nil
}

type assetReportGetRequest struct {
	AssetReportToken *string `json:"asset_report_token"`
	UserToken        *string `json:"user_token"`
	IncludeInsights  *bool   `json:"include_insights"`
	FastReport       *bool   `json:"fast_report"`
	Options          *struct {
		DaysToInclude *int `json:"days_to_include"`
	} `json:"options"`
}

type assetReportGetResponse struct {
	Report    assetReportJSON `json:"report"`
	Warnings  []any           `json:"warnings"`
	RequestID string          `json:"request_id"`
}

type assetReportJSON struct {
	AssetReportID  string             `json:"asset_report_id"`
	ClientReportID *string            `json:"client_report_id"`
	DateGenerated  time.Time          `json:"date_generated"`
	DaysRequested  int                `json:"days_requested"`
	User           map[string]*string `json:"user"`
	Items          []assetItemJSON    `json:"items"`
}

type assetItemJSON struct {
	ItemID          string             `json:"item_id"`
	InstitutionName string             `json:"institution_name"`
	InstitutionID   string             `json:"institution_id"`
	DateLastUpdated time.Time          `json:"date_last_updated"`
	Accounts        []assetAccountJSON `json:"accounts"`
}

type assetAccountJSON struct {
	accountJSON
	DaysAvailable      int                    `json:"days_available"`
	Transactions       []assetTransactionJSON `json:"transactions"`
	Owners             []ownerJSON            `json:"owners"`
	OwnershipType      *string                `json:"ownership_type"`
	HistoricalBalances []historicalBalance    `json:"historical_balances"`
}

type assetTransactionJSON struct {
	AccountID              string       `json:"account_id"`
	Amount                 float64      `json:"amount"`
	ISOCurrencyCode        *string      `json:"iso_currency_code"`
	UnofficialCurrencyCode *string      `json:"unofficial_currency_code"`
	OriginalDescription    *string      `json:"original_description"`
	Category               []string     `json:"category"`
	CategoryID             *string      `json:"category_id"`
	Date                   string       `json:"date"`
	DateTransacted         *string      `json:"date_transacted"`
	Location               locationJSON `json:"location"`
	Name                   string       `json:"name"`
	MerchantName           *string      `json:"merchant_name"`
	PaymentMeta            paymentMeta  `json:"payment_meta"`
	Pending                bool         `json:"pending"`
	PendingTransactionID   *string      `json:"pending_transaction_id"`
	AccountOwner           *string      `json:"account_owner"`
	TransactionID          string       `json:"transaction_id"`
	TransactionType        string       `json:"transaction_type"`
}

type historicalBalance struct {
	Date                   string  `json:"date"`
	Current                float64 `json:"current"`
	ISOCurrencyCode        *string `json:"iso_currency_code"`
	UnofficialCurrencyCode *string `json:"unofficial_currency_code"`
}

// assetReportGet serves /asset_report/get: the report once it is ready.
func assetReportGet(e *Emulator, c *call, req *assetReportGetRequest) (any, *sandbox.Error) {
	if req.AssetReportToken == nil || *req.AssetReportToken == "" {
		return nil, missingFields([]string{"asset_report_token"})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.assetReportLocked(*req.AssetReportToken, false)
	if err != nil {
		return nil, err
	}
	days := r.DaysRequested
	if req.Options != nil && req.Options.DaysToInclude != nil {
		if d := *req.Options.DaysToInclude; d < 0 || d > 731 {
			return nil, apiError("INVALID_FIELD", "options.days_to_include must be between 0 and 731, got %d", d)
		}
		days = min(days, *req.Options.DaysToInclude)
	}
	return assetReportGetResponse{Report: r.render(days), Warnings: []any{}, RequestID: c.requestID}, nil
}

// render builds the report over the last days days before its creation.
func (r *assetReport) render(days int) assetReportJSON {
	out := assetReportJSON{
		AssetReportID: r.ID, ClientReportID: r.ClientReportID, DateGenerated: r.ReadyAt.UTC().Truncate(time.Second),
		DaysRequested: r.DaysRequested, User: r.User.render(), Items: []assetItemJSON{},
	}
	generated := r.CreatedAt.Format(time.DateOnly)
	from := r.CreatedAt.AddDate(0, 0, -days).Format(time.DateOnly)
	owner := renderOwner(sandbox.DefaultOwner())
	individual := "individual"
	for _, it := range r.Items {
		inst, _ := sandbox.InstitutionByID(it.InstitutionID)
		ij := assetItemJSON{ItemID: it.ID, InstitutionName: inst.Name, InstitutionID: it.InstitutionID, DateLastUpdated: r.CreatedAt, Accounts: []assetAccountJSON{}}
		txns := it.current()
		for i := range it.Accounts {
			a := &it.Accounts[i]
			aj := assetAccountJSON{accountJSON: a.render(), Transactions: []assetTransactionJSON{}, Owners: []ownerJSON{owner}, OwnershipType: &individual, HistoricalBalances: []historicalBalance{}}
			oldest := generated
			var mine []*transaction
			for _, t := range txns {
				if t.AccountID == a.ID && t.Date <= generated {
					oldest = min(oldest, t.Date)
					if t.Date >= from {
						mine = append(mine, t)
					}
				}
			}
			slices.SortStableFunc(mine, func(x, y *transaction) int { return cmp.Compare(y.Date, x.Date) })
			for _, t := range mine {
				aj.Transactions = append(aj.Transactions, t.renderAsset())
			}
			aj.DaysAvailable = min(days, it.daysBetween(oldest, generated))
			aj.HistoricalBalances = historicalBalances(a, mine, r.CreatedAt, aj.DaysAvailable)
			ij.Accounts = append(ij.Accounts, aj)
		}
		out.Items = append(out.Items, ij)
	}
	return out
}

func (t *transaction) renderAsset() assetTransactionJSON {
	j := assetTransactionJSON{
		AccountID: t.AccountID, Amount: t.Amount, ISOCurrencyCode: nonEmpty(currency(t.Currency)),
		OriginalDescription: nonEmpty(t.Name), Category: append([]string{}, t.Category...),
		CategoryID: nonEmpty(t.CategoryID), Date: t.Date, DateTransacted: nonEmpty(cmp.Or(t.AuthorizedDate, t.Date)),
		Name: t.Name, MerchantName: t.MerchantName, Pending: t.Pending, TransactionID: t.ID, TransactionType: "special",
	}
	if c, ok := categoryByID(t.CategoryID); ok {
		j.TransactionType = c.Group
	}
	return j
}

// historicalBalances walks the current balance back through the
// transactions, one entry per day, newest first. Amounts are money out,
// so a day's earlier balance is the later one plus that day's amounts
// (minus them on credit accounts, whose balance is what is owed).
func historicalBalances(a *account, txns []*transaction, asOf time.Time, days int) []historicalBalance {
	if a.Current == nil {
		return []historicalBalance{}
	}
	byDate := map[string]float64{}
	for _, t := range txns {
		byDate[t.Date] += t.Amount
	}
	sign := 1.0
	if a.Type == "credit" || a.Type == "loan" {
		sign = -1
	}
	bal := *a.Current
	cur := nonEmpty(currency(a.Currency))
	out := make([]historicalBalance, 0, days)
	for d := 0; d < days; d++ {
		date := asOf.AddDate(0, 0, -d).Format(time.DateOnly)
		out = append(out, historicalBalance{Date: date, Current: math.Round(bal*100) / 100, ISOCurrencyCode: cur})
		bal += sign * byDate[date]
	}
	return out
}

type assetReportTokenRequest struct {
	AssetReportToken string `json:"asset_report_token" plaid:"required"`
	Options          *struct {
		DaysToInclude *int `json:"days_to_include"`
	} `json:"options"`
}

// assetReportPDFGet serves /asset_report/pdf/get: the report as a PDF.
func assetReportPDFGet(e *Emulator, c *call, req *assetReportTokenRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.assetReportLocked(req.AssetReportToken, false)
	if err != nil {
		return nil, err
	}
	days := r.DaysRequested
	if req.Options != nil && req.Options.DaysToInclude != nil {
		days = min(days, max(0, *req.Options.DaysToInclude))
	}
	rep := r.render(days)
	doc := newPDF("Asset Report " + r.ID)
	doc.heading("Asset Report")
	doc.line("Report ID: %s", r.ID)
	if r.ClientReportID != nil {
		doc.line("Client report ID: %s", *r.ClientReportID)
	}
	doc.line("Generated: %s    Days requested: %d", rep.DateGenerated.Format(time.RFC3339), r.DaysRequested)
	if u := r.User; u != nil {
		doc.line("Prepared for: %s %s", val(u.FirstName), val(u.LastName))
	}
	doc.line("Plaid Sandbox data served by the linkexplorer emulator; not a real bank report.")
	for _, it := range rep.Items {
		doc.blank()
		doc.heading(fmt.Sprintf("%s (%s)", it.InstitutionName, it.InstitutionID))
		for _, a := range it.Accounts {
			doc.blank()
			doc.add(pdfLine{text: fmt.Sprintf("%s ****%s  %s/%s  balance %s %.2f", a.Name, val(a.Mask), a.Type, val(a.Subtype), val(a.Balances.ISOCurrencyCode), val(a.Balances.Current)), bold: true, size: 11})
			doc.line("Days available: %d    Transactions: %d", a.DaysAvailable, len(a.Transactions))
			for _, t := range a.Transactions {
				doc.line("  %s  %-44s %10.2f", t.Date, truncate(t.Name, 44), -t.Amount)
			}
		}
	}
	return rawResponse{contentType: pdfContentType, body: doc.bytes(r.ReadyAt)}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "~"
}

type assetReportRefreshRequest struct {
	AssetReportToken string `json:"asset_report_token" plaid:"required"`
	DaysRequested    *int   `json:"days_requested"`
	Options          *struct {
		ClientReportID *string    `json:"client_report_id"`
		Webhook        *string    `json:"webhook"`
		User           *assetUser `json:"user"`
	} `json:"options"`
}

// assetReportRefresh serves /asset_report/refresh: a new report over the
// same Items with today's data, the original's settings unless overridden.
func assetReportRefresh(e *Emulator, c *call, req *assetReportRefreshRequest) (any, *sandbox.Error) {
	if req.DaysRequested != nil && (*req.DaysRequested < 0 || *req.DaysRequested > 731) {
		return nil, apiError("INVALID_FIELD", "days_requested must be between 0 and 731, got %d", *req.DaysRequested)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old, err := e.assetReportLocked(req.AssetReportToken, true)
	if err != nil {
		return nil, err
	}
	r := &assetReport{DaysRequested: old.DaysRequested, ClientReportID: old.ClientReportID, User: old.User, Webhook: old.Webhook, ClientID: c.clientID}
	if req.DaysRequested != nil {
		r.DaysRequested = *req.DaysRequested
	}
	if o := req.Options; o != nil {
		if o.Webhook != nil && *o.Webhook != "" {
			if err := checkWebhook(*o.Webhook, ""); err != nil {
				return nil, err
			}
			r.Webhook = *o.Webhook
		}
		if o.ClientReportID != nil {
			r.ClientReportID = o.ClientReportID
		}
		if o.User != nil {
			r.User = o.User
		}
	}
	for _, snap := range old.Items {
		it, ok := e.st.items[snap.ID]
		if !ok {
			return nil, apiError("ITEM_NOT_FOUND", "the Item %s of this report has been removed; create a new report with the Items you still have", snap.ID)
		}
		r.Items = append(r.Items, it.snapshot())
	}
	e.startAssetReportLocked(r)
	return assetReportCreateResponse{AssetReportToken: r.Token, AssetReportID: r.ID, RequestID: c.requestID}, nil
}

type assetReportRemoveResponse struct {
	Removed   bool   `json:"removed"`
	RequestID string `json:"request_id"`
}

type assetReportRemoveRequest struct {
	AssetReportToken string `json:"asset_report_token" plaid:"required"`
}

// assetReportRemove serves /asset_report/remove: the token stops working.
func assetReportRemove(e *Emulator, c *call, req *assetReportRemoveRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.assetReportLocked(req.AssetReportToken, true); err != nil {
		return nil, err
	}
	delete(e.st.prod.AssetReports, req.AssetReportToken)
	e.changed()
	return assetReportRemoveResponse{Removed: true, RequestID: c.requestID}, nil
}
