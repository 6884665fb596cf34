package flows

// The OAuth flows in headless Chromium: the real callback page, the real
// emulated Link and its emulated bank, driven by the runner with the
// autopilot. They assert on what the callback server received (the run's
// Link events in the session log) and on the emulator's Link sessions.

import (
	"testing"
)

// oauthSession finds the emulator's Link session record with an oauth
// record matching pred.
func oauthSession(t *testing.T, env *browserEnv, pred func(rec, oauth map[string]any) bool) map[string]any {
	t.Helper()
	for _, rec := range emulatorSessions(t, env) {
		if o, _ := rec["oauth"].(map[string]any); o != nil && pred(rec, o) {
			return rec
		}
	}
	t.Fatalf("no emulator Link session matches; sessions: %v", emulatorSessions(t, env))
	return nil
}

func TestBrowserOAuthRedirectRoundTrip(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "oauth", nil)
	if !rep.OK {
		t.Fatalf("oauth: %s", rep.Error)
	}
	evs := linkEvents(t, env.Store, rep.RunID)
	inOrder(t, names(evs), []string{"page:token_fetched", "page:created", "load", "event:OPEN",
		"event:SELECT_INSTITUTION", "event:TRANSITION_VIEW:OAUTH", "event:OPEN_OAUTH",
		"page:oauth_return", "page:created", "load", "event:OPEN", "event:TRANSITION_VIEW:SELECT_ACCOUNT",
		"event:HANDOFF", "success"})
	// OPEN_OAUTH is in flight when Link sends the page to the bank; the
	// page resends it with the reports behind it in one keepalive batch,
	// and linkexplorer records it once.
	counts := map[string]int{}
	for _, n := range names(evs) {
		counts[n]++
	}
	for _, n := range []string{"event:SELECT_INSTITUTION", "event:TRANSITION_VIEW:OAUTH", "event:OPEN_OAUTH", "page:oauth_return", "success"} {
		if counts[n] != 1 {
			t.Errorf("%s recorded %d times, want once: %v", n, counts[n], names(evs))
		}
	}
	success := evs[len(evs)-1]
	if success.InstitutionID != oauthInstitution {
		t.Errorf("onSuccess at %q, want %s", success.InstitutionID, oauthInstitution)
	}
	for _, e := range evs {
		if e.Kind == "page" && e.EventName == "oauth_return" && len(e.Metadata) == 0 {
			t.Errorf("oauth_return without its oauth_state_id: %+v", e)
		}
	}
	rec := oauthSession(t, env, func(rec, o map[string]any) bool {
		return o["mode"] == "redirect" && o["resumed"] == true && o["status"] == "processed"
	})
	if rec["outcome"] != "success" || rec["item_id"] != rep.ItemID || rec["link_session_id"] != success.LinkSessionID {
		t.Errorf("the handed-off session: %v (report item %s)", rec, rep.ItemID)
	}
	if o := rec["oauth"].(map[string]any); o["redirect_uri"] != env.Callback.RedirectURI() {
		t.Errorf("redirect_uri %v, want the callback page's %s", o["redirect_uri"], env.Callback.RedirectURI())
	}
}

func TestBrowserOAuthPopup(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "oauth-popup", nil)
	if !rep.OK {
		t.Fatalf("oauth-popup: %s", rep.Error)
	}
	got := names(linkEvents(t, env.Store, rep.RunID))
	inOrder(t, got, []string{"event:TRANSITION_VIEW:OAUTH", "event:OPEN_OAUTH", "event:TRANSITION_VIEW:SELECT_ACCOUNT", "event:HANDOFF", "success"})
	for _, n := range got {
		if n == "page:oauth_return" {
			t.Errorf("a pop-up handoff came back through the redirect page: %v", got)
		}
	}
	rec := oauthSession(t, env, func(rec, o map[string]any) bool { return o["mode"] == "popup" })
	if rec["outcome"] != "success" || rec["item_id"] != rep.ItemID {
		t.Errorf("pop-up session: %v", rec)
	}
}

func TestBrowserOAuthMistakeAndRecovery(t *testing.T) {
	env := newBrowserEnv(t, BrowserAuto)
	rep, _ := runFlow(t, env.testEnv, "oauth", func(r *Run) { r.opts.OAuthMistake = true })
	if !rep.OK {
		t.Fatalf("oauth with the mistake: %s", rep.Error)
	}
	evs := linkEvents(t, env.Store, rep.RunID)
	inOrder(t, names(evs), []string{"event:OPEN_OAUTH", "page:oauth_return", "event:OPEN", "event:TRANSITION_VIEW:CONSENT",
		"page:oauth_restarted", "page:destroyed", "event:OPEN", "event:TRANSITION_VIEW:SELECT_ACCOUNT", "success"})
	missed := oauthSession(t, env, func(rec, o map[string]any) bool { return o["missed_redirect"] == true })
	if missed["outcome"] == "success" {
		t.Errorf("the started-over session must not succeed: %v", missed)
	}
	resumed := oauthSession(t, env, func(rec, o map[string]any) bool { return o["resumed"] == true })
	if resumed["outcome"] != "success" || resumed["item_id"] != rep.ItemID {
		t.Errorf("the recovered session: %v", resumed)
	}
}
