package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// columnsExportQuery is the JSON export's query before exportRow: a
// column per value, the kind's own columns sharing one (CASE e.kind), the
// demo test in SQL. TestPackedRowsMatchColumns holds exportRow to it.
const columnsExportQuery = `SELECT e.id, e.kind, e.time, COALESCE(e.session_id, ''), COALESCE(e.request_id, ''),
	COALESCE(e.link_session_id, ''), COALESCE(e.item_id, ''), COALESCE(e.error_type, ''), COALESCE(e.error_code, ''),
	e.masked, COALESCE(c.http_status, 0), COALESCE(c.duration_ns, 0),
	COALESCE(CASE e.kind WHEN 'call' THEN c.method WHEN 'event' THEN v.kind ELSE w.webhook_type END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.endpoint WHEN 'event' THEN v.event_name ELSE w.webhook_code END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.source WHEN 'event' THEN v.view_name ELSE w.signature END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.error_message ELSE v.error_message END, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.response_body ELSE v.exit_status END, ''),
	COALESCE(v.institution_id, ''), COALESCE(v.institution_name, ''),
	COALESCE(CASE e.kind WHEN 'call' THEN c.request_body WHEN 'event' THEN v.metadata ELSE w.body END, ''),
	COALESCE((SELECT s.kind FROM sessions s WHERE s.id = e.session_id), '') LIKE 'demo:%'`

// columnsRows reads the rows matching f the former way, as entryRowScan.
func columnsRows(t *testing.T, s *Store, f Filter) []entryRowScan {
	t.Helper()
	ctx := context.Background()
	fs, err := s.compile(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	query, args := Query{Bodies: true, columns: columnsExportQuery}.sql(fs, 0)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []entryRowScan
	for rows.Next() {
		var r entryRowScan
		var k [6]string
		if err := rows.Scan(&r.id, &r.kind, &r.time, &r.session, &r.request, &r.linkSession, &r.item, &r.errType,
			&r.errCode, &r.masked, &r.httpStatus, &r.duration, &k[0], &k[1], &k[2], &k[3], &k[4], &r.instID,
			&r.instName, &k[5], &r.demo); err != nil {
			t.Fatal(err)
		}
		switch EntryKind(r.kind) {
		case KindCall:
			r.method, r.endpoint, r.source, r.callMsg, r.respBody, r.reqBody = k[0], k[1], k[2], k[3], k[4], k[5]
		case KindEvent:
			r.evKind, r.evName, r.view, r.evMsg, r.exit, r.meta = k[0], k[1], k[2], k[3], k[4], k[5]
		default:
			r.whType, r.whCode, r.whSig, r.whBody = k[0], k[1], k[2], k[5]
		}
		if EntryKind(r.kind) != KindEvent {
			r.instID, r.instName = "", ""
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// packedRows reads the same rows through exportRow, rawRow.unpack and
// demoSessions, as exportEntries does.
func packedRows(t *testing.T, s *Store, f Filter) []entryRowScan {
	t.Helper()
	ctx := context.Background()
	fs, err := s.compile(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := s.sessionsOf(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	demo := newDemoSessions(s, sessions[:len(sessions)/2]) // the others asked for
	query, args := Query{Bodies: true, columns: exportRow}.sql(fs, 0)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []entryRowScan
	var r rawRow
	for rows.Next() {
		if err := rows.Scan(&r.packed); err != nil {
			t.Fatal(err)
		}
		if err := r.unpack(); err != nil {
			t.Fatalf("%v: %q", err, r.packed)
		}
		if r.demo, err = demo.of(ctx, r.session); err != nil {
			t.Fatal(err)
		}
		out = append(out, r.scanned())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPackedRowsMatchColumns: on a real SQLite file holding every kind,
// entries masked on the way in and legacy ones, demo sessions (one in
// capitals, as LIKE matches it; half of the sessions not handed to
// demoSessions, so asked for), an entry without a session, NULL and empty columns, values SQLite holds as
// numbers in text columns, multi-byte and invalid UTF-8, bodies with the
// packing's own separators and of lengths up to past 1 MiB, the export's packed rows read back as
// the columns the export read before, row for row; and the whole export
// is still the former one (referenceExport).
func TestPackedRowsMatchColumns(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	fixture(t, s)
	sess := leakyFixture(t, s)
	if _, err := s.Add(ctx, oddRecords(sess.ID)...); err != nil {
		t.Fatal(err)
	}
	bodySizes := []int{5000, 55300, 1<<20 + 70000, 100}
	for i, kind := range []string{"demo:quickstart", "DEMO:recovery", "demonstration", "app"} {
		d := startSession(t, s, kind)
		at := t0.Add(time.Duration(i+2) * time.Hour)
		if _, err := s.Add(ctx,
			APICall{SessionID: d.ID, Time: at, Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: fmt.Sprintf("d%d", i),
				RequestBody: []byte(`{"a":"1 2 3:4"}`), ResponseBody: []byte("12 34:5\x00é\xff")},
			LinkEvent{SessionID: d.ID, Time: at.Add(1), EventName: "EXIT", ExitStatus: "requires_credentials",
				InstitutionID: "ins_1", InstitutionName: "Bank: 7 ünïcode", Metadata: []byte(`{"x":[1,2]}`)},
			Webhook{SessionID: d.ID, Time: at.Add(2), WebhookType: "ITEM", WebhookCode: "WEBHOOK_UPDATE_ACKNOWLEDGED",
				Signature: "ok", Body: []byte(strings.Repeat("9", bodySizes[i]))},
		); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Add(ctx, APICall{Time: t0.Add(-1), Endpoint: "/institutions/get", HTTPStatus: 200}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE log_entries SET masked = 0 WHERE id % 3 = 0`, // legacy entries among the others
		`UPDATE api_calls SET error_message = 42 WHERE entry_id = (SELECT min(entry_id) FROM api_calls)`,
		`UPDATE link_events SET institution_name = '' WHERE entry_id = (SELECT min(entry_id) FROM link_events)`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	demos := 0
	for _, f := range []Filter{{}, {SessionID: sess.ID}, {Kind: KindCall}, {Kind: KindEvent}} {
		want, got := columnsRows(t, s, f), packedRows(t, s, f)
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("filter %+v: %d packed rows, %d rows of columns", f, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("filter %+v, row %d:\n packed  %+v\n columns %+v", f, i, got[i], want[i])
			}
			if want[i].demo {
				demos++
			}
		}
		gotJSON, wantJSON := exportedEntries(t, export(t, s, FormatJSON, f)), referenceExport(t, s, f)
		if strings.Join(gotJSON, "\n") != strings.Join(wantJSON, "\n") {
			t.Errorf("filter %+v: the export differs from the former one:\n got %s\nwant %s", f, gotJSON, wantJSON)
		}
	}
	if demos == 0 {
		t.Fatal("no entry of a demo session among the rows: the test checks nothing of demoSessions")
	}
}

// TestUnpackRefusesBadRows: a packed row whose lengths do not match its
// text is an error, never a short or shifted read.
func TestUnpackRefusesBadRows(t *testing.T) {
	n := len(exportIntColumns) + len(exportTextColumns)
	good := strings.Repeat("1 ", n-1) + "1:" + strings.Repeat("x", len(exportTextColumns))
	for _, p := range []string{good, "", "1 2 3", strings.Repeat("1 ", n-1) + "1:" + "xx",
		strings.Repeat("1 ", n-1) + "2:" + strings.Repeat("x", len(exportTextColumns)),
		strings.Repeat("1 ", n) + "1:" + strings.Repeat("x", len(exportTextColumns)),
		strings.Repeat("1 ", n-1) + "-1:" + strings.Repeat("x", len(exportTextColumns))} {
		r := rawRow{packed: sql.RawBytes(p)}
		if err := r.unpack(); (err == nil) != (p == good) {
			t.Errorf("unpack(%q): %v", p, err)
		}
	}
}
