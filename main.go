// Command linkexplorer teaches, demos and verifies Plaid Link integrations.
//
// With no arguments it opens the terminal app. Subcommands:
//
//	linkexplorer run        run a Link flow end to end, without the terminal app
//	linkexplorer log        print the session log
//	linkexplorer demo       play the flows by themselves, narrated, for an audience
//	linkexplorer doctor     check the setup behind "Unable to fetch link_token"
//	linkexplorer migrate    audit a public_key → link_token migration against Plaid's checklist
//	linkexplorer emulator   serve the offline Plaid Sandbox emulator on its own
//
// main.go is wiring only: flags and environment, the store, the servers, and
// which of the UI or a subcommand runs.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return cmdApp(args, stdout, stderr)
	}
	switch args[0] {
	case "emulator":
		return cmdEmulator(args[1:], stdout, stderr)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "log":
		return cmdLog(args[1:], stdout, stderr)
	case "doctor":
		return cmdDoctor(args[1:], stdout, stderr)
	case "demo":
		return cmdDemo(args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		return cmdApp(args, stdout, stderr) // the terminal app's flags
	}
	fmt.Fprint(stderr, usage)
	return exitUsage
}

const usage = `linkexplorer: teach, demo and verify Plaid Link integrations.

Usage:
  linkexplorer [flags]              open the terminal app: --mode emulated|plaid, --browser
                                    system|none|auto, --state-dir DIR, --debug (a log file)
  linkexplorer run FLOW [flags]     run quickstart, update-mode or invalid-token end to end
  linkexplorer log [flags]          print the session log (--md for a Plaid support ticket)
  linkexplorer doctor [flags]       check the causes of "Unable to fetch link_token" (keys,
                                    PLAID_ENV, products, redirect_uri, port, browser)
  linkexplorer migrate [flags]      audit a public_key → link_token migration: --src DIR
                                    (static), --endpoint URL (live), --observe (manual checks)
  linkexplorer demo [FLOW] [flags]  play the flows by themselves, narrated, for an audience:
                                    offline, Link completed in your browser by the autopilot
  linkexplorer emulator [flags]     serve the offline Plaid Sandbox emulator

Run "linkexplorer <command> -h" for a command's flags.
`
