package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/codegen"
	"github.com/linkexplorer/linkexplorer/store"
)

// runOptions are linkexplorer run's settings.
type runOptions struct {
	f       *factory
	common  commonFlags
	flow    *flows.Flow
	json    bool
	timeout time.Duration
	code    string
	lang    codegen.Lang
	// oauthMistake: --oauth-mistake (the oauth flow only).
	oauthMistake bool
	scenario     string // --scenario (sandbox-credentials only: run_scenario.go)
}

// newCmdRun runs one flow end to end: linkexplorer run FLOW [flags]. runF,
// when not nil, replaces the run (for tests of the parsing).
func newCmdRun(f *factory, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{f: f}
	cmd := &cobra.Command{
		Use:   "run FLOW",
		Short: "Run a Link flow end to end, without the terminal app",
		Long: `Runs a Link flow end to end without the terminal app, printing each step
(endpoint, request_id, duration, errors) as it happens. FLOW is one of
` + strings.Join(flows.FlowNames(), ", ") + `. The exit code is 1 if the flow failed,
130 if it was interrupted (the session log keeps what happened).`,
		Example: `  linkexplorer run quickstart --browser auto   # Link completes itself in headless Chromium
  linkexplorer run update-mode                 # Link opens in your browser
  linkexplorer run update-new-accounts --browser auto  # NEW_ACCOUNTS_AVAILABLE, then update mode's account select
  linkexplorer run invalid-token --json > report.json
  linkexplorer run quickstart --browser auto --code python  # each step as plaid-python code
  linkexplorer run oauth --browser auto --oauth-mistake  # forget receivedRedirectUri, then recover
  linkexplorer run sandbox-credentials --scenario item-locked  # type error_ITEM_LOCKED, see what Link and onExit do`,
		Args:              flowArgs(false),
		ValidArgsFunction: completeFlows(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.flow, _ = flows.FlowByName(args[0]) // checked by flowArgs
			if err := opts.common.check(); err != nil {
				return err
			}
			if opts.timeout <= 0 {
				return usageErrorf("--timeout must be positive, e.g. 10m")
			}
			if opts.code != "" {
				lang, err := codegen.ParseLang(opts.code)
				if err != nil {
					return &usageError{err: err, suggest: closest(opts.code, choiceNames(codeLangs()))}
				}
				if opts.json {
					return usageErrorf("--code prints each step's code with the progress; --json prints only the report: use one")
				}
				opts.lang = lang
			}
			opts.common.waitTimeout = opts.timeout
			if opts.oauthMistake && opts.flow.Name != "oauth" {
				return usageErrorf("--oauth-mistake is for the oauth flow (the redirect round trip), not %s", opts.flow.Name)
			}
			if err := applyScenario(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runFlow(opts)
		},
	}
	opts.common.register(cmd)
	opts.common.registerEmulatorAddr(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print one JSON document describing every step on stdout (progress goes to stderr)")
	cmd.Flags().DurationVar(&opts.timeout, "timeout", flows.DefaultWaitTimeout, "give up on the whole run after this long")
	cmd.Flags().StringVar(&opts.code, "code", "", "after each step, print its API calls as code: curl, node, python, ruby, java or go (the Link step as its browser code)")
	_ = cmd.RegisterFlagCompletionFunc("code", cobra.FixedCompletions(codeLangs(), cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().BoolVar(&opts.oauthMistake, "oauth-mistake", false, "oauth flow: the page re-initializes Link after the bank WITHOUT receivedRedirectUri (the classic mistake), sees Link start over, and recovers")
	registerScenario(cmd, &opts.scenario)
	completeNoFile(cmd, "timeout")
	return cmd
}

// flowArgs checks the positional flow name: exactly one for run; at most
// one, or "all", for the demo (orAll). An unknown name suggests the
// closest flow.
func flowArgs(orAll bool) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		names := flows.FlowNames()
		switch {
		case len(args) == 0 && !orAll:
			return usageErrorf("name the flow to run: %s", strings.Join(names, ", "))
		case len(args) == 0:
			return nil
		case len(args) > 1 && orAll:
			return usageErrorf("unexpected arguments %q: name one flow, or all", args[1:])
		case len(args) > 1:
			return usageErrorf("unexpected arguments %q: run one flow at a time", args[1:])
		}
		if _, ok := flows.FlowByName(args[0]); ok || (orAll && args[0] == "all") {
			return nil
		}
		if orAll {
			names = append(names, "all")
		}
		return &usageError{
			err:     fmt.Errorf("unknown flow %q: use %s", args[0], strings.Join(names, ", ")),
			suggest: closest(args[0], names),
		}
	}
}

// completeFlows completes the flow name (and "all" for the demo), with
// each flow's title.
func completeFlows(orAll bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, fl := range flows.Flows() {
			out = append(out, cobra.CompletionWithDesc(fl.Name, fl.Title))
		}
		if orAll {
			out = append(out, cobra.CompletionWithDesc("all", "every flow, in order"))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// runFlow sets up, runs the flow and reports it; Ctrl-C cancels cleanly.
func runFlow(opts *runOptions) (err error) {
	stdout, stderr := opts.f.out, opts.f.errOut
	progress := stdout
	if opts.json {
		progress = stderr
	}
	sigCtx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, opts.timeout)
	defer cancel()

	opts.common.prewarm = true // Chromium's launch overlaps the callback server and the link_token
	a, err := setup(ctx, &opts.common, stderr)
	if err != nil {
		return err
	}
	defer func() { err = joinClose(err, a.Close()) }()
	r, err := a.env.NewRunWith(ctx, opts.flow, flows.RunOptions{OAuthMistake: opts.oauthMistake})
	if err != nil {
		return err
	}
	p := &printer{w: progress, flow: opts.flow, lang: opts.lang, cfg: a.cfg, run: r}
	p.header(a)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		p.consume(r.Events())
	}()
	rep := r.RunAll(ctx)
	<-printed // RunAll always ends with EventFinished
	closeErr := r.Close()
	if opts.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	} else {
		p.summary(rep, sigCtx.Err() != nil)
		p.runSummary(a.env.Store, rep.RunID) // run_explain.go
	}
	switch {
	case sigCtx.Err() != nil:
		return &exitError{code: exitInterrupted, err: errors.Join(closeErr,
			fmt.Errorf("interrupted; the session log keeps what happened: linkexplorer log --session %s", rep.RunID))}
	case !rep.OK:
		// The failure is printed once: under its step in the progress (and
		// in the JSON report), not again as the command's error.
		return &exitError{code: exitFailure, err: closeErr}
	}
	return closeErr
}

// printer writes a run's progress for people: one block per step, Link's
// events and webhooks as they arrive, then a summary with the timeline.
type printer struct {
	w    io.Writer
	flow *flows.Flow
	step int
	// stepName is the name of the step whose block is being printed.
	stepName string
	// explained holds the Link names and error codes already explained
	// (run_explain.go): each is explained once a run.
	explained map[string]bool
	// lang, when set, prints each step's code (--code).
	lang codegen.Lang
	cfg  flows.Config
	run  *flows.Run
}

func (p *printer) header(a *app) {
	fmt.Fprintf(p.w, "%s: %s\n", p.flow.Title, a.cfg.Describe())
	if a.emulatorURL != "" {
		fmt.Fprintf(p.w, "embedded emulator at %s; session log in %s\n", a.emulatorURL, a.stateDir)
	}
}

// consume prints events until the run finishes or Events closes.
func (p *printer) consume(events <-chan flows.Event) {
	for ev := range events {
		p.event(ev)
		if ev.Kind == flows.EventFinished {
			return
		}
	}
}

func (p *printer) event(ev flows.Event) {
	switch ev.Kind {
	case flows.EventStepStarted:
		p.step++
		p.stepName = ev.Step
		title := ev.Step
		for _, s := range p.flow.Steps {
			if s.Name == ev.Step {
				title = s.Title
			}
		}
		fmt.Fprintf(p.w, "\n[%d/%d] %s (%s)\n", p.step, len(p.flow.Steps), title, ev.Step)
	case flows.EventCall:
		p.call(ev.Call)
	case flows.EventLink:
		if line := linkLine(ev.Link); line != "" {
			fmt.Fprintf(p.w, "      Link: %s\n", line)
			p.explainLink(ev.Link)
		}
	case flows.EventWebhook:
		fmt.Fprintf(p.w, "      %s%s\n", ev.Message, p.webhookCause(ev.Webhook))
	case flows.EventWaiting, flows.EventNote:
		fmt.Fprintf(p.w, "      %s\n", ev.Message)
	case flows.EventStepFinished:
		p.result(ev.Result)
	}
}

// webhookCause names the step that caused a webhook when it is not the
// step being printed: webhooks come when Plaid sends them, which may be
// during a later step.
func (p *printer) webhookCause(wh *flows.WebhookReceived) string {
	if wh == nil || wh.Step == "" || wh.Step == p.stepName {
		return ""
	}
	if wh.Step == store.StepAfterRun {
		return " (after the run)"
	}
	for i, s := range p.flow.Steps {
		if s.Name == wh.Step {
			return fmt.Sprintf(" (caused by step %d/%d, %s)", i+1, len(p.flow.Steps), s.Title)
		}
	}
	return " (caused by step " + wh.Step + ")"
}

func (p *printer) call(c *flows.Call) {
	status := "no response"
	if c.HTTPStatus != 0 {
		status = fmt.Sprint(c.HTTPStatus)
	}
	line := fmt.Sprintf("      %s %s -> %s", c.Method, c.Endpoint, status)
	if c.ErrorCode != "" {
		line += " " + c.ErrorCode
	}
	if c.RequestID != "" {
		line += ", request_id " + c.RequestID
	}
	if d := flows.FormatDuration(c.Duration); d != "" {
		line += " (" + d + ")"
	}
	fmt.Fprintln(p.w, line)
}

func (p *printer) result(res *flows.StepResult) {
	for _, f := range res.Facts {
		fmt.Fprintf(p.w, "      %s: %s\n", f.Label, f.Value)
	}
	p.code(res)
	switch res.Status {
	case flows.StatusOK:
		fmt.Fprintf(p.w, "      ok%s\n", inParens(flows.FormatDuration(res.Duration)))
	case flows.StatusSkipped:
		fmt.Fprintln(p.w, "      skipped")
	default:
		fmt.Fprintf(p.w, "      FAILED%s: %s\n", inParens(flows.FormatDuration(res.Duration)), res.Error)
		if ex, ok := res.Explanation(); ok && !p.explained["error "+ex.Code] {
			fmt.Fprintf(p.w, "      What it means: %s\n      What to do: %s\n      Docs: %s\n", ex.Meaning, ex.NextStep, ex.Docs)
		}
	}
}

// code prints the step's calls as code in p.lang, or a Link step's
// browser code (Plaid.create with the INVALID_LINK_TOKEN recovery).
func (p *printer) code(res *flows.StepResult) {
	if p.lang == "" {
		return
	}
	var step flows.Step
	for _, s := range p.flow.Steps {
		if s.Name == res.Step {
			step = s
		}
	}
	if step.Kind == flows.StepLink && p.run != nil {
		snip, err := codegen.GenerateLink(p.run.LinkCodeOptions(), codegen.LinkJS)
		if err == nil {
			p.codeBlock("the Link step in the browser", snip)
		}
	}
	for _, c := range res.Calls {
		snip, err := codegen.Generate(p.cfg.CodeRequest(c.Endpoint, c.RequestBody), p.lang)
		if err != nil {
			fmt.Fprintf(p.w, "      (no %s code for %s: %v)\n", p.lang, c.Endpoint, err)
			continue
		}
		p.codeBlock(c.Endpoint+" as "+p.lang.Title()+" code", snip)
	}
}

func (p *printer) codeBlock(title string, snip codegen.Snippet) {
	fmt.Fprintf(p.w, "      --- %s ---\n", title)
	fmt.Fprint(p.w, snip.Code)
	for _, n := range snip.Notes {
		fmt.Fprintln(p.w, "      note: "+n)
	}
	fmt.Fprintln(p.w, "      ---")
}

// linkLine describes a report of the callback page in one line.
func linkLine(ev *flows.PageEvent) string {
	if ev.Rejected {
		// The callback server reports the first refusals of each reason
		// in a minute one by one and sums up the rest, so a flood of
		// refused requests prints a few lines a minute, not one each.
		if ev.Refused > 1 {
			return "refused requests: " + ev.RejectReason
		}
		return "rejected request: " + ev.RejectReason
	}
	var b strings.Builder
	switch ev.Kind {
	case "event":
		b.WriteString(ev.EventName)
		if ev.ViewName != "" {
			b.WriteString(" " + ev.ViewName)
		}
	case "success":
		b.WriteString("onSuccess")
	case "exit":
		b.WriteString("onExit " + cmp.Or(ev.ErrorCode, "(no error)"))
		if ev.ExitStatus != "" {
			b.WriteString(", status " + ev.ExitStatus)
		}
	case "load":
		return "" // onLoad adds nothing a reader needs
	default:
		b.WriteString("page: " + ev.Kind)
	}
	if ev.ErrorCode != "" && ev.Kind == "event" {
		b.WriteString(" " + ev.ErrorCode)
	}
	if ev.Kind == "event" && ev.EventName == "OPEN" || ev.Kind == "success" || ev.Kind == "exit" {
		if ev.LinkSessionID != "" {
			b.WriteString(", link_session_id " + ev.LinkSessionID)
		}
	}
	return b.String()
}

// summary prints the outcome and the timeline.
func (p *printer) summary(rep flows.Report, interrupted bool) {
	outcome := "ok"
	switch {
	case interrupted:
		outcome = "interrupted"
	case !rep.OK:
		outcome = "FAILED"
	}
	fmt.Fprintf(p.w, "\n%s: %s in %s (session %s", rep.Flow, outcome, cmp.Or(flows.FormatDuration(rep.Duration), "0 ms"), rep.RunID)
	if rep.ItemID != "" {
		fmt.Fprintf(p.w, ", item_id %s", rep.ItemID)
	}
	fmt.Fprintln(p.w, ")")
	if len(rep.Timeline) > 0 {
		fmt.Fprintln(p.w, "Timeline:")
	}
	for _, e := range rep.Timeline {
		line := e.Time.Local().Format("15:04:05.000") + "  " + e.What
		for _, kv := range [][2]string{{"", e.Token}, {"request_id ", e.RequestID}, {"link_session_id ", e.LinkSessionID}} {
			if kv[1] != "" {
				line += ", " + kv[0] + kv[1]
			}
		}
		fmt.Fprintln(p.w, "  "+line)
	}
	fmt.Fprintf(p.w, "The session log has every call and Link event: linkexplorer log --session %s --md\n", rep.RunID)
}

// inParens is " (s)", or "" for an empty s.
func inParens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
