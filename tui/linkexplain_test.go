package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// The log's detail of an onExit explains the callback, its exit status
// and (in the error block) its error code.
func TestGoldenLogDetailLinkExit(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(sizeName(size), func(t *testing.T) {
			a := newTestApp(Options{Env: &flows.Env{Store: logFixture(t)}})
			s := startScreen(t, a, size[0], size[1]).send(navigatedMsg{to: screenLog}).waitFor("ReqTokenCreate1").
				send(keyMsg("down"), keyMsg("down"), keyMsg("down")).waitFor("▸ 15:04:21").send(keyMsg("enter"))
			if size[1] < 30 {
				// The explanation is below the error: scroll to the end.
				s.waitFor("INVALID_LINK_TOKEN (INVALID_INPUT)").send(keyMsg("G"))
			}
			s.waitFor("exit status requires_credentials", "Your app: Offer").compare()
		})
	}
}

func sizeName(s [2]int) string { return fmt.Sprintf("%dx%d", s[0], s[1]) }

func TestLinkEntryExplanation(t *testing.T) {
	st := newStyles()
	v := &store.LinkEvent{Kind: store.EventKindEvent, EventName: "TRANSITION_VIEW", ViewName: "MFA",
		Metadata: []byte(`{"view_name":"MFA","mfa_type":"device","error_code":null,"link_session_id":"abc","timestamp":"2026-01-01T00:00:00Z"}`)}
	got := ansi.Strip(linkEntryExplanation(st, v, 200))
	for _, want := range []string{
		"onEvent TRANSITION_VIEW · informational", "view MFA", "A multi-factor challenge",
		"METADATA FIELDS", "mfa_type: The kind of multi-factor challenge", "view_name:", "link_session_id:", "timestamp:",
		"Your app: ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the explanation lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "error_code:") {
		t.Errorf("a null metadata field must not be explained:\n%s", got)
	}
	if linkEntryExplanation(st, &store.LinkEvent{Kind: store.EventKindEvent, EventName: "NOT_AN_EVENT"}, 80) != "" {
		t.Error("an unknown event must get no explanation")
	}
}

// The Link-live pane explains the newest event under the table, and the
// glossary explains each event and view once.
func TestLinkLiveExplains(t *testing.T) {
	st := newStyles()
	var l linkLive
	for _, p := range []flows.PageEvent{
		{Kind: "event", EventName: "OPEN"},
		{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "CREDENTIAL"},
		{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "MFA"},
		{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "MFA"},
		{Kind: "exit", ExitStatus: "choose_device"},
	} {
		l.add(flows.Event{Kind: flows.EventLink, Link: &p})
		if p.ViewName == "CREDENTIAL" {
			if got := ansi.Strip(l.latestMeaning(st, 200)); !strings.Contains(got, "↳ TRANSITION_VIEW: The bank's login form") {
				t.Errorf("latest meaning %q, want the CREDENTIAL view's", got)
			}
		}
	}
	g := ansi.Strip(l.glossary(st, 200))
	for _, want := range []string{"onEvent OPEN", "onEvent TRANSITION_VIEW", "view CREDENTIAL", "view MFA", "onExit", "exit status choose_device"} {
		if strings.Count(g, want+"\n")+strings.Count(g, want+" ·") != 1 {
			t.Errorf("the glossary must explain %q once:\n%s", want, g)
		}
	}
	var empty *linkLive
	if empty.glossary(st, 80) != "" {
		t.Error("no Link step, no glossary")
	}
}
