package store

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The big stores the benchmarks read, built once per run (of the
// benchmarks that need them) into temporary directories that TestMain
// removes; or, when $LINKEXPLORER_BENCH_STORES names a directory, built
// there once and kept for later runs and for the scripts in bench/.
var (
	bigMu     sync.Mutex
	bigStores = map[int]string{} // rows → state directory
	bigTemp   []string           // the directories TestMain removes
)

// benchStoresEnv names the directory where big stores are kept.
const benchStoresEnv = "LINKEXPLORER_BENCH_STORES"

// benchShape names the way fillStore builds a store; a kept store of
// another shape is built again, and so is one masked with other rules
// than the current ones (maskRules is part of its name: the export masks
// such entries again, which is not what it costs on a store the app
// wrote with these rules).
const benchShape = "app-v2"

// benchStoreName is the name of a kept store of rows entries
// (bench/lib.sh builds the same name).
func benchStoreName(rows int) string {
	return fmt.Sprintf("%s-mask%d-rows-%d", benchShape, maskRules, rows)
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range bigTemp {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// benchBody is the size of a typical masked /accounts/get response.
var benchBody = []byte(`{"accounts":[{"account_id":"BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp","balances":{"available":100,"current":110,"iso_currency_code":"USD","limit":null},"mask":"0000","name":"Plaid Checking","subtype":"checking","type":"depository"}],"item":{"item_id":"eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6","institution_id":"ins_109508"},"request_id":"bkVE1BHWMAZ9Rnr"}`)

// benchRecord returns the i-th record of a big store: of every 20
// entries, 12 calls, 7 Link events and a webhook, 20 to a session.
func benchRecord(i int, session string, at time.Time) Record {
	rid := fmt.Sprintf("R%014d", i)
	switch k := i % 20; {
	case k < 12:
		c := APICall{SessionID: session, Time: at, Endpoint: "/accounts/get", HTTPStatus: 200, RequestID: rid,
			Duration: 80 * time.Millisecond, RequestBody: []byte(`{"access_token":"access-sandbox-…c0f6"}`), ResponseBody: benchBody}
		if k == 11 {
			c.HTTPStatus, c.ErrorType, c.ErrorCode = 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED"
		}
		return c
	case k < 19:
		return LinkEvent{SessionID: session, Time: at, EventName: "TRANSITION_VIEW", ViewName: "CREDENTIAL", RequestID: rid,
			LinkSessionID: fmt.Sprintf("6f1c2a3b-0000-4d5e-8f90-%012d", i/20), InstitutionName: "First Platypus Bank",
			Metadata: []byte(`{"view_name":"CREDENTIAL","timestamp":"2024-01-01T00:00:00.000Z"}`)}
	default:
		return Webhook{SessionID: session, Time: at, WebhookType: "TRANSACTIONS", WebhookCode: "SYNC_UPDATES_AVAILABLE",
			ItemID: fmt.Sprintf("item%033d", i/20)}
	}
}

// bigStore returns the directory of a store holding rows entries, one
// millisecond apart, building it the first time it is asked for.
func bigStore(b *testing.B, rows int) string {
	bigMu.Lock()
	defer bigMu.Unlock()
	if dir, ok := bigStores[rows]; ok {
		return dir
	}
	var dir string
	if keep := os.Getenv(benchStoresEnv); keep != "" {
		dir = filepath.Join(keep, benchStoreName(rows))
		if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
			bigStores[rows] = dir
			return dir
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
	} else {
		var err error
		if dir, err = os.MkdirTemp("", "linkexplorer-bench-"); err != nil {
			b.Fatal(err)
		}
		bigTemp = append(bigTemp, dir)
	}
	start := time.Now()
	if err := fillStore(dir, rows); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start).Round(time.Millisecond)
	size := int64(0)
	if fi, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		size = fi.Size()
	}
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	bigStores[rows] = dir
	b.Logf("built a store of %d entries (%d MB) in %v in %s", rows, size>>20, took, dir)
	return dir
}

// benchSessionKinds are the kinds of the big stores' sessions, in turn.
var benchSessionKinds = []string{"flow:quickstart", "flow:update-mode", "app", "flow:recovery"}

// fillStore builds a store shaped as the app writes it, through the
// store's own write path: sessions started with their owner row and ended
// (which removes it), 1 in 50 ended as abandoned, the last one still
// running, owned by this process; entries recorded as Add records them
// (masked, their kind's row, their words), 20 to a session. It runs in one
// transaction with the statements prepared once, as Add does for a batch,
// and a page cache of up to 1 GB, to take minutes rather than hours.
func fillStore(dir string, rows int) error {
	s, err := Open(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// A cache that holds the whole transaction saves spilling pages to the
	// WAL and reading them back.
	if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -1000000"); err != nil {
		return err
	}
	ins, err := prepareInserts(ctx, tx)
	if err != nil {
		return err
	}
	defer ins.close()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	host, pid := thisHost(), os.Getpid()
	var session string
	for i := range rows {
		at := base.Add(time.Duration(i) * time.Millisecond)
		if i%20 == 0 {
			n := i / 20
			session = fmt.Sprintf("s%015d", n)
			sess := Session{ID: session, Kind: benchSessionKinds[n%len(benchSessionKinds)], Mode: ModeEmulated,
				StartedAt: at, Status: SessionRunning}
			if err := insertSession(ctx, tx, sess, host, pid); err != nil {
				return err
			}
		}
		row, err := benchRecord(i, session, at).row()
		if err != nil {
			return err
		}
		if _, err := ins.insert(ctx, row); err != nil {
			return err
		}
		if i%20 == 19 && i < rows-1 {
			status, summary := SessionOK, "quickstart complete"
			if (i/20)%50 == 49 {
				status, summary = SessionAbandoned, abandonedSummary
			}
			if err := endSession(ctx, tx, session, status, summary, at); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

func openBench(b *testing.B, dir string) *Store {
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkInsert records API calls into a new store and into one of
// 1,000,000 entries: one per transaction, synced to disk
// (synchronous=FULL), and 100 per transaction.
func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	for _, rows := range []int{0, 1_000_000} {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("rows=%d/batch=%d", rows, batch), func(b *testing.B) {
				dir := b.TempDir()
				if rows > 0 {
					dir = bigStore(b, rows)
				}
				s := openBench(b, dir)
				sess, err := s.StartSession(ctx, "bench", ModeEmulated)
				if err != nil {
					b.Fatal(err)
				}
				recs := make([]Record, batch)
				n := 0
				for b.Loop() {
					for i := range recs {
						c := benchRecord(0, sess.ID, time.Time{}).(APICall) // a call, now
						c.RequestID, n = fmt.Sprintf("I%014d", n), n+1      // not one of the big store's
						recs[i] = c
					}
					if _, err := s.Add(ctx, recs...); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/row")
			})
		}
	}
}

var bigSizes = []int{100_000, 1_000_000}

// BenchmarkQueryRequestID finds one entry by request_id.
func BenchmarkQueryRequestID(b *testing.B) {
	ctx := context.Background()
	for _, rows := range bigSizes {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			s := openBench(b, bigStore(b, rows))
			for b.Loop() {
				rid := fmt.Sprintf("R%014d", rand.IntN(rows/20)*20) // a call
				page, err := s.Entries(ctx, Query{Filter: Filter{RequestID: rid}})
				if err != nil || len(page.Entries) != 1 {
					b.Fatalf("%s: %d entries, %v", rid, len(page.Entries), err)
				}
			}
		})
	}
}

// BenchmarkOpen opens (and closes) a big store, and an empty one: the
// baseline, so that the cost that grows with the log shows as a ratio.
func BenchmarkOpen(b *testing.B) {
	for _, rows := range append([]int{0}, bigSizes...) {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			dir := b.TempDir()
			if rows > 0 {
				dir = bigStore(b, rows)
			} else if s, err := Open(dir); err != nil { // created before the timing
				b.Fatal(err)
			} else {
				s.Close()
			}
			for b.Loop() {
				s, err := Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkPage reads a page of 100 entries of the log: the newest, one in
// the middle (by cursor), and filtered pages.
func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	for _, rows := range bigSizes {
		dir := ""
		for _, tc := range []struct {
			name string
			q    func() Query
		}{
			{"newest", func() Query { return Query{} }},
			{"middle", func() Query { return Query{Before: middleID(rows)} }},
			{"middle,bodies", func() Query { return Query{Before: middleID(rows), Bodies: true} }},
			{"session", func() Query { return Query{Filter: Filter{SessionID: fmt.Sprintf("s%015d", rows/40)}} }},
			{"errors", func() Query { return Query{Filter: Filter{ErrorCode: "ITEM_LOGIN_REQUIRED"}, Before: middleID(rows)} }},
			{"text", func() Query { return Query{Filter: Filter{Text: "platypus"}, Before: middleID(rows)} }},
			{"text,prefix", func() Query { return Query{Filter: Filter{Text: "plat"}, Before: middleID(rows)} }},
			{"text,prefix-of-many", func() Query { return Query{Filter: Filter{Text: "r0000"}, Before: middleID(rows)} }},
			{"text,rare", func() Query { return Query{Filter: Filter{Text: fmt.Sprintf("R%014d", rows/2)}} }},
		} {
			b.Run(fmt.Sprintf("rows=%d/%s", rows, tc.name), func(b *testing.B) {
				if dir == "" {
					dir = bigStore(b, rows)
				}
				s := openBench(b, dir)
				for b.Loop() {
					if _, err := s.Entries(ctx, tc.q()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// middleID is the id of the entry in the middle of a big store.
func middleID(rows int) int64 {
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rows/2) * time.Millisecond).UnixNano()
}

// BenchmarkCount counts the entries of a big store: all of them, and a
// session's.
func BenchmarkCount(b *testing.B) {
	ctx := context.Background()
	for _, rows := range bigSizes {
		for _, tc := range []struct {
			name string
			f    Filter
		}{{"all", Filter{}}, {"session", Filter{SessionID: fmt.Sprintf("s%015d", rows/40)}}} {
			b.Run(fmt.Sprintf("rows=%d/%s", rows, tc.name), func(b *testing.B) {
				s := openBench(b, bigStore(b, rows))
				for b.Loop() {
					if _, err := s.Count(ctx, tc.f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkExportJSON exports a whole big log as JSON (log --json), into
// io.Discard; bench/export.sh sets it against sqlite3 -json on the same
// rows. The figure is per entry.
func BenchmarkExportJSON(b *testing.B) {
	ctx := context.Background()
	for _, rows := range bigSizes {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			s := openBench(b, bigStore(b, rows))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Export(ctx, io.Discard, FormatJSON, Filter{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/entry")
		})
	}
}

// BenchmarkReadAll reads every entry of a big log with its bodies, as the
// JSON export does, and writes nothing: the floor of the export's cost
// through database/sql and modernc.org/sqlite.
func BenchmarkReadAll(b *testing.B) {
	ctx := context.Background()
	for _, rows := range bigSizes {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			s := openBench(b, bigStore(b, rows))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if err := s.each(ctx, Filter{}, true, func(Entry) error { n++; return nil }); err != nil || n != rows {
					b.Fatalf("%d entries, %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/entry")
		})
	}
}
