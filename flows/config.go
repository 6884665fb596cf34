package flows

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Mode says which Plaid linkexplorer talks to.
type Mode string

// The modes.
const (
	// ModeEmulated runs against the embedded emulator of Plaid's Sandbox,
	// offline. It is the default.
	ModeEmulated Mode = "emulated"
	// ModePlaid runs against Plaid's real Sandbox with the user's keys.
	ModePlaid Mode = "plaid"
)

// DefaultPlaidURL is Plaid's Sandbox API.
const DefaultPlaidURL = "https://sandbox.plaid.com"

// The credentials used against the embedded emulator, which accepts any
// pair. The user's real keys are never sent to it.
const (
	EmulatedClientID = "linkexplorer-emulated-client"
	EmulatedSecret   = "linkexplorer-emulated-secret"
)

// Config is what a flow needs to talk to Plaid and to create link_tokens.
type Config struct {
	// Mode is emulated or plaid.
	Mode Mode
	// ClientID and Secret authenticate API calls. In emulated mode they are
	// EmulatedClientID and EmulatedSecret.
	ClientID, Secret string
	// BaseURL is the Plaid API's base URL, without a trailing slash. In
	// emulated mode it is empty until the caller has started the emulator
	// and set it to the emulator's URL.
	BaseURL string
	// Env is the Plaid environment: always "sandbox".
	Env string
	// Products and CountryCodes go into /link/token/create.
	Products, CountryCodes []string
	// RedirectURI is the OAuth redirect_uri, if any.
	RedirectURI string
	// Language is Link's language.
	Language string
	// ClientName is the app name Link shows.
	ClientName string
	// Webhook is the webhook URL given to /link/token/create, if any.
	Webhook string
	// ClientUserID is the non-PII user id given to /link/token/create.
	ClientUserID string
	// APITimeout bounds each API call, the whole answer included; 0 is
	// DefaultAPITimeout.
	APITimeout time.Duration
}

// Overrides are the command-line flags that take precedence over the
// environment. Empty fields override nothing.
type Overrides struct {
	// Mode is --mode: "emulated" or "plaid".
	Mode string
	// PlaidURL is --plaid-url, overriding PLAID_API_URL.
	PlaidURL string
}

// configKeys are the variables LoadConfig reads, from the environment or
// from the .env file.
var configKeys = []string{
	"PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_ENV", "PLAID_API_URL",
	"PLAID_PRODUCTS", "PLAID_COUNTRY_CODES", "PLAID_REDIRECT_URI",
}

// LoadConfig builds the configuration, as Plaid's quickstart does: each
// variable comes from the environment (env, usually os.Getenv) or, when unset
// there, from the .env file at dotenvPath (a missing file is fine; "" skips
// it). Flags win over both. The mode is the --mode flag, else plaid when both
// PLAID_CLIENT_ID and PLAID_SECRET are set, else emulated. Plaid mode runs
// only against Sandbox.
func LoadConfig(env func(string) string, dotenvPath string, flags Overrides) (Config, error) {
	vars, err := readDotenv(dotenvPath)
	if err != nil {
		return Config{}, err
	}
	for _, k := range configKeys {
		if v := strings.TrimSpace(env(k)); v != "" {
			vars[k] = v
		}
	}
	cfg := Config{
		Env:          "sandbox",
		Products:     splitList(vars["PLAID_PRODUCTS"], strings.ToLower),
		CountryCodes: splitList(vars["PLAID_COUNTRY_CODES"], strings.ToUpper),
		RedirectURI:  vars["PLAID_REDIRECT_URI"],
		Language:     "en",
		ClientName:   "linkexplorer",
		ClientUserID: "linkexplorer-user",
	}
	if len(cfg.Products) == 0 {
		cfg.Products = []string{"auth", "transactions"}
	}
	if len(cfg.CountryCodes) == 0 {
		cfg.CountryCodes = []string{"US"}
	}
	if cfg.Mode, err = resolveMode(flags.Mode, vars); err != nil {
		return Config{}, err
	}
	if cfg.Mode == ModeEmulated {
		cfg.ClientID, cfg.Secret = EmulatedClientID, EmulatedSecret
		return cfg, nil
	}
	return plaidConfig(cfg, vars, flags)
}

func resolveMode(flag string, vars map[string]string) (Mode, error) {
	switch Mode(strings.ToLower(strings.TrimSpace(flag))) {
	case ModeEmulated:
		return ModeEmulated, nil
	case ModePlaid:
		return ModePlaid, nil
	case "":
		if vars["PLAID_CLIENT_ID"] != "" && vars["PLAID_SECRET"] != "" {
			return ModePlaid, nil
		}
		return ModeEmulated, nil
	}
	return "", fmt.Errorf("unknown --mode %q: use emulated (offline, the default) or plaid (Plaid's Sandbox with your keys)", flag)
}

// plaidConfig finishes a plaid-mode configuration and checks it.
func plaidConfig(cfg Config, vars map[string]string, flags Overrides) (Config, error) {
	cfg.ClientID, cfg.Secret = vars["PLAID_CLIENT_ID"], vars["PLAID_SECRET"]
	if cfg.ClientID == "" || cfg.Secret == "" {
		return Config{}, errors.New("plaid mode needs PLAID_CLIENT_ID and PLAID_SECRET (your Sandbox keys from the Plaid Dashboard): set both in the environment or in a .env file, or use --mode emulated to run offline")
	}
	if err := checkEnv(vars["PLAID_ENV"]); err != nil {
		return Config{}, err
	}
	raw, source := vars["PLAID_API_URL"], "PLAID_API_URL"
	if flags.PlaidURL != "" {
		raw, source = flags.PlaidURL, "--plaid-url"
	}
	if raw == "" {
		cfg.BaseURL = DefaultPlaidURL
		return cfg, nil
	}
	u, err := parseBaseURL(raw, source)
	if err != nil {
		return Config{}, err
	}
	cfg.BaseURL = u
	return cfg, nil
}

func checkEnv(env string) error {
	switch strings.ToLower(env) {
	case "", "sandbox":
		return nil
	case "development":
		return errors.New("PLAID_ENV=development: Plaid retired the Development environment in June 2024; use sandbox")
	case "production":
		return errors.New("PLAID_ENV=production is refused: linkexplorer creates Items and deliberately breaks them (reset_login, invalidated tokens), so it only runs against Sandbox; use sandbox")
	}
	return fmt.Errorf("PLAID_ENV=%q is not valid: linkexplorer runs only against Plaid's Sandbox, so use sandbox (or leave it empty)", env)
}

// parseBaseURL checks an API base URL and returns it without a trailing
// slash.
func parseBaseURL(raw, source string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s=%q is not a valid API URL: want http(s)://host[:port][/path], e.g. %s", source, raw, DefaultPlaidURL)
	}
	switch strings.ToLower(u.Hostname()) {
	case "production.plaid.com":
		return "", fmt.Errorf("%s points at Plaid Production: linkexplorer creates and breaks Items, so it only runs against Sandbox (%s)", source, DefaultPlaidURL)
	case "development.plaid.com":
		return "", fmt.Errorf("%s points at Plaid Development, which Plaid retired in June 2024; use %s", source, DefaultPlaidURL)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// splitList splits a comma list, trimming and normalising each entry and
// dropping empty ones.
func splitList(s string, norm func(string) string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = norm(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Describe names the mode for a banner: "Emulated sandbox (offline)" or
// "Plaid Sandbox (client id abcd…wxyz)", with the API URL when it is not
// Plaid's.
func (c Config) Describe() string {
	if c.Mode != ModePlaid {
		return "Emulated sandbox (offline)"
	}
	d := "Plaid Sandbox (client id " + redact.ClientID(c.ClientID) + ")"
	if c.BaseURL != "" && c.BaseURL != DefaultPlaidURL {
		d += " via " + c.BaseURL
	}
	return d
}

// readDotenv reads a quickstart-style .env file: KEY=value lines, an
// optional "export " prefix, # comments, and single- or double-quoted
// values. A missing file yields no variables.
func readDotenv(path string) (map[string]string, error) {
	vars := map[string]string{}
	if path == "" {
		return vars, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return vars, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			// Windows editors (Notepad, PowerShell's Out-File) start UTF-8
			// files with a byte-order mark; it is not part of the first key.
			line = strings.TrimPrefix(line, "\ufeff")
		}
		key, val, ok, err := parseDotenvLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, n, err)
		}
		if ok {
			vars[key] = val
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return vars, nil
}

// parseDotenvLine parses one .env line; ok is false for blank lines and
// comments.
func parseDotenvLine(line string) (key, val string, ok bool, err error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", "", false, nil
	}
	line = strings.TrimPrefix(line, "export ")
	key, rest, found := strings.Cut(line, "=")
	key = strings.TrimSpace(key)
	if !found || !validEnvKey(key) {
		return "", "", false, errors.New("expected KEY=value")
	}
	val, err = parseDotenvValue(strings.TrimSpace(rest))
	return key, val, err == nil, err
}

func validEnvKey(k string) bool {
	if k == "" || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// parseDotenvValue unquotes a value: 'single' is literal, "double" knows the
// escapes \n \t \" \\, and an unquoted value ends at " #".
func parseDotenvValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch q := v[0]; q {
	case '\'', '"':
		end := closingQuote(v, q)
		if end < 0 {
			return "", fmt.Errorf("unterminated %c quote", q)
		}
		if tail := strings.TrimSpace(v[end+1:]); tail != "" && !strings.HasPrefix(tail, "#") {
			return "", fmt.Errorf("unexpected text after the closing quote: %q", tail)
		}
		if q == '\'' {
			return v[1:end], nil
		}
		return unescapeDouble(v[1:end]), nil
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v), nil
}

// closingQuote returns the index of the quote closing v[0], or -1.
func closingQuote(v string, q byte) int {
	for i := 1; i < len(v); i++ {
		switch {
		case v[i] == '\\' && q == '"':
			i++
		case v[i] == q:
			return i
		}
	}
	return -1
}

var doubleQuoteEscapes = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\"`, `"`, `\\`, `\`)

func unescapeDouble(s string) string { return doubleQuoteEscapes.Replace(s) }
