package flows_test

import (
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
)

// init hands the shared test kit to the tests inside package flows, which
// cannot import it (see flows.NewKitEnv).
func init() {
	flows.NewKitEnv = func(t testing.TB, browser flows.BrowserMode, mode flows.Mode) (*flows.Env, string) {
		t.Helper()
		env := flowstest.New(t, flowstest.Options{Browser: browser, Mode: mode})
		return env.Env, env.EmulatorURL
	}
}
