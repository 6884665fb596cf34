package flows

import "testing"

// NewKitEnv is flowstest.New, set by kit_test.go (package flows_test):
// flowstest imports flows, so the tests inside the package reach the
// shared kit through this hook. It is set once, before any test runs.
var NewKitEnv func(t testing.TB, browser BrowserMode, mode Mode) (env *Env, emulatorURL string)

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
	env, url := NewKitEnv(t, browser, mode)
	return &testEnv{Env: env, emuURL: url}
}
