package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Limits of user_custom (reference §3.3).
const (
	MaxCustomAccounts     = 10
	MaxCustomTransactions = 250
	MaxCustomConfigBytes  = 55 * 1024
)

// forceErrors are the force_error values of reference §3.3, with the
// catalogue code each raises.
var forceErrors = map[string]string{
	"INSTITUTION_NOT_RESPONDING":      "INSTITUTION_NOT_RESPONDING",
	"INSTITUTION_NO_LONGER_SUPPORTED": "INSTITUTION_NO_LONGER_SUPPORTED",
	"INVALID_CREDENTIALS":             "INVALID_CREDENTIALS",
	"INVALID_MFA":                     "INVALID_MFA",
	"ITEM_LOCKED":                     "ITEM_LOCKED",
	"ITEM_LOGIN_REQUIRED":             "ITEM_LOGIN_REQUIRED",
	"ITEM_NOT_SUPPORTED":              "ITEM_NOT_SUPPORTED",
	"INVALID_LINK_TOKEN":              "INVALID_LINK_TOKEN",
	"MFA_NOT_SUPPORTED":               "MFA_NOT_SUPPORTED",
	"NO_ACCOUNTS":                     "NO_ACCOUNTS",
	"PLAID_ERROR":                     "INTERNAL_SERVER_ERROR",
	"USER_INPUT_TIMEOUT":              "USER_INPUT_TIMEOUT",
	"USER_SETUP_REQUIRED":             "USER_SETUP_REQUIRED",
}

// ForceErrorCodes returns the force_error values user_custom accepts, sorted.
func ForceErrorCodes() []string {
	out := make([]string, 0, len(forceErrors))
	for k := range forceErrors {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// customConfig is the user_custom JSON. Documented keys the emulator does
// not model are accepted and ignored; any other key is an error, so a typo
// such as "force_eror" is reported instead of silently ignored.
type customConfig struct {
	Version          json.RawMessage `json:"version"`
	Seed             json.RawMessage `json:"seed"`
	OverrideAccounts []customAccount `json:"override_accounts"`
	MFA              *customMFA      `json:"mfa"`
	Recaptcha        string          `json:"recaptcha"`
	ForceError       string          `json:"force_error"`
}

type customMFA struct {
	Type                  string `json:"type"`
	QuestionRounds        *int   `json:"question_rounds"`
	QuestionsPerRound     *int   `json:"questions_per_round"`
	SelectionRounds       *int   `json:"selection_rounds"`
	SelectionsPerQuestion *int   `json:"selections_per_question"`
}

func evaluateCustom(password string) Outcome {
	cfg, err := parseCustom(password)
	if err != nil {
		return failure(customError(err))
	}
	mfa, err := cfg.mfa()
	if err != nil {
		return failure(customError(err))
	}
	accounts, err := cfg.accounts()
	if err != nil {
		return failure(customError(err))
	}
	switch {
	case cfg.Recaptcha == "bad":
		return failure(NewError("RECAPTCHA_BAD", ""))
	case cfg.ForceError == "INVALID_MFA" && mfa != nil:
		return Outcome{Err: NewError("INVALID_MFA", ""), ErrAfterMFA: true, MFA: mfa}
	case cfg.ForceError != "":
		return failure(NewError(forceErrors[cfg.ForceError], ""))
	}
	return Outcome{MFA: mfa, Accounts: accounts}
}

func customError(err error) *Error {
	return NewError("INVALID_CREDENTIALS",
		"the provided credentials were not correct: user_custom password is not a valid configuration: "+err.Error())
}

// parseCustom decodes and checks the top level of a user_custom password.
func parseCustom(password string) (customConfig, error) {
	var cfg customConfig
	if len(password) > MaxCustomConfigBytes {
		return cfg, fmt.Errorf("it is %d bytes, over the %d-byte limit", len(password), MaxCustomConfigBytes)
	}
	if !strings.HasPrefix(strings.TrimSpace(password), "{") {
		return cfg, errors.New(`it must be a JSON object, e.g. {"force_error":"ITEM_LOCKED"}`)
	}
	dec := json.NewDecoder(strings.NewReader(password))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return cfg, errors.New("invalid JSON: unexpected data after the object")
	}
	if err := checkVersion(cfg.Version); err != nil {
		return cfg, err
	}
	if cfg.Recaptcha != "" && cfg.Recaptcha != "good" && cfg.Recaptcha != "bad" {
		return cfg, fmt.Errorf("recaptcha must be \"good\" or \"bad\", not %s", quote(cfg.Recaptcha))
	}
	if _, ok := forceErrors[cfg.ForceError]; cfg.ForceError != "" && !ok {
		return cfg, fmt.Errorf("force_error %s is not supported; use one of %s (for INSTITUTION_DOWN use the password error_INSTITUTION_DOWN)",
			quote(cfg.ForceError), strings.Join(ForceErrorCodes(), ", "))
	}
	return cfg, nil
}

func checkVersion(v json.RawMessage) error {
	switch string(bytes.TrimSpace(v)) {
	case "", "null", `"1"`, `"2"`, "1", "2":
		return nil
	}
	return fmt.Errorf(`version must be "1" or "2", not %s`, quote(string(v)))
}

// mfa builds the configured challenge, or nil without one.
func (c customConfig) mfa() (*MFA, error) {
	if c.MFA == nil {
		return nil, nil
	}
	m := c.MFA
	switch m.Type {
	case MFADevice:
		return deviceMFA(), nil
	case MFAQuestions:
		rounds, err := mfaCount("question_rounds", m.QuestionRounds, 1, 1)
		if err != nil {
			return nil, err
		}
		per, err := mfaCount("questions_per_round", m.QuestionsPerRound, 1, 1)
		if err != nil {
			return nil, err
		}
		return questionsMFA(rounds, per), nil
	case MFASelections:
		rounds, err := mfaCount("selection_rounds", m.SelectionRounds, 1, 1)
		if err != nil {
			return nil, err
		}
		opts, err := mfaCount("selections_per_question", m.SelectionsPerQuestion, 2, 2)
		if err != nil {
			return nil, err
		}
		return customSelectionsMFA(rounds, opts), nil
	}
	return nil, fmt.Errorf(`mfa.type must be "device", "questions" or "selections", not %s`, quote(m.Type))
}

// mfaCount reads an optional count, checking min <= n <= MaxMFARounds.
func mfaCount(field string, v *int, def, minimum int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < minimum || *v > MaxMFARounds {
		return 0, fmt.Errorf("mfa.%s must be from %d to %d, not %d", field, minimum, MaxMFARounds, *v)
	}
	return *v, nil
}

// accounts builds the Item's accounts: override_accounts, or the defaults.
func (c customConfig) accounts() ([]AccountTemplate, error) {
	if len(c.OverrideAccounts) == 0 {
		return defaultAccounts(), nil
	}
	if n := len(c.OverrideAccounts); n > MaxCustomAccounts {
		return nil, fmt.Errorf("override_accounts has %d accounts; at most %d are allowed", n, MaxCustomAccounts)
	}
	total := 0
	for _, a := range c.OverrideAccounts {
		total += len(a.Transactions)
	}
	if total > MaxCustomTransactions {
		return nil, fmt.Errorf("override_accounts has %d transactions; at most %d are allowed", total, MaxCustomTransactions)
	}
	out := make([]AccountTemplate, len(c.OverrideAccounts))
	for i, a := range c.OverrideAccounts {
		t, err := a.template(i)
		if err != nil {
			return nil, fmt.Errorf("override_accounts[%d]: %w", i, err)
		}
		out[i] = t
	}
	return out, nil
}
