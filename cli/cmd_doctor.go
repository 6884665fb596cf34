package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/flows"
)

const doctorUsage = `Usage: linkexplorer doctor [flags]

Checks the causes behind "Unable to fetch link_token": your Plaid keys and
PLAID_ENV, then the products, country codes, redirect_uri and webhook, first
locally and then as Plaid judges them through /link/token/create (each with
its request_id); then the callback port, the browser and the session log's
directory. Without keys it checks against a fresh embedded emulator,
offline. The configuration is read as "run" reads it: flags, the
environment, then .env. The exit code is 1 if any check failed.

Flags:
`

// cmdDoctor checks the setup: linkexplorer doctor [flags].
func cmdDoctor(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("linkexplorer doctor", doctorUsage, stderr)
	var f commonFlags
	f.register(fs)
	jsonOut := fs.Bool("json", false, "print the checks as one JSON document")
	webhook := fs.String("webhook", "", "also check this webhook URL, as your server sends it to /link/token/create")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	err := f.check()
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer doctor:", err)
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	browser, _ := flows.ParseBrowserMode(f.browser) // checked above
	dir, err := stateDir(f.stateDir)
	if err != nil {
		fmt.Fprintln(stderr, "linkexplorer doctor: warning:", err)
	}
	rep := flows.Doctor(ctx, flows.DoctorOptions{
		Getenv: os.Getenv, DotenvPath: ".env",
		Overrides: flows.Overrides{Mode: f.mode, PlaidURL: f.plaidURL},
		Webhook:   *webhook, CallbackAddr: f.callbackAddr, Browser: browser, StateDir: dir,
		StartEmulator: startFreshEmulator,
	})
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "linkexplorer doctor: writing the report:", err)
			return exitFailure
		}
	} else {
		printDoctor(stdout, rep)
	}
	if !rep.OK {
		return exitFailure
	}
	return exitOK
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

// checkMarks are the checklist's symbols.
var checkMarks = map[flows.CheckStatus]string{
	flows.CheckPass: "✓", flows.CheckFail: "✗", flows.CheckWarn: "!", flows.CheckSkip: "-",
}

// printDoctor writes the report as a checklist.
func printDoctor(w io.Writer, rep flows.DoctorReport) {
	fmt.Fprintf(w, "linkexplorer doctor: %s\n", rep.Target)
	counts := map[flows.CheckStatus]int{}
	for _, c := range rep.Checks {
		counts[c.Status]++
		fmt.Fprintf(w, "\n%s %s\n    %s\n", checkMarks[c.Status], c.Title, c.Detail)
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
