package cli

import (
	"github.com/spf13/cobra"

	"github.com/linkexplorer/linkexplorer/flows"
)

// The --scenario flag of linkexplorer run: which Sandbox credentials
// lesson the sandbox-credentials flow plays.

// registerScenario adds --scenario to run, with its completion.
func registerScenario(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "scenario", "", "sandbox-credentials: the Sandbox login to play ("+flows.DefaultCredentialScenario+" by default): one of the MFA or error_<CODE> scenarios, e.g. item-locked")
	_ = cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return scenarioChoices(), cobra.ShellCompDirectiveNoFileComp
	})
}

// scenarioChoices are the scenarios with their titles.
func scenarioChoices() []cobra.Completion {
	var out []cobra.Completion
	for _, sc := range flows.CredentialScenarios() {
		out = append(out, cobra.CompletionWithDesc(sc.Name, sc.Title))
	}
	return out
}

// applyScenario replaces the sandbox-credentials flow by the one of the
// named scenario; --scenario on another flow, or an unknown scenario, is a
// usage error that lists the valid ones.
func applyScenario(opts *runOptions) error {
	if !flows.IsCredentialsFlow(opts.flow) {
		if opts.scenario != "" {
			return usageErrorf("--scenario is for the %s flow, not %s", flows.CredentialsFlowName, opts.flow.Name)
		}
		return nil
	}
	name := opts.scenario
	if name == "" {
		name = flows.DefaultCredentialScenario
	}
	f, err := flows.CredentialsFlow(name)
	if err != nil {
		return &usageError{err: err, suggest: closest(name, flows.CredentialScenarioNames())}
	}
	opts.flow = f
	return nil
}
