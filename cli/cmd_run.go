package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/flows"
)

// exitInterrupted is the exit code after Ctrl-C or SIGTERM, as shells use.
const exitInterrupted = 130

const runUsage = `Usage: linkexplorer run quickstart|update-mode|invalid-token [flags]

Runs a Link flow end to end without the terminal app, printing each step
(endpoint, request_id, duration, errors) as it happens. The exit code is
non-zero if the flow failed.

Flags:
`

// cmdRun runs one flow end to end: linkexplorer run <flow> [flags].
func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("linkexplorer run", runUsage, stderr)
	var f commonFlags
	f.register(fs)
	f.registerEmulatorAddr(fs)
	jsonOut := fs.Bool("json", false, "print one JSON document describing every step on stdout (progress goes to stderr)")
	timeout := fs.Duration("timeout", flows.DefaultWaitTimeout, "give up on the whole run after this long")
	name, err := parseRunArgs(fs, args)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "linkexplorer run:", err)
			fs.Usage()
			return exitUsage
		}
		return exitOK
	}
	flow, ok := flows.FlowByName(name)
	if err == nil && !ok {
		err = fmt.Errorf("unknown flow %q: use one of %s", name, strings.Join(flows.FlowNames(), ", "))
	}
	if err == nil {
		err = f.check()
	}
	if err == nil && *timeout <= 0 {
		err = fmt.Errorf("--timeout must be positive, e.g. 10m")
	}
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer run:", err)
		fs.Usage()
		return exitUsage
	}
	f.waitTimeout = *timeout
	progress := stdout
	if *jsonOut {
		progress = stderr
	}
	return runFlow(flow, &f, *timeout, *jsonOut, progress, stdout, stderr)
}

// parseRunArgs parses the flags around the flow name, which may come first
// ("run quickstart --json") or after the flags.
func parseRunArgs(fs *flag.FlagSet, args []string) (string, error) {
	name, rest, err := parseNamed(fs, args)
	if err != nil {
		return "", err
	}
	switch {
	case name == "":
		return "", fmt.Errorf("name the flow to run: %s", strings.Join(flows.FlowNames(), ", "))
	case len(rest) > 0:
		return "", fmt.Errorf("unexpected arguments %q: run one flow at a time", rest)
	}
	return name, nil
}

// runFlow sets up, runs the flow and reports it; Ctrl-C cancels cleanly.
func runFlow(flow *flows.Flow, f *commonFlags, timeout time.Duration, jsonOut bool, progress, stdout, stderr io.Writer) int {
	sigCtx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, timeout)
	defer cancel()

	a, err := setup(ctx, f, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer run:", err)
		return exitFailure
	}
	defer func() {
		if err := a.Close(); err != nil {
			fmt.Fprintln(stderr, "linkexplorer run:", err)
		}
	}()
	r, err := a.env.NewRun(ctx, flow)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer run:", err)
		return exitFailure
	}
	p := &printer{w: progress, flow: flow}
	p.header(a)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		p.consume(r.Events())
	}()
	rep := r.RunAll(ctx)
	<-printed // RunAll always ends with EventFinished
	closeErr := r.Close()
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "linkexplorer run: writing the report:", err)
			return exitFailure
		}
	} else {
		p.summary(rep, sigCtx.Err() != nil)
	}
	if closeErr != nil {
		fmt.Fprintln(stderr, "linkexplorer run:", closeErr)
	}
	switch {
	case sigCtx.Err() != nil:
		fmt.Fprintln(stderr, "linkexplorer run: interrupted; the session log keeps what happened:", "linkexplorer log --session", rep.RunID)
		return exitInterrupted
	case !rep.OK:
		fmt.Fprintf(stderr, "linkexplorer run: %s failed: %s\n", flow.Name, rep.Error)
		return exitFailure
	}
	return exitOK
}

// printer writes a run's progress for people: one block per step, Link's
// events and webhooks as they arrive, then a summary with the timeline.
type printer struct {
	w    io.Writer
	flow *flows.Flow
	step int
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
		}
	case flows.EventWaiting, flows.EventNote, flows.EventWebhook:
		fmt.Fprintf(p.w, "      %s\n", ev.Message)
	case flows.EventStepFinished:
		p.result(ev.Result)
	}
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
	fmt.Fprintf(p.w, "%s (%s)\n", line, roundDuration(c.Duration))
}

func (p *printer) result(res *flows.StepResult) {
	for _, f := range res.Facts {
		fmt.Fprintf(p.w, "      %s: %s\n", f.Label, f.Value)
	}
	switch res.Status {
	case flows.StatusOK:
		fmt.Fprintf(p.w, "      ok (%s)\n", roundDuration(res.Duration))
	case flows.StatusSkipped:
		fmt.Fprintln(p.w, "      skipped")
	default:
		fmt.Fprintf(p.w, "      FAILED (%s): %s\n", roundDuration(res.Duration), res.Error)
		if ex, ok := res.Explanation(); ok {
			fmt.Fprintf(p.w, "      What it means: %s\n      What to do: %s\n      Docs: %s\n", ex.Meaning, ex.NextStep, ex.Docs)
		}
	}
}

// linkLine describes a report of the callback page in one line.
func linkLine(ev *flows.PageEvent) string {
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
		if ev.Rejected {
			return "rejected request: " + ev.RejectReason
		}
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
	fmt.Fprintf(p.w, "\n%s: %s in %s (session %s", rep.Flow, outcome, rep.Duration, rep.RunID)
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

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
