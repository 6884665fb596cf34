package tui

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/audit"
	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/flows"
)

// fixtureApps is the folder of the migration audit's fixture apps.
func fixtureApps(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../audit/testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// migrateApp is a 100×30 test app whose Migration screen starts in the
// fixture apps' folder, keeps checklists in a temporary state directory
// and exports to a temporary directory.
func migrateApp(t *testing.T) *app {
	t.Helper()
	return sized(Options{WorkDir: fixtureApps(t), StateDir: t.TempDir(), ExportDir: t.TempDir()})
}

// runAudit runs an audit of req on a's Migration screen to its end, as the
// program would: the command runs, its message comes back.
func runAudit(t *testing.T, a *app, req migrateRequest) {
	t.Helper()
	a.Update(navigatedMsg{to: screenMigrate})
	a.Update(exec[migrateAuditedMsg](t, a.migrate.start(req)))
	if a.migrate.auditing {
		t.Fatal("the audit is still running after its result came")
	}
}

// selectCheck moves the cursor onto the check id with the keys.
func selectCheck(t *testing.T, a *app, id string) *audit.Check {
	t.Helper()
	press(a, "g")
	for range a.migrate.checks {
		if c := a.migrate.selected(); c.ID == id {
			return c
		}
		press(a, "j")
	}
	t.Fatalf("no check %s on the screen", id)
	return nil
}

func checkIDs(checks []*audit.Check) []string {
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestGoldenMigrate(t *testing.T) {
	a := newTestApp(Options{WorkDir: fixtureApps(t), StateDir: t.TempDir()})
	s := startScreen(t, a, 100, 30).send(navigatedMsg{to: screenMigrate}).waitFor("source directory")
	s.send(tea.KeyMsg{Type: tea.KeyCtrlU}, keyMsg("half-migrated"), keyMsg("enter")).
		waitFor("STEP 2", "public/index.html:22", "1 pass · 4 fail · 4 manual").compare()
}

// TestMigrateFormTypedDir types a source directory into the form in a
// test terminal and waits for the checklist.
func TestMigrateFormTypedDir(t *testing.T) {
	a := newTestApp(Options{StateDir: t.TempDir()})
	s := startScreen(t, a, 100, 30).send(navigatedMsg{to: screenMigrate}).waitFor("source directory", "token endpoint")
	s.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	s.tm.Type("../audit/testdata/migrated")
	s.send(keyMsg("enter")).waitFor("STEP 2", "5 pass · 0 fail · 4 manual", "Migration audit · ../audit/testdata/migrated")
	m := s.final().(*app).migrate
	if m.report == nil || m.report.Src != "../audit/testdata/migrated" {
		t.Fatalf("the report is not of the typed directory: %+v", m.report)
	}
	if c, ok := m.report.Check("static.link-config"); !ok || c.Status != audit.StatusPass {
		t.Errorf("the migrated app's Link config check is %+v, want a pass", c)
	}
}

func TestMigrateHomeOpensTheForm(t *testing.T) {
	a := migrateApp(t)
	nav := exec[navigatedMsg](t, press(a, "G", "enter"))
	if nav.to != screenMigrate {
		t.Fatalf("enter on Home's last row navigates to %v, want the Migration screen", nav.to)
	}
	a.Update(nav)
	if a.migrate.form == nil || a.migrate.form.request().src != fixtureApps(t) {
		t.Fatalf("the form does not open on the working directory: %+v", a.migrate.form)
	}
	if !strings.Contains(plain(a.View()), "[Migration]") {
		t.Errorf("the header has no Migration tab:\n%s", plain(a.View()))
	}
	if nav := exec[navigatedMsg](t, press(a, "esc")); nav.to != screenHome {
		t.Errorf("esc on the form with no report navigates to %v, want Home", nav.to)
	}
	a.Update(navigatedMsg{to: screenLog}) // the Migration screen keeps its tab once opened
	if press(a, "tab"); a.active != screenMigrate {
		t.Errorf("tab from the Log goes to %v, want the Migration screen", a.active)
	}
}

func TestMigrateNavigatesBetweenChecks(t *testing.T) {
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	m := a.migrate
	want := []string{"static.link-token-route", "static.link-config", "static.invalid-link-token", "static.update-mode",
		audit.ManualUserGood, audit.ManualInvalidToken, audit.ManualUpdateMode, "static.server-public-key", audit.ManualDashboardKeys}
	if got := checkIDs(m.checks); !slices.Equal(got, want) {
		t.Fatalf("checks in order %v, want %v", got, want)
	}
	for i, k := range []string{"j", "j", "k", "down", "up", "up"} {
		press(a, k)
		if wantC := []int{1, 2, 1, 2, 1, 0}[i]; m.cursor != wantC {
			t.Fatalf("after %s the cursor is on %d, want %d", k, m.cursor, wantC)
		}
	}
	press(a, "k")
	if m.cursor != 0 {
		t.Errorf("up on the first check moved to %d", m.cursor)
	}
	press(a, "G")
	if c := m.selected(); c.ID != audit.ManualDashboardKeys {
		t.Fatalf("G selects %s, want the last check", c.ID)
	}
	b := m.blocks[m.cursor]
	if m.viewport.YOffset == 0 || b.from < m.viewport.YOffset || b.to > m.viewport.YOffset+m.viewport.Height {
		t.Errorf("the last check (lines %d-%d) is not in view (offset %d, height %d)", b.from, b.to, m.viewport.YOffset, m.viewport.Height)
	}
	if !strings.Contains(plain(a.View()), "▸ ○ MANUAL  The public_key is disabled in the Dashboard") {
		t.Errorf("the selected check is not pointed at:\n%s", plain(a.View()))
	}
	if !strings.Contains(plain(a.View()), "space ticks it once you have confirmed it.") {
		t.Errorf("the selected manual check does not say how to tick it:\n%s", plain(a.View()))
	}
	press(a, "g")
	if m.cursor != 0 || m.viewport.YOffset != 0 {
		t.Errorf("g: cursor %d, offset %d; want the top", m.cursor, m.viewport.YOffset)
	}
	a.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.viewport.YOffset != 3 {
		t.Errorf("the mouse wheel scrolled to %d, want 3", m.viewport.YOffset)
	}
}

func TestMigrateTickPersists(t *testing.T) {
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	m := a.migrate
	selectCheck(t, a, audit.ManualInvalidToken)
	before := m.report.Summary
	saved := exec[checklistSavedMsg](t, press(a, " "))
	if saved.err != nil {
		t.Fatal(saved.err)
	}
	_, cmd := a.Update(saved)
	a.Update(exec[notifiedMsg](t, cmd))
	c, _ := m.report.Check(audit.ManualInvalidToken)
	if !c.Ticked || c.Status != audit.StatusPass || m.selected().ID != audit.ManualInvalidToken {
		t.Fatalf("after space the check is %+v (selected %s)", c, m.selected().ID)
	}
	if s := m.report.Summary; s.Pass != before.Pass+1 || s.Manual != before.Manual-1 {
		t.Errorf("summary %+v after a tick, was %+v", s, before)
	}
	if !strings.Contains(a.status, "ticked "+audit.ManualInvalidToken) || !strings.Contains(a.status, saved.path) {
		t.Errorf("the notice %q does not say what was saved where", a.status)
	}
	st, err := audit.LoadState(saved.path)
	if err != nil || !st.Ticked(audit.ManualInvalidToken) {
		t.Fatalf("the checklist file does not hold the tick: %+v, %v", st, err)
	}
	if info, err := os.Stat(saved.path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the checklist file's mode is %v (%v), want 0600", info.Mode().Perm(), err)
	}

	// A new app on the same state directory finds the tick again.
	again := sized(Options{WorkDir: fixtureApps(t), StateDir: a.migrate.stateDir})
	runAudit(t, again, migrateRequest{src: "half-migrated"})
	if c, _ := again.migrate.report.Check(audit.ManualInvalidToken); !c.Ticked {
		t.Errorf("the tick was not reloaded: %+v", c)
	}
	// The migrated app has its own checklist.
	runAudit(t, again, migrateRequest{src: "migrated"})
	if c, _ := again.migrate.report.Check(audit.ManualInvalidToken); c.Ticked {
		t.Error("a tick of one app shows on another")
	}

	// space again unticks.
	selectCheck(t, a, audit.ManualInvalidToken)
	a.Update(exec[checklistSavedMsg](t, press(a, "t")))
	if st, _ := audit.LoadState(saved.path); st.Ticked(audit.ManualInvalidToken) {
		t.Error("untick was not saved")
	}
}

func TestMigrateTickRefusedOnChecksThatAreNotManual(t *testing.T) {
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	m := a.migrate
	for _, id := range []string{"static.link-config", "static.link-token-route"} {
		c := selectCheck(t, a, id)
		failed := exec[failedMsg](t, press(a, " "))
		if !strings.Contains(failed.Error(), id) || !strings.Contains(failed.Error(), "only manual checks are ticked") {
			t.Errorf("the refusal says %q", failed.Error())
		}
		if after, _ := m.report.Check(id); after.Status != c.Status || after.Ticked || m.state.Ticked(id) {
			t.Errorf("%s changed: %+v", id, after)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(m.stateDir, checklistDir)); len(entries) != 0 {
		t.Errorf("a refused tick wrote a checklist: %v", entries)
	}
}

func TestMigrateExports(t *testing.T) {
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	m := a.migrate

	press(a, "x")
	if !m.capturesInput() || !strings.Contains(plain(a.View()), "m Markdown · j JSON") {
		t.Fatal("x does not ask for a format")
	}
	exported := exec[reportExportedMsg](t, press(a, "j", "enter"))
	a.Update(exported)
	if filepath.Dir(exported.path) != a.c.exportDir || !strings.HasSuffix(exported.path, ".json") {
		t.Errorf("exported to %s, want a .json file in %s", exported.path, a.c.exportDir)
	}
	if !strings.Contains(plain(a.View()), "exported to "+exported.path) {
		t.Errorf("the path is not shown:\n%s", plain(a.View()))
	}
	data, err := os.ReadFile(exported.path)
	if err != nil {
		t.Fatal(err)
	}
	var r audit.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("the JSON export does not parse: %v", err)
	}
	var got []*audit.Check
	for _, s := range r.Steps {
		got = append(got, s.Checks...)
	}
	if !slices.Equal(checkIDs(got), checkIDs(m.checks)) || r.Summary != m.report.Summary {
		t.Errorf("the JSON export has checks %v and summary %+v, want %v and %+v", checkIDs(got), r.Summary, checkIDs(m.checks), m.report.Summary)
	}

	press(a, "x")
	md := exec[reportExportedMsg](t, press(a, "m", "enter"))
	if md.path == exported.path || !strings.HasSuffix(md.path, ".md") {
		t.Fatalf("the Markdown export went to %s", md.path)
	}
	text, err := os.ReadFile(md.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.checks {
		if !bytes.Contains(text, []byte(c.ID)) || !bytes.Contains(text, []byte(c.Title)) {
			t.Errorf("the Markdown export lacks %s (%s)", c.ID, c.Title)
		}
	}
	if info, err := os.Stat(md.path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the export's mode is %v (%v), want 0600", info.Mode().Perm(), err)
	}

	press(a, "x")
	if cmd := press(a, "esc"); cmd != nil || m.capturesInput() {
		t.Error("esc does not cancel the export prompt")
	}
	press(a, "x", "m")
	if cmd := press(a, "esc"); cmd != nil || m.capturesInput() {
		t.Error("esc does not cancel the directory prompt")
	}
}

func TestMigrateUnreadableDirIsExplained(t *testing.T) {
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{src: "no-such-app"})
	m := a.migrate
	if m.problem == nil || m.form == nil || m.report != nil {
		t.Fatalf("problem %+v, form %v, report %v: want the problem over the form", m.problem, m.form != nil, m.report != nil)
	}
	view := strings.Join(strings.Fields(plain(a.View())), " ")
	for _, want := range []string{"The source tree could not be read", "no-such-app", "What to do: Give the app's root directory", "esc dismisses"} {
		if !strings.Contains(view, want) {
			t.Errorf("the screen lacks %q:\n%s", want, plain(a.View()))
		}
	}
	if got := m.form.request().src; got != "no-such-app" {
		t.Errorf("the form lost the typed path: %q", got)
	}
	press(a, "esc")
	if m.problem != nil || m.form == nil {
		t.Error("esc does not dismiss the problem, keeping the form")
	}
}

func TestMigrateFormRefusesBadInput(t *testing.T) {
	a := migrateApp(t)
	a.Update(navigatedMsg{to: screenMigrate})
	a.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	if cmd := press(a, "enter"); cmd != nil || a.migrate.auditing {
		t.Fatal("an empty form started an audit")
	}
	press(a, "tab", "localhost:8000/token", "enter")
	if a.migrate.auditing || !strings.Contains(a.migrate.form.err, "absolute http(s) URL") {
		t.Errorf("a bad endpoint: auditing %v, error %q", a.migrate.auditing, a.migrate.form.err)
	}
}

func TestMigrateEndpointDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL + "/api/create_link_token"
	srv.Close()
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{endpoint: endpoint})
	m := a.migrate
	if c, ok := m.report.Check("live.token-endpoint"); !ok || c.Status != audit.StatusFail {
		t.Fatalf("the endpoint check is %+v, want a failure", c)
	}
	view := strings.Join(strings.Fields(plain(a.View())), " ")
	for _, want := range []string{"The token endpoint did not answer", "connection refused", "What to do: Start the app's backend"} {
		if !strings.Contains(view, want) {
			t.Errorf("the screen lacks %q:\n%s", want, plain(a.View()))
		}
	}
	content, _ := m.checklistContent(100)
	if want := "CALLS TO THE APP\n  POST " + endpoint + " → no answer"; !strings.Contains(plain(content), want) {
		t.Errorf("the checklist lacks %q:\n%s", want, plain(content))
	}
	press(a, "esc")
	if m.problem != nil || m.report == nil {
		t.Error("esc does not dismiss the problem over the checklist")
	}
}

func TestMigrateEscCancelsTheAudit(t *testing.T) {
	a := migrateApp(t)
	a.Update(navigatedMsg{to: screenMigrate})
	cmd := press(a, "enter")
	if !a.migrate.auditing || !strings.Contains(plain(a.View()), "esc cancels the audit") {
		t.Fatal("enter does not start the audit with its progress shown")
	}
	press(a, "esc")
	if a.migrate.auditing || a.migrate.form == nil {
		t.Fatal("esc does not cancel the audit back to the form")
	}
	a.Update(exec[migrateAuditedMsg](t, cmd)) // the cancelled audit's result arrives late
	if a.migrate.report != nil {
		t.Error("a cancelled audit's result was shown")
	}
}

func TestMigrateWatchNeedsTheEmulator(t *testing.T) {
	a := migrateApp(t)
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	if failed := exec[failedMsg](t, press(a, "o")); !strings.Contains(failed.Error(), "--mode emulated") {
		t.Errorf("o against Plaid says %q", failed.Error())
	}
}

// emulatorCall posts a JSON body to the emulator and decodes the answer.
func emulatorCall(t *testing.T, base, path string, body map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d, %v, %v", path, resp.StatusCode, out, err)
	}
	return out
}

// linkNewItem does what a person does for the user_good check, as an
// app and its Link page would: a link_token, Link with user_good, and the
// exchange. It returns the link_session_id and the exchange's request_id.
func linkNewItem(t *testing.T, base string) (string, string) {
	t.Helper()
	keys := map[string]any{"client_id": "acme-client", "secret": "acme-secret-0123456789"}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range keys {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tok := emulatorCall(t, base, "/link/token/create", with(map[string]any{"client_name": "Acme", "language": "en",
		"country_codes": []string{"US"}, "products": []string{"transactions"}, "user": map[string]any{"client_user_id": "u-1"}}))
	sess := emulatorCall(t, base, "/__link/session", map[string]any{"link_token": tok["link_token"]})
	id := sess["link_session_id"]
	emulatorCall(t, base, "/__link/institution", map[string]any{"link_session_id": id, "institution_id": "ins_109508"})
	login := emulatorCall(t, base, "/__link/credentials", map[string]any{"link_session_id": id, "username": "user_good", "password": "pass_good"})
	account := login["accounts"].([]any)[0].(map[string]any)["id"]
	done := emulatorCall(t, base, "/__link/accounts", map[string]any{"link_session_id": id, "account_ids": []any{account}})
	ex := emulatorCall(t, base, "/item/public_token/exchange", with(map[string]any{"public_token": done["public_token"]}))
	return id.(string), ex["request_id"].(string)
}

// TestMigrateWatchesTheEmulator watches the real emulator while a new
// Item is linked: the sightings show, the user_good check gets its
// evidence, saved in the checklist, and o stops the watch.
func TestMigrateWatchesTheEmulator(t *testing.T) {
	srv := emulatortest.Start(t)
	a := migrateApp(t)
	a.c.control = &flows.Control{BaseURL: srv.URL}
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	m := a.migrate

	polled := exec[emulatorPolledMsg](t, press(a, "o"))
	if !m.watching || !strings.Contains(plain(a.View()), "Watching the emulator at "+srv.URL) {
		t.Fatal("o does not start watching")
	}
	a.Update(polled)
	if !strings.Contains(plain(a.View()), "nothing new yet") {
		t.Errorf("an idle emulator shows sightings:\n%s", plain(a.View()))
	}

	lsid, rid := linkNewItem(t, srv.URL)
	// A poll as the re-armed command makes it, without its wait.
	_, save := a.Update(exec[emulatorPolledMsg](t, pollEmulator(m.watchCtx, m.watchID, m.watch, 0)))
	view := plain(a.View())
	if !strings.Contains(view, "POST /item/public_token/exchange → 200") || !strings.Contains(view, "request_id "+rid) {
		t.Errorf("the sightings are not shown:\n%s", view)
	}
	c, _ := m.report.Check(audit.ManualUserGood)
	if got := evidenceKeys(c.Evidence); !slices.Equal(got, []string{"/" + lsid, rid + "/"}) {
		t.Errorf("user_good evidence %v, want Link session %s and exchange %s", got, lsid, rid)
	}
	_, notice := a.Update(exec[checklistSavedMsg](t, save))
	a.Update(exec[notifiedMsg](t, notice))
	st, err := audit.LoadState(m.statePath)
	if err != nil || !slices.Equal(evidenceKeys(st.Evidence[audit.ManualUserGood]), evidenceKeys(c.Evidence)) {
		t.Errorf("the checklist file holds %+v (%v), want the user_good evidence", st, err)
	}
	if !strings.Contains(a.status, audit.ManualUserGood) {
		t.Errorf("the notice %q does not name the check seen done", a.status)
	}

	press(a, "o")
	if m.watching {
		t.Fatal("o does not stop the watch")
	}
	late := emulatorPolledMsg{id: m.watchID, seen: []audit.Sighting{{What: "late"}}}
	if a.Update(late); len(m.sightings) == 0 || m.sightings[len(m.sightings)-1].What == "late" {
		t.Error("a poll after the watch stopped was taken")
	}
}

// TestMigrateSendsBodyAndHeader: the form's body and header reach the app's
// endpoint, as an app that needs a session cookie or a user id requires.
func TestMigrateSendsBodyAndHeader(t *testing.T) {
	type seen struct{ body, cookie, ctype string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- seen{string(b), r.Header.Get("Cookie"), r.Header.Get("Content-Type")}:
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"link_token":"link-sandbox-00000000-0000-4000-8000-000000000000","expiration":"2030-01-01T00:00:00Z"}`)
	}))
	defer srv.Close()
	a := migrateApp(t)
	a.Update(navigatedMsg{to: screenMigrate})
	a.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	press(a, "tab", srv.URL+"/api/create_link_token", "tab", `{"user_id":"u1"}`, "tab", "Cookie: session=abc")
	req := a.migrate.form.request()
	if err := req.check(); err != nil {
		t.Fatalf("the form refuses a good request: %v", err)
	}
	runAudit(t, a, req)
	select {
	case s := <-got:
		if s.body != `{"user_id":"u1"}` || s.cookie != "session=abc" || s.ctype != "application/json" {
			t.Errorf("the endpoint got body %q, Cookie %q, Content-Type %q", s.body, s.cookie, s.ctype)
		}
	default:
		t.Fatal("the endpoint was not called")
	}
	if c, ok := a.migrate.report.Check("live.token-endpoint"); !ok || c.Status != audit.StatusPass {
		t.Errorf("the endpoint check is %+v", c)
	}
}

func TestMigrateFormRefusesBadBodyAndHeader(t *testing.T) {
	for _, tc := range []struct {
		req  migrateRequest
		want string
	}{
		{migrateRequest{endpoint: "http://localhost:8000/t", body: "{user_id: u1}"}, "must be JSON"},
		{migrateRequest{endpoint: "http://localhost:8000/t", header: "session=abc"}, `must be "Name: value"`},
		{migrateRequest{src: ".", body: `{}`}, "give the endpoint too"},
	} {
		if err := tc.req.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.req, err, tc.want)
		}
	}
}

// TestStaleMessagesGoAway (issue 12 item 20): a watch error goes once a
// watch reads the emulator again, and "exported to …" goes at the next key
// on the Migration screen and the log.
func TestStaleMessagesGoAway(t *testing.T) {
	srv := emulatortest.Start(t)
	a := migrateApp(t)
	a.c.control = &flows.Control{BaseURL: srv.URL}
	runAudit(t, a, migrateRequest{src: "half-migrated"})
	m := a.migrate

	// A watch whose poll fails shows the error…
	polled := exec[emulatorPolledMsg](t, press(a, "o"))
	a.Update(emulatorPolledMsg{id: polled.id, err: errors.New("connection refused")})
	if !strings.Contains(plain(a.View()), "Watching the emulator stopped") {
		t.Fatalf("the watch error is not shown:\n%s", plain(a.View()))
	}
	// …until o watches again and the emulator answers.
	polled = exec[emulatorPolledMsg](t, press(a, "o"))
	if polled.err != nil {
		t.Fatalf("the emulator did not answer: %v", polled.err)
	}
	a.Update(polled)
	if v := plain(a.View()); strings.Contains(v, "Watching the emulator stopped") || strings.Contains(v, "connection refused") {
		t.Errorf("the old watch error stays while the watch works:\n%s", v)
	}
	press(a, "o") // stop

	m.lastExport = "/tmp/report.md"
	m.refresh()
	if !strings.Contains(plain(a.View()), "exported to /tmp/report.md") {
		t.Fatalf("the export path is not shown:\n%s", plain(a.View()))
	}
	press(a, "down")
	if strings.Contains(plain(a.View()), "exported to") {
		t.Errorf("the export path stays after the next key:\n%s", plain(a.View()))
	}
}

func TestLogExportPathGoesAtTheNextKey(t *testing.T) {
	dir := t.TempDir()
	a := sized(Options{Env: &flows.Env{Store: logFixture(t)}, ExportDir: dir})
	settle(t, a, a.navigate(screenLog))
	press(a, "x", "j") // JSON, then the directory prompt (ExportDir)
	a.Update(exec[exportedMsg](t, press(a, "enter")))
	if !strings.Contains(plain(a.View()), "exported to ") {
		t.Fatalf("the export path is not shown:\n%s", plain(a.View()))
	}
	press(a, "down")
	if v := plain(a.View()); strings.Contains(v, "exported to ") || strings.Contains(v, "exported the session log") {
		t.Errorf("the export path stays after the next key:\n%s", v)
	}
}
