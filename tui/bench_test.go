package tui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/store"
)

// BenchmarkFirstFrame measures what stands between starting the app and its
// first frame: building the model, Init, the first window size and View.
// The data Home shows (Items, log summary) arrives later, from commands.
func BenchmarkFirstFrame(b *testing.B) {
	s, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	env := &flows.Env{Store: s, Config: flows.Config{Mode: flows.ModeEmulated}}
	b.ReportAllocs()
	for b.Loop() {
		m := New(Options{Env: env})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if m.View() == "" {
			b.Fatal("empty first frame")
		}
	}
}

// The log sizes the log benchmarks run at.
var logSizes = []int{1_000, 10_000, 100_000}

// benchLogs are the benchmarks' logs, built once per size and process and
// removed by TestMain.
var (
	benchLogsMu  sync.Mutex
	benchLogs    = map[int]*store.Store{}
	benchLogDirs []string
)

// benchLog is a store holding n entries.
func benchLog(b *testing.B, n int) *store.Store {
	benchLogsMu.Lock()
	defer benchLogsMu.Unlock()
	if s, ok := benchLogs[n]; ok {
		return s
	}
	dir, err := os.MkdirTemp("", "tui-bench-log")
	if err != nil {
		b.Fatal(err)
	}
	benchLogDirs = append(benchLogDirs, dir)
	s := bigLogIn(b, dir, n)
	benchLogs[n] = s
	return s
}

// removeBenchLogs closes and deletes the benchmarks' logs.
func removeBenchLogs() {
	for _, s := range benchLogs {
		s.Close()
	}
	for _, d := range benchLogDirs {
		os.RemoveAll(d)
	}
}

// logApp is the app on the session log, its first page loaded.
func logApp(b *testing.B, s *store.Store) *app {
	a := newTestApp(Options{Env: &flows.Env{Store: s}})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	a.navigate(screenLog)
	a.Update(loadPage(b, a))
	if len(a.log.entries) == 0 {
		b.Fatal("no entries")
	}
	return a
}

// loadPage runs the log screen's page query, as its command does.
func loadPage(b *testing.B, a *app) logPageLoadedMsg {
	msg, err := readLogPage(context.Background(), a.c.store, a.log.filter, a.log.window, a.log.rows())
	if err != nil {
		b.Fatal(err)
	}
	msg.seq = a.log.pageSeq
	return msg
}

// BenchmarkLogView renders a frame of the session log: its cost must not
// depend on how many entries the log holds.
func BenchmarkLogView(b *testing.B) {
	for _, n := range logSizes {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			a := logApp(b, benchLog(b, n))
			b.ReportAllocs()
			for b.Loop() {
				_ = a.View()
			}
		})
	}
}

// BenchmarkLogScroll moves one row past the bottom of the table, which
// reads the next page from the store, and renders the frame: the whole cost
// of scrolling, independent of the log's size.
func BenchmarkLogScroll(b *testing.B) {
	for _, n := range logSizes {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			a := logApp(b, benchLog(b, n))
			a.log.cursor = len(a.log.entries) - 1
			b.ReportAllocs()
			for b.Loop() {
				if !a.log.older {
					a.Update(keyMsg("g"))
					a.Update(loadPage(b, a))
					a.log.cursor = len(a.log.entries) - 1
				}
				a.Update(keyMsg("down"))
				a.Update(loadPage(b, a))
				_ = a.View()
			}
		})
	}
}

// ingestPage is how many requests one op of BenchmarkOwnAppIngest records.
const ingestPage = 1000

// BenchmarkOwnAppIngest measures the recording of requests from the user's
// own app: one op is 1,000 requests the emulator served, read from its
// request log with their bodies and written to the session log, page after
// page as the poller does (sub-benchmark "ingest"); against the raw store
// insert of the same calls, already built, in the same pages ("store").
// The requests are sent to the emulator with the timer stopped.
func BenchmarkOwnAppIngest(b *testing.B) {
	kit := flowstest.New(b, flowstest.Options{Browser: flows.BrowserNone})
	env := kit.Env
	ctx := context.Background()
	sess, err := env.Store.StartSession(ctx, "app", store.ModeEmulated)
	if err != nil {
		b.Fatal(err)
	}
	var since int64
	// burst sends n requests from "the user's app" and returns them as the
	// poller reads them, for the raw baseline.
	burst := func(b *testing.B, n int) []flows.ObservedRequestDetail {
		body := `{"client_id":"my-own-app","secret":"my-own-secret-000001","institution_id":"ins_109508","country_codes":["US"]}`
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					resp, err := http.Post(kit.EmulatorURL+"/institutions/get_by_id", "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		var out []flows.ObservedRequestDetail
		for s := since; ; {
			page, err := env.Control.RequestsWithBodies(ctx, s, ownRequestBatch, env.Config.ClientID)
			if err != nil {
				b.Fatal(err)
			}
			out, s = append(out, page.Requests...), page.NextSince
			if !page.More {
				return out
			}
		}
	}
	b.Run("ingest", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			burst(b, ingestPage)
			b.StartTimer()
			added := 0
			for more := true; more; {
				var n int
				var err error
				n, since, more, err = recordOwnRequests(ctx, env.Control, env.Store, sess.ID, env.Config.ClientID, since)
				if err != nil {
					b.Fatal(err)
				}
				added += n
			}
			if added != ingestPage {
				b.Fatalf("recorded %d of %d requests", added, ingestPage)
			}
		}
		b.ReportMetric(float64(b.N*ingestPage)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("store", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			reqs := burst(b, ingestPage)
			since += int64(len(reqs)) // the "ingest" run reads on from here
			b.StartTimer()
			for start := 0; start < len(reqs); start += ownRequestBatch {
				page := reqs[start:min(start+ownRequestBatch, len(reqs))]
				recs := make([]store.Record, len(page))
				for i, r := range page {
					recs[i] = ownCall(sess.ID, r)
				}
				if _, err := env.Store.Add(ctx, recs...); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*ingestPage)/b.Elapsed().Seconds(), "req/s")
	})
}
