package flows

import (
	"errors"
	"strings"
	"testing"
)

// Every scenario of the table is complete: a unique name, credentials,
// what the user sees, what the handlers receive, what the app should do;
// an error scenario's code has an explanation of the right type and its
// password is error_<CODE>; an MFA scenario names its panes.
func TestCredentialScenariosTable(t *testing.T) {
	seen := map[string]bool{}
	families := map[string]int{}
	for _, sc := range CredentialScenarios() {
		if sc.Name == "" || seen[sc.Name] {
			t.Errorf("scenario name %q is empty or repeated", sc.Name)
		}
		seen[sc.Name] = true
		families[sc.Family]++
		for field, v := range map[string]string{"Title": sc.Title, "Username": sc.Username, "Password": sc.Password,
			"UserSees": sc.UserSees, "Handlers": sc.Handlers, "AppShould": sc.AppShould} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %s is empty", sc.Name, field)
			}
		}
		if sc.Succeeds() {
			if sc.Family != FamilyMFA || len(sc.MFATypes) == 0 || len(sc.Answers) == 0 {
				t.Errorf("%s: a succeeding scenario must be an MFA one with its panes and answers: %+v", sc.Name, sc)
			}
			continue
		}
		x, ok := Explain(sc.ErrorCode)
		switch {
		case !ok:
			t.Errorf("%s: error code %s has no explanation in the error table", sc.Name, sc.ErrorCode)
		case x.Type != sc.ErrorType:
			t.Errorf("%s: error_type %s, the error table says %s", sc.Name, sc.ErrorType, x.Type)
		}
		if sc.Password != "error_"+sc.ErrorCode || sc.ExitStatus != "requires_credentials" || sc.Family != FamilyError {
			t.Errorf("%s: password %q, exit status %q, family %q", sc.Name, sc.Password, sc.ExitStatus, sc.Family)
		}
		if _, ok := ExplainExitStatus(sc.ExitStatus); !ok {
			t.Errorf("%s: exit status %s is not in the Link table", sc.Name, sc.ExitStatus)
		}
	}
	for _, want := range []string{"mfa-device", "mfa-questions", "mfa-questions-rounds", "mfa-selections", "item-locked",
		"invalid-credentials", "invalid-mfa", "institution-down", "institution-not-responding", "item-not-supported", "no-accounts"} {
		if !seen[want] {
			t.Errorf("scenario %s is missing", want)
		}
	}
	if families[FamilyMFA] < 4 || families[FamilyError] < 7 {
		t.Errorf("families: %v", families)
	}
}

// Each scenario builds its flow: the same name, the scenario set, an
// exchange only when Link ends in onSuccess; an unknown one lists them all.
func TestCredentialsFlowPerScenario(t *testing.T) {
	for _, sc := range CredentialScenarios() {
		f, err := CredentialsFlow(sc.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !IsCredentialsFlow(f) || f.Scenario != sc.Name || !strings.Contains(f.Title, sc.Title) {
			t.Errorf("%s: flow %q %q %q", sc.Name, f.Name, f.Scenario, f.Title)
		}
		last := f.Steps[len(f.Steps)-1].Name
		if sc.Succeeds() != (last == "exchange-public-token") {
			t.Errorf("%s: last step %s", sc.Name, last)
		}
		if link := f.Steps[1]; !strings.Contains(link.Explain, sc.Password) || !strings.Contains(link.Explain, sc.AppShould) {
			t.Errorf("%s: the Link step does not say what to type and do: %s", sc.Name, link.Explain)
		}
	}
	_, err := CredentialsFlow("mfa-devcie")
	var u UnknownScenarioError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "mfa-device, mfa-questions") {
		t.Errorf("unknown scenario: %v", err)
	}
	f, ok := FlowByName(CredentialsFlowName)
	if !ok || f.Scenario != DefaultCredentialScenario || !f.DemoOnRequest {
		t.Errorf("Flows() lists %+v", f)
	}
}

func TestSeenSummaryAndMFAPanes(t *testing.T) {
	seen := []seenEvent{{name: "OPEN"}, {name: "TRANSITION_VIEW", view: "MFA", mfaType: "device"}, {name: "SUBMIT_MFA", mfaType: "device"},
		{name: "TRANSITION_VIEW", view: "MFA", mfaType: "code"}, {name: "ERROR", code: "INVALID_MFA"},
		{name: "TRANSITION_VIEW", view: "MFA", mfaType: "device"}, {name: "TRANSITION_VIEW", view: "MFA", mfaType: "code"}}
	if got := seenSummary(seen[:3]); got != "OPEN, TRANSITION_VIEW(MFA device), SUBMIT_MFA(device)" {
		t.Errorf("summary %q", got)
	}
	if !isSubsequence([]string{"device", "code"}, mfaTypes(seen)) || isSubsequence([]string{"questions"}, mfaTypes(seen)) {
		t.Errorf("mfa panes %v", mfaTypes(seen))
	}
	if !metError(seen, "INVALID_MFA") || metError(seen, "ITEM_LOCKED") {
		t.Error("metError")
	}
}
