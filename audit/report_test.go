package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

func stepStatuses(r *Report) []Status {
	var out []Status
	for _, s := range r.Steps {
		out = append(out, s.Status)
	}
	return out
}

func TestStaticChecksOfTheFixtures(t *testing.T) {
	cases := map[string]map[string]Status{
		"legacy": {
			"static.link-token-route": StatusFail, "static.link-config": StatusFail, "static.invalid-link-token": StatusFail,
			"static.update-mode": StatusFail, "static.server-public-key": StatusFail,
		},
		"migrated": {
			"static.link-token-route": StatusPass, "static.link-config": StatusPass, "static.invalid-link-token": StatusPass,
			"static.update-mode": StatusPass, "static.server-public-key": StatusPass,
		},
		"half-migrated": {
			"static.link-token-route": StatusPass, "static.link-config": StatusFail, "static.invalid-link-token": StatusFail,
			"static.update-mode": StatusFail, "static.server-public-key": StatusFail,
		},
	}
	for dir, want := range cases {
		t.Run(dir, func(t *testing.T) {
			checks := checksByID(staticChecks(scan(t, filepath.Join("testdata", dir))))
			wantStatus(t, checks, want)
			for _, c := range checks {
				if c.Status == StatusFail && (c.Recommendation == "" || len(c.Evidence) == 0) {
					t.Errorf("%s fails without a recommendation or evidence", c.ID)
				}
			}
		})
	}
	empty := staticChecks(scan(t, t.TempDir()))
	for _, c := range empty {
		if c.Status != StatusManual {
			t.Errorf("%s on an empty tree = %s, want manual", c.ID, c.Status)
		}
	}
}

func TestBuildReportTicksAndStatuses(t *testing.T) {
	static := scan(t, filepath.Join("testdata", "migrated"))
	state := &State{}
	r := BuildReport(Inputs{Static: static, State: state, Now: testNow, Src: "testdata/migrated"})
	// Steps 1-3 and 5 pass from the source; 4 and 6 wait for a person.
	want := []Status{StatusPass, StatusPass, StatusPass, StatusManual, StatusPass, StatusManual}
	if got := stepStatuses(r); !equalStatuses(got, want) {
		t.Errorf("steps = %v, want %v", got, want)
	}
	if r.Failed() || r.Summary.Result != StatusManual || r.Summary.Manual != 4 || r.Summary.Pass != 5 {
		t.Errorf("summary = %+v", r.Summary)
	}

	for _, id := range []string{ManualUserGood, ManualInvalidToken, ManualUpdateMode, ManualDashboardKeys} {
		if err := state.Tick(id, testNow); err != nil {
			t.Fatal(err)
		}
	}
	r = BuildReport(Inputs{Static: static, State: state, Now: testNow})
	if got := stepStatuses(r); !equalStatuses(got, []Status{StatusPass, StatusPass, StatusPass, StatusPass, StatusPass, StatusPass}) {
		t.Errorf("all ticked: steps = %v", got)
	}
	c, _ := r.Check(ManualInvalidToken)
	if !c.Ticked || c.Status != StatusPass || !c.Tickable() || !strings.Contains(c.Detail, "2025-03-04") {
		t.Errorf("ticked check = %+v", c)
	}

	// A tick never turns a failure into a pass.
	if err := state.Tick("static.link-config", testNow); err != nil {
		t.Fatal(err)
	}
	r = BuildReport(Inputs{Static: scan(t, filepath.Join("testdata", "legacy")), State: state, Now: testNow})
	if c, _ := r.Check("static.link-config"); c.Status != StatusFail || c.Ticked || c.Tickable() {
		t.Errorf("ticked failing check = %+v", c)
	}
	if !r.Failed() || r.Summary.Result != StatusFail {
		t.Errorf("legacy summary = %+v", r.Summary)
	}
}

func equalStatuses(a, b []Status) bool {
	return strings.Join(statusStrings(a), ",") == strings.Join(statusStrings(b), ",")
}

func statusStrings(list []Status) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}

func TestObservedEvidenceIsKept(t *testing.T) {
	state := &State{}
	ev := []Evidence{
		{Kind: "request", RequestID: "req1aaaaaaaaaaa", Path: "/link/token/create", HTTPStatus: 200, Note: "link_token #1"},
		{Kind: "link_session", LinkSessionID: "3f0c8a52-0000-4000-8000-000000000001", Note: "Link met INVALID_LINK_TOKEN"},
	}
	r := BuildReport(Inputs{Observed: map[string][]Evidence{ManualInvalidToken: ev}, State: state, Emulator: "http://127.0.0.1:7878", Now: testNow})
	c, _ := r.Check(ManualInvalidToken)
	if c.Status != StatusManual || len(c.Evidence) != 2 || !strings.Contains(c.Detail, "req1aaaaaaaaaaa") {
		t.Errorf("observed check = %+v", c)
	}
	// A later run with nothing observed still shows the evidence.
	r = BuildReport(Inputs{State: state, Now: testNow})
	if c, _ := r.Check(ManualInvalidToken); len(c.Evidence) != 2 {
		t.Errorf("evidence not kept in the state: %+v", c)
	}
	if c, _ := r.Check(ManualUpdateMode); len(c.Evidence) != 0 || !strings.Contains(c.Detail, "--emulator") {
		t.Errorf("unobserved check = %+v", c)
	}
}

// fullReport is a report with every kind of check: the legacy static
// audit, a failing live audit and observed manual evidence.
func fullReport(t *testing.T) *Report {
	t.Helper()
	live := &LiveResult{
		Calls: []EndpointCall{{Method: "POST", URL: "http://localhost:8000/api/create_link_token", HTTPStatus: 500, DurationMS: 12.5, BodyShape: `{"error": {…}}`}},
		Checks: []*Check{
			newCheck("live.token-endpoint", 1, KindLive, "The token endpoint returns a link_token").
				with(Evidence{Kind: "http", Path: "POST http://localhost:8000/api/create_link_token", HTTPStatus: 500}).
				fail("Remove balance from the products.", "HTTP 500 after 12 ms"),
			newCheck("live.products", 1, KindLive, "products are valid").
				with(Evidence{Kind: "request", RequestID: "Zq3xY7Lw0pQ2a9B", Seq: 4, Path: "/link/token/create", HTTPStatus: 400}).
				fail("Send products from Plaid's list.", "products has balance"),
		},
	}
	observed := map[string][]Evidence{ManualInvalidToken: {
		{Kind: "link_session", LinkSessionID: "9b2f0c1e-5d4a-4e1b-8c3d-2a1f0e9d8c7b", Note: "Link met INVALID_LINK_TOKEN"},
		{Kind: "request", RequestID: "Hk4mN8pQ2rT6vX0", Path: "/link/token/create", HTTPStatus: 200, Note: "link_token #2"},
	}}
	return BuildReport(Inputs{
		Static: scan(t, filepath.Join("testdata", "legacy")), Live: live, Observed: observed, State: &State{},
		Src: "testdata/legacy", Endpoint: "http://localhost:8000/api/create_link_token", Emulator: "http://127.0.0.1:7878", Now: testNow,
	})
}

func TestMarkdownReport(t *testing.T) {
	r := fullReport(t)
	var b bytes.Buffer
	if err := r.Write(&b, FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, s := range r.Steps {
		if !strings.Contains(md, s.Title) {
			t.Errorf("step %d's title is missing", s.N)
		}
		for _, c := range s.Checks {
			if !strings.Contains(md, "`"+c.ID+"`") || !strings.Contains(md, c.Title) {
				t.Errorf("check %s is missing", c.ID)
			}
			for _, e := range c.Evidence {
				id := e.RequestID + e.LinkSessionID
				if e.Kind == "file" {
					id = e.File + ":" + strconv.Itoa(e.Line)
				}
				if id != "" && !strings.Contains(md, "`"+id+"`") {
					t.Errorf("evidence %s of %s is missing", id, c.ID)
				}
			}
			if c.Status == StatusFail && !strings.Contains(md, "Recommendation: "+oneLine(c.Recommendation)) {
				t.Errorf("the recommendation of failed %s is missing", c.ID)
			}
		}
	}
	// Each finding once: no line of evidence repeats.
	seen := map[string]bool{}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "  - `") && !strings.HasSuffix(line, "see above") {
			if seen[line] {
				t.Errorf("evidence repeated: %s", line)
			}
			seen[line] = true
		}
	}
	for _, want := range []string{
		"**Result: FAIL**", "- [ ] **MANUAL** The app recovers from INVALID_LINK_TOKEN",
		"- `server.js:42`: update mode starts from", "## Coverage", "`POST http://localhost:8000/api/create_link_token`: HTTP 500 in 12.5 ms",
		"Source tree: `testdata/legacy`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

func TestJSONReport(t *testing.T) {
	r := fullReport(t)
	var b bytes.Buffer
	if err := r.Write(&b, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	if back.Summary != r.Summary || len(back.Steps) != 6 || len(back.Findings) != len(r.Findings) || len(back.Calls) != 1 {
		t.Errorf("round trip: summary %+v, %d steps, %d findings, %d calls", back.Summary, len(back.Steps), len(back.Findings), len(back.Calls))
	}
	c, ok := back.Check(ManualInvalidToken)
	if !ok || c.Status != StatusManual || len(c.Evidence) != 2 || c.Evidence[1].RequestID != "Hk4mN8pQ2rT6vX0" {
		t.Errorf("manual check after the round trip = %+v", c)
	}
	var raw map[string]any
	_ = json.Unmarshal(b.Bytes(), &raw)
	for _, key := range []string{"generated_at", "summary", "checklist", "findings", "calls"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("JSON report lacks %q", key)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"md": FormatMarkdown, "Markdown": FormatMarkdown, "JSON": FormatJSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("html"); err == nil {
		t.Error("html accepted")
	}
}

func TestStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checklist.json")
	s, err := LoadState(path)
	if err != nil || len(s.Ticks) != 0 {
		t.Fatalf("missing file: %+v, %v", s, err)
	}
	if err := s.Tick(ManualInvalidToken, testNow); err != nil {
		t.Fatal(err)
	}
	if err := s.Tick("manual.nope", testNow); err == nil || !strings.Contains(err.Error(), ManualInvalidToken) {
		t.Errorf("unknown id: %v", err)
	}
	s.setEvidence(ManualUpdateMode, []Evidence{{Kind: "link_session", LinkSessionID: "x"}})
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("checklist file mode = %v, %v; want 0600", info.Mode(), err)
	}
	back, err := LoadState(path)
	if err != nil || !back.Ticked(ManualInvalidToken) || !back.Ticks[ManualInvalidToken].Equal(testNow) || len(back.Evidence[ManualUpdateMode]) != 1 {
		t.Fatalf("reloaded: %+v, %v", back, err)
	}
	back.Untick(ManualInvalidToken)
	if back.Ticked(ManualInvalidToken) {
		t.Error("Untick did not untick")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	for name, content := range map[string]string{"garbage": "{not json", "future": `{"version": 99}`} {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadState(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}

func TestEvidenceString(t *testing.T) {
	for _, tc := range []struct {
		e    Evidence
		want string
	}{
		{Evidence{Kind: "file", File: "server.js", Line: 42, Note: "createPublicToken"}, "server.js:42 (createPublicToken)"},
		{Evidence{Kind: "request", RequestID: "m8MDnv9okwxFNBV", Path: "/link/token/create", HTTPStatus: 400}, "request_id m8MDnv9okwxFNBV: POST /link/token/create → 400"},
		{Evidence{Kind: "link_session", LinkSessionID: "3f0c"}, "link_session_id 3f0c"},
		{Evidence{Kind: "http", Path: "POST http://localhost:8000/api/create_link_token", HTTPStatus: 500}, "POST http://localhost:8000/api/create_link_token → HTTP 500"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestRebuildAfterUntick(t *testing.T) {
	live := &LiveResult{Checks: []*Check{newCheck("live.link-token-create", 1, KindLive, "inspected").manual("give --emulator", "not inspected")}}
	state := &State{}
	if err := state.Tick("live.link-token-create", testNow); err != nil {
		t.Fatal(err)
	}
	if c, _ := BuildReport(Inputs{Live: live, State: state}).Check("live.link-token-create"); c.Status != StatusPass {
		t.Fatalf("ticked: %+v", c)
	}
	state.Untick("live.link-token-create")
	if c, _ := BuildReport(Inputs{Live: live, State: state}).Check("live.link-token-create"); c.Status != StatusManual || c.Ticked {
		t.Errorf("after the untick: %+v", c)
	}
}

// TestUnreadTreeReport: a tree whose files the audit cannot read gets no
// pass and no "no source file was found"; Markdown and JSON give the
// coverage and the unread lines that mention Plaid.
func TestUnreadTreeReport(t *testing.T) {
	r := BuildReport(Inputs{Static: scan(t, filepath.Join("testdata", "unread-csharp-bundle")), Src: "app", Now: testNow})
	if r.Summary.Pass != 0 || r.Summary.Fail != 0 {
		t.Errorf("summary %+v: nothing was read, so nothing passes or fails", r.Summary)
	}
	var md, js bytes.Buffer
	if err := r.Write(&md, FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	if err := r.Write(&js, FormatJSON); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Coverage", "| C#, language not read | 1 |", "| JavaScript, minified | 1 |",
		"`Controllers/PlaidController.cs:18` (/link/token/create)", "`wwwroot/js/site.min.js:1` (Plaid.create)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(md.String(), "no source file was found") {
		t.Error("Markdown says no source file was found although files were skipped")
	}
	var back struct {
		Coverage Coverage `json:"coverage"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Coverage.Skipped) != 2 || len(back.Coverage.UnreadHits) != 2 {
		t.Errorf("JSON coverage = %+v, %v", back.Coverage, err)
	}
}
