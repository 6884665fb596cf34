package flows

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/browser"
	"github.com/linkexplorer/linkexplorer/internal/headless"
	"github.com/linkexplorer/linkexplorer/internal/redact"
	"github.com/linkexplorer/linkexplorer/store"
)

// supportedCountries are the country_codes of /link/token/create
// (reference §2.1).
const supportedCountries = "US, CA, GB, FR, ES, NL, IE, DE, IT, PL, DK, NO, SE, EE, LT, LV, PT, BE"

// fixKeys says where the keys come from.
const fixKeys = "Set PLAID_CLIENT_ID and PLAID_SECRET (Dashboard → Developers → Keys; the Sandbox secret) in the environment or a .env file, or run offline with --mode emulated."

func (d *doctor) credentialsCheck() Check {
	c := Check{ID: "credentials", Title: "Credentials (PLAID_CLIENT_ID, PLAID_SECRET)"}
	id, secret := d.vars["PLAID_CLIENT_ID"], d.vars["PLAID_SECRET"]
	var missing []string
	if id == "" {
		missing = append(missing, "PLAID_CLIENT_ID")
	}
	if secret == "" {
		missing = append(missing, "PLAID_SECRET")
	}
	if d.cfg.Mode == ModeEmulated {
		return d.offlineCredentials(c, missing)
	}
	local := ""
	switch len(missing) {
	case 1:
		local = missing[0] + " is not set"
	case 2:
		local = "neither PLAID_CLIENT_ID nor PLAID_SECRET is set"
	}
	v, asked := d.live["credentials"]
	switch {
	case asked && v.err != nil:
		c.Status, c.ErrorCode, c.RequestID = CheckFail, v.err.Code, v.err.RequestID
		c.Detail = joinSentences(local, fmt.Sprintf("%s refused them: %s: %s (request_id %s)", d.judge, v.err.Code, v.err.Message, v.err.RequestID))
		c.Fix = fixKeys
		if ex, ok := ExplainMessage(v.err.Code, v.err.Message); ok && local == "" {
			c.Fix = ex.NextStep
		}
	case asked && v.otherErr != nil:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("no answer from %s: %v", d.judge, v.otherErr)
		c.Fix = "Check your network and the API URL (PLAID_API_URL or --plaid-url; unset, it is " + DefaultPlaidURL + ")."
	case local != "":
		c.Status, c.Detail, c.Fix = CheckFail, local, fixKeys
	case asked:
		c.Status, c.RequestID = CheckPass, v.requestID
		c.Detail = fmt.Sprintf("client id %s and its secret accepted by %s (request_id %s)", redact.ClientID(id), d.judge, v.requestID)
	default:
		c.Status, c.Detail = CheckSkip, "not checked: there is no usable API URL (see the environment check)"
	}
	return c
}

// offlineCredentials is the credentials check in emulated mode.
func (d *doctor) offlineCredentials(c Check, missing []string) Check {
	c.Status = CheckSkip // DoctorReport.Note says how to check Plaid instead
	switch len(missing) {
	case 0:
		c.Detail = "offline (--mode emulated): your keys are set but not sent to the emulator, which accepts any"
	case 1:
		c.Status = CheckWarn
		c.Detail = missing[0] + " is not set, so linkexplorer runs offline against the emulator"
		c.Fix = "Set " + missing[0] + " too to use Plaid's Sandbox (Dashboard → Developers → Keys)."
	default:
		c.Detail = "offline: no PLAID_CLIENT_ID or PLAID_SECRET, so doctor checks against the emulator, which accepts any keys"
	}
	return c
}

func (d *doctor) environmentCheck() Check {
	c := Check{ID: "environment", Title: "Environment (PLAID_ENV, API URL)"}
	env := "PLAID_ENV is not set (sandbox)"
	if v := d.vars["PLAID_ENV"]; v != "" {
		env = "PLAID_ENV=" + v
	}
	var problems, fixes []string
	if err := checkEnv(d.vars["PLAID_ENV"]); err != nil {
		problems = append(problems, err.Error())
		fixes = append(fixes, "Set PLAID_ENV=sandbox (or remove it) and use the Sandbox secret from Dashboard → Developers → Keys.")
	}
	if d.urlErr != nil {
		problems = append(problems, d.urlErr.Error())
		fixes = append(fixes, "Unset PLAID_API_URL and --plaid-url to use "+DefaultPlaidURL+", or point them at a proxy or a linkexplorer emulator.")
	}
	if len(problems) > 0 {
		c.Status, c.Detail, c.Fix = CheckFail, strings.Join(problems, "; "), strings.Join(fixes, " ")
		return c
	}
	c.Status = CheckPass
	c.Detail = env + "; API " + d.cfg.BaseURL
	if d.cfg.Mode == ModeEmulated {
		c.Detail = env + "; " + d.rep.Target
	}
	return c
}

func (d *doctor) productsCheck() Check {
	c := Check{ID: "products", Title: "Products (PLAID_PRODUCTS)", Detail: "products " + strings.Join(d.cfg.Products, ", ")}
	var problems, fixes []string
	for _, p := range d.cfg.Products {
		switch {
		case p == "balance":
			problems = append(problems, "balance is not a product you request: balance data comes with every Item")
			fixes = append(fixes, "Remove balance from PLAID_PRODUCTS (call /accounts/balance/get on any Item).")
		case !plaid.Products(p).IsValid():
			problems = append(problems, fmt.Sprintf("%q is not a Plaid product (plaid-go v20 does not know it)", p))
			fixes = append(fixes, fmt.Sprintf("Fix or remove %q in PLAID_PRODUCTS: products are spelled as the API does, e.g. auth, transactions, identity, investments, liabilities, assets.", p))
		}
	}
	return d.judged(c, problems, strings.Join(fixes, " "), "them")
}

func (d *doctor) countriesCheck() Check {
	c := Check{ID: "country_codes", Title: "Country codes (PLAID_COUNTRY_CODES)", Detail: "country_codes " + strings.Join(d.cfg.CountryCodes, ", ")}
	var problems []string
	for _, cc := range d.cfg.CountryCodes {
		if !plaid.CountryCode(cc).IsValid() {
			problems = append(problems, fmt.Sprintf("%q is not a country code Plaid supports", cc))
		}
	}
	fix := ""
	if len(problems) > 0 {
		fix = "Use supported codes in PLAID_COUNTRY_CODES: " + supportedCountries + " (Production starts with US and CA; request others in the Dashboard)."
	}
	return d.judged(c, problems, fix, "them")
}

func (d *doctor) redirectCheck() Check {
	c := Check{ID: "redirect_uri", Title: "OAuth redirect URI (PLAID_REDIRECT_URI)"}
	raw := d.cfg.RedirectURI
	if raw == "" {
		c.Status = CheckSkip
		c.Detail = "not set: fine on desktop web, where OAuth banks open in a pop-up; a webview or mobile app needs an allowlisted redirect_uri. " +
			"The oauth flow then uses the callback page's own " + callbackRedirectExample(d.opts.CallbackAddr) + ": " + callbackRedirectAllowlist(d.cfg.Mode)
		return c
	}
	c.Detail = "redirect_uri " + raw
	problems := redirectProblems(raw)
	fix := ""
	if len(problems) > 0 {
		fix = nextRedirectURI
	}
	c = d.judged(c, problems, fix, "it")
	if c.Status == CheckFail && len(problems) == 0 && d.cfg.Mode == ModeEmulated {
		c.Fix += " Offline, the embedded emulator allows loopback URIs with the paths " + OAuthRedirectPath +
			" (the callback page's), /, /oauth, /oauth.html and /oauth-response.html on any port, and those a standalone emulator was started with (linkexplorer emulator --redirect-uri URI)."
	}
	return c
}

// callbackRedirectExample is the callback page's redirect_uri for
// --callback-addr (a placeholder port when it is picked at random).
func callbackRedirectExample(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "http://127.0.0.1:PORT" + OAuthRedirectPath
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + OAuthRedirectPath
}

// callbackRedirectAllowlist says where the callback page's redirect_uri
// must be allowlisted.
func callbackRedirectAllowlist(mode Mode) string {
	if mode == ModePlaid {
		return "add that exact URI in Dashboard → Developers → API → Allowed redirect URIs (fix the port with --callback-addr 127.0.0.1:PORT so it stays the same), or set PLAID_REDIRECT_URI to one already there"
	}
	return "the emulator allows it on any loopback port"
}

// redirectProblems checks a redirect_uri as reference §2.1 says: absolute,
// https (http only for localhost), no query string, fragment or wildcard.
func redirectProblems(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return []string{fmt.Sprintf("%q is not an absolute URL", raw)}
	}
	var out []string
	switch {
	case u.Scheme == "http" && !isLocalhost(u.Hostname()):
		out = append(out, "http is allowed only for localhost (in Sandbox): use https")
	case u.Scheme != "https" && u.Scheme != "http":
		out = append(out, fmt.Sprintf("the scheme %q is not https", u.Scheme))
	}
	if u.RawQuery != "" || u.ForceQuery {
		out = append(out, "it has a query string")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		out = append(out, "it has a fragment (#)")
	}
	if strings.Contains(raw, "*") {
		out = append(out, "it has a wildcard (*)")
	}
	return out
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func (d *doctor) webhookCheck() Check {
	c := Check{ID: "webhook", Title: "Webhook URL"}
	raw := d.cfg.Webhook
	if raw == "" {
		c.Status, c.Detail = CheckSkip, "none given (pass --webhook URL to check the one your server sends)"
		return c
	}
	c.Detail = "webhook " + raw
	var problems []string
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, fmt.Sprintf("%q is not an absolute http(s) URL", raw))
	}
	fix := ""
	if len(problems) > 0 {
		fix = "Use a full URL Plaid can reach, e.g. https://example.com/plaid/webhook, or leave webhook out."
	}
	c = d.judged(c, problems, fix, "it")
	if c.Status == CheckPass && u != nil && d.cfg.Mode == ModePlaid && d.judge == "Plaid" && isLocalhost(u.Hostname()) {
		c.Status = CheckWarn
		c.Detail += "; but Plaid cannot deliver webhooks to localhost"
		c.Fix = "Expose your webhook receiver on a public https URL (a tunnel such as ngrok, or a deployed host)."
	}
	return c
}

func (d *doctor) linkTokenCheck() Check {
	c := Check{ID: "link_token", Title: "/link/token/create with this configuration"}
	v, asked := d.live["link_token"]
	switch {
	case !asked && d.urlErr != nil:
		c.Status, c.Detail = CheckFail, "not tried: there is no usable API URL"
		c.Fix = "Fix the environment check above, then run linkexplorer doctor again."
	case !asked:
		c.Status, c.Detail = CheckFail, "not tried: "+d.rep.Target
		c.Fix = "The emulator listens on 127.0.0.1: check that loopback networking works, or check Plaid's Sandbox with your keys (--mode plaid)."
	case v.accepted:
		c.Status, c.RequestID = CheckPass, v.requestID
		c.Detail = fmt.Sprintf("%s created a link_token (request_id %s)", d.judge, v.requestID)
	case v.err != nil:
		c.Status, c.ErrorCode, c.RequestID = CheckFail, v.err.Code, v.err.RequestID
		c.Detail = fmt.Sprintf("%s refused it, so your app shows \"Unable to fetch link_token\": %s: %s (request_id %s)", d.judge, v.err.Code, v.err.Message, v.err.RequestID)
		if ex, ok := ExplainMessage(v.err.Code, v.err.Message); ok {
			c.Fix = ex.NextStep
		}
	default:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("no answer from %s: %v", d.judge, v.otherErr)
		c.Fix = "Check your network and the API URL (PLAID_API_URL or --plaid-url)."
	}
	return c
}

// callbackPortCheck binds the callback address as the callback server
// would, and lets it go.
func callbackPortCheck(addr string) Check {
	c := Check{ID: "callback_port", Title: "Callback page port (--callback-addr)"}
	bind, err := loopbackAddr(addr)
	if err != nil {
		c.Status, c.Detail = CheckFail, err.Error()
		c.Fix = "Use --callback-addr 127.0.0.1:PORT, or 127.0.0.1:0 for any free port."
		return c
	}
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		c.Status, c.Detail = CheckFail, listenError(bind, err).Error()
		c.Fix = "Stop what holds the port (see it with: lsof -i :PORT or ss -ltnp), or use another --callback-addr, e.g. 127.0.0.1:0 for any free port."
		return c
	}
	got := ln.Addr().String()
	ln.Close()
	c.Status = CheckPass
	c.Detail = got + " is free"
	if strings.HasSuffix(bind, ":0") {
		c.Detail = "a free loopback port is available (e.g. " + got + ")"
	}
	return c
}

// BrowserProbe finds the programs that get Link in front of a browser.
// Zero fields use the real lookups.
type BrowserProbe struct {
	// LookPath finds a program on PATH; nil is exec.LookPath.
	LookPath func(file string) (string, error)
	// Chromium finds headless Chromium for --browser auto; nil is
	// headless.Find.
	Chromium func() (string, error)
}

func (p BrowserProbe) check(mode BrowserMode, getenv func(string) string) Check {
	c := Check{ID: "browser", Title: "Browser (--browser " + string(mode) + ")"}
	switch mode {
	case BrowserNone:
		c.Status, c.Detail = CheckSkip, "--browser none: linkexplorer prints the callback page's URL and you open it yourself"
	case BrowserAuto:
		return p.chromiumCheck(c)
	default:
		return p.systemCheck(c, getenv)
	}
	return c
}

func (p BrowserProbe) chromiumCheck(c Check) Check {
	find := p.Chromium
	if find == nil {
		find = headless.Find
	}
	path, err := find()
	if err != nil {
		c.Status, c.Detail = CheckFail, "no headless Chromium for --browser auto: "+err.Error()
		c.Fix = "Install Chromium (e.g. apt-get install chromium), or use --browser system or --browser none and complete Link yourself."
		return c
	}
	c.Status, c.Detail = CheckPass, "headless Chromium at "+path+": the emulated Link's autopilot completes Link with no person"
	return c
}

func (p BrowserProbe) systemCheck(c Check, getenv func(string) string) Check {
	openers := browser.Openers()
	if openers == nil {
		c.Status, c.Detail = CheckPass, "Windows opens URLs in your default browser"
		return c
	}
	look := p.LookPath
	if look == nil {
		look = exec.LookPath
	}
	for _, name := range openers {
		path, err := look(name)
		if err != nil {
			continue
		}
		c.Status, c.Detail = CheckPass, name+" at "+path+" opens your default browser"
		if b := getenv("BROWSER"); b != "" {
			c.Detail += " ($BROWSER=" + b + ")"
		} else if runtime.GOOS == "linux" && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
			c.Status = CheckWarn
			c.Detail += ", but there is no graphical session (DISPLAY and WAYLAND_DISPLAY are unset), so it may have no browser to open"
			c.Fix = "Over SSH or in a container, use --browser none (open the printed URL yourself) or --browser auto (headless Chromium, offline)."
		}
		return c
	}
	c.Status = CheckFail
	c.Detail = "none of " + strings.Join(openers, ", ") + " is on PATH, so linkexplorer cannot open your browser"
	if b := getenv("BROWSER"); b != "" {
		c.Detail += " ($BROWSER=" + b + " is used only through xdg-open)"
	}
	c.Fix = "Install xdg-utils (e.g. apt-get install xdg-utils), or use --browser none (open the printed URL yourself) or --browser auto (headless Chromium, offline)."
	return c
}

// stateDirCheck checks that the session log's directory can be written,
// creating it as the session log would.
func stateDirCheck(dir string) Check {
	c := Check{ID: "state_dir", Title: "Session log directory (--state-dir)"}
	if dir == "" {
		c.Status, c.Detail = CheckSkip, "not checked: no state directory given"
		return c
	}
	c.Status, c.Detail = CheckPass, dir+" is writable"
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		var f *os.File
		if f, err = os.CreateTemp(dir, ".linkexplorer-doctor-*"); err == nil {
			f.Close()
			err = os.Remove(f.Name())
		}
	}
	if err != nil {
		c.Status, c.Detail = CheckFail, fmt.Sprintf("cannot write the session log in %s: %v", dir, err)
		c.Fix = "Make the directory writable, or choose another with --state-dir DIR (or LINKEXPLORER_HOME)."
		return c
	}
	// An existing session log must open as run and log open it: a corrupt
	// or foreign linkexplorer.db fails here, not at the next run.
	db := filepath.Join(dir, store.FileName)
	if _, err := os.Stat(db); err == nil {
		st, err := store.Open(dir)
		if err != nil {
			c.Status, c.Detail = CheckFail, fmt.Sprintf("the session log %s cannot be opened: %v", db, err)
			c.Fix = fmt.Sprintf("Move %s aside (it may be damaged or not a linkexplorer session log) so a new one is started, or choose another --state-dir.", db)
			return c
		}
		if err := st.Close(); err != nil {
			c.Status, c.Detail = CheckFail, fmt.Sprintf("the session log %s: %v", db, err)
			return c
		}
		c.Detail = dir + " is writable; the session log " + store.FileName + " opens"
	}
	return c
}
