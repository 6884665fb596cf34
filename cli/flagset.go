package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet makes a subcommand's flag set. Its errors, and its help (the
// usage text, then the flags), go to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseNamed parses flags around one positional name, which may come first
// ("run quickstart --json") or after the flags ("run --json quickstart").
// name is "" when none was given; rest is what follows it.
func parseNamed(fs *flag.FlagSet, args []string) (name string, rest []string, err error) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	rest = fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
		if err := fs.Parse(rest); err != nil {
			return "", nil, err
		}
		rest = fs.Args()
	}
	return name, rest, nil
}
