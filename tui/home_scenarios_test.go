package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/linkexplorer/linkexplorer/flows"
)

// credentialsApp is the app whose Home lists the fixture flows and the
// real Sandbox credentials lesson, with the cursor on the lesson.
func credentialsApp() *app {
	f, _ := flows.FlowByName(flows.CredentialsFlowName)
	a := newTestApp(Options{Flows: append(fixtureFlows(), f)})
	a.home.cursor = len(a.home.flows) - 1
	return a
}

// Enter on the lesson opens the picker instead of a flow; the list keys
// move in it; enter starts the chosen scenario's flow; esc goes back to
// the flows with the cursor where it was.
func TestScenarioPickerUpdate(t *testing.T) {
	a := credentialsApp()
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if cmd := press(a, "enter"); cmd != nil || a.home.picker == nil {
		t.Fatalf("enter on the lesson: picker %v, command %v", a.home.picker, cmd)
	}
	view := ansi.Strip(a.View())
	for _, want := range []string{"SANDBOX CREDENTIALS · PICK A SCENARIO", "▸ mfa-device", "item-locked  ITEM_LOCKED", "user_good / mfa_device", "enter start"} {
		if !strings.Contains(view, want) {
			t.Errorf("the picker lacks %q:\n%s", want, view)
		}
	}
	press(a, "down", "down", "down", "down", "up", "down")
	if sc := a.home.picker.scenarios[a.home.picker.cursor]; sc.Name != "item-locked" {
		t.Fatalf("cursor on %s, want item-locked", sc.Name)
	}
	a.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if sc := a.home.picker.scenarios[a.home.picker.cursor]; sc.Name != "invalid-credentials" || a.home.cursor != len(a.home.flows)-1 {
		t.Fatalf("the wheel moved to %s (Home's cursor %d), want the picker on invalid-credentials", sc.Name, a.home.cursor)
	}
	press(a, "G")
	if a.home.picker.cursor != len(flows.CredentialScenarios())-1 {
		t.Errorf("G: cursor %d", a.home.picker.cursor)
	}
	press(a, "g", "down", "down", "down", "down")
	chosen := exec[flowChosenMsg](t, press(a, "enter"))
	if a.home.picker != nil {
		t.Error("the picker stayed open after enter")
	}
	if f := chosen.flow; !flows.IsCredentialsFlow(f) || f.Scenario != "item-locked" || len(f.Steps) != 2 {
		t.Errorf("enter chose %+v", f)
	}
	press(a, "enter")
	press(a, "esc")
	if a.home.picker != nil || a.home.cursor != len(a.home.flows)-1 || a.active != screenHome {
		t.Errorf("esc: picker %v, cursor %d, screen %v", a.home.picker, a.home.cursor, a.active)
	}
	if cmd := press(a, "up"); cmd != nil || a.home.cursor != len(a.home.flows)-2 {
		t.Errorf("after esc the flows' keys work again: cursor %d", a.home.cursor)
	}
}

// TestGoldenScenarioPicker: the picker at 80×24 (the list above what fits
// of the details) and 120×35 (side by side), on an error scenario.
func TestGoldenScenarioPicker(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(sizeName(size), func(t *testing.T) {
			goldenSize(t, credentialsApp(), size[0], size[1],
				[]string{"PICK A SCENARIO", "▸ item-locked", "error_ITEM_LOCKED"},
				keyMsg("enter"), keyMsg("down"), keyMsg("down"), keyMsg("down"), keyMsg("down"))
		})
	}
}

// TestGoldenScenarioFinished: the item-locked lesson once Link exited as
// the scenario says: the step's facts (onExit error, status, request_id,
// what it means, what the app should do).
func TestGoldenScenarioFinished(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(sizeName(size), func(t *testing.T) {
			f, err := flows.CredentialsFlow("item-locked")
			if err != nil {
				t.Fatal(err)
			}
			sc, _ := flows.CredentialScenarioByName("item-locked")
			x, _ := flows.Explain("ITEM_LOCKED")
			a := newTestApp(Options{Flows: append(fixtureFlows(), f)})
			onFlow(a, f)
			done := &flows.StepResult{Step: "open-link-credentials", Status: flows.StatusOK, Duration: 3 * time.Second,
				Facts: []flows.Fact{
					{Label: "credentials", Value: sc.Typing()},
					{Label: "onEvent", Value: "OPEN, TRANSITION_VIEW(CONSENT), TRANSITION_VIEW(SELECT_INSTITUTION), SEARCH_INSTITUTION, SELECT_INSTITUTION, TRANSITION_VIEW(CREDENTIAL), SUBMIT_CREDENTIALS, ERROR(ITEM_LOCKED), TRANSITION_VIEW(ERROR), EXIT(ITEM_LOCKED)"},
					{Label: "onExit error", Value: "ITEM_LOCKED (ITEM_ERROR): the account is locked. prompt the user to visit the institution's site and unlock their account"},
					{Label: "onExit status", Value: "requires_credentials"},
					{Label: "request_id", Value: "ReqExit0000001"},
					{Label: "link_session_id", Value: lsid1},
					{Label: "what it means", Value: x.Meaning},
					{Label: "your app should", Value: sc.AppShould},
				}}
			created := createOK()
			msgs := []tea.Msg{startedRun(f), stepFinishedMsg{runID: testRunID, result: created, snap: withToken(snapshot(2, 1, created, nil))}}
			msgs = append(msgs, linkOpened("open-link-credentials", 2)...)
			s := withToken(snapshot(5, 2, created, done))
			msgs = append(msgs, stepFinishedMsg{runID: testRunID, result: done, snap: s},
				runEvent(flows.EventStepFinished, "open-link-credentials", nil))
			goldenSize(t, a, size[0], size[1], []string{"ITEM_LOCKED", "requires_credentials"}, msgs...)
		})
	}
}
