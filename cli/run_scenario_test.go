package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// runBinaryJSON runs the built linkexplorer with run --json and decodes
// its report; the state directory is dir.
func runBinaryJSON(t *testing.T, dir string, args ...string) (flows.Report, int, string) {
	t.Helper()
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, buildBinary(t), append([]string{"run", "--json", "--state-dir", dir}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LINKEXPLORER_HOME=" + t.TempDir()}
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("linkexplorer run %q did not finish before the test's deadline\nstderr:\n%s", args, errOut.String())
	}
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("linkexplorer run %q: %v", args, err)
	}
	var rep flows.Report
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("run %q: stdout is not one JSON report (%v):\n%s\nstderr:\n%s", args, err, out.String(), errOut.String())
	}
	return rep, code, errOut.String()
}

// TestRunSandboxCredentialsScenarios plays four Sandbox credentials
// lessons through the built binary with --browser auto (the emulated
// Link's autopilot types the credentials and answers) and checks the
// session log: the MFA panes and onSuccess with an Item, or onExit with
// the scenario's error and status, every call and Link report with its
// request_id.
func TestRunSandboxCredentialsScenarios(t *testing.T) {
	headlesstest.Need(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		scenario, exitCode string
		mfa                []string
	}{
		{scenario: "mfa-device", mfa: []string{"device", "code"}},
		{scenario: "mfa-questions-rounds", mfa: []string{"questions", "questions"}},
		{scenario: "item-locked", exitCode: "ITEM_LOCKED"},
		{scenario: "invalid-credentials", exitCode: "INVALID_CREDENTIALS"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			rep, code, errOut := runBinaryJSON(t, dir, flows.CredentialsFlowName, "--scenario", tc.scenario, "--browser", "auto")
			if code != exitOK || !rep.OK || rep.Flow != flows.CredentialsFlowName || rep.Scenario != tc.scenario {
				t.Fatalf("exit %d, report flow=%s scenario=%s ok=%v error=%q\nstderr:\n%s", code, rep.Flow, rep.Scenario, rep.OK, rep.Error, errOut)
			}
			if (tc.exitCode == "") != (rep.ItemID != "") {
				t.Errorf("item_id %q for a scenario ending in %q", rep.ItemID, tc.exitCode)
			}
			st := openStore(t, dir)
			var (
				names []string
				mfa   []string
				final *store.LinkEvent
			)
			for _, e := range allEntries(t, st, store.Filter{SessionID: rep.RunID, Kind: store.KindEvent}) {
				ev := e.Event
				if (ev.Kind == store.EventKindEvent || ev.Kind == store.EventKindExit) && ev.RequestID == "" {
					t.Errorf("%s %s has no request_id", ev.Kind, ev.EventName)
				}
				switch ev.Kind {
				case store.EventKindSuccess, store.EventKindExit:
					final = ev
				case store.EventKindEvent:
					names = append(names, ev.EventName)
					var md struct {
						MFAType *string `json:"mfa_type"`
					}
					if ev.EventName != "TRANSITION_VIEW" || ev.ViewName != "MFA" {
						continue
					}
					full, err := st.Entry(context.Background(), e.ID) // the list leaves the metadata out
					if err != nil {
						t.Fatal(err)
					}
					if json.Unmarshal(full.Event.Metadata, &md) != nil || md.MFAType == nil {
						t.Errorf("TRANSITION_VIEW MFA without mfa_type: %s", full.Event.Metadata)
						continue
					}
					mfa = append(mfa, *md.MFAType)
				}
			}
			if final == nil {
				t.Fatalf("no onSuccess or onExit recorded; events %v", names)
			}
			// The store lists entries newest first.
			slices.Reverse(names)
			slices.Reverse(mfa)
			if tc.exitCode == "" {
				if final.Kind != store.EventKindSuccess || !slices.Equal(mfa, tc.mfa) || !slices.Contains(names, "SUBMIT_MFA") || !slices.Contains(names, "HANDOFF") {
					t.Errorf("final %s, MFA panes %v (want %v), events %v", final.Kind, mfa, tc.mfa, names)
				}
			} else {
				if final.Kind != store.EventKindExit || final.ErrorCode != tc.exitCode || final.ExitStatus != "requires_credentials" || final.LinkSessionID == "" {
					t.Errorf("final %+v, want onExit %s status requires_credentials", final, tc.exitCode)
				}
				if i, j := slices.Index(names, "ERROR"), slices.Index(names, "EXIT"); i < 0 || j < i || slices.Contains(names, "HANDOFF") || len(mfa) != 0 {
					t.Errorf("events %v: want ERROR then EXIT, no HANDOFF, no MFA", names)
				}
			}
			calls := allEntries(t, st, store.Filter{SessionID: rep.RunID, Kind: store.KindCall})
			if len(calls) == 0 {
				t.Error("no calls recorded")
			}
			for _, e := range calls {
				if e.Call.RequestID == "" {
					t.Errorf("%s has no request_id", e.Call.Endpoint)
				}
			}
			sess, err := st.Session(context.Background(), rep.RunID)
			if err != nil || sess.Status != store.SessionOK || sess.Kind != "flow:"+flows.CredentialsFlowName {
				t.Errorf("session %+v, %v", sess, err)
			}
		})
	}
}

// TestRunScenarioUsageErrors: an unknown scenario lists the valid ones and
// suggests the closest; --scenario on another flow is refused; the flag
// completes with every scenario.
func TestRunScenarioUsageErrors(t *testing.T) {
	checkUsageError(t, []string{"run", flows.CredentialsFlowName, "--scenario", "item-lockd"}, "linkexplorer run",
		`unknown scenario "item-lockd": use mfa-device, mfa-questions,`, "item-locked")
	checkUsageError(t, []string{"run", "quickstart", "--scenario", "item-locked"}, "linkexplorer run",
		"--scenario is for the sandbox-credentials flow, not quickstart", "")
	code, out, _ := execBinary(t, "__complete", "run", flows.CredentialsFlowName, "--scenario", "")
	if code != 0 {
		t.Fatalf("__complete: exit %d", code)
	}
	for _, sc := range flows.CredentialScenarios() {
		if !strings.Contains(out, sc.Name+"\t"+sc.Title) {
			t.Errorf("completion lacks %s:\n%s", sc.Name, out)
		}
	}
	if code, out, _ := execBinary(t, "__complete", "run", ""); code != 0 || !strings.Contains(out, flows.CredentialsFlowName+"\t") {
		t.Errorf("flow completion: exit %d\n%s", code, out)
	}
}
