package flows_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/headless"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// chromiumProfiles counts the profile directories of headless Chromium in
// the temporary directory dir.
func chromiumProfiles(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, headless.ProfilePrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// TestPrewarmedBrowser: a Chromium launched before the Env (as
// linkexplorer run does) is the one the Env's Link step uses; an Env that
// has no use for it (not --browser auto), or that fails to build, closes
// it, its profile removed.
func TestPrewarmedBrowser(t *testing.T) {
	headlesstest.Need(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	url := flowstest.Emulator(t, emulator.Options{})
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vars := map[string]string{"PLAID_CLIENT_ID": flowstest.ClientID, "PLAID_SECRET": flowstest.Secret}
	cfg, err := flows.LoadConfig(func(k string) string { return vars[k] }, "", flows.Overrides{Mode: string(flows.ModeEmulated)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = url
	ctx := context.Background()

	t.Run("taken over", func(t *testing.T) {
		p := flows.PrewarmHeadless(ctx)
		env, err := flows.NewEnv(ctx, flows.EnvOptions{Config: cfg, Store: st, Browser: flows.BrowserAuto, Prewarmed: p})
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, "the prewarmed Chromium to run before any run starts", func() (bool, string) {
			n := chromiumProfiles(t, tmp)
			return n == 1, fmt.Sprintf("%d profiles", n)
		})
		f, _ := flows.FlowByName("quickstart")
		r, err := env.NewRun(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if rep := r.RunAll(testwait.Context(t)); !rep.OK {
			t.Fatalf("quickstart: %s", rep.Error)
		}
		r.Close()
		if n := chromiumProfiles(t, tmp); n != 1 {
			t.Errorf("%d Chromium profiles after the run, want 1: the prewarmed browser, used by the Link step", n)
		}
		if err := env.Close(); err != nil {
			t.Fatal(err)
		}
		if n := chromiumProfiles(t, tmp); n != 0 {
			t.Errorf("%d Chromium profiles after Env.Close", n)
		}
	})
	t.Run("not --browser auto", func(t *testing.T) {
		p := flows.PrewarmHeadless(ctx)
		env, err := flows.NewEnv(ctx, flows.EnvOptions{Config: cfg, Store: st, Browser: flows.BrowserNone, Prewarmed: p})
		if err != nil {
			t.Fatal(err)
		}
		defer env.Close()
		if n := chromiumProfiles(t, tmp); n != 0 {
			t.Errorf("%d Chromium profiles after NewEnv with --browser none, want the prewarmed one closed", n)
		}
	})
	t.Run("NewEnv fails", func(t *testing.T) {
		p := flows.PrewarmHeadless(ctx)
		if _, err := flows.NewEnv(ctx, flows.EnvOptions{Config: cfg, Browser: flows.BrowserAuto, Prewarmed: p}); err == nil {
			t.Fatal("NewEnv without a store succeeded")
		}
		if n := chromiumProfiles(t, tmp); n != 0 {
			t.Errorf("%d Chromium profiles after NewEnv failed, want the prewarmed one closed", n)
		}
	})
}
