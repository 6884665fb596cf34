package flows

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// envOf returns an env lookup backed by a map.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeDotenv(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigDefaultsToEmulated(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil), filepath.Join(t.TempDir(), "missing.env"), Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != ModeEmulated {
		t.Errorf("Mode = %q, want emulated", cfg.Mode)
	}
	if !reflect.DeepEqual(cfg.Products, []string{"auth", "transactions"}) || !reflect.DeepEqual(cfg.CountryCodes, []string{"US"}) {
		t.Errorf("Products %v, CountryCodes %v; want the quickstart defaults", cfg.Products, cfg.CountryCodes)
	}
	if cfg.ClientID != EmulatedClientID || cfg.Secret != EmulatedSecret || cfg.BaseURL != "" {
		t.Errorf("emulated credentials/base = %q %q %q", cfg.ClientID, cfg.Secret, cfg.BaseURL)
	}
	if got := cfg.Describe(); got != "Emulated sandbox (offline)" {
		t.Errorf("Describe() = %q", got)
	}
}

func TestLoadConfigModeResolution(t *testing.T) {
	both := map[string]string{"PLAID_CLIENT_ID": "5f2a8c1b9d3e4f6a7b8c9d0e", "PLAID_SECRET": "0123456789abcdef0123456789abcd"}
	tests := []struct {
		name    string
		env     map[string]string
		flag    string
		want    Mode
		wantErr string
	}{
		{"both credentials → plaid", both, "", ModePlaid, ""},
		{"only the id → emulated", map[string]string{"PLAID_CLIENT_ID": "x"}, "", ModeEmulated, ""},
		{"flag emulated wins over credentials", both, "emulated", ModeEmulated, ""},
		{"flag is case-insensitive", both, "PLAID", ModePlaid, ""},
		{"flag plaid without credentials", nil, "plaid", "", "PLAID_CLIENT_ID and PLAID_SECRET"},
		{"unknown flag", nil, "live", "", `unknown --mode "live"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tt.env), "", Overrides{Mode: tt.flag})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Mode != tt.want {
				t.Errorf("Mode = %q, want %q", cfg.Mode, tt.want)
			}
		})
	}
}

func TestLoadConfigEmulatedNeverCarriesRealKeys(t *testing.T) {
	env := map[string]string{"PLAID_CLIENT_ID": "real-id-000000000000", "PLAID_SECRET": "real-secret-0000000000"}
	cfg, err := LoadConfig(envOf(env), "", Overrides{Mode: "emulated"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Secret == env["PLAID_SECRET"] || cfg.ClientID == env["PLAID_CLIENT_ID"] {
		t.Error("emulated mode kept the user's real Plaid keys")
	}
}

func TestLoadConfigMissingCredentialsMentionsDotenv(t *testing.T) {
	_, err := LoadConfig(envOf(map[string]string{"PLAID_SECRET": "s"}), "", Overrides{Mode: "plaid"})
	if err == nil || !strings.Contains(err.Error(), ".env") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v; want one line mentioning the .env option", err)
	}
}

func TestLoadConfigPlaidEnv(t *testing.T) {
	tests := []struct{ env, wantErr string }{
		{"", ""},
		{"sandbox", ""},
		{"Sandbox", ""},
		{"development", "retired the Development environment in June 2024; use sandbox"},
		{"production", "only runs against Sandbox"},
		{"staging", "use sandbox"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			env := map[string]string{"PLAID_CLIENT_ID": "id0000000000000000", "PLAID_SECRET": "secret00000000000", "PLAID_ENV": tt.env}
			cfg, err := LoadConfig(envOf(env), "", Overrides{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.BaseURL != DefaultPlaidURL || cfg.Env != "sandbox" {
					t.Errorf("BaseURL %q Env %q", cfg.BaseURL, cfg.Env)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadConfigBaseURL(t *testing.T) {
	creds := func(url string) map[string]string {
		return map[string]string{"PLAID_CLIENT_ID": "5f2a8c1b9d3e4f6a7b8c9d0e", "PLAID_SECRET": "s000000000000000", "PLAID_API_URL": url}
	}
	tests := []struct {
		name, envURL, flagURL, want, wantErr string
	}{
		{"env override, trailing slash trimmed", "http://127.0.0.1:4010/", "", "http://127.0.0.1:4010", ""},
		{"flag wins over env", "http://127.0.0.1:4010", "https://proxy.example/plaid", "https://proxy.example/plaid", ""},
		{"not http", "ftp://x", "", "", "PLAID_API_URL"},
		{"no scheme", "sandbox.plaid.com", "", "", "not a valid API URL"},
		{"bad flag", "", "::", "", "--plaid-url"},
		{"production host refused", "https://production.plaid.com", "", "", "only runs against Sandbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(creds(tt.envURL)), "", Overrides{PlaidURL: tt.flagURL})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.BaseURL != tt.want {
				t.Errorf("BaseURL = %q, want %q", cfg.BaseURL, tt.want)
			}
			if !strings.Contains(cfg.Describe(), "via "+tt.want) || !strings.Contains(cfg.Describe(), "5f2a…9d0e") {
				t.Errorf("Describe() = %q", cfg.Describe())
			}
		})
	}
}

func TestLoadConfigDotenvAndPrecedence(t *testing.T) {
	path := writeDotenv(t, `# Plaid keys
export PLAID_CLIENT_ID="5f2a8c1b9d3e4f6a7b8c9d0e"
PLAID_SECRET='dotenv-secret-0000#notacomment'
PLAID_PRODUCTS=auth, Identity ,  # inline comment
PLAID_COUNTRY_CODES = us,ca

PLAID_REDIRECT_URI="http://localhost:3000/\"oauth\""
UNRELATED=ignored
`)
	env := map[string]string{"PLAID_SECRET": "env-secret-wins-000", "PLAID_COUNTRY_CODES": ""}
	cfg, err := LoadConfig(envOf(env), path, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Mode: ModePlaid, ClientID: "5f2a8c1b9d3e4f6a7b8c9d0e", Secret: "env-secret-wins-000",
		BaseURL: DefaultPlaidURL, Env: "sandbox",
		Products: []string{"auth", "identity"}, CountryCodes: []string{"US", "CA"},
		RedirectURI: `http://localhost:3000/"oauth"`,
		Language:    "en", ClientName: "linkexplorer", ClientUserID: "linkexplorer-user",
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}

	cfg, err = LoadConfig(envOf(nil), path, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Secret != "dotenv-secret-0000#notacomment" {
		t.Errorf("single-quoted value = %q", cfg.Secret)
	}
}

func TestLoadConfigDotenvErrors(t *testing.T) {
	tests := []struct{ content, want string }{
		{"PLAID_SECRET\n", "line 1: expected KEY=value"},
		{"\n\n1BAD=x\n", "line 3: expected KEY=value"},
		{`PLAID_SECRET="unterminated` + "\n", "line 1: unterminated \" quote"},
		{`PLAID_SECRET='a' trailing` + "\n", "line 1: unexpected text after the closing quote"},
	}
	for _, tt := range tests {
		_, err := LoadConfig(envOf(nil), writeDotenv(t, tt.content), Overrides{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("content %q: err = %v, want %q", tt.content, err, tt.want)
		}
	}
}

func TestLoadConfigDotenvUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory is not a readable .env file
	if _, err := LoadConfig(envOf(nil), dir, Overrides{}); err == nil {
		t.Fatal("reading a directory as .env did not fail")
	}
}

// TestLoadConfigDotenvByteOrderMark: a .env saved by a Windows editor
// starts with a UTF-8 byte-order mark (and may use CRLF); its first
// variable is read like any other.
func TestLoadConfigDotenvByteOrderMark(t *testing.T) {
	for name, content := range map[string]string{
		"LF":   "\ufeffPLAID_CLIENT_ID=bom-client-0001\nPLAID_SECRET=bom-secret-000000000001\n",
		"CRLF": "\ufeffPLAID_CLIENT_ID=bom-client-0001\r\nPLAID_SECRET=bom-secret-000000000001\r\n",
	} {
		cfg, err := LoadConfig(envOf(nil), writeDotenv(t, content), Overrides{Mode: string(ModePlaid)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.ClientID != "bom-client-0001" || cfg.Secret != "bom-secret-000000000001" {
			t.Errorf("%s: client_id %q, secret %q", name, cfg.ClientID, redact.Value(cfg.Secret))
		}
	}
	// A mark anywhere else is still an error, not silently dropped.
	if _, err := LoadConfig(envOf(nil), writeDotenv(t, "PLAID_SECRET=x\n\ufeffPLAID_CLIENT_ID=y\n"), Overrides{}); err == nil {
		t.Error("a byte-order mark on line 2 was accepted")
	}
}
