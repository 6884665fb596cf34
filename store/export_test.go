package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const (
	fullSecret = "0123456789abcdef0123456789abcd"
	fullAccess = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"
	fullPublic = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
)

// leakyFixture records entries whose bodies and messages carry a full
// secret, access_token and public_token, as a careless caller might.
func leakyFixture(t *testing.T, s *Store) Session {
	t.Helper()
	sess := startSession(t, s, "flow:quickstart")
	t1 := t0.Add(time.Minute) // after the entries of fixture
	_, err := s.Add(context.Background(),
		APICall{SessionID: sess.ID, Time: t1, Endpoint: "/item/public_token/exchange", HTTPStatus: 400,
			RequestID: "Xreq1pipe|test", ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_PUBLIC_TOKEN",
			ErrorMessage: "could not find matching public token " + fullPublic,
			RequestBody:  []byte(`{"client_id":"abc","secret":"` + fullSecret + `","public_token":"` + fullPublic + `"}`),
			ResponseBody: []byte(`{"access_token":"` + fullAccess + `","item_id":"itemX","request_id":"Xreq1"}`)},
		LinkEvent{SessionID: sess.ID, Time: t1.Add(1), Kind: EventKindSuccess, LinkSessionID: "ls-1",
			Metadata: []byte(`{"public_token":"` + fullPublic + `","link_session_id":"ls-1","note":"=SUM(A1)"}`)},
		Webhook{SessionID: sess.ID, Time: t1.Add(2), Body: []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","public_tokens":["` + fullPublic + `"]}`)},
		APICall{SessionID: sess.ID, Time: t1.Add(3), Endpoint: "/item/get?access_token=" + fullAccess,
			RequestBody: []byte(`{"access_token":"` + fullAccess), ErrorMessage: "-1 things"}, // a truncated body
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EndSession(context.Background(), sess.ID, SessionFailed, "token "+fullAccess+" failed"); err != nil {
		t.Fatal(err)
	}
	return sess
}

func export(t *testing.T, s *Store, format Format, f Filter) string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Export(context.Background(), &buf, format, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{fullSecret, fullAccess, fullPublic} {
		if strings.Contains(out, secret) {
			t.Errorf("the %s export holds %s", format, secret)
		}
	}
	return out
}

func TestExportJSON(t *testing.T) {
	s := openTest(t)
	a, _ := fixture(t, s)
	sess := leakyFixture(t, s)
	out := export(t, s, FormatJSON, Filter{})
	var doc struct {
		ExportedAt string            `json:"exported_at"`
		Sessions   []sessionJSON     `json:"sessions"`
		Entries    []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("the JSON export does not parse: %v\n%s", err, out)
	}
	if len(doc.Entries) != 16 || len(doc.Sessions) != 3 || doc.ExportedAt == "" {
		t.Fatalf("%d entries, %d sessions", len(doc.Entries), len(doc.Sessions))
	}
	var newest, exchange entryJSON
	json.Unmarshal(doc.Entries[0], &newest)
	json.Unmarshal(doc.Entries[3], &exchange)
	if newest.Kind != KindCall || newest.SessionID != sess.ID || newest.Endpoint != "/item/get?access_token=access-sandbox-…c0f6" {
		t.Errorf("newest entry %+v", newest)
	}
	if exchange.RequestID != "Xreq1pipe|test" || exchange.ErrorCode != "INVALID_PUBLIC_TOKEN" || *exchange.HTTPStatus != 400 ||
		exchange.ItemID != "itemX" || !json.Valid(exchange.RequestBody) ||
		!strings.Contains(string(exchange.RequestBody), `"public_token":"public-sandbox-…993d"`) {
		t.Errorf("exchange entry %+v", exchange)
	}
	// A filtered export holds only the matching entries and their session.
	out = export(t, s, FormatJSON, Filter{SessionID: a.ID, ErrorCode: "ITEM_LOGIN_REQUIRED"})
	json.Unmarshal([]byte(out), &doc)
	if len(doc.Entries) != 2 || len(doc.Sessions) != 1 || doc.Sessions[0].ID != a.ID {
		t.Errorf("filtered: %d entries, sessions %+v", len(doc.Entries), doc.Sessions)
	}
	out = export(t, s, FormatJSON, Filter{RequestID: "none"})
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Entries) != 0 {
		t.Errorf("an empty export: %v, %d entries\n%s", err, len(doc.Entries), out)
	}
}

func TestExportCSV(t *testing.T) {
	s := openTest(t)
	fixture(t, s)
	leakyFixture(t, s)
	out := export(t, s, FormatCSV, Filter{})
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV export does not parse: %v", err)
	}
	if len(rows) != 17 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := func(row []string, name string) string {
		for i, h := range csvHeader {
			if h == name {
				return row[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if r := rows[1]; col(r, "error_message") != "'-1 things" || col(r, "kind") != "call" {
		t.Errorf("newest row %v: a cell starting with - must not be a formula", r)
	}
	if r := rows[4]; col(r, "request_id") != "Xreq1pipe|test" || col(r, "error_code") != "INVALID_PUBLIC_TOKEN" ||
		col(r, "what") != "POST /item/public_token/exchange" || col(r, "status") != "400" || col(r, "item_id") != "itemX" {
		t.Errorf("exchange row %v", r)
	}
	if r := rows[len(rows)-1]; col(r, "request_id") != "reqA1" || col(r, "time") != "2025-03-14T15:09:27.535897000Z" {
		t.Errorf("oldest row %v", r)
	}
}

func TestExportMarkdown(t *testing.T) {
	s := openTest(t)
	_, b := fixture(t, s)
	leakyFixture(t, s)
	out := export(t, s, FormatMarkdown, Filter{})
	for _, want := range []string{
		"# linkexplorer session log", "- Entries: 16, newest first", "## Sessions", "flow:invalid-token",
		"## Link sessions", "| `lsB1` | 2025-03-14 15:09:34.535 | 2025-03-14 15:09:34.535 | `INVALID_LINK_TOKEN` |",
		"## Errors", "`INVALID_INPUT` | `INVALID_LINK_TOKEN` | `reqB2` | `lsB1`",
		"## Log", "| 2025-03-14 15:09:38.535 | app | POST /item/public_token/exchange | 200 | `reqB4` |  |  |",
		"`Xreq1pipe\\|test`", "`INVALID_INPUT/INVALID_PUBLIC_TOKEN`", "`reqA1`", "`reqA2`", "`lsA`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown export lacks %q", want)
		}
	}
	// No bodies: their other fields are not there either.
	if strings.Contains(out, "client_id") || strings.Contains(out, "SUM(A1)") {
		t.Error("the Markdown export holds a body")
	}
	filtered := export(t, s, FormatMarkdown, Filter{SessionID: b.ID})
	if !strings.Contains(filtered, "- Filter: session `"+b.ID+"`") || strings.Contains(filtered, "reqA1") ||
		!strings.Contains(filtered, "- Entries: 6,") {
		t.Errorf("a session's export:\n%s", filtered)
	}
	// Every line of a table has the same number of cells.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") < 5 {
			t.Errorf("short table row %q", line)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"md": FormatMarkdown, "Markdown": FormatMarkdown, " json": FormatJSON, "CSV": FormatCSV} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("xml was accepted")
	}
	s := openTest(t)
	if err := s.Export(context.Background(), &bytes.Buffer{}, "xml", Filter{}); err == nil {
		t.Error("Export in an unknown format succeeded")
	}
	var buf bytes.Buffer
	if err := s.Export(context.Background(), &buf, "Markdown", Filter{}); err != nil || !strings.HasPrefix(buf.String(), "# linkexplorer session log") {
		t.Errorf("Export as %q: %v, %q", "Markdown", err, buf.String())
	}
}
