package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fixture records a known mix of entries across two sessions and returns
// the sessions.
func fixture(t *testing.T, s *Store) (Session, Session) {
	t.Helper()
	ctx := context.Background()
	a, b := startSession(t, s, "flow:quickstart"), startSession(t, s, "flow:invalid-token")
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	recs := []Record{
		APICall{SessionID: a.ID, Time: at(1), Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "reqA1"},
		LinkEvent{SessionID: a.ID, Time: at(2), EventName: "OPEN", LinkSessionID: "lsA", RequestID: "reqA2"},
		LinkEvent{SessionID: a.ID, Time: at(3), Kind: EventKindSuccess, LinkSessionID: "lsA", InstitutionName: "First Platypus Bank"},
		APICall{SessionID: a.ID, Time: at(4), Endpoint: "/item/public_token/exchange", HTTPStatus: 200, RequestID: "reqA3", ItemID: "itemA"},
		APICall{SessionID: a.ID, Time: at(5), Endpoint: "/accounts/get", HTTPStatus: 400, RequestID: "reqA4", ItemID: "itemA",
			ErrorType: "ITEM_ERROR", ErrorCode: "ITEM_LOGIN_REQUIRED", ErrorMessage: "the login details of this item have changed"},
		Webhook{SessionID: a.ID, Time: at(6), WebhookType: "ITEM", WebhookCode: "ERROR", ItemID: "itemA", ErrorCode: "ITEM_LOGIN_REQUIRED"},
		APICall{SessionID: b.ID, Time: at(7), Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "reqB1"},
		LinkEvent{SessionID: b.ID, Time: at(8), Kind: EventKindExit, LinkSessionID: "lsB1", RequestID: "reqB2",
			ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN"},
		LinkEvent{SessionID: b.ID, Time: at(9), Kind: EventKindPage, EventName: "destroyed"},
		APICall{SessionID: b.ID, Time: at(10), Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "reqB3"},
		LinkEvent{SessionID: b.ID, Time: at(11), Kind: EventKindSuccess, LinkSessionID: "lsB2"},
		APICall{SessionID: b.ID, Time: at(12), Endpoint: "/item/public_token/exchange", HTTPStatus: 200, RequestID: "reqB4", ItemID: "itemB",
			Source: SourceEmulator},
	}
	if _, err := s.Add(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// titles returns the Title of each entry, newest first, as one string.
func titles(es []Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Title())
	}
	return strings.Join(out, ", ")
}

func TestFilters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a, b := fixture(t, s)
	for _, tc := range []struct {
		name string
		f    Filter
		want string
	}{
		{"all", Filter{}, "POST /item/public_token/exchange, onSuccess, POST /link/token/create, page: destroyed, onExit, POST /link/token/create, ITEM: ERROR, POST /accounts/get, POST /item/public_token/exchange, onSuccess, OPEN, POST /link/token/create"},
		{"session", Filter{SessionID: a.ID}, "ITEM: ERROR, POST /accounts/get, POST /item/public_token/exchange, onSuccess, OPEN, POST /link/token/create"},
		{"session b", Filter{SessionID: b.ID}, "POST /item/public_token/exchange, onSuccess, POST /link/token/create, page: destroyed, onExit, POST /link/token/create"},
		{"request_id of a call", Filter{RequestID: "reqB3"}, "POST /link/token/create"},
		{"request_id of an event", Filter{RequestID: "reqA2"}, "OPEN"},
		{"request_id is case-sensitive", Filter{RequestID: "REQB3"}, ""},
		{"link_session_id", Filter{LinkSessionID: "lsA"}, "onSuccess, OPEN"},
		{"item_id", Filter{ItemID: "itemA"}, "ITEM: ERROR, POST /accounts/get, POST /item/public_token/exchange"},
		{"error_code", Filter{ErrorCode: "ITEM_LOGIN_REQUIRED"}, "ITEM: ERROR, POST /accounts/get"},
		{"error_code in lower case", Filter{ErrorCode: " invalid_link_token "}, "onExit"},
		{"kind", Filter{Kind: KindWebhook}, "ITEM: ERROR"},
		{"errors", Filter{Errors: true}, "onExit, ITEM: ERROR, POST /accounts/get"},
		{"combined", Filter{SessionID: b.ID, Kind: KindCall}, "POST /link/token/create, POST /link/token/create"},
		{"kind app: calls from the user's app", Filter{Kind: KindApp}, "POST /item/public_token/exchange"},
		{"source app", Filter{Source: "app"}, "POST /item/public_token/exchange"},
		{"source linkexplorer", Filter{Source: "LinkExplorer", SessionID: b.ID}, "onSuccess, POST /link/token/create, page: destroyed, onExit, POST /link/token/create"},
		{"source demo", Filter{Source: "demo"}, ""},
		{"combined, no match", Filter{SessionID: b.ID, ErrorCode: "ITEM_LOGIN_REQUIRED"}, ""},
		{"text: endpoint word", Filter{Text: "exchange"}, "POST /item/public_token/exchange, POST /item/public_token/exchange"},
		{"text: prefix inside a code", Filter{Text: "login"}, "ITEM: ERROR, POST /accounts/get"},
		{"text: case and two words", Filter{Text: "link TOK"}, "POST /link/token/create, onExit, POST /link/token/create, POST /link/token/create"},
		{"text: institution", Filter{Text: "platypus"}, "onSuccess"},
		{"text: request id prefix", Filter{Text: "reqB"}, "POST /item/public_token/exchange, POST /link/token/create, onExit, POST /link/token/create"},
		{"text: source", Filter{Text: "app"}, "POST /item/public_token/exchange"},
		{"text: path", Filter{Text: "/item/public_token/ex"}, "POST /item/public_token/exchange, POST /item/public_token/exchange"},
		{"text with session", Filter{SessionID: a.ID, Text: "exchange"}, "POST /item/public_token/exchange"},
		{"text: quotes and operators are words", Filter{Text: `"OR" AND NEAR(`}, ""},
		{"text: punctuation only is no filter", Filter{Text: " / - "}, "POST /item/public_token/exchange, onSuccess, POST /link/token/create, page: destroyed, onExit, POST /link/token/create, ITEM: ERROR, POST /accounts/get, POST /item/public_token/exchange, onSuccess, OPEN, POST /link/token/create"},
		{"text: no match", Filter{Text: "zebra"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.Entries(ctx, Query{Filter: tc.f})
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(page.Entries); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			n, err := s.Count(ctx, tc.f)
			if err != nil || n != len(page.Entries) {
				t.Errorf("Count = %d, %v; the page has %d", n, err, len(page.Entries))
			}
		})
	}
}

func TestPagingNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "app")
	other := startSession(t, s, "app")
	const n = 1000
	var recs []Record
	for i := range n {
		// Times go back and forth, with ties, so insertion order is not time order.
		at := t0.Add(time.Duration((i*7919)%n/3) * time.Millisecond)
		recs = append(recs, APICall{SessionID: []string{sess.ID, other.ID}[i%2], Time: at,
			Endpoint: fmt.Sprintf("/e/%d", i), RequestID: fmt.Sprintf("r%d", i)})
	}
	if _, err := s.Add(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	// "e" is one indexed word, driving the search; "r" stands for the
	// thousand request ids, so the log is read in order.
	for _, f := range []Filter{{}, {SessionID: sess.ID}, {Text: "e"}, {Text: "r"}, {Text: "r", SessionID: other.ID}} {
		var all []Entry
		q := Query{Filter: f, Limit: 37}
		for {
			page, err := s.Entries(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Entries...)
			if !page.More {
				break
			}
			q.Before = page.Next
		}
		want, _ := s.Count(ctx, f)
		checkNewestFirst(t, all, want)
		// Paging back up with After visits the same entries.
		var up []Entry
		q = Query{Filter: f, Limit: 41, After: all[len(all)-1].ID}
		for {
			page, err := s.Entries(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			up = append(page.Entries, up...)
			if !page.More {
				break
			}
			q.After = page.Next
		}
		if len(up) != len(all)-1 || (len(up) > 0 && up[0].ID != all[0].ID) {
			t.Errorf("paging up found %d entries, want %d", len(up), len(all)-1)
		}
		checkNewestFirst(t, up, len(all)-1)
	}
}

// checkNewestFirst checks that es holds want distinct entries, by time
// newest first.
func checkNewestFirst(t *testing.T, es []Entry, want int) {
	t.Helper()
	seen := map[int64]bool{}
	for i, e := range es {
		if seen[e.ID] {
			t.Fatalf("entry %d appears twice", e.ID)
		}
		seen[e.ID] = true
		if i > 0 && (e.ID >= es[i-1].ID || e.Time().After(es[i-1].Time())) {
			t.Fatalf("entry %d (%v) follows %d (%v)", e.ID, e.Time(), es[i-1].ID, es[i-1].Time())
		}
	}
	if len(es) != want {
		t.Errorf("paging found %d entries, want %d", len(es), want)
	}
}

func TestPageBodies(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "app")
	if _, err := s.AddCall(ctx, APICall{SessionID: sess.ID, Endpoint: "/item/get", ResponseBody: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	page, _ := s.Entries(ctx, Query{})
	if page.Entries[0].Call.ResponseBody != nil {
		t.Error("a page without Bodies carries bodies")
	}
	page, _ = s.Entries(ctx, Query{Bodies: true})
	if string(page.Entries[0].Call.ResponseBody) != `{"a":1}` {
		t.Errorf("body %q", page.Entries[0].Call.ResponseBody)
	}
	if _, err := s.Entry(ctx, 42); err == nil {
		t.Error("Entry of an unknown id succeeded")
	}
}

// TestFiltersUseIndexes checks the query plan of each filter: a page must
// come from an index, never from a scan of the whole log.
func TestFiltersUseIndexes(t *testing.T) {
	s := openTest(t)
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "SEARCH e USING INTEGER PRIMARY KEY"}, // the log's order itself
		{Filter{SessionID: "s"}, "log_entries_session"},
		{Filter{RequestID: "r"}, "log_entries_request"},
		{Filter{LinkSessionID: "l"}, "log_entries_link_session"},
		{Filter{ItemID: "i"}, "log_entries_item"},
		{Filter{ErrorCode: "E"}, "log_entries_error"},
		{Filter{Text: "login"}, "SEARCH lw USING PRIMARY KEY (word=? AND entry_id<?)"},
		{Filter{Text: "login", SessionID: "s"}, "SEARCH lw USING PRIMARY KEY (word=? AND entry_id<?)"},
		{Filter{SessionID: "s", ErrorCode: "E"}, "log_entries_"},
		{Filter{Kind: KindWebhook}, "log_entries_kind"},
	} {
		fs, err := s.compile(context.Background(), tc.f)
		if err != nil {
			t.Fatal(err)
		}
		q, args := Query{Filter: tc.f, Before: 1}.sql(fs, 10)
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		// A text search sorts the few ids its driving words yield; nothing
		// else may sort.
		if !strings.Contains(p, tc.want) || (tc.f.Text == "" && strings.Contains(p, "TEMP B-TREE")) {
			t.Errorf("filter %+v: plan %q, want %q and no sort", tc.f, p, tc.want)
		}
	}
}

// TestTextPrefixes covers both ways a text search reads a page: driven by
// the few indexed words a condition stands for, or by reading the log in
// order when every condition stands for many words.
func TestTextPrefixes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "app")
	var recs []Record
	for i := range 40 {
		recs = append(recs, APICall{SessionID: sess.ID, Endpoint: "/item/get", RequestID: fmt.Sprintf("rq%d", i)})
	}
	recs = append(recs, LinkEvent{SessionID: sess.ID, Kind: EventKindSuccess, InstitutionName: "Crédit Agricole"})
	if _, err := s.Add(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text    string
		want    int
		drivers int // how many words drive the search; 0: none
	}{
		{"rq", 40, 0}, // more words than maxExpansion
		{"rq1", 11, 11},
		{"RQ39", 1, 1},
		{"rq4 item", 1, 1},
		{"item/g", 40, 1},
		{"item/get rq3", 11, 11},
		{"crédit", 1, 1},
		{"CRÉD agri", 1, 1},
		{"agricole rq1", 0, 1},
		{"zebra", 0, 1},
	} {
		if n, err := s.Count(ctx, Filter{Text: tc.text}); err != nil || n != tc.want {
			t.Errorf("text %q: %d entries (%v), want %d", tc.text, n, err, tc.want)
		}
		page, err := s.Entries(ctx, Query{Filter: Filter{Text: tc.text}, Limit: 7})
		if want := min(tc.want, 7); err != nil || len(page.Entries) != want || page.More != (tc.want > 7) {
			t.Errorf("text %q: a page of %d entries, more %v (%v), want %d", tc.text, len(page.Entries), page.More, err, want)
		}
		fs, err := s.compile(ctx, Filter{Text: tc.text})
		if err != nil || len(fs.driver) != tc.drivers {
			t.Errorf("text %q: driven by %q (%v), want %d words", tc.text, fs.driver, err, tc.drivers)
		}
	}
}

func TestParseText(t *testing.T) {
	got := fmt.Sprint(parseText(`  /item/public_token/Exch  "ITEM" item- -- 2ab `))
	want := "[{item false} {public false} {token false} {exch true} {item true} {2ab true}]"
	if got != want {
		t.Errorf("parseText = %s, want %s", got, want)
	}
}
