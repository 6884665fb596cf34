package sandbox

import (
	"slices"
	"testing"
)

// roundKinds lists an MFA's round kinds.
func roundKinds(m *MFA) []string {
	if m == nil {
		return nil
	}
	var out []string
	for _, r := range m.Rounds {
		out = append(out, r.Kind)
	}
	return out
}

func TestEvaluateCredentialKinds(t *testing.T) {
	tests := []struct {
		user, pass string
		wantErr    string   // error code, "" for success
		wantMFA    []string // round kinds
	}{
		{"user_good", "pass_good", "", nil},
		{"user_good", "microdeposits_good", "", nil},
		{"user_good", "mfa_device", "", []string{"device", "code"}},
		{"user_good", "mfa_selections", "", []string{"selections"}},
		{"user_good", "mfa_questions_1_1", "", []string{"questions"}},
		{"user_good", "mfa_questions_3_2", "", []string{"questions", "questions", "questions"}},
		{"user_good", "mfa_questions_10_10", "", slices.Repeat([]string{"questions"}, 10)},
		{"user_transactions_dynamic", "anything", "", nil},
		{"user_ewa_user", "", "", nil},
		{"user_yuppie", "x", "", nil},
		{"user_small_business", "x", "", nil},
		{"user_bank_income", "x", "", nil},
		{"user_credit_profile_good", "x", "", nil},
		{"user_good", "pass_bad", "INVALID_CREDENTIALS", nil},
		{"user_good", "", "INVALID_CREDENTIALS", nil},
		{"user_good", "PASS_GOOD", "INVALID_CREDENTIALS", nil},
		{"USER_GOOD", "pass_good", "INVALID_CREDENTIALS", nil},
		{"someone", "pass_good", "INVALID_CREDENTIALS", nil},
		{"", "", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_0_1", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_1_0", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_11_1", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_1", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_1_1_1", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_+1_1", "INVALID_CREDENTIALS", nil},
		{"user_good", "mfa_questions_99999999999999999999_1", "INVALID_CREDENTIALS", nil},
		{"user_good", "error_ITEM_LOCKED", "ITEM_LOCKED", nil},
		{"user_good", "error_INVALID_CREDENTIALS", "INVALID_CREDENTIALS", nil},
		{"user_good", "error_INSTITUTION_DOWN", "INSTITUTION_DOWN", nil},
		{"user_good", "error_INVALID_MFA", "INVALID_MFA", nil},
		{"user_good", "error_NO_ACCOUNTS", "NO_ACCOUNTS", nil},
		{"user_good", "error_USER_SETUP_REQUIRED", "USER_SETUP_REQUIRED", nil},
		{"user_good", "error_ITEM_NOT_SUPPORTED", "ITEM_NOT_SUPPORTED", nil},
		{"user_good", "error_INSTITUTION_NOT_RESPONDING", "INSTITUTION_NOT_RESPONDING", nil},
		{"user_good", "error_INTERNAL_SERVER_ERROR", "INTERNAL_SERVER_ERROR", nil},
		{"user_good", "error_ITEM_LOGIN_REQUIRED", "ITEM_LOGIN_REQUIRED", nil},
		{"user_good", "error_INVALID_LINK_TOKEN", "INVALID_LINK_TOKEN", nil},
		{"user_good", "error_NOT_A_CODE", "INVALID_CREDENTIALS", nil},
		{"user_good", "error_", "INVALID_CREDENTIALS", nil},
		{"user_good", "error_item_locked", "INVALID_CREDENTIALS", nil},
		{"someone", "error_ITEM_LOCKED", "INVALID_CREDENTIALS", nil},
	}
	for _, tt := range tests {
		o := Evaluate(tt.user, tt.pass)
		checkOutcome(t, tt.user+"/"+tt.pass, o, tt.wantErr, tt.wantMFA)
		if tt.wantErr == "" && len(o.Accounts) != len(DefaultAccounts()) {
			t.Errorf("%s/%s: %d accounts, want the defaults", tt.user, tt.pass, len(o.Accounts))
		}
	}
}

func checkOutcome(t *testing.T, name string, o Outcome, wantErr string, wantMFA []string) {
	t.Helper()
	switch {
	case wantErr == "" && o.Err != nil:
		t.Errorf("%s: unexpected error %v", name, o.Err)
	case wantErr != "" && (o.Err == nil || o.Err.Code != wantErr):
		t.Errorf("%s: error %v, want %s", name, o.Err, wantErr)
	case wantErr != "" && len(o.Accounts) != 0:
		t.Errorf("%s: error outcome with accounts", name)
	}
	if got := roundKinds(o.MFA); !slices.Equal(got, wantMFA) {
		t.Errorf("%s: MFA rounds %v, want %v", name, got, wantMFA)
	}
	if o.MFA != nil && o.MFA.Type != o.MFA.Rounds[0].Kind {
		t.Errorf("%s: MFA type %q, first round %q", name, o.MFA.Type, o.MFA.Rounds[0].Kind)
	}
}

func TestEveryCatalogueCodeCanBeForced(t *testing.T) {
	for _, code := range ErrorCodes() {
		o := Evaluate("user_good", "error_"+code)
		if o.Err == nil || o.Err.Code != code || o.ErrAfterMFA || o.MFA != nil {
			t.Errorf("error_%s: %+v", code, o)
		}
	}
}

func TestInvalidCredentialsIsUserFacing(t *testing.T) {
	o := Evaluate("nobody", "nothing")
	if o.Err.Type != TypeItem || o.Err.DisplayMessage == nil || o.Err.Message != "the provided credentials were not correct" {
		t.Errorf("%+v", o.Err)
	}
}

func TestMFAQuestionsLayout(t *testing.T) {
	o := Evaluate("user_good", "mfa_questions_2_3")
	for i, r := range o.MFA.Rounds {
		want := []string{}
		for j := range 3 {
			want = append(want, "question_"+string(rune('0'+i))+"_"+string(rune('0'+j)))
		}
		if !slices.Equal(r.Questions, want) || r.Prompt == "" || r.Hint == "" {
			t.Errorf("round %d: %+v", i, r)
		}
	}
}

func TestCheckMFA(t *testing.T) {
	device := *Evaluate("user_good", "mfa_device").MFA
	questions := *Evaluate("user_good", "mfa_questions_2_2").MFA
	selections := *Evaluate("user_good", "mfa_selections").MFA
	custom := *Evaluate("user_custom", `{"mfa":{"type":"selections","selection_rounds":2,"selections_per_question":3}}`).MFA

	if len(device.Rounds[0].Devices) == 0 {
		t.Fatal("device round offers no device")
	}
	if !slices.Contains(selections.Rounds[0].Options[0], "Yes") {
		t.Fatalf("mfa_selections options %v lack Yes", selections.Rounds[0].Options)
	}
	tests := []struct {
		name    string
		m       MFA
		round   int
		answers []string
		want    bool
	}{
		{"device: first device", device, 0, []string{device.Rounds[0].Devices[0]}, true},
		{"device: last device", device, 0, []string{device.Rounds[0].Devices[len(device.Rounds[0].Devices)-1]}, true},
		{"device: unknown device", device, 0, []string{"carrier pigeon"}, false},
		{"device: no answer", device, 0, nil, false},
		{"device: two answers", device, 0, []string{device.Rounds[0].Devices[0], device.Rounds[0].Devices[0]}, false},
		{"code: 1234", device, 1, []string{"1234"}, true},
		{"code: spaces trimmed", device, 1, []string{" 1234 "}, true},
		{"code: wrong", device, 1, []string{"4321"}, false},
		{"code: empty", device, 1, []string{""}, false},
		{"round out of range", device, 2, []string{"1234"}, false},
		{"negative round", device, -1, []string{"1234"}, false},
		{"questions round 0", questions, 0, []string{"answer_0_0", "answer_0_1"}, true},
		{"questions round 1", questions, 1, []string{"answer_1_0", "answer_1_1"}, true},
		{"questions: round 0 answers in round 1", questions, 1, []string{"answer_0_0", "answer_0_1"}, false},
		{"questions: swapped", questions, 0, []string{"answer_0_1", "answer_0_0"}, false},
		{"questions: one missing", questions, 0, []string{"answer_0_0"}, false},
		{"questions: one too many", questions, 0, []string{"answer_0_0", "answer_0_1", "answer_0_2"}, false},
		{"selections: Yes", selections, 0, []string{"Yes"}, true},
		{"selections: No", selections, 0, []string{"No"}, false},
		{"selections: legacy tomato", selections, 0, []string{"tomato"}, false},
		{"custom selections: first option", custom, 1, []string{custom.Rounds[1].Options[0][0]}, true},
		{"custom selections: second option", custom, 1, []string{custom.Rounds[1].Options[0][1]}, false},
		{"zero MFA", MFA{}, 0, []string{"1234"}, false},
		{"unknown kind", MFA{Rounds: []MFARound{{Kind: "telepathy"}}}, 0, []string{"x"}, false},
		{"questions round without questions", MFA{Rounds: []MFARound{{Kind: MFAQuestions}}}, 0, nil, false},
		{"selections without options", MFA{Rounds: []MFARound{{Kind: MFASelections, Questions: []string{"q"}, Options: [][]string{{}}}}}, 0, []string{""}, false},
	}
	for _, tt := range tests {
		if got := tt.m.CheckMFA(tt.round, tt.answers); got != tt.want {
			t.Errorf("%s: CheckMFA = %v, want %v", tt.name, got, tt.want)
		}
	}
	if len(custom.Rounds) != 2 || len(custom.Rounds[0].Options[0]) != 3 {
		t.Errorf("custom selections layout: %+v", custom.Rounds)
	}
}
