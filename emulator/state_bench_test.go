package emulator

import (
	"fmt"
	"path/filepath"
	"testing"
)

// The state file's write cost and the memory an Item takes. bench/
// emulator-state.sh runs these; bench/README.md has this machine's
// numbers.

// benchStateEmulator is an emulator with a state file holding n Items,
// saved, whose background saver is stopped so that the benchmark makes
// the saves itself.
func benchStateEmulator(b *testing.B, n int) *Emulator {
	b.Helper()
	e, err := New(Options{StateFile: filepath.Join(b.TempDir(), "state.json")})
	if err != nil {
		b.Fatal(err)
	}
	close(e.saver.done) // the benchmark saves; pokes fill the channel and are ignored
	<-e.saver.stopped
	b.Cleanup(e.closeJournal)
	linkItems(b, e, n)
	if err := e.compact(); err != nil {
		b.Fatal(err)
	}
	e.track.dirty = dirtySet{}
	return e
}

// BenchmarkStateSave is the cost of saving one changed Item with n Items
// in the state: "journal" appends its record and syncs (what a change
// costs now), "snapshot" rewrites and syncs the whole state file, as every
// save did before (the baseline, in the same run).
func BenchmarkStateSave(b *testing.B) {
	for _, n := range []int{1_000, 5_000} {
		e := benchStateEmulator(b, n)
		var it *item
		for _, v := range e.st.items {
			it = v
			break
		}
		b.Run(fmt.Sprintf("items=%d/journal", n), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				e.mu.Lock()
				it.Webhook = fmt.Sprintf("http://127.0.0.1:9/hook/%d", i)
				e.mu.Unlock()
				e.changedItem(it)
				if err := e.persist(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("items=%d/snapshot", n), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				e.mu.Lock()
				it.Webhook = fmt.Sprintf("http://127.0.0.1:9/hook/%d", i)
				e.mu.Unlock()
				e.changed()
				if err := e.persist(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMemoryPerItem reports the live heap per linked, idle Item
// (B/item), over 20,000 Items, beside the target of 8 KiB.
func BenchmarkMemoryPerItem(b *testing.B) {
	const n = 20_000
	for b.Loop() {
		e, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		linkItems(b, e, 100)
		base := heapAlloc()
		linkItems(b, e, n)
		per := float64(heapAlloc()-base) / n
		b.ReportMetric(per, "B/item")
		b.ReportMetric(per/maxBytesPerItem, "x-target")
		e.Close()
	}
}
