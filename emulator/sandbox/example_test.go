package sandbox_test

import (
	"fmt"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// A Link-style login: evaluate the credentials, then walk the MFA rounds.
func ExampleEvaluate() {
	o := sandbox.Evaluate("user_good", "mfa_device")
	if o.Err != nil {
		fmt.Println("login failed:", o.Err.Code)
		return
	}
	for i, round := range o.MFA.Rounds {
		answer := sandbox.MFACode
		if round.Kind == sandbox.MFADevice {
			answer = round.Devices[0]
		}
		fmt.Printf("%s: %s -> %v\n", round.Kind, round.Prompt, o.MFA.CheckMFA(i, []string{answer}))
	}
	fmt.Println(len(o.Accounts), "accounts, first:", o.Accounts[0].Name)
	// Output:
	// device: Where should we send your one-time code? -> true
	// code: Enter the code we sent you -> true
	// 12 accounts, first: Plaid Checking
}

// user_custom's force_error gives the documented error.
func ExampleEvaluate_forceError() {
	o := sandbox.Evaluate("user_custom", `{"force_error": "INVALID_LINK_TOKEN"}`)
	fmt.Println(o.Err.Type, o.Err.Code, o.Err.HTTPStatus(), o.Err.Message)
	fmt.Println(o.Err.DocumentationURL())
	// Output:
	// INVALID_INPUT INVALID_LINK_TOKEN 400 invalid link_token provided
	// https://plaid.com/docs/?ref=error#invalid-input-errors
}
