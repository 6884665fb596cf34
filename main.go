// Command linkexplorer teaches, demos and verifies Plaid Link integrations.
//
// With no arguments it opens the terminal app; "linkexplorer help" lists
// the subcommands. Everything lives in package cli; main only runs it and
// exits with the code it returns.
package main

import (
	"os"

	"github.com/linkexplorer/linkexplorer/cli"
	// earlyterm holds TERM=dumb while packages initialise, so that Bubble
	// Tea's init does not wait up to 5 s for a terminal that answers
	// nothing (see its doc); it is put back before anything else runs.
	"github.com/linkexplorer/linkexplorer/internal/earlyterm"
)

func main() {
	if earlyterm.Restore() {
		cli.TerminalRestored()
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
