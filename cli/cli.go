// Package cli is linkexplorer's command line: the subcommands and the
// wiring they share (flags and environment, the session log, the embedded
// emulator, the servers), and which of the terminal app or a subcommand runs.
package cli

import (
	"fmt"
	"io"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Run dispatches to a subcommand and returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
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
