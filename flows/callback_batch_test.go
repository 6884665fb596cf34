package flows

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// seqReport is a report as the page sends it: with its page-load id and
// sequence number.
func seqReport(state, page string, seq int, kind, rest string) string {
	extra := fmt.Sprintf(`"page":%q,"seq":%d`, page, seq)
	if rest != "" {
		extra += "," + rest
	}
	return reportBody(state, kind, extra)
}

func linkEvent(state, page string, seq int, name string) string {
	return seqReport(state, page, seq, "event", `"event_name":"`+name+`","metadata":{"view_name":null}`)
}

func batchOf(reports ...string) string { return "[" + strings.Join(reports, ",") + "]" }

// eventNames reads n events of s as "kind:event_name".
func eventNames(t *testing.T, s *LinkSession, n int) []string {
	t.Helper()
	var got []string
	for range n {
		ev := next(t, s)
		got = append(got, strings.TrimSuffix(ev.Kind+":"+ev.EventName, ":"))
	}
	return got
}

// TestCallbackBatchKeepsOrderAndDropsDuplicates reproduces Link's
// full-page redirect to an OAuth bank: the page has OPEN_OAUTH in flight
// when it goes away and sends it again, with the reports queued behind
// it, as one keepalive batch. Whichever request arrives first, the server
// records each report once and in the order the page made them; the page
// loaded again on the OAuth return starts its own numbering.
func TestCallbackBatchKeepsOrderAndDropsDuplicates(t *testing.T) {
	want := []string{"load", "event:OPEN", "event:SELECT_INSTITUTION", "event:OPEN_OAUTH",
		"event:TRANSITION_VIEW", "event:HANDOFF", "oauth_return", "event:OPEN", "destroyed"}
	for _, order := range []string{"in-flight report first", "batch first", "concurrently"} {
		t.Run(order, func(t *testing.T) {
			ts := startTestServer(t, CallbackOptions{})
			s := ts.NewSession("oauth")
			st := s.state
			const first, second = "load-a1B2", "load-c3D4"
			for _, r := range []string{
				seqReport(st, first, 1, "load", ""),
				linkEvent(st, first, 2, "OPEN"),
				linkEvent(st, first, 3, "SELECT_INSTITUTION"),
			} {
				if code, body := ts.report(t, s, r); code != http.StatusNoContent {
					t.Fatalf("report %s: %d %s", r, code, body)
				}
			}
			inFlight := linkEvent(st, first, 4, "OPEN_OAUTH")
			batch := batchOf(inFlight, linkEvent(st, first, 5, "TRANSITION_VIEW"), linkEvent(st, first, 6, "HANDOFF"))
			post := func(body string) {
				if code, resp := ts.report(t, s, body); code != http.StatusNoContent {
					t.Errorf("report %s: %d %s", body, code, resp)
				}
			}
			switch order {
			case "in-flight report first":
				post(inFlight)
				post(batch)
			case "batch first":
				post(batch)
				post(inFlight)
			default:
				var wg sync.WaitGroup
				for _, b := range []string{inFlight, batch} {
					wg.Add(1)
					go func() { defer wg.Done(); post(b) }()
				}
				wg.Wait()
			}
			// A second copy of the whole batch changes nothing.
			post(batch)
			// Back from the bank: a new page load numbers from 1 again.
			post(seqReport(st, second, 1, "oauth_return", `"oauth_state_id":"oauth-state-1"`))
			post(linkEvent(st, second, 2, "OPEN"))
			post(reportBody(st, "destroyed", "")) // the marker: nothing after it
			got := eventNames(t, s, len(want))
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("recorded\n  %v\nwant\n  %v", got, want)
			}
			assertNothingDelivered(t, ts, s)
			if r := ts.rejected.all(); len(r) != 0 {
				t.Errorf("refused: %v", r)
			}
		})
	}
}

// TestCallbackBatchRefusals: a batch is checked report by report exactly
// as single reports are, and one bad report refuses it whole.
func TestCallbackBatchRefusals(t *testing.T) {
	ts := startTestServer(t, CallbackOptions{})
	s := ts.NewSession("x")
	other := ts.NewSession("y")
	st := s.state
	good := linkEvent(st, "p1", 1, "OPEN")
	tests := []struct {
		name, origin, body string
		want               int
	}{
		{"empty batch", ts.Addr(), `[]`, 400},
		{"batch of non-objects", ts.Addr(), `[1,2]`, 400},
		{"nested batch", ts.Addr(), batchOf(batchOf(good)), 400},
		{"report without seq in a batch", ts.Addr(), batchOf(good, reportBody(st, "load", "")), 400},
		{"forged state in a batch", ts.Addr(), batchOf(good, seqReport("forged", "p1", 2, "load", "")), 403},
		{"another session's state in a batch", ts.Addr(), batchOf(seqReport(other.state, "p1", 2, "load", ""), good), 403},
		{"unknown kind in a batch", ts.Addr(), batchOf(good, seqReport(st, "p1", 2, "pwned", "")), 400},
		{"unknown field in a batch", ts.Addr(), batchOf(good, seqReport(st, "p1", 2, "load", `"extra":1`)), 400},
		{"oversized batch", ts.Addr(), batchOf(good, seqReport(st, "p1", 2, "script_error", `"message":"`+strings.Repeat("a", MaxReportBody)+`"`)), 413},
		{"cross-origin batch", "http://evil.example", batchOf(good), 403},
		{"trailing data after a batch", ts.Addr(), batchOf(good) + `[]`, 400},
		{"page without seq", ts.Addr(), reportBody(st, "load", `"page":"p1"`), 400},
		{"seq without page", ts.Addr(), reportBody(st, "load", `"seq":1`), 400},
		{"seq zero", ts.Addr(), seqReport(st, "p1", 0, "load", ""), 400},
		{"negative seq", ts.Addr(), seqReport(st, "p1", -1, "load", ""), 400},
		{"fractional seq", ts.Addr(), reportBody(st, "load", `"page":"p1","seq":1.5`), 400},
		{"seq as a string", ts.Addr(), reportBody(st, "load", `"page":"p1","seq":"1"`), 400},
		{"seq too large", ts.Addr(), reportBody(st, "load", `"page":"p1","seq":4294967296`), 400},
		{"null seq", ts.Addr(), reportBody(st, "load", `"page":"p1","seq":null`), 400},
		{"empty page", ts.Addr(), seqReport(st, "", 1, "load", ""), 400},
		{"page with odd characters", ts.Addr(), seqReport(st, "p1<script>", 1, "load", ""), 400},
		{"page too long", ts.Addr(), seqReport(st, strings.Repeat("p", 65), 1, "load", ""), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.rejected.all())
			code, body := request(t, "POST", s.URL()+"/report", "", tt.origin, "application/json", []byte(tt.body))
			if code != tt.want {
				t.Fatalf("status %d (%s), want %d", code, body, tt.want)
			}
			if n := len(ts.rejected.all()) - before; n != 1 {
				t.Errorf("%d refusals recorded, want 1", n)
			}
			assertNothingDelivered(t, ts, s)
		})
	}
	// The good report was never accepted as part of a refused batch: it is
	// accepted now, once.
	if code, body := ts.report(t, s, good); code != http.StatusNoContent {
		t.Fatalf("good report: %d %s", code, body)
	}
	if got := eventNames(t, s, 1); got[0] != "event:OPEN" {
		t.Errorf("got %v", got)
	}
	assertNothingDelivered(t, ts, s)
}

// TestCallbackBatchPartlyRecorded: when the session log keeps only the
// first reports of a batch, those are accepted and delivered, the request
// is answered 503 naming the first report not kept, and the same batch
// sent again records only the rest, once.
func TestCallbackBatchPartlyRecorded(t *testing.T) {
	var mu sync.Mutex
	var recorded []string
	failOnce := true
	ts := startTestServer(t, CallbackOptions{
		OnReport: func(_ *LinkSession, evs []PageEvent) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			for i, ev := range evs {
				if failOnce && i == 1 {
					failOnce = false
					return i, fmt.Errorf("disk full")
				}
				recorded = append(recorded, ev.EventName)
			}
			return len(evs), nil
		},
	})
	s := ts.NewSession("partly recorded")
	st := s.state
	batch := batchOf(linkEvent(st, "load-1", 1, "OPEN"), linkEvent(st, "load-1", 2, "TRANSITION_VIEW"), linkEvent(st, "load-1", 3, "HANDOFF"))
	code, body := ts.report(t, s, batch)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "disk full") {
		t.Fatalf("partly recorded batch: %d %s, want 503 with the cause", code, body)
	}
	if code, body := ts.report(t, s, batch); code != http.StatusNoContent {
		t.Fatalf("the batch again: %d %s", code, body)
	}
	if got := strings.Join(eventNames(t, s, 3), " "); got != "event:OPEN event:TRANSITION_VIEW event:HANDOFF" {
		t.Errorf("delivered %s", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(recorded, " "); got != "OPEN TRANSITION_VIEW HANDOFF" {
		t.Errorf("recorded %s, want each once, in order", got)
	}
}
