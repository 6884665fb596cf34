package flows

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// referencePath finds shared/plaid-reference.md by walking up from the
// working directory. Without it the test is skipped, unless CI is set.
func referencePath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "plaid-reference.md")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatal("shared/plaid-reference.md not found above the working directory")
	}
	t.Skip("skipping: shared/plaid-reference.md not found above the working directory (set CI=1 to make this a failure)")
	return ""
}

var codeRE = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b`)

// referenceCodes parses reference §1.4's table: each error_code with the
// error types of its row. It also returns §3.3's force_error values.
func referenceCodes(t *testing.T, path string) (byCode map[string][]string, forced []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byCode = map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "### ") {
			section = strings.Fields(line)[1]
			continue
		}
		switch {
		case section == "1.4" && strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| error_type") && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(line, "|")
			if len(cells) < 4 {
				t.Fatalf("§1.4 row %q has fewer than 3 cells", line)
			}
			types := codeRE.FindAllString(cells[1], -1)
			codes := append(regexp.MustCompile("`([A-Z_]+)`").FindAllString(cells[2], -1), codeRE.FindAllString(cells[3], -1)...)
			for _, c := range codes {
				byCode[strings.Trim(c, "`")] = types
			}
		case section == "3.3" && strings.HasPrefix(line, "- `force_error`:"):
			for _, c := range regexp.MustCompile("`([A-Z_]+)`").FindAllStringSubmatch(line, -1) {
				forced = append(forced, c[1])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(byCode) < 50 || len(forced) < 10 {
		t.Fatalf("parsed only %d codes from §1.4 and %d force_error values from §3.3: has the reference's layout changed?", len(byCode), len(forced))
	}
	return byCode, forced
}

func TestExplainCoversReference(t *testing.T) {
	byCode, forced := referenceCodes(t, referencePath(t))
	for code, types := range byCode {
		ex, ok := Explain(code)
		if !ok {
			t.Errorf("%s (reference §1.4) has no explanation", code)
			continue
		}
		found := false
		for _, typ := range types {
			found = found || typ == ex.Type
		}
		if !found {
			t.Errorf("%s: error_type %s, reference §1.4 says %v", code, ex.Type, types)
		}
	}
	for _, code := range forced {
		if _, ok := Explain(code); !ok {
			t.Errorf("force_error %s (reference §3.3) has no explanation", code)
		}
	}
}

func TestExplainCoversEmulator(t *testing.T) {
	for _, code := range sandbox.ErrorCodes() {
		ex, ok := Explain(code)
		if !ok {
			t.Errorf("%s (emulator catalogue) has no explanation", code)
			continue
		}
		if want := sandbox.NewError(code, "").Type; ex.Type != want {
			t.Errorf("%s: error_type %s, the emulator says %s", code, ex.Type, want)
		}
	}
	for _, code := range sandbox.ForceErrorCodes() {
		if _, ok := Explain(code); !ok {
			t.Errorf("force_error %s (emulator) has no explanation", code)
		}
	}
	for _, code := range []string{"PUBLIC_KEY_NOT_ENABLED", "UNAUTHORIZED_ROUTE_ACCESS", "INVALID_LINK_CUSTOMIZATION", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"} {
		if _, ok := Explain(code); !ok {
			t.Errorf("%s has no explanation", code)
		}
	}
}

// TestExplanationsComplete checks every row is filled in, and that the
// docs link points at the row's error type.
func TestExplanationsComplete(t *testing.T) {
	for code := range explanations {
		ex, _ := Explain(code)
		if ex.Code != code || ex.Type == "" || len(ex.Meaning) < 20 || len(ex.NextStep) < 20 || !strings.HasPrefix(ex.Docs, "https://plaid.com/docs/") {
			t.Errorf("%s: incomplete explanation %+v", code, ex)
		}
		if strings.HasSuffix(ex.Meaning, " ") || !strings.HasSuffix(strings.TrimRight(ex.NextStep, "`"), ".") {
			t.Errorf("%s: next step should be whole sentences: %q", code, ex.NextStep)
		}
	}
	ex, _ := Explain("INVALID_LINK_TOKEN")
	if ex.Docs != "https://plaid.com/docs/errors/invalid-input/#invalid_link_token" {
		t.Errorf("INVALID_LINK_TOKEN docs: %s", ex.Docs)
	}
	ex, _ = Explain("RATE_LIMIT")
	if ex.Docs != "https://plaid.com/docs/errors/rate-limit-exceeded/#rate_limit" {
		t.Errorf("RATE_LIMIT docs: %s", ex.Docs)
	}
	if _, ok := Explain("NOT_A_PLAID_CODE"); ok {
		t.Error("an unknown code has an explanation")
	}
}

func TestExplainNextSteps(t *testing.T) {
	cases := []struct{ code, want string }{
		{"INVALID_LINK_TOKEN", "handler.destroy()"},
		{"INVALID_LINK_TOKEN", "linkexplorer run invalid-token"},
		{"ITEM_LOGIN_REQUIRED", "update mode"},
		{"ITEM_LOGIN_REQUIRED", "linkexplorer run update-mode"},
		{"INVALID_API_KEYS", "PLAID_ENV"},
		{"INVALID_API_KEYS", "linkexplorer doctor"},
		{"INVALID_PRODUCT", "balance"},
	}
	for _, c := range cases {
		ex, _ := Explain(c.code)
		if !strings.Contains(ex.NextStep, c.want) {
			t.Errorf("%s: next step %q lacks %q", c.code, ex.NextStep, c.want)
		}
	}
}

func TestExplainMessage(t *testing.T) {
	cases := []struct{ code, message, want string }{
		{"INVALID_FIELD", "OAuth redirect URI must be configured in the developer dashboard. See https://plaid.com/docs/#oauth-redirect-uris", "Allowed redirect URIs"},
		{"INVALID_FIELD", "redirect_uri must use https (http is allowed only for localhost)", "no query string"},
		{"INVALID_FIELD", "webhook must be a non-empty string URL", "https://example.com/plaid/webhook"},
		{"INVALID_FIELD", `"XX" in country_codes is not a supported country code`, "PLAID_COUNTRY_CODES"},
		{"INVALID_FIELD", `language "xx" is not supported`, "da, nl, en"},
		{"INVALID_FIELD", "something else entirely", "Read error_message"},
		{"MISSING_FIELDS", "the following required fields are missing: client_id", "PLAID_CLIENT_ID"},
		{"MISSING_FIELDS", "the following required fields are missing: secret", "PLAID_SECRET"},
		{"MISSING_FIELDS", "the following required fields are missing: user.client_user_id", "client_name, language"},
		{"INVALID_PRODUCT", "balance is not a valid product for products", "/accounts/balance/get"},
		{"PRODUCT_NOT_READY", "the requested product is not yet ready. please provide a webhook or try the request again later: account x is pending_automatic_verification", "AUTOMATICALLY_VERIFIED"},
		{"PRODUCT_NOT_READY", "the requested product is not yet ready. please provide a webhook or try the request again later", "SYNC_UPDATES_AVAILABLE"},
		{"NO_AUTH_ACCOUNTS", "no valid checking or savings accounts were found that support auth: the micro-deposit verification of this Item's account expired (verification_expired)", "link the account again"},
	}
	for _, c := range cases {
		ex, ok := ExplainMessage(c.code, c.message)
		if !ok || !strings.Contains(ex.NextStep, c.want) {
			t.Errorf("%s %q: next step %q lacks %q", c.code, c.message, ex.NextStep, c.want)
		}
	}
}

func TestExplainError(t *testing.T) {
	apiErr := &APIError{Endpoint: "/link/token/create", RequestID: "Req1234567890ab", Type: "INVALID_REQUEST", Code: "INVALID_FIELD",
		Message: "webhook must be a non-empty string URL"}
	wrapped := fmt.Errorf("step create-link-token: %w", apiErr)
	got := ExplainError(wrapped)
	for _, want := range []string{"POST /link/token/create failed: INVALID_FIELD", "What it means: The webhook", "What to do: Give /link/token/create a full URL", "Docs: https://plaid.com/docs/errors/invalid-request/#invalid_field", "Req1234567890ab"} {
		if !strings.Contains(got, want) {
			t.Errorf("ExplainError lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "Req1234567890ab") != 1 {
		t.Errorf("the request_id should appear once:\n%s", got)
	}

	exit := &LinkExitError{Kind: "exit", Type: "INVALID_INPUT", Code: "INVALID_LINK_TOKEN", Message: "invalid link_token provided"}
	if ex, ok := ExplanationOf(exit); !ok || ex.Code != "INVALID_LINK_TOKEN" {
		t.Errorf("ExplanationOf(Link exit) = %+v, %v", ex, ok)
	}
	linkWithID := &LinkExitError{Kind: "token_error", Code: "INVALID_API_KEYS", RequestID: "LinkReq0000001"}
	if got := ExplainError(linkWithID); !strings.Contains(got, "request_id") || !strings.Contains(got, "LinkReq0000001") {
		t.Errorf("ExplainError(Link token error) lacks the request_id:\n%s", got)
	}

	plain := errors.New("connection refused")
	if got := ExplainError(plain); got != "connection refused" {
		t.Errorf("ExplainError(non-Plaid error) = %q", got)
	}
	if ExplainError(nil) != "" {
		t.Error("ExplainError(nil) is not empty")
	}
	unknown := &APIError{Endpoint: "/x", Code: "SOMETHING_NEW", Message: "m"}
	if got := ExplainError(unknown); got != unknown.Error() {
		t.Errorf("ExplainError(unknown code) = %q", got)
	}
	var g plaid.GenericOpenAPIError
	if _, ok := ExplanationOf(g); ok {
		t.Error("an empty plaid-go error has an explanation")
	}
}
