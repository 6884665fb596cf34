package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Control is a client for the emulator's control API under /__emulator/.
// Its errors are *APIError when the emulator answered with a Plaid-shaped
// error.
type Control struct {
	// BaseURL is the emulator's URL, e.g. http://127.0.0.1:4010.
	BaseURL string
	// HTTP makes the requests; nil uses a client with a 10 s timeout.
	HTTP *http.Client
}

// ClockState is the emulator's virtual clock.
type ClockState struct {
	Now           time.Time `json:"now"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

// Autopilot arms the emulated Link to complete the next session opened with
// LinkToken by itself.
type Autopilot struct {
	LinkToken     string `json:"link_token"`
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	MFA           string `json:"mfa,omitempty"`
	InstitutionID string `json:"institution_id,omitempty"`
	// OAuthDecision is the answer at an OAuth bank: "approve" (default)
	// or "decline".
	OAuthDecision string `json:"oauth_decision,omitempty"`
	// DelayMS paces each step for demos; 0 runs instantly.
	DelayMS int `json:"delay_ms"`
}

// ObservedRequest is one Plaid API request the emulator served, to
// linkexplorer or to the user's own app.
type ObservedRequest struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	RequestID  string    `json:"request_id"`
	ErrorType  string    `json:"error_type"`
	ErrorCode  string    `json:"error_code"`
	DurationMS float64   `json:"duration_ms"`
	ClientID   string    `json:"client_id"`
	UserAgent  string    `json:"user_agent"`
}

// ObservedRequestDetail is an ObservedRequest with its bodies, masked.
type ObservedRequestDetail struct {
	ObservedRequest
	RequestBody  json.RawMessage `json:"request_body"`
	ResponseBody json.RawMessage `json:"response_body"`
}

// LinkSessionRecord is the emulator's record of one emulated Link session.
// Raw holds the whole record as the emulator sent it (events, institution,
// error), with any token masked.
type LinkSessionRecord struct {
	LinkSessionID string     `json:"link_session_id"`
	LinkToken     string     `json:"link_token"` // masked
	StartedAt     time.Time  `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	IsUpdateMode  bool       `json:"is_update_mode"`
	Autopilot     bool       `json:"autopilot"`
	Step          string     `json:"step"`
	Outcome       string     `json:"outcome"` // "", success, exit or abandoned
	ExitStatus    string     `json:"exit_status"`
	ItemID        string     `json:"item_id"`
	RequestIDs    []string   `json:"request_ids"`

	Raw json.RawMessage `json:"-"`
}

// maxControlResponse bounds the control API responses read into memory.
const maxControlResponse = 32 << 20

// AdvanceClock moves the emulator's virtual clock forward by d (whole
// seconds), so tokens and Items age without waiting.
func (c *Control) AdvanceClock(ctx context.Context, d time.Duration) (ClockState, error) {
	secs := int64(d / time.Second)
	if secs <= 0 {
		return ClockState{}, fmt.Errorf("advancing the emulator clock: %v is not a positive number of seconds", d)
	}
	var st ClockState
	err := c.do(ctx, http.MethodPost, "/__emulator/clock/advance", map[string]int64{"seconds": secs}, &st)
	return st, err
}

// ExpireToken makes a link_token or public_token expire now, or with
// invalidate, marks it invalidated.
func (c *Control) ExpireToken(ctx context.Context, token string, invalidate bool) error {
	reason := "expire"
	if invalidate {
		reason = "invalidate"
	}
	return c.do(ctx, http.MethodPost, "/__emulator/tokens/expire", map[string]string{"token": token, "reason": reason}, nil)
}

// ArmAutopilot arms the emulated Link's autopilot for a.LinkToken.
func (c *Control) ArmAutopilot(ctx context.Context, a Autopilot) error {
	if a.LinkToken == "" {
		return errors.New("arming the autopilot: no link_token given")
	}
	return c.do(ctx, http.MethodPost, "/__emulator/autopilot", a, nil)
}

// Requests lists the Plaid API requests the emulator served after sequence
// number since, oldest first, at most limit (0: the emulator's default).
// It returns the since value for the next call.
func (c *Control) Requests(ctx context.Context, since int64, limit int) ([]ObservedRequest, int64, error) {
	if since < 0 || limit < 0 {
		return nil, since, fmt.Errorf("listing emulator requests: since (%d) and limit (%d) must not be negative", since, limit)
	}
	q := url.Values{"since": {strconv.FormatInt(since, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out struct {
		Requests  []ObservedRequest `json:"requests"`
		NextSince int64             `json:"next_since"`
	}
	if err := c.do(ctx, http.MethodGet, "/__emulator/requests?"+q.Encode(), nil, &out); err != nil {
		return nil, since, err
	}
	return out.Requests, out.NextSince, nil
}

// RequestPage is one page of the emulator's request log with bodies.
type RequestPage struct {
	Requests  []ObservedRequestDetail
	NextSince int64 // the since of the next page
	More      bool  // requests after NextSince are already waiting
}

// RequestsWithBodies lists, in one request, the Plaid API requests the
// emulator served after sequence number since, oldest first, at most limit,
// with their bodies (masked), leaving out those made with notClientID when
// it is not empty.
func (c *Control) RequestsWithBodies(ctx context.Context, since int64, limit int, notClientID string) (RequestPage, error) {
	if since < 0 || limit < 0 {
		return RequestPage{}, fmt.Errorf("listing emulator requests: since (%d) and limit (%d) must not be negative", since, limit)
	}
	q := url.Values{"since": {strconv.FormatInt(since, 10)}, "bodies": {"true"}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if notClientID != "" {
		q.Set("not_client_id", notClientID)
	}
	var out struct {
		Requests  []ObservedRequestDetail `json:"requests"`
		NextSince int64                   `json:"next_since"`
		More      bool                    `json:"more"`
	}
	if err := c.do(ctx, http.MethodGet, "/__emulator/requests?"+q.Encode(), nil, &out); err != nil {
		return RequestPage{NextSince: since}, err
	}
	for i := range out.Requests {
		d := &out.Requests[i]
		d.RequestBody, d.ResponseBody = maskRawBody(d.RequestBody), maskRawBody(d.ResponseBody)
	}
	return RequestPage{Requests: out.Requests, NextSince: out.NextSince, More: out.More}, nil
}

// Request returns one observed request with its request and response
// bodies (secrets masked).
func (c *Control) Request(ctx context.Context, seq int64) (ObservedRequestDetail, error) {
	var d ObservedRequestDetail
	if err := c.do(ctx, http.MethodGet, "/__emulator/requests/"+strconv.FormatInt(seq, 10), nil, &d); err != nil {
		return ObservedRequestDetail{}, err
	}
	d.RequestBody, d.ResponseBody = maskRawBody(d.RequestBody), maskRawBody(d.ResponseBody)
	return d, nil
}

// maskRawBody masks a body given either as JSON or as a string holding
// JSON (which is unwrapped).
func maskRawBody(b json.RawMessage) json.RawMessage {
	var s string
	if len(b) > 0 && b[0] == '"' && json.Unmarshal(b, &s) == nil && json.Valid([]byte(s)) {
		b = json.RawMessage(s)
	}
	return redact.JSON(b)
}

// LinkSessions lists the emulated Link sessions, newest first.
func (c *Control) LinkSessions(ctx context.Context) ([]LinkSessionRecord, error) {
	var out struct {
		LinkSessions []json.RawMessage `json:"link_sessions"`
	}
	if err := c.do(ctx, http.MethodGet, "/__emulator/link_sessions", nil, &out); err != nil {
		return nil, err
	}
	recs := make([]LinkSessionRecord, 0, len(out.LinkSessions))
	for _, raw := range out.LinkSessions {
		var r LinkSessionRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("GET /__emulator/link_sessions: unexpected session record: %v", err)
		}
		r.Raw = redact.JSON(raw)
		recs = append(recs, r)
	}
	return recs, nil
}

// Reset clears all of the emulator's state.
func (c *Control) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/__emulator/reset", struct{}{}, nil)
}

// Health checks that the emulator is up and returns its virtual time.
func (c *Control) Health(ctx context.Context) (time.Time, error) {
	var h struct {
		OK  bool      `json:"ok"`
		Now time.Time `json:"now"`
	}
	if err := c.do(ctx, http.MethodGet, "/__emulator/health", nil, &h); err != nil {
		return time.Time{}, err
	}
	if !h.OK {
		return time.Time{}, fmt.Errorf("the emulator at %s reports it is not healthy", c.BaseURL)
	}
	return h.Now, nil
}

func (c *Control) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// do sends one control request; in is sent as JSON when not nil, and a 2xx
// response is decoded into out when not nil.
func (c *Control) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w (is the emulator URL %q right?)", method, path, err, c.BaseURL)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w (is the emulator running at %s?)", method, path, err, c.BaseURL)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxControlResponse))
	if err != nil {
		return fmt.Errorf("%s %s: reading the response: %w", method, path, err)
	}
	endpoint, _, _ := strings.Cut(path, "?")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return controlError(method, endpoint, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: unexpected response (%v): %q", method, endpoint, err, truncate(string(redact.JSON(data)), 200))
	}
	return nil
}

// controlError turns a failed control response into an *APIError.
func controlError(method, endpoint string, status int, body []byte) *APIError {
	ae := &APIError{Method: method, Endpoint: endpoint, HTTPStatus: status}
	var b plaidErrorBody
	if json.Unmarshal(body, &b) == nil && (b.ErrorCode != "" || b.ErrorMessage != "") {
		ae.RequestID, ae.Type, ae.Code, ae.Message = b.RequestID, b.ErrorType, b.ErrorCode, b.ErrorMessage
		if b.DisplayMessage != nil {
			ae.DisplayMessage = *b.DisplayMessage
		}
		return ae
	}
	if s := strings.TrimSpace(string(redact.JSON(body))); s != "" {
		ae.Message = truncate(strings.Join(strings.Fields(s), " "), 200)
	}
	if status == http.StatusNotFound && ae.Message == "" {
		ae.Message = "not found (is this an emulator with the control API?)"
	}
	return ae
}

// TxnAdd is one transaction to add through the control API: name and
// amount (positive for money out) are required; the emulator fills the
// rest (the Item's first account with transactions, today's date).
type TxnAdd struct {
	AccountID    string  `json:"account_id,omitempty"`
	Name         string  `json:"name"`
	Amount       float64 `json:"amount"`
	Date         string  `json:"date,omitempty"`
	MerchantName string  `json:"merchant_name,omitempty"`
	CategoryID   string  `json:"category_id,omitempty"`
}

// TxnModify changes one transaction; nil fields stay as they are.
type TxnModify struct {
	TransactionID string   `json:"transaction_id"`
	Name          *string  `json:"name,omitempty"`
	Amount        *float64 `json:"amount,omitempty"`
}

// TxnChanges are the changes of one POST /__emulator/items/{id}/transactions.
type TxnChanges struct {
	Add    []TxnAdd    `json:"add,omitempty"`
	Modify []TxnModify `json:"modify,omitempty"`
	Remove []string    `json:"remove,omitempty"`
}

// TxnChanged is what the emulator changed: the added transactions with
// their new ids, the modified ones as they now stand, the removed ids.
type TxnChanged struct {
	Added    []ControlTxn `json:"added"`
	Modified []ControlTxn `json:"modified"`
	Removed  []string     `json:"removed"`
}

// ControlTxn is a transaction as the control API renders it (as
// /transactions/sync does), the fields a lesson shows.
type ControlTxn struct {
	TransactionID string  `json:"transaction_id"`
	AccountID     string  `json:"account_id"`
	Name          string  `json:"name"`
	Amount        float64 `json:"amount"`
	Date          string  `json:"date"`
	Pending       bool    `json:"pending"`
}

// ChangeTransactions adds, modifies and removes an Item's transactions in
// one step (all or nothing); the emulator then announces the change with
// Plaid's webhooks (DEFAULT_UPDATE, TRANSACTIONS_REMOVED,
// SYNC_UPDATES_AVAILABLE).
func (c *Control) ChangeTransactions(ctx context.Context, itemID string, ch TxnChanges) (TxnChanged, error) {
	var out TxnChanged
	if itemID == "" {
		return out, errors.New("changing transactions: no item_id given")
	}
	err := c.do(ctx, http.MethodPost, "/__emulator/items/"+url.PathEscape(itemID)+"/transactions", ch, &out)
	return out, err
}

// ItemTransactions lists an Item's current transactions, oldest change
// first.
func (c *Control) ItemTransactions(ctx context.Context, itemID string) ([]ControlTxn, error) {
	var out struct {
		Transactions []ControlTxn `json:"transactions"`
	}
	err := c.do(ctx, http.MethodGet, "/__emulator/items/"+url.PathEscape(itemID)+"/transactions", nil, &out)
	return out.Transactions, err
}
