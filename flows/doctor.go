package flows

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

// CheckStatus is the outcome of one doctor check.
type CheckStatus string

// Check outcomes.
const (
	CheckPass CheckStatus = "pass"
	CheckWarn CheckStatus = "warn" // works, but something deserves a look
	CheckFail CheckStatus = "fail"
	CheckSkip CheckStatus = "skip" // nothing to check (e.g. no webhook set)
)

// Check is one thing Doctor looked at.
type Check struct {
	// ID is stable: dotenv, mode, credentials, environment, products,
	// country_codes, redirect_uri, webhook, link_token, callback_port,
	// browser or state_dir.
	ID     string      `json:"id"`
	Title  string      `json:"title"`
	Status CheckStatus `json:"status"`
	// Detail says what was found; Fix what to do about it.
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
	// ErrorCode and RequestID identify the Plaid answer behind the verdict.
	ErrorCode string `json:"error_code,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// DoctorReport is what Doctor found.
type DoctorReport struct {
	Mode Mode `json:"mode"`
	// Target names what the API checks ran against.
	Target string `json:"target"`
	// Note is advice about the run as a whole (e.g. how to check real
	// Sandbox instead of the emulator).
	Note   string  `json:"note,omitempty"`
	Checks []Check `json:"checks"`
	// OK is false when any check failed.
	OK bool `json:"ok"`
}

// Check returns the check with the given ID.
func (r DoctorReport) Check(id string) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// DoctorOptions configure Doctor. The configuration is read as LoadConfig
// reads it, but every problem becomes a check instead of an error.
type DoctorOptions struct {
	// Getenv reads the environment; nil is os.Getenv.
	Getenv func(string) string
	// DotenvPath is the .env file to read ("" reads none).
	DotenvPath string
	// Overrides are --mode and --plaid-url.
	Overrides Overrides
	// Webhook is the webhook URL to check, if any (Config.Webhook).
	Webhook string
	// CallbackAddr is --callback-addr ("" is 127.0.0.1:0).
	CallbackAddr string
	// Browser is --browser.
	Browser BrowserMode
	// StateDir is the session log's directory ("" skips its check).
	StateDir string
	// StartEmulator starts a fresh emulator for emulated mode and returns
	// its base URL and a func that stops it. flows cannot start one itself.
	StartEmulator func(ctx context.Context) (baseURL string, stop func(), err error)
	// Probe finds the programs that open Link.
	Probe BrowserProbe
}

// Doctor checks the causes behind "Unable to fetch link_token" (reference
// §5.3): the credentials and PLAID_ENV, the products, country codes,
// redirect_uri and webhook (first locally, then as Plaid judges them through
// /link/token/create), the callback port, the browser and the session
// log's directory. In emulated mode
// the API checks run against a fresh emulator from opts.StartEmulator.
func Doctor(ctx context.Context, opts DoctorOptions) DoctorReport {
	d := newDoctor(opts)
	if stop := d.connect(ctx); stop != nil {
		defer stop()
	}
	if d.client != nil {
		d.probe(ctx)
	}
	d.add(d.credentialsCheck())
	d.add(d.environmentCheck())
	d.add(d.productsCheck())
	d.add(d.countriesCheck())
	d.add(d.redirectCheck())
	d.add(d.webhookCheck())
	d.add(d.linkTokenCheck())
	d.add(callbackPortCheck(opts.CallbackAddr))
	d.add(opts.Probe.check(opts.Browser, d.getenv))
	d.add(stateDirCheck(opts.StateDir))
	d.rep.OK = true
	for _, c := range d.rep.Checks {
		if c.Status == CheckFail {
			d.rep.OK = false
		}
	}
	return d.rep
}

// doctor holds one Doctor run.
type doctor struct {
	opts   DoctorOptions
	getenv func(string) string
	vars   map[string]string // the configuration variables, as LoadConfig sees them
	cfg    Config
	urlErr error // the API URL is not usable
	judge  string
	client *plaid.APIClient
	live   map[string]verdict // by check ID, from probe
	rep    DoctorReport
}

// verdict is how the API judged one part of the configuration.
type verdict struct {
	accepted  bool
	requestID string    // of the call that accepted it
	err       *APIError // the refusal
	otherErr  error     // no Plaid answer (network, not a Plaid API)
}

func (d *doctor) add(c Check) { d.rep.Checks = append(d.rep.Checks, c) }

func newDoctor(opts DoctorOptions) *doctor {
	d := &doctor{opts: opts, getenv: opts.Getenv, live: map[string]verdict{}}
	if d.getenv == nil {
		d.getenv = os.Getenv
	}
	vars, err := readDotenv(opts.DotenvPath)
	if err != nil {
		d.add(Check{ID: "dotenv", Title: ".env file", Status: CheckFail, Detail: err.Error(),
			Fix: "Fix that line (KEY=value, optionally quoted) or remove it: linkexplorer does not start with it, and your app may misread it. The checks below ignore the file."})
		vars = map[string]string{}
	}
	for _, k := range configKeys {
		if v := strings.TrimSpace(d.getenv(k)); v != "" {
			vars[k] = v
		}
	}
	d.vars = vars
	// The emulated configuration carries the defaults (products, country
	// codes, language...) and fails only on what was reported above.
	d.cfg, _ = LoadConfig(func(k string) string { return vars[k] }, "", Overrides{Mode: string(ModeEmulated)})
	d.cfg.Webhook = strings.TrimSpace(opts.Webhook)
	mode, err := resolveMode(opts.Overrides.Mode, vars)
	if err != nil {
		d.add(Check{ID: "mode", Title: "Mode (--mode)", Status: CheckFail, Detail: err.Error() + "; checking offline",
			Fix: "Use --mode emulated or --mode plaid, or leave it out."})
		mode = ModeEmulated
	}
	d.cfg.Mode, d.rep.Mode = mode, mode
	return d
}

// connect points the doctor at the API: Plaid (or --plaid-url) in plaid
// mode, a fresh emulator in emulated mode. It returns what stops the
// emulator.
func (d *doctor) connect(ctx context.Context) (stop func()) {
	if d.cfg.Mode == ModeEmulated {
		return d.connectEmulator(ctx)
	}
	d.cfg.ClientID, d.cfg.Secret = d.vars["PLAID_CLIENT_ID"], d.vars["PLAID_SECRET"]
	d.cfg.BaseURL = DefaultPlaidURL
	raw, source := d.vars["PLAID_API_URL"], "PLAID_API_URL"
	if d.opts.Overrides.PlaidURL != "" {
		raw, source = d.opts.Overrides.PlaidURL, "--plaid-url"
	}
	if raw != "" {
		u, err := parseBaseURL(raw, source)
		if err != nil {
			d.urlErr = err
			d.rep.Target = "Plaid (no usable API URL)"
			return nil
		}
		d.cfg.BaseURL = u
	}
	d.rep.Target = d.cfg.Describe()
	d.judge = "Plaid"
	if d.cfg.BaseURL != DefaultPlaidURL {
		d.judge = "the API at " + d.cfg.BaseURL
		if isEmulator(ctx, d.cfg.BaseURL) {
			d.judge = "the emulator at " + d.cfg.BaseURL
		}
	}
	d.client = NewPlaidClient(d.cfg, nil)
	return nil
}

func (d *doctor) connectEmulator(ctx context.Context) (stop func()) {
	d.rep.Note = "To check your real Sandbox setup instead, set PLAID_CLIENT_ID and PLAID_SECRET (Dashboard → Developers → Keys) in the environment or .env, or run with --mode plaid."
	if d.vars["PLAID_CLIENT_ID"] != "" && d.vars["PLAID_SECRET"] != "" {
		d.rep.Note = "To check your keys against Plaid's Sandbox instead, run without --mode emulated."
	}
	if d.opts.StartEmulator == nil {
		d.rep.Target = "offline: no emulator to check against"
		return nil
	}
	url, stop, err := d.opts.StartEmulator(ctx)
	if err != nil {
		d.rep.Target = "offline: the emulator did not start: " + err.Error()
		return nil
	}
	d.cfg.BaseURL = url
	d.rep.Target = "offline: checking against the emulator at " + url
	d.judge = "the emulator"
	d.client = NewPlaidClient(d.cfg, nil)
	return stop
}

// The parts of a /link/token/create request that probe judges one by one.
var probedParts = []string{"products", "country_codes", "redirect_uri", "webhook"}

// probe asks the API for a link_token with the configuration. While it
// refuses one part (products, country codes, redirect_uri, webhook), that
// part gets the verdict and is replaced by a known-good value, and the API
// is asked again, so that each part is judged on its own: like fixing one
// thing at a time. The first answer is the link_token check's.
func (d *doctor) probe(ctx context.Context) {
	tr := d.tokenRequest()
	for attempt := 0; attempt <= len(probedParts); attempt++ {
		rid, err := d.createLinkToken(ctx, tr)
		if attempt == 0 {
			d.live["link_token"] = verdictOf(rid, err)
		}
		if err == nil {
			if _, ok := d.live["credentials"]; !ok {
				d.live["credentials"] = verdict{accepted: true, requestID: rid}
			}
			for _, part := range probedParts {
				if _, judged := d.live[part]; !judged && present(tr, part) {
					d.live[part] = verdict{accepted: true, requestID: rid}
				}
			}
			return
		}
		v := verdictOf(rid, err)
		if v.err == nil || credentialsRefused(v.err) {
			d.live["credentials"] = v
			return
		}
		if _, ok := d.live["credentials"]; !ok {
			d.live["credentials"] = verdict{accepted: true, requestID: v.err.RequestID} // auth passed, validation did not
		}
		part := partOf(v.err)
		if _, judged := d.live[part]; part == "" || judged {
			return // refused for another reason: the link_token check tells
		}
		d.live[part] = v
		tr = withoutPart(tr, part)
	}
}

// tokenRequest is the request run's create step sends, as configured.
func (d *doctor) tokenRequest() TokenRequest {
	c := d.cfg
	return TokenRequest{
		ClientName: c.ClientName, ClientUserID: c.ClientUserID, Products: c.Products,
		CountryCodes: c.CountryCodes, Language: c.Language, Webhook: c.Webhook, RedirectURI: c.RedirectURI,
	}
}

// createLinkToken calls /link/token/create and returns its request_id.
func (d *doctor) createLinkToken(ctx context.Context, tr TokenRequest) (string, error) {
	countries := make([]plaid.CountryCode, len(tr.CountryCodes))
	for i, c := range tr.CountryCodes {
		countries[i] = plaid.CountryCode(c)
	}
	req := plaid.NewLinkTokenCreateRequest(tr.ClientName, tr.Language, countries, *plaid.NewLinkTokenCreateRequestUser(tr.ClientUserID))
	req.SetProducts(products(tr.Products))
	if tr.Webhook != "" {
		req.SetWebhook(tr.Webhook)
	}
	if tr.RedirectURI != "" {
		req.SetRedirectUri(tr.RedirectURI)
	}
	resp, _, err := d.client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		return "", AsAPIError("/link/token/create", err)
	}
	if err := requireFields("/link/token/create", resp.GetRequestId(), "link_token", resp.GetLinkToken()); err != nil {
		return resp.GetRequestId(), err
	}
	return resp.GetRequestId(), nil
}

func verdictOf(requestID string, err error) verdict {
	if err == nil {
		return verdict{accepted: true, requestID: requestID}
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Code != "" {
		return verdict{err: ae}
	}
	return verdict{otherErr: err}
}

// credentialsRefused reports whether Plaid refused the keys rather than the
// request.
func credentialsRefused(e *APIError) bool {
	switch e.Code {
	case "INVALID_API_KEYS", "UNAUTHORIZED_ENVIRONMENT", "UNAUTHORIZED_ROUTE_ACCESS":
		return true
	case "MISSING_FIELDS":
		msg := strings.ToLower(e.Message)
		return strings.Contains(msg, "client_id") || strings.Contains(msg, "secret")
	}
	return false
}

// partOf tells which part of the request an error is about, "" if none of
// probedParts.
func partOf(e *APIError) string {
	msg := strings.ToLower(e.Message)
	switch {
	case e.Code == "INVALID_PRODUCT":
		return "products"
	case e.Code != "INVALID_FIELD":
		return ""
	case strings.Contains(msg, "redirect"):
		return "redirect_uri"
	case strings.Contains(msg, "webhook"):
		return "webhook"
	case strings.Contains(msg, "country"):
		return "country_codes"
	}
	return ""
}

// present reports whether the request sets part.
func present(tr TokenRequest, part string) bool {
	switch part {
	case "redirect_uri":
		return tr.RedirectURI != ""
	case "webhook":
		return tr.Webhook != ""
	}
	return true
}

// withoutPart replaces a refused part by a value Plaid accepts.
func withoutPart(tr TokenRequest, part string) TokenRequest {
	switch part {
	case "products":
		tr.Products = []string{"transactions"}
	case "country_codes":
		tr.CountryCodes = []string{"US"}
	case "redirect_uri":
		tr.RedirectURI = ""
	case "webhook":
		tr.Webhook = ""
	}
	return tr
}

// judged turns a local finding and the API's verdict into a check: the
// API's refusal fails it; its acceptance passes it (or warns, when the
// local check had doubts); without a verdict the local finding stands.
func (d *doctor) judged(c Check, problems []string, localFix, subject string) Check {
	v, asked := d.live[c.ID]
	local := strings.Join(problems, "; ")
	switch {
	case asked && v.err != nil:
		c.Status, c.ErrorCode, c.RequestID = CheckFail, v.err.Code, v.err.RequestID
		c.Detail = joinSentences(c.Detail, local, fmt.Sprintf("%s refused %s: %s: %s (request_id %s)", d.judge, subject, v.err.Code, v.err.Message, v.err.RequestID))
		c.Fix = localFix
		if ex, ok := ExplainMessage(v.err.Code, v.err.Message); ok && c.Fix == "" {
			c.Fix = ex.NextStep
		}
	case asked && v.accepted && local != "":
		c.Status, c.RequestID, c.Fix = CheckWarn, v.requestID, localFix
		c.Detail = joinSentences(c.Detail, local, fmt.Sprintf("but %s accepted %s (request_id %s)", d.judge, subject, v.requestID))
	case asked && v.accepted:
		c.Status, c.RequestID = CheckPass, v.requestID
		c.Detail = joinSentences(c.Detail, fmt.Sprintf("accepted by %s (request_id %s)", d.judge, v.requestID))
	case local != "":
		c.Status, c.Detail, c.Fix = CheckFail, joinSentences(c.Detail, local), localFix
	default:
		c.Status = CheckPass
		c.Detail = joinSentences(c.Detail, "not confirmed by the API: "+d.unaskedReason())
	}
	return c
}

// unaskedReason says why the API did not judge a part.
func (d *doctor) unaskedReason() string {
	cred, ok := d.live["credentials"]
	switch {
	case d.client == nil:
		return "no API to ask (see the environment check)"
	case ok && (cred.err != nil || cred.otherErr != nil):
		return "the credentials check failed first"
	}
	return "the API refused the request for another reason first (see the link_token check)"
}

// joinSentences joins the non-empty parts with "; ".
func joinSentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}
