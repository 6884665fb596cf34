package emulator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"
)

// restart closes an emulator (its last save) and starts another on the
// same state file.
func restart(t *testing.T, h *harness, path string) *harness {
	t.Helper()
	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return newHarness(t, Options{StateFile: path})
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestStateSaveCostsWhatChanged: with 300 Items saved, a change to one
// Item is one journal record (a few KiB at most), not a rewrite of the
// snapshot; it survives a restart; the journal is 0600; a record cut short
// by a crash is dropped; records the snapshot already holds are not
// replayed again.
func TestStateSaveCostsWhatChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	journalPath := path + journalSuffix
	h := newHarness(t, Options{StateFile: path})
	var access []string
	for range 300 {
		a, _ := h.newItem("")
		access = append(access, a)
	}
	// The periodic saves during the 300 creations may have journaled
	// some of them after the file's first snapshot; a change not tracked
	// per Item makes the save at Close a snapshot that empties the journal.
	h.emu.changed()
	h = restart(t, h, path)
	snapBefore, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fileSize(t, journalPath) != 0 {
		t.Fatalf("a journal after the first snapshot: %d bytes", fileSize(t, journalPath))
	}

	// One change: one record in the journal, the snapshot untouched.
	res(h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(plaid.ItemWebhookUpdateRequest{
		AccessToken: access[7], Webhook: *plaid.NewNullableString(plaid.PtrString("http://127.0.0.1:9/changed")),
	}).Execute()).must(t)
	h = restart(t, h, path)
	snapAfter, _ := os.ReadFile(path)
	jsize := fileSize(t, journalPath)
	t.Logf("snapshot %d bytes for 300 Items; one changed Item: %d bytes of journal", len(snapBefore), jsize)
	if string(snapAfter) != string(snapBefore) {
		t.Errorf("the snapshot was rewritten for one changed Item")
	}
	if jsize == 0 || jsize > 8<<10 {
		t.Errorf("the journal holds %d bytes for one changed Item, want a record of at most 8 KiB", jsize)
	}
	if fi, err := os.Stat(journalPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}
	item := res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access[7])).Execute()).must(t)
	if item.Item.GetWebhook() != "http://127.0.0.1:9/changed" {
		t.Errorf("the change did not survive the restart: webhook %q", item.Item.GetWebhook())
	}

	// A crash in the middle of an append leaves half a record: dropped.
	res(h.client.ItemRemove(h.ctx).ItemRemoveRequest(*plaid.NewItemRemoveRequest(access[8])).Execute()).must(t)
	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	whole, _ := os.ReadFile(journalPath)
	if err := os.WriteFile(journalPath, append(whole, `{"seq":99,"op":"del_item","id":"`...), 0o600); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, Options{StateFile: path})
	if got, _ := os.ReadFile(journalPath); string(got) != string(whole) {
		t.Errorf("the cut-short record was not cut off the journal")
	}
	if _, _, err := h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access[8])).Execute(); err == nil {
		t.Errorf("the removed Item came back")
	}
	res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access[9])).Execute()).must(t)

	// A snapshot, then a crash before the journal was emptied: the
	// journal's records are in the snapshot and are not applied again
	// (here the webhook update would undo a later change).
	res(h.client.ItemWebhookUpdate(h.ctx).ItemWebhookUpdateRequest(plaid.ItemWebhookUpdateRequest{
		AccessToken: access[7], Webhook: *plaid.NewNullableString(plaid.PtrString("http://127.0.0.1:9/later")),
	}).Execute()).must(t)
	h.emu.changed() // a change not tracked per Item: the save writes a snapshot
	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	if fileSize(t, journalPath) != 0 {
		t.Errorf("the journal was not emptied by the snapshot")
	}
	// whole holds the earlier records: seqs the snapshot includes.
	if err := os.WriteFile(journalPath, whole, 0o600); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, Options{StateFile: path})
	item = res(h.client.ItemGet(h.ctx).ItemGetRequest(*plaid.NewItemGetRequest(access[7])).Execute()).must(t)
	if item.Item.GetWebhook() != "http://127.0.0.1:9/later" {
		t.Errorf("records already in the snapshot were replayed: webhook %q", item.Item.GetWebhook())
	}
}
