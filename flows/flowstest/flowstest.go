// Package flowstest builds, for tests, the wiring linkexplorer runs with
// offline: the emulator of Plaid's Sandbox on a loopback port, a session
// log (a real SQLite file) in a temporary directory, and a flows.Env over
// both. Tests of flows and of what drives it (tui) share it instead of
// keeping copies.
//
// Tests inside package flows cannot import this package (it imports
// flows); they reach it through a hook that an external test file of
// package flows_test sets to New.
package flowstest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// The keys New configures. The emulator accepts any keys by default; in
// plaid mode they are required, as Plaid requires them.
const (
	ClientID = "test-client-id-0001"
	Secret   = "test-secret-000000000001"
)

// Options configure New.
type Options struct {
	// Browser is --browser: "" is flows.BrowserSystem, as
	// flows.ParseBrowserMode reads it.
	Browser flows.BrowserMode
	// Mode is --mode: "" is flows.ModeEmulated. In flows.ModePlaid the
	// emulator stands in for Plaid's Sandbox, as a standalone emulator
	// behind PLAID_API_URL would.
	Mode flows.Mode
}

// Env is a flows.Env over a fresh emulator and a fresh session log.
type Env struct {
	*flows.Env
	// EmulatorURL is the emulator's base URL (http://127.0.0.1:PORT).
	EmulatorURL string
}

// New starts an emulator and opens a store, and builds the flows.Env over
// them as linkexplorer does. All of it is closed when the test ends, and an
// error closing the Env (the session log not written) fails the test.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	url := Emulator(t, emulator.Options{})
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatalf("opening the session log: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	mode := opts.Mode
	if mode == "" {
		mode = flows.ModeEmulated
	}
	vars := map[string]string{"PLAID_CLIENT_ID": ClientID, "PLAID_SECRET": Secret}
	cfg, err := flows.LoadConfig(func(k string) string { return vars[k] }, "", flows.Overrides{Mode: string(mode)})
	if err != nil {
		t.Fatalf("configuration: %v", err)
	}
	cfg.BaseURL = url
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := flows.NewEnv(ctx, flows.EnvOptions{Config: cfg, Store: st, Browser: opts.Browser})
	if err != nil {
		t.Fatalf("flows.NewEnv: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("closing the env: %v", err)
		}
	})
	return &Env{Env: env, EmulatorURL: url}
}

// Emulator starts the emulator with opts on a loopback httptest server and
// returns its base URL. It is stopped when the test ends.
func Emulator(t testing.TB, opts emulator.Options) string {
	t.Helper()
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); emu.Close() })
	return srv.URL
}
