package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

// buildBinary compiles linkexplorer once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "linkexplorer-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "linkexplorer")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Dir = moduleRoot
		out, err := build.CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v", binErr)
	}
	return binPath
}

// startEmulator runs "linkexplorer emulator args..." and returns the URL it
// announced on stdout, and the running command.
func startEmulator(t *testing.T, args ...string) (string, *exec.Cmd, *bufio.Reader, *strings.Builder) {
	t.Helper()
	// The deadline kills an emulator that never announces itself or never
	// stops, so that the reads below end with a message instead of hanging.
	ctx, cancel := deadlineContext(t)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, buildBinary(t), append([]string{"emulator"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the announcement: %v (stderr: %s)", err, stderr.String())
	}
	m := regexp.MustCompile(`^emulator listening on (http://127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("announcement %q is not 'emulator listening on http://127.0.0.1:PORT'", line)
	}
	return m[1], cmd, out, &stderr
}

func TestEmulatorCommandServesPlaidGoAndStopsOnSIGTERM(t *testing.T) {
	url, cmd, stdout, stderr := startEmulator(t, "--addr", "127.0.0.1:0", "--client-id", "cid", "--secret", "s3cret")

	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "cid")
	cfg.AddDefaultHeader("PLAID-SECRET", "s3cret")
	cfg.UseEnvironment(plaid.Environment(url))
	client := plaid.NewAPIClient(cfg)
	req := plaid.NewLinkTokenCreateRequest("linkexplorer test", "en",
		[]plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("user-1"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH})
	resp, _, err := client.PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatalf("link/token/create through the command's emulator: %v", err)
	}
	if !strings.HasPrefix(resp.GetLinkToken(), "link-sandbox-") {
		t.Fatalf("link_token %q", resp.GetLinkToken())
	}

	// A wrong secret is refused, since --client-id/--secret were given.
	bad := plaid.NewConfiguration()
	bad.AddDefaultHeader("PLAID-CLIENT-ID", "cid")
	bad.AddDefaultHeader("PLAID-SECRET", "wrong")
	bad.UseEnvironment(plaid.Environment(url))
	_, _, err = plaid.NewAPIClient(bad).PlaidApi.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
	if perr, convErr := plaid.ToPlaidError(err); convErr != nil || perr.ErrorCode != "INVALID_API_KEYS" {
		t.Fatalf("wrong secret: got %v, want INVALID_API_KEYS", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stdout); rest <- string(b) }()
	more := <-rest // stdout closes when the emulator exits, or is killed at the deadline
	err = cmd.Wait()
	if cmd.ProcessState != nil && !cmd.ProcessState.Exited() {
		t.Fatalf("the emulator did not exit cleanly after SIGTERM: it was killed by a signal (SIGTERM unhandled, or the test's deadline) (stderr: %s)", stderr.String())
	}
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v (stderr: %s)", err, stderr.String())
	}
	if more != "" {
		t.Fatalf("stdout must hold exactly one line; it also had %q", more)
	}
	if strings.Contains(stderr.String(), "s3cret") {
		t.Fatalf("the secret appears in the logs:\n%s", stderr.String())
	}
}

func TestEmulatorCommandRefusesBusyPortAndRemoteAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	for name, args := range map[string][]string{
		"busy port":                    {"--addr", ln.Addr().String()},
		"non-loopback":                 {"--addr", "0.0.0.0:0"},
		"half credentials":             {"--client-id", "only-id"},
		"state in a missing directory": {"--state", filepath.Join(t.TempDir(), "missing", "emulator.json")},
		"state under a file":           {"--state", filepath.Join(buildBinary(t), "emulator.json")},
		"state is a directory":         {"--state", t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := execBinary(t, append([]string{"emulator"}, args...)...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Fatalf("stdout %q, want nothing", stdout)
			}
			// One line says what is wrong; a bad command line (half
			// credentials) adds where the help is.
			msg := strings.TrimSuffix(stderr, "Run 'linkexplorer emulator --help' for usage.\n")
			if lines := strings.Count(strings.TrimSpace(msg), "\n"); lines != 0 || !strings.HasPrefix(msg, "linkexplorer emulator: ") {
				t.Fatalf("want a one-line error, got:\n%s", stderr)
			}
			if strings.HasPrefix(name, "state") && !strings.Contains(msg, "state file") {
				t.Fatalf("the error does not name the state file: %s", msg)
			}
		})
	}
}
