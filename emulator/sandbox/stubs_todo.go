package sandbox

// Temporary stubs so dependants compile while the data is written.
// The sandbox-data helper replaces this file.

func statusFor(typ, code string) int { return 400 }
func docURLFor(typ string) string    { return "" }
func newError(code, message string) *Error {
	return &Error{Type: "API_ERROR", Code: code, Message: message}
}
func knownErrorCode(code string) bool                  { return false }
func products() []string                               { return nil }
func countryCodes() []string                           { return nil }
func languages() []string                              { return nil }
func institutions() []Institution                      { return nil }
func institutionByID(id string) (Institution, bool)    { return Institution{}, false }
func defaultAccounts() []AccountTemplate               { return nil }
func defaultOwner() Owner                              { return Owner{} }
func checkMFA(m MFA, round int, answers []string) bool { return false }
func evaluate(username, password string) Outcome       { return Outcome{} }
