// Command linkexplorer teaches, demos and verifies Plaid Link integrations.
//
// With no arguments it opens the terminal app; "linkexplorer help" lists
// the subcommands. Everything lives in package cli; main only runs it and
// exits with the code it returns.
package main

import (
	"os"

	"github.com/linkexplorer/linkexplorer/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
