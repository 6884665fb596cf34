package emulator

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// originationAccountID is the Sandbox's one origination account.
const originationAccountID = "8945fedc-e703-463d-86b1-dc0607b55460"

// transferState is Transfer's data: authorizations, transfers and the
// event log /transfer/event/sync pages through.
type transferState struct {
	Authorizations map[string]*transferAuth `json:"authorizations,omitempty"`
	Transfers      map[string]*transferRec  `json:"transfers,omitempty"`
	Events         []transferEvent          `json:"events,omitempty"`
}

type transferUser struct {
	LegalName    string  `json:"legal_name"`
	PhoneNumber  *string `json:"phone_number"`
	EmailAddress *string `json:"email_address"`
	Address      *struct {
		Street     *string `json:"street"`
		City       *string `json:"city"`
		Region     *string `json:"region"`
		PostalCode *string `json:"postal_code"`
		Country    *string `json:"country"`
	} `json:"address"`
}

type transferAuth struct {
	ID             string       `json:"id"`
	ItemID         string       `json:"item_id"`
	AccountID      string       `json:"account_id"`
	Type           string       `json:"type"`
	Network        string       `json:"network"`
	Amount         string       `json:"amount"`
	ACHClass       *string      `json:"ach_class,omitempty"`
	User           transferUser `json:"user"`
	Created        time.Time    `json:"created"`
	Decision       string       `json:"decision"`
	RationaleCode  string       `json:"rationale_code,omitempty"`
	RationaleText  string       `json:"rationale_text,omitempty"`
	Score          int          `json:"score"`
	IdempotencyKey string       `json:"idempotency_key,omitempty"`
	TransferID     string       `json:"transfer_id,omitempty"` // set once used
}

type transferRec struct {
	ID              string            `json:"id"`
	AuthorizationID string            `json:"authorization_id"`
	ItemID          string            `json:"item_id"`
	AccountID       string            `json:"account_id"`
	Type            string            `json:"type"`
	Network         string            `json:"network"`
	Amount          string            `json:"amount"`
	ACHClass        *string           `json:"ach_class,omitempty"`
	Description     string            `json:"description"`
	User            transferUser      `json:"user"`
	Metadata        map[string]string `json:"metadata,omitempty"`
	Created         time.Time         `json:"created"`
	Status          string            `json:"status"`
	Failure         *transferFailure  `json:"failure_reason,omitempty"`
	IdempotencyKey  string            `json:"idempotency_key,omitempty"`
}

type transferFailure struct {
	ACHReturnCode *string `json:"ach_return_code"`
	Description   string  `json:"description"`
}

type transferEvent struct {
	EventID    int              `json:"event_id"`
	Timestamp  time.Time        `json:"timestamp"`
	EventType  string           `json:"event_type"`
	AccountID  string           `json:"account_id"`
	TransferID string           `json:"transfer_id"`
	Type       string           `json:"transfer_type"`
	Amount     string           `json:"transfer_amount"`
	Failure    *transferFailure `json:"failure_reason,omitempty"`
}

// transfers returns Transfer's state, creating it (e.mu held).
func (e *Emulator) transfers() *transferState {
	ps := e.st.products()
	if ps.Transfer == nil {
		ps.Transfer = &transferState{Authorizations: map[string]*transferAuth{}, Transfers: map[string]*transferRec{}}
	}
	return ps.Transfer
}

// parseAmount checks a Transfer amount: a decimal string of dollars with
// at most two decimals, more than zero.
func parseAmount(field, s string) (float64, *sandbox.Error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.Round(v*100) != v*100 || len(s) > 20 {
		return 0, apiError("INVALID_FIELD", "%s must be a decimal string of dollars above zero with at most two decimals, e.g. \"12.34\"; got %q", field, s)
	}
	return v, nil
}

var (
	transferTypes    = []string{"debit", "credit"}
	transferNetworks = []string{"ach", "same-day-ach", "rtp"}
	achClasses       = []string{"ccd", "ppd", "tel", "web"}
)

func checkEnum(field, v string, allowed []string) *sandbox.Error {
	if !slices.Contains(allowed, v) {
		return apiError("INVALID_FIELD", "%s must be one of %v, got %q", field, allowed, v)
	}
	return nil
}

type transferAuthorizationCreateRequest struct {
	AccessToken         string       `json:"access_token" plaid:"required"`
	AccountID           string       `json:"account_id" plaid:"required"`
	FundingAccountID    *string      `json:"funding_account_id"`
	PaymentProfileToken *string      `json:"payment_profile_token"`
	Type                string       `json:"type" plaid:"required"`
	Network             string       `json:"network" plaid:"required"`
	Amount              string       `json:"amount" plaid:"required"`
	ACHClass            *string      `json:"ach_class"`
	User                transferUser `json:"user" plaid:"required"`
	Device              *struct {
		IPAddress *string `json:"ip_address"`
		UserAgent *string `json:"user_agent"`
	} `json:"device"`
	OriginationAccountID *string `json:"origination_account_id"`
	ISOCurrencyCode      *string `json:"iso_currency_code"`
	IdempotencyKey       *string `json:"idempotency_key"`
	UserPresent          *bool   `json:"user_present"`
	WithGuarantee        *bool   `json:"with_guarantee"`
	BeaconSessionID      *string `json:"beacon_session_id"`
	OriginatorClientID   *string `json:"originator_client_id"`
	CreditFundsSource    *string `json:"credit_funds_source"`
	TestClockID          *string `json:"test_clock_id"`
}

// transferAuthorizationCreate serves /transfer/authorization/create. The
// Item must have been created with Transfer. A debit larger than the
// account's available balance is declined (NSF), as is any transfer from
// an Item in error (ITEM_LOGIN_REQUIRED); otherwise it is approved. The
// same idempotency_key gives the same authorization.
func transferAuthorizationCreate(e *Emulator, c *call, req *transferAuthorizationCreateRequest) (any, *sandbox.Error) {
	amount, err := parseAmount("amount", req.Amount)
	if err != nil {
		return nil, err
	}
	if err := cmp.Or(checkEnum("type", req.Type, transferTypes), checkEnum("network", req.Network, transferNetworks)); err != nil {
		return nil, err
	}
	if req.ACHClass != nil {
		if err := checkEnum("ach_class", *req.ACHClass, achClasses); err != nil {
			return nil, err
		}
	} else if req.Network != "rtp" {
		return nil, apiError("INVALID_FIELD", "ach_class is required for ACH transfers (ccd, ppd, tel or web)")
	}
	if req.User.LegalName == "" {
		return nil, missingFields([]string{"user.legal_name"})
	}
	now := e.Now()
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts([]string{req.AccountID})
		if err != nil {
			return nil, err
		}
		a := accounts[0]
		if !it.hasProduct("transfer") {
			return nil, apiError("PRODUCT_NOT_ENABLED", "the Item was not created with Transfer, which cannot be added after Link: create the link_token (or /sandbox/public_token/create's initial_products) with \"transfer\" in products and link the Item again; it has: %v", it.Billed)
		}
		if a.ACH == nil {
			return nil, apiError("INVALID_ACCOUNT_ID", "account %s has no ACH numbers; transfers need a checking or savings account", a.ID)
		}
		ts := e.transfers()
		if k := val(req.IdempotencyKey); k != "" {
			for _, old := range ts.Authorizations {
				if old.IdempotencyKey == k {
					return transferAuthResponse(old, c.requestID), nil
				}
			}
		}
		auth := &transferAuth{
			ID: uuid.NewString(), ItemID: it.ID, AccountID: a.ID, Type: req.Type, Network: req.Network,
			Amount: strconv.FormatFloat(amount, 'f', 2, 64), ACHClass: req.ACHClass, User: req.User,
			Created: now.Truncate(time.Second), Decision: "approved", IdempotencyKey: val(req.IdempotencyKey),
			Score: signalScore(amount, val(a.Available)),
		}
		switch {
		case it.Error != nil:
			auth.Decision, auth.RationaleCode, auth.RationaleText = "declined", "ITEM_LOGIN_REQUIRED", "Unable to collect the account information due to Item staleness. Can be resolved by using Link and setting `access_token` in the request"
		case req.Type == "debit" && amount > val(a.Available):
			auth.Decision, auth.RationaleCode, auth.RationaleText = "declined", "NSF", "Transaction declined due to insufficient funds in the account"
		}
		ts.Authorizations[auth.ID] = auth
		e.changed()
		return transferAuthResponse(auth, c.requestID), nil
	})
}

func transferAuthResponse(a *transferAuth, requestID string) map[string]any {
	var rationale any
	if a.RationaleCode != "" {
		rationale = map[string]any{"code": a.RationaleCode, "description": a.RationaleText}
	}
	risk := "LOW_RISK"
	switch {
	case a.Score > 80:
		risk = "HIGH_RISK"
	case a.Score > 60:
		risk = "MEDIUM_HIGH_RISK"
	case a.Score > 40:
		risk = "MEDIUM_RISK"
	case a.Score > 20:
		risk = "MEDIUM_LOW_RISK"
	}
	proposed := map[string]any{
		"account_id": a.AccountID, "funding_account_id": nil, "type": a.Type, "user": a.User.render(),
		"amount": a.Amount, "network": a.Network, "origination_account_id": originationAccountID,
		"iso_currency_code": "USD", "originator_client_id": nil, "credit_funds_source": creditFundsSource(a.Type),
	}
	if a.ACHClass != nil {
		proposed["ach_class"] = *a.ACHClass
	}
	return map[string]any{
		"authorization": map[string]any{
			"id": a.ID, "created": a.Created, "decision": a.Decision, "decision_rationale": rationale,
			"guarantee_decision": nil, "guarantee_decision_rationale": nil,
			"payment_risk": map[string]any{
				"bank_initiated_return_score": a.Score, "customer_initiated_return_score": a.Score,
				"risk_level": risk, "warnings": []any{},
			},
			"proposed_transfer": proposed,
		},
		"request_id": requestID,
	}
}

func creditFundsSource(typ string) any {
	if typ == "credit" {
		return "sweep"
	}
	return nil
}

// render is the user as Transfer answers it: every field present.
func (u transferUser) render() map[string]any {
	var addr any
	if u.Address != nil {
		addr = map[string]any{"street": u.Address.Street, "city": u.Address.City, "region": u.Address.Region,
			"postal_code": u.Address.PostalCode, "country": u.Address.Country}
	}
	return map[string]any{"legal_name": u.LegalName, "phone_number": u.PhoneNumber, "email_address": u.EmailAddress, "address": addr}
}

type transferCreateRequest struct {
	IdempotencyKey       *string           `json:"idempotency_key"`
	AccessToken          string            `json:"access_token" plaid:"required"`
	AccountID            string            `json:"account_id" plaid:"required"`
	AuthorizationID      string            `json:"authorization_id" plaid:"required"`
	Type                 *string           `json:"type"`
	Network              *string           `json:"network"`
	Amount               *string           `json:"amount"`
	Description          string            `json:"description" plaid:"required"`
	ACHClass             *string           `json:"ach_class"`
	User                 *transferUser     `json:"user"`
	Metadata             map[string]string `json:"metadata"`
	OriginationAccountID *string           `json:"origination_account_id"`
	ISOCurrencyCode      *string           `json:"iso_currency_code"`
	TestClockID          *string           `json:"test_clock_id"`
	FacilitatorFee       *string           `json:"facilitator_fee"`
}

// transferCreate serves /transfer/create: a pending transfer from an
// approved, unused authorization of the same account.
func transferCreate(e *Emulator, c *call, req *transferCreateRequest) (any, *sandbox.Error) {
	if len(req.Description) > 15 {
		return nil, apiError("INVALID_FIELD", "description must be at most 15 characters (it appears on the bank statement), got %d", len(req.Description))
	}
	now := e.Now()
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		ts := e.transfers()
		if k := val(req.IdempotencyKey); k != "" {
			for _, t := range ts.Transfers {
				if t.IdempotencyKey == k {
					return map[string]any{"transfer": t.render(), "request_id": c.requestID}, nil
				}
			}
		}
		auth, ok := ts.Authorizations[req.AuthorizationID]
		switch {
		case !ok || auth.ItemID != it.ID:
			return nil, apiError("INVALID_FIELD", "authorization_id %q is not an authorization of this Item; create one with /transfer/authorization/create", req.AuthorizationID)
		case auth.AccountID != req.AccountID:
			return nil, apiError("INVALID_FIELD", "account_id must be the authorization's account (%s)", auth.AccountID)
		case auth.Decision != "approved":
			return nil, apiError("INVALID_FIELD", "authorization %s was declined (%s); a transfer needs an approved authorization", auth.ID, auth.RationaleCode)
		case auth.TransferID != "":
			return nil, apiError("INVALID_FIELD", "authorization %s was already used by transfer %s; each authorization makes one transfer", auth.ID, auth.TransferID)
		}
		amount := auth.Amount
		if req.Amount != nil {
			v, err := parseAmount("amount", *req.Amount)
			if err != nil {
				return nil, err
			}
			authorized, _ := strconv.ParseFloat(auth.Amount, 64)
			if v > authorized {
				return nil, apiError("INVALID_FIELD", "amount %s is more than the authorized %s", *req.Amount, auth.Amount)
			}
			amount = strconv.FormatFloat(v, 'f', 2, 64)
		}
		t := &transferRec{
			ID: uuid.NewString(), AuthorizationID: auth.ID, ItemID: it.ID, AccountID: auth.AccountID,
			Type: auth.Type, Network: auth.Network, Amount: amount, ACHClass: auth.ACHClass, Description: req.Description,
			User: auth.User, Metadata: req.Metadata, Created: now.Truncate(time.Second), Status: "pending",
			IdempotencyKey: val(req.IdempotencyKey),
		}
		auth.TransferID = t.ID
		ts.Transfers[t.ID] = t
		e.addTransferEventLocked(it, t, "pending")
		return map[string]any{"transfer": t.render(), "request_id": c.requestID}, nil
	})
}

// addTransferEventLocked logs an event of a transfer and announces it
// with TRANSFER_EVENTS_UPDATE to the Item's webhook (e.mu held).
func (e *Emulator) addTransferEventLocked(it *item, t *transferRec, eventType string) {
	ts := e.transfers()
	ts.Events = append(ts.Events, transferEvent{
		EventID: len(ts.Events) + 1, Timestamp: e.Now().Truncate(time.Second), EventType: eventType,
		AccountID: t.AccountID, TransferID: t.ID, Type: t.Type, Amount: t.Amount, Failure: t.Failure,
	})
	e.changed()
	if it != nil && it.Webhook != "" {
		e.fireLocked(it, it.Webhook, "TRANSFER", "TRANSFER_EVENTS_UPDATE", nil)
	}
}

func (t *transferRec) render() map[string]any {
	created := t.Created
	day := func(n int) string { return created.AddDate(0, 0, n).Format(time.DateOnly) }
	var failure any
	if t.Failure != nil {
		failure = t.Failure
	}
	sweep := any("unswept")
	if t.Status == "settled" {
		sweep = "swept_settled"
	}
	metadata := any(nil)
	if t.Metadata != nil {
		metadata = t.Metadata
	}
	out := map[string]any{
		"id": t.ID, "authorization_id": t.AuthorizationID, "account_id": t.AccountID, "funding_account_id": nil,
		"type": t.Type, "user": t.User.render(), "amount": t.Amount, "description": t.Description,
		"created": t.Created, "status": t.Status, "sweep_status": sweep, "network": t.Network,
		"cancellable": t.Status == "pending", "failure_reason": failure, "metadata": metadata,
		"origination_account_id": originationAccountID, "guarantee_decision": nil, "guarantee_decision_rationale": nil,
		"iso_currency_code": "USD", "standard_return_window": day(2), "unauthorized_return_window": day(60),
		"expected_settlement_date": day(1), "originator_client_id": nil, "refunds": []any{}, "recurring_transfer_id": nil,
		"credit_funds_source": creditFundsSource(t.Type),
	}
	if t.ACHClass != nil {
		out["ach_class"] = *t.ACHClass
	}
	return out
}

type transferGetRequest struct {
	TransferID string `json:"transfer_id" plaid:"required"`
}

func (e *Emulator) transferLocked(id string) (*transferRec, *sandbox.Error) {
	if e.st.prod != nil && e.st.prod.Transfer != nil {
		if t, ok := e.st.prod.Transfer.Transfers[id]; ok {
			return t, nil
		}
	}
	return nil, apiError("INVALID_FIELD", "transfer_id %q is not a transfer the emulator knows; create one with /transfer/create", id)
}

// transferGet serves /transfer/get.
func transferGet(e *Emulator, c *call, req *transferGetRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.transferLocked(req.TransferID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"transfer": t.render(), "request_id": c.requestID}, nil
}

// transferCancel serves /transfer/cancel: a pending transfer is cancelled.
func transferCancel(e *Emulator, c *call, req *transferGetRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.transferLocked(req.TransferID)
	if err != nil {
		return nil, err
	}
	if t.Status != "pending" {
		return nil, apiError("INVALID_FIELD", "transfer %s is %s; only pending transfers can be cancelled", t.ID, t.Status)
	}
	t.Status = "cancelled"
	e.addTransferEventLocked(e.st.items[t.ItemID], t, "cancelled")
	return requestIDResponse{RequestID: c.requestID}, nil
}

type transferListRequest struct {
	StartDate            *time.Time `json:"start_date"`
	EndDate              *time.Time `json:"end_date"`
	Count                *int       `json:"count"`
	Offset               *int       `json:"offset"`
	OriginationAccountID *string    `json:"origination_account_id"`
	OriginatorClientID   *string    `json:"originator_client_id"`
	FundingAccountID     *string    `json:"funding_account_id"`
}

// transferList serves /transfer/list: newest first, count 1-25 (25).
func transferList(e *Emulator, c *call, req *transferListRequest) (any, *sandbox.Error) {
	count, offset, err := page(req.Count, req.Offset, 25, 25)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var all []*transferRec
	for _, t := range e.transfers().Transfers {
		if (req.StartDate == nil || !t.Created.Before(*req.StartDate)) && (req.EndDate == nil || !t.Created.After(*req.EndDate)) {
			all = append(all, t)
		}
	}
	slices.SortFunc(all, func(a, b *transferRec) int { return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID)) })
	out := []any{}
	for _, t := range all[min(offset, len(all)):min(offset+count, len(all))] {
		out = append(out, t.render())
	}
	return map[string]any{"transfers": out, "request_id": c.requestID}, nil
}

// page checks count and offset.
func page(count, offset *int, def, maxCount int) (int, int, *sandbox.Error) {
	n, off := cmp.Or(val(count), def), val(offset)
	if n < 1 || n > maxCount {
		return 0, 0, apiError("INVALID_FIELD", "count must be between 1 and %d, got %d", maxCount, n)
	}
	if off < 0 {
		return 0, 0, apiError("INVALID_FIELD", "offset must be 0 or more, got %d", off)
	}
	return n, off, nil
}

type transferEventListRequest struct {
	StartDate            *time.Time `json:"start_date"`
	EndDate              *time.Time `json:"end_date"`
	TransferID           *string    `json:"transfer_id"`
	AccountID            *string    `json:"account_id"`
	TransferType         *string    `json:"transfer_type"`
	EventTypes           []string   `json:"event_types"`
	SweepID              *string    `json:"sweep_id"`
	Count                *int       `json:"count"`
	Offset               *int       `json:"offset"`
	OriginationAccountID *string    `json:"origination_account_id"`
	OriginatorClientID   *string    `json:"originator_client_id"`
	FundingAccountID     *string    `json:"funding_account_id"`
}

// transferEventList serves /transfer/event/list: events oldest first,
// filtered, count 1-25 (25).
func transferEventList(e *Emulator, c *call, req *transferEventListRequest) (any, *sandbox.Error) {
	count, offset, err := page(req.Count, req.Offset, 25, 25)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var match []transferEvent
	for _, ev := range e.transfers().Events {
		if (req.TransferID == nil || *req.TransferID == ev.TransferID) && (req.AccountID == nil || *req.AccountID == ev.AccountID) &&
			(req.TransferType == nil || *req.TransferType == ev.Type) && (len(req.EventTypes) == 0 || slices.Contains(req.EventTypes, ev.EventType)) &&
			(req.StartDate == nil || !ev.Timestamp.Before(*req.StartDate)) && (req.EndDate == nil || !ev.Timestamp.After(*req.EndDate)) {
			match = append(match, ev)
		}
	}
	return map[string]any{"transfer_events": renderEvents(match[min(offset, len(match)):min(offset+count, len(match))]), "request_id": c.requestID}, nil
}

type transferEventSyncRequest struct {
	AfterID *int `json:"after_id" plaid:"required"`
	Count   *int `json:"count"`
}

// transferEventSync serves /transfer/event/sync: the events after after_id.
func transferEventSync(e *Emulator, c *call, req *transferEventSyncRequest) (any, *sandbox.Error) {
	count, _, err := page(req.Count, nil, 100, 500)
	if err != nil {
		return nil, err
	}
	if *req.AfterID < 0 {
		return nil, apiError("INVALID_FIELD", "after_id must be 0 or more")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	evs := e.transfers().Events
	from := min(*req.AfterID, len(evs))
	return map[string]any{"transfer_events": renderEvents(evs[from:min(from+count, len(evs))]), "request_id": c.requestID}, nil
}

func renderEvents(evs []transferEvent) []any {
	out := make([]any, len(evs))
	for i, ev := range evs {
		var failure any
		if ev.Failure != nil {
			failure = ev.Failure
		}
		out[i] = map[string]any{
			"event_id": ev.EventID, "timestamp": ev.Timestamp, "event_type": ev.EventType, "account_id": ev.AccountID,
			"funding_account_id": nil, "transfer_id": ev.TransferID, "origination_account_id": originationAccountID,
			"transfer_type": ev.Type, "transfer_amount": ev.Amount, "failure_reason": failure,
			"sweep_id": nil, "sweep_amount": nil, "refund_id": nil, "originator_client_id": nil,
		}
	}
	return out
}

type transferSimulateRequest struct {
	TransferID    string           `json:"transfer_id" plaid:"required"`
	TestClockID   *string          `json:"test_clock_id"`
	EventType     string           `json:"event_type" plaid:"required"`
	FailureReason *transferFailure `json:"failure_reason"`
}

// transferNext are the moves /sandbox/transfer/simulate allows, by status.
var transferNext = map[string][]string{
	"pending": {"posted", "failed"},
	"posted":  {"settled", "returned"},
	"settled": {"returned"},
}

// sandboxTransferSimulate serves /sandbox/transfer/simulate: the transfer
// moves on (pending → posted → settled, pending → failed, posted or
// settled → returned) and the event is logged and announced.
func sandboxTransferSimulate(e *Emulator, c *call, req *transferSimulateRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.transferLocked(req.TransferID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(transferNext[t.Status], req.EventType) {
		return nil, apiError("INVALID_FIELD", "a %s transfer cannot become %q; from %s it can go to: %v", t.Status, req.EventType, t.Status, transferNext[t.Status])
	}
	t.Status = req.EventType
	if req.EventType == "failed" || req.EventType == "returned" {
		t.Failure = req.FailureReason
		if t.Failure == nil {
			code := "R01"
			t.Failure = &transferFailure{ACHReturnCode: &code, Description: "Insufficient funds"}
		}
	}
	e.addTransferEventLocked(e.st.items[t.ItemID], t, req.EventType)
	return requestIDResponse{RequestID: c.requestID}, nil
}

type transferFireWebhookRequest struct {
	Webhook string `json:"webhook" plaid:"required"`
}

// sandboxTransferFireWebhook serves /sandbox/transfer/fire_webhook: a
// TRANSFER_EVENTS_UPDATE to the given URL.
func sandboxTransferFireWebhook(e *Emulator, c *call, req *transferFireWebhookRequest) (any, *sandbox.Error) {
	if err := checkWebhook(req.Webhook, ""); err != nil {
		return nil, err
	}
	e.webhooks.send(req.Webhook, "TRANSFER", "TRANSFER_EVENTS_UPDATE", "", map[string]any{
		"webhook_type": "TRANSFER", "webhook_code": "TRANSFER_EVENTS_UPDATE", "environment": environment,
	})
	return requestIDResponse{RequestID: c.requestID}, nil
}
