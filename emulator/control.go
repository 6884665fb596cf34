package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

const (
	defaultRequestsLimit = 100
	maxRequestsLimit     = 1000
	// maxRequestsBodyBytes bounds the bodies one GET /__emulator/requests
	// ?bodies=true answer carries; the rest come with the next page.
	maxRequestsBodyBytes = 4 << 20
	maxControlBody       = 64 << 10
	// maxClockOffset is how far ahead the virtual clock may run.
	maxClockOffset = 100 * 365 * 24 * time.Hour
)

// controlRoutes is the control API under /__emulator/ (see CONTROL.md).
func (e *Emulator) controlRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /__emulator/health", e.ctlHealth)
	m.HandleFunc("GET /__emulator/clock", e.ctlClock)
	m.HandleFunc("POST /__emulator/clock/advance", e.ctlClockAdvance)
	m.HandleFunc("POST /__emulator/tokens/expire", e.ctlExpireToken)
	m.HandleFunc("GET /__emulator/requests", e.ctlRequests)
	m.HandleFunc("GET /__emulator/requests/{seq}", e.ctlRequest)
	m.HandleFunc("GET /__emulator/webhooks", e.ctlWebhooks)
	m.HandleFunc("GET /__emulator/items", e.ctlItems)
	m.HandleFunc("GET /__emulator/items/{item_id}/transactions", e.ctlItemTransactions)
	m.HandleFunc("POST /__emulator/items/{item_id}/transactions", e.ctlItemTransactionsChange)
	m.HandleFunc("POST /__emulator/payments/{payment_id}/status", e.ctlPaymentStatus)
	m.HandleFunc("POST /__emulator/reset", e.ctlReset)
	m.HandleFunc("GET /__emulator/redirect_uris", e.ctlRedirectURIs)
	m.HandleFunc("POST /__emulator/redirect_uris", e.ctlRedirectURIs)
	m.HandleFunc("DELETE /__emulator/redirect_uris", e.ctlRedirectURIs)
	return m
}

// serveControl serves the control API; unknown paths and methods get
// Plaid's NOT_FOUND error object.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	if _, pattern := e.control.Handler(r); pattern == "" {
		writeControlError(w, apiError("NOT_FOUND", "%s %s is not part of the emulator's control API; see emulator/CONTROL.md", r.Method, r.URL.Path))
	} else {
		e.control.ServeHTTP(w, r) // sets the request's path values
	}
	e.log.Debug("control request", "method", r.Method, "path", r.URL.Path)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		out, _ = json.Marshal(newErrorJSON(apiError("INTERNAL_SERVER_ERROR", "encoding the response failed: %v", err), newRequestID()))
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func writeControlError(w http.ResponseWriter, err *sandbox.Error) {
	writeJSON(w, err.HTTPStatus(), newErrorJSON(err, newRequestID()))
}

// decodeControl reads a control request's JSON body into v; unknown
// fields are refused.
func decodeControl(r *http.Request, v any) *sandbox.Error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil || len(data) > maxControlBody {
		return apiError("INVALID_BODY", "the body could not be read or is larger than %d bytes", maxControlBody)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiError("INVALID_BODY", "body could not be parsed as JSON: %v; see emulator/CONTROL.md for this endpoint's fields", err)
	}
	return nil
}

func (e *Emulator) ctlHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "now": e.Now()})
}

type clockJSON struct {
	Now           time.Time `json:"now"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

func (e *Emulator) clockJSON() clockJSON {
	return clockJSON{Now: e.Now(), OffsetSeconds: e.clock.offsetDuration().Seconds()}
}

func (e *Emulator) ctlClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.clockJSON())
}

// ctlClockAdvance moves the virtual clock forward by {"seconds": N} or
// {"duration": "4h"}.
func (e *Emulator) ctlClockAdvance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Seconds  *float64 `json:"seconds"`
		Duration *string  `json:"duration"`
	}
	if err := decodeControl(r, &req); err != nil {
		writeControlError(w, err)
		return
	}
	d, perr := advanceBy(req.Seconds, req.Duration)
	if perr == nil && e.clock.offsetDuration() > maxClockOffset-d {
		perr = apiError("INVALID_FIELD", "the virtual clock cannot run more than 100 years ahead; reset the emulator to start over")
	}
	if perr != nil {
		writeControlError(w, perr)
		return
	}
	e.clock.advance(d)
	e.changedClock()
	e.autoUpdateTransactions()
	e.finishAssetReports()
	writeJSON(w, http.StatusOK, e.clockJSON())
}

// advanceBy reads the amount of a clock advance.
func advanceBy(seconds *float64, duration *string) (time.Duration, *sandbox.Error) {
	var d time.Duration
	switch {
	case (seconds == nil) == (duration == nil):
		return 0, apiError("INVALID_FIELD", `pass exactly one of "seconds" (a number) or "duration" (e.g. "4h", "30m")`)
	case seconds != nil:
		if *seconds > maxClockOffset.Seconds() {
			return 0, apiError("INVALID_FIELD", "seconds is too large; the virtual clock runs at most 100 years ahead")
		}
		d = time.Duration(*seconds * float64(time.Second))
	default:
		var err error
		if d, err = time.ParseDuration(*duration); err != nil {
			return 0, apiError("INVALID_FIELD", "duration %q is not a Go duration such as \"4h\" or \"30m\"", *duration)
		}
	}
	if d < 0 {
		return 0, apiError("INVALID_FIELD", "the virtual clock only moves forward; pass a positive amount")
	}
	return d, nil
}

type expireResponse struct {
	Token     string    `json:"token"`
	Kind      string    `json:"kind"`
	ExpiredAt time.Time `json:"expired_at"`
}

// ctlExpireToken expires ({"reason":"expire"}, the default) or invalidates
// a link_token or public_token now.
func (e *Emulator) ctlExpireToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token  string `json:"token"`
		Reason string `json:"reason"`
	}
	if err := decodeControl(r, &req); err != nil {
		writeControlError(w, err)
		return
	}
	req.Reason = cmp.Or(req.Reason, "expire")
	if req.Reason != "expire" && req.Reason != "invalidate" {
		writeControlError(w, apiError("INVALID_FIELD", "reason must be \"expire\" or \"invalidate\", got %q", req.Reason))
		return
	}
	resp, err := e.expireToken(req.Token, req.Reason == "invalidate")
	if err != nil {
		writeControlError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (e *Emulator) expireToken(token string, invalidate bool) (expireResponse, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.Now()
	resp := expireResponse{Token: redact.Value(token), ExpiredAt: now}
	if lt, ok := e.st.linkTokens[token]; ok {
		resp.Kind = "link_token"
		if invalidate {
			lt.InvalidatedAt = &now
		} else {
			lt.Expiration = now
		}
	} else if pt, ok := e.st.publicTokens[token]; ok {
		resp.Kind = "public_token"
		if invalidate {
			delete(e.st.publicTokens, token)
		} else {
			pt.ExpiresAt = now
		}
	} else {
		return resp, apiError("NOT_FOUND", "no link_token or public_token %s is known to the emulator (tokens from before a reset are gone)", redact.Value(token))
	}
	e.changedLinkToken(token)
	e.changedPublicToken(token)
	return resp, nil
}

// ctlRequests lists recent Plaid API requests after ?since=SEQ.
func (e *Emulator) ctlRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := queryUint(q.Get("since"), 0)
	if err != nil {
		writeControlError(w, apiError("INVALID_FIELD", "since must be a request sequence number (0 or more), got %q", q.Get("since")))
		return
	}
	limit, err := queryUint(q.Get("limit"), defaultRequestsLimit)
	if err != nil || limit < 1 || limit > maxRequestsLimit {
		writeControlError(w, apiError("INVALID_FIELD", "limit must be between 1 and %d, got %q", maxRequestsLimit, q.Get("limit")))
		return
	}
	bodies := q.Get("bodies")
	if bodies != "" && bodies != "0" && bodies != "1" && bodies != "true" && bodies != "false" {
		writeControlError(w, apiError("INVALID_FIELD", "bodies must be true or false, got %q", bodies))
		return
	}
	lq := listQuery{since: since, limit: int(limit), path: q.Get("path"), notClientID: q.Get("not_client_id"),
		bodies: bodies == "1" || bodies == "true", maxBodyBytes: maxRequestsBodyBytes}
	entries, next, more := e.requests.list(lq)
	if !lq.bodies {
		writeJSON(w, http.StatusOK, map[string]any{"requests": entries, "next_since": next, "more": more})
		return
	}
	details := make([]requestDetail, len(entries))
	for i, entry := range entries {
		details[i] = newRequestDetail(entry)
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": details, "next_since": next, "more": more})
}

func queryUint(s string, def uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

type requestDetail struct {
	requestEntry
	RequestBody  any `json:"request_body"`
	ResponseBody any `json:"response_body"`
}

// ctlRequest shows one request with its (masked) bodies.
func (e *Emulator) ctlRequest(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		writeControlError(w, apiError("INVALID_FIELD", "%q is not a request sequence number", r.PathValue("seq")))
		return
	}
	entry, ok := e.requests.get(seq)
	if !ok {
		writeControlError(w, apiError("NOT_FOUND", "request %d is not in the log (it keeps the last %d requests)", seq, requestLogSize))
		return
	}
	writeJSON(w, http.StatusOK, newRequestDetail(entry))
}

// newRequestDetail is an entry with its bodies, masked (redact.JSON):
// secrets and every token but the link_token, which stays whole so that
// the control API can show a client which token its app created, to arm
// the autopilot or expire it. It is the only way a body leaves the log.
func newRequestDetail(entry requestEntry) requestDetail {
	return requestDetail{requestEntry: entry,
		RequestBody: bodyValue(redact.JSON(entry.reqBody)), ResponseBody: bodyValue(redact.JSON(entry.respBody))}
}

// bodyValue is a stored body as JSON: itself when valid JSON, else a string.
func bodyValue(b []byte) any {
	switch {
	case len(b) == 0:
		return nil
	case json.Valid(b):
		return json.RawMessage(b)
	default:
		return string(b)
	}
}

func (e *Emulator) ctlWebhooks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": e.webhooks.list()})
}

type itemSummary struct {
	ItemID        string       `json:"item_id"`
	InstitutionID string       `json:"institution_id"`
	Status        string       `json:"status"`
	Webhook       *string      `json:"webhook"`
	AccessToken   string       `json:"access_token"`
	Products      []string     `json:"products"`
	Accounts      int          `json:"accounts"`
	CreatedAt     time.Time    `json:"created_at"`
	LastWebhook   *webhookMark `json:"last_webhook"`
}

// ctlItems lists the Items, oldest first, with masked access tokens.
func (e *Emulator) ctlItems(w http.ResponseWriter, _ *http.Request) {
	e.mu.Lock()
	items := make([]itemSummary, 0, len(e.st.items))
	for _, it := range e.st.items {
		s := itemSummary{
			ItemID: it.ID, InstitutionID: it.InstitutionID, Status: "healthy", Webhook: nonEmpty(it.Webhook),
			AccessToken: redact.Value(it.AccessToken), Products: slices.Clone(it.Billed), Accounts: len(it.Accounts),
			CreatedAt: it.CreatedAt,
		}
		if it.Error != nil {
			s.Status = it.Error.Code
		}
		if it.LastWebhook != nil {
			mark := *it.LastWebhook
			s.LastWebhook = &mark
		}
		items = append(items, s)
	}
	e.mu.Unlock()
	slices.SortFunc(items, func(a, b itemSummary) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ItemID, b.ItemID))
	})
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// ctlReset forgets every Item, token, request, webhook delivery and Link
// session, and puts the virtual clock back on the real one.
func (e *Emulator) ctlReset(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.st = newState()
	e.clock.setOffset(0)
	e.mu.Unlock()
	e.requests.clear()
	e.webhooks.reset()
	e.link.Reset()
	e.changed()
	// The old state is garbage now (new maps, not cleared ones, so their
	// buckets go too): give the memory back to the OS, so that a reset
	// after a load test shrinks the process, as a user expects.
	debug.FreeOSMemory()
	e.log.LogAttrs(r.Context(), slog.LevelInfo, "emulator state reset")
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
