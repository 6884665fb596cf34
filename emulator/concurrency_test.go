package emulator

import (
	"sync"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// TestConcurrentTokensAndItems: many goroutines create link tokens and
// Items at once (run it under -race); no Item is lost.
func TestConcurrentTokensAndItems(t *testing.T) {
	h := newHarness(t, Options{StateFile: t.TempDir() + "/state.json"})
	const workers, perWorker = 16, 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		items = map[string]string{} // item_id -> access_token
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				if _, _, err := h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute(); err != nil {
					t.Errorf("worker %d: link token: %v", w, err)
					return
				}
				pt, _, err := h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(
					*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
				if err != nil {
					t.Errorf("worker %d: public token: %v", w, err)
					return
				}
				ex, _, err := h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
				if err != nil {
					t.Errorf("worker %d: exchange: %v", w, err)
					return
				}
				if i%2 == 0 {
					if _, _, err := h.client.TransactionsSync(h.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(ex.GetAccessToken())).Execute(); err != nil {
						t.Errorf("worker %d: sync: %v", w, err)
					}
				}
				mu.Lock()
				items[ex.GetItemId()] = ex.GetAccessToken()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(items) != workers*perWorker {
		t.Fatalf("%d distinct Items, want %d", len(items), workers*perWorker)
	}
	_, out := h.control("GET", "/__emulator/items", nil)
	if n := len(out["items"].([]any)); n != workers*perWorker {
		t.Errorf("control API lists %d Items, want %d", n, workers*perWorker)
	}
	for id, access := range items {
		got := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
		if got.Item.GetItemId() != id {
			t.Fatalf("access_token of %s opens %s", id, got.Item.GetItemId())
		}
	}
}
