package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// newCmdVersion prints what --version prints.
func newCmdVersion(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the VCS revision it was built from",
		Long: `Prints linkexplorer's module version and the VCS revision it was built
from (with its time, and "modified" when the tree had uncommitted changes),
as Go recorded them in the binary. A binary built outside a checkout says
"(devel)" and "revision unknown". The same as linkexplorer --version.`,
		Example: `  linkexplorer version
  linkexplorer --version`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(f.out, "linkexplorer %s\n", versionString(f.buildInfo()))
			return err
		},
	}
}

// versionString describes the build: the module version, then the VCS
// revision, its time and whether the tree was modified, and the Go version,
// e.g. "v1.2.0 (revision 3e1c0db9d8a1, 2026-12-05T10:15:48Z; go1.26.8)".
func versionString(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "(devel) (revision unknown)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	rev := "revision unknown"
	if r := settings["vcs.revision"]; r != "" {
		rev = "revision " + r[:min(12, len(r))]
		if t := settings["vcs.time"]; t != "" {
			rev += ", " + t
		}
		if settings["vcs.modified"] == "true" {
			rev += ", modified"
		}
	}
	details := []string{rev}
	if bi.GoVersion != "" {
		details = append(details, bi.GoVersion)
	}
	return fmt.Sprintf("%s (%s)", version, strings.Join(details, "; "))
}

// addHelpAndCompletion adds cobra's help and completion commands now, rather
// than as the command runs, to give them examples like every other command.
func addHelpAndCompletion(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = `  linkexplorer help
  linkexplorer help run`
			c.RunE = helpTopic
		case "completion":
			// Runnable, so that an unknown shell is a usage error rather
			// than the help.
			c.Args = cobra.ArbitraryArgs
			c.SuggestionsMinimumDistance = 2
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				err := &usageError{err: fmt.Errorf("unknown shell %q: use bash, zsh, fish or powershell", args[0])}
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					err.suggest = s[0]
				}
				return err
			}
			c.Example = `  source <(linkexplorer completion bash)                     # bash, this shell
  linkexplorer completion bash > ~/.local/share/bash-completion/completions/linkexplorer
  linkexplorer completion zsh > "${fpath[1]}/_linkexplorer"   # zsh (with compinit)
  linkexplorer completion fish > ~/.config/fish/completions/linkexplorer.fish`
			for _, shell := range c.Commands() {
				shell.Example = map[string]string{
					"bash":       "  source <(linkexplorer completion bash)",
					"zsh":        `  linkexplorer completion zsh > "${fpath[1]}/_linkexplorer"`,
					"fish":       "  linkexplorer completion fish | source",
					"powershell": "  linkexplorer completion powershell | Out-String | Invoke-Expression",
				}[shell.Name()]
			}
		}
	}
}

// helpTopic is "linkexplorer help [COMMAND]": the help of the command, or
// a usage error, with the closest command, for one that does not exist
// (cobra's own prints the root's usage and exits 0).
func helpTopic(cmd *cobra.Command, args []string) error {
	root := cmd.Root()
	target, rest, err := root.Find(args)
	if err != nil || target == nil || (target == root && len(rest) > 0) {
		topic := strings.Join(args, " ")
		ue := &usageError{err: fmt.Errorf("unknown help topic %q: run 'linkexplorer help' for the commands", topic)}
		if len(args) > 0 {
			if s := root.SuggestionsFor(args[0]); len(s) > 0 {
				ue.suggest = "help " + s[0]
			}
		}
		return ue
	}
	target.InitDefaultHelpFlag()
	target.InitDefaultVersionFlag()
	return target.Help()
}
