package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

func TestStatePersistsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	recv := newWebhookReceiver(t, http.StatusOK)
	first := newHarness(t, Options{StateFile: path})
	access, itemID := first.newItem(recv.url("/hook"))
	syncBefore := res(first.client.TransactionsSync(first.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(access)).Execute()).must(t)
	res(first.client.SandboxItemResetLogin(first.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	lt := res(first.client.LinkTokenCreate(first.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
	pt := res(first.client.SandboxPublicTokenCreate(first.ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})).Execute()).must(t)
	first.control("POST", "/__emulator/clock/advance", map[string]any{"seconds": 60})
	first.srv.Close()
	if err := first.emu.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("state file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".state.json.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	second := newHarness(t, Options{StateFile: path})
	item := res(second.client.ItemGet(second.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access)).Execute()).must(t)
	if ie := item.Item.GetError(); item.Item.GetItemId() != itemID || item.Item.GetWebhook() != recv.url("/hook") || ie.ErrorCode != "ITEM_LOGIN_REQUIRED" {
		t.Errorf("Item after restart: %+v", item.Item)
	}
	got := res(second.client.LinkTokenGet(second.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(lt.GetLinkToken())).Execute()).must(t)
	if !got.GetExpiration().Equal(lt.GetExpiration()) {
		t.Errorf("link_token expiration %v, want %v", got.GetExpiration(), lt.GetExpiration())
	}
	res(second.client.ItemPublicTokenExchange(second.ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()).must(t)
	if _, err := second.emu.RepairItem(itemID); err != nil {
		t.Fatal(err)
	}
	syncAfter := res(second.client.TransactionsSync(second.ctx).TransactionsSyncRequest(*plaid.NewTransactionsSyncRequest(access)).Execute()).must(t)
	if len(syncAfter.Added) != len(syncBefore.Added) || syncAfter.Added[0].TransactionId != syncBefore.Added[0].TransactionId {
		t.Errorf("transactions changed across the restart")
	}
	_, clock := second.control("GET", "/__emulator/clock", nil)
	if clock["offset_seconds"] != float64(60) {
		t.Errorf("clock offset after restart: %v", clock)
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: corrupt}); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("corrupt state file: %v", err)
	}
	future := filepath.Join(dir, "future.json")
	if err := os.WriteFile(future, []byte(`{"version":99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: future}); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("future state file: %v", err)
	}

	missing := filepath.Join(dir, "missing.json")
	emu, err := New(Options{StateFile: missing})
	if err != nil {
		t.Fatalf("a missing state file is an empty state: %v", err)
	}
	if err := emu.Close(); err != nil {
		t.Errorf("closing an emulator with a new state file: %v", err)
	}

	// A path it cannot write is refused at start-up, not when it saves.
	missingDir := filepath.Join(dir, "no", "such", "dir", "state.json")
	if _, err := New(Options{StateFile: missingDir}); err == nil || !strings.Contains(err.Error(), "cannot write the state file") {
		t.Errorf("a state file in a missing directory: %v", err)
	}
}
