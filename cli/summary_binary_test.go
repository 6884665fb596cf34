package cli

import (
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
)

// A run prints its summary when it ends, and `log --last --summary`
// prints the same run's summary as Markdown, from the built binary.
func TestBinaryRunSummaryAndLogSummary(t *testing.T) {
	headlesstest.Need(t)
	dir := t.TempDir()
	code, out, errOut := execBinary(t, "run", "invalid-token", "--browser=auto", "--state-dir", dir)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"Run summary: invalid-token: ok in ", "Link onExit INVALID_LINK_TOKEN", "Link onSuccess: the user linked their accounts",
		"Error INVALID_LINK_TOKEN at Link onExit, request_id ", "What to do: In onExit", "request_ids: ", "link_session_ids: ",
		"--summary > summary.md",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("run's output lacks %q:\n%s", want, out)
		}
	}
	code, md, errOut := execBinary(t, "log", "--last", "--summary", "--state-dir", dir)
	if code != exitOK || errOut != "" {
		t.Fatalf("log --last --summary: exit %d\n%s\n%s", code, md, errOut)
	}
	for _, want := range []string{
		"# linkexplorer run summary: invalid-token", "- Result: **ok**", "## What happened", "1. Created a link_token (request_id ",
		"### INVALID_LINK_TOKEN (INVALID_INPUT) at Link onExit", "## request_ids", "## link_session_ids", "| onSuccess |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("log --last --summary lacks %q:\n%s", want, md)
		}
	}
	// The same ids in both: every link_session_id run printed is in the Markdown.
	for _, line := range strings.Split(out, "\n") {
		if ids, ok := strings.CutPrefix(strings.TrimSpace(line), "link_session_ids: "); ok {
			for _, id := range strings.Split(ids, ", ") {
				if !strings.Contains(md, "`"+id+"`") {
					t.Errorf("link_session_id %s of run's summary is not in log --summary", id)
				}
			}
		}
	}
	for _, bad := range [][]string{
		{"log", "--summary", "--state-dir", dir},
		{"log", "--last", "--summary", "--md", "--state-dir", dir},
	} {
		if code, _, errOut := execBinary(t, bad...); code != exitUsage || !strings.Contains(errOut, "--summary") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error about --summary", bad, code, errOut)
		}
	}
}
