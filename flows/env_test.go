package flows

import (
	"context"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/store"
)

// testEnv is an Env against a fresh in-process emulator, recording into a
// fresh store.
type testEnv struct {
	*Env
	emuURL string
}

func newTestEnv(t *testing.T, browser BrowserMode) *testEnv {
	t.Helper()
	return newTestEnvMode(t, browser, ModeEmulated)
}

// newTestEnvMode is newTestEnv in the given mode: in plaid mode the emulator
// stands in for Plaid's Sandbox, as a standalone emulator behind
// PLAID_API_URL would.
func newTestEnvMode(t *testing.T, browser BrowserMode, mode Mode) *testEnv {
	t.Helper()
	srv := emulatortest.Start(t)
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vars := map[string]string{"PLAID_CLIENT_ID": "test-client-id-0001", "PLAID_SECRET": "test-secret-000000000001"}
	cfg, err := LoadConfig(func(k string) string { return vars[k] }, "", Overrides{Mode: string(mode)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = srv.URL
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := NewEnv(ctx, EnvOptions{Config: cfg, Store: st, Browser: browser})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("closing the env: %v", err)
		}
	})
	return &testEnv{Env: env, emuURL: srv.URL}
}
