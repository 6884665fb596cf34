package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/audit"
	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
)

// runMigrateCmd runs "linkexplorer migrate args…" in-process.
func runMigrateCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"migrate"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// decodeReport parses a JSON report.
func decodeReport(t *testing.T, s string) audit.Report {
	t.Helper()
	var r audit.Report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, s)
	}
	return r
}

const fixtures = "../audit/testdata/"

func TestMigrateUsageErrors(t *testing.T) {
	t.Setenv("LINKEXPLORER_EMULATOR_URL", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "nothing to audit"},
		{[]string{"--src", ".", "--format", "html"}, "unknown report format"},
		{[]string{"--endpoint", "localhost:8000/api"}, "absolute http(s) URL"},
		{[]string{"--src", ".", "--observe", "1m"}, "--observe watches the emulator"},
		{[]string{"--endpoint", "http://localhost:1/x", "--body", "{nope"}, "not valid JSON"},
		{[]string{"--src", ".", "--header", "NoColon"}, `not "Name: value"`},
		{[]string{"--src", ".", "--tick", "manual.nope"}, "unknown check"},
		{[]string{"--src", ".", "extra"}, "unexpected arguments"},
	} {
		code, _, stderr := runMigrateCmd(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("migrate %v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if code, _, stderr := runMigrateCmd(t, "--src", filepath.Join(t.TempDir(), "missing")); code != exitFailure || !strings.Contains(stderr, "cannot be read") {
		t.Errorf("missing --src: exit %d, %q", code, stderr)
	}
}

func TestMigrateStaticExitCodes(t *testing.T) {
	t.Setenv("LINKEXPLORER_EMULATOR_URL", "")
	code, stdout, _ := runMigrateCmd(t, "--src", fixtures+"legacy")
	if code != exitFailure || !strings.Contains(stdout, "**Result: FAIL**") || !strings.Contains(stdout, "`server.js:42`") {
		t.Errorf("legacy: exit %d, report:\n%s", code, stdout)
	}
	code, stdout, _ = runMigrateCmd(t, "--src", fixtures+"migrated", "--format", "json")
	r := decodeReport(t, stdout)
	if code != exitOK || r.Summary.Fail != 0 || r.Summary.Result != audit.StatusManual {
		t.Errorf("migrated: exit %d, summary %+v", code, r.Summary)
	}
}

func TestMigrateChecklistKeepsTicks(t *testing.T) {
	t.Setenv("LINKEXPLORER_EMULATOR_URL", "")
	dir := t.TempDir()
	list, out := filepath.Join(dir, "checklist.json"), filepath.Join(dir, "report.json")
	code, stdout, _ := runMigrateCmd(t, "--src", fixtures+"migrated", "--checklist", list,
		"--tick", audit.ManualInvalidToken, "--tick", audit.ManualDashboardKeys, "--format", "json", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "Report written to "+out) {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if info, err := os.Stat(list); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("checklist file: %v, %v", info, err)
	}
	code, stdout, _ = runMigrateCmd(t, "--src", fixtures+"migrated", "--checklist", list, "--untick", audit.ManualDashboardKeys, "--format", "json")
	r := decodeReport(t, stdout)
	if c, _ := r.Check(audit.ManualInvalidToken); code != exitOK || !c.Ticked || c.Status != audit.StatusPass {
		t.Errorf("the tick did not survive: %+v", c)
	}
	if c, _ := r.Check(audit.ManualDashboardKeys); c.Ticked || c.Status != audit.StatusManual {
		t.Errorf("the untick did not count: %+v", c)
	}
	data, err := os.ReadFile(out)
	if err != nil || decodeReport(t, string(data)).Summary.Pass == 0 {
		t.Errorf("--out report: %v", err)
	}
	// A tick on a failing check is kept but does not count, and says so.
	_, _, stderr := runMigrateCmd(t, "--src", fixtures+"legacy", "--checklist", list, "--tick", "static.update-mode")
	if !strings.Contains(stderr, "static.update-mode is fail") {
		t.Errorf("no warning for an ineffective tick: %q", stderr)
	}
}

// TestMigrateLiveAgainstEmulator runs the whole command against a real
// emulator and a tiny app backend that uses plaid-go with an email as
// client_user_id.
func TestMigrateLiveAgainstEmulator(t *testing.T) {
	emuSrv := emulatortest.Start(t)
	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "acme")
	cfg.AddDefaultHeader("PLAID-SECRET", "acme-secret-123456")
	cfg.UseEnvironment(plaid.Environment(emuSrv.URL))
	client := plaid.NewAPIClient(cfg).PlaidApi
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := plaid.NewLinkTokenCreateRequest("Acme", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("jane@example.com"))
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
		resp, _, err := client.LinkTokenCreate(r.Context()).LinkTokenCreateRequest(*req).Execute()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"link_token": resp.GetLinkToken()})
	}))
	defer app.Close()

	t.Setenv("LINKEXPLORER_EMULATOR_URL", emuSrv.URL)
	code, stdout, stderr := runMigrateCmd(t, "--endpoint", app.URL+"/api/create_link_token", "--observe", "50ms", "--format", "json")
	r := decodeReport(t, stdout)
	if code != exitFailure || r.Emulator != emuSrv.URL {
		t.Fatalf("exit %d, emulator %q; stderr %s", code, r.Emulator, stderr)
	}
	for id, want := range map[string]audit.Status{
		"live.token-endpoint": audit.StatusPass, "live.link-token-create": audit.StatusPass,
		"live.client-user-id": audit.StatusFail, "live.language": audit.StatusPass,
	} {
		if c, ok := r.Check(id); !ok || c.Status != want {
			t.Errorf("%s = %+v, want %s", id, c, want)
		}
	}
	if !strings.Contains(stderr, "Watching the emulator") || !strings.Contains(stderr, "POST /link/token/create → 200") {
		t.Errorf("--observe printed:\n%s", stderr)
	}
}
