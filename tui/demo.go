package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// Demo mode plays flows by themselves, with narration, at a presentable
// pace. The demo is a small controller beside the screens: it follows a
// scripted timeline of beats (demo_script.go), one beat per tea.Tick that
// carries the beat's number, and it acts only through the messages a
// user's keys produce (a flow's start, enter on the Flow screen), so runs
// go through the one code path the keys use. It reads the app through a
// demoView the root builds after every message.

// DefaultDemoPace is the pause between two beats of the demo.
const DefaultDemoPace = 2500 * time.Millisecond

// DefaultAutopilotDelay is how long the emulated Link's autopilot waits
// before each of its actions in a demo: slow enough to follow.
const DefaultAutopilotDelay = 600 * time.Millisecond

// DemoOptions configure demo mode: the D key, or linkexplorer demo.
type DemoOptions struct {
	// Flows are the flows the demo plays, in order; nil means the flows
	// Home offers.
	Flows []*flows.Flow
	// Pace is the pause between two beats; 0 means DefaultDemoPace.
	Pace time.Duration
	// AutopilotDelay paces the emulated Link's autopilot in the browser
	// (its delay_ms); 0 runs it instantly. At most flows.MaxAutopilotDelay.
	AutopilotDelay time.Duration
	// Autostart plays the demo as soon as the app starts.
	Autostart bool
}

// DefaultDemoOptions is the demo the D key plays when Options.Demo is nil:
// every flow, at DefaultDemoPace, with the autopilot at
// DefaultAutopilotDelay.
func DefaultDemoOptions() DemoOptions {
	return DemoOptions{Pace: DefaultDemoPace, AutopilotDelay: DefaultAutopilotDelay}
}

// demoState is where the demo stands.
type demoState int

const (
	demoOff     demoState = iota // not shown
	demoPlaying                  //
	demoPaused                   //
	demoOver                     // played to its end; still shown
	demoHalted                   // stopped by a failure; still shown
)

// demoPhase is where the current beat stands.
type demoPhase int

const (
	phaseDue    demoPhase = iota // its tick is on the way
	phaseReady                   // narrated; it acts once the app is ready
	phaseActing                  // it acted; it ends when what it started ends
)

// The statuses a narration line records for its step.
const (
	lineBefore  = "pending"  // said before the step runs
	lineLive    = "running"  // said about a Link event while it runs
	lineStarted = "started"  // a flow's intro, as its run starts
	lineEnded   = "finished" // a flow's outro
)

// demoLine is one line the demo said: at which beat, about which step
// (flow/step, or the flow, or "" for the demo itself), and where that step
// stood.
type demoLine struct {
	beat   int
	text   string
	step   string
	status string
}

// demoView is what the demo reads of the app.
type demoView struct {
	flow     *flows.Flow // the flow on the Flow screen
	runID    string
	startErr error
	ready    bool // a step may run now
	busy     bool // a step runs
	finished bool // every step has run
	current  int
	results  []*flows.StepResult
	asking   bool // a yes/no question is open
}

// result is step i's latest result, or nil.
func (v demoView) result(i int) *flows.StepResult {
	if i < len(v.results) {
		return v.results[i]
	}
	return nil
}

// demoTickedMsg says a beat of the demo is due. id tells the live tick
// from one sent before a pause.
type demoTickedMsg struct{ id, beat int }

// demoPressedMsg is a key the demo presses on the Flow screen, as a user
// would.
type demoPressedMsg struct{ key tea.KeyMsg }

// demoStartConfirmedMsg starts the demo (after the user agreed to abandon
// the run in flight).
type demoStartConfirmedMsg struct{}

// demo is the demo controller.
type demo struct {
	c     *common
	opts  DemoOptions
	beats []demoBeat
	state demoState
	at    int // the current beat
	phase demoPhase

	tickID    int
	prevRun   string // the run on screen when a start beat acted
	pressed   bool   // a run beat pressed enter
	stepEnded bool   // the run reported the end of the pressed step
	lines     []demoLine
}

func newDemo(c *common, opts DemoOptions) *demo {
	if opts.Pace <= 0 {
		opts.Pace = DefaultDemoPace
	}
	return &demo{c: c, opts: opts}
}

// active reports whether the demo is playing or paused.
func (d *demo) active() bool { return d.state == demoPlaying || d.state == demoPaused }

// shown reports whether the demo's panel is on screen.
func (d *demo) shown() bool { return d.state != demoOff }

// start plays the demo from its first beat.
func (d *demo) start(v demoView) tea.Cmd {
	*d = demo{c: d.c, opts: d.opts, beats: demoBeats(d.opts.Flows), state: demoPlaying}
	return d.play(v)
}

// stop ends the demo and hides it; a tick on its way is ignored.
func (d *demo) stop() { d.state, d.tickID = demoOff, 0 }

// togglePause holds the current beat, or plays on from it.
func (d *demo) togglePause(v demoView) tea.Cmd {
	switch d.state {
	case demoPlaying:
		d.state, d.tickID = demoPaused, 0
	case demoPaused:
		d.state = demoPlaying
		if d.phase == phaseDue {
			return d.schedule()
		}
		return d.advance(v)
	}
	return nil
}

// ticked plays the beat whose tick came, unless the demo paused since (the
// tick is then stale) or a question is open (the beat waits a pace more).
func (d *demo) ticked(msg demoTickedMsg, v demoView) tea.Cmd {
	if d.state != demoPlaying || msg.id != d.tickID || msg.beat != d.at || d.phase != phaseDue {
		return nil
	}
	if v.asking {
		return d.schedule()
	}
	return d.play(v)
}

// observe follows the app after a message: Link's events are narrated, and
// the current beat acts or ends when the app allows.
func (d *demo) observe(msg tea.Msg, v demoView) tea.Cmd {
	if !d.active() {
		return nil
	}
	if ev, ok := msg.(runEventMsg); ok && ev.runID == v.runID {
		d.follow(ev.ev)
	}
	return d.advance(v)
}

// follow narrates the run's Link events while a run beat acts, and notes
// when its step has reported its end: the events of a step all come before
// its end, so once it is seen every one of them was narrated.
func (d *demo) follow(ev flows.Event) {
	b := d.beats[d.at]
	if b.kind != beatRun || d.phase != phaseActing || !d.pressed {
		return
	}
	switch {
	case ev.Kind == flows.EventStepFinished && ev.Step == b.flow.Steps[b.step].Name:
		d.stepEnded = true
	case ev.Kind == flows.EventLink && ev.Link != nil:
		if s := eventLine(b.flow.Name, *ev.Link); s != "" {
			d.narrate(s, stepKey(b), lineLive)
		}
	}
}

// schedule sends the current beat's tick after a pace.
func (d *demo) schedule() tea.Cmd {
	d.tickID = d.c.nextID()
	id, beat := d.tickID, d.at
	return tea.Tick(d.opts.Pace, func(time.Time) tea.Msg { return demoTickedMsg{id: id, beat: beat} })
}

// play narrates the current beat and lets it act.
func (d *demo) play(v demoView) tea.Cmd {
	b := d.beats[d.at]
	if b.say != "" {
		d.narrate(b.say, stepKey(b), beatStatus(b))
	}
	d.phase = phaseReady
	return d.advance(v)
}

// advance takes the current beat as far as the app allows: it acts once
// the app is ready, and once what it started has ended the next beat is
// scheduled.
func (d *demo) advance(v demoView) tea.Cmd {
	if d.state != demoPlaying || d.phase == phaseDue {
		return nil
	}
	b := d.beats[d.at]
	if why := d.problem(b, v); why != "" {
		d.halt(why)
		return nil
	}
	var cmd tea.Cmd
	if d.phase == phaseReady {
		if !d.ready(b, v) {
			return nil
		}
		d.phase, d.prevRun, d.pressed, d.stepEnded = phaseActing, v.runID, false, false
		cmd = d.act(b, v)
	}
	if !d.done(b, v) {
		return cmd
	}
	return tea.Batch(cmd, d.next(b, v))
}

// problem says why the beat cannot go on, or "".
func (d *demo) problem(b demoBeat, v demoView) string {
	switch {
	case b.kind == beatStart && d.phase == phaseActing && v.flow == b.flow && v.startErr != nil:
		return "The run could not start: " + oneLine(v.startErr.Error())
	case (b.kind == beatRun || b.kind == beatEnd) && v.flow != b.flow:
		return "Another flow is on the Flow screen now, so the demo stopped."
	}
	return ""
}

// ready reports whether the app is ready for the beat to act.
func (d *demo) ready(b demoBeat, v demoView) bool {
	switch b.kind {
	case beatRun:
		return v.current > b.step && !v.busy || v.ready && v.current == b.step
	case beatEnd:
		return v.finished
	}
	return true
}

// act does what the beat does: start a run, or press enter to run the
// step (unless someone already ran it).
func (d *demo) act(b demoBeat, v demoView) tea.Cmd {
	switch {
	case b.kind == beatStart:
		opts := flows.RunOptions{Autopilot: true, AutopilotDelay: d.opts.AutopilotDelay, NewItem: true, Demo: true}
		return func() tea.Msg { return flowStartConfirmedMsg{flow: b.flow, opts: opts} }
	case b.kind == beatRun && v.current == b.step:
		d.pressed = true
		return func() tea.Msg { return demoPressedMsg{key: tea.KeyMsg{Type: tea.KeyEnter}} }
	}
	return nil
}

// done reports whether what the beat started has ended.
func (d *demo) done(b demoBeat, v demoView) bool {
	switch b.kind {
	case beatStart:
		return v.flow == b.flow && v.runID != "" && v.runID != d.prevRun
	case beatRun:
		r := v.result(b.step)
		return r != nil && r.Status != flows.StatusRunning && !v.busy && (d.stepEnded || !d.pressed)
	}
	return true
}

// next closes the beat (a run beat says how its step went) and schedules
// the next one, or ends the demo.
func (d *demo) next(b demoBeat, v demoView) tea.Cmd {
	if b.kind == beatRun {
		r := v.result(b.step)
		if r.Status == flows.StatusFailed {
			d.halt(b.flow.Steps[b.step].Title + " failed: " + oneLine(stepFailure(r)))
			return nil
		}
		if b.after != "" && r.Status == flows.StatusOK {
			d.narrate(b.after, stepKey(b), string(r.Status))
		}
	}
	d.at++
	if d.at == len(d.beats) {
		d.state = demoOver
		return nil
	}
	d.phase = phaseDue
	return d.schedule()
}

// halt stops the demo where it is and says why; the screen stays as it is,
// with its keys.
func (d *demo) halt(why string) {
	d.state, d.tickID = demoHalted, 0
	d.narrate("✗ "+why+" The demo stops here: the keys are yours (D closes the demo).", stepKey(d.beats[d.at]), "halted")
}

// narrate puts a line on screen and in the demo's record.
func (d *demo) narrate(text, step, status string) {
	d.lines = append(d.lines, demoLine{beat: d.at, text: text, step: step, status: status})
}

// stepFailure is a failed step's error code, else its error.
func stepFailure(r *flows.StepResult) string {
	if r.ErrorCode != "" {
		return r.ErrorCode
	}
	return r.Error
}

// stepKey names what a beat is about: flow/step, the flow, or "" for the
// demo itself.
func stepKey(b demoBeat) string {
	switch {
	case b.flow == nil:
		return ""
	case b.kind == beatStart || b.kind == beatEnd:
		return b.flow.Name
	}
	return b.flow.Name + "/" + b.flow.Steps[b.step].Name
}

// beatStatus is the status a beat's own line records.
func beatStatus(b demoBeat) string {
	switch b.kind {
	case beatStart:
		return lineStarted
	case beatEnd:
		return lineEnded
	case beatSay:
		if b.flow != nil {
			return lineBefore
		}
	}
	return ""
}

// flowOutcome is how far the demo got with flow f: ok once its outro was
// said, running while its beats play (failed if the demo halted there),
// else pending.
func (d *demo) flowOutcome(f *flows.Flow) flows.StepStatus {
	for j := len(d.beats) - 1; j >= 0; j-- {
		if b := d.beats[j]; b.flow == f && b.kind == beatEnd && d.at > j {
			return flows.StatusOK
		}
	}
	switch {
	case d.at >= len(d.beats) || d.beats[d.at].flow != f:
		return flows.StatusPending
	case d.state == demoHalted:
		return flows.StatusFailed
	}
	return flows.StatusRunning
}
