package sandbox

import (
	"fmt"
	"slices"
	"testing"
)

// FuzzEvaluate feeds arbitrary credentials to Evaluate. Run it with
// go test -fuzz=FuzzEvaluate ./emulator/sandbox/; plain go test runs the
// seeds.
func FuzzEvaluate(f *testing.F) {
	seeds := [][2]string{
		{"user_good", "pass_good"},
		{"user_good", "mfa_device"},
		{"user_good", "mfa_questions_2_3"},
		{"user_good", "mfa_questions_99_99"},
		{"user_good", "mfa_selections"},
		{"user_good", "error_ITEM_LOCKED"},
		{"user_good", "error_"},
		{"user_transactions_dynamic", ""},
		{"user_custom", `{"force_error":"INVALID_MFA","mfa":{"type":"questions","question_rounds":2}}`},
		{"user_custom", `{"mfa":{"type":"selections","selection_rounds":2,"selections_per_question":3}}`},
		{"user_custom", `{"override_accounts":[{"type":"credit","meta":{"mask":"a1","limit":5},"transactions":[{"date_posted":"2024-01-01","amount":1,"description":"x"}]}]}`},
		{"user_custom", fullCustom},
		{"user_custom", `{"override_accounts":[{"type":"depository","numbers":{"international_iban":"GB29"}}]}`},
		{"user_custom", `{`},
		{"user_custom", "{\"version\":\"\xff\"}"},
		{"", "\x00"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, username, password string) {
		o := Evaluate(username, password)
		if err := checkConsistent(o); err != nil {
			t.Fatalf("Evaluate(%q, %q): %v", username, password, err)
		}
		again := Evaluate(username, password)
		if (o.Err == nil) != (again.Err == nil) || len(o.Accounts) != len(again.Accounts) ||
			!slices.Equal(roundKinds(o.MFA), roundKinds(again.MFA)) {
			t.Fatalf("Evaluate(%q, %q) is not deterministic", username, password)
		}
	})
}

// checkConsistent states what every Outcome must satisfy.
func checkConsistent(o Outcome) error {
	if (o.Err != nil) == (len(o.Accounts) > 0) {
		return fmt.Errorf("want an error xor accounts: err %v, %d accounts", o.Err, len(o.Accounts))
	}
	if o.ErrAfterMFA && (o.Err == nil || o.MFA == nil) {
		return fmt.Errorf("ErrAfterMFA without error or MFA: %+v", o)
	}
	if o.Err != nil && (!KnownErrorCode(o.Err.Code) || o.Err.Type == "" || o.Err.Message == "") {
		return fmt.Errorf("malformed error %+v", o.Err)
	}
	if o.MFA != nil {
		if err := checkMFAPassable(*o.MFA); err != nil {
			return err
		}
	}
	for _, a := range o.Accounts {
		if !slices.Contains([]string{"depository", "credit", "loan", "investment", "other"}, a.Type) ||
			(a.Mask != nil && !validMask(*a.Mask)) || len(a.Currency) != 3 || a.Name == "" || a.Current == nil {
			return fmt.Errorf("malformed account %+v", a)
		}
	}
	return nil
}

// checkMFAPassable checks every round can be rendered, that the documented
// answers pass it and that a wrong one does not.
func checkMFAPassable(m MFA) error {
	if len(m.Rounds) == 0 || len(m.Rounds) > MaxMFARounds {
		return fmt.Errorf("MFA with %d rounds", len(m.Rounds))
	}
	for i, r := range m.Rounds {
		right, err := documentedAnswers(i, r)
		if err != nil {
			return err
		}
		if !m.CheckMFA(i, right) {
			return fmt.Errorf("round %d (%s) rejects %v", i, r.Kind, right)
		}
		wrong := slices.Clone(right)
		wrong[0] = "wrong"
		if m.CheckMFA(i, wrong) {
			return fmt.Errorf("round %d (%s) accepts %v", i, r.Kind, wrong)
		}
	}
	return nil
}

// documentedAnswers are the answers reference §3.2-3.3 says pass round i.
func documentedAnswers(i int, r MFARound) ([]string, error) {
	if r.Prompt == "" || r.Hint == "" {
		return nil, fmt.Errorf("round %d has no prompt or hint", i)
	}
	switch r.Kind {
	case MFADevice:
		if len(r.Devices) == 0 {
			return nil, fmt.Errorf("device round %d offers no device", i)
		}
		return []string{r.Devices[0]}, nil
	case MFACodeKind:
		return []string{"1234"}, nil
	case MFAQuestions:
		if len(r.Questions) == 0 {
			return nil, fmt.Errorf("questions round %d has no question", i)
		}
		out := make([]string, len(r.Questions))
		for j := range out {
			out[j] = fmt.Sprintf("answer_%d_%d", i, j)
		}
		return out, nil
	case MFASelections:
		if len(r.Questions) == 0 || len(r.Options) != len(r.Questions) {
			return nil, fmt.Errorf("selections round %d: %d questions, %d option lists", i, len(r.Questions), len(r.Options))
		}
		out := make([]string, len(r.Options))
		for j, opts := range r.Options {
			if len(opts) < 2 {
				return nil, fmt.Errorf("selections round %d question %d has %d options", i, j, len(opts))
			}
			out[j] = opts[0]
		}
		return out, nil
	}
	return nil, fmt.Errorf("round %d has unknown kind %q", i, r.Kind)
}
