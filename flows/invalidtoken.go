package flows

import (
	"context"
	"errors"
	"fmt"
)

// invalidTokenFlow shows the page recovering from INVALID_LINK_TOKEN as
// Plaid's guide says: destroy, new token, Plaid.create again.
func invalidTokenFlow() *Flow {
	create := createTokenStep("Create link_token #1", false)
	create.do = func(ctx context.Context, r *Run) error {
		r.mu.Lock()
		r.st.nextPilot = &forceInvalidToken
		r.mu.Unlock()
		_, err := r.createToken(ctx, false)
		return err
	}
	return &Flow{
		Name:  "invalid-token",
		Title: "Invalid link_token recovery",
		Summary: "A link_token can stop working while Link is open: it expired, or (in Sandbox) the " +
			"user_custom credentials force INVALID_LINK_TOKEN. Link then calls onExit with that error, " +
			"and the page must destroy the handler, fetch a new token from your server and call " +
			"Plaid.create again. The timeline shows both tokens, both request ids and every link_session_id.",
		Steps: []Step{
			create,
			{
				Name: "open-link-recover", Title: "Open Link, meet INVALID_LINK_TOKEN, recover", Kind: StepLink,
				Explain: "Opens Link with token #1 while it is being invalidated: log in as user_custom " +
					"with the password {\"force_error\":\"INVALID_LINK_TOKEN\"} (the autopilot does this with " +
					"--browser=auto), or, offline, expire the token now. Link calls onExit with " +
					"INVALID_LINK_TOKEN; the page calls handler.destroy(), asks POST /create_link_token " +
					"for token #2 (a new /link/token/create call) and creates Link again. Finish with " +
					"user_good / pass_good: onSuccess.",
				do: recoverLink,
			},
			exchangeStep(),
		},
	}
}

// recoverLink opens Link with token #1 and waits for the recovery to end in
// onSuccess.
func recoverLink(ctx context.Context, r *Run) error {
	if r.env.Browser == BrowserAuto && r.env.Control == nil {
		return errors.New("--browser=auto cannot force INVALID_LINK_TOKEN through real Link: typing the user_custom credentials needs a person; run with --browser=system (or none) and log in as user_custom with the password {\"force_error\":\"INVALID_LINK_TOKEN\"}, then as user_good / pass_good")
	}
	if !r.autopilot() {
		alt := ""
		if r.env.Control != nil {
			alt = " (or expire the token now)"
		}
		r.note(`In Link, choose First Platypus Bank and log in as user_custom with the password {"force_error":"INVALID_LINK_TOKEN"}%s; then finish with user_good / pass_good`, alt)
	}
	r.mu.Lock()
	r.st.invalidExits = 0 // this attempt's own
	r.mu.Unlock()
	if _, err := r.openLink(ctx, "invalid-token: meet INVALID_LINK_TOKEN and recover"); err != nil {
		return err
	}
	r.mu.Lock()
	exits, tokens, sessions := r.st.invalidExits, r.st.tokens, len(r.st.linkSessions)
	r.mu.Unlock()
	r.fact("INVALID_LINK_TOKEN exits", fmt.Sprint(exits))
	r.fact("link_tokens", fmt.Sprint(tokens))
	r.fact("link sessions", fmt.Sprint(sessions))
	if exits == 0 {
		// The lesson did not happen: the step must not look passed. The
		// public_token is kept, so the exchange can still run after a skip.
		return NotRecoveredError{}
	}
	return nil
}
