package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// cleanEnv keeps the developer's Plaid keys, .env and state directory out
// of a test: it runs in a temporary directory with no PLAID_ variables.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_ENV", "PLAID_API_URL",
		"PLAID_PRODUCTS", "PLAID_COUNTRY_CODES", "PLAID_REDIRECT_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("LINKEXPLORER_HOME", t.TempDir())
	t.Chdir(t.TempDir())
}

// isUsageError reports whether stderr is a usage error of cmd as Run
// prints it: the error, then where the help is, and no usage dump.
func isUsageError(stderr, cmd string) bool {
	return strings.HasPrefix(stderr, "linkexplorer "+cmd+": ") &&
		strings.HasSuffix(stderr, "\nRun 'linkexplorer "+cmd+" --help' for usage.\n") &&
		!strings.Contains(stderr, "Usage:") && !strings.Contains(stderr, "Flags:")
}

// runCLI runs linkexplorer in-process and returns its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// runJSON runs a flow with --json and decodes the report.
func runJSON(t *testing.T, args ...string) (flows.Report, int, string) {
	t.Helper()
	code, out, errOut := runCLI(append([]string{"run", "--json"}, args...)...)
	var rep flows.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("run %v: stdout is not one JSON report (%v):\n%s\nstderr:\n%s", args, err, out, errOut)
	}
	return rep, code, errOut
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// allEntries returns every entry matching f.
func allEntries(t *testing.T, st *store.Store, f store.Filter) []store.Entry {
	t.Helper()
	var out []store.Entry
	q := store.Query{Filter: f, Limit: store.MaxPageSize}
	for {
		page, err := st.Entries(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Entries...)
		if !page.More {
			return out
		}
		q.Before = page.Next
	}
}

// TestRunEachFlowAuto runs the three flows through the CLI with
// --browser=auto against the embedded emulator, one after the other in one
// state directory, and checks the store.
func TestRunEachFlowAuto(t *testing.T) {
	headlesstest.Need(t)
	cleanEnv(t)
	dir := t.TempDir()
	reports := map[string]flows.Report{}
	for _, name := range flows.FlowNames() {
		rep, code, errOut := runJSON(t, name, "--browser", "auto", "--state-dir", dir)
		if code != exitOK || !rep.OK || rep.Flow != name || rep.Mode != "emulated" {
			t.Fatalf("run %s: exit %d, report ok=%v error=%q\nstderr:\n%s", name, code, rep.OK, rep.Error, errOut)
		}
		if rep.DurationMS <= 0 { // numeric duration_ms at the top too (issue 12, item 24)
			t.Errorf("run %s: duration_ms %v", name, rep.DurationMS)
		}
		for _, s := range rep.Steps {
			if s.Status != "ok" || (s.Endpoint != "" && s.RequestID == "") || s.DurationMS <= 0 {
				t.Errorf("%s: step %+v", name, s)
			}
		}
		reports[name] = rep
	}
	st := openStore(t, dir)
	for name, rep := range reports {
		calls := allEntries(t, st, store.Filter{SessionID: rep.RunID, Kind: store.KindCall})
		if len(calls) == 0 {
			t.Errorf("%s: no calls recorded", name)
		}
		for _, e := range calls {
			if e.Call.RequestID == "" {
				t.Errorf("%s: %s has no request_id", name, e.Call.Endpoint)
			}
		}
		sess, err := st.Session(context.Background(), rep.RunID)
		if err != nil || sess.Status != store.SessionOK {
			t.Errorf("%s: session %+v, %v", name, sess, err)
		}
	}
	// The update-mode run repaired the Item quickstart made: the emulator
	// kept it in the state directory between the two processes' worth of
	// runs.
	if q, u := reports["quickstart"].ItemID, reports["update-mode"].ItemID; q != u {
		t.Errorf("update-mode used item %s, want quickstart's %s from the session log", u, q)
	}
	inv := reports["invalid-token"].RunID
	created := 0
	for _, e := range allEntries(t, st, store.Filter{SessionID: inv, Kind: store.KindCall}) {
		if e.Call.Endpoint == "/link/token/create" && e.Call.HTTPStatus == 200 {
			created++
		}
	}
	exits := 0
	for _, e := range allEntries(t, st, store.Filter{SessionID: inv, ErrorCode: "INVALID_LINK_TOKEN"}) {
		if e.Event != nil && e.Event.Kind == store.EventKindExit {
			exits++
		}
	}
	if created != 2 || exits != 1 {
		t.Errorf("invalid-token recorded %d link_tokens and %d INVALID_LINK_TOKEN exits, want 2 and 1", created, exits)
	}
}

func TestRunHumanOutput(t *testing.T) {
	headlesstest.Need(t)
	cleanEnv(t)
	code, out, errOut := runCLI("run", "invalid-token", "--browser=auto", "--state-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"[1/3] Create link_token #1 (create-link-token)", "POST /link/token/create -> 200, request_id ",
		"Link: onExit INVALID_LINK_TOKEN", "Link: page: destroyed", "Link: onSuccess, link_session_id ",
		"invalid-token: ok in ", "link_token #1 created, link-sandbox-…", "link_token #2 created, link-sandbox-…",
		"linkexplorer log --session ",
		// Each Link name is explained once, from flows' table.
		"            onExit: Link closed without linking", "            Your app: If error.error_code is INVALID_LINK_TOKEN",
		"            view CONSENT: The consent pane", "            INVALID_LINK_TOKEN: The link_token can no longer open Link",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errOut != "" {
		t.Errorf("stderr of a successful run = %q", errOut)
	}
	if n := strings.Count(out, "view CONSENT: "); n != 1 {
		t.Errorf("view CONSENT is explained %d times, want once a run:\n%s", n, out)
	}
}

func TestRunUsageErrors(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "name the flow to run"},
		{[]string{"run", "nosuch"}, `unknown flow "nosuch"`},
		{[]string{"run", "quickstart", "--browser", "chrome"}, `unknown --browser "chrome"`},
		{[]string{"run", "quickstart", "--mode", "live"}, `unknown --mode "live"`},
		{[]string{"run", "quickstart", "update-mode"}, "one flow at a time"},
		{[]string{"run", "--nosuchflag", "quickstart"}, "unknown flag: --nosuchflag"},
		{[]string{"run", "quickstart", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"run", "quickstart", "--code", "cobol"}, `unknown language "cobol"`},
		{[]string{"run", "quickstart", "--code", "go", "--json"}, "--json prints only the report"},
	} {
		code, out, errOut := runCLI(tc.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) || !isUsageError(errOut, "run") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
	}
	if code, out, _ := runCLI("run", "-h"); code != exitOK || !strings.Contains(out, "--browser") {
		t.Errorf("run -h: exit %d, %q", code, out)
	}
}

func TestRunConfigErrorIsOneLine(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PLAID_CLIENT_ID", "id-0123456789")
	t.Setenv("PLAID_SECRET", "secret-0123456789")
	t.Setenv("PLAID_ENV", "development")
	code, out, errOut := runCLI("run", "quickstart", "--state-dir", t.TempDir())
	if code != exitFailure || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "retired") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestRunNamedFlowAfterFlags(t *testing.T) {
	cleanEnv(t)
	// Flags before the flow name parse too; the run then fails at once on
	// an unusable callback address, which proves the flags were read.
	code, _, errOut := runCLI("run", "--callback-addr", "10.1.2.3:0", "--state-dir", t.TempDir(), "quickstart")
	if code != exitFailure || !strings.Contains(errOut, "loopback only") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestRunCtrlCCancelsCleanly interrupts a built linkexplorer while it waits
// for Link, with Ctrl-C, SIGTERM or a hangup (the terminal closed): it stops
// at once with exit code 130, and the session log keeps the run as
// cancelled.
func TestRunCtrlCCancelsCleanly(t *testing.T) {
	bin := buildBinary(t)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) { runStopsOn(t, bin, sig) })
	}
}

func runStopsOn(t *testing.T, bin string, sig os.Signal) {
	dir := t.TempDir()
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "quickstart", "--browser", "none", "--mode", "emulated", "--state-dir", dir)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	if !waitForLine(stdout, "in a browser to continue") {
		t.Fatalf("the run exited, or never waited for Link before the test's deadline\nstderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the run did not stop after %v before the test's deadline", sig)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("after %v: %v, want exit %d\n%s", sig, err, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr = %q", stderr.String())
	}
	st := openStore(t, dir)
	sess, err := st.LastSession(context.Background())
	if err != nil || sess.Status != store.SessionCancelled || sess.EndedAt.IsZero() {
		t.Errorf("session after %v = %+v, %v", sig, sess, err)
	}
}

// TestRunEmulatorAddr: --emulator-addr puts the embedded emulator where a
// user's own app expects it, and a taken or non-loopback address is one
// clear line naming the flag.
func TestRunEmulatorAddr(t *testing.T) {
	bin := buildBinary(t) // before cleanEnv leaves the module's directory
	cleanEnv(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct{ addr, want string }{
		{taken.Addr().String(), "already in use"},
		{"0.0.0.0:0", "not a loopback address"},
		{"nonsense", "cannot listen on --emulator-addr"},
	} {
		code, _, errOut := runCLI("run", "quickstart", "--emulator-addr", tc.addr, "--browser", "none", "--state-dir", t.TempDir())
		if code != exitFailure || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "--emulator-addr") {
			t.Errorf("--emulator-addr %s: exit %d, stderr %q", tc.addr, code, errOut)
		}
	}

	// A free fixed port: the emulator answers there while the run waits.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "quickstart", "--browser", "none", "--mode", "emulated", "--emulator-addr", addr, "--state-dir", t.TempDir())
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if !waitForLine(stdout, "in a browser to continue") {
		t.Fatal("the run exited, or never waited for Link before the test's deadline")
	}
	go io.Copy(io.Discard, stdout)
	resp, err := http.Get("http://" + addr + "/__emulator/health")
	if err != nil {
		t.Fatalf("the emulator is not at --emulator-addr %s: %v", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health at %s: %s", addr, resp.Status)
	}
}

// waitForLine reads r until a line contains want (true) or r ends (false):
// the process exited, or its deadline killed it.
func waitForLine(r io.Reader, want string) bool {
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		if strings.Contains(lines.Text(), want) {
			return true
		}
	}
	return false
}

// TestRunPrintsAFailureOnce (issue 12 item 24): a failed step's error is
// printed under the step, not again as the command's error line.
func TestRunPrintsAFailureOnce(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PLAID_PRODUCTS", "bogus_product")
	code, out, errOut := runCLI("run", "quickstart", "--browser=none", "--state-dir", t.TempDir())
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitFailure, out, errOut)
	}
	if n := strings.Count(out+errOut, "INVALID_PRODUCT"); n == 0 {
		t.Fatalf("the failure is not printed:\n%s\n%s", out, errOut)
	}
	if strings.Count(out, "FAILED (") != 1 || errOut != "" {
		t.Errorf("the failure is printed more than once (stdout FAILED lines %d, stderr %q):\n%s", strings.Count(out, "FAILED ("), errOut, out)
	}
	if !strings.Contains(out, "quickstart: FAILED in ") {
		t.Errorf("no summary line:\n%s", out)
	}
	// One duration format, the terminal app's: "142 ms", "4.2 ms", "1.3 s".
	if !regexp.MustCompile(`-> 400 INVALID_PRODUCT, request_id \S+ \(\d+(\.\d)? (ms|s)\)`).MatchString(out) {
		t.Errorf("the call's line lacks its duration as the app shows it:\n%s", out)
	}
	if m := regexp.MustCompile(`\d(ns|µs|ms|s)\b`).FindString(out); m != "" {
		t.Errorf("a duration in Go's format (%q):\n%s", m, out)
	}
}

// TestRunCode runs a flow with --code: each API call is printed as
// plaid-go code, and the Link step as its browser code with the
// INVALID_LINK_TOKEN recovery.
func TestRunCode(t *testing.T) {
	headlesstest.Need(t)
	cleanEnv(t)
	code, out, errOut := runCLI("run", "invalid-token", "--browser=auto", "--code", "go", "--state-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"--- /link/token/create as Go code ---", "client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(*request).Execute()",
		"cfg.UseEnvironment(plaid.Environment(\"http://127.0.0.1:", "note: The base URL http://127.0.0.1:",
		"--- the Link step in the browser ---", "handler.destroy();", "Plaid.create(",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "--- /link/token/create as Go code ---") != 2 {
		t.Errorf("want the code of both /link/token/create calls:\n%s", out)
	}
}

// TestRunOAuthAutoWithTheMistake runs the OAuth redirect flow as a built
// binary would, with --oauth-mistake: the store holds the handoff, the
// return from the bank, Link starting over, the recovery and the Item at
// Platypus OAuth Bank.
func TestRunOAuthAutoWithTheMistake(t *testing.T) {
	headlesstest.Need(t)
	cleanEnv(t)
	dir := t.TempDir()
	rep, code, errOut := runJSON(t, "oauth", "--browser", "auto", "--state-dir", dir, "--oauth-mistake")
	if code != exitOK || !rep.OK || rep.ItemID == "" {
		t.Fatalf("run oauth --oauth-mistake: exit %d, ok=%v error=%q\nstderr:\n%s", code, rep.OK, rep.Error, errOut)
	}
	st := openStore(t, dir)
	var seen []string
	for _, e := range allEntries(t, st, store.Filter{SessionID: rep.RunID, Kind: store.KindEvent}) {
		seen = append(seen, e.Event.Kind+":"+e.Event.EventName)
		if e.Event.Kind == store.EventKindSuccess && e.Event.InstitutionID != "ins_127287" {
			t.Errorf("onSuccess at %q, want ins_127287", e.Event.InstitutionID)
		}
	}
	for _, want := range []string{"event:OPEN_OAUTH", "page:oauth_return", "page:oauth_restarted", "page:destroyed", "success:"} {
		if !slices.Contains(seen, want) {
			t.Errorf("the session log lacks %s: %v", want, seen)
		}
	}
	sess, err := st.Session(context.Background(), rep.RunID)
	if err != nil || sess.Status != store.SessionOK {
		t.Errorf("session %+v, %v", sess, err)
	}

	code, _, errOut = runCLI("run", "quickstart", "--oauth-mistake")
	if code == exitOK || !strings.Contains(errOut, "--oauth-mistake is for the oauth flow") {
		t.Errorf("--oauth-mistake on quickstart: exit %d, %q", code, errOut)
	}
}
