package cli

import (
	"errors"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/store"
)

// parseWith runs a command's constructor with runF capturing its options,
// as gh's tests do: the command line is parsed and checked by the command
// itself, and nothing runs.
func parseWith[O any](t *testing.T, newCmd func(*factory, func(*O) error) *cobra.Command, args ...string) (*O, error) {
	t.Helper()
	var got *O
	f := &factory{out: io.Discard, errOut: io.Discard, getenv: os.Getenv, buildInfo: debug.ReadBuildInfo}
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetFlagErrorFunc(flagError)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		return nil, err
	}
	return got, nil
}

func TestNewCmdRunParses(t *testing.T) {
	for _, args := range [][]string{
		{"update-mode", "--json", "--browser=auto", "--timeout", "90s", "--state-dir", "/tmp/x"},
		{"--json", "--browser", "auto", "update-mode", "--timeout=90s", "--state-dir=/tmp/x"},
		{"--json", "--browser", "auto", "--timeout", "90s", "--state-dir", "/tmp/x", "update-mode"},
	} {
		o, err := parseWith(t, newCmdRun, args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if o.flow.Name != "update-mode" || !o.json || o.common.browser != "auto" || o.timeout != 90*time.Second ||
			o.common.waitTimeout != 90*time.Second || o.common.stateDir != "/tmp/x" || o.common.callbackAddr != "127.0.0.1:0" {
			t.Errorf("%q: %+v", args, o)
		}
	}
	var ue *usageError
	if _, err := parseWith(t, newCmdRun, "quickstart", "--timeout", "-1s"); !errors.As(err, &ue) {
		t.Errorf("--timeout -1s: %v, want a usage error", err)
	}
}

func TestNewCmdLogParsesFormats(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want store.Format
	}{
		{nil, ""},
		{[]string{"--format", "text"}, ""},
		{[]string{"--md"}, store.FormatMarkdown},
		{[]string{"--format=md", "--md"}, store.FormatMarkdown},
		{[]string{"--format", "csv"}, store.FormatCSV},
		{[]string{"--json", "--last"}, store.FormatJSON},
	} {
		o, err := parseWith(t, newCmdLog, tc.args...)
		if err != nil || o.format != tc.want {
			t.Errorf("%q: %+v, %v; want format %q", tc.args, o, err, tc.want)
		}
	}
	var ue *usageError
	for _, args := range [][]string{{"--format", "json", "--csv"}, {"--format", "xml"}, {"--limit", "5", "--format", "md"}} {
		if _, err := parseWith(t, newCmdLog, args...); !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestNewCmdMigrateParsesRepeatedFlags(t *testing.T) {
	t.Setenv("LINKEXPLORER_EMULATOR_URL", "http://127.0.0.1:7878")
	o, err := parseWith(t, newCmdMigrate, "--src", ".", "--header", "Cookie: a=1, b=2", "--header", "X-Team: core",
		"--tick", "manual.invalid-link-token", "--tick", "manual.user-good", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	// A comma inside a header stays in it: --header is repeated, never split.
	if got := o.headers.Get("Cookie"); got != "a=1, b=2" || o.headers.Get("X-Team") != "core" {
		t.Errorf("headers %v", o.headers)
	}
	if !slices.Equal(o.ticks, []string{"manual.invalid-link-token", "manual.user-good"}) || o.emulator != "http://127.0.0.1:7878" || o.format != "json" {
		t.Errorf("options %+v", o)
	}
}

func TestNewCmdEmulatorParses(t *testing.T) {
	o, err := parseWith(t, newCmdEmulator, "--redirect-uri", "https://a.example/cb", "--redirect-uri", "https://b.example/cb,x", "--log-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.redirectURIs, []string{"https://a.example/cb", "https://b.example/cb,x"}) || o.addr != "127.0.0.1:7878" || o.logFormat != "json" {
		t.Errorf("options %+v", o)
	}
}
