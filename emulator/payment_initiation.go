package emulator

import (
	"cmp"
	"math"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// paymentState is Payment Initiation's data (UK and EU).
type paymentState struct {
	Recipients map[string]*recipient `json:"recipients,omitempty"`
	Payments   map[string]*payment   `json:"payments,omitempty"`
}

type recipientBACS struct {
	Account  string `json:"account"`
	SortCode string `json:"sort_code"`
}

type paymentAddress struct {
	Street     []string `json:"street"`
	City       string   `json:"city"`
	PostalCode string   `json:"postal_code"`
	Country    string   `json:"country"`
}

type recipient struct {
	ID      string          `json:"recipient_id"`
	Name    string          `json:"name"`
	IBAN    *string         `json:"iban"`
	BACS    *recipientBACS  `json:"bacs"`
	Address *paymentAddress `json:"address"`
}

type paymentAmount struct {
	Currency string  `json:"currency"`
	Value    float64 `json:"value"`
}

type payment struct {
	ID               string        `json:"payment_id"`
	RecipientID      string        `json:"recipient_id"`
	Reference        string        `json:"reference"`
	Amount           paymentAmount `json:"amount"`
	Status           string        `json:"status"`
	LastStatusUpdate time.Time     `json:"last_status_update"`
	Created          time.Time     `json:"created"`
}

func (e *Emulator) payments() *paymentState {
	ps := e.st.products()
	if ps.Payments == nil {
		ps.Payments = &paymentState{Recipients: map[string]*recipient{}, Payments: map[string]*payment{}}
	}
	return ps.Payments
}

var (
	ibanPattern     = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	bacsAccount     = regexp.MustCompile(`^[0-9]{8}$`)
	bacsSortCode    = regexp.MustCompile(`^[0-9]{6}$`)
	paymentRefChars = regexp.MustCompile(`^[A-Za-z0-9 &\-./]{1,18}$`)
	paymentCurrency = []string{"GBP", "EUR", "PLN", "SEK", "DKK", "NOK"}
)

type recipientCreateRequest struct {
	Name    string          `json:"name" plaid:"required"`
	IBAN    *string         `json:"iban"`
	BACS    *recipientBACS  `json:"bacs"`
	Address *paymentAddress `json:"address"`
}

// paymentInitiationRecipientCreate serves
// /payment_initiation/recipient/create: a payee with an IBAN or UK
// account number and sort code.
func paymentInitiationRecipientCreate(e *Emulator, c *call, req *recipientCreateRequest) (any, *sandbox.Error) {
	if req.IBAN == nil && req.BACS == nil {
		return nil, apiError("INVALID_FIELD", "a recipient needs an iban or bacs (account and sort_code)")
	}
	if req.IBAN != nil && !ibanPattern.MatchString(*req.IBAN) {
		return nil, apiError("INVALID_FIELD", "iban %q is not an IBAN (country code, check digits, then 11 to 30 letters and digits, no spaces)", *req.IBAN)
	}
	if b := req.BACS; b != nil && (!bacsAccount.MatchString(b.Account) || !bacsSortCode.MatchString(b.SortCode)) {
		return nil, apiError("INVALID_FIELD", "bacs needs an 8-digit account and a 6-digit sort_code")
	}
	if a := req.Address; a != nil && (len(a.Street) == 0 || a.City == "" || a.PostalCode == "" || len(a.Country) != 2) {
		return nil, apiError("INVALID_FIELD", "address needs street (1 or 2 lines), city, postal_code and a 2-letter country")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &recipient{ID: "recipient-id-sandbox-" + newUUID(), Name: req.Name, IBAN: req.IBAN, BACS: req.BACS, Address: req.Address}
	e.payments().Recipients[r.ID] = r
	e.changed()
	return map[string]any{"recipient_id": r.ID, "request_id": c.requestID}, nil
}

type recipientGetRequest struct {
	RecipientID string `json:"recipient_id" plaid:"required"`
}

// paymentInitiationRecipientGet serves /payment_initiation/recipient/get.
func paymentInitiationRecipientGet(e *Emulator, c *call, req *recipientGetRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.payments().Recipients[req.RecipientID]
	if !ok {
		return nil, apiError("INVALID_FIELD", "recipient_id %q is not a recipient the emulator knows; create one with /payment_initiation/recipient/create", req.RecipientID)
	}
	out := map[string]any{"recipient_id": r.ID, "name": r.Name, "iban": r.IBAN, "bacs": r.BACS, "request_id": c.requestID}
	if r.Address != nil {
		out["address"] = r.Address
	}
	return out, nil
}

type paymentCreateRequest struct {
	RecipientID string         `json:"recipient_id" plaid:"required"`
	Reference   string         `json:"reference" plaid:"required"`
	Amount      *paymentAmount `json:"amount" plaid:"required"`
	Schedule    map[string]any `json:"schedule"`
	Options     map[string]any `json:"options"`
}

// paymentInitiationPaymentCreate serves /payment_initiation/payment/create:
// a payment waiting for the user to authorise it in Link
// (PAYMENT_STATUS_INPUT_NEEDED).
func paymentInitiationPaymentCreate(e *Emulator, c *call, req *paymentCreateRequest) (any, *sandbox.Error) {
	a := req.Amount
	if !slices.Contains(paymentCurrency, a.Currency) {
		return nil, apiError("INVALID_FIELD", "amount.currency must be one of %v, got %q", paymentCurrency, a.Currency)
	}
	if a.Value < 1 || math.Round(a.Value*100) != a.Value*100 || a.Value > 1e7 {
		return nil, apiError("INVALID_FIELD", "amount.value must be at least 1 with at most two decimals, got %v", a.Value)
	}
	if !paymentRefChars.MatchString(req.Reference) {
		return nil, apiError("INVALID_FIELD", "reference must be 1 to 18 letters, digits, spaces or & - . /, got %q", req.Reference)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ps := e.payments()
	r, ok := ps.Recipients[req.RecipientID]
	if !ok {
		return nil, apiError("INVALID_FIELD", "recipient_id %q is not a recipient the emulator knows; create one with /payment_initiation/recipient/create", req.RecipientID)
	}
	if r.IBAN == nil && a.Currency != "GBP" {
		return nil, apiError("INVALID_FIELD", "recipient %s has only UK account details (bacs), so payments to it must be in GBP", r.ID)
	}
	now := e.Now().Truncate(time.Second)
	p := &payment{
		ID: "payment-id-sandbox-" + newUUID(), RecipientID: r.ID, Reference: req.Reference, Amount: *a,
		Status: "PAYMENT_STATUS_INPUT_NEEDED", LastStatusUpdate: now, Created: now,
	}
	ps.Payments[p.ID] = p
	e.changed()
	return map[string]any{"payment_id": p.ID, "status": p.Status, "request_id": c.requestID}, nil
}

func (p *payment) render(r *recipient) map[string]any {
	out := map[string]any{
		"payment_id": p.ID, "amount": p.Amount, "status": p.Status, "recipient_id": p.RecipientID,
		"reference": p.Reference, "adjusted_reference": p.Reference, "last_status_update": p.LastStatusUpdate,
		"bacs": nil, "iban": nil, "refund_ids": nil, "wallet_id": nil, "consent_id": nil, "transaction_id": nil,
	}
	if r != nil && r.BACS == nil {
		out["scheme"] = "SEPA_CREDIT_TRANSFER"
	}
	return out
}

type paymentGetRequest struct {
	PaymentID string `json:"payment_id" plaid:"required"`
}

// paymentInitiationPaymentGet serves /payment_initiation/payment/get.
func paymentInitiationPaymentGet(e *Emulator, c *call, req *paymentGetRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ps := e.payments()
	p, ok := ps.Payments[req.PaymentID]
	if !ok {
		return nil, apiError("INVALID_FIELD", "payment_id %q is not a payment the emulator knows; create one with /payment_initiation/payment/create", req.PaymentID)
	}
	out := p.render(ps.Recipients[p.RecipientID])
	out["request_id"] = c.requestID
	return out, nil
}

type paymentListRequest struct {
	Count     *int       `json:"count"`
	Cursor    *time.Time `json:"cursor"`
	ConsentID *string    `json:"consent_id"`
}

// paymentInitiationPaymentList serves /payment_initiation/payment/list:
// newest first; next_cursor is the created time to pass as cursor for
// older ones.
func paymentInitiationPaymentList(e *Emulator, c *call, req *paymentListRequest) (any, *sandbox.Error) {
	count, _, err := page(req.Count, nil, 10, 200)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ps := e.payments()
	var all []*payment
	for _, p := range ps.Payments {
		if req.Cursor == nil || !p.Created.After(*req.Cursor) {
			all = append(all, p)
		}
	}
	slices.SortFunc(all, func(a, b *payment) int { return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID)) })
	out := []any{}
	var next any
	for i, p := range all {
		if i == count {
			next = p.Created
			break
		}
		out = append(out, p.render(ps.Recipients[p.RecipientID]))
	}
	return map[string]any{"payments": out, "next_cursor": next, "request_id": c.requestID}, nil
}

// paymentStatuses is the order a payment goes through in Sandbox.
var paymentStatuses = []string{
	"PAYMENT_STATUS_INPUT_NEEDED", "PAYMENT_STATUS_AUTHORISING", "PAYMENT_STATUS_INITIATED", "PAYMENT_STATUS_EXECUTED", "PAYMENT_STATUS_SETTLED",
	"PAYMENT_STATUS_INSUFFICIENT_FUNDS", "PAYMENT_STATUS_FAILED", "PAYMENT_STATUS_BLOCKED", "PAYMENT_STATUS_REJECTED", "PAYMENT_STATUS_CANCELLED",
}

// ctlPaymentStatus sets a payment's status, as the user authorising it in
// Link and the bank then moving it would, and sends PAYMENT_STATUS_UPDATE
// to the webhook given: {"status": "PAYMENT_STATUS_EXECUTED", "webhook": "…"}.
func (e *Emulator) ctlPaymentStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status  string `json:"status"`
		Webhook string `json:"webhook"`
	}
	if err := decodeControl(r, &req); err != nil {
		writeControlError(w, err)
		return
	}
	if !slices.Contains(paymentStatuses, req.Status) {
		writeControlError(w, apiError("INVALID_FIELD", "status must be one of %v, got %q", paymentStatuses, req.Status))
		return
	}
	if req.Webhook != "" {
		if err := checkWebhook(req.Webhook, ""); err != nil {
			writeControlError(w, err)
			return
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.payments().Payments[r.PathValue("payment_id")]
	if !ok {
		writeControlError(w, apiError("NOT_FOUND", "no payment %q", r.PathValue("payment_id")))
		return
	}
	old := p.Status
	now := e.Now().Truncate(time.Second)
	p.Status, p.LastStatusUpdate = req.Status, now
	e.changed()
	if req.Webhook != "" {
		e.webhooks.send(req.Webhook, "PAYMENT_INITIATION", "PAYMENT_STATUS_UPDATE", "", map[string]any{
			"webhook_type": "PAYMENT_INITIATION", "webhook_code": "PAYMENT_STATUS_UPDATE", "payment_id": p.ID,
			"transaction_id": nil, "new_payment_status": p.Status, "old_payment_status": old,
			"original_reference": p.Reference, "adjusted_reference": p.Reference, "original_start_date": nil,
			"adjusted_start_date": nil, "timestamp": now, "error": nil, "environment": environment,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"payment_id": p.ID, "old_status": old, "status": p.Status})
}
