package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// post sends a Plaid API request straight to the emulator's handler (no
// socket: a 100,000-Item test makes 200,000 requests) and decodes the 200
// answer into out.
func post(t testing.TB, e *Emulator, path string, body any, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	req.Host = "127.0.0.1:7878"
	req.RemoteAddr = "127.0.0.1:50000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("PLAID-CLIENT-ID", "test-client-id")
	req.Header.Set("PLAID-SECRET", "test-secret-0123456789")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// linkItems creates n Items as an app does: /sandbox/public_token/create,
// then /item/public_token/exchange.
func linkItems(t testing.TB, e *Emulator, n int) []string {
	t.Helper()
	tokens := make([]string, 0, n)
	for range n {
		var pt struct {
			PublicToken string `json:"public_token"`
		}
		post(t, e, "/sandbox/public_token/create", map[string]any{
			"institution_id": "ins_109508", "initial_products": []string{"transactions", "auth"},
		}, &pt)
		var ex struct {
			AccessToken string `json:"access_token"`
		}
		post(t, e, "/item/public_token/exchange", map[string]any{"public_token": pt.PublicToken}, &ex)
		tokens = append(tokens, ex.AccessToken)
	}
	return tokens
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// maxBytesPerItem is issue 11's target for an idle Item's memory.
const maxBytesPerItem = 8 << 10

// TestMemoryPer100kItems links 100,000 Items and measures the live heap
// they add (after a GC, per Item): at most 8 KiB per idle Item, counting
// its accounts, its transaction history (generated, not stored), its
// public_token and its share of the request log. After a reset the heap
// goes back to about where it started.
func TestMemoryPer100kItems(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 Items: not in -short")
	}
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	linkItems(t, e, 100) // the parts made once: schema, caches
	base := heapAlloc()
	const n = 100_000
	linkItems(t, e, n)
	full := heapAlloc()
	per := float64(full-base) / n
	t.Logf("%d Items: %.0f bytes per Item (heap %d MiB -> %d MiB)", n, per, base>>20, full>>20)
	if per > maxBytesPerItem {
		t.Errorf("%.0f bytes per idle Item, want at most %d", per, maxBytesPerItem)
	}

	req := httptest.NewRequest(http.MethodPost, "/__emulator/reset", bytes.NewReader([]byte("{}")))
	req.Host = "127.0.0.1:7878"
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	after := heapAlloc()
	t.Logf("after reset: heap %d MiB", after>>20)
	// What stays: the fixed-size request log's ring. Everything the
	// Items took must go.
	if after > base+(full-base)/10 {
		t.Errorf("after reset the heap is %d MiB, want about the %d MiB before the Items (they took %d MiB)", after>>20, base>>20, (full-base)>>20)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// FreeOSMemory gave the freed pages back: the process holds little
	// more heap from the OS than it uses.
	if held := ms.HeapSys - ms.HeapReleased; held > after+(full-base)/4 {
		t.Errorf("after reset the process still holds %d MiB of heap from the OS for %d MiB in use", held>>20, after>>20)
	}
}
