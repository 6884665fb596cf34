// Package tui is linkexplorer's terminal app: Home (the flows, the Items,
// the session log), a Flow screen that runs a flow step by step with Link's
// events streaming in live, and the session log.
//
// The root model routes: it handles the window size, the global keys, the
// footer's errors and notices, and forwards everything else to the screens.
// Every screen is its own model and keeps one contract (tea.Model,
// help.KeyMap and SetSize). All I/O runs in commands; runs report through
// messages that carry their run id.
package tui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// Options configure the app.
type Options struct {
	// Env runs the flows and holds the session log and, offline, the
	// emulator's control API. Without it no flow can run.
	Env *flows.Env
	// Flows are the flows Home offers; nil means flows.Flows().
	Flows []*flows.Flow
	// Banner names the mode; empty means Env.Config.Describe().
	Banner string
	// ExportDir is the directory the export prompt offers first (the
	// user confirms or changes it before anything is written); empty
	// means the working directory.
	ExportDir string
	// SessionID is the app's session in the store, where requests from the
	// user's own app to the emulator are recorded; empty records none.
	SessionID string
	// Logger receives debug logs (a file with --debug); nil discards them.
	Logger *slog.Logger
	// Clipboard receives the OSC 52 sequences that copy text; nil means
	// standard output.
	Clipboard io.Writer
	// Demo configures demo mode (the D key); nil means
	// DefaultDemoOptions(). Demo mode needs the emulator.
	Demo *DemoOptions
	// StateDir is where the Migration screen keeps each audited app's
	// checklist (ticks and evidence); empty keeps them in memory only.
	StateDir string
	// WorkDir is the Migration screen's default source directory, where
	// relative paths start; empty means the working directory.
	WorkDir string
}

// The smallest terminal the app draws in.
const (
	MinWidth  = 60
	MinHeight = 20
)

// component is the contract between the root and each screen.
type component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// app is the root model.
type app struct {
	c      *common
	home   *homeScreen
	flow   *flowScreen
	log    *logScreen
	poller *ownAppPoller
	demo   *demo
	active screenID

	migrate *migrateScreen // the Migration screen, tabbed once opened
	console *consoleScreen // the API console, tabbed once opened

	width, height int
	showHelp      bool
	helpTop       int // the first line of the help shown (it scrolls when taller than the body)
	confirm       *confirmationAskedMsg
	status        string
	statusErr     bool
	statusSource  string // the failedMsg.source of the error shown
	help          help.Model
}

// New returns the app's root model, ready for tea.NewProgram.
func New(opts Options) tea.Model {
	c := newCommon(opts)
	fl := opts.Flows
	if fl == nil {
		fl = flows.Flows()
	}
	h := help.New()
	h.Styles = c.styles.Help
	demo := DefaultDemoOptions()
	if opts.Demo != nil {
		demo = *opts.Demo
	}
	if demo.Flows == nil {
		demo.Flows = flows.DemoFlows(fl)
	}
	return &app{
		c: c, home: newHome(c, fl), flow: newFlowScreen(c), log: newLogScreen(c),
		poller: &ownAppPoller{c: c}, demo: newDemo(c, demo), help: h,
		migrate: newMigrateScreen(c, opts.WorkDir, opts.StateDir),
		console: newConsoleScreen(c),
	}
}

// Stop ends what the app left running when its program returned without
// the user quitting (SIGTERM, a fatal error): a run in flight is cancelled
// and closed, so that its session in the store ends. Call it after
// Program.Run with the model Run returned; it does nothing for a model
// this package did not make.
func Stop(m tea.Model) error {
	a, ok := m.(*app)
	if !ok {
		return nil
	}
	f := a.flow
	if f.cancel != nil {
		f.cancel()
	}
	if f.run == nil || f.closed {
		return nil
	}
	f.closed = true
	return f.run.Close()
}

// Init loads Home and starts recording requests from the user's own app;
// with DemoOptions.Autostart the demo starts playing.
func (a *app) Init() tea.Cmd {
	cmds := []tea.Cmd{a.home.Init(), a.poller.init()}
	if a.demo.opts.Autostart {
		cmds = append(cmds, a.toggleDemo())
	}
	return tea.Batch(cmds...)
}

// Update routes a message: size, keys and app-wide messages here, the rest
// to the screens.
func (a *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	a.debug(msg)
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.resize(msg.Width, msg.Height)
		return a, a.broadcast(msg)
	case tea.KeyMsg:
		return a, a.handleKey(msg)
	case tea.MouseMsg:
		if a.showHelp && msg.Action == tea.MouseActionPress {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				a.helpTop = max(a.helpTop-3, 0)
			case tea.MouseButtonWheelDown:
				a.helpTop = min(a.helpTop+3, a.helpMaxTop())
			}
		}
		if a.confirm != nil || a.showHelp || a.tooSmall() {
			return a, nil
		}
		_, cmd := a.screen().Update(msg)
		return a, cmd
	case navigatedMsg:
		return a, a.navigate(msg.to)
	case openConsoleMsg:
		return a, a.openConsole(msg.ItemID)
	case flowChosenMsg:
		return a, a.chooseFlow(msg.flow, msg.opts)
	case flowStartConfirmedMsg:
		return a, tea.Batch(a.flow.start(msg.flow, msg.opts), a.navigate(screenFlow))
	case demoStartConfirmedMsg, demoTickedMsg, demoPressedMsg:
		return a, a.updateDemo(msg)
	case quitConfirmedMsg:
		return a, tea.Sequence(a.flow.abandon(), tea.Quit)
	case confirmationAskedMsg:
		a.confirm = &msg
		return a, nil
	case failedMsg:
		a.c.log.Error(msg.Error())
		a.status, a.statusErr, a.statusSource = msg.Error(), true, msg.source
		return a, nil
	case ownRequestsPolledMsg:
		// A poll that succeeds takes the poller's error off the footer in
		// the same update, not one message later: what the footer says
		// then matches the log the poll just wrote.
		if msg.err == nil && a.statusErr && a.statusSource == ownAppFailure {
			a.status, a.statusErr, a.statusSource = "", false, ""
		}
	case statusClearedMsg:
		if a.statusErr && a.statusSource == msg.source {
			a.status, a.statusErr, a.statusSource = "", false, ""
		}
		return a, nil
	case notifiedMsg:
		a.status, a.statusErr, a.statusSource = string(msg), false, ""
		return a, nil
	case exportedMsg: // the next export offers the same directory
		a.c.exportDir = filepath.Dir(msg.path)
	case reportExportedMsg:
		a.c.exportDir = filepath.Dir(msg.path)
	}
	return a, tea.Batch(a.broadcast(msg), a.demo.observe(msg, a.demoView()))
}

// flowStartConfirmedMsg: start a run of flow with opts, abandoning any
// other.
type flowStartConfirmedMsg struct {
	flow *flows.Flow
	opts flows.RunOptions
}

// quitConfirmedMsg: quit, abandoning the run in flight.
type quitConfirmedMsg struct{}

func (a *app) debug(msg tea.Msg) {
	if a.c.log.Enabled(context.Background(), slog.LevelDebug) {
		a.c.log.Debug("message", "type", fmt.Sprintf("%T", msg))
	}
}

// broadcast gives a message to every screen; each keeps what is its own.
func (a *app) broadcast(msg tea.Msg) tea.Cmd {
	cmds := []tea.Cmd{a.poller.update(msg)}
	for _, s := range []component{a.home, a.flow, a.log, a.migrate, a.console} {
		_, cmd := s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *app) screen() component {
	switch a.active {
	case screenFlow:
		return a.flow
	case screenLog:
		return a.log
	case screenMigrate:
		return a.migrate
	case screenConsole:
		return a.console
	}
	return a.home
}

// openConsole shows the API console, with the Item itemID chosen when
// it is not empty.
func (a *app) openConsole(itemID string) tea.Cmd {
	open := a.console.open(itemID)
	return tea.Batch(a.navigate(screenConsole), open)
}

// resize gives the screens the room between the header and the footer.
func (a *app) resize(w, h int) {
	a.width, a.height = w, h
	a.help.Width = w
	bodyH := max(h-3-a.demoHeight(), 1)
	for _, s := range []component{a.home, a.flow, a.log, a.migrate, a.console} {
		s.SetSize(w, bodyH)
	}
}

func (a *app) tooSmall() bool { return a.width < MinWidth || a.height < MinHeight }

// handleKey applies the global keys, or passes the key to the dialog, the
// help or the active screen. Errors and notices clear on the next key.
func (a *app) handleKey(msg tea.KeyMsg) tea.Cmd {
	g := a.c.keys.Global
	a.status = ""
	switch {
	case a.confirm != nil:
		return a.answer(msg)
	case key.Matches(msg, g.ForceQuit):
		return a.quit()
	case a.tooSmall():
		if key.Matches(msg, g.Quit) {
			return a.quit()
		}
	case a.showHelp:
		return a.helpKey(msg)
	case a.capturesInput():
		_, cmd := a.screen().Update(msg)
		return cmd
	case key.Matches(msg, g.Quit):
		return a.quit()
	case key.Matches(msg, a.c.keys.Demo.Toggle):
		return a.toggleDemo()
	case a.demo.active() && key.Matches(msg, a.c.keys.Demo.Pause):
		return a.demo.togglePause(a.demoView())
	case key.Matches(msg, g.Console):
		return a.openConsole("")
	case key.Matches(msg, g.Help):
		a.showHelp, a.helpTop = true, 0
	case key.Matches(msg, g.Switch):
		return a.navigate(a.nextScreen())
	case key.Matches(msg, g.SwitchBack):
		return a.navigate(a.prevScreen())
	default:
		_, cmd := a.screen().Update(msg)
		return cmd
	}
	return nil
}

// capturesInput reports whether the active screen is taking text.
func (a *app) capturesInput() bool {
	switch a.active {
	case screenFlow:
		return a.flow.capturesInput()
	case screenLog:
		return a.log.capturesInput()
	case screenMigrate:
		return a.migrate.capturesInput()
	case screenConsole:
		return a.console.capturesInput()
	}
	return false
}

// answer handles a key while a yes/no question is open; ctrl+c again
// means yes.
func (a *app) answer(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys.Confirm
	switch {
	case key.Matches(msg, k.Yes, a.c.keys.Global.ForceQuit):
		yes := a.confirm.yes
		a.confirm = nil
		return yes
	case key.Matches(msg, k.No):
		a.confirm = nil
	}
	return nil
}

// quit leaves at once, or asks first while a flow is mid-way or the demo
// plays.
func (a *app) quit() tea.Cmd {
	yes := func() tea.Msg { return quitConfirmedMsg{} }
	switch {
	case a.demo.active():
		return ask(a.demoQuitQuestion(), yes)
	case a.flow.midway():
		return ask(fmt.Sprintf("%s is mid-way (%s). Quit and abandon the run?", a.flow.flow.Title, a.flow.stepsLabel()), yes)
	}
	return yes
}

func ask(question string, yes tea.Cmd) tea.Cmd {
	return func() tea.Msg { return confirmationAskedMsg{question: question, yes: yes} }
}

// chooseFlow starts a run of flow; a run of another flow in flight is
// abandoned only if the user agrees, and the same flow is resumed.
func (a *app) chooseFlow(f *flows.Flow, opts flows.RunOptions) tea.Cmd {
	start := func() tea.Msg { return flowStartConfirmedMsg{flow: f, opts: opts} }
	switch {
	case a.flow.midway() && a.flow.flow == f && opts.ItemID == "":
		return a.navigate(screenFlow)
	case a.flow.midway():
		return ask(fmt.Sprintf("%s is mid-way. Abandon it and start %s?", a.flow.flow.Title, f.Title), start)
	}
	return start
}

// navigate shows a screen, telling the old one it is hidden and the new
// one it is shown.
func (a *app) navigate(to screenID) tea.Cmd {
	if to == a.active {
		return nil
	}
	_, hidden := a.screen().Update(hiddenMsg{})
	a.active = to
	_, shown := a.screen().Update(shownMsg{})
	return tea.Batch(hidden, shown)
}

// nextScreen is the screen tab goes to: Home, the Flow once one was
// chosen, the Log, the Migration screen once opened.
// helpKey handles a key while the help is open: q quits (as the footer
// says), ?/esc close the help, the list keys and the wheel scroll it.
func (a *app) helpKey(msg tea.KeyMsg) tea.Cmd {
	g, l := a.c.keys.Global, helpScrollKeys
	page := max(a.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, g.Quit):
		a.showHelp = false
		return a.quit()
	case key.Matches(msg, g.Help, g.Back):
		a.showHelp = false
	case key.Matches(msg, l.Down):
		a.helpTop++
	case key.Matches(msg, l.Up):
		a.helpTop--
	case key.Matches(msg, l.PageDown), msg.String() == " ":
		a.helpTop += page
	case key.Matches(msg, l.PageUp):
		a.helpTop -= page
	case key.Matches(msg, l.Top):
		a.helpTop = 0
	case key.Matches(msg, l.Bottom):
		a.helpTop = 1 << 30
	}
	a.helpTop = max(min(a.helpTop, a.helpMaxTop()), 0)
	return nil
}

// helpMaxTop is the furthest the help scrolls: its last line at the
// bottom of the body.
var helpScrollKeys = newListKeys()

func (a *app) helpMaxTop() int {
	n := strings.Count(helpView(a.c, a.screen(), a.active.String(), a.width), "\n") + 1
	if n <= a.bodyHeight() {
		return 0
	}
	return n - (a.bodyHeight() - 1) // the last body line says where the help is

}

func (a *app) bodyHeight() int { return max(a.height-3-a.demoHeight(), 1) }

// prevScreen is the screen before the active one in the tab order
// (nextScreen's inverse).
func (a *app) prevScreen() screenID {
	prev := a.active
	for s := a.nextScreen(); s != a.active; {
		prev = s
		saved := a.active
		a.active = s
		s = a.nextScreen()
		a.active = saved
	}
	return prev
}

func (a *app) nextScreen() screenID {
	switch a.active {
	case screenHome:
		if a.flow.flow != nil {
			return screenFlow
		}
		return screenLog
	case screenFlow:
		return screenLog
	case screenLog:
		if a.migrate.opened {
			return screenMigrate
		}
		if a.console.opened {
			return screenConsole
		}
	case screenMigrate:
		if a.console.opened {
			return screenConsole
		}
	}
	return screenHome
}
