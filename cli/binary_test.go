package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/store"
)

// deadlineContext is a context that ends shortly before the test binary's
// own deadline (go test -timeout), so that a process that hangs is killed
// and its test fails with a message saying what hung, instead of the whole
// binary panicking. It is no budget of its own: a slow machine only makes
// the processes slower.
func deadlineContext(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	d, ok := t.Deadline()
	if !ok {
		return context.WithCancel(context.Background())
	}
	return context.WithDeadline(context.Background(), d.Add(-deadlineMargin))
}

// deadlineMargin is what deadlineContext leaves before the test binary's
// deadline: the time to kill the process and report.
const deadlineMargin = 20 * time.Second

// execBinary runs the built linkexplorer with args in an empty directory,
// with no Plaid keys and a fresh state directory, and returns its exit code
// and output. A run that hangs fails the test (see deadlineContext).
func execBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return execBinaryInput(t, "", args...)
}

// execBinaryInput is execBinary with input on the command's standard input.
func execBinaryInput(t *testing.T, input string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	bin := buildBinary(t)
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LINKEXPLORER_HOME=" + t.TempDir()}
	var out, errOut strings.Builder
	cmd.Stdin = strings.NewReader(input)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("linkexplorer %q did not finish before the test's deadline\nstdout:\n%s\nstderr:\n%s", args, out.String(), errOut.String())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("linkexplorer %q: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// checkUsageError checks a refused command line: exit code 2, nothing on
// stdout, and on stderr one line "linkexplorer CMD: …" that contains want,
// then the suggestion (when suggest is not ""), then where the help is,
// with no usage dump.
func checkUsageError(t *testing.T, args []string, cmdPath, want, suggest string) {
	t.Helper()
	code, out, errOut := execBinary(t, args...)
	if code != exitUsage || out != "" {
		t.Errorf("linkexplorer %q: exit %d, stdout %q; want exit 2 and no output\nstderr:\n%s", args, code, out, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	prefix := cmdPath + ": "
	if !strings.HasPrefix(lines[0], prefix) || !strings.Contains(lines[0], want) {
		t.Errorf("linkexplorer %q: first line %q, want %q… containing %q", args, lines[0], prefix, want)
	}
	hint := "Run '" + cmdPath + " --help' for usage."
	if lines[len(lines)-1] != hint {
		t.Errorf("linkexplorer %q: last line %q, want %q", args, lines[len(lines)-1], hint)
	}
	errorLines := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "linkexplorer") {
			errorLines++
		}
	}
	if errorLines != 1 {
		t.Errorf("linkexplorer %q: %d error lines, want 1:\n%s", args, errorLines, errOut)
	}
	if suggest != "" && !strings.Contains(errOut, "\n\nDid you mean this?\n\t"+suggest+"\n") {
		t.Errorf("linkexplorer %q: no suggestion of %q:\n%s", args, suggest, errOut)
	}
	if suggest == "" && len(lines) != 2 {
		t.Errorf("linkexplorer %q: want the error and the hint only:\n%s", args, errOut)
	}
	if strings.Contains(errOut, "Usage:") || strings.Contains(errOut, "Flags:") {
		t.Errorf("linkexplorer %q dumps the usage:\n%s", args, errOut)
	}
}

func TestBinaryUnknownCommandSuggests(t *testing.T) {
	checkUsageError(t, []string{"rnu", "quickstart"}, "linkexplorer", `unknown command "rnu" for "linkexplorer"`, "run")
	checkUsageError(t, []string{"doctr"}, "linkexplorer", `unknown command "doctr"`, "doctor")
	checkUsageError(t, []string{"--state-dir", t.TempDir(), "quickstart"}, "linkexplorer", `unknown command "quickstart"`, "")
	checkUsageError(t, []string{"help", "rnu"}, "linkexplorer help", `unknown help topic "rnu"`, "help run")
}

func TestBinaryUnknownFlowSuggests(t *testing.T) {
	checkUsageError(t, []string{"run", "quikstart"}, "linkexplorer run", `unknown flow "quikstart": use quickstart, update-mode, invalid-token`, "quickstart")
	checkUsageError(t, []string{"run", "--json", "update_mode"}, "linkexplorer run", `unknown flow "update_mode"`, "update-mode")
	checkUsageError(t, []string{"demo", "invalid-tokn", "--pace", "1s"}, "linkexplorer demo", `unknown flow "invalid-tokn"`, "invalid-token")
	checkUsageError(t, []string{"run", "zzz"}, "linkexplorer run", `unknown flow "zzz"`, "")
}

func TestBinaryBadFlagOrValue(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		cmd, want string
		suggest   string
	}{
		{[]string{"run", "quickstart", "--brower", "auto"}, "linkexplorer run", "unknown flag: --brower", "--browser"},
		{[]string{"--brower", "auto"}, "linkexplorer", "unknown flag: --brower", "--browser"},
		{[]string{"run", "quickstart", "-browser", "auto"}, "linkexplorer run", "in -browser (long flags take two dashes)", "--browser"},
		{[]string{"log", "-md"}, "linkexplorer log", `unknown shorthand flag: 'm' in -md`, ""},
		{[]string{"run", "quickstart", "--browser", "firefox"}, "linkexplorer run", `unknown --browser "firefox"`, ""},
		{[]string{"--mode", "sandbox"}, "linkexplorer", `unknown --mode "sandbox"`, ""},
		{[]string{"--theme", "solarized"}, "linkexplorer", `--theme: unknown theme "solarized": use auto, light or dark`, ""},
		{[]string{"demo", "--theme", "drak"}, "linkexplorer demo", `--theme: unknown theme "drak"`, "dark"},
		{[]string{"run", "--timeout", "soon", "quickstart"}, "linkexplorer run", `invalid argument "soon" for "--timeout"`, ""},
		{[]string{"log", "--limit", "many"}, "linkexplorer log", `invalid argument "many" for "--limit"`, ""},
		{[]string{"log", "--format", "mdd"}, "linkexplorer log", `unknown --format "mdd"`, "md"},
		{[]string{"log", "--kind", "apps"}, "linkexplorer log", `unknown --kind "apps"`, "app"},
		{[]string{"log", "--source", "dmeo"}, "linkexplorer log", `unknown --source "dmeo"`, "demo"},
		{[]string{"demo", "--pace", "0"}, "linkexplorer demo", "--pace must be positive", ""},
		{[]string{"doctor", "--json", "extra"}, "linkexplorer doctor", `unexpected arguments ["extra"]`, ""},
		{[]string{"migrate", "--src", ".", "--format", "html"}, "linkexplorer migrate", "unknown report format", ""},
		{[]string{"emulator", "--log-format", "jsn"}, "linkexplorer emulator", `unknown --log-format "jsn"`, "json"},
		{[]string{"emulator", "--client-id", "only-id"}, "linkexplorer emulator", "--client-id and --secret go together", ""},
		{[]string{"version", "--short"}, "linkexplorer version", "unknown flag: --short", ""},
	} {
		checkUsageError(t, tc.args, tc.cmd, tc.want, tc.suggest)
	}
}

// TestBinaryHelp: --help of the root and of every command the root lists
// (and of completion's shells) exits 0 with one format: a description,
// the usage, examples and the flags, on stdout.
func TestBinaryHelp(t *testing.T) {
	code, root, errOut := execBinary(t, "--help")
	if code != exitOK || errOut != "" {
		t.Fatalf("--help: exit %d, stderr %q", code, errOut)
	}
	commands := listedCommands(t, root)
	for _, want := range []string{"run", "log", "demo", "doctor", "migrate", "emulator", "version", "completion", "help"} {
		if !slices.Contains(commands, want) {
			t.Errorf("--help does not list %s: %v", want, commands)
		}
	}
	paths := [][]string{{}}
	for _, c := range commands {
		paths = append(paths, []string{c})
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		paths = append(paths, []string{"completion", shell})
	}
	for _, path := range paths {
		code, out, errOut := execBinary(t, append(path, "--help")...)
		name := strings.Join(append([]string{"linkexplorer"}, path...), " ")
		if code != exitOK || errOut != "" {
			t.Errorf("%s --help: exit %d, stderr %q", name, code, errOut)
			continue
		}
		description, _, _ := strings.Cut(out, "\n\nUsage:\n  "+name)
		if description == out || len(strings.TrimSpace(description)) < 20 {
			t.Errorf("%s --help: no description before the usage:\n%s", name, out)
		}
		for _, section := range []string{"\nExamples:\n  ", "\nFlags:\n"} {
			if !strings.Contains(out, section) {
				t.Errorf("%s --help lacks %q:\n%s", name, strings.TrimSpace(section), out)
			}
		}
	}
	// "help CMD" is CMD --help.
	_, viaHelp, _ := execBinary(t, "help", "run")
	_, viaFlag, _ := execBinary(t, "run", "--help")
	if viaHelp != viaFlag {
		t.Errorf("help run and run --help differ:\n%s\n---\n%s", viaHelp, viaFlag)
	}
}

// listedCommands reads the names under "Available Commands:" in help.
func listedCommands(t *testing.T, help string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(help, "Available Commands:\n")
	if !ok {
		t.Fatalf("no Available Commands in:\n%s", help)
	}
	var names []string
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

// TestBinaryVersion: --version, -v and version print the module version
// and VCS revision that Go recorded in the binary (as "go version -m"
// reads them), or "(devel)" and "revision unknown" when there are none.
func TestBinaryVersion(t *testing.T) {
	bin := buildBinary(t)
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	version := "(devel)"
	if m := regexp.MustCompile(`(?m)^\tmod\t\S+\t(\S+)`).FindSubmatch(info); m != nil {
		version = string(m[1])
	}
	revision := "revision unknown"
	if m := regexp.MustCompile(`(?m)^\tbuild\tvcs\.revision=(\S+)`).FindSubmatch(info); m != nil {
		revision = "revision " + string(m[1])[:12]
	}
	var outputs []string
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		code, out, errOut := execBinary(t, args...)
		if code != exitOK || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
		want := "linkexplorer " + version + " (" + revision
		if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
			t.Errorf("%v printed %q, want one line starting %q", args, out, want)
		}
		outputs = append(outputs, out)
	}
	if outputs[0] != outputs[1] || outputs[0] != outputs[2] {
		t.Errorf("--version, -v and version differ: %q", outputs)
	}
}

// TestBinaryCompletionScripts: each shell's script is printed, and bash's,
// loaded in a real bash, completes flows and flag values by calling the
// binary back.
func TestBinaryCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "complete -o default -F __start_linkexplorer linkexplorer",
		"zsh":        "#compdef linkexplorer",
		"fish":       "complete -c linkexplorer",
		"powershell": "Register-ArgumentCompleter -CommandName 'linkexplorer'",
	} {
		code, out, errOut := execBinary(t, "completion", shell)
		if code != exitOK || errOut != "" || !strings.Contains(out, marker) {
			t.Errorf("completion %s: exit %d, stderr %q, script lacks %q", shell, code, errOut, marker)
		}
	}
	code, _, errOut := execBinary(t, "completion", "tcsh")
	if code != exitUsage || !strings.Contains(errOut, `unknown shell "tcsh": use bash, zsh, fish or powershell`) {
		t.Errorf("completion tcsh: exit %d, %q", code, errOut)
	}

	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to load the bash completion in")
	}
	for line, want := range map[string][]string{
		"linkexplorer run qu":         {"quickstart"},
		"linkexplorer run --browser ": {"system", "none", "auto"},
		"linkexplorer demo ":          {"quickstart", "update-mode", "invalid-token", "oauth", "oauth-popup", "transactions", "update-new-accounts", "update-expiring", "sandbox-credentials", "all"},
		"linkexplorer log --format ":  {"text", "json", "csv", "md"},
		"linkexplorer --mode ":        {"emulated", "plaid"},
		"linkexplorer do":             {"doctor"},
	} {
		if got := bashComplete(t, bash, line); !slices.Equal(got, want) {
			t.Errorf("bash completion of %q: %q, want %q", line, got, want)
		}
	}
}

// bashComplete loads the bash completion script in bash and asks it to
// complete line, as bash does on Tab. bash-completion's
// _get_comp_words_by_ref and compopt (only valid during a real Tab) are
// stood in for, so that the test needs bash alone.
func bashComplete(t *testing.T, bash, line string) []string {
	t.Helper()
	bin := buildBinary(t)
	script := `
_get_comp_words_by_ref() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
compopt() { :; }
source <(linkexplorer completion bash)
COMP_LINE=$LINE
COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
__start_linkexplorer
printf '%s\n' "${COMPREPLY[@]}"
`
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "--norc", "--noprofile", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + t.TempDir(), "LINE=" + line}
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("bash completion of %q did not finish before the test's deadline", line)
	}
	if err != nil {
		t.Fatalf("bash completion of %q: %v", line, err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			got = append(got, l)
		}
	}
	return got
}

// TestBinaryCompleteRequests asks cobra's hidden __complete command, as the
// shells do, for flow names and flag values.
func TestBinaryCompleteRequests(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"run", ""}, []string{"quickstart", "update-mode", "invalid-token", "oauth", "oauth-popup", "transactions", "update-new-accounts", "update-expiring", "sandbox-credentials"}},
		{[]string{"run", "quickstart", ""}, nil},
		{[]string{"demo", ""}, []string{"quickstart", "update-mode", "invalid-token", "oauth", "oauth-popup", "transactions", "update-new-accounts", "update-expiring", "sandbox-credentials", "all"}},
		{[]string{"run", "quickstart", "--mode", ""}, []string{"emulated", "plaid"}},
		{[]string{"--browser", ""}, []string{"system", "none", "auto"}},
		{[]string{"demo", "--browser", ""}, []string{"system", "none", "auto"}},
		{[]string{"doctor", "--mode", ""}, []string{"emulated", "plaid"}},
		{[]string{"log", "--format", ""}, []string{"text", "json", "csv", "md"}},
		{[]string{"migrate", "--format", ""}, []string{"md", "json"}},
		{[]string{"emulator", "--log-format", ""}, []string{"text", "json"}},
	} {
		code, out, _ := execBinary(t, append([]string{"__complete"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var got []string
		for _, l := range lines[:len(lines)-1] {
			name, _, _ := strings.Cut(l, "\t")
			got = append(got, name)
		}
		// The last line is the directive: 4 is "no file completion".
		if code != exitOK || !slices.Equal(got, tc.want) || lines[len(lines)-1] != ":4" {
			t.Errorf("__complete %q: exit %d, %q, want %q and :4", tc.args, code, out, tc.want)
		}
	}
}

// TestBinaryFlowNameBeforeOrAfterFlags: the flow name may come before or
// after the flags; either way the flags are read (here an unusable
// callback address stops the run at once).
func TestBinaryFlowNameBeforeOrAfterFlags(t *testing.T) {
	for _, args := range [][]string{
		{"run", "quickstart", "--json", "--callback-addr", "10.1.2.3:0"},
		{"run", "--json", "--callback-addr", "10.1.2.3:0", "quickstart"},
	} {
		code, _, errOut := execBinary(t, args...)
		if code != exitFailure || !strings.Contains(errOut, "loopback only") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// TestBinaryLogLastIsTheRunJustDone follows the README's support-ticket
// recipe with the built binary: run a flow, open the app (which starts an
// "app" session that records nothing), then `log --last --md` must print
// the flow run's request ids, not the empty app session.
func TestBinaryLogLastIsTheRunJustDone(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := execBinary(t, "run", "quickstart", "--browser", "auto", "--json", "--state-dir", dir)
	if code != 0 {
		t.Skipf("run quickstart exit %d (needs headless Chromium?)\n%s\n%s", code, out, errOut)
	}
	ids := regexp.MustCompile(`"request_id":\s*"([^"]+)"`).FindAllStringSubmatch(out, -1)
	if len(ids) == 0 {
		t.Fatalf("run --json printed no request_id:\n%s", out)
	}
	// What every launch of the app does: an "app" session that may record nothing.
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartSession(context.Background(), "app", store.ModeEmulated); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, md, errOut := execBinary(t, "log", "--state-dir", dir, "--last", "--md")
	if code != 0 {
		t.Fatalf("log --last --md: exit %d\n%s", code, errOut)
	}
	for _, id := range ids {
		if !strings.Contains(md, id[1]) {
			t.Errorf("log --last --md lacks the run's request_id %s:\n%s", id[1], md)
		}
	}
}

// TestBinaryLogKindAndSource: the built binary's log speaks the terminal
// app's vocabulary: KIND app for the user's app's calls, --kind app and
// --source app|linkexplorer|demo select them, and the exports say the same.
func TestBinaryLogKindAndSource(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user, _ := st.StartSession(ctx, "app", store.ModeEmulated)
	demo, _ := st.StartSession(ctx, "demo:quickstart", store.ModeEmulated)
	_, err = st.Add(ctx,
		store.APICall{SessionID: user.ID, Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqOwn"},
		store.APICall{SessionID: user.ID, Endpoint: "/accounts/get", HTTPStatus: 200, RequestID: "ReqApp", Source: store.SourceApp},
		store.APICall{SessionID: demo.ID, Endpoint: "/item/get", HTTPStatus: 200, RequestID: "ReqDemo"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := execBinary(t, append([]string{"log", "--state-dir", dir}, args...)...)
		if code != 0 {
			t.Fatalf("log %v: exit %d\n%s", args, code, errOut)
		}
		return out
	}
	rows := func(out string) string {
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[len(f)-3], "Req") {
				got = append(got, f[3]+"="+f[len(f)-3])
			}
		}
		return strings.Join(got, " ")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "call=ReqDemo app=ReqApp call=ReqOwn"},
		{[]string{"--kind", "app"}, "app=ReqApp"},
		{[]string{"--kind", "CALL"}, "call=ReqDemo call=ReqOwn"},
		{[]string{"--source", "app"}, "app=ReqApp"},
		{[]string{"--source", "linkexplorer"}, "call=ReqOwn"},
		{[]string{"--source", "demo"}, "call=ReqDemo"},
	} {
		if got := rows(run(tc.args...)); got != tc.want {
			t.Errorf("log %v: %s, want %s", tc.args, got, tc.want)
		}
	}
	js := run("--source", "app", "--json")
	if !strings.Contains(js, `"kind":"app"`) || !strings.Contains(js, `"source":"app"`) || strings.Contains(js, "ReqOwn") {
		t.Errorf("log --source app --json:\n%s", js)
	}
	csv := run("--kind", "app", "--csv")
	if !strings.Contains(csv, ",app,"+user.ID+",app,POST /accounts/get,") {
		t.Errorf("log --kind app --csv:\n%s", csv)
	}
}

// TestBinaryExportDir: --export-dir and $LINKEXPLORER_EXPORT_DIR must name
// an existing directory; either is refused, naming itself, before the
// terminal is touched, so no export can go somewhere unintended. (The
// smoke test in .ci/smoke-tmux.sh exports through the app in a real
// terminal with --export-dir.)
func TestBinaryExportDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	code, stdout, stderr := execBinary(t, "--export-dir", missing)
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, `--export-dir "`+missing+`" is not a directory`) {
		t.Errorf("--export-dir %s: exit %d, stdout %q, stderr %q", missing, code, stdout, stderr)
	}
	code, _, stderr = execBinary(t, "demo", "--export-dir", missing)
	if code != exitUsage || !strings.Contains(stderr, "--export-dir") {
		t.Errorf("demo --export-dir %s: exit %d, stderr %q", missing, code, stderr)
	}

	bin := buildBinary(t)
	ctx, cancel := deadlineContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LINKEXPLORER_HOME=" + t.TempDir(), "LINKEXPLORER_EXPORT_DIR=" + missing}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage || !strings.Contains(string(out), "$LINKEXPLORER_EXPORT_DIR") {
		t.Errorf("LINKEXPLORER_EXPORT_DIR=%s: %v\n%s", missing, err, out)
	}

	// An existing directory passes the check: the app then needs a
	// terminal, which the test has not.
	code, _, stderr = execBinary(t, "--export-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "needs a terminal") {
		t.Errorf("--export-dir with a directory: exit %d, stderr %q", code, stderr)
	}
}
