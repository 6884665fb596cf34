package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// runBinary runs the built linkexplorer with args in a clean environment
// and returns its stdout, failing on a non-zero exit.
func runBinary(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, buildBinary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("linkexplorer %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out, stderr.String())
	}
	return string(out)
}

var stepHeader = regexp.MustCompile(`^\[\d+/\d+\] .* \(([a-z0-9-]+)\)$`)

// webhookBlocks maps each "webhook received" line of run's output to the
// step block it was printed in.
func webhookBlocks(out string) map[string]string {
	blocks := map[string]string{}
	step := ""
	for _, l := range strings.Split(out, "\n") {
		if m := stepHeader.FindStringSubmatch(l); m != nil {
			step = m[1]
		}
		if strings.HasPrefix(l, "Run summary:") {
			step = "summary"
		}
		if strings.Contains(l, "webhook received: ") {
			blocks[strings.TrimSpace(l)] = step
		}
	}
	return blocks
}

// TestRunWebhooksUnderTheirSteps: the built binary's run output prints each
// webhook in the block of the step that caused it, or names that step; the
// --json report carries the step of each webhook, and so does the session
// log (issue 12, item 24). quickstart: Link creates the Item, whose
// TRANSACTIONS webhooks follow (during Link or the exchange); update-mode:
// reset_login's ITEM ERROR, update-mode Link's LOGIN_REPAIRED.
func TestRunWebhooksUnderTheirSteps(t *testing.T) {
	headlesstest.Need(t)
	state := t.TempDir()
	check := func(out string, want map[string][]string) {
		t.Helper()
		found := map[string]bool{}
		for line, block := range webhookBlocks(out) {
			for code, steps := range want {
				if !strings.Contains(line, code) {
					continue
				}
				found[code] = true
				ok := false
				for _, s := range steps {
					ok = ok || block == s || (strings.Contains(line, "(caused by step ") && strings.Contains(line, titleOf(t, out, s)+")"))
				}
				if !ok {
					t.Errorf("webhook %q is printed under step %q, want under (or naming) one of %v", line, block, steps)
				}
			}
		}
		for code := range want {
			if !found[code] {
				t.Errorf("no webhook %s in the output:\n%s", code, out)
			}
		}
	}
	q := runBinary(t, "run", "quickstart", "--browser", "auto", "--state-dir", state)
	check(q, map[string][]string{"INITIAL_UPDATE": {"open-link", "exchange-public-token"}, "HISTORICAL_UPDATE": {"open-link", "exchange-public-token"}})
	if !regexp.MustCompile(`Webhook TRANSACTIONS: INITIAL_UPDATE received \(from step (open-link|exchange-public-token)\)`).MatchString(q) {
		t.Errorf("the run summary does not say which step caused INITIAL_UPDATE:\n%s", q)
	}
	u := runBinary(t, "run", "update-mode", "--browser", "auto", "--state-dir", state)
	check(u, map[string][]string{"ITEM ERROR (ITEM_LOGIN_REQUIRED)": {"reset-login"}, "ITEM LOGIN_REPAIRED": {"open-link-update"}})
	for _, want := range []string{"Webhook ITEM: ERROR ITEM_LOGIN_REQUIRED received (from step reset-login)", "Webhook ITEM: LOGIN_REPAIRED received (from step open-link-update)"} {
		if !strings.Contains(u, want) {
			t.Errorf("the run summary lacks %q:\n%s", want, u)
		}
	}

	raw := runBinary(t, "run", "update-mode", "--json", "--browser", "auto", "--state-dir", state)
	var rep flows.Report
	var fields struct {
		Webhooks []map[string]json.RawMessage `json:"webhooks"`
	}
	if err := json.Unmarshal([]byte(raw), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, raw)
	}
	if err := json.Unmarshal([]byte(raw), &fields); err != nil || len(fields.Webhooks) == 0 {
		t.Fatalf("--json has no webhooks (%v):\n%s", err, raw)
	}
	for _, w := range fields.Webhooks {
		if _, ok := w["step"]; !ok {
			t.Errorf("a webhook of --json has no step field: %v", w)
		}
	}
	steps := map[string]string{}
	for _, w := range rep.Webhooks {
		steps[w.WebhookType+" "+w.WebhookCode] = w.Step
	}
	if steps["ITEM ERROR"] != "reset-login" || steps["ITEM LOGIN_REPAIRED"] != "open-link-update" {
		t.Errorf("--json webhooks' steps: %v; want ITEM ERROR from reset-login, LOGIN_REPAIRED from open-link-update", steps)
	}

	st := openStore(t, state)
	logged := map[string]string{}
	for _, e := range allEntries(t, st, store.Filter{SessionID: rep.RunID, Kind: store.KindWebhook}) {
		logged[e.Webhook.WebhookType+" "+e.Webhook.WebhookCode] = e.Webhook.Step
	}
	if logged["ITEM ERROR"] != "reset-login" || logged["ITEM LOGIN_REPAIRED"] != "open-link-update" {
		t.Errorf("the session log's webhooks' steps: %v", logged)
	}
}

// titleOf is the title of step name as run's output prints it in its
// header ("[2/5] Open Link and wait for onSuccess (open-link)").
func titleOf(t *testing.T, out, name string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if m := stepHeader.FindStringSubmatch(l); m != nil && m[1] == name {
			title := strings.TrimSuffix(l, " ("+name+")")
			return title[strings.Index(title, "] ")+2:]
		}
	}
	return "\x00no such step"
}
