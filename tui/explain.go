package tui

import (
	"strings"

	"github.com/linkexplorer/linkexplorer/flows"
)

// plaidError is an error as the app shows it: what failed, and, when Plaid
// answered with an error_code, the explanation from the shared table.
type plaidError struct {
	code, errType, message, requestID string
	explanation                       flows.Explanation
	explained                         bool
	// next replaces the generic advice of an error Plaid did not answer
	// (a local failure with its own next step).
	next string
}

// stepError is a failed step's error.
func stepError(r *flows.StepResult) plaidError {
	pe := plaidError{code: r.ErrorCode, message: r.Error, requestID: r.RequestID}
	if ae, ok := r.Err.(*flows.APIError); ok {
		pe.code, pe.errType = ae.Code, ae.Type
		if ae.Message != "" {
			pe.message = ae.Message
		}
	}
	if pe.message == "" && r.Err != nil {
		pe.message = r.Err.Error()
	}
	pe.explanation, pe.explained = flows.ExplanationOf(r.Err)
	if !pe.explained {
		pe.explanation, pe.explained = flows.ExplainMessage(r.ErrorCode, r.Error)
	}
	return pe
}

// entryError is the error of a log entry.
func entryError(code, errType, message string) plaidError {
	ex, ok := flows.ExplainMessage(code, message)
	return plaidError{code: code, errType: errType, message: message, explanation: ex, explained: ok}
}

// errorBlock renders an error: its code and type, its message with the
// request_id, and what it means and what to do. An error with no Plaid
// error_code came with no answer from Plaid, so it points at the
// connection.
func errorBlock(st styles, e plaidError, w int) string {
	head := "Error"
	if e.code != "" {
		head = e.code
		if t := firstNonEmpty(e.errType, e.explanation.Type); t != "" {
			head += " (" + t + ")"
		}
	}
	lines := []string{st.ErrorCode.Render(oneLine(head))}
	msg := e.message
	if e.requestID != "" && !strings.Contains(msg, e.requestID) {
		msg += " (request_id " + e.requestID + ")"
	}
	if msg != "" {
		lines = append(lines, wrap(st.Text.Render(clean(msg)), w-2))
	}
	for _, kv := range e.advice() {
		lines = append(lines, wrap(st.Bold.Render(kv[0]+": ")+st.Advice.Render(kv[1]), w-2))
	}
	return st.ErrorBox.Render(strings.Join(lines, "\n"))
}

// advice is what to read after the message, as labelled lines.
func (e plaidError) advice() [][2]string {
	switch {
	case e.explained:
		ex := e.explanation
		return [][2]string{{"What it means", ex.Meaning}, {"What to do", ex.NextStep}, {"Docs", ex.Docs}}
	case e.next != "":
		return [][2]string{{"What to do", e.next}}
	case e.code == "":
		return [][2]string{{"What to do", "No Plaid error came back: check that the API (or the emulator) is reachable, then retry with r."}}
	}
	return [][2]string{{"What to do", "Look the code up at https://plaid.com/docs/errors/ and retry with r once it is fixed."}}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
