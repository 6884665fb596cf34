package emulator

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// userRecord is a user made with /user/create.
type userRecord struct {
	UserID       string    `json:"user_id"`
	UserToken    string    `json:"user_token"`
	ClientUserID string    `json:"client_user_id"`
	CreatedAt    time.Time `json:"created_at"`
}

// processorToken is a token handed to a payment processor for one account.
type processorToken struct {
	Token     string    `json:"processor_token"`
	ItemID    string    `json:"item_id"`
	AccountID string    `json:"account_id"`
	Processor string    `json:"processor"`
	CreatedAt time.Time `json:"created_at"`
}

type userCreateRequest struct {
	ClientUserID               string          `json:"client_user_id" plaid:"required"`
	ConsumerReportUserIdentity *map[string]any `json:"consumer_report_user_identity"`
}

type userCreateResponse struct {
	UserToken string `json:"user_token"`
	UserID    string `json:"user_id"`
	RequestID string `json:"request_id"`
}

// userCreate serves /user/create: a user_token for Income and Plaid Check
// (client_user_id is the app's own id for the user; one user each).
func userCreate(e *Emulator, c *call, req *userCreateRequest) (any, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ps := e.st.products()
	if ps.Users == nil {
		ps.Users = map[string]*userRecord{}
	}
	if _, ok := ps.Users[req.ClientUserID]; ok {
		return nil, apiError("INVALID_FIELD", "client_user_id %q already has a user; reuse its user_token (each client_user_id gets one user)", req.ClientUserID)
	}
	u := &userRecord{
		UserID: newObjectID(), UserToken: "user-" + environment + "-" + uuid.NewString(),
		ClientUserID: req.ClientUserID, CreatedAt: e.Now().Truncate(time.Second),
	}
	ps.Users[req.ClientUserID] = u
	e.changed()
	return userCreateResponse{UserToken: u.UserToken, UserID: u.UserID, RequestID: c.requestID}, nil
}

// userByTokenLocked finds a user by user_token (e.mu held).
func (e *Emulator) userByTokenLocked(token string) *userRecord {
	if e.st.prod == nil {
		return nil
	}
	for _, u := range e.st.prod.Users {
		if u.UserToken == token {
			return u
		}
	}
	return nil
}

// processors is the v20 processor enumeration.
var processors = []string{
	"dwolla", "galileo", "modern_treasury", "ocrolus", "prime_trust", "vesta", "drivewealth", "vopay",
	"achq", "check", "checkbook", "circle", "sila_money", "rize", "svb_api", "unit", "wyre", "lithic",
	"alpaca", "astra", "moov", "treasury_prime", "marqeta", "checkout", "solid", "highnote", "gemini",
	"apex_clearing", "gusto", "adyen", "atomic", "i2c", "wepay", "riskified", "utb", "adp_roll",
	"fortress_trust", "bond", "bakkt", "teal", "zero_hash", "taba_pay", "knot", "sardine", "alloy",
}

type processorTokenCreateRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	AccountID   string `json:"account_id" plaid:"required"`
	Processor   string `json:"processor" plaid:"required"`
}

type processorTokenResponse struct {
	ProcessorToken string `json:"processor_token"`
	RequestID      string `json:"request_id"`
}

// processorTokenCreate serves /processor/token/create: a processor token
// for one of the Item's accounts.
func processorTokenCreate(e *Emulator, c *call, req *processorTokenCreateRequest) (any, *sandbox.Error) {
	if !slices.Contains(processors, req.Processor) {
		return nil, apiError("INVALID_FIELD", "processor %q is not a Plaid processor partner; use one of: %v", req.Processor, processors)
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts([]string{req.AccountID})
		if err != nil {
			return nil, err
		}
		return processorTokenResponse{ProcessorToken: e.newProcessorTokenLocked(it, accounts[0], req.Processor), RequestID: c.requestID}, nil
	})
}

func (e *Emulator) newProcessorTokenLocked(it *item, a *account, processor string) string {
	ps := e.st.products()
	if ps.ProcessorTokens == nil {
		ps.ProcessorTokens = map[string]*processorToken{}
	}
	pt := &processorToken{
		Token: "processor-" + environment + "-" + uuid.NewString(), ItemID: it.ID, AccountID: a.ID,
		Processor: processor, CreatedAt: e.Now().Truncate(time.Second),
	}
	ps.ProcessorTokens[pt.Token] = pt
	e.changed()
	return pt.Token
}

type sandboxProcessorTokenCreateRequest struct {
	InstitutionID string `json:"institution_id" plaid:"required"`
	Options       *struct {
		OverrideUsername *string `json:"override_username"`
		OverridePassword *string `json:"override_password"`
	} `json:"options"`
}

// sandboxProcessorTokenCreate serves /sandbox/processor_token/create: an
// Item with Auth at the institution, made at once as
// /sandbox/public_token/create makes one, and a processor token for its
// first account with account numbers.
func sandboxProcessorTokenCreate(e *Emulator, c *call, req *sandboxProcessorTokenCreateRequest) (any, *sandbox.Error) {
	inst, ok := sandbox.InstitutionByID(req.InstitutionID)
	if !ok {
		return nil, apiError("INVALID_INSTITUTION", "invalid institution_id provided: %q is not a Sandbox institution (try ins_109508, First Platypus Bank)", req.InstitutionID)
	}
	if err := checkItemProducts(inst, []string{"auth"}, "the processor's products"); err != nil {
		return nil, err
	}
	username, password := sandbox.UserGood, sandbox.PassGood
	if o := req.Options; o != nil {
		username, password = cmp.Or(val(o.OverrideUsername), username), cmp.Or(val(o.OverridePassword), password)
	}
	outcome := evaluate(username, password)
	if outcome.Err != nil {
		return nil, outcome.Err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	it, _ := e.createItemLocked(newItem{institutionID: inst.ID, products: []string{"auth"}, accounts: outcome.Accounts})
	i := slices.IndexFunc(it.Accounts, func(a account) bool { return a.hasNumbers() })
	if i < 0 {
		return nil, apiError("NO_AUTH_ACCOUNTS", "")
	}
	return processorTokenResponse{ProcessorToken: e.newProcessorTokenLocked(it, &it.Accounts[i], "dwolla"), RequestID: c.requestID}, nil
}

type itemApplicationListRequest struct {
	AccessToken *string `json:"access_token"`
}

type itemApplicationListResponse struct {
	RequestID    string `json:"request_id"`
	Applications []any  `json:"applications"`
}

// itemApplicationList serves /item/application/list: the applications
// other than yours with access to the Item's data through Plaid's
// portal. Sandbox Items have none.
func itemApplicationList(e *Emulator, c *call, req *itemApplicationListRequest) (any, *sandbox.Error) {
	if req.AccessToken != nil && *req.AccessToken != "" {
		e.mu.Lock()
		_, err := e.itemLocked(*req.AccessToken)
		e.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return itemApplicationListResponse{RequestID: c.requestID, Applications: []any{}}, nil
}

type setVerificationStatusRequest struct {
	AccessToken        string `json:"access_token" plaid:"required"`
	AccountID          string `json:"account_id" plaid:"required"`
	VerificationStatus string `json:"verification_status" plaid:"required"`
}

// sandboxItemSetVerificationStatus serves
// /sandbox/item/set_verification_status: it ends an automated
// micro-deposit verification as verified or expired, with the AUTH
// webhook Plaid sends (AUTOMATICALLY_VERIFIED or VERIFICATION_EXPIRED).
// An expired account gets no numbers from /auth/get.
func sandboxItemSetVerificationStatus(e *Emulator, c *call, req *setVerificationStatusRequest) (any, *sandbox.Error) {
	code := map[string]string{"automatically_verified": "AUTOMATICALLY_VERIFIED", "verification_expired": "VERIFICATION_EXPIRED"}[req.VerificationStatus]
	if code == "" {
		return nil, apiError("INVALID_FIELD", "verification_status must be automatically_verified or verification_expired, got %q", req.VerificationStatus)
	}
	return e.withItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts([]string{req.AccountID})
		if err != nil {
			return nil, err
		}
		a := accounts[0]
		if a.VerificationStatus != pendingAutomaticVerification {
			status := cmp.Or(a.VerificationStatus, "null: it was linked without micro-deposits")
			return nil, apiError("INVALID_FIELD", "account %s is not pending automatic verification (its verification_status is %s); only an account linked through Automated Micro-deposits (Houndstooth Bank, user_good / microdeposits_good, with auth.automated_microdeposits_enabled) can be verified or expired", a.ID, status)
		}
		a.VerificationStatus = req.VerificationStatus
		e.changed()
		if it.Webhook != "" {
			e.fireLocked(it, it.Webhook, "AUTH", code, map[string]any{"account_id": a.ID})
		}
		return requestIDResponse{RequestID: c.requestID}, nil
	})
}
