package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/audit"
	"github.com/linkexplorer/linkexplorer/flows"
)

// migrateOptions are linkexplorer migrate's settings.
type migrateOptions struct {
	f                                                       *factory
	src, endpoint, method, body, updateEndpoint, updateBody string
	emulator, checklist, out, formatName                    string
	headerList                                              []string
	headers                                                 http.Header
	ticks, unticks                                          []string
	observe                                                 time.Duration
	format                                                  audit.Format
}

// observeInterval is how often --observe polls the emulator.
const observeInterval = time.Second

// newCmdMigrate runs the migration audit: linkexplorer migrate [flags].
func newCmdMigrate(f *factory, runF func(*migrateOptions) error) *cobra.Command {
	opts := &migrateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Audit a public_key → link_token migration against Plaid's checklist",
		Long: `Audits a public_key → link_token migration against the checklist of Plaid's
migration guide, and prints the checklist with evidence (Markdown or JSON):

  --src DIR        static audit of the app's source: legacy Plaid.create options,
                   update mode through /item/public_token/create, public_key sent
                   to the API, INVALID_LINK_TOKEN handling; file:line for each.
  --endpoint URL   live audit: calls the app's token route as its client would and,
                   when the app's backend talks to the emulator (--emulator, after
                   "linkexplorer emulator"), inspects its /link/token/create request.
  --observe 10m    watches the emulator while you do the manual checks in the app
                   (user_custom / {"force_error":"INVALID_LINK_TOKEN"}, update mode
                   after /sandbox/item/reset_login) and records their request ids.
  --checklist F    keeps ticks and evidence across runs; --tick ID confirms a
                   manual check.

The exit code is 1 if any check fails, 2 on a usage error.`,
		Example: `  linkexplorer migrate --src ~/code/acme-budget
  linkexplorer migrate --endpoint http://localhost:8000/api/create_link_token --emulator http://127.0.0.1:7878
  linkexplorer migrate --emulator http://127.0.0.1:7878 --observe 10m --checklist migration.json
  linkexplorer migrate --src . --checklist migration.json --tick manual.dashboard-public-key --format json --out audit.json`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return migrate(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.src, "src", "", "the app's source tree (a `directory`), for the static audit")
	fs.StringVar(&opts.endpoint, "endpoint", "", "the app's link_token route, e.g. http://localhost:8000/api/create_link_token")
	fs.StringVar(&opts.method, "method", http.MethodPost, "the HTTP method of --endpoint and --update-endpoint")
	fs.StringArrayVar(&opts.headerList, "header", nil, "a `header` to send to the app, \"Name: value\" (repeatable), e.g. a session cookie")
	fs.StringVar(&opts.body, "body", "", "a JSON body for --endpoint (default: none)")
	fs.StringVar(&opts.updateEndpoint, "update-endpoint", "", "the app's update-mode link_token route, if it has its own")
	fs.StringVar(&opts.updateBody, "update-body", "", `a JSON body for --update-endpoint, e.g. {"item_id":"…"}`)
	fs.StringVar(&opts.emulator, "emulator", f.getenv("LINKEXPLORER_EMULATOR_URL"), "the emulator the app's backend talks to (default $LINKEXPLORER_EMULATOR_URL)")
	fs.DurationVar(&opts.observe, "observe", 0, "watch the emulator this long (e.g. 10m) for the manual checks' evidence; Ctrl-C ends it early")
	fs.StringVar(&opts.checklist, "checklist", "", "a JSON `file` that keeps ticks and evidence across runs (created if missing, mode 0600)")
	fs.StringArrayVar(&opts.ticks, "tick", nil, "confirm a manual check by its `id`, e.g. manual.invalid-link-token (repeatable)")
	fs.StringArrayVar(&opts.unticks, "untick", nil, "withdraw the tick of the check with this `id` (repeatable)")
	fs.StringVar(&opts.formatName, "format", "md", "report format: md or json")
	fs.StringVar(&opts.out, "out", "", "write the report to this `file` instead of stdout")
	_ = cmd.MarkFlagDirname("src")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(
		[]cobra.Completion{"md\tMarkdown", "json\tone JSON document"}, cobra.ShellCompDirectiveNoFileComp))
	checks := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return audit.CheckIDs(), cobra.ShellCompDirectiveNoFileComp
	}
	_ = cmd.RegisterFlagCompletionFunc("tick", checks)
	_ = cmd.RegisterFlagCompletionFunc("untick", checks)
	_ = cmd.RegisterFlagCompletionFunc("method", cobra.FixedCompletions(
		[]cobra.Completion{http.MethodPost, http.MethodGet, http.MethodPut}, cobra.ShellCompDirectiveNoFileComp))
	completeNoFile(cmd, "endpoint", "header", "body", "update-endpoint", "update-body", "emulator", "observe")
	return cmd
}

// migrate runs the audit and writes the report; a failed check is exit
// code 1.
func migrate(o *migrateOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	report, err := runMigrate(ctx, *o, o.f.errOut)
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: exitInterrupted, err: err}
		}
		return err
	}
	if err := writeMigrateReport(report, *o, o.f.out); err != nil {
		return err
	}
	if report.Failed() {
		return failedSilently()
	}
	return nil
}

// check validates the options that need no I/O: a bad one is a usage
// error.
func (o *migrateOptions) check() error {
	var err error
	if o.format, err = audit.ParseFormat(o.formatName); err != nil {
		return &usageError{err: err}
	}
	if o.headers, err = parseHeaders(o.headerList); err != nil {
		return &usageError{err: err}
	}
	if err := o.checkValues(); err != nil {
		return &usageError{err: err}
	}
	return nil
}

// checkValues checks what the flags say together.
func (o *migrateOptions) checkValues() error {
	switch {
	case o.src == "" && o.endpoint == "" && o.updateEndpoint == "" && o.emulator == "" && o.checklist == "" && len(o.ticks) == 0:
		return errors.New("nothing to audit: give --src DIR (the app's source) and/or --endpoint URL (its link_token route)")
	case o.observe < 0:
		return errors.New("--observe must be a positive duration, e.g. 10m")
	case o.observe > 0 && o.emulator == "":
		return errors.New("--observe watches the emulator: give --emulator URL (the one the app's backend talks to)")
	}
	for _, id := range append(slices.Clone(o.ticks), o.unticks...) {
		if !slices.Contains(audit.CheckIDs(), id) {
			return fmt.Errorf("unknown check %q: the manual checks are %s, %s, %s and %s", id,
				audit.ManualUserGood, audit.ManualInvalidToken, audit.ManualUpdateMode, audit.ManualDashboardKeys)
		}
	}
	for _, u := range []struct{ flag, value string }{{"--endpoint", o.endpoint}, {"--update-endpoint", o.updateEndpoint}, {"--emulator", o.emulator}} {
		if err := checkHTTPURL(u.flag, u.value); err != nil {
			return err
		}
	}
	for _, b := range []struct{ flag, value string }{{"--body", o.body}, {"--update-body", o.updateBody}} {
		if b.value != "" && !json.Valid([]byte(b.value)) {
			return fmt.Errorf("%s is not valid JSON: %q", b.flag, b.value)
		}
	}
	return nil
}

// checkHTTPURL checks that value, if set, is an absolute http(s) URL.
func checkHTTPURL(flagName, value string) error {
	if value == "" {
		return nil
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an absolute http(s) URL, e.g. http://localhost:8000/api/create_link_token; got %q", flagName, value)
	}
	return nil
}

// parseHeaders reads "Name: value" headers.
func parseHeaders(list []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range list {
		name, value, ok := strings.Cut(s, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf(`--header %q is not "Name: value"`, s)
		}
		h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return h, nil
}

// runMigrate runs the audits the options ask for and builds the report;
// it saves the checklist file when there is one.
func runMigrate(ctx context.Context, o migrateOptions, stderr io.Writer) (*audit.Report, error) {
	state := &audit.State{}
	if o.checklist != "" {
		var err error
		if state, err = audit.LoadState(o.checklist); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	for _, id := range o.ticks {
		if err := state.Tick(id, now); err != nil {
			return nil, err
		}
	}
	for _, id := range o.unticks {
		state.Untick(id)
	}
	in := audit.Inputs{State: state, Src: o.src, Endpoint: o.endpoint, Emulator: o.emulator}
	if o.src != "" {
		res, err := audit.ScanSource(ctx, o.src)
		if err != nil {
			return nil, err
		}
		in.Static = res
	}
	var ctl *flows.Control
	if o.emulator != "" {
		ctl = &flows.Control{BaseURL: o.emulator}
	}
	if o.endpoint != "" || o.updateEndpoint != "" {
		in.Live = audit.AuditEndpoint(ctx, audit.LiveOptions{
			Endpoint: o.endpoint, Method: o.method, Header: o.headers, Body: o.body,
			UpdateEndpoint: o.updateEndpoint, UpdateBody: o.updateBody, Emulator: ctl,
		})
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	if ctl != nil {
		in.Observed = observeEmulator(ctx, ctl, o.observe, stderr)
	}
	in.Now = time.Now()
	report := audit.BuildReport(in)
	warnIneffectiveTicks(report, o.ticks, stderr)
	if o.checklist != "" {
		if err := state.Save(o.checklist); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// observeEmulator reads the manual checks' evidence from the emulator,
// watching it for d when d > 0. A failure is a warning: the report then
// shows the manual checks without new evidence.
func observeEmulator(ctx context.Context, ctl *flows.Control, d time.Duration, stderr io.Writer) map[string][]audit.Evidence {
	obs := audit.NewObserver(ctl)
	if d == 0 {
		if _, err := obs.Poll(ctx); err != nil {
			fmt.Fprintf(stderr, "linkexplorer migrate: warning: no evidence read from the emulator: %v\n", err)
		}
		return obs.Evidence()
	}
	fmt.Fprintf(stderr, "Watching the emulator at %s for %s (Ctrl-C ends it early). In the app:\n"+
		"  1. link First Platypus Bank with user_good / pass_good;\n"+
		"  2. log in as user_custom with the password {\"force_error\":\"INVALID_LINK_TOKEN\"}: the app must recover;\n"+
		"  3. call /sandbox/item/reset_login on the Item, then repair it with the app's update mode.\n", ctl.BaseURL, d)
	ev, err := obs.Observe(ctx, d, observeInterval, func(s audit.Sighting) {
		fmt.Fprintf(stderr, "  %s  %s%s\n", s.Time.Local().Format("15:04:05"), s.What, sightingID(s))
	})
	if err != nil {
		fmt.Fprintf(stderr, "linkexplorer migrate: warning: watching the emulator stopped: %v\n", err)
	}
	fmt.Fprintf(stderr, "Done watching: evidence for %d of 3 manual checks.\n", len(ev))
	return ev
}

func sightingID(s audit.Sighting) string {
	switch {
	case s.RequestID != "":
		return "  request_id " + s.RequestID
	case s.LinkSessionID != "":
		return "  link_session_id " + s.LinkSessionID
	}
	return ""
}

// warnIneffectiveTicks says when a tick does not count: the check failed
// or passed on its own.
func warnIneffectiveTicks(r *audit.Report, ticks []string, stderr io.Writer) {
	for _, id := range ticks {
		if c, ok := r.Check(id); ok && !c.Ticked {
			fmt.Fprintf(stderr, "linkexplorer migrate: %s is %s, not a manual check in this run: its tick is kept but does not count\n", id, c.Status)
		}
	}
}

// writeMigrateReport writes the report to --out (with a summary line on
// stdout) or to stdout.
func writeMigrateReport(r *audit.Report, o migrateOptions, stdout io.Writer) error {
	if o.out == "" {
		return r.Write(stdout, o.format)
	}
	f, err := os.OpenFile(o.out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := r.Write(f, o.format); err != nil {
		f.Close()
		return fmt.Errorf("writing the report to %s: %w", o.out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the report to %s: %w", o.out, err)
	}
	s := r.Summary
	_, err = fmt.Fprintf(stdout, "Result: %s: %d passed, %d failed, %d need a person. Report written to %s.\n",
		strings.ToUpper(string(s.Result)), s.Pass, s.Fail, s.Manual, o.out)
	return err
}
