package tui

import "github.com/linkexplorer/linkexplorer/flows"

// The demo's lines for the Sandbox credentials lesson (linkexplorer demo
// sandbox-credentials plays its default scenario, MFA by device code).
// They join demoScripts here, beside the lesson's other TUI code.
func init() {
	demoScripts[flows.CredentialsFlowName] = flowScript{
		intro: "Sandbox credentials: special passwords make the Sandbox bank ask for MFA or fail as real banks do. Here: user_good / mfa_device.",
		steps: map[string]stepScript{
			"create-link-token": {
				"Your server creates a link_token as usual: nothing in it picks the scenario, the password typed in Link does.",
				"The link_token is ready.",
			},
			"open-link-credentials": {
				"Link opens; the autopilot logs in as user_good / mfa_device, picks a device and types the code 1234.",
				"Two MFA panes, device then code, and Link went on to the accounts and onSuccess: MFA stays inside Link.",
			},
			"exchange-public-token": {
				"The public_token is exchanged as usual: MFA changes nothing on your server.",
				"A new Item, linked through MFA.",
			},
		},
		outro: "MFA done: TRANSITION_VIEW MFA with mfa_type device, then code, each SUBMIT_MFA, then HANDOFF. Pick other scenarios from Home or with run --scenario.",
	}
}
