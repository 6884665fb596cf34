package flows

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
)

const (
	doctorClientID = "doctor-client-0123456789"
	doctorSecret   = "doctor-secret-0123456789"
	allowedURI     = "https://app.example.com/oauth-return"
)

// doctorEmulator serves an emulator that accepts only the doctor's keys
// and allowlists allowedURI.
func doctorEmulator(t *testing.T) string {
	t.Helper()
	opts := emulator.Options{ClientID: doctorClientID, Secret: doctorSecret, RedirectURIs: []string{allowedURI}}
	return emulatortest.Start(t, emulatortest.Options(opts)).URL
}

// plaidEnv is a plaid-mode environment pointing at url with the doctor's
// keys; extra entries override it ("" unsets).
func plaidEnv(url string, extra map[string]string) map[string]string {
	env := map[string]string{"PLAID_CLIENT_ID": doctorClientID, "PLAID_SECRET": doctorSecret, "PLAID_API_URL": url, "PLAID_ENV": "sandbox"}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// doctorOpts checks env with no browser, any free callback port and a
// temporary state directory; edit adjusts the options.
func runDoctor(t *testing.T, env map[string]string, edit func(*DoctorOptions)) DoctorReport {
	t.Helper()
	opts := DoctorOptions{
		Getenv:       func(k string) string { return env[k] },
		CallbackAddr: "127.0.0.1:0",
		Browser:      BrowserNone,
		StateDir:     t.TempDir(),
	}
	if edit != nil {
		edit(&opts)
	}
	return Doctor(context.Background(), opts)
}

// mustCheck returns the check id, failing the test if it is absent.
func mustCheck(t *testing.T, rep DoctorReport, id string) Check {
	t.Helper()
	c, ok := rep.Check(id)
	if !ok {
		t.Fatalf("no %s check in %+v", id, rep.Checks)
	}
	return c
}

// wantFail asserts that check id failed with fix text containing fix and,
// when code is set, Plaid's error_code with a request_id shown in the
// detail. It returns the check.
func wantFail(t *testing.T, rep DoctorReport, id, code, fix string) Check {
	t.Helper()
	c := mustCheck(t, rep, id)
	if c.Status != CheckFail || !strings.Contains(c.Fix, fix) {
		t.Errorf("%s: want a failure with fix %q, got %+v", id, fix, c)
	}
	if code != "" && (c.ErrorCode != code || c.RequestID == "" || !strings.Contains(c.Detail, c.RequestID)) {
		t.Errorf("%s: want %s with its request_id in the detail, got %+v", id, code, c)
	}
	if rep.OK {
		t.Errorf("%s failed but the report is OK", id)
	}
	return c
}

// wantStatus asserts check id's status.
func wantStatus(t *testing.T, rep DoctorReport, id string, want CheckStatus) Check {
	t.Helper()
	c := mustCheck(t, rep, id)
	if c.Status != want {
		t.Errorf("%s: want %s, got %+v", id, want, c)
	}
	return c
}

// fakeOpener puts an executable xdg-open (and x-www-browser) alone on
// PATH.
func fakeOpener(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"xdg-open", "x-www-browser", "open"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
}

func TestDoctorAllGreen(t *testing.T) {
	url := doctorEmulator(t)
	fakeOpener(t)
	env := plaidEnv(url, map[string]string{"PLAID_REDIRECT_URI": allowedURI, "PLAID_PRODUCTS": "auth,transactions", "PLAID_COUNTRY_CODES": "US,CA", "DISPLAY": ":0"})
	rep := runDoctor(t, env, func(o *DoctorOptions) {
		o.Webhook = "https://app.example.com/plaid/webhook"
		o.Browser = BrowserSystem
	})
	if !rep.OK || rep.Mode != ModePlaid || !strings.Contains(rep.Target, url) {
		t.Errorf("report: ok=%v mode=%s target=%q", rep.OK, rep.Mode, rep.Target)
	}
	for _, c := range rep.Checks {
		if c.Status != CheckPass {
			t.Errorf("%s: %+v", c.ID, c)
		}
	}
	for _, id := range []string{"credentials", "products", "country_codes", "redirect_uri", "webhook", "link_token"} {
		c := mustCheck(t, rep, id)
		if c.RequestID == "" || !strings.Contains(c.Detail, "the emulator at "+url) {
			t.Errorf("%s: want the emulator's request_id, got %+v", id, c)
		}
	}
	if c := mustCheck(t, rep, "credentials"); strings.Contains(c.Detail, doctorClientID) || strings.Contains(c.Detail, doctorSecret) {
		t.Errorf("credentials detail shows a key in full: %q", c.Detail)
	}
}

func TestDoctorWrongSecret(t *testing.T) {
	rep := runDoctor(t, plaidEnv(doctorEmulator(t), map[string]string{"PLAID_SECRET": "a-secret-of-another-environment"}), nil)
	c := wantFail(t, rep, "credentials", "INVALID_API_KEYS", "PLAID_ENV")
	if !strings.Contains(c.Fix, "Dashboard → Developers → Keys") {
		t.Errorf("fix does not say where the keys are: %q", c.Fix)
	}
	wantFail(t, rep, "link_token", "INVALID_API_KEYS", "PLAID_SECRET")
	// Nothing else could be judged, and nothing else is wrong.
	for _, id := range []string{"products", "country_codes"} {
		if c := wantStatus(t, rep, id, CheckPass); !strings.Contains(c.Detail, "credentials check failed first") {
			t.Errorf("%s: %q", id, c.Detail)
		}
	}
	for _, c := range rep.Checks {
		if strings.Contains(c.Detail+c.Fix, "a-secret-of-another-environment") {
			t.Errorf("%s shows the secret: %+v", c.ID, c)
		}
	}
}

func TestDoctorMissingCredentials(t *testing.T) {
	url := doctorEmulator(t)
	t.Run("client id", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_CLIENT_ID": ""}), func(o *DoctorOptions) { o.Overrides.Mode = "plaid" })
		c := wantFail(t, rep, "credentials", "MISSING_FIELDS", "Set PLAID_CLIENT_ID and PLAID_SECRET")
		if !strings.Contains(c.Detail, "PLAID_CLIENT_ID is not set") || !strings.Contains(c.Detail, "client_id") {
			t.Errorf("detail: %q", c.Detail)
		}
	})
	t.Run("both", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_CLIENT_ID": "", "PLAID_SECRET": ""}), func(o *DoctorOptions) { o.Overrides.Mode = "plaid" })
		c := wantFail(t, rep, "credentials", "MISSING_FIELDS", "--mode emulated")
		if !strings.Contains(c.Detail, "neither PLAID_CLIENT_ID nor PLAID_SECRET is set") {
			t.Errorf("detail: %q", c.Detail)
		}
	})
	t.Run("one of two, offline", func(t *testing.T) {
		env := map[string]string{"PLAID_CLIENT_ID": doctorClientID}
		rep := runDoctor(t, env, func(o *DoctorOptions) { o.StartEmulator = inProcessEmulator(t) })
		c := wantStatus(t, rep, "credentials", CheckWarn)
		if !strings.Contains(c.Fix, "Set PLAID_SECRET too") {
			t.Errorf("fix: %q", c.Fix)
		}
	})
}

func TestDoctorPlaidEnv(t *testing.T) {
	url := doctorEmulator(t)
	for env, want := range map[string]string{"development": "retired", "production": "refused", "staging": "not valid"} {
		t.Run(env, func(t *testing.T) {
			rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_ENV": env}), nil)
			c := wantFail(t, rep, "environment", "", "Set PLAID_ENV=sandbox")
			if !strings.Contains(c.Detail, "PLAID_ENV=") || !strings.Contains(c.Detail, env) || !strings.Contains(c.Detail, want) {
				t.Errorf("detail: %q", c.Detail)
			}
			wantStatus(t, rep, "link_token", CheckPass) // the keys still work against Sandbox
		})
	}
	t.Run("production API URL", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv("https://production.plaid.com", nil), nil)
		c := wantFail(t, rep, "environment", "", "Unset PLAID_API_URL")
		if !strings.Contains(c.Detail, "Production") {
			t.Errorf("detail: %q", c.Detail)
		}
		wantStatus(t, rep, "credentials", CheckSkip)
		wantFail(t, rep, "link_token", "", "Fix the environment check above")
	})
}

func TestDoctorProducts(t *testing.T) {
	url := doctorEmulator(t)
	t.Run("balance", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_PRODUCTS": "auth,balance"}), nil)
		c := wantFail(t, rep, "products", "INVALID_PRODUCT", "Remove balance from PLAID_PRODUCTS")
		if !strings.Contains(c.Detail, "balance data comes with every Item") {
			t.Errorf("detail: %q", c.Detail)
		}
		wantFail(t, rep, "link_token", "INVALID_PRODUCT", "Remove balance")
		// Asked again without the products, the emulator accepts the rest.
		wantStatus(t, rep, "credentials", CheckPass)
		if cc := wantStatus(t, rep, "country_codes", CheckPass); cc.RequestID == "" || cc.RequestID == c.RequestID {
			t.Errorf("country_codes should carry the second call's request_id: %+v", cc)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_PRODUCTS": "transactionz"}), nil)
		c := wantFail(t, rep, "products", "INVALID_PRODUCT", `Fix or remove "transactionz"`)
		if !strings.Contains(c.Detail, `"transactionz" is not a Plaid product`) {
			t.Errorf("detail: %q", c.Detail)
		}
	})
}

func TestDoctorCountryCode(t *testing.T) {
	rep := runDoctor(t, plaidEnv(doctorEmulator(t), map[string]string{"PLAID_COUNTRY_CODES": "US,XX"}), nil)
	c := wantFail(t, rep, "country_codes", "INVALID_FIELD", "PLAID_COUNTRY_CODES: US, CA, GB")
	if !strings.Contains(c.Detail, `"XX" is not a country code`) {
		t.Errorf("detail: %q", c.Detail)
	}
	wantStatus(t, rep, "products", CheckPass)
}

func TestDoctorRedirectURI(t *testing.T) {
	url := doctorEmulator(t)
	t.Run("not allowlisted", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_REDIRECT_URI": "https://app.example.com/other"}), nil)
		c := wantFail(t, rep, "redirect_uri", "INVALID_FIELD", "Dashboard → Developers → API → Allowed redirect URIs")
		if !strings.Contains(c.Detail, "OAuth redirect URI must be configured") {
			t.Errorf("detail: %q", c.Detail)
		}
		wantFail(t, rep, "link_token", "INVALID_FIELD", "Allowed redirect URIs")
	})
	t.Run("malformed", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_REDIRECT_URI": "http://app.example.com/cb?x=1"}), nil)
		c := wantFail(t, rep, "redirect_uri", "INVALID_FIELD", "no query string")
		for _, want := range []string{"http is allowed only for localhost", "query string"} {
			if !strings.Contains(c.Detail, want) {
				t.Errorf("detail lacks %q: %q", want, c.Detail)
			}
		}
	})
	t.Run("localhost", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_REDIRECT_URI": "http://localhost:3000/"}), nil)
		wantStatus(t, rep, "redirect_uri", CheckPass)
	})
	t.Run("unset", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, nil), func(o *DoctorOptions) { o.CallbackAddr = "127.0.0.1:8765" })
		c := wantStatus(t, rep, "redirect_uri", CheckSkip)
		// Against Plaid: the callback page's own redirect path, and where
		// to allowlist it.
		for _, want := range []string{"http://127.0.0.1:8765/oauth-return", "Allowed redirect URIs", "--callback-addr"} {
			if !strings.Contains(c.Detail, want) {
				t.Errorf("unset redirect_uri detail lacks %q: %q", want, c.Detail)
			}
		}
	})
	t.Run("loopback path not allowlisted", func(t *testing.T) {
		rep := runDoctor(t, plaidEnv(url, map[string]string{"PLAID_REDIRECT_URI": "http://localhost:3000/callback"}), nil)
		wantFail(t, rep, "redirect_uri", "INVALID_FIELD", "Allowed redirect URIs")
	})
}

func TestDoctorWebhook(t *testing.T) {
	url := doctorEmulator(t)
	rep := runDoctor(t, plaidEnv(url, nil), func(o *DoctorOptions) { o.Webhook = "/plaid/webhook" })
	c := wantFail(t, rep, "webhook", "INVALID_FIELD", "Use a full URL")
	if !strings.Contains(c.Detail, `"/plaid/webhook" is not an absolute http(s) URL`) {
		t.Errorf("detail: %q", c.Detail)
	}
	wantStatus(t, runDoctor(t, plaidEnv(url, nil), nil), "webhook", CheckSkip)
}

// TestDoctorEveryPartAtOnce breaks products, country codes, redirect_uri
// and webhook together: each is judged on its own call.
func TestDoctorEveryPartAtOnce(t *testing.T) {
	env := plaidEnv(doctorEmulator(t), map[string]string{"PLAID_PRODUCTS": "balance", "PLAID_COUNTRY_CODES": "XX", "PLAID_REDIRECT_URI": "https://evil.example.com/"})
	rep := runDoctor(t, env, func(o *DoctorOptions) { o.Webhook = "not a url" })
	ids := map[string]bool{}
	for _, id := range []string{"products", "country_codes", "redirect_uri", "webhook"} {
		c := mustCheck(t, rep, id)
		if c.Status != CheckFail || c.RequestID == "" || ids[c.RequestID] {
			t.Errorf("%s: want a failure with its own request_id, got %+v", id, c)
		}
		ids[c.RequestID] = true
	}
	if c := mustCheck(t, rep, "link_token"); c.Status != CheckFail || !ids[c.RequestID] {
		t.Errorf("link_token should show the first refusal, the one the app sees, got %+v", c)
	}
	wantStatus(t, rep, "credentials", CheckPass)
}

func TestDoctorCallbackPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	url := doctorEmulator(t)
	rep := runDoctor(t, plaidEnv(url, nil), func(o *DoctorOptions) { o.CallbackAddr = ln.Addr().String() })
	c := wantFail(t, rep, "callback_port", "", "another --callback-addr")
	if !strings.Contains(c.Detail, "already in use") {
		t.Errorf("detail: %q", c.Detail)
	}
	rep = runDoctor(t, plaidEnv(url, nil), func(o *DoctorOptions) { o.CallbackAddr = "0.0.0.0:8080" })
	wantFail(t, rep, "callback_port", "", "--callback-addr 127.0.0.1:PORT")
	if c := wantStatus(t, runDoctor(t, plaidEnv(url, nil), nil), "callback_port", CheckPass); !strings.Contains(c.Detail, "free loopback port") {
		t.Errorf("detail: %q", c.Detail)
	}
}

func TestDoctorNoBrowser(t *testing.T) {
	url := doctorEmulator(t)
	t.Setenv("PATH", t.TempDir())
	env := plaidEnv(url, map[string]string{"BROWSER": ""})
	rep := runDoctor(t, env, func(o *DoctorOptions) { o.Browser = BrowserSystem })
	c := wantFail(t, rep, "browser", "", "--browser none")
	if !strings.Contains(c.Detail, "xdg-open") || !strings.Contains(c.Fix, "xdg-utils") {
		t.Errorf("browser: %+v", c)
	}
	rep = runDoctor(t, env, func(o *DoctorOptions) {
		o.Browser = BrowserAuto
		o.Probe.Chromium = func() (string, error) { return exec.LookPath("chromium") } // an empty PATH
	})
	wantFail(t, rep, "browser", "", "Install Chromium")

	fakeOpener(t)
	rep = runDoctor(t, env, func(o *DoctorOptions) { o.Browser = BrowserSystem })
	if c := wantStatus(t, rep, "browser", CheckWarn); !strings.Contains(c.Detail, "no graphical session") {
		t.Errorf("browser without DISPLAY: %+v", c)
	}
}

// inProcessEmulator is DoctorOptions.StartEmulator over an in-process
// emulator that takes any keys, as the embedded one does.
func inProcessEmulator(t *testing.T) func(context.Context) (string, func(), error) {
	return func(context.Context) (string, func(), error) {
		srv, err := emulatortest.New()
		if err != nil {
			return "", nil, err
		}
		return srv.URL, func() { srv.Close() }, nil
	}
}

func TestDoctorOffline(t *testing.T) {
	rep := runDoctor(t, map[string]string{}, func(o *DoctorOptions) { o.StartEmulator = inProcessEmulator(t) })
	if !rep.OK || rep.Mode != ModeEmulated || !strings.HasPrefix(rep.Target, "offline: checking against the emulator") {
		t.Errorf("report: ok=%v mode=%s target=%q", rep.OK, rep.Mode, rep.Target)
	}
	if !strings.Contains(rep.Note, "PLAID_CLIENT_ID and PLAID_SECRET") || !strings.Contains(rep.Note, "--mode plaid") {
		t.Errorf("note: %q", rep.Note)
	}
	if c := wantStatus(t, rep, "credentials", CheckSkip); !strings.Contains(c.Detail, "offline") {
		t.Errorf("credentials: %+v", c)
	}
	if c := wantStatus(t, rep, "link_token", CheckPass); c.RequestID == "" {
		t.Errorf("link_token: %+v", c)
	}

	rep = runDoctor(t, plaidEnv("", nil), func(o *DoctorOptions) {
		o.Overrides.Mode = "emulated"
		o.StartEmulator = inProcessEmulator(t)
	})
	if c := wantStatus(t, rep, "credentials", CheckSkip); !strings.Contains(c.Detail, "not sent to the emulator") || !strings.Contains(rep.Note, "without --mode emulated") {
		t.Errorf("--mode emulated with keys: %+v, note %q", c, rep.Note)
	}

	env := map[string]string{"PLAID_REDIRECT_URI": "https://app.example.com/oauth"}
	rep = runDoctor(t, env, func(o *DoctorOptions) { o.StartEmulator = inProcessEmulator(t) })
	if c := wantFail(t, rep, "redirect_uri", "INVALID_FIELD", "Allowed redirect URIs"); !strings.Contains(c.Fix, "embedded emulator allows loopback URIs with the paths /oauth-return") {
		t.Errorf("redirect_uri offline: %+v", c)
	}

	rep = runDoctor(t, map[string]string{}, func(o *DoctorOptions) {
		o.StartEmulator = func(context.Context) (string, func(), error) { return "", nil, os.ErrPermission }
	})
	if c := wantFail(t, rep, "link_token", "", "loopback networking"); !strings.Contains(c.Detail, "the emulator did not start: permission denied") {
		t.Errorf("link_token: %+v", c)
	}
}

func TestDoctorUnreachableAPI(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	rep := runDoctor(t, plaidEnv(url, nil), nil)
	c := wantFail(t, rep, "credentials", "", "PLAID_API_URL")
	if !strings.Contains(c.Detail, "no answer from the API at "+url) {
		t.Errorf("detail: %q", c.Detail)
	}
	wantFail(t, rep, "link_token", "", "PLAID_API_URL")
}

func TestDoctorDotenv(t *testing.T) {
	url := doctorEmulator(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.env")
	os.WriteFile(good, []byte("PLAID_CLIENT_ID="+doctorClientID+"\nPLAID_SECRET='"+doctorSecret+"'\nPLAID_API_URL="+url+"\n"), 0o600)
	rep := runDoctor(t, map[string]string{}, func(o *DoctorOptions) { o.DotenvPath = good })
	if rep.Mode != ModePlaid || !rep.OK {
		t.Errorf(".env keys not used: mode %s, checks %+v", rep.Mode, rep.Checks)
	}
	bad := filepath.Join(dir, "bad.env")
	os.WriteFile(bad, []byte("PLAID_CLIENT_ID="+doctorClientID+"\nthis line is broken\n"), 0o600)
	rep = runDoctor(t, map[string]string{}, func(o *DoctorOptions) {
		o.DotenvPath = bad
		o.StartEmulator = inProcessEmulator(t)
	})
	if c := wantFail(t, rep, "dotenv", "", "KEY=value"); !strings.Contains(c.Detail, "line 2") {
		t.Errorf("dotenv: %+v", c)
	}
}

func TestDoctorBadMode(t *testing.T) {
	rep := runDoctor(t, map[string]string{}, func(o *DoctorOptions) {
		o.Overrides.Mode = "production"
		o.StartEmulator = inProcessEmulator(t)
	})
	wantFail(t, rep, "mode", "", "--mode emulated or --mode plaid")
	wantStatus(t, rep, "link_token", CheckPass)
}

func TestDoctorStateDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	rep := runDoctor(t, plaidEnv(doctorEmulator(t), nil), func(o *DoctorOptions) { o.StateDir = filepath.Join(file, "state") })
	wantFail(t, rep, "state_dir", "", "--state-dir")
}
