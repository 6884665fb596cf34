package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkexplorer/linkexplorer/internal/headless/headlesstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// refusalRows reads the rejected rows of the session log: how many rows,
// and how many refused requests they stand for (1 for a row in full, the
// metadata's count for a summary).
func refusalRows(t *testing.T, st *store.Store) (rows, refused int) {
	t.Helper()
	q := store.Query{Filter: store.Filter{Kind: store.KindEvent}, Limit: store.MaxPageSize, Bodies: true}
	for {
		page, err := st.Entries(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			if e.Event == nil || e.Event.Kind != store.EventKindRejected {
				continue
			}
			rows++
			if e.Event.EventName != RefusalSummary {
				refused++
				continue
			}
			var m struct{ Refused int }
			if err := json.Unmarshal(e.Event.Metadata, &m); err != nil || m.Refused < 2 {
				t.Fatalf("summary row %d: metadata %s (%v)", e.ID, e.Event.Metadata, err)
			}
			if !strings.Contains(e.Event.ErrorMessage, fmt.Sprintf("%d more requests refused", m.Refused)) {
				t.Errorf("summary row %d says %q, not its count %d", e.ID, e.Event.ErrorMessage, m.Refused)
			}
			refused += m.Refused
		}
		if !page.More {
			return rows, refused
		}
		q.Before = page.Next
	}
}

// refusalBound is the most rows (and run events) that refusals of
// `reasons` reasons may take within one sampling window: per reason the
// ones in full and one summary.
func refusalBound(reasons int) int { return reasons * (refusalsInFull + 1) }

// TestRefusalFloodIsSampled sends 20,000 refused requests of four reasons
// from eight clients at once: the session log gets a few rows per reason
// (the first in full, the rest in one summary row that counts them), the
// counts add up to every refusal, and the run publishes as few events.
func TestRefusalFloodIsSampled(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	c := collect(r)
	sess := env.Callback.NewSession("flood")
	base := env.Callback.Addr()
	attacks := []func() (*http.Request, error){
		func() (*http.Request, error) { // DNS rebinding: 421
			req, err := http.NewRequest("GET", base+"/", nil)
			if req != nil {
				req.Host = "attacker.example:80"
			}
			return req, err
		},
		func() (*http.Request, error) { // cross-origin report: 403
			req, err := http.NewRequest("POST", sess.URL()+"/report", strings.NewReader(`{"kind":"load"}`))
			if req != nil {
				req.Header.Set("Origin", "http://evil.example")
				req.Header.Set("Content-Type", "text/plain")
			}
			return req, err
		},
		func() (*http.Request, error) { // guessing session URLs: 404
			return http.NewRequest("GET", base+"/link/0123456789abcdef", nil)
		},
		func() (*http.Request, error) { // a simple (no preflight) cross-site form post: 415
			req, err := http.NewRequest("POST", sess.URL()+"/report", strings.NewReader(`{"kind":"load"}`))
			if req != nil {
				req.Header.Set("Content-Type", "text/plain")
			}
			return req, err
		},
	}
	const total, workers = 20000, 8
	start := time.Now()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				req, err := attacks[i%len(attacks)]()
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(req.WithContext(testwait.Context(t))); err == nil {
						resp.Body.Close()
						if resp.StatusCode < 400 {
							err = fmt.Errorf("%s %s answered %d", req.Method, req.URL, resp.StatusCode)
						}
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := env.Callback.Refused(); got != total {
		t.Fatalf("the server counted %d refusals, want %d", got, total)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, ev := range c.wait(t) {
		if ev.Kind == EventLink && ev.Link.Rejected {
			published++
		}
	}
	if err := env.Close(); err != nil { // ends the windows: their summaries are written
		t.Fatal(err)
	}
	rows, refused := refusalRows(t, env.Store)
	t.Logf("%d refusals: %d rows in the session log, %d events published to the run", total, rows, published)
	// The flood takes seconds, or minutes on a loaded machine under -race:
	// each sampling window it spans allows a set of rows per reason (no
	// assertion on the time it takes: the bound follows it).
	windows := int(time.Since(start)/DefaultRefusalWindow) + 2
	if bound := windows * refusalBound(len(attacks)); rows > bound || published > bound {
		t.Errorf("%d rows and %d run events for %d refusals, want at most %d", rows, published, total, bound)
	}
	if rows < len(attacks)*refusalsInFull {
		t.Errorf("only %d rows: the first refusals of each reason should be in full", rows)
	}
	if refused != total {
		t.Errorf("the rows count %d refusals, want %d", refused, total)
	}
}

// TestRefusalWindowsSummariseAndRestart checks the windows themselves,
// with the refusals' own times (no waiting on the clock): within a window
// the first refusals of a reason are reported in full and the rest
// counted; a refusal after the window ends its summary and starts a new
// window in full; closing reports what the open windows suppressed; and
// reasons have windows of their own.
func TestRefusalWindowsSummariseAndRestart(t *testing.T) {
	var got []string
	rs := newRefusalSampler(time.Hour, func(ev PageEvent) {
		got = append(got, fmt.Sprintf("%s:%d", ev.Kind, ev.Refused))
	})
	t0 := time.Now()
	refuse := func(kind string, n int, at time.Time) {
		for range n {
			rs.refused(PageEvent{Kind: kind, Time: at, Rejected: true, Refused: 1, RejectReason: "x"}, 403)
		}
	}
	refuse("", 50, t0)
	refuse("event", 6, t0.Add(time.Minute))
	refuse("", 7, t0.Add(time.Hour+time.Second))
	rs.close()
	want := "[:1 :1 :1 :1 :1 event:1 event:1 event:1 event:1 event:1 :45 :1 :1 :1 :1 :1 :2 event:1]"
	if fmt.Sprint(got) != want {
		t.Errorf("reported\n got %v\nwant %s", got, want)
	}
	if rs.total != 63 {
		t.Errorf("counted %d refusals, want 63", rs.total)
	}
}

// TestCrossOriginPageFloodIsSampled is the attack from a web page: a page
// on another origin, in real headless Chromium, fires 2,000 no-cors
// reports at the callback server. Each is refused, and the session log
// gets a bounded number of rows that count all of them.
func TestCrossOriginPageFloodIsSampled(t *testing.T) {
	browser := headlesstest.NewContext(t)
	env := newTestEnv(t, BrowserNone)
	sess := env.Callback.NewSession("cross-origin flood")
	const n = 2000
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><script>
window.__done = 0;
(async function () {
  for (let i = 0; i < %d; i += 50) {
    const batch = [];
    for (let j = 0; j < 50; j++) {
      batch.push(fetch(%q, {method: 'POST', mode: 'no-cors', body: '{"kind":"load"}'}).catch(function () {}));
    }
    await Promise.all(batch);
    window.__done += batch.length;
  }
})();
</script>`, n, sess.URL()+"/report")
	}))
	defer evil.Close()
	start := time.Now()
	if err := chromedp.Do(browser, chromedp.Navigate(evil.URL),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`window.__done >= %d`, n), chromedp.WithPollingTimeout(0))); err != nil { // bounded by the test's deadline, not chromedp's 30 s
		t.Fatalf("the attacking page: %v", err)
	}
	if got := env.Callback.Refused(); got != n {
		t.Fatalf("the server refused %d requests, want %d", got, n)
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	rows, refused := refusalRows(t, env.Store)
	t.Logf("%d cross-origin reports: %d rows", n, rows)
	if bound := (int(time.Since(start)/DefaultRefusalWindow) + 2) * refusalBound(1); rows > bound {
		t.Errorf("%d rows for %d refusals, want at most %d", rows, n, bound)
	}
	if refused != n {
		t.Errorf("the rows count %d refusals, want %d", refused, n)
	}
}
