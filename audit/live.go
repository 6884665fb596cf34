package audit

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// LiveOptions configure the live audit of an app's token endpoint.
type LiveOptions struct {
	// Endpoint is the app's route that returns a link_token, e.g.
	// http://localhost:8000/api/create_link_token.
	Endpoint string
	// Method defaults to POST.
	Method string
	// Header is sent with each call (a session cookie, an Authorization).
	Header http.Header
	// Body is sent as JSON when set; the call has an empty body otherwise.
	Body string
	// UpdateEndpoint, when set, is the app's route for update-mode tokens;
	// UpdateBody is its JSON body (naming the Item, say).
	UpdateEndpoint, UpdateBody string
	// Emulator, when set, is the emulator the app's backend talks to: the
	// audit then inspects the /link/token/create request the backend made.
	Emulator *flows.Control
	// HTTP calls the app; nil uses a client with DefaultLiveTimeout.
	HTTP *http.Client
}

// DefaultLiveTimeout bounds each call to the app.
const DefaultLiveTimeout = 30 * time.Second

// maxAppResponse bounds what is read of the app's answer.
const maxAppResponse = 1 << 20

// EndpointCall is one call the live audit made to the app.
type EndpointCall struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// HTTPStatus is 0 when no response came.
	HTTPStatus int           `json:"http_status"`
	Duration   time.Duration `json:"-"`
	DurationMS float64       `json:"duration_ms"`
	// Error is the transport error, when no response came.
	Error string `json:"error,omitempty"`
	// BodyShape describes the answer's JSON keys and value types (no values).
	BodyShape string `json:"body_shape"`
	// LinkToken is the link_token returned, masked.
	LinkToken string `json:"link_token,omitempty"`
	// PlaidError is the Plaid error the app relayed, if any.
	PlaidError *PlaidError `json:"plaid_error,omitempty"`

	token string // the full link_token, to find its /link/token/create
}

// PlaidError is a Plaid error object relayed by the app or answered by the
// emulator.
type PlaidError struct {
	Type      string `json:"error_type"`
	Code      string `json:"error_code"`
	Message   string `json:"error_message"`
	RequestID string `json:"request_id,omitempty"`
}

// LiveResult is the outcome of the live audit.
type LiveResult struct {
	Calls  []EndpointCall `json:"calls"`
	Checks []*Check       `json:"checks"`
}

// AuditEndpoint runs the live audit: it calls the app's token endpoint (and
// update-mode endpoint) as the app's client would, checks that a link_token
// comes back and, with an emulator, inspects the /link/token/create request
// the app's backend made. Every problem is a failed check, not an error.
func AuditEndpoint(ctx context.Context, o LiveOptions) *LiveResult {
	res := &LiveResult{}
	targets := []struct {
		prefix, url, body string
		step              int
		update            bool
	}{{"live.", o.Endpoint, o.Body, 1, false}, {"live.update.", o.UpdateEndpoint, o.UpdateBody, 3, true}}
	for _, t := range targets {
		if t.url == "" {
			continue
		}
		a := &liveAudit{o: o, prefix: t.prefix, step: t.step, update: t.update}
		call, checks := a.run(ctx, t.url, t.body)
		res.Calls = append(res.Calls, call)
		res.Checks = append(res.Checks, checks...)
	}
	return res
}

// linkTokenCreateTitle is the title of the check of the backend's request.
const linkTokenCreateTitle = "The backend's /link/token/create request is accepted"

// liveAudit audits one endpoint.
type liveAudit struct {
	o      LiveOptions
	prefix string
	step   int
	update bool
}

func (a *liveAudit) check(id, title string) *Check {
	return newCheck(a.prefix+id, a.step, KindLive, title)
}

func (a *liveAudit) run(ctx context.Context, target, body string) (EndpointCall, []*Check) {
	ctl := a.o.Emulator
	var since int64
	var ctlErr error
	if ctl != nil {
		since, ctlErr = latestSeq(ctx, ctl)
	}
	call := a.call(ctx, target, body)
	checks := []*Check{a.endpointCheck(call)}
	switch {
	case ctl == nil:
		return call, append(checks, a.check("link-token-create", linkTokenCreateTitle).manual(
			"Run `linkexplorer emulator`, point the app's backend at it (its Plaid base URL), and audit again with --emulator URL: the request the backend sends is then inspected field by field.",
			"not inspected: no emulator was given (--emulator, or LINKEXPLORER_EMULATOR_URL)"))
	case ctlErr != nil:
		return call, append(checks, a.check("link-token-create", linkTokenCreateTitle).fail(
			"Start the emulator (`linkexplorer emulator`) and pass its URL with --emulator.",
			"the emulator could not be asked for the requests it saw: %v", ctlErr))
	case call.HTTPStatus == 0:
		return call, checks // the app did not answer: nothing to inspect
	}
	return call, append(checks, a.inspect(ctx, ctl, since, call)...)
}

// call sends one request to the app as its client would.
func (a *liveAudit) call(ctx context.Context, target, body string) EndpointCall {
	method := cmp.Or(strings.ToUpper(a.o.Method), http.MethodPost)
	call := EndpointCall{Method: method, URL: target}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		call.Error = err.Error()
		return call
	}
	for k, vs := range a.o.Header {
		req.Header[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	client := a.o.HTTP
	if client == nil {
		client = &http.Client{Timeout: DefaultLiveTimeout}
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		call.took(time.Since(start))
		call.Error = err.Error()
		return call
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAppResponse))
	call.took(time.Since(start))
	call.HTTPStatus = resp.StatusCode
	if err != nil {
		call.Error = "reading the response: " + err.Error()
	}
	call.BodyShape = bodyShape(data, resp.Header.Get("Content-Type"))
	call.token, call.PlaidError = findLinkToken(data), findPlaidError(data)
	call.LinkToken = redact.Value(call.token)
	return call
}

// took records how long the call took.
func (c *EndpointCall) took(d time.Duration) {
	c.Duration, c.DurationMS = d, float64(d.Microseconds())/1000
}

// endpointCheck judges the app's answer: a link_token must come back.
func (a *liveAudit) endpointCheck(c EndpointCall) *Check {
	title := "The token endpoint returns a link_token"
	if a.update {
		title = "The update-mode token endpoint returns a link_token"
	}
	ms := fmt.Sprintf("%.1f ms", c.DurationMS)
	ch := a.check("token-endpoint", title).with(Evidence{Kind: "http", Path: c.Method + " " + c.URL, HTTPStatus: c.HTTPStatus, Note: ms})
	switch {
	case c.HTTPStatus == 0:
		return ch.fail("Start the app's backend, and check the URL, port and method (--method).",
			"no answer from %s after %s: %s", c.URL, ms, c.Error)
	case c.HTTPStatus < 200 || c.HTTPStatus > 299:
		return ch.fail(relayedAdvice(c.PlaidError), "HTTP %d after %s, body %s%s (the page would show \"Unable to fetch link_token\")",
			c.HTTPStatus, ms, cmp.Or(c.BodyShape, "empty"), relayedSummary(c.PlaidError))
	case c.token == "":
		return ch.fail("Return the link_token from /link/token/create as JSON, e.g. {\"link_token\": \"link-sandbox-…\"}.",
			"HTTP %d after %s, but no link_token in the body (at the top level or one level down): %s", c.HTTPStatus, ms, cmp.Or(c.BodyShape, "empty"))
	case !strings.HasPrefix(c.token, "link-"):
		return ch.fail("Return the link_token from /link/token/create; a public_key or public_token does not open Link any more.",
			"HTTP %d, but link_token %s is not a link_token (they start with link-<env>-)", c.HTTPStatus, c.LinkToken)
	}
	return ch.pass("HTTP %d after %s with link_token %s", c.HTTPStatus, ms, c.LinkToken)
}

// relayedSummary names a relayed Plaid error for a check's detail.
func relayedSummary(pe *PlaidError) string {
	if pe == nil {
		return ""
	}
	s := "; it relays Plaid's " + joinNonEmpty(": ", pe.Code, pe.Message)
	if pe.RequestID != "" {
		s += " (request_id " + pe.RequestID + ")"
	}
	return s
}

// relayedAdvice explains the Plaid error behind a failed token endpoint,
// from the shared explanation table.
func relayedAdvice(pe *PlaidError) string {
	if pe != nil {
		if ex, ok := flows.ExplainMessage(pe.Code, pe.Message); ok {
			return ex.Meaning + " " + ex.NextStep
		}
	}
	return "Read the backend's log for the error of its /link/token/create call; `linkexplorer doctor` checks the usual causes (keys, PLAID_ENV, products, country codes, redirect_uri)."
}

// latestSeq returns the emulator's newest request sequence number.
func latestSeq(ctx context.Context, ctl *flows.Control) (int64, error) {
	since := int64(0)
	for {
		reqs, next, err := ctl.Requests(ctx, since, controlPage)
		if err != nil {
			return 0, err
		}
		since = next
		if len(reqs) < controlPage {
			return since, nil
		}
	}
}

// controlPage is how many requests are asked of the emulator at once.
const controlPage = 1000

// requestsSince returns the requests the emulator served after since.
func requestsSince(ctx context.Context, ctl *flows.Control, since int64) ([]flows.ObservedRequest, int64, error) {
	var all []flows.ObservedRequest
	for {
		reqs, next, err := ctl.Requests(ctx, since, controlPage)
		if err != nil {
			return all, since, err
		}
		all, since = append(all, reqs...), next
		if len(reqs) < controlPage {
			return all, since, nil
		}
	}
}

// findLinkToken returns the link_token of a JSON body: at the top level, or
// in an object one level down.
func findLinkToken(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	if s, ok := stringField(top, "link_token"); ok {
		return s
	}
	for _, k := range sortedKeys(top) {
		var inner map[string]json.RawMessage
		if json.Unmarshal(top[k], &inner) == nil {
			if s, ok := stringField(inner, "link_token"); ok {
				return s
			}
		}
	}
	return ""
}

// findPlaidError returns the Plaid error object of a JSON body: at the top
// level or one level down ({"error": {…}}).
func findPlaidError(body []byte) *PlaidError {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	candidates := []json.RawMessage{body}
	for _, k := range sortedKeys(top) {
		candidates = append(candidates, top[k])
	}
	for _, raw := range candidates {
		var pe PlaidError
		if json.Unmarshal(raw, &pe) == nil && pe.Code != "" {
			return &pe
		}
	}
	return nil
}

func stringField(m map[string]json.RawMessage, key string) (string, bool) {
	var s string
	if raw, ok := m[key]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
		return s, true
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// bodyShape describes a body without its values: JSON keys with value
// types (two levels deep), or the content type, size and a masked snippet.
func bodyShape(body []byte, contentType string) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		return shapeOf(v, 2)
	}
	snippet := strings.Join(strings.Fields(redact.Text(string(body))), " ")
	if r := []rune(snippet); len(r) > 80 {
		snippet = string(r[:80]) + "…"
	}
	return fmt.Sprintf("%s, %d bytes, not JSON: %q", cmp.Or(contentType, "no Content-Type"), len(body), snippet)
}

func shapeOf(v any, depth int) string {
	switch x := v.(type) {
	case map[string]any:
		if depth == 0 {
			return "{…}"
		}
		parts := make([]string, 0, len(x))
		for _, k := range sortedKeys(x) {
			parts = append(parts, fmt.Sprintf("%q: %s", k, shapeOf(x[k], depth-1)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		return fmt.Sprintf("array(%d)", len(x))
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// inspect finds the /link/token/create request the backend made during the
// call and checks its fields.
func (a *liveAudit) inspect(ctx context.Context, ctl *flows.Control, since int64, call EndpointCall) []*Check {
	seen := a.check("link-token-create", linkTokenCreateTitle)
	reqs, _, err := requestsSince(ctx, ctl, since)
	if err != nil {
		return []*Check{seen.fail("Check that the emulator is still running.", "the emulator's request log could not be read: %v", err)}
	}
	d, found, err := a.pick(ctx, ctl, reqs, call.token)
	switch {
	case err != nil:
		return []*Check{seen.fail("Check that the emulator is still running.", "%v", err)}
	case !found:
		return []*Check{seen.fail(
			"Point the app's backend at the emulator: its Plaid base URL (plaid-node basePath, plaid-python host, PLAID_ENV) must be "+ctl.BaseURL+".",
			"the emulator at %s saw no /link/token/create during the call: the backend talks to another Plaid host, or did not create a token", ctl.BaseURL)}
	}
	ev := requestEvidence(d.ObservedRequest, "")
	seen.with(ev)
	if d.Status == http.StatusOK {
		seen.pass("Plaid (the emulator) accepted it: request_id %s", d.RequestID)
	} else {
		seen.fail(explainCode(d.ErrorCode, responseMessage(d.ResponseBody)), "Plaid (the emulator) refused it with %s (request_id %s)", cmp.Or(d.ErrorCode, fmt.Sprint("HTTP ", d.Status)), d.RequestID)
	}
	var body map[string]any
	if err := json.Unmarshal(d.RequestBody, &body); err != nil {
		return []*Check{seen, a.check("request-body", "The /link/token/create body is JSON").with(ev).fail(
			"Send a JSON body, as the Plaid client libraries do.", "the body the emulator recorded is not a JSON object: %v", err)}
	}
	update := a.update || body["access_token"] != nil
	return append([]*Check{seen}, a.fields(body, update, ev)...)
}

// pick chooses the /link/token/create request of the call: the one that
// returned the link_token the app answered with, else the last one.
func (a *liveAudit) pick(ctx context.Context, ctl *flows.Control, reqs []flows.ObservedRequest, token string) (flows.ObservedRequestDetail, bool, error) {
	var last flows.ObservedRequestDetail
	found := false
	for _, r := range reqs {
		if r.Path != "/link/token/create" {
			continue
		}
		d, err := ctl.Request(ctx, r.Seq)
		if err != nil {
			return d, false, fmt.Errorf("the emulator's record of request %d (request_id %s) could not be read: %w", r.Seq, r.RequestID, err)
		}
		last, found = d, true
		if token != "" && responseToken(d.ResponseBody) == token {
			return d, true, nil
		}
	}
	return last, found, nil
}

// responseToken is the link_token of a /link/token/create response body.
func responseToken(body json.RawMessage) string {
	var r struct {
		LinkToken string `json:"link_token"`
	}
	_ = json.Unmarshal(body, &r) // no token in a body that is not JSON
	return r.LinkToken
}

// responseMessage is the error_message of an error response body.
func responseMessage(body json.RawMessage) string {
	var r PlaidError
	_ = json.Unmarshal(body, &r) // no message in a body that is not JSON
	return r.Message
}

// explainCode is the shared table's advice for a Plaid error code.
func explainCode(code, message string) string {
	if ex, ok := flows.ExplainMessage(code, message); ok {
		return ex.Meaning + " " + ex.NextStep
	}
	return "Read the error_message of the response; `linkexplorer doctor` checks the usual causes."
}

// requestEvidence is the evidence of one emulator request.
func requestEvidence(r flows.ObservedRequest, note string) Evidence {
	return Evidence{Kind: "request", RequestID: r.RequestID, Seq: r.Seq, Path: r.Path, HTTPStatus: r.Status, Note: note}
}
