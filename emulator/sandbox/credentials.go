package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Test credentials of reference §3.2.
const (
	UserGood   = "user_good"
	PassGood   = "pass_good"
	UserCustom = "user_custom"
	// PassMicroDeposits is user_good's password for the Automated
	// Micro-deposits flow (Houndstooth Bank).
	PassMicroDeposits = "microdeposits_good"
	// MFACode is the one-time code every Sandbox code round accepts.
	MFACode = "1234"
	// MaxMFARounds bounds rounds, and questions or options per round, so a
	// crafted password cannot make the emulator build a huge challenge.
	MaxMFARounds = 10
)

// MFA round kinds, which are also Link's mfa_type values.
const (
	MFADevice     = "device"
	MFACodeKind   = "code"
	MFAQuestions  = "questions"
	MFASelections = "selections"
)

// personaUsers accept any password and get the default data (reference §3.2);
// the emulator does not model their dynamic, income or credit behaviour.
var personaUsers = []string{
	"user_transactions_dynamic", "user_ewa_user", "user_yuppie",
	"user_small_business", "user_bank_income",
}

// mfaDevices are the devices the device round offers.
var mfaDevices = []string{"SMS to (***) ***-3333", "Email to a***0@example.com"}

func evaluate(username, password string) Outcome {
	switch {
	case username == UserGood:
		return evaluateUserGood(password)
	case username == UserCustom:
		return evaluateCustom(password)
	case slices.Contains(personaUsers, username), strings.HasPrefix(username, "user_credit_"):
		return success(nil)
	}
	return failure(NewError("INVALID_CREDENTIALS", ""))
}

func evaluateUserGood(password string) Outcome {
	switch password {
	case PassGood:
		return success(nil)
	case PassMicroDeposits:
		o := success(nil)
		o.AutomatedMicroDeposits = true
		return o
	case "mfa_device":
		return success(deviceMFA())
	case "mfa_selections":
		return success(selectionsMFA())
	}
	if rest, ok := strings.CutPrefix(password, "mfa_questions_"); ok {
		return questionsPassword(rest)
	}
	if code, ok := strings.CutPrefix(password, "error_"); ok && knownErrorCode(code) {
		return failure(NewError(code, ""))
	}
	return failure(NewError("INVALID_CREDENTIALS", ""))
}

// questionsPassword handles mfa_questions_<n>_<m>, given "<n>_<m>".
func questionsPassword(spec string) Outcome {
	ns, ms, ok := strings.Cut(spec, "_")
	n, okN := smallCount(ns)
	m, okM := smallCount(ms)
	if !ok || !okN || !okM {
		return failure(NewError("INVALID_CREDENTIALS", fmt.Sprintf(
			"the provided credentials were not correct: mfa_questions_<n>_<m> takes n rounds of m questions, each from 1 to %d", MaxMFARounds)))
	}
	return success(questionsMFA(n, m))
}

// smallCount parses a decimal from 1 to MaxMFARounds written with digits only.
func smallCount(s string) (int, bool) {
	if s == "" || len(s) > 2 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= MaxMFARounds
}

func success(mfa *MFA) Outcome { return Outcome{MFA: mfa, Accounts: defaultAccounts()} }

func failure(err *Error) Outcome { return Outcome{Err: err} }

func deviceMFA() *MFA {
	return &MFA{Type: MFADevice, Rounds: []MFARound{
		{
			Kind:    MFADevice,
			Prompt:  "Where should we send your one-time code?",
			Hint:    "Sandbox: choose any device.",
			Devices: slices.Clone(mfaDevices),
		},
		{
			Kind:   MFACodeKind,
			Prompt: "Enter the code we sent you",
			Hint:   "Sandbox: the code is " + MFACode + ".",
		},
	}}
}

func questionsMFA(rounds, perRound int) *MFA {
	m := &MFA{Type: MFAQuestions}
	for i := range rounds {
		r := MFARound{
			Kind:   MFAQuestions,
			Prompt: "Answer your security questions",
			Hint:   fmt.Sprintf("Sandbox: question_%d_j is answered answer_%d_j.", i, i),
		}
		for j := range perRound {
			r.Questions = append(r.Questions, fmt.Sprintf("question_%d_%d", i, j))
		}
		m.Rounds = append(m.Rounds, r)
	}
	return m
}

// selectionsMFA is mfa_selections: one multiple-choice question, answered Yes.
func selectionsMFA() *MFA {
	return &MFA{Type: MFASelections, Rounds: []MFARound{{
		Kind:      MFASelections,
		Prompt:    "Confirm a recent transaction",
		Hint:      "Sandbox: answer Yes.",
		Questions: []string{"Did you recently make a purchase at Starbucks?"},
		Options:   [][]string{{"Yes", "No"}},
	}}}
}

// customSelectionsMFA is user_custom's selections MFA: one question per
// round, answered with its first option.
func customSelectionsMFA(rounds, options int) *MFA {
	m := &MFA{Type: MFASelections}
	for i := range rounds {
		opts := make([]string, options)
		for k := range opts {
			opts[k] = fmt.Sprintf("answer_%d_%d", i, k)
		}
		m.Rounds = append(m.Rounds, MFARound{
			Kind:      MFASelections,
			Prompt:    "Answer your security question",
			Hint:      "Sandbox: choose the first option.",
			Questions: []string{fmt.Sprintf("question_%d_0", i)},
			Options:   [][]string{opts},
		})
	}
	return m
}

// checkMFA applies the rules of reference §3.2-3.3 to round i of m:
// any offered device, the code 1234, answer_<i>_<j> to question j, and the
// first option of each selection question (Yes for mfa_selections).
func checkMFA(m MFA, round int, answers []string) bool {
	if round < 0 || round >= len(m.Rounds) {
		return false
	}
	r := m.Rounds[round]
	switch r.Kind {
	case MFADevice:
		return len(answers) == 1 && slices.Contains(r.Devices, strings.TrimSpace(answers[0]))
	case MFACodeKind:
		return len(answers) == 1 && strings.TrimSpace(answers[0]) == MFACode
	case MFAQuestions:
		return len(r.Questions) > 0 && len(answers) == len(r.Questions) &&
			allAnswered(answers, func(j int) string { return fmt.Sprintf("answer_%d_%d", round, j) })
	case MFASelections:
		return len(r.Questions) > 0 && len(answers) == len(r.Questions) && len(r.Options) == len(r.Questions) &&
			allAnswered(answers, func(j int) string { return firstOption(r.Options[j]) })
	}
	return false
}

// allAnswered reports whether every answer j equals want(j).
func allAnswered(answers []string, want func(j int) string) bool {
	for j, a := range answers {
		w := want(j)
		if w == "" || strings.TrimSpace(a) != w {
			return false
		}
	}
	return true
}

func firstOption(opts []string) string {
	if len(opts) == 0 {
		return ""
	}
	return opts[0]
}
