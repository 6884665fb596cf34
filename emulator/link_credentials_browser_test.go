package emulator_test

// The Sandbox test credentials in the emulated Link, in real headless
// Chromium: each MFA login and each error_<CODE> password, played by the
// autopilot, ends as reference §3.2 and §4.4-4.6 say, in the page's
// callbacks and in the emulator's session record; and a person who meets an
// error can try again as Link lets them.

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/plaid/plaid-go/v20/plaid"
)

func TestLinkBrowserSandboxCredentialScenarios(t *testing.T) {
	for _, tc := range []struct {
		password string
		mfa      []string // mfa_type of each MFA pane, in order
		code     string   // the onExit error_code, "" for onSuccess
		typ      string
	}{
		{password: "mfa_device", mfa: []string{"device", "code"}},
		{password: "mfa_questions_1_1", mfa: []string{"questions"}},
		{password: "mfa_questions_2_2", mfa: []string{"questions", "questions"}},
		{password: "mfa_selections", mfa: []string{"selections"}},
		{password: "error_ITEM_LOCKED", code: "ITEM_LOCKED", typ: "ITEM_ERROR"},
		{password: "error_INVALID_CREDENTIALS", code: "INVALID_CREDENTIALS", typ: "ITEM_ERROR"},
		{password: "error_INVALID_MFA", code: "INVALID_MFA", typ: "ITEM_ERROR"},
		{password: "error_INSTITUTION_DOWN", code: "INSTITUTION_DOWN", typ: "INSTITUTION_ERROR"},
		{password: "error_INSTITUTION_NOT_RESPONDING", code: "INSTITUTION_NOT_RESPONDING", typ: "INSTITUTION_ERROR"},
		{password: "error_ITEM_NOT_SUPPORTED", code: "ITEM_NOT_SUPPORTED", typ: "ITEM_ERROR"},
		{password: "error_NO_ACCOUNTS", code: "NO_ACCOUNTS", typ: "ITEM_ERROR"},
		{password: "error_USER_SETUP_REQUIRED", code: "USER_SETUP_REQUIRED", typ: "ITEM_ERROR"},
	} {
		t.Run(tc.password, func(t *testing.T) {
			env := newLinkEnv(t)
			token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
			env.autopilot(token, "user_good", tc.password)
			env.eval(`String(window.__create(` + jsString(token) + `, true))`)
			final := "success"
			if tc.code != "" {
				final = "exit"
			}
			log := env.waitFor(final, 1)
			end := find(log, final)
			sid, _ := end.meta()["link_session_id"].(string)
			checkEvents(t, log, sid)
			var panes, submits []string
			for _, ev := range events(log) {
				m := ev.meta()
				switch {
				case ev.name() == "TRANSITION_VIEW" && m["view_name"] == "MFA":
					panes = append(panes, m["mfa_type"].(string))
				case ev.name() == "SUBMIT_MFA":
					submits = append(submits, m["mfa_type"].(string))
				}
			}
			rec := env.sessions()[0]
			if rec["link_session_id"] != sid {
				t.Fatalf("newest session record %v, want %s", rec["link_session_id"], sid)
			}
			if tc.code == "" {
				if !slices.Equal(panes, tc.mfa) || !slices.Equal(submits, tc.mfa) {
					t.Errorf("MFA panes %q and submits %q, want %q", panes, submits, tc.mfa)
				}
				inOrder(t, kinds(log), []string{"event:SUBMIT_CREDENTIALS", "event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA",
					"event:TRANSITION_VIEW:SELECT_ACCOUNT", "event:HANDOFF", "success"})
				if rec["outcome"] != "success" || rec["item_id"] == nil || rec["error"] != nil {
					t.Errorf("session record %v", rec)
				}
				return
			}
			var e map[string]any
			if err := json.Unmarshal(end.A, &e); err != nil || e["error_code"] != tc.code || e["error_type"] != tc.typ ||
				e["display_message"] == nil || e["error_message"] == "" {
				t.Errorf("onExit error %s, want %s/%s with a display_message", end.A, tc.typ, tc.code)
			}
			if md := end.meta(); md["status"] != "requires_credentials" || md["request_id"] == nil ||
				md["institution"].(map[string]any)["institution_id"] != "ins_109508" {
				t.Errorf("onExit metadata %v", md)
			}
			inOrder(t, kinds(log), []string{"event:SUBMIT_CREDENTIALS", "event:ERROR", "event:TRANSITION_VIEW:ERROR", "event:EXIT", "exit"})
			if errEv := firstEvent(log, "ERROR").meta(); errEv["error_code"] != tc.code || errEv["error_type"] != tc.typ {
				t.Errorf("ERROR metadata %v", errEv)
			}
			if exitEv := firstEvent(log, "EXIT").meta(); exitEv["error_code"] != tc.code || exitEv["exit_status"] != "requires_credentials" {
				t.Errorf("EXIT metadata %v", exitEv)
			}
			if len(panes) != 0 || firstEvent(log, "HANDOFF").Kind != "" {
				t.Errorf("an error login showed MFA panes %q or handed off", panes)
			}
			recErr, _ := rec["error"].(map[string]any)
			if rec["outcome"] != "exit" || rec["exit_status"] != "requires_credentials" || rec["item_id"] != nil || recErr["error_code"] != tc.code {
				t.Errorf("session record %v", rec)
			}
		})
	}
}

// TestLinkBrowserWrongMFACodeThenTryAgain: a person logs in with
// mfa_device, types a wrong code, meets INVALID_MFA on the error pane,
// presses Try again, logs in again and finishes: one session, onSuccess.
func TestLinkBrowserWrongMFACodeThenTryAgain(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	env.waitFor("event", 1)
	in := linkFrame(t, env)
	login := func(password string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS("#username"), in),
			chromedp.SendKeys(chromedp.CSS("#username"), "user_good", in),
			chromedp.SendKeys(chromedp.CSS("#password"), password, in),
			chromedp.Click(chromedp.CSS("#submit-credentials"), in),
		}
	}
	env.do(append([]chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS("#consent-continue"), in),
		chromedp.SendKeys(chromedp.CSS("#search"), "first platypus", in),
		chromedp.WaitVisible(chromedp.CSS(`#institutions[data-query="first platypus"] [data-institution-id="ins_109508"]`), in),
		chromedp.Click(chromedp.CSS(`[data-institution-id="ins_109508"]`), in),
	}, login("mfa_device")...)...)
	env.do(
		chromedp.WaitVisible(chromedp.CSS(`input[name=device]`), in),
		chromedp.Click(chromedp.CSS("#submit-mfa"), in),
		chromedp.WaitVisible(chromedp.CSS("#mfa-code"), in),
		chromedp.SendKeys(chromedp.CSS("#mfa-code"), "0000", in),
		chromedp.Click(chromedp.CSS("#submit-mfa"), in),
		chromedp.WaitVisible(chromedp.CSS("#error-retry"), in),
	)
	if msg, err := chromedp.Run(env.ctx, chromedp.Text(chromedp.CSS("#pane-title"), in)); err != nil || msg != "The provided MFA responses were not correct. Please try again." {
		t.Errorf("the error pane says %q (%v)", msg, err)
	}
	env.do(chromedp.Click(chromedp.CSS("#error-retry"), in))
	env.do(login("mfa_device")...)
	env.do(
		chromedp.WaitVisible(chromedp.CSS(`input[name=device]`), in),
		chromedp.Click(chromedp.CSS("#submit-mfa"), in),
		chromedp.WaitVisible(chromedp.CSS("#mfa-code"), in),
		chromedp.SendKeys(chromedp.CSS("#mfa-code"), "1234", in),
		chromedp.Click(chromedp.CSS("#submit-mfa"), in),
		chromedp.WaitVisible(chromedp.CSS("#accounts-continue"), in),
		chromedp.Click(chromedp.CSS("#accounts-continue"), in),
		chromedp.WaitVisible(chromedp.CSS("#connected-continue"), in),
		chromedp.Click(chromedp.CSS("#connected-continue"), in),
	)
	log := env.waitFor("success", 1)
	inOrder(t, kinds(log), []string{"event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA", "event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA",
		"event:ERROR", "event:TRANSITION_VIEW:ERROR", "event:TRANSITION_VIEW:CREDENTIAL", "event:SUBMIT_CREDENTIALS",
		"event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA", "event:TRANSITION_VIEW:MFA", "event:SUBMIT_MFA", "event:HANDOFF", "success"})
	if e := firstEvent(log, "ERROR").meta(); e["error_code"] != "INVALID_MFA" {
		t.Errorf("ERROR %v", e)
	}
	sid := find(log, "success").meta()["link_session_id"].(string)
	checkEvents(t, log, sid)
	if rec := env.sessions()[0]; rec["link_session_id"] != sid || rec["outcome"] != "success" || rec["autopilot"] != false {
		t.Errorf("session record %v", rec)
	}
}

// TestLinkBrowserInstitutionErrorTryAgainPicksAnotherBank: after
// error_INSTITUTION_NOT_RESPONDING, Try again leads back to the
// institution list, where the person picks another bank and links it.
func TestLinkBrowserInstitutionErrorTryAgainPicksAnotherBank(t *testing.T) {
	env := newLinkEnv(t)
	token := env.linkToken("", plaid.PRODUCTS_TRANSACTIONS)
	env.eval(`String(window.__create(` + jsString(token) + `, true))`)
	env.waitFor("event", 1)
	in := linkFrame(t, env)
	pick := func(query, id string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS("#search"), in),
			chromedp.SendKeys(chromedp.CSS("#search"), query, in),
			chromedp.WaitVisible(chromedp.CSS(`#institutions[data-query="`+query+`"] [data-institution-id="`+id+`"]`), in),
			chromedp.Click(chromedp.CSS(`[data-institution-id="`+id+`"]`), in),
			chromedp.WaitVisible(chromedp.CSS("#username"), in),
		}
	}
	env.do(chromedp.Click(chromedp.CSS("#consent-continue"), in))
	env.do(pick("first platypus", "ins_109508")...)
	env.do(
		chromedp.SendKeys(chromedp.CSS("#username"), "user_good", in),
		chromedp.SendKeys(chromedp.CSS("#password"), "error_INSTITUTION_NOT_RESPONDING", in),
		chromedp.Click(chromedp.CSS("#submit-credentials"), in),
		chromedp.WaitVisible(chromedp.CSS("#error-retry"), in),
		chromedp.Click(chromedp.CSS("#error-retry"), in),
	)
	env.do(pick("gingham", "ins_109509")...)
	env.do(
		chromedp.SendKeys(chromedp.CSS("#username"), "user_good", in),
		chromedp.SendKeys(chromedp.CSS("#password"), "pass_good", in),
		chromedp.Click(chromedp.CSS("#submit-credentials"), in),
		chromedp.WaitVisible(chromedp.CSS("#accounts-continue"), in),
		chromedp.Click(chromedp.CSS("#accounts-continue"), in),
		chromedp.WaitVisible(chromedp.CSS("#connected-continue"), in),
		chromedp.Click(chromedp.CSS("#connected-continue"), in),
	)
	log := env.waitFor("success", 1)
	inOrder(t, kinds(log), []string{"event:ERROR", "event:TRANSITION_VIEW:ERROR", "event:TRANSITION_VIEW:SELECT_INSTITUTION",
		"event:SELECT_INSTITUTION", "event:SUBMIT_CREDENTIALS", "event:HANDOFF", "success"})
	if got := find(log, "success").meta()["institution"].(map[string]any)["institution_id"]; got != "ins_109509" {
		t.Errorf("linked at %v, want the second bank ins_109509", got)
	}
}

// linkFrame is the node of the page's one Link iframe.
func linkFrame(t *testing.T, env *linkEnv) chromedp.QueryOption {
	t.Helper()
	frames, err := chromedp.Run(env.ctx, chromedp.Nodes(chromedp.CSS(`iframe[id^="plaid-link-iframe"]`)))
	if err != nil || len(frames) != 1 {
		t.Fatalf("Link iframe: %v (%d found)", err, len(frames))
	}
	return chromedp.FromNode(frames[0])
}
