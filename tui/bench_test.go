package tui

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
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
