package tui

import (
	"errors"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// errDemoNeedsEmulator refuses demo mode against real Plaid.
var errDemoNeedsEmulator = errors.New("the demo plays against the offline emulator, and this app talks to Plaid's Sandbox: quit and run \"linkexplorer demo\"")

// updateDemo handles the demo's own messages.
func (a *app) updateDemo(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case demoStartConfirmedMsg:
		cmd := a.demo.start(a.demoView())
		a.resize(a.width, a.height) // the panel takes its room
		return cmd
	case demoTickedMsg:
		return a.demo.ticked(msg, a.demoView())
	case demoPressedMsg:
		_, cmd := a.flow.Update(msg.key)
		return tea.Batch(cmd, a.demo.observe(msg, a.demoView()))
	}
	return nil
}

// toggleDemo starts the demo (asking first if a run is mid-way), or stops
// and hides it.
func (a *app) toggleDemo() tea.Cmd {
	if a.demo.shown() {
		a.demo.stop()
		a.resize(a.width, a.height)
		return notify("demo closed: the keys are yours")
	}
	if err := a.demoRefusal(); err != nil {
		return func() tea.Msg { return failedMsg{reason: "demo mode", err: err} }
	}
	start := func() tea.Msg { return demoStartConfirmedMsg{} }
	if a.flow.midway() {
		return ask(fmt.Sprintf("%s is mid-way. Abandon it and play the demo?", a.flow.flow.Title), start)
	}
	return start
}

// demoRefusal says why the demo cannot play here, or nil.
func (a *app) demoRefusal() error {
	switch {
	case a.c.env == nil:
		return errNoEnv
	case !a.c.emulated():
		return errDemoNeedsEmulator
	}
	return nil
}

// demoView is what the demo reads of the app.
func (a *app) demoView() demoView {
	f := a.flow
	return demoView{
		flow: f.flow, runID: f.runID, startErr: f.startErr, ready: f.canStep(), busy: f.busy,
		finished: f.finished, current: f.snap.current, results: f.snap.results, asking: a.confirm != nil,
	}
}

// demoQuitQuestion asks before quitting a demo that plays or is paused.
func (a *app) demoQuitQuestion() string {
	state := "playing"
	if a.demo.state == demoPaused {
		state = "paused"
	}
	if a.flow.flow == nil {
		return "The demo is " + state + ". Quit and abandon it?"
	}
	return fmt.Sprintf("The demo is %s (%s, %s). Quit and abandon it?", state, a.flow.flow.Title, a.flow.stepsLabel())
}

// withDemoKeys puts the demo's keys beside a screen's for the footer:
// first while the demo is shown (pause and stop while it plays, close once
// it is over), else last, on Home, to offer it.
func (a *app) withDemoKeys(screen []key.Binding) []key.Binding {
	k := a.c.keys.Demo
	toggle, pause := k.Toggle, k.Pause
	switch a.demo.state {
	case demoOff:
		if a.active != screenHome {
			return screen
		}
		toggle.SetHelp("D", "demo")
		return append(screen, toggle)
	case demoPlaying:
		toggle.SetHelp("D", "stop demo")
		return append([]key.Binding{pause, toggle}, screen...)
	case demoPaused:
		toggle.SetHelp("D", "stop demo")
		pause.SetHelp("p/space", "resume")
		return append([]key.Binding{pause, toggle}, screen...)
	}
	toggle.SetHelp("D", "close demo")
	return append([]key.Binding{toggle}, screen...)
}

// demoHeight is the room the demo's panel takes under the header.
func (a *app) demoHeight() int {
	if a.demo.shown() {
		return demoPanelHeight(a.width)
	}
	return 0
}
