package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/flows"
)

// doctorOptions are linkexplorer doctor's settings.
type doctorOptions struct {
	f       *factory
	common  commonFlags
	json    bool
	webhook string
}

// newCmdDoctor checks the setup: linkexplorer doctor [flags].
func newCmdDoctor(f *factory, runF func(*doctorOptions) error) *cobra.Command {
	opts := &doctorOptions{f: f}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: `Check the setup behind "Unable to fetch link_token"`,
		Long: `Checks the causes behind "Unable to fetch link_token": your Plaid keys and
PLAID_ENV, then the products, country codes, redirect_uri and webhook, first
locally and then as Plaid judges them through /link/token/create (each with
its request_id); then the callback port, the browser and the session log's
directory. Without keys it checks against a fresh embedded emulator,
offline. The configuration is read as "run" reads it: flags, the
environment, then .env. The exit code is 1 if any check failed.`,
		Example: `  linkexplorer doctor                  # your .env / environment, as run reads it
  linkexplorer doctor --webhook https://example.com/plaid/webhook --json`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.common.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runDoctor(opts)
		},
	}
	opts.common.register(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the checks as one JSON document")
	cmd.Flags().StringVar(&opts.webhook, "webhook", "", "also check this webhook URL, as your server sends it to /link/token/create")
	completeNoFile(cmd, "webhook")
	return cmd
}

// runDoctor runs the checks and prints them; a failed check is exit code 1.
func runDoctor(opts *doctorOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	f := &opts.common
	browser, _ := flows.ParseBrowserMode(f.browser) // checked by check
	dir, err := stateDir(f.stateDir)
	if err != nil {
		fmt.Fprintln(opts.f.errOut, "linkexplorer doctor: warning:", err)
	}
	rep := flows.Doctor(ctx, flows.DoctorOptions{
		Getenv: opts.f.getenv, DotenvPath: ".env",
		Overrides: flows.Overrides{Mode: f.mode, PlaidURL: f.plaidURL},
		Webhook:   opts.webhook, CallbackAddr: f.callbackAddr, Browser: browser, StateDir: dir,
		StartEmulator: startFreshEmulator,
	})
	if opts.json {
		enc := json.NewEncoder(opts.f.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	} else {
		printDoctor(opts.f.out, rep)
	}
	if !rep.OK {
		return failedSilently()
	}
	return nil
}

// startFreshEmulator serves an empty emulator (no state file: the user's
// Items are left alone) on a free loopback port until stop or ctx is done.
func startFreshEmulator(ctx context.Context) (baseURL string, stop func(), err error) {
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		return "", nil, err
	}
	ln, err := emulator.Listen("127.0.0.1:0", false)
	if err != nil {
		emu.Close()
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- emu.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), func() { cancel(); <-served }, nil
}

// checkMark is a check's symbol in the checklist.
func checkMark(s flows.CheckStatus) string {
	switch s {
	case flows.CheckPass:
		return "✓"
	case flows.CheckFail:
		return "✗"
	case flows.CheckWarn:
		return "!"
	}
	return "-"
}

// printDoctor writes the report as a checklist.
func printDoctor(w io.Writer, rep flows.DoctorReport) {
	fmt.Fprintf(w, "linkexplorer doctor: %s\n", rep.Target)
	counts := map[flows.CheckStatus]int{}
	for _, c := range rep.Checks {
		counts[c.Status]++
		fmt.Fprintf(w, "\n%s %s\n    %s\n", checkMark(c.Status), c.Title, c.Detail)
		if c.Fix != "" && c.Status != flows.CheckPass {
			fmt.Fprintf(w, "    Fix: %s\n", c.Fix)
		}
	}
	if rep.Note != "" {
		fmt.Fprintf(w, "\n%s\n", rep.Note)
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %s, %d skipped: ", counts[flows.CheckPass], counts[flows.CheckFail],
		plural(counts[flows.CheckWarn], "warning"), counts[flows.CheckSkip])
	if rep.OK {
		fmt.Fprintln(w, "nothing here stops linkexplorer (or your app, with the same settings) from getting a link_token.")
	} else {
		fmt.Fprintln(w, "fix the ✗ items, then run linkexplorer doctor again.")
	}
}

// plural is "1 warning" or "2 warnings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
