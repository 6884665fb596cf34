package flows

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/store"
)

// section returns the text of the reference from the heading that starts
// with start up to the next heading of the same level.
func section(t *testing.T, doc, start string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+start)
	if i < 0 {
		t.Fatalf("the reference has no section %q", start)
	}
	rest := doc[i+1+len(start):]
	level := start[:strings.Index(start, " ")+1]
	if j := strings.Index(rest, "\n"+level); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

var backticked = regexp.MustCompile("`([A-Za-z_*]+)`")

// ticked returns the backticked names in s, leaving out wildcards such as
// IDENTITY_VERIFICATION_*.
func ticked(s string) []string {
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(s, -1) {
		if !strings.Contains(m[1], "*") {
			out = append(out, m[1])
		}
	}
	return out
}

func isUpper(s string) bool { return s == strings.ToUpper(s) }

// referenceLinkNames parses §4.4 and §4.5 of the reference: the onEvent
// names, view_names, exit statuses and metadata keys it lists.
func referenceLinkNames(t *testing.T) (events, views, statuses, metadata []string) {
	b, err := os.ReadFile(referencePath(t))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	onEvent := section(t, doc, "### 4.5 `onEvent`")
	onExit := section(t, doc, "### 4.4 `onExit`")

	// Events: the stable list and the informational lists, up to Timing.
	eventPart, _, _ := strings.Cut(onEvent, "\nTiming:")
	for _, line := range strings.Split(eventPart, "\n") {
		// Drop the bracketed metadata keys and values: [`selection`: `phoneotp`|`password`].
		line = regexp.MustCompile(`\[[^\]]*\]`).ReplaceAllString(line, "")
		for _, n := range ticked(line) {
			if isUpper(n) {
				events = append(events, n)
			}
		}
	}
	// Metadata keys: the first column of the table.
	for _, line := range strings.Split(onEvent, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.HasPrefix(line, "| `") {
			metadata = append(metadata, ticked(cells[1])...)
		}
		if strings.HasPrefix(line, "`view_name` values:") {
			for _, n := range ticked(strings.TrimPrefix(line, "`view_name`")) {
				views = append(views, n)
			}
		}
	}
	for _, line := range strings.Split(onExit, "\n") {
		if strings.HasPrefix(line, "Exit `status` values:") || strings.HasPrefix(line, "Mobile SDKs add") {
			for _, n := range ticked(strings.TrimPrefix(line, "Exit `status`")) {
				statuses = append(statuses, n)
			}
		}
	}
	// onSuccess metadata keys: the bullets of §4.3 ("- `institution: {…}`").
	for _, line := range strings.Split(section(t, doc, "### 4.3 `onSuccess` metadata"), "\n") {
		if m := regexp.MustCompile("^- `([a-z_]+)").FindStringSubmatch(line); m != nil {
			metadata = append(metadata, m[1])
		}
	}
	// onExit metadata keys: "`metadata` (always present): `{institution: …, status|null, …}`".
	for _, line := range strings.Split(onExit, "\n") {
		if strings.HasPrefix(line, "- `metadata`") {
			_, obj, _ := strings.Cut(line, "`{")
			for _, m := range regexp.MustCompile(`(?:^|, )([a-z_]+)`).FindAllStringSubmatch(obj, -1) {
				metadata = append(metadata, m[1])
			}
		}
	}
	for name, got := range map[string][]string{"events": events, "views": views, "exit statuses": statuses, "metadata keys": metadata} {
		if len(got) < 8 {
			t.Fatalf("parsed only %d %s from the reference (%v): the parser no longer matches its layout", len(got), name, got)
		}
	}
	return events, views, statuses, metadata
}

// TestLinkTermsCoverReference checks that every onEvent name, view_name,
// onExit status and metadata key in the reference has an explanation.
func TestLinkTermsCoverReference(t *testing.T) {
	events, views, statuses, metadata := referenceLinkNames(t)
	check := func(kind string, names []string, explain func(string) (LinkTerm, bool)) {
		for _, n := range names {
			lt, ok := explain(n)
			if !ok {
				t.Errorf("the reference's %s %s has no explanation in flows/linkevents.go", kind, n)
				continue
			}
			if len(lt.Meaning) < 15 || len(lt.Handler) < 15 {
				t.Errorf("%s %s: meaning %q and handler %q must both say something", kind, n, lt.Meaning, lt.Handler)
			}
		}
	}
	check("onEvent", events, ExplainLinkEvent)
	check("view_name", views, ExplainLinkView)
	check("exit status", statuses, ExplainExitStatus)
	check("metadata key", metadata, ExplainLinkMetadata)
	for _, must := range []string{"OPEN", "HANDOFF", "TRANSITION_VIEW", "SUBMIT_DOCUMENTS_ERROR"} {
		if !slices.Contains(events, must) {
			t.Errorf("parsed events %v lack %s", events, must)
		}
	}
	if !slices.Contains(views, "CREDENTIAL") || !slices.Contains(statuses, "requires_credentials") || !slices.Contains(metadata, "timestamp") ||
		!slices.Contains(metadata, "accounts") || !slices.Contains(metadata, "status") || !slices.Contains(metadata, "transfer_status") {
		t.Errorf("the parse missed known names: views %v, statuses %v, metadata %v", views, statuses, metadata)
	}
	// Stable events are marked as such.
	for _, n := range []string{"OPEN", "EXIT", "HANDOFF", "ERROR"} {
		if lt, _ := ExplainLinkEvent(n); !lt.Stable {
			t.Errorf("%s is a stable event, but its entry is not marked Stable", n)
		}
	}
	if lt, _ := ExplainLinkEvent("TRANSITION_VIEW"); lt.Stable {
		t.Error("TRANSITION_VIEW is informational, not stable")
	}
}

// emulatedLinkNames parses the emulated Link's source: the events it
// emits, the panes it shows with their exit statuses, and the events and
// metadata keys its session API accepts.
func emulatedLinkNames(t *testing.T) (events, views, statuses, metadata []string) {
	t.Helper()
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join("..", "emulator", "link", p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	js := read(filepath.Join("assets", "link.js"))
	for _, m := range regexp.MustCompile(`emit\('([A-Z_]+)'`).FindAllStringSubmatch(js, -1) {
		events = append(events, m[1])
	}
	for _, m := range regexp.MustCompile(`show\('([A-Z_]+)',\s*(?:'([a-z_]+)')?`).FindAllStringSubmatch(js, -1) {
		views = append(views, m[1])
		if m[2] != "" {
			statuses = append(statuses, m[2])
		}
	}
	for _, m := range regexp.MustCompile(`view_name: '([A-Z_]+)'`).FindAllStringSubmatch(js, -1) {
		views = append(views, m[1])
	}
	mfa := regexp.MustCompile(`(?s)var MFA_STATUS = \{(.*?)\}`).FindStringSubmatch(js)
	if mfa == nil {
		t.Fatal("link.js has no MFA_STATUS table: update the parser")
	}
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(mfa[1], -1) {
		statuses = append(statuses, m[1])
	}
	keys := regexp.MustCompile(`(?s)var KEYS = \[(.*?)\]`).FindStringSubmatch(js)
	if keys == nil {
		t.Fatal("link.js has no KEYS list: update the parser")
	}
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(keys[1], -1) {
		metadata = append(metadata, m[1])
	}
	// The session API's list of accepted event names.
	goSrc := read("events.go")
	list := regexp.MustCompile(`(?s)var eventNames = \[\]string\{(.*?)\n\}`).FindStringSubmatch(goSrc)
	if list == nil {
		t.Fatal("emulator/link/events.go has no eventNames list: update the parser")
	}
	for _, m := range regexp.MustCompile(`"([A-Z_]+)"`).FindAllStringSubmatch(list[1], -1) {
		events = append(events, m[1])
	}
	if len(events) < 20 || len(views) < 8 || len(statuses) < 6 || len(metadata) < 15 {
		t.Fatalf("parsed too little from the emulated Link (events %v, views %v, statuses %v, metadata %v): the parser no longer matches it",
			events, views, statuses, metadata)
	}
	return events, views, statuses, metadata
}

// TestLinkTermsCoverEmulatedLink checks that everything the emulated Link
// can emit has an explanation.
func TestLinkTermsCoverEmulatedLink(t *testing.T) {
	events, views, statuses, metadata := emulatedLinkNames(t)
	for _, n := range events {
		if _, ok := ExplainLinkEvent(n); !ok {
			t.Errorf("the emulated Link emits %s, which has no explanation", n)
		}
	}
	for _, n := range views {
		if _, ok := ExplainLinkView(n); !ok {
			t.Errorf("the emulated Link shows the view %s, which has no explanation", n)
		}
	}
	for _, n := range statuses {
		if _, ok := ExplainExitStatus(n); !ok {
			t.Errorf("the emulated Link exits with status %s, which has no explanation", n)
		}
	}
	for _, n := range metadata {
		if _, ok := ExplainLinkMetadata(n); !ok {
			t.Errorf("the emulated Link's metadata has the key %s, which has no explanation", n)
		}
	}
	for kind := range reportFields {
		if _, ok := ExplainLinkCallback(kind); !ok && kind != "event" && kind != "success" && kind != "exit" && kind != "load" {
			t.Errorf("the callback page reports %q, which has no explanation", kind)
		}
	}
}

func TestExplainLinkReport(t *testing.T) {
	terms, ex := ExplainLinkReport(LinkReport{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "MFA"})
	if len(terms) != 2 || terms[0].Name != "TRANSITION_VIEW" || terms[1].Kind != TermView || ex != nil {
		t.Errorf("TRANSITION_VIEW MFA: got %+v, %v", terms, ex)
	}
	if got := LinkReportMeaning(LinkReport{Kind: "event", EventName: "TRANSITION_VIEW", ViewName: "CREDENTIAL"}); !strings.Contains(got, "login form") {
		t.Errorf("TRANSITION_VIEW CREDENTIAL means %q, want the view's meaning", got)
	}
	terms, ex = ExplainLinkReport(LinkReport{Kind: "exit", ExitStatus: "requires_credentials", ErrorCode: "INVALID_CREDENTIALS"})
	if len(terms) != 2 || terms[0].Name != "onExit" || terms[1].Name != "requires_credentials" || ex == nil || ex.Code != "INVALID_CREDENTIALS" {
		t.Errorf("onExit: got %+v, %v", terms, ex)
	}
	terms, _ = ExplainLinkReport(LinkReport{Kind: "page", EventName: "destroyed"})
	if len(terms) != 1 || !strings.Contains(terms[0].Meaning, "destroy()") {
		t.Errorf("stored page step destroyed: got %+v", terms)
	}
	if terms, _ := ExplainLinkReport(LinkReport{Kind: "event", EventName: "NOT_A_PLAID_EVENT"}); len(terms) != 0 {
		t.Errorf("an unknown event must not be explained, got %+v", terms)
	}
	if lt, _ := ExplainLinkMetadata("is_update_mode"); lt.Label() != "metadata.is_update_mode" {
		t.Errorf("label %q", lt.Label())
	}
}

// requireExplained checks that every event a real run recorded (in
// headless Chromium, through the emulated Link) has an explanation for its
// name, view and exit status. The browser tests call it on every run's
// events.
func requireExplained(t *testing.T, evs []store.LinkEvent) {
	t.Helper()
	for _, e := range evs {
		if e.Kind == store.EventKindRejected {
			continue
		}
		r := LinkReport{Kind: e.Kind, EventName: e.EventName, ViewName: e.ViewName, ExitStatus: e.ExitStatus, ErrorCode: e.ErrorCode}
		terms, ex := ExplainLinkReport(r)
		want := 1
		if e.ViewName != "" {
			want++
		}
		if e.ExitStatus != "" {
			want++
		}
		if len(terms) != want {
			t.Errorf("a real run recorded %s %s (view %q, exit status %q), but the table explains only %+v", e.Kind, e.EventName, e.ViewName, e.ExitStatus, terms)
		}
		if e.ErrorCode != "" && ex == nil {
			t.Errorf("a real run recorded error_code %s on %s %s with no explanation", e.ErrorCode, e.Kind, e.EventName)
		}
	}
}

func TestExplainMetadataFields(t *testing.T) {
	got := ExplainMetadataFields([]byte(`{"view_name":"MFA","mfa_type":"code","error_code":null,"institution_name":"","link_session_id":"abc","accounts":[],"unknown_key":"x"}`))
	var names []string
	for _, lt := range got {
		names = append(names, lt.Name)
	}
	if want := []string{"mfa_type", "view_name", "link_session_id"}; !slices.Equal(names, want) {
		t.Errorf("explained %v, want %v (set fields only, in Link's order)", names, want)
	}
	if ExplainMetadataFields([]byte("not json")) != nil {
		t.Error("bad JSON must explain nothing")
	}
}
