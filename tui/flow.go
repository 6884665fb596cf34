package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// flowScreen runs one flow step by step: the checklist, the current step's
// explanation, request and response, and Link's events while it is open.
type flowScreen struct {
	c             *common
	keys          flowKeys
	width, height int

	flow     *flows.Flow
	runOpts  flows.RunOptions
	run      *liveRun // used only inside commands
	runID    string
	ctx      context.Context
	cancel   context.CancelFunc
	starting bool
	startErr error

	snap     runSnapshot
	busy     bool // a step is running
	busyStep int
	selected int  // the step the detail pane shows
	follow   bool // selected follows the step that runs, and then shows its result
	finished bool // every step has run or been skipped
	links    map[int]*linkLive
	note     string // the run's latest narration
	waiting  string // what a Link step waits for

	closed bool        // the run was closed once it finished
	sum    *runSummary // the run summary (flow_summary.go); nil until first shown

	form       *tokenForm
	code       *codeView // the selected step as code, when open (v)
	viewport   viewport.Model
	autoOffset int // where refresh last scrolled the viewport
	spinner    spinner.Model
	now        time.Time
	tickID     int
}

func newFlowScreen(c *common) *flowScreen {
	vp := viewport.New(0, 0)
	vp.KeyMap = viewport.KeyMap{} // the flow's own keys scroll it
	vp.MouseWheelDelta = 3
	return &flowScreen{
		c: c, keys: c.keys.Flow, viewport: vp, now: c.now(), follow: true, links: map[int]*linkLive{},
		spinner: spinner.New(spinner.WithSpinner(c.spinner), spinner.WithStyle(c.styles.Running)),
	}
}

// Init does nothing: a run starts when a flow is chosen.
func (f *flowScreen) Init() tea.Cmd { return nil }

// SetSize sets the screen's size.
func (f *flowScreen) SetSize(w, h int) {
	f.width, f.height = w, h
	if f.code != nil {
		f.code.setSize(w, max(h-flowHeaderLines, 1))
	}
	f.refresh()
	f.layoutSummary()
}

// start abandons the current run, if any, and starts one of flow with
// opts.
func (f *flowScreen) start(flow *flows.Flow, opts flows.RunOptions) tea.Cmd {
	stop := f.abandon()
	*f = *newFlowScreen(f.c).withSize(f.width, f.height)
	f.flow, f.runOpts, f.starting = flow, opts, true
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.refresh()
	if f.c.env == nil {
		f.starting, f.startErr = false, errNoEnv
		return stop
	}
	return tea.Batch(stop, startRun(f.ctx, f.c.env, flow, opts), f.spinner.Tick)
}

func (f *flowScreen) withSize(w, h int) *flowScreen {
	f.SetSize(w, h)
	return f
}

// abandon stops the current run: its waits are cancelled and it is closed.
func (f *flowScreen) abandon() tea.Cmd {
	if f.cancel != nil {
		f.cancel()
	}
	if f.run == nil || f.closed {
		return nil
	}
	r := f.run
	f.run = nil
	return closeRun(r)
}

// midway reports whether a run has started and not finished.
func (f *flowScreen) midway() bool {
	return f.runID != "" && !f.finished && (f.busy || f.anyResult())
}

func (f *flowScreen) anyResult() bool {
	for _, r := range f.snap.results {
		if r != nil {
			return true
		}
	}
	return false
}

// capturesInput reports whether keys go to a text field.
func (f *flowScreen) capturesInput() bool { return f.form != nil }

// Update handles the run's messages and the screen's keys.
func (f *flowScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case runStartedMsg, runStartFailedMsg, stepFinishedMsg, runMovedMsg, runEventMsg, runEventsEndedMsg:
		return f, f.handleRun(msg)
	case tickedMsg:
		return f, f.handleTick(msg)
	case summaryLoadedMsg:
		return f, f.summaryLoaded(msg)
	case spinner.TickMsg:
		if !f.busy && !f.starting {
			return f, nil
		}
		var cmd tea.Cmd
		f.spinner, cmd = f.spinner.Update(msg)
		return f, cmd
	case tea.KeyMsg:
		if f.form != nil {
			return f, f.updateForm(msg)
		}
		if f.code != nil {
			closed, cmd := f.code.update(msg)
			if closed {
				f.code = nil
			}
			return f, cmd
		}
		if f.summaryOpen() {
			return f, f.summaryKey(msg)
		}
		return f, f.handleKey(msg)
	case tea.MouseMsg:
		if f.code != nil {
			f.code.wheel(msg)
			return f, nil
		}
		var cmd tea.Cmd
		if f.summaryOpen() {
			f.sum.viewport, cmd = f.sum.viewport.Update(msg)
			return f, cmd
		}
		f.viewport, cmd = f.viewport.Update(msg)
		return f, cmd
	}
	if f.form != nil {
		return f, f.updateForm(msg)
	}
	return f, nil
}

// handleRun applies a message from the run in flight; messages from an
// earlier run are dropped, and so is runEventsEndedMsg: once the run's
// events end there is nothing more to read.
func (f *flowScreen) handleRun(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runStartedMsg:
		return f.started(msg)
	case runStartFailedMsg:
		if msg.flow == f.flow && f.starting {
			f.starting, f.startErr = false, msg.err
			f.refresh()
		}
		return nil
	case stepFinishedMsg:
		if msg.runID != f.runID {
			return nil
		}
		f.busy = false
		f.apply(msg.snap)
		if f.follow {
			f.show(f.busyStep) // its request, response and request_id
		}
		return f.ticking()
	case runMovedMsg:
		return f.moved(msg)
	case runEventMsg:
		if msg.runID != f.runID {
			return nil
		}
		cmd := f.event(msg.ev)
		f.apply(msg.snap)
		if msg.ev.Kind == flows.EventFinished {
			return tea.Batch(cmd, f.ticking(), f.closeFinished()) // nothing follows: stop reading
		}
		return tea.Batch(cmd, f.await(), f.ticking())
	}
	return nil
}

func (f *flowScreen) started(msg runStartedMsg) tea.Cmd {
	if !f.starting || msg.flow != f.flow {
		if msg.run == nil {
			return nil
		}
		return closeRun(msg.run) // a start the user walked away from
	}
	f.starting, f.run, f.runID = false, msg.run, msg.runID
	f.apply(msg.snap)
	return tea.Batch(f.await(), f.ticking())
}

// await reads the run's next event.
func (f *flowScreen) await() tea.Cmd {
	if f.run == nil {
		return nil
	}
	return awaitEvent(f.run)
}

// closeFinished closes the run once it reported its end, which ends its
// session in the store.
func (f *flowScreen) closeFinished() tea.Cmd {
	if f.closed || f.run == nil {
		return nil
	}
	f.closed = true
	done := notify(f.flow.Title + " finished: its calls and events are in the session log")
	if f.runOpts.Demo {
		// The demo's narration tells the run; its summary opens with S, not
		// over the demo's screen (where the next flow, or DEMO OVER, is
		// what the audience should see).
		return tea.Batch(closeRun(f.run), done)
	}
	// The summary is read once the run's session has ended in the log.
	return tea.Batch(tea.Sequence(closeRun(f.run), f.openSummary()), done)
}

func (f *flowScreen) moved(msg runMovedMsg) tea.Cmd {
	if msg.runID != f.runID {
		return nil
	}
	f.apply(msg.snap)
	if f.form == nil {
		f.follow = true
		f.show(msg.snap.current)
	}
	if f.form == nil {
		return nil
	}
	if msg.err != nil {
		f.form.refused(msg.err)
		return nil
	}
	f.form = nil
	f.refresh()
	return notify("request saved: enter sends it")
}

// apply shows a snapshot of the run, unless a newer one is already shown,
// and redraws the detail pane.
func (f *flowScreen) apply(s runSnapshot) {
	if s.seq >= f.snap.seq {
		f.snap = s
		f.finished = f.finished || s.done
	}
	f.refresh()
}

// show selects step i (clamped to the flow) for the detail pane.
func (f *flowScreen) show(i int) {
	f.selected = max(min(i, len(f.flow.Steps)-1), 0)
	f.viewport.GotoTop()
	f.refresh()
}

// event records what the run reported.
// A step that starts shows a spinner until it finishes.
func (f *flowScreen) event(ev flows.Event) tea.Cmd {
	i := f.stepIndex(ev.Step)
	switch ev.Kind {
	case flows.EventStepStarted:
		if i < 0 {
			return nil
		}
		wasBusy := f.busy
		f.busy, f.busyStep, f.links[i], f.waiting = true, i, &linkLive{}, ""
		if f.follow {
			f.show(i)
		}
		if !wasBusy {
			return f.spinner.Tick
		}
	case flows.EventStepFinished:
		if i == f.busyStep {
			f.busy = false
		}
		if ev.Result != nil && ev.Result.Status == flows.StatusOK {
			f.note = "" // narration of the step's wait ("the page asked for a new token…") is no longer true
		}
	case flows.EventWaiting:
		f.waiting = waitingText(ev)
	case flows.EventLink, flows.EventWebhook:
		if i >= 0 {
			f.linkLiveOf(i).add(ev)
		}
	case flows.EventCall: // an API step shows its calls in full already
		if i >= 0 && f.flow.Steps[i].Kind == flows.StepLink {
			f.linkLiveOf(i).add(ev)
		}
	case flows.EventNote:
		f.note = oneLine(ev.Message)
	case flows.EventFinished:
		if ev.Err != nil {
			f.note = oneLine(ev.Err.Error())
		}
	}
	return nil
}

// stepIndex finds a step by name; -1 when unknown.
func (f *flowScreen) stepIndex(name string) int {
	if name == "" {
		return f.busyStep
	}
	for i, s := range f.flow.Steps {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// linkLiveOf is step i's Link timeline, created on first use.
func (f *flowScreen) linkLiveOf(i int) *linkLive {
	if f.links[i] == nil {
		f.links[i] = &linkLive{}
	}
	return f.links[i]
}

// ticking starts the once-a-second clock while a link_token's expiry is
// counting down.
func (f *flowScreen) ticking() tea.Cmd {
	if f.snap.expires.IsZero() || f.tickID != 0 || f.finished {
		return nil
	}
	f.tickID = f.c.nextID()
	return tick(f.tickID, f.c.now)
}

func (f *flowScreen) handleTick(msg tickedMsg) tea.Cmd {
	if msg.id != f.tickID {
		return nil
	}
	f.now = msg.t
	if f.finished || f.runID == "" {
		f.tickID = 0
		return nil
	}
	return tick(f.tickID, f.c.now)
}

func (f *flowScreen) updateForm(msg tea.Msg) tea.Cmd {
	res, cmd := f.form.update(msg)
	switch res {
	case formCancelled:
		f.form = nil
		f.refresh()
	case formSaved:
		if f.run == nil {
			f.form.refused(errNoRun)
			return nil
		}
		return saveTokenRequest(f.run, f.form.request())
	}
	return cmd
}

// handleKey runs the control the key names, if it applies now.
func (f *flowScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := f.keys
	switch {
	case key.Matches(msg, k.Run):
		return f.runOrContinue()
	case key.Matches(msg, k.Retry) && f.canRetry():
		return f.step(true)
	case key.Matches(msg, k.Skip) && f.canStep():
		return moveRun(f.run, true)
	case key.Matches(msg, k.Back) && f.canStep() && f.snap.current > 0:
		return moveRun(f.run, false)
	case key.Matches(msg, k.Edit) && f.canEdit():
		f.form = newTokenFormFor(f.c, f.snap.tokenRequest, isUpdateToken(f.flow.Steps[f.snap.current]))
		f.layout()
		return nil
	case key.Matches(msg, k.Copy):
		return copyText(f.c.clipboard, "request_id", f.requestID())
	case key.Matches(msg, f.c.keys.Code.Open) && f.flow != nil:
		return f.openCode()
	case key.Matches(msg, k.CopyLinkSession):
		return copyText(f.c.clipboard, "link_session_id", f.linkSessionID())
	case key.Matches(msg, k.Summary) && f.runID != "":
		return f.openSummary()
	case key.Matches(msg, k.PrevStep, k.NextStep):
		f.inspect(msg)
	case key.Matches(msg, k.OpenBrowser) && f.run != nil && f.snap.pageURL != "":
		return reopenPage(f.ctx, f.run, f.browserMode(), f.c.clipboard)
	case key.Matches(msg, k.CopyURL):
		return copyText(f.c.clipboard, "page URL", f.snap.pageURL)
	case key.Matches(msg, k.Expire) && f.canExpire():
		return expireLinkToken(f.ctx, f.run)
	case key.Matches(msg, k.Mistake) && f.canMistake():
		return toggleOAuthMistake(f.run)
	case key.Matches(msg, f.c.keys.Global.Back):
		return navigate(screenHome)
	default:
		f.scroll(msg)
	}
	return nil
}

// runOrContinue runs the current step, restarts a run that failed to
// start, or leaves a finished run for Home.
func (f *flowScreen) runOrContinue() tea.Cmd {
	switch {
	case f.startErr != nil:
		return f.start(f.flow, f.runOpts)
	case f.finished:
		return navigate(screenHome)
	case f.canStep():
		return f.step(false)
	}
	return nil
}

func (f *flowScreen) step(retry bool) tea.Cmd {
	f.busy, f.busyStep, f.follow = true, f.snap.current, true
	delete(f.links, f.busyStep)
	f.waiting, f.note = "", ""
	f.show(f.busyStep)
	return tea.Batch(runStep(f.ctx, f.run, retry), f.spinner.Tick)
}

// canStep reports whether a step may be run, skipped or stepped back.
func (f *flowScreen) canStep() bool {
	return f.run != nil && !f.busy && !f.finished && f.snap.current < len(f.flow.Steps)
}

func (f *flowScreen) canRetry() bool {
	return f.canStep() && f.snap.results[f.snap.current] != nil
}

func (f *flowScreen) canEdit() bool {
	return f.canStep() && f.flow.Steps[f.snap.current].Editable
}

// canMistake: the oauth flow's deliberate mistake can be switched before
// its Link step runs.
func (f *flowScreen) canMistake() bool {
	return f.flow != nil && f.flow.Name == "oauth" && f.run != nil && !f.busy && !f.finished
}

func (f *flowScreen) canExpire() bool {
	return f.c.emulated() && f.run != nil && f.snap.linkToken != "" && !f.finished
}

// inspect shows the previous or next step's result.
func (f *flowScreen) inspect(msg tea.KeyMsg) {
	if f.flow == nil {
		return
	}
	d := 1
	if key.Matches(msg, f.keys.PrevStep) {
		d = -1
	}
	f.follow = false
	f.show(f.selected + d)
}

func (f *flowScreen) scroll(msg tea.KeyMsg) {
	k := f.keys
	switch {
	case key.Matches(msg, k.ScrollUp):
		f.viewport.ScrollUp(1)
	case key.Matches(msg, k.ScrollDown):
		f.viewport.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		f.viewport.PageUp()
	case key.Matches(msg, k.PageDown):
		f.viewport.PageDown()
	}
}

// result is the selected step's latest result, or nil.
func (f *flowScreen) result() *flows.StepResult {
	if f.selected < len(f.snap.results) {
		return f.snap.results[f.selected]
	}
	return nil
}

// requestID is the selected step's request_id: its own, or its last
// call's.
func (f *flowScreen) requestID() string {
	r := f.result()
	if r == nil {
		return ""
	}
	if r.RequestID != "" {
		return r.RequestID
	}
	for i := len(r.Calls) - 1; i >= 0; i-- {
		if r.Calls[i].RequestID != "" {
			return r.Calls[i].RequestID
		}
	}
	return ""
}

// openCode opens the selected step as code: the request it sent (or,
// for /link/token/create not yet run, the one it will send), or the Link
// step's browser code.
func (f *flowScreen) openCode() tea.Cmd {
	s := f.selectedStep()
	w, h := f.width, max(f.height-flowHeaderLines, 1)
	switch call, ok := flows.CodeCall(s, f.result()); {
	case s.Kind == flows.StepLink:
		f.code = linkCodeView(f.c, flows.LinkCodeOptionsFor(f.flow, f.snap.tokenRequest), w, h)
	case ok:
		title := "POST " + call.Endpoint + " as sent"
		if call.RequestID != "" {
			title += " (request_id " + call.RequestID + ")"
		}
		f.code = apiCodeView(f.c, f.c.codeRequest(call.Endpoint, call.RequestBody), title, w, h)
	case s.Endpoint == "/link/token/create":
		body := f.snap.tokenRequest.Body(isUpdateToken(s))
		f.code = apiCodeView(f.c, f.c.codeRequest(s.Endpoint, body), "POST "+s.Endpoint+" as built (not sent yet)", w, h)
	default:
		return func() tea.Msg {
			return notifiedMsg("no code yet: run the step (enter), then v shows the request it sent as code")
		}
	}
	return nil
}

// canCode reports whether v has code to show for the selected step.
func (f *flowScreen) canCode() bool {
	if f.flow == nil {
		return false
	}
	s := f.selectedStep()
	_, ok := flows.CodeCall(s, f.result())
	return ok || s.Kind == flows.StepLink || s.Endpoint == "/link/token/create"
}

// ShortHelp lists the controls that work now.
func (f *flowScreen) ShortHelp() []key.Binding {
	if f.form != nil {
		return f.form.ShortHelp()
	}
	if f.code != nil {
		return f.code.ShortHelp()
	}
	k := f.keys
	if f.summaryOpen() {
		return f.summaryHelp()
	}
	run := k.Run
	switch {
	case f.finished:
		run.SetHelp("enter", "back to Home")
	case f.canStep():
		run.SetHelp("enter", "run: "+truncate(f.flow.Steps[f.snap.current].Title, 28))
	}
	var out []key.Binding
	add := func(b key.Binding, ok bool) {
		if ok {
			out = append(out, b)
		}
	}
	add(run, f.canStep() || f.finished || f.startErr != nil)
	add(k.Edit, f.canEdit())
	add(k.Retry, f.canRetry())
	add(k.Skip, f.canStep())
	add(k.Back, f.canStep() && f.snap.current > 0)
	add(f.openKey(), f.run != nil && f.snap.pageURL != "" && f.busy)
	add(k.CopyURL, f.snap.pageURL != "" && f.busy)
	add(k.Expire, f.canExpire() && f.busy)
	add(k.Mistake, f.canMistake())
	add(k.Copy, f.requestID() != "")
	add(f.c.keys.Code.Open, f.canCode())
	add(k.CopyLinkSession, f.linkSessionID() != "")
	add(k.Summary, f.runID != "")
	add(f.c.keys.Global.Back, true) // esc: back to Home (the run goes on)
	return out
}

// FullHelp lists every control of the screen.
func (f *flowScreen) FullHelp() [][]key.Binding {
	if f.code != nil {
		return f.code.FullHelp()
	}
	k := f.keys
	controls := []key.Binding{k.Copy, k.CopyLinkSession, k.Summary, f.c.keys.Code.Open, f.openKey(), k.CopyURL, k.Expire}
	if f.flow != nil && f.flow.Name == "oauth" {
		controls = append(controls, k.Mistake)
	}
	return [][]key.Binding{
		{k.Run, k.Edit, k.Retry, k.Skip, k.Back},
		{k.PrevStep, k.NextStep, k.ScrollUp, k.ScrollDown, k.PageUp, k.PageDown},
		controls,
	}
}

// browserMode is --browser: how o opens the Link page.
func (f *flowScreen) browserMode() flows.BrowserMode {
	if f.c.env == nil {
		return flows.BrowserSystem
	}
	return f.c.env.Browser
}

// openKey is o, described as --browser makes it work.
func (f *flowScreen) openKey() key.Binding {
	b := f.keys.OpenBrowser
	switch f.browserMode() {
	case flows.BrowserAuto:
		b.SetHelp("o", "reopen in headless Chromium")
	case flows.BrowserNone:
		b.SetHelp("o", "show & copy page URL")
	}
	return b
}

// stepsLabel is "step 2 of 5". While a step runs it names that step: an
// event read before the step's end can carry a snapshot in which the run
// has already moved on, and the next step must not look ready (enter is
// refused) until the step's end is read.
func (f *flowScreen) stepsLabel() string {
	if f.finished {
		return "finished"
	}
	cur := f.snap.current
	if f.busy {
		cur = f.busyStep
	}
	return fmt.Sprintf("step %d of %d", min(cur+1, len(f.flow.Steps)), len(f.flow.Steps))
}

// waitingText is the status line while Link is open. The page's URL is
// shown in full below it, so the line names it "the page" and keeps room
// for what happens next.
func waitingText(ev flows.Event) string {
	msg := ev.Message
	if ev.URL != "" {
		msg = strings.ReplaceAll(msg, " ("+ev.URL+")", "")
		msg = strings.ReplaceAll(msg, ev.URL, "the page")
	}
	return oneLine(msg)
}
