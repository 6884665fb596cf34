package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// keyedEmulator serves an emulator that accepts only id/secret and
// allowlists redirect, and returns its URL.
func keyedEmulator(t *testing.T, id, secret, redirect string) string {
	t.Helper()
	return emulatortest.Start(t, emulatortest.Options(emulator.Options{RedirectURIs: []string{redirect}}),
		emulatortest.Credentials(id, secret)).URL
}

// doctorJSON runs doctor --json and decodes its report.
func doctorJSON(t *testing.T, args ...string) (flows.DoctorReport, int) {
	t.Helper()
	code, out, errOut := runCLI(append([]string{"doctor", "--json", "--state-dir", t.TempDir()}, args...)...)
	var rep flows.DoctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("doctor %v: stdout is not one JSON report (%v):\n%s\nstderr:\n%s", args, err, out, errOut)
	}
	return rep, code
}

func TestDoctorCLIOffline(t *testing.T) {
	cleanEnv(t)
	code, out, errOut := runCLI("doctor", "--browser", "none", "--state-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"linkexplorer doctor: offline: checking against the emulator at http://127.0.0.1:",
		"✓ /link/token/create with this configuration\n    the emulator created a link_token (request_id ",
		"- Credentials (PLAID_CLIENT_ID, PLAID_SECRET)",
		"To check your real Sandbox setup instead, set PLAID_CLIENT_ID and PLAID_SECRET",
		"0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorCLIWrongSecret(t *testing.T) {
	cleanEnv(t)
	url := keyedEmulator(t, "cli-client-id-0001", "cli-secret-0001", "https://app.example.com/cb")
	t.Setenv("PLAID_CLIENT_ID", "cli-client-id-0001")
	t.Setenv("PLAID_SECRET", "not-the-secret")
	t.Setenv("PLAID_API_URL", url)
	code, out, _ := runCLI("doctor", "--browser", "none", "--state-dir", t.TempDir())
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{"✗ Credentials", "INVALID_API_KEYS", "(request_id ", "Fix: Copy PLAID_CLIENT_ID and PLAID_SECRET", "2 failed", "fix the ✗ items"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not-the-secret") || strings.Contains(out, "cli-client-id-0001") {
		t.Errorf("output shows a key in full:\n%s", out)
	}
}

func TestDoctorCLIJSON(t *testing.T) {
	cleanEnv(t)
	url := keyedEmulator(t, "cli-client-id-0002", "cli-secret-0002", "https://app.example.com/cb")
	os.WriteFile(".env", []byte("PLAID_CLIENT_ID=cli-client-id-0002\nPLAID_SECRET=cli-secret-0002\nPLAID_PRODUCTS=balance\nPLAID_REDIRECT_URI=https://app.example.com/elsewhere\n"), 0o600)
	rep, code := doctorJSON(t, "--plaid-url", url, "--browser", "none", "--webhook", "plaid/webhook")
	if code != exitFailure || rep.OK || rep.Mode != flows.ModePlaid {
		t.Fatalf("exit %d, ok %v, mode %s", code, rep.OK, rep.Mode)
	}
	want := map[string]string{"products": "INVALID_PRODUCT", "redirect_uri": "INVALID_FIELD", "webhook": "INVALID_FIELD", "link_token": "INVALID_PRODUCT"}
	for id, errCode := range want {
		c, ok := rep.Check(id)
		if !ok || c.Status != flows.CheckFail || c.ErrorCode != errCode || c.RequestID == "" || c.Fix == "" {
			t.Errorf("%s: want a failure with %s, its request_id and a fix, got %+v", id, errCode, c)
		}
	}
	if c, _ := rep.Check("credentials"); c.Status != flows.CheckPass {
		t.Errorf("credentials from .env: %+v", c)
	}
}

func TestDoctorCLIPortAndBrowser(t *testing.T) {
	cleanEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("PATH", t.TempDir()) // no xdg-open, x-www-browser or www-browser
	t.Setenv("BROWSER", "")
	code, out, _ := runCLI("doctor", "--callback-addr", ln.Addr().String(), "--browser", "system", "--state-dir", t.TempDir())
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{"✗ Callback page port", "already in use", "✗ Browser (--browser system)", "Fix: Install xdg-utils"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorCLIUsage(t *testing.T) {
	cleanEnv(t)
	for _, args := range [][]string{{"doctor", "extra"}, {"doctor", "--mode", "bogus"}, {"doctor", "--browser", "firefox"}, {"doctor", "--nope"}} {
		if code, _, errOut := runCLI(args...); code != exitUsage || !isUsageError(errOut, "doctor") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, errOut)
		}
	}
	if code, out, _ := runCLI("doctor", "-h"); code != exitOK || !strings.Contains(out, "Unable to fetch link_token") {
		t.Errorf("-h: exit %d\n%s", code, out)
	}
	if _, out, _ := runCLI("help"); !strings.Contains(out, "\n  doctor ") {
		t.Errorf("usage does not list doctor:\n%s", out)
	}
}

// TestRunExplainsPlaidError provokes INVALID_PRODUCT in run and checks the
// explanation and next step, in the human output and the JSON report.
func TestRunExplainsPlaidError(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PLAID_PRODUCTS", "balance")
	code, out, _ := runCLI("run", "quickstart", "--browser", "none", "--state-dir", t.TempDir())
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{
		"FAILED", "INVALID_PRODUCT",
		"      What it means: balance is not a product you request",
		"      What to do: Remove balance from PLAID_PRODUCTS",
		"      Docs: https://plaid.com/docs/errors/invalid-input/#invalid_product",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("run output lacks %q:\n%s", want, out)
		}
	}
	rep, code, _ := runJSON(t, "quickstart", "--browser", "none", "--state-dir", t.TempDir())
	if code != exitFailure || len(rep.Steps) == 0 {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
	s := rep.Steps[0]
	if s.Status != "failed" || s.ErrorCode != "INVALID_PRODUCT" || !strings.Contains(s.Explanation, "balance data comes with every Item") || !strings.Contains(s.NextStep, "Remove balance") {
		t.Errorf("failed step: %+v", s)
	}
	for _, later := range rep.Steps[1:] {
		if later.Explanation != "" || later.NextStep != "" {
			t.Errorf("step %s has an explanation without an error: %+v", later.Name, later)
		}
	}
}

// TestDoctorFailsOnCorruptSessionLog: a linkexplorer.db that is not a
// SQLite session log makes run and log fail; doctor must fail on it too
// (exit 1, the state_dir check naming the file and what to do), not pass.
func TestDoctorFailsOnCorruptSessionLog(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, store.FileName)
	if err := os.WriteFile(db, bytes.Repeat([]byte("this is not a database\n"), 400), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"log", "--state-dir", dir}, {"run", "quickstart", "--browser", "none", "--state-dir", dir}} {
		if code, out, errOut := execBinary(t, args...); code == exitOK {
			t.Fatalf("%v passed on a corrupt session log:\n%s%s", args, out, errOut)
		}
	}
	code, out, errOut := execBinary(t, "doctor", "--browser", "none", "--state-dir", dir)
	if code != exitFailure {
		t.Fatalf("doctor: exit %d, want %d\n%s%s", code, exitFailure, out, errOut)
	}
	if !strings.Contains(out, "✗ Session log directory") || !strings.Contains(out, db+" cannot be opened") || !strings.Contains(out, "Move "+db+" aside") {
		t.Errorf("doctor does not name the corrupt session log:\n%s", out)
	}
	// A healthy one passes.
	good := t.TempDir()
	st, err := store.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, errOut := execBinary(t, "doctor", "--browser", "none", "--state-dir", good); code != exitOK || !strings.Contains(out, "the session log linkexplorer.db opens") {
		t.Errorf("doctor on a healthy session log: exit %d\n%s%s", code, out, errOut)
	}
}
