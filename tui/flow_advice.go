package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/linkexplorer/linkexplorer/flows"
)

// localAdvice is what to do after a failure that Plaid did not answer: a
// step run before its prerequisite, Link closed by the user, a cancelled
// wait. Each gets its own next step; ok is false for the failures that are
// Plaid's (explained from their error_code) or the network's.
func (f *flowScreen) localAdvice(r *flows.StepResult) (string, bool) {
	var pe *flows.PrereqError
	var le *flows.LinkExitError
	switch {
	case r.Err == nil:
		return "", false
	case errors.As(r.Err, &pe):
		return f.prereqAdvice(pe), true
	case errors.As(r.Err, &flows.NotRecoveredError{}):
		return `The lesson did not happen. Press r to open Link again and log in as user_custom with the password {"force_error":"INVALID_LINK_TOKEN"}` +
			f.expireHint() + `, then finish with user_good / pass_good; or press s to skip and exchange the public_token you got.`, true
	case errors.As(r.Err, &le) && le.Kind == "exit" && le.Code == "":
		return "You closed Link (status " + cmpOr(le.ExitStatus, "none") + "): press r to open Link again and complete it.", true
	case errors.As(r.Err, &le) && le.Kind == "token_error":
		return "The page could not get a link_token from your server: " + f.backTo(f.producer("link_token")) + " fix the request (e edits it), then run the steps again.", true
	case errors.As(r.Err, &le) && le.Kind == "script_error":
		return "The page could not load Link's script: check the emulator (or cdn.plaid.com) is reachable, then press r.", true
	case errors.Is(r.Err, context.Canceled):
		return "The step was stopped before it finished: press r to run it again.", true
	}
	return "", false
}

// prereqAdvice names the step that provides what is missing and the keys
// that get there.
func (f *flowScreen) prereqAdvice(pe *flows.PrereqError) string {
	return "Nothing was sent to Plaid: this step needs " + needsText(pe.Needs) + ". " + f.backTo(f.producer(pe.Needs))
}

func needsText(needs string) string {
	switch needs {
	case "link_token":
		return "a link_token"
	case "public_token":
		return "the public_token from Link's onSuccess"
	case "item":
		return "an Item"
	case "login_required":
		return "an Item in ITEM_LOGIN_REQUIRED"
	}
	return needs
}

// producer is the step before the current one that provides needs: the
// nearest one of the right kind that has not passed, else the nearest one
// of the right kind; -1 when none.
func (f *flowScreen) producer(needs string) int {
	fits := func(s flows.Step) bool {
		switch needs {
		case "link_token":
			return s.Editable
		case "public_token":
			return s.Kind == flows.StepLink
		case "item":
			return strings.Contains(s.Name, "item") || strings.Contains(s.Name, "exchange")
		case "login_required":
			return strings.Contains(s.Name, "reset")
		}
		return false
	}
	found := -1
	for i := min(f.snap.current, len(f.flow.Steps)) - 1; i >= 0; i-- {
		if !fits(f.flow.Steps[i]) {
			continue
		}
		if r := f.resultOf(i); r == nil || r.Status != flows.StatusOK {
			return i
		}
		if found < 0 {
			found = i
		}
	}
	return found
}

func (f *flowScreen) resultOf(i int) *flows.StepResult {
	if i < len(f.snap.results) {
		return f.snap.results[i]
	}
	return nil
}

// backTo says how to get back to step i and run it.
func (f *flowScreen) backTo(i int) string {
	if i < 0 {
		return "Go back (b) to the step that provides it and run it (enter)."
	}
	title := f.flow.Steps[i].Title
	n := f.snap.current - i
	switch {
	case n <= 0:
		return fmt.Sprintf("Run %q (enter).", title)
	case n == 1:
		return fmt.Sprintf("Press b to go back to %q, then enter to run it.", title)
	}
	return fmt.Sprintf("Press b %d times to go back to %q, then enter to run it.", n, title)
}

// expireHint mentions x when the emulator can expire tokens.
func (f *flowScreen) expireHint() string {
	if f.c.emulated() {
		return " (or press x while Link is open)"
	}
	return ""
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// formAdvice rewrites advice that names the configuration (PLAID_PRODUCTS)
// for a request whose values came from the edit form.
func formAdvice(next string) string {
	if !strings.Contains(next, "PLAID_PRODUCTS") {
		return next
	}
	next = strings.Replace(next, "Remove balance from PLAID_PRODUCTS (the products of /link/token/create)",
		"Remove balance from the products field of the request form (e edits it)", 1)
	next = strings.Replace(next, "Fix PLAID_PRODUCTS (the products of /link/token/create)",
		"Fix the products field of the request form (e edits it; you typed this value there)", 1)
	return strings.ReplaceAll(next, "PLAID_PRODUCTS", "the form's products field")
}
