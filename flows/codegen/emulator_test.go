package codegen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/codegen"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// recordedCalls runs the steps of the flows that need no browser (the
// quickstart's /link/token/create; update mode's Item, reset_login,
// /item/get and /accounts/get) against a fresh emulator and returns every
// call they made, bodies masked as the session log keeps them, with the
// environment the generated code needs (the Item's real access_token).
func recordedCalls(t *testing.T) (*flowstest.Env, []flows.Call, map[string]string) {
	t.Helper()
	ctx := testwait.Context(t)
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone})
	var calls []flows.Call
	run := func(name string, steps int, opts flows.RunOptions) *flows.Run {
		f, ok := flows.FlowByName(name)
		if !ok {
			t.Fatalf("no flow %s", name)
		}
		r, err := env.NewRunWith(ctx, f, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		for i := 0; i < steps; i++ {
			res := r.Next(ctx)
			if res.Status != flows.StatusOK {
				t.Fatalf("%s step %s: %s %v", name, res.Step, res.Status, res.Err)
			}
			calls = append(calls, res.Calls...)
		}
		return r
	}
	run("quickstart", 1, flows.RunOptions{})
	r := run("update-mode", 4, flows.RunOptions{NewItem: true})
	access, err := env.Store.AccessToken(ctx, r.ItemID())
	if err != nil || access == "" {
		t.Fatalf("the Item's access_token: %q %v", access, err)
	}
	vars := map[string]string{"PLAID_CLIENT_ID": flowstest.ClientID, "PLAID_SECRET": flowstest.Secret, "ACCESS_TOKEN": access}
	return env, calls, vars
}

// observed returns the body and status of the emulator's newest request to
// path after seq.
func observed(t *testing.T, ctl *flows.Control, since int64, path string) (json.RawMessage, int, int64) {
	t.Helper()
	ctx := testwait.Context(t)
	reqs, next, err := ctl.Requests(ctx, since, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Path == path {
			d, err := ctl.Request(ctx, reqs[i].Seq)
			if err != nil {
				t.Fatal(err)
			}
			return d.RequestBody, d.Status, next
		}
	}
	t.Fatalf("the emulator received no request to %s after #%d (it saw %d)", path, since, len(reqs))
	return nil, 0, next
}

// sameBody compares two masked bodies as JSON values.
func sameBody(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(want, &a); err != nil {
		t.Fatalf("%s: the step's body: %v", what, err)
	}
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatalf("%s: the emulator's body: %v", what, err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("%s: the generated code sent\n%s\nthe step sent\n%s", what, jb, ja)
	}
}

func environ(vars map[string]string) []string {
	env := os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// TestGeneratedCurlSendsTheStepsRequest runs the curl command generated
// for each recorded call against the emulator and checks the emulator
// received the body the step sent, and answered 200.
func TestGeneratedCurlSendsTheStepsRequest(t *testing.T) {
	_, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}

	env, calls, vars := recordedCalls(t)
	ctl := &flows.Control{BaseURL: env.EmulatorURL}
	_, since, _ := ctl.Requests(testwait.Context(t), 0, 0)
	checked := 0
	for _, c := range calls {
		if c.Endpoint == "/item/public_token/exchange" {
			continue // its public_token is spent: the Go test covers a fresh one
		}
		snip, err := codegen.Generate(codegen.Request{Path: c.Endpoint, Body: c.RequestBody, BaseURL: env.EmulatorURL, Emulated: true}, codegen.Curl)
		if err != nil {
			t.Fatalf("%s: %v", c.Endpoint, err)
		}
		for _, v := range snip.Env {
			if _, ok := vars[v]; !ok {
				t.Fatalf("%s: the snippet reads $%s, which the test cannot set", c.Endpoint, v)
			}
		}
		cmd := exec.CommandContext(testwait.Context(t), "sh", "-c", snip.Code)
		cmd.Env = environ(vars)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: the curl snippet failed: %v\n%s\n%s", c.Endpoint, err, snip.Code, out)
		}
		if !bytes.Contains(out, []byte(`"request_id"`)) {
			t.Errorf("%s: no request_id in curl's output:\n%s", c.Endpoint, out)
		}
		body, status, next := observed(t, ctl, since, c.Endpoint)
		since = next
		if status != c.HTTPStatus {
			t.Errorf("%s: the emulator answered %d to the curl snippet, %d to the step:\n%s", c.Endpoint, status, c.HTTPStatus, out)
		}
		sameBody(t, c.Endpoint+" (curl)", c.RequestBody, body)
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d calls were checked", checked)
	}
}

// TestGeneratedGoSendsTheStepsRequest compiles the plaid-go v20 program
// generated for each recorded call (in a module that resolves plaid-go
// v20.1.0 from the module cache, offline), runs it against the emulator,
// and checks the emulator received the body the step sent.
func TestGeneratedGoSendsTheStepsRequest(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	env, calls, vars := recordedCalls(t)
	ctx := testwait.Context(t)
	// A fresh public_token for the exchange: the step's own is spent.
	pt, _, err := env.Client.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(
		*plaidSandboxRequest()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	vars["PUBLIC_TOKEN"] = pt.GetPublicToken()

	mod := t.TempDir()
	writeModule(t, mod)
	type prog struct {
		call flows.Call
		dir  string
	}
	var progs []prog
	for i, c := range calls {
		snip, err := codegen.Generate(codegen.Request{Path: c.Endpoint, Body: c.RequestBody, BaseURL: env.EmulatorURL, Emulated: true}, codegen.Go)
		if err != nil {
			t.Fatalf("%s: %v", c.Endpoint, err)
		}
		dir := fmt.Sprintf("s%02d", i)
		if err := os.MkdirAll(filepath.Join(mod, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, dir, "main.go"), []byte(snip.Code), 0o644); err != nil {
			t.Fatal(err)
		}
		progs = append(progs, prog{c, dir})
	}
	bin := filepath.Join(mod, "bin")
	build := exec.CommandContext(ctx, goBin, "build", "-o", bin+string(filepath.Separator), "./...")
	build.Dir = mod
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		for _, p := range progs {
			src, _ := os.ReadFile(filepath.Join(mod, p.dir, "main.go"))
			t.Logf("%s (%s):\n%s", p.dir, p.call.Endpoint, src)
		}
		t.Fatalf("the generated Go does not compile: %v\n%s", err, out)
	}
	ctl := &flows.Control{BaseURL: env.EmulatorURL}
	_, since, _ := ctl.Requests(ctx, 0, 0)
	for _, p := range progs {
		cmd := exec.CommandContext(ctx, filepath.Join(bin, p.dir))
		cmd.Env = environ(vars)
		out, err := cmd.CombinedOutput()
		switch {
		case p.call.HTTPStatus != 200 && err == nil:
			t.Errorf("%s: the step got HTTP %d (%s), the Go snippet succeeded:\n%s", p.call.Endpoint, p.call.HTTPStatus, p.call.ErrorCode, out)
		case p.call.HTTPStatus != 200 && !bytes.Contains(out, []byte(p.call.ErrorCode)):
			t.Errorf("%s: the Go snippet did not report %s:\n%s", p.call.Endpoint, p.call.ErrorCode, out)
		case p.call.HTTPStatus == 200 && err != nil:
			t.Fatalf("%s: the Go snippet failed: %v\n%s", p.call.Endpoint, err, out)
		}
		if !bytes.Contains(out, []byte(`request_id`)) {
			t.Errorf("%s: no request_id in the program's output:\n%s", p.call.Endpoint, out)
		}
		body, status, next := observed(t, ctl, since, p.call.Endpoint)
		since = next
		if status != p.call.HTTPStatus {
			t.Errorf("%s: the emulator answered %d to the Go snippet, %d to the step:\n%s", p.call.Endpoint, status, p.call.HTTPStatus, out)
		}
		want := p.call.RequestBody
		if p.call.Endpoint == "/item/public_token/exchange" {
			want = maskedTail.ReplaceAll(want, nil)
			body = maskedTail.ReplaceAll(body, nil)
		}
		sameBody(t, p.call.Endpoint+" (Go)", want, body)
	}
	if len(progs) < 6 {
		t.Fatalf("only %d calls were checked", len(progs))
	}
}

// maskedTail is the last 4 characters a masked token shows, which differ
// between two public_tokens.
var maskedTail = regexp.MustCompile(`…[^"]{0,4}`)

// writeModule makes dir a module requiring what linkexplorer requires, so
// that plaid-go v20.1.0 resolves from the module cache with no network.
func writeModule(t *testing.T, dir string) {
	t.Helper()
	root := repoRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gomod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(gomod, []byte("module snippets"))
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644); err != nil {
		t.Fatal(err)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func plaidSandboxRequest() *plaid.SandboxPublicTokenCreateRequest {
	return plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})
}

// TestEveryOperationCompilesInGo writes the plaid-go program of every
// operation in the schema, each request filled with every property (to a
// depth: nested models, enums, dates, maps, arrays of models), and
// compiles them all against plaid-go v20.1.0.
func TestEveryOperationCompilesInGo(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a program per operation of the schema")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	spec, err := plaidspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	writeModule(t, mod)
	for i, p := range spec.Paths() {
		op, _ := spec.Op(p)
		body, _ := json.Marshal(codegen.SynthesizeForTest(op.Request))
		snip, err := codegen.Generate(codegen.Request{Path: p, Body: body, BaseURL: "http://127.0.0.1:1", Emulated: true}, codegen.Go)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		// One package, a function per operation, compiles far faster
		// than a program each.
		fn := fmt.Sprintf("op%03d", i)
		code := strings.Replace(snip.Code, "func main() {", "func "+fn+"() {", 1)
		if err := os.WriteFile(filepath.Join(mod, fn+".go"), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(mod, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(testwait.Context(t), goBin, "build", "-o", os.DevNull, ".")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the generated Go does not compile: %v\n%s", err, out)
	}
}
