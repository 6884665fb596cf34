package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/audit"
)

// migrateScreen verifies a public_key → link_token migration: it audits
// an app's source tree and token endpoint in the background and shows the
// migration guide's checklist with evidence; a person ticks the manual
// checks, watches the emulator for their evidence, and exports the report.
type migrateScreen struct {
	c             *common
	keys          migrateKeys
	exportKeys    exportKeys
	width, height int
	workDir       string // where relative source paths start; "" is the process's
	stateDir      string // where checklists are kept; "" keeps them in memory
	opened        bool   // shown at least once: it has a tab

	form *migrateForm
	req  migrateRequest // the audit on screen, or running

	auditID  int
	auditing bool
	cancel   context.CancelFunc

	// The audit's results, kept to rebuild the report when a tick or new
	// evidence changes it. Only Update touches them.
	static    *audit.StaticResult
	live      *audit.LiveResult
	observed  map[string][]audit.Evidence
	state     *audit.State
	statePath string
	report    *audit.Report // never changed once built: commands may read it
	checks    []*audit.Check
	cursor    int
	blocks    []lineSpan // the viewport lines of each check

	watch       *emulatorWatch
	watchID     int
	watching    bool
	watchCtx    context.Context
	watchCancel context.CancelFunc
	watchEvery  time.Duration
	sightings   []audit.Sighting

	exporting  bool          // choosing the format
	prompt     *exportPrompt // choosing the directory
	format     audit.Format  // the format chosen
	lastExport string        // the last export's path, until it stops being true
	problem    *migrateProblem

	viewport viewport.Model
	spinner  spinner.Model
}

// The Migration screen's entry on Home.
const (
	migrateTitle   = "Migration audit (public_key → link_token)"
	migrateSummary = "Audits an app against the checklist of Plaid's migration guide: its source tree, its token endpoint, " +
		"and the checks a person does in the app, with evidence (file:line, request_ids). Tick the manual checks, export the report."
)

// lineSpan is a range of lines, to exclusive.
type lineSpan struct{ from, to int }

// migrateProblem is an error shown on the screen until dismissed: what
// failed, why, and what to do.
type migrateProblem struct {
	what string
	err  error
	hint string
	// watch: the emulator could not be read; untrue, and gone, once a
	// watch reads it.
	watch bool
}

// The watch's pace and memory.
const (
	watchInterval = time.Second
	maxSightings  = 50
)

// watchedChecks are the manual checks the emulator can see done.
var watchedChecks = []string{audit.ManualUserGood, audit.ManualInvalidToken, audit.ManualUpdateMode}

// errWatchNeedsEmulator refuses to watch when the app talks to Plaid.
var errWatchNeedsEmulator = errors.New("this app talks to Plaid's Sandbox, which linkexplorer cannot watch: " +
	"start linkexplorer with --mode emulated and point your app's backend at its emulator, or run " +
	"\"linkexplorer migrate --emulator URL --observe 10m\" against \"linkexplorer emulator\"")

func newMigrateScreen(c *common, workDir, stateDir string) *migrateScreen {
	vp := viewport.New(0, 0)
	vp.KeyMap = viewport.KeyMap{} // the screen's own keys scroll it
	vp.MouseWheelDelta = 3
	return &migrateScreen{
		c: c, keys: c.keys.Migrate, exportKeys: c.keys.Export, workDir: workDir, stateDir: stateDir,
		viewport: vp, watchEvery: watchInterval,
	}
}

// Init does nothing: the form opens when the screen is first shown.
func (m *migrateScreen) Init() tea.Cmd { return nil }

// SetSize sets the screen's size.
func (m *migrateScreen) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.prompt != nil {
		m.prompt.setWidth(w)
	}
	m.refresh()
}

// capturesInput reports whether keys go to a text field or a prompt.
func (m *migrateScreen) capturesInput() bool {
	return m.form != nil || m.exporting || m.prompt != nil
}

// Update handles the audit's and the watch's messages and the keys.
func (m *migrateScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case shownMsg:
		m.shown()
	case migrateAuditedMsg:
		return m, m.audited(msg)
	case emulatorPolledMsg:
		return m, m.polled(msg)
	case checklistSavedMsg:
		return m, m.saved(msg)
	case reportExportedMsg:
		m.lastExport = msg.path // the one message about it, on the status line
		m.refresh()
	case hiddenMsg:
		m.lastExport = ""
	case spinner.TickMsg:
		if !m.auditing && !m.watching {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		var cmd tea.Cmd
		m.viewport, cmd = m.viewport.Update(msg)
		return m, cmd
	}
	return m, nil
}

// shown opens the form the first time, with the working directory.
func (m *migrateScreen) shown() {
	m.opened = true
	if m.report == nil && !m.auditing && m.form == nil {
		m.form = newMigrateForm(m.c, migrateRequest{src: m.defaultSrc()})
		m.refresh()
	}
}

func (m *migrateScreen) defaultSrc() string {
	if m.workDir != "" {
		return m.workDir
	}
	return "."
}

// handleKey routes a key to the form, the export prompt or the checklist.
func (m *migrateScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	if !m.exporting {
		m.lastExport = "" // the footer said where; the next key moves on
	}
	switch {
	case m.problem != nil && key.Matches(msg, m.c.keys.Global.Back):
		m.problem = nil
		m.refresh()
		return nil
	case m.form != nil:
		return m.updateForm(msg)
	case m.exporting:
		return m.exportKey(msg)
	case m.prompt != nil:
		return m.promptKey(msg)
	case key.Matches(msg, m.c.keys.Global.Back):
		return m.back()
	case m.auditing || m.report == nil:
		return nil
	}
	return m.checklistKey(msg)
}

func (m *migrateScreen) updateForm(msg tea.KeyMsg) tea.Cmd {
	res, cmd := m.form.update(msg)
	switch res {
	case formCancelled:
		m.form = nil
		m.refresh()
		if m.report == nil && !m.auditing {
			return navigate(screenHome)
		}
	case formSaved:
		return m.start(m.form.request())
	}
	return cmd
}

// back cancels what runs (the audit, then the watch), or goes Home.
func (m *migrateScreen) back() tea.Cmd {
	switch {
	case m.auditing:
		m.cancel()
		m.auditing = false
		if m.report == nil {
			m.form = newMigrateForm(m.c, m.req)
		}
		m.refresh()
		return notify("audit cancelled")
	case m.watching:
		return m.stopWatching()
	}
	return navigate(screenHome)
}

func (m *migrateScreen) checklistKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.selectCheck(m.cursor - 1)
	case key.Matches(msg, k.Down):
		m.selectCheck(m.cursor + 1)
	case key.Matches(msg, k.Top):
		m.selectCheck(0)
	case key.Matches(msg, k.Bottom):
		m.selectCheck(len(m.checks) - 1)
	case key.Matches(msg, k.PageUp):
		m.viewport.PageUp()
	case key.Matches(msg, k.PageDown):
		m.viewport.PageDown()
	case key.Matches(msg, k.Tick):
		return m.toggleTick()
	case key.Matches(msg, k.Observe):
		return m.toggleWatch()
	case key.Matches(msg, k.Export):
		m.exporting, m.lastExport = true, ""
		m.refresh()
	case key.Matches(msg, k.Rerun):
		return m.start(m.req)
	case key.Matches(msg, k.Edit):
		m.form = newMigrateForm(m.c, m.req)
		m.refresh()
	}
	return nil
}

// start runs an audit of req in the background, replacing the one on
// screen when it is done.
func (m *migrateScreen) start(req migrateRequest) tea.Cmd {
	stop := m.stopWatching()
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.req, m.cancel, m.auditing, m.auditID = req, cancel, true, m.c.nextID()
	m.form, m.problem, m.exporting, m.prompt, m.lastExport = nil, nil, false, nil, ""
	m.spinner = m.newSpinner()
	m.refresh()
	audit := auditMigration(ctx, m.auditID, req, m.workDir, m.stateDir, m.c.control, m.ownClientID())
	return tea.Batch(stop, audit, m.spinner.Tick)
}

func (m *migrateScreen) newSpinner() spinner.Model {
	return spinner.New(spinner.WithSpinner(m.c.spinner), spinner.WithStyle(m.c.styles.Running))
}

// audited shows an audit's result; a failed audit reopens the form with
// the problem above it.
func (m *migrateScreen) audited(msg migrateAuditedMsg) tea.Cmd {
	if msg.id != m.auditID || !m.auditing {
		return nil // an audit the user cancelled or replaced
	}
	m.auditing = false
	m.cancel()
	if msg.err != nil {
		m.problem = auditProblem(msg.stage, msg.err, m.workDir)
		m.report, m.checks = nil, nil
		m.form = newMigrateForm(m.c, m.req)
		m.refresh()
		return nil
	}
	m.static, m.live, m.watch, m.observed = msg.static, msg.live, msg.watch, msg.observed
	m.state, m.statePath, m.sightings, m.lastExport = msg.state, msg.statePath, nil, ""
	m.cursor = 0
	m.problem = m.auditWarning(msg.watchErr)
	m.rebuild()
	m.viewport.GotoTop()
	if len(msg.observed) > 0 {
		return m.persist("the emulator's evidence is saved in the checklist")
	}
	return nil
}

// auditProblem explains an audit that could not run.
func auditProblem(stage string, err error, workDir string) *migrateProblem {
	if stage == stageChecklist {
		return &migrateProblem{what: "The audit's checklist could not be read", err: err,
			hint: "Fix or delete the checklist file named above (it keeps the ticks of this app), or start linkexplorer with another --state-dir."}
	}
	where := "the directory linkexplorer was started in"
	if workDir != "" {
		where = workDir
	}
	return &migrateProblem{what: "The source tree could not be read", err: err,
		hint: "Give the app's root directory: an absolute path, ~/…, or a path relative to " + where + "."}
}

// auditWarning is the problem a finished audit still has: an endpoint
// that did not answer, or an emulator that could not be read.
func (m *migrateScreen) auditWarning(watchErr error) *migrateProblem {
	if m.live != nil {
		for _, c := range m.live.Calls {
			if c.HTTPStatus == 0 {
				return &migrateProblem{what: "The token endpoint did not answer", err: errors.New(oneLine(c.Error)),
					hint: "Start the app's backend, check the URL, port and path (e to edit), then press r to audit again."}
			}
		}
	}
	if watchErr != nil {
		return &migrateProblem{what: "No evidence was read from the emulator", err: watchErr, watch: true,
			hint: "The manual checks show no evidence from this run. Press r to audit again, or o to watch the emulator."}
	}
	return nil
}

// rebuild builds the report from the audit's results, the ticks and the
// evidence, keeping the cursor on the same row.
func (m *migrateScreen) rebuild() {
	m.report = audit.BuildReport(audit.Inputs{
		Static: m.static, Live: m.live, Observed: m.observed, State: m.state,
		Src: m.req.src, Endpoint: m.req.endpoint, Emulator: m.emulatorURL(), Now: m.c.now(),
	})
	m.checks = nil
	for _, s := range m.report.Steps {
		m.checks = append(m.checks, s.Checks...)
	}
	m.cursor = max(min(m.cursor, len(m.checks)-1), 0)
	m.lastExport = "" // an export made before no longer matches the report
	m.refresh()
}

func (m *migrateScreen) emulatorURL() string {
	if m.c.control == nil {
		return ""
	}
	return m.c.control.BaseURL
}

// selected is the check under the cursor, or nil.
func (m *migrateScreen) selected() *audit.Check {
	if m.cursor < len(m.checks) {
		return m.checks[m.cursor]
	}
	return nil
}

func (m *migrateScreen) selectCheck(i int) {
	if len(m.checks) == 0 {
		return
	}
	m.cursor = max(min(i, len(m.checks)-1), 0)
	m.refresh()
}

// toggleTick ticks the selected manual check, or unticks it, and saves
// the checklist. Checks that pass or fail on their own are not ticked.
func (m *migrateScreen) toggleTick() tea.Cmd {
	c := m.selected()
	if c == nil {
		return nil
	}
	if !c.Tickable() {
		return func() tea.Msg { return failedMsg{reason: "ticking " + c.ID, err: notTickable(c)} }
	}
	verb := "ticked"
	if c.Ticked {
		verb = "unticked"
		m.state.Untick(c.ID)
	} else if err := m.state.Tick(c.ID, m.c.now()); err != nil {
		return func() tea.Msg { return failedMsg{reason: "ticking " + c.ID, err: err} }
	}
	m.rebuild()
	return m.persist(verb + " " + c.ID)
}

// notTickable says why a check is not ticked.
func notTickable(c *audit.Check) error {
	if c.Status == audit.StatusFail {
		return errors.New("it failed on the evidence: fix what it found and press r to audit again; only manual checks are ticked")
	}
	return errors.New("it passed on the evidence; only manual checks are ticked")
}

// persist saves the checklist, with notice once saved; without a state
// directory the change holds until linkexplorer quits.
func (m *migrateScreen) persist(notice string) tea.Cmd {
	if m.statePath == "" {
		return notify(notice + " (not saved: there is no state directory)")
	}
	return saveChecklist(m.statePath, m.state, notice)
}

func (m *migrateScreen) saved(msg checklistSavedMsg) tea.Cmd {
	if msg.err != nil {
		m.problem = &migrateProblem{what: "The checklist was not saved", err: msg.err,
			hint: "Check that the state directory is writable (--state-dir). The ticks hold until linkexplorer quits."}
		m.refresh()
		return nil
	}
	return notify(msg.notice + ": saved in " + msg.path)
}

// toggleWatch starts or stops watching the emulator for the manual
// checks' evidence.
func (m *migrateScreen) toggleWatch() tea.Cmd {
	switch {
	case m.watching:
		return m.stopWatching()
	case m.c.control == nil || m.watch == nil:
		return func() tea.Msg { return failedMsg{reason: "watching the emulator", err: errWatchNeedsEmulator} }
	}
	m.watchCtx, m.watchCancel = context.WithCancel(context.Background())
	m.watchID, m.watching, m.sightings = m.c.nextID(), true, nil
	m.spinner = m.newSpinner()
	m.refresh()
	return tea.Batch(pollEmulator(m.watchCtx, m.watchID, m.watch, 0), m.spinner.Tick)
}

// stopWatching ends the watch, if one runs, with a notice of what it found.
func (m *migrateScreen) stopWatching() tea.Cmd {
	if !m.watching {
		return nil
	}
	m.watchCancel()
	m.watching = false
	m.refresh()
	return notify(fmt.Sprintf("stopped watching the emulator: evidence for %d of %d manual checks", m.evidenced(), len(watchedChecks)))
}

// evidenced counts the watched checks with evidence.
func (m *migrateScreen) evidenced() int {
	n := 0
	for _, id := range watchedChecks {
		if len(m.observed[id]) > 0 {
			n++
		}
	}
	return n
}

// polled shows what the emulator saw, updates the checklist with new
// evidence, and polls again until every watched check has evidence.
func (m *migrateScreen) polled(msg emulatorPolledMsg) tea.Cmd {
	if msg.id != m.watchID || !m.watching {
		return nil
	}
	m.sightings = append(m.sightings, msg.seen...)
	m.sightings = m.sightings[max(len(m.sightings)-maxSightings, 0):]
	if msg.err != nil {
		m.watchCancel()
		m.watching = false
		m.problem = &migrateProblem{what: "Watching the emulator stopped", err: msg.err, watch: true,
			hint: "Check that linkexplorer's emulator still runs, then press o to watch again."}
		m.refresh()
		return nil
	}
	if m.problem != nil && m.problem.watch {
		m.problem = nil // the emulator answers again
	}
	var cmds []tea.Cmd
	if news := newlyEvidenced(m.observed, msg.evidence); len(news) > 0 {
		m.observed = msg.evidence
		m.rebuild()
		cmds = append(cmds, m.persist("the emulator saw "+strings.Join(news, ", ")+" done: confirm it in the app, then tick it"))
	}
	if m.evidenced() == len(watchedChecks) {
		return tea.Batch(append(cmds, m.stopWatching())...)
	}
	m.refresh()
	return tea.Batch(append(cmds, pollEmulator(m.watchCtx, m.watchID, m.watch, m.watchEvery))...)
}

// newlyEvidenced lists the watched checks whose evidence is new in next.
func newlyEvidenced(prev, next map[string][]audit.Evidence) []string {
	var out []string
	for _, id := range watchedChecks {
		if len(next[id]) > 0 && !slices.Equal(evidenceKeys(prev[id]), evidenceKeys(next[id])) {
			out = append(out, id)
		}
	}
	return out
}

func evidenceKeys(ev []audit.Evidence) []string {
	out := make([]string, 0, len(ev))
	for _, e := range ev {
		out = append(out, e.RequestID+"/"+e.LinkSessionID)
	}
	return out
}

func (m *migrateScreen) exportKey(msg tea.KeyMsg) tea.Cmd {
	k := m.exportKeys
	m.exporting = false
	m.refresh()
	switch {
	case key.Matches(msg, k.Markdown):
		m.format = audit.FormatMarkdown
	case key.Matches(msg, k.JSON):
		m.format = audit.FormatJSON
	default:
		return nil
	}
	name := map[audit.Format]string{audit.FormatMarkdown: "Markdown", audit.FormatJSON: "JSON"}[m.format]
	m.prompt = newExportPrompt(m.c, "the report as "+name, m.width)
	m.refresh()
	return nil
}

// promptKey handles a key while the export's directory is asked for.
func (m *migrateScreen) promptKey(msg tea.KeyMsg) tea.Cmd {
	dir, done, cmd := m.prompt.update(msg, m.exportKeys.Cancel)
	if !done {
		m.refresh()
		return cmd
	}
	m.prompt = nil
	m.refresh()
	if key.Matches(msg, m.exportKeys.Cancel) {
		return nil
	}
	return exportMigrationReport(m.report, dir, m.format, m.c.now())
}

// ShortHelp lists the keys that work now.
func (m *migrateScreen) ShortHelp() []key.Binding {
	k := m.keys
	back := m.c.keys.Global.Back
	switch {
	case m.form != nil:
		return m.form.ShortHelp()
	case m.exporting:
		e := m.exportKeys
		return []key.Binding{e.Markdown, e.JSON, e.Cancel}
	case m.prompt != nil:
		return m.prompt.keys(m.exportKeys.Cancel)
	case m.problem != nil && m.report == nil:
		back.SetHelp("esc", "dismiss")
		return []key.Binding{back}
	case m.auditing:
		back.SetHelp("esc", "cancel the audit")
		return []key.Binding{back}
	case m.report == nil:
		return nil
	}
	out := []key.Binding{k.Up, k.Down}
	if c := m.selected(); c != nil && c.Tickable() {
		tick := k.Tick
		tick.SetHelp("space", "tick")
		if c.Ticked {
			tick.SetHelp("space", "untick")
		}
		out = append(out, tick)
	}
	if m.c.emulated() {
		watch := k.Observe
		watch.SetHelp("o", "watch")
		if m.watching {
			watch.SetHelp("o", "stop watching")
		}
		out = append(out, watch)
	}
	return append(out, k.Export, k.Rerun)
}

// FullHelp lists every key of the screen.
func (m *migrateScreen) FullHelp() [][]key.Binding {
	k, e := m.keys, m.exportKeys
	back := m.c.keys.Global.Back
	back.SetHelp("esc", "dismiss / cancel / Home")
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Tick, k.Observe, k.Rerun, k.Edit, back},
		{k.Export, e.Markdown, e.JSON},
	}
}

// ownClientID is linkexplorer's own client_id, whose requests the watch
// leaves out.
func (m *migrateScreen) ownClientID() string {
	if m.c.env == nil {
		return ""
	}
	return m.c.env.Config.ClientID
}
