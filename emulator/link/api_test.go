package link

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestAssetsServedWithContentTypes(t *testing.T) {
	h, _ := fixture(t)
	for path, ct := range map[string]string{
		"/link/v2/stable/link-initialize.js": "text/javascript; charset=utf-8",
		"/link/v2/stable/link.html?token=x":  "text/html; charset=utf-8",
		"/link/v2/stable/emulated/link.js":   "text/javascript; charset=utf-8",
		"/link/v2/stable/emulated/link.css":  "text/css; charset=utf-8",
	} {
		req, rec := httpGet(path)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ct {
			t.Errorf("GET %s: %d %q, want 200 %q", path, rec.Code, rec.Header().Get("Content-Type"), ct)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", path)
		}
	}
	req, rec := httpGet("/link/v2/stable/link-initialize.js")
	h.ServeHTTP(rec, req)
	if js := rec.Body.String(); !strings.Contains(js, "window.Plaid") || !strings.Contains(js, "Missing Link parameter. Link requires a key or token to be provided.") {
		t.Error("link-initialize.js does not define window.Plaid with the missing-token error")
	}
	req, rec = httpGet("/link/v2/stable/link.html")
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "Emulated Link (offline)") {
		t.Error("link.html is not labelled Emulated Link (offline)")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("link.html CSP = %q", csp)
	}
	if rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Error("link.html carries the token in its URL but may send a Referer")
	}
}

// TestLinkHTMLInlinesItsAssets: link.html carries link.js and link.css
// inline (one round trip instead of two), and its policy allows exactly
// those two contents, by hash, and no other inline script or style.
func TestLinkHTMLInlinesItsAssets(t *testing.T) {
	h, _ := fixture(t)
	req, rec := httpGet("/link/v2/stable/link.html?token=x")
	h.ServeHTTP(rec, req)
	page := rec.Body.String()
	if strings.Contains(page, `src="emulated/link.js"`) || strings.Contains(page, `href="emulated/link.css"`) {
		t.Error("link.html still loads link.js or link.css from the server")
	}
	if !strings.Contains(page, "<script>"+string(linkJS)+"</script>") || !strings.Contains(page, "<style>"+string(linkCSS)+"</style>") {
		t.Error("link.html does not carry link.js and link.css inline, unchanged")
	}
	hash := func(b []byte) string {
		sum := sha256.Sum256(b)
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self' " + hash(linkJS) + ";", "style-src 'self' " + hash(linkCSS) + ";", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("link.html CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("link.html CSP %q allows any inline code", csp)
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	h, _ := fixture(t)
	for _, path := range []string{"/link/v2/stable/nope.js", "/__link/nope", "/link/"} {
		r := do(t, h, http.MethodGet, path, "", "")
		if r.status != http.StatusNotFound || r.str("error_code") != "NOT_FOUND" {
			t.Errorf("GET %s: %d %s, want a 404 NOT_FOUND", path, r.status, r.raw)
		}
	}
	if r := do(t, h, http.MethodGet, "/__link/session", "", ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /__link/session: %d, want 405", r.status)
	}
	if r := do(t, h, http.MethodPost, "/__emulator/link_sessions", "application/json", "{}"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /__emulator/link_sessions: %d, want 405", r.status)
	}
	for _, p := range []string{"/link/x", "/__link/x", "/__emulator/autopilot", "/__emulator/link_sessions"} {
		if !h.Owns(p) {
			t.Errorf("Owns(%q) = false", p)
		}
	}
	for _, p := range []string{"/__emulator/reset", "/__emulator/tokens/expire", "/item/get", "/"} {
		if h.Owns(p) {
			t.Errorf("Owns(%q) = true", p)
		}
	}
}

func TestBadBodiesRejected(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	big := `{"link_session_id":"` + id + `","query":"` + strings.Repeat("a", 20000) + `"}`
	cases := []struct {
		name, path, ct, body string
		status               int
		code                 string
	}{
		{"wrong content type", "/__link/session", "text/plain", `{"link_token":"x"}`, 415, "INVALID_BODY"},
		{"no content type", "/__link/exit", "", `{}`, 415, "INVALID_BODY"},
		{"malformed", "/__link/session", "application/json", `{"link_token":`, 400, "INVALID_BODY"},
		{"not an object", "/__link/credentials", "application/json", `[1,2]`, 400, "INVALID_BODY"},
		{"wrong type", "/__link/session", "application/json", `{"link_token":5}`, 400, "INVALID_BODY"},
		{"unknown field", "/__link/session", "application/json", `{"link_token":"x","public_key":"y"}`, 400, "UNKNOWN_FIELDS"},
		{"trailing data", "/__link/session", "application/json", `{"link_token":"x"} {}`, 400, "INVALID_BODY"},
		{"oversized", "/__link/institutions/search", "application/json", big, 413, "INVALID_BODY"},
		{"unknown session", "/__link/credentials", "application/json", `{"link_session_id":"nope","username":"u","password":"p"}`, 404, "NOT_FOUND"},
		{"wrong step", "/__link/mfa", "application/json", `{"link_session_id":"` + id + `","answers":["1234"]}`, 409, "INVALID_REQUEST"},
		{"bad exit status", "/__link/exit", "application/json", `{"link_session_id":"` + id + `","status":"bored"}`, 400, "INVALID_FIELD"},
		{"credentials before an institution", "/__link/credentials", "application/json", `{"link_session_id":"` + id + `","username":"u","password":"p"}`, 409, "INVALID_REQUEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, h, http.MethodPost, c.path, c.ct, c.body)
			if r.status != c.status || r.str("error", "error_code") != c.code {
				t.Errorf("%d %s, want %d %s", r.status, r.raw, c.status, c.code)
			}
			if r.str("request_id") == "" || r.str("error", "error_message") == "" {
				t.Errorf("error response lacks request_id or message: %s", r.raw)
			}
		})
	}
}

func TestCrossOriginRefused(t *testing.T) {
	h, _ := fixture(t)
	for _, hdr := range [][]string{{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		r := do(t, h, http.MethodPost, "/__link/session", "application/json", `{"link_token":"`+tokNew+`"}`, hdr...)
		if r.status != http.StatusForbidden {
			t.Errorf("%v: %d, want 403", hdr, r.status)
		}
		r = do(t, h, http.MethodPost, "/__emulator/autopilot", "application/json", `{"link_token":"`+tokNew+`"}`, hdr...)
		if r.status != http.StatusForbidden {
			t.Errorf("autopilot %v: %d, want 403", hdr, r.status)
		}
	}
	r := do(t, h, http.MethodPost, "/__link/session", "application/json", `{"link_token":"`+tokNew+`"}`, "Origin", "http://example.com")
	if r.status != http.StatusOK {
		t.Errorf("same-origin request (httptest host example.com): %d %s", r.status, r.raw)
	}
}

func TestNewItemFlow(t *testing.T) {
	h, b := fixture(t)
	id, start := open(t, h, tokNew)
	if _, err := uuid.Parse(id); err != nil || uuid.MustParse(id).Version() != 4 {
		t.Errorf("link_session_id %q is not a UUID v4", id)
	}
	if start.str("client_name") != "Plaid Quickstart" || start.get("is_update_mode") != false || start.str("step") != stateInstitution {
		t.Errorf("start = %s", start.raw)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(start.str("now")) {
		t.Errorf("now = %q, want ISO 8601 with milliseconds", start.str("now"))
	}
	found := mustOK(t, "search", post(t, h, "/__link/institutions/search", sess(id, "query", "platypus")))
	names := institutionIDs(found)
	if !slices.Contains(names, "ins_109508") || slices.Contains(names, "ins_116834") {
		t.Errorf("US search for platypus = %v: want ins_109508 and no GB bank", names)
	}
	sel := mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	if sel.str("next") != stateCredentials || sel.str("institution", "name") != "First Platypus Bank" {
		t.Fatalf("select = %s", sel.raw)
	}
	login := mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
	accounts, _ := login.get("accounts").([]any)
	if login.str("next") != stateAccounts || len(accounts) < 9 {
		t.Fatalf("login = %s", login.raw)
	}
	done := mustOK(t, "accounts", post(t, h, "/__link/accounts", sess(id, "account_ids", []string{"0", "1"})))
	if len(b.created) != 1 || len(b.created[0].Accounts) != 2 || b.created[0].Accounts[1].Name != "Plaid Saving" ||
		b.created[0].InstitutionID != "ins_109508" || b.created[0].LinkToken != tokNew {
		t.Fatalf("CreateItem got %+v", b.created)
	}
	if !strings.HasPrefix(done.str("public_token"), "public-sandbox-") {
		t.Errorf("public_token = %q", done.str("public_token"))
	}
	meta := done.get("metadata").(map[string]any)
	want := `{"accounts":[{"class_type":null,"id":"acct0","mask":"0000","name":"Plaid Checking","subtype":"checking","type":"depository","verification_status":null},` +
		`{"class_type":null,"id":"acct1","mask":"1111","name":"Plaid Saving","subtype":"savings","type":"depository","verification_status":null}],` +
		`"institution":{"institution_id":"ins_109508","name":"First Platypus Bank"},"link_session_id":"` + id + `","transfer_status":null}`
	if got, _ := json.Marshal(meta); string(got) != want {
		t.Errorf("onSuccess metadata\n got %s\nwant %s", got, want)
	}
	if r := post(t, h, "/__link/exit", sess(id, "status", nil)); r.status != http.StatusConflict {
		t.Errorf("exit after success: %d, want 409", r.status)
	}
	rec := sessionsList(t, h)[0]
	if rec["outcome"] != "success" || rec["item_id"] != "item1" || rec["public_token"] != "public-sandbox-…abcd" || rec["finished_at"] == nil {
		t.Errorf("session record = %v", rec)
	}
}

func TestAuthOffersOnlyCheckingAndSavings(t *testing.T) {
	h, b := fixture(t)
	id, _ := open(t, h, tokAuth)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	login := mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
	var subtypes []string
	for _, a := range login.get("accounts").([]any) {
		subtypes = append(subtypes, a.(map[string]any)["subtype"].(string))
	}
	slices.Sort(subtypes)
	if !slices.Equal(subtypes, []string{"cash management", "checking", "savings"}) {
		t.Errorf("auth token offers %v, want checking, savings and cash management", subtypes)
	}

	// account_filters narrow the offer further.
	info := b.tokens[tokNew]
	info.AccountFilters = map[string][]string{"credit": {"all"}}
	b.tokens[tokNew] = info
	id, _ = open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	login = mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
	for _, a := range login.get("accounts").([]any) {
		if a.(map[string]any)["type"] != "credit" {
			t.Errorf("credit-only filter offered %v", a)
		}
	}
}

func TestSearchHonoursCountriesAndUnknownInstitution(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokGB)
	found := mustOK(t, "search", post(t, h, "/__link/institutions/search", sess(id, "query", "")))
	ids := institutionIDs(found)
	if len(ids) == 0 || slices.Contains(ids, "ins_109508") {
		t.Errorf("GB token lists %v", ids)
	}
	r := post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508"))
	if r.status != http.StatusBadRequest || r.str("error", "error_code") != "INVALID_INSTITUTION" {
		t.Errorf("selecting a US bank with a GB token: %d %s", r.status, r.raw)
	}
	long := post(t, h, "/__link/institutions/search", sess(id, "query", strings.Repeat("x", maxQuery+1)))
	if long.status != http.StatusBadRequest {
		t.Errorf("over-long query: %d", long.status)
	}
}

func TestMFADevice(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	r := mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "mfa_device")))
	devices, _ := r.get("mfa", "devices").([]any)
	if r.str("next") != stateMFA || r.str("mfa", "type") != "device" || len(devices) == 0 {
		t.Fatalf("mfa_device login = %s", r.raw)
	}
	r = mustOK(t, "device", post(t, h, "/__link/mfa", sess(id, "answers", []any{devices[0]})))
	if r.str("mfa", "type") != "code" {
		t.Fatalf("after the device: %s", r.raw)
	}
	bad := post(t, h, "/__link/mfa", sess(id, "answers", []string{"0000"}))
	if bad.status != http.StatusBadRequest || bad.str("error", "error_code") != "INVALID_MFA" || bad.get("exit") != false || bad.str("retry") != "credentials" {
		t.Fatalf("wrong code: %d %s", bad.status, bad.raw)
	}
	// After a wrong code the user logs in again.
	mustOK(t, "credentials again", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "mfa_device")))
	mustOK(t, "device again", post(t, h, "/__link/mfa", sess(id, "answers", []any{devices[0]})))
	r = mustOK(t, "code", post(t, h, "/__link/mfa", sess(id, "answers", []string{"1234"})))
	if r.str("next") != stateAccounts {
		t.Errorf("after the code: %s", r.raw)
	}
}

func TestMFAQuestionsAndSelections(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	r := mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "mfa_questions_2_2")))
	for round := range 2 {
		if r.str("mfa", "type") != "questions" || r.get("mfa", "round") != float64(round) {
			t.Fatalf("round %d: %s", round, r.raw)
		}
		r = mustOK(t, "answers", post(t, h, "/__link/mfa", sess(id, "answers", []string{answer(round, 0), answer(round, 1)})))
	}
	if r.str("next") != stateAccounts {
		t.Fatalf("after the questions: %s", r.raw)
	}

	id, _ = open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	r = mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "mfa_selections")))
	opts := r.get("mfa", "options").([]any)[0].([]any)
	if r.str("mfa", "type") != "selections" {
		t.Fatalf("mfa_selections: %s", r.raw)
	}
	r = mustOK(t, "selection", post(t, h, "/__link/mfa", sess(id, "answers", []any{opts[0]})))
	if r.str("next") != stateAccounts {
		t.Errorf("after the selection: %s", r.raw)
	}
}

func answer(i, j int) string { return "answer_" + string(rune('0'+i)) + "_" + string(rune('0'+j)) }

func TestForceErrorInvalidLinkToken(t *testing.T) {
	h, b := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	r := post(t, h, "/__link/credentials", sess(id, "username", "user_custom", "password", `{"force_error":"INVALID_LINK_TOKEN"}`))
	assertInvalidLinkToken(t, r)
	if !b.dead[tokNew] {
		t.Error("force_error INVALID_LINK_TOKEN did not invalidate the token")
	}
	exit := mustOK(t, "exit", post(t, h, "/__link/exit", sess(id, "status", "requires_credentials")))
	want := `{"display_message":null,"error_code":"INVALID_LINK_TOKEN","error_message":"invalid link_token provided","error_type":"INVALID_INPUT"}`
	if got, _ := json.Marshal(exit.get("error")); string(got) != want {
		t.Errorf("onExit error = %s, want %s", got, want)
	}
	if exit.str("institution", "institution_id") != "ins_109508" || exit.str("status") != "requires_credentials" {
		t.Errorf("exit = %s", exit.raw)
	}
	// The token is dead: a new session exits at once.
	r = post(t, h, "/__link/session", map[string]any{"link_token": tokNew})
	assertInvalidLinkToken(t, r)
	if r.str("link_session_id") == "" {
		t.Error("a refused open still needs a link_session_id for onExit metadata")
	}
}

func TestOtherForcedErrorsAllowRetry(t *testing.T) {
	h, b := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	r := post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "error_ITEM_LOCKED"))
	if r.status != http.StatusBadRequest || r.str("error", "error_code") != "ITEM_LOCKED" || r.get("exit") != false ||
		r.str("retry") != "credentials" || r.get("error", "display_message") == nil {
		t.Fatalf("error_ITEM_LOCKED: %d %s", r.status, r.raw)
	}
	if b.dead[tokNew] {
		t.Error("ITEM_LOCKED invalidated the token")
	}
	if r := post(t, h, "/__link/credentials", sess(id, "username", "", "password", "x")); r.status != http.StatusBadRequest {
		t.Errorf("empty username: %d, want 400", r.status)
	}
	mustOK(t, "retry", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
}

func TestThreeWrongPasswordsInvalidateToken(t *testing.T) {
	h, b := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	for i := 1; i <= 2; i++ {
		r := post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "wrong"))
		if r.str("error", "error_code") != "INVALID_CREDENTIALS" || r.get("exit") != false {
			t.Fatalf("wrong password %d: %s", i, r.raw)
		}
	}
	if b.dead[tokNew] {
		t.Fatal("token invalidated before the third wrong password")
	}
	assertInvalidLinkToken(t, post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "wrong")))
	if !b.dead[tokNew] {
		t.Error("three wrong passwords did not invalidate the token")
	}
}

func TestTokenExpiredMidSession(t *testing.T) {
	h, b := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	b.InvalidateLinkToken(tokNew) // as the control API's tokens/expire would
	assertInvalidLinkToken(t, post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
	if len(b.created) != 0 {
		t.Error("an Item was created with a dead token")
	}
}

func TestUpdateMode(t *testing.T) {
	h, b := fixture(t)
	id, start := open(t, h, tokUpdate)
	if start.get("is_update_mode") != true || start.str("institution", "institution_id") != "ins_109508" || start.str("step") != stateCredentials {
		t.Fatalf("update-mode start = %s", start.raw)
	}
	if r := post(t, h, "/__link/institutions/search", sess(id, "query", "")); r.status != http.StatusConflict {
		t.Errorf("search in update mode: %d, want 409", r.status)
	}
	if r := post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109509")); r.status != http.StatusConflict {
		t.Errorf("choosing another institution in update mode: %d, want 409", r.status)
	}
	login := mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
	if login.get("selectable") != false || len(login.get("accounts").([]any)) != 2 {
		t.Fatalf("update-mode accounts = %s", login.raw)
	}
	done := mustOK(t, "accounts", post(t, h, "/__link/accounts", sess(id, "account_ids", []string{"accU1", "accU2"})))
	if len(b.created) != 0 || !slices.Equal(b.repaired, []string{"itemU"}) {
		t.Errorf("update mode created %d Items and repaired %v; want 0 and [itemU]", len(b.created), b.repaired)
	}
	ids := []string{}
	for _, a := range done.get("metadata", "accounts").([]any) {
		ids = append(ids, a.(map[string]any)["id"].(string))
	}
	if !slices.Equal(ids, []string{"accU1", "accU2"}) || done.str("public_token") == "" {
		t.Errorf("update-mode success = %s", done.raw)
	}
	if r := post(t, h, "/__link/accounts", sess(id, "account_ids", []string{"accX"})); r.status != http.StatusConflict {
		t.Errorf("second completion: %d, want 409", r.status)
	}
}

func TestAccountSelectionValidated(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	mustOK(t, "credentials", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
	for _, ids := range [][]string{{}, {"99"}, {"0", "0"}} {
		if r := post(t, h, "/__link/accounts", sess(id, "account_ids", ids)); r.status != http.StatusBadRequest {
			t.Errorf("account_ids %v: %d, want 400", ids, r.status)
		}
	}
}

func TestInstitutionsNotSupportedDownAndOAuth(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	if r := mustOK(t, "unsupported", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_133402"))); r.str("next") != "not_supported" {
		t.Errorf("unsupported bank: %s", r.raw)
	}
	r := post(t, h, "/__link/institution", sess(id, "institution_id", "ins_132361"))
	if r.str("error", "error_code") != "INSTITUTION_DOWN" || r.str("retry") != "institution" {
		t.Errorf("down bank: %s", r.raw)
	}
	if r := mustOK(t, "oauth", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_127287"))); r.str("next") != stateOAuth {
		t.Fatalf("OAuth bank: %s", r.raw)
	}
	if r := post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")); r.status != http.StatusConflict {
		t.Errorf("credentials at an OAuth bank: %d, want 409", r.status)
	}
	r = mustOK(t, "oauth handoff", post(t, h, "/__link/oauth", sess(id)))
	state := r.str("oauth_state_id")
	if r.str("next") != "oauth_bank" || r.str("mode") != modePopup || !strings.HasSuffix(r.str("bank_url"), "oauth_state_id="+state) {
		t.Fatalf("OAuth handoff: %s", r.raw)
	}
	// The pop-up closed before the user answered: back to the OAUTH pane.
	if r := mustOK(t, "closed", post(t, h, "/__link/oauth/complete", sess(id, "oauth_state_id", state))); r.str("next") != "oauth_closed" {
		t.Fatalf("complete before the bank answered: %s", r.raw)
	}
	r = mustOK(t, "again", post(t, h, "/__link/oauth", sess(id)))
	state = r.str("oauth_state_id")
	if r := mustOK(t, "bank", post(t, h, "/__link/oauth/bank", map[string]any{"oauth_state_id": state})); r.str("status") != oauthPending || r.str("institution", "institution_id") != "ins_127287" {
		t.Fatalf("bank page: %s", r.raw)
	}
	if r := mustOK(t, "consent", post(t, h, "/__link/oauth/consent", map[string]any{"oauth_state_id": state, "approve": true})); r.str("status") != oauthApproved {
		t.Fatalf("consent: %s", r.raw)
	}
	if r := post(t, h, "/__link/oauth/consent", map[string]any{"oauth_state_id": state, "approve": false}); r.str("error", "error_code") != "OAUTH_STATE_ID_ALREADY_PROCESSED" {
		t.Errorf("a second answer: %s", r.raw)
	}
	if r := mustOK(t, "complete", post(t, h, "/__link/oauth/complete", sess(id, "oauth_state_id", state))); r.str("next") != stateAccounts {
		t.Errorf("OAuth login: %s", r.raw)
	}
	if r := post(t, h, "/__link/oauth/bank", map[string]any{"oauth_state_id": "nope"}); r.status != http.StatusNotFound {
		t.Errorf("unknown oauth_state_id at the bank: %s", r.raw)
	}
}

func TestEventsRecorded(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	ev := func(name string, kv ...string) map[string]any {
		m := map[string]any{}
		for _, k := range metadataKeys {
			m[k] = nil
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return map[string]any{"event_name": name, "metadata": m}
	}
	mustOK(t, "events", post(t, h, "/__link/events", sess(id, "events", []any{
		ev("OPEN", "is_update_mode", "false", "link_session_id", id), ev("TRANSITION_VIEW", "view_name", "CONSENT"),
	})))
	missing := ev("OPEN")
	delete(missing["metadata"].(map[string]any), "timestamp")
	extra := ev("OPEN")
	extra["metadata"].(map[string]any)["secret"] = "x"
	numeric := ev("OPEN")
	numeric["metadata"].(map[string]any)["timestamp"] = 5
	for name, bad := range map[string]any{
		"unknown name": []any{ev("HACK")}, "missing key": []any{missing}, "extra key": []any{extra},
		"non-string value": []any{numeric}, "no events": []any{},
	} {
		if r := post(t, h, "/__link/events", sess(id, "events", bad)); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, r.status)
		}
	}
	rec := sessionsList(t, h)[0]
	events := rec["events"].([]any)
	if len(events) != 2 || events[1].(map[string]any)["metadata"].(map[string]any)["view_name"] != "CONSENT" {
		t.Errorf("recorded events = %v", events)
	}
}

func TestSessionsListNewestFirstAndMasked(t *testing.T) {
	h, _ := fixture(t)
	first, _ := open(t, h, tokNew)
	second, _ := open(t, h, tokAuth)
	mustOK(t, "exit", post(t, h, "/__link/exit", sess(first, "status", "institution_not_found")))
	r := do(t, h, http.MethodGet, "/__emulator/link_sessions", "", "")
	if strings.Contains(r.raw, tokNew) || strings.Contains(r.raw, tokAuth) {
		t.Fatal("the session list shows a full link_token")
	}
	list := sessionsList(t, h)
	if len(list) != 2 || list[0]["link_session_id"] != second || list[1]["link_session_id"] != first {
		t.Fatalf("sessions not newest first: %v", list)
	}
	if list[1]["link_token"] != "link-sandbox-…0001" || list[1]["outcome"] != "exit" || list[1]["exit_status"] != "institution_not_found" {
		t.Errorf("exited session = %v", list[1])
	}
	if list[0]["outcome"] != nil || list[0]["finished_at"] != nil || len(list[0]["request_ids"].([]any)) != 1 {
		t.Errorf("open session = %v", list[0])
	}
	h.Reset()
	if n := len(sessionsList(t, h)); n != 0 {
		t.Errorf("%d sessions after Reset", n)
	}
}

func TestRequestErrorsAreNotReportedToOnExit(t *testing.T) {
	h, _ := fixture(t)
	id, _ := open(t, h, tokNew)
	mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
	if r := post(t, h, "/__link/credentials", sess(id, "username", "", "password", "x")); r.status != http.StatusBadRequest {
		t.Fatalf("empty username: %d", r.status)
	}
	if r := post(t, h, "/__link/institution", sess(id, "institution_id", "ins_nope")); r.str("error", "error_type") != "INVALID_INPUT" {
		t.Errorf("unknown institution error = %s, want INVALID_INPUT/INVALID_INSTITUTION", r.raw)
	}
	if exit := mustOK(t, "exit", post(t, h, "/__link/exit", sess(id, "status", "requires_credentials"))); exit.get("error") != nil {
		t.Errorf("onExit error = %v, want null: the user met no error", exit.get("error"))
	}
}

func TestAbandonedSessions(t *testing.T) {
	h, _ := fixture(t)
	open1, _ := open(t, h, tokNew)
	exited, _ := open(t, h, tokNew)
	mustOK(t, "exit", post(t, h, "/__link/exit", sess(exited, "status", nil)))
	for _, id := range []string{open1, exited} {
		mustOK(t, "abandon", post(t, h, "/__link/abandon", sess(id)))
	}
	list := sessionsList(t, h)
	if list[1]["outcome"] != "abandoned" || list[1]["finished_at"] == nil {
		t.Errorf("abandoned session = %v", list[1])
	}
	if list[0]["outcome"] != "exit" {
		t.Errorf("abandoning an exited session changed its outcome to %v", list[0]["outcome"])
	}
	if r := post(t, h, "/__link/credentials", sess(open1, "username", "user_good", "password", "pass_good")); r.status != http.StatusConflict {
		t.Errorf("a step after abandon: %d, want 409", r.status)
	}
}

func TestRequestIDsFreshAndRecorded(t *testing.T) {
	h, _ := fixture(t)
	id, start := open(t, h, tokNew)
	seen := map[string]bool{start.str("request_id"): true}
	for _, r := range []result{
		post(t, h, "/__link/institutions/search", sess(id, "query", "")),
		post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")),
		post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "nope")),
		post(t, h, "/__link/exit", sess(id, "status", "requires_credentials")),
	} {
		rid := r.str("request_id")
		if rid == "" || seen[rid] {
			t.Fatalf("request_id %q missing or reused: %s", rid, r.raw)
		}
		seen[rid] = true
	}
	ids := sessionsList(t, h)[0]["request_ids"].([]any)
	if len(ids) != len(seen) {
		t.Errorf("session recorded %d request ids, want %d", len(ids), len(seen))
	}
	for _, id := range ids {
		if !seen[id.(string)] {
			t.Errorf("recorded request id %v was never returned", id)
		}
	}
}

func TestAutopilotArming(t *testing.T) {
	h, _ := fixture(t)
	r := post(t, h, "/__emulator/autopilot", map[string]any{"link_token": "link-sandbox-nope"})
	if r.status != http.StatusNotFound || r.str("error_code") != "INVALID_LINK_TOKEN" || r.str("request_id") == "" || r.get("display_message") != nil {
		t.Errorf("unknown token: %d %s", r.status, r.raw)
	}
	for name, body := range map[string]map[string]any{
		"no token":         {},
		"bad institution":  {"link_token": tokNew, "institution_id": "ins_nope"},
		"negative delay":   {"link_token": tokNew, "delay_ms": -1},
		"huge delay":       {"link_token": tokNew, "delay_ms": maxDelayMS + 1},
		"empty username":   {"link_token": tokNew, "username": ""},
		"unknown field":    {"link_token": tokNew, "speed": "fast"},
		"wrong field type": {"link_token": tokNew, "delay_ms": "0"},
	} {
		if r := post(t, h, "/__emulator/autopilot", body); r.status != http.StatusBadRequest || r.str("error_code") == "" {
			t.Errorf("%s: %d %s, want a 400 Plaid error", name, r.status, r.raw)
		}
	}
	armed := mustOK(t, "arm", post(t, h, "/__emulator/autopilot", map[string]any{"link_token": tokNew, "password": "mfa_device", "delay_ms": 50}))
	if armed.get("armed") != true || armed.str("link_token") != "link-sandbox-…0001" {
		t.Errorf("armed = %s", armed.raw)
	}
	_, start := open(t, h, tokNew)
	want := map[string]any{"username": "user_good", "password": "mfa_device", "mfa": "1234",
		"institution_id": "ins_109508", "institution_name": "First Platypus Bank", "delay_ms": float64(50)}
	got, _ := start.get("autopilot").(map[string]any)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("autopilot %s = %v, want %v", k, got[k], v)
		}
	}
	if _, again := open(t, h, tokNew); again.get("autopilot") != nil {
		t.Error("the autopilot drove a second session; it arms only the next one")
	}
	if sessionsList(t, h)[1]["autopilot"] != true {
		t.Error("the session record does not say the autopilot ran it")
	}
	mustOK(t, "re-arm", post(t, h, "/__emulator/autopilot", map[string]any{"link_token": tokNew}))
	h.Reset()
	if _, after := open(t, h, tokNew); after.get("autopilot") != nil {
		t.Error("Reset kept an armed autopilot")
	}
}

func TestClientNameOverThirtyCharacters(t *testing.T) {
	if got := clientName(strings.Repeat("x", 31)); got != "This Application" {
		t.Errorf("clientName(31 chars) = %q", got)
	}
	if got := clientName("Plaid Quickstart"); got != "Plaid Quickstart" {
		t.Errorf("clientName = %q", got)
	}
}

func assertInvalidLinkToken(t *testing.T, r result) {
	t.Helper()
	if r.status != http.StatusBadRequest || r.get("exit") != true || r.str("error", "error_code") != "INVALID_LINK_TOKEN" ||
		r.str("error", "error_type") != "INVALID_INPUT" || r.str("error", "error_message") != "invalid link_token provided" {
		t.Fatalf("want Link to exit with INVALID_LINK_TOKEN, got %d %s", r.status, r.raw)
	}
}

func institutionIDs(r result) []string {
	var ids []string
	for _, i := range r.get("institutions").([]any) {
		ids = append(ids, i.(map[string]any)["institution_id"].(string))
	}
	return ids
}

func sessionsList(t *testing.T, h http.Handler) []map[string]any {
	t.Helper()
	r := do(t, h, http.MethodGet, "/__emulator/link_sessions", "", "")
	if r.status != http.StatusOK {
		t.Fatalf("link_sessions: %d %s", r.status, r.raw)
	}
	var out []map[string]any
	for _, s := range r.get("link_sessions").([]any) {
		out = append(out, s.(map[string]any))
	}
	return out
}
