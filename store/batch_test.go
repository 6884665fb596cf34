package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBatchMatchesRowByRow writes the same mixed records once row by row
// and once as one batch (multi-row statements) into a log that already
// holds entries at the same nanoseconds, and checks that both give the
// same ids, entries and words.
func TestBatchMatchesRowByRow(t *testing.T) {
	ctx := context.Background()
	var stores [2]*Store
	var ids [2][]int64
	for k := range stores {
		s := openTest(t)
		sess := startSession(t, s, "app")
		// Entries already at t0 and t0+2ns: the batch must go around them.
		for _, d := range []time.Duration{0, 2} {
			if _, err := s.AddCall(ctx, APICall{SessionID: sess.ID, Time: t0.Add(d), Endpoint: "/item/get"}); err != nil {
				t.Fatal(err)
			}
		}
		var recs []Record
		for i := range 60 {
			at := t0.Add(time.Duration(i%3) * time.Nanosecond)
			switch i % 3 {
			case 0:
				recs = append(recs, APICall{SessionID: sess.ID, Time: at, Endpoint: "/accounts/get", HTTPStatus: 200,
					RequestID: fmt.Sprintf("req%03d", i), Source: SourceEmulator,
					RequestBody: []byte(`{"access_token":"access-sandbox-0123456789abcdef"}`), ResponseBody: []byte(`{"accounts":[]}`)})
			case 1:
				recs = append(recs, LinkEvent{SessionID: sess.ID, Time: at, EventName: "OPEN", LinkSessionID: fmt.Sprint("ls", i)})
			default:
				recs = append(recs, Webhook{SessionID: sess.ID, Time: at, Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"it` + fmt.Sprint(i) + `"}`)})
			}
		}
		if k == 0 {
			for _, r := range recs {
				got, err := s.Add(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				ids[k] = append(ids[k], got...)
			}
		} else {
			got, err := s.Add(ctx, recs...)
			if err != nil {
				t.Fatal(err)
			}
			ids[k] = got
		}
		stores[k] = s
	}
	if fmt.Sprint(ids[0]) != fmt.Sprint(ids[1]) {
		t.Fatalf("ids differ:\nrow by row %v\nbatch      %v", ids[0], ids[1])
	}
	for _, text := range []string{"", "req01", "open", "webhook error", "accounts"} {
		var got [2]string
		for k, s := range stores {
			page, err := s.Entries(ctx, Query{Filter: Filter{Text: text}, Limit: 1000, Bodies: true})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, e := range page.Entries {
				fmt.Fprintf(&b, "%d %s %s %s|", e.ID, e.Kind, e.Title(), e.RequestID())
				if e.Call != nil {
					fmt.Fprintf(&b, "%s %s|", e.Call.RequestBody, e.Call.ResponseBody)
				}
			}
			got[k] = b.String()
		}
		if got[0] != got[1] {
			t.Errorf("filter %q: the stores differ:\nrow by row %s\nbatch      %s", text, got[0], got[1])
		}
		if text != "" && got[1] == "" {
			t.Errorf("filter %q finds nothing in the batch", text)
		}
	}
	page, _ := stores[1].Entries(ctx, Query{Bodies: true, Limit: 1000})
	for _, e := range page.Entries {
		if e.Call != nil && strings.Contains(string(e.Call.RequestBody), "0123456789abcdef") {
			t.Errorf("a batch wrote an access_token in full: %s", e.Call.RequestBody)
		}
	}
}

// TestBatchIntoUnknownSession: a batch into a missing session is refused
// whole, with the session named.
func TestBatchIntoUnknownSession(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var recs []Record
	for range 20 {
		recs = append(recs, APICall{SessionID: "missing", Endpoint: "/item/get"})
	}
	if _, err := s.Add(ctx, recs...); err == nil || !strings.Contains(err.Error(), `session "missing" does not exist`) {
		t.Fatalf("a batch into an unknown session: %v", err)
	}
	if n, _ := s.Count(ctx, Filter{}); n != 0 {
		t.Errorf("the failed batch left %d entries", n)
	}
}

// TestTextSearchesBodies: the text filter finds calls and webhooks by the
// keys and values of their bodies, through the words index, never by a
// masked secret.
func TestTextSearchesBodies(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "app")
	_, err := s.Add(ctx,
		APICall{SessionID: sess.ID, Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "reqLT",
			RequestBody:  []byte(`{"client_name":"Acme Budget","user":{"client_user_id":"user-7781"},"secret":"sekrit-0123456789abcdef"}`),
			ResponseBody: []byte(`{"link_token":"link-sandbox-1","expiration":"2026-01-02T19:04:05Z"}`)},
		APICall{SessionID: sess.ID, Endpoint: "/accounts/get", HTTPStatus: 200, RequestID: "reqAG",
			ResponseBody: []byte(`{"accounts":[{"name":"Plaid Saving","subtype":"savings"}]}`)},
		Webhook{SessionID: sess.ID, Body: []byte(`{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","initial_update_complete":true}`)},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, want string }{
		{"user-7781", "POST /link/token/create"},
		{"acme budg", "POST /link/token/create"},
		{"savings", "POST /accounts/get"},
		{"initial_update_complete", "TRANSACTIONS: SYNC_UPDATES_AVAILABLE"},
		{"0123456789abcdef", ""},
	} {
		page, err := s.Entries(ctx, Query{Filter: Filter{Text: tc.text}})
		if err != nil {
			t.Fatal(err)
		}
		if got := titles(page.Entries); got != tc.want {
			t.Errorf("text %q: %q, want %q", tc.text, got, tc.want)
		}
	}
	// A huge body is indexed up to its bound.
	var big strings.Builder
	big.WriteString(`{"transactions":[`)
	for i := range 2000 {
		fmt.Fprintf(&big, `{"name":"shop%d"},`, i)
	}
	big.WriteString(`{}]}`)
	if _, err := s.AddCall(ctx, APICall{SessionID: sess.ID, Endpoint: "/transactions/sync", ResponseBody: []byte(big.String())}); err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]int{"shop5": 1, "shop1999": 0} {
		if n, _ := s.Count(ctx, Filter{Text: text}); n != want {
			t.Errorf("text %q in a huge body: %d, want %d", text, n, want)
		}
	}
}
