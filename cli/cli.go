// Package cli is linkexplorer's command line, built on cobra in the style of
// GitHub's gh: one constructor per command (newCmdRun, newCmdLog, …) that
// takes the factory and returns a *cobra.Command, an options struct per
// command, RunE returning errors, and one place, Run, that prints errors
// and maps them to exit codes. The root command opens the terminal app.
//
// It also holds the wiring the commands share: flags and environment, the
// session log, the embedded emulator and the servers (setup.go).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1   // a check or a flow failed, or something went wrong
	exitUsage       = 2   // a bad command line
	exitInterrupted = 130 // Ctrl-C, SIGTERM or SIGHUP, as shells use
)

// factory is what the commands get from the outside world: where they
// write, the environment and the build's description. Tests run Run
// in-process with their own writers.
type factory struct {
	out, errOut io.Writer
	getenv      func(string) string
	buildInfo   func() (*debug.BuildInfo, bool)
}

// Run runs linkexplorer with args (without the program name) and returns
// the process exit code. It is the one place that prints a command's error:
// one line "linkexplorer CMD: what happened; what to do", then, for a bad
// command line, a suggestion when there is one and where the help is.
func Run(args []string, stdout, stderr io.Writer) int {
	f := &factory{out: stdout, errOut: stderr, getenv: os.Getenv, buildInfo: debug.ReadBuildInfo}
	root := newCmdRoot(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	return reportError(cmd, err, stderr)
}

// reportError prints err as said on Run and returns its exit code.
func reportError(cmd *cobra.Command, err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	name := "linkexplorer"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	var usage *usageError
	if errors.As(err, &usage) {
		fmt.Fprintf(stderr, "%s: %v\n", name, usage.err)
		if usage.suggest != "" {
			fmt.Fprintf(stderr, "\nDid you mean this?\n\t%s\n\n", usage.suggest)
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
		return exitUsage
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, exit.err)
		}
		return exit.code
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return exitFailure
}

// usageError is a bad command line (exit code 2): a flag, a value, a
// command or a flow that does not exist. suggest is the closest valid
// name, if any.
type usageError struct {
	err     error
	suggest string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf makes a usageError.
func usageErrorf(format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...)}
}

// exitError ends the command with code, after printing err when it is not
// nil (a command that already printed its verdict, such as a failed
// doctor check, returns it with a nil err).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// joinClose adds the error of closing something to err, keeping err's
// exit code.
func joinClose(err, closeErr error) error {
	if closeErr == nil {
		return err
	}
	var exit *exitError
	if errors.As(err, &exit) {
		exit.err = errors.Join(exit.err, closeErr)
		return err
	}
	return errors.Join(err, closeErr)
}

// failedSilently is exit code 1 after the command printed why.
func failedSilently() error { return &exitError{code: exitFailure} }

// flagError turns pflag's errors ("unknown flag: --brower", "invalid
// argument …") into usage errors, suggesting the closest flag for an
// unknown one, and the two-dash form for a long flag given with one
// ("-browser", as the flag package took it before).
func flagError(cmd *cobra.Command, err error) error {
	ue := &usageError{err: err}
	var notExist *pflag.NotExistError
	if !errors.As(err, &notExist) {
		return ue
	}
	var names []string
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if !fl.Hidden {
			names = append(names, fl.Name)
		}
	})
	if short := notExist.GetSpecifiedShortnames(); short != "" {
		name, _, _ := strings.Cut(short, "=")
		if s := closest(name, names); s != "" && len([]rune(name)) >= 3 {
			ue.err = fmt.Errorf("%w (long flags take two dashes)", err)
			ue.suggest = "--" + s
		}
		return ue
	}
	if s := closest(notExist.GetSpecifiedName(), names); s != "" {
		ue.suggest = "--" + s
	}
	return ue
}

// noArgs is the Args of the commands that take no positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected arguments %q: %s takes only flags", args, cmd.Name())
	}
	return nil
}

// closest is the candidate nearest to name (at most 2 edits, or a prefix
// of it of 3 runes or more), or "".
func closest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(name), strings.ToLower(c))
		if len([]rune(name)) >= 3 && strings.HasPrefix(strings.ToLower(c), strings.ToLower(name)) {
			d = 1
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// choiceNames are the values of completions ("name\tdescription").
func choiceNames(choices []cobra.Completion) []string {
	names := make([]string, len(choices))
	for i, c := range choices {
		names[i], _, _ = strings.Cut(c, "\t")
	}
	return names
}
