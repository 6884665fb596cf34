package flows

// PrereqError is a local failure: a step was run before a step it needs
// (the link_token, the public_token, the Item, the broken login). No
// request went to Plaid, so the fix is to run that earlier step.
type PrereqError struct {
	// Needs names what is missing: "link_token", "public_token", "item" or
	// "login_required".
	Needs   string
	Message string
}

func (e *PrereqError) Error() string { return e.Message }

// NotRecoveredError is the invalid-token flow's Link step when Link
// succeeded without meeting INVALID_LINK_TOKEN: the lesson did not happen,
// so the step does not pass.
type NotRecoveredError struct{}

func (NotRecoveredError) Error() string {
	return `Link succeeded without meeting INVALID_LINK_TOKEN, so there was nothing to recover from; ` +
		`open Link again and log in as user_custom with the password {"force_error":"INVALID_LINK_TOKEN"} ` +
		`(or expire the token with x while Link is open)`
}
