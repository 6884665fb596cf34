package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
)

// failedAt puts the quickstart at step current with res as that step's
// result (earlier steps skipped).
func failedAt(t *testing.T, current int, res *flows.StepResult) string {
	t.Helper()
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	results := make([]*flows.StepResult, len(f.Steps))
	for i := 0; i < current; i++ {
		results[i] = &flows.StepResult{Step: f.Steps[i].Name, Status: flows.StatusSkipped}
	}
	results[current] = res
	s := withToken(snapshot(5, current, results...))
	a.Update(stepFinishedMsg{runID: testRunID, result: res, snap: s})
	a.flow.show(current)
	content, _ := a.flow.detailContent(400) // wide: no wrapping inside sentences
	return strings.Join(strings.Fields(strings.ReplaceAll(plain(content), "│", " ")), " ")
}

// TestLocalFailuresGetTheirOwnNextStep: a step run before its
// prerequisite, Link closed by the user or a stopped wait each say what to
// do next, never "check that the API is reachable" (issue 12, item 7).
func TestLocalFailuresGetTheirOwnNextStep(t *testing.T) {
	cases := []struct {
		name    string
		current int
		err     error
		want    string
	}{
		{"exchange before Link", 2, &flows.PrereqError{Needs: "public_token", Message: "no public_token yet: the Link step has not succeeded; run it first"},
			`Press b to go back to "Open Link and wait for onSuccess"`},
		{"Link before the token", 1, &flows.PrereqError{Needs: "link_token", Message: "no link_token yet: run the step that creates one first"},
			`Press b to go back to "Create a link_token"`},
		{"Link closed", 1, &flows.LinkExitError{Kind: "exit", ExitStatus: "institution_not_found"},
			"press r to open Link again"},
		{"stopped", 1, context.Canceled, "press r to run it again"},
		{"no INVALID_LINK_TOKEN", 1, flows.NotRecoveredError{}, "The lesson did not happen. Press r to open Link again"},
	}
	for _, c := range cases {
		res := &flows.StepResult{Step: "x", Status: flows.StatusFailed, Error: c.err.Error(), Err: c.err}
		view := failedAt(t, c.current, res)
		if !strings.Contains(view, c.want) {
			t.Errorf("%s: the screen lacks %q:\n%s", c.name, c.want, view)
		}
		if strings.Contains(view, "reachable") {
			t.Errorf("%s: a local failure points at the connection:\n%s", c.name, view)
		}
	}
}

// TestEditFormTellsTheTruth: client_name is in the form; after a failed
// create the saved request is shown before it is sent again; advice for a
// bad product names the form when the value came from it (issue 12,
// item 14).
func TestEditFormTellsTheTruth(t *testing.T) {
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	if form := newTokenForm(a.c, flows.TokenRequest{ClientName: "My App"}); !strings.Contains(plain(form.view(100)), "client_name") ||
		form.request().ClientName != "My App" {
		t.Error("client_name is not in the edit form")
	}
	err := &flows.APIError{Endpoint: "/link/token/create", RequestID: "ReqProd1", Type: "INVALID_REQUEST",
		Code: "INVALID_PRODUCT", Message: "balance is not a valid product", HTTPStatus: 400}
	res := &flows.StepResult{Step: "create-link-token", Status: flows.StatusFailed, Endpoint: "/link/token/create",
		RequestID: "ReqProd1", HTTPStatus: 400, ErrorCode: "INVALID_PRODUCT", Error: err.Error(), Err: err}
	s := snapshot(5, 0, res, nil, nil, nil)
	s.tokenEdited = true
	s.tokenRequest.Products = []string{"balance"}
	a.Update(stepFinishedMsg{runID: testRunID, result: res, snap: s})
	content, _ := a.flow.detailContent(400)
	text := strings.Join(strings.Fields(strings.ReplaceAll(plain(content), "│", " ")), " ")
	for _, want := range []string{"REQUEST TO SEND NEXT", "products balance", "request form"} {
		if !strings.Contains(text, want) {
			t.Errorf("the failed create step lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "PLAID_PRODUCTS") {
		t.Errorf("the advice names PLAID_PRODUCTS for a value typed in the form:\n%s", text)
	}
}

// TestUpdateModeFormSaysWhyNoProducts: the update-mode form's products
// field starts empty and says why; what is typed there goes to
// UpdateProducts (issue 12, item 8).
func TestUpdateModeFormSaysWhyNoProducts(t *testing.T) {
	a := sized(Options{})
	tr := flows.TokenRequest{Products: []string{"auth", "transactions"}, ClientUserID: "u"}
	form := newTokenFormFor(a.c, tr, true)
	if form.inputs[fieldProducts].Value() != "" || !strings.Contains(plain(form.view(200)), "update mode") {
		t.Errorf("the update-mode form pre-fills products or does not say why:\n%s", plain(form.view(200)))
	}
	form.inputs[fieldProducts].SetValue("assets")
	if got := form.request(); len(got.UpdateProducts) != 1 || got.UpdateProducts[0] != "assets" || len(got.Products) != 2 {
		t.Errorf("request = %+v", got)
	}
	view := plain(tokenRequestView(a.c.styles, "Request to send", tr, true, 200))
	if !strings.Contains(view, "update mode repairs the Item") {
		t.Errorf("the update-mode preview does not say why no products are sent:\n%s", view)
	}
}

// TestNarrationGoesAwayWhenTheStepPasses: the "new link_token after
// INVALID_LINK_TOKEN" line does not stay once Link succeeded (issue 12,
// item 20).
func TestNarrationGoesAwayWhenTheStepPasses(t *testing.T) {
	a := sized(Options{})
	midway(a)
	a.Update(runEventMsg{runID: testRunID, ev: flows.Event{Kind: flows.EventNote, Message: "the page asked your app's server for a new link_token after INVALID_LINK_TOKEN"}, snap: a.flow.snap})
	if !strings.Contains(a.flow.note, "new link_token") {
		t.Fatal("the note is not shown")
	}
	ok := &flows.StepResult{Step: "open-link", Status: flows.StatusOK}
	a.Update(runEventMsg{runID: testRunID, ev: flows.Event{Kind: flows.EventStepFinished, Step: "open-link", Result: ok}, snap: a.flow.snap})
	if a.flow.note != "" {
		t.Errorf("after the step passed the note still says %q", a.flow.note)
	}
}
