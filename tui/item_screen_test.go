package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// fixtureItems are n Items as the store lists them.
func fixtureItems(n int) []store.Item {
	banks := []string{"First Platypus Bank", "Tattersall Federal Credit Union", "Houndstooth Bank", "Tartan Bank"}
	var out []store.Item
	for i := range n {
		st := store.ItemHealthy
		if i == 1 {
			st = store.ItemLoginRequired
		}
		out = append(out, store.Item{
			ItemID: fmt.Sprintf("Item%02dLqv3tbzdngLDp9FL5OlDNxlNhlE55op", i), InstitutionName: banks[i%len(banks)],
			InstitutionID: "ins_10950" + fmt.Sprint(i%10), Mode: store.ModeEmulated, Status: st,
			AccessTokenMasked: "access-sandbox-…" + fmt.Sprintf("%04d", i),
		})
	}
	return out
}

func TestHomeItemsFocusSelectionAndScrolling(t *testing.T) {
	a := newTestApp(Options{})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(a, "i")
	if a.home.itemsFocused {
		t.Fatal("the Items took the focus before any was loaded")
	}
	const n = 15
	a.Update(itemsLoadedMsg{items: fixtureItems(n)})
	press(a, "down")
	if a.home.cursor != 1 || a.home.itemsFocused {
		t.Fatalf("down in the menu: cursor %d, items focused %v", a.home.cursor, a.home.itemsFocused)
	}
	press(a, "right")
	if !a.home.itemsFocused || a.home.itemCursor != 0 {
		t.Fatalf("→ did not focus the Items")
	}
	fits := a.home.itemFits()
	if fits < 2 || fits >= n {
		t.Fatalf("%d of %d Items fit at 80×24; the test needs some, not all", fits, n)
	}
	view := plain(a.View())
	if !strings.Contains(view, "▸ First Platypus Bank") || !strings.Contains(view, "+") {
		t.Errorf("the first Item is not shown selected with a +N more line:\n%s", view)
	}
	for range n - 1 {
		press(a, "down")
	}
	if a.home.itemCursor != n-1 || a.home.cursor != 1 {
		t.Fatalf("after %d downs: item %d (menu %d), want the last Item and the menu untouched", n-1, a.home.itemCursor, a.home.cursor)
	}
	view = plain(a.View())
	if !strings.Contains(view, "▸ "+fixtureItems(n)[n-1].InstitutionName) || !strings.Contains(view, "above") {
		t.Errorf("the list did not scroll to the last Item:\n%s", view)
	}
	if a.home.itemTop != n-fits {
		t.Errorf("itemTop %d, want %d", a.home.itemTop, n-fits)
	}
	press(a, "g")
	if a.home.itemCursor != 0 || a.home.itemTop != 0 {
		t.Errorf("g: item %d top %d", a.home.itemCursor, a.home.itemTop)
	}
	press(a, "G", "up")
	if a.home.itemCursor != n-2 || a.home.itemTop != n-fits {
		t.Errorf("G then up: item %d top %d; the window should not move", a.home.itemCursor, a.home.itemTop)
	}
	// A reload keeps the selection on the same Item.
	items := fixtureItems(n)
	items[0], items[n-2] = items[n-2], items[0]
	a.Update(itemsLoadedMsg{items: items})
	if a.home.itemCursor != 0 {
		t.Errorf("after a reload the cursor is on %d, want the same Item at 0", a.home.itemCursor)
	}
	press(a, "esc")
	if a.home.itemsFocused {
		t.Error("esc did not give the focus back to the menu")
	}
	if nav := exec[flowChosenMsg](t, press(a, "enter")); nav.flow.Name != "update-mode" {
		t.Errorf("enter in the menu after the Items chose %q", nav.flow.Name)
	}
}

// TestHomeItemsKeepYourOwnApp: however many Items, "Your own app" stays
// on screen, at every size, with the Items focused and scrolled.
func TestHomeItemsKeepYourOwnApp(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			a := newTestApp(Options{})
			a.c.control = &flows.Control{BaseURL: "http://127.0.0.1:43117"}
			a.Update(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			a.Update(itemsLoadedMsg{items: fixtureItems(12)})
			press(a, "i", "G")
			view := plain(a.View())
			if !strings.Contains(view, "YOUR OWN APP") || !strings.Contains(view, "▸ "+fixtureItems(12)[11].InstitutionName) {
				t.Errorf("at %dx%d the selected last Item or Your own app is missing:\n%s", sz.w, sz.h, view)
			}
		})
	}
}

func TestItemScreenKeys(t *testing.T) {
	a := sized(Options{})
	a.Update(itemsLoadedMsg{items: fixtureItems(3)})
	press(a, "i", "down", "enter")
	s := a.home.item
	if s == nil || s.it.ItemID != fixtureItems(3)[1].ItemID {
		t.Fatalf("enter did not open the selected Item")
	}
	view := plain(a.View())
	for _, want := range []string{"Item · Tattersall", "access-sandbox-…0001", "Inspect", "Use for update mode", "API console", "ITEM_LOGIN_REQUIRED"} {
		if !strings.Contains(view, want) {
			t.Errorf("the Item screen lacks %q:\n%s", want, view)
		}
	}
	// Use for update mode: the update-mode flow on this Item.
	chosen := exec[flowChosenMsg](t, press(a, "u"))
	if chosen.flow.Name != "update-mode" || chosen.opts.ItemID != s.it.ItemID {
		t.Errorf("u chose %q with %+v", chosen.flow.Name, chosen.opts)
	}
	if c := exec[openConsoleMsg](t, press(a, "a")); c.ItemID != s.it.ItemID {
		t.Errorf("a opened the console with %q", c.ItemID)
	}
	// Remove asks first; n keeps the Item.
	ask := exec[confirmationAskedMsg](t, press(a, "d"))
	if !strings.Contains(ask.question, "/item/remove") {
		t.Errorf("the question is %q", ask.question)
	}
	a.Update(ask)
	press(a, "n")
	if a.confirm != nil || s.busy != "" {
		t.Error("n did not dismiss the question, or something started")
	}
	// The webhook picker: esc closes it, then esc closes the Item.
	press(a, "w")
	if !s.picking || !strings.Contains(plain(a.View()), "SYNC_UPDATES_AVAILABLE") {
		t.Fatal("w did not open the webhook picker")
	}
	press(a, "down", "esc")
	if s.picking || a.home.item == nil {
		t.Fatal("esc in the picker closed more than the picker")
	}
	// Without an Env an action fails with a message instead of running.
	if msg := exec[failedMsg](t, press(a, "i")); msg.err != errNoEnv {
		t.Errorf("inspect without an env: %v", msg)
	}
	press(a, "esc")
	if a.home.item != nil || !a.home.itemsFocused {
		t.Error("esc did not close the Item screen back to the Items")
	}
	// A removed Item offers nothing.
	items := fixtureItems(3)
	items[2].Status = store.ItemRemoved
	a.Update(itemsLoadedMsg{items: items})
	press(a, "down", "enter")
	if n := exec[notifiedMsg](t, press(a, "r")); !strings.Contains(string(n), "removed") {
		t.Errorf("reset login on a removed Item: %q", n)
	}
}

// TestItemActionsThroughTheApp runs every action against the emulator and
// checks what the screen shows and what the session log holds.
func TestItemActionsThroughTheApp(t *testing.T) {
	kit := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone})
	env := kit.Env
	ctx := testwait.Context(t)
	f, _ := flows.FlowByName("update-mode")
	r, err := env.NewRunWith(ctx, f, flows.RunOptions{NewItem: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Next(ctx); res.Status != flows.StatusOK {
		t.Fatalf("making an Item: %s", res.Error)
	}
	itemID := r.ItemID()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	sess, err := env.Store.StartSession(ctx, "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	var clip bytes.Buffer
	a := newTestApp(Options{Env: env, SessionID: sess.ID, Clipboard: &clip})
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	a.Update(exec[itemsLoadedMsg](t, a.home.reload()))
	press(a, "i", "enter")
	if a.home.item == nil || a.home.item.it.ItemID != itemID {
		t.Fatal("the Item screen did not open on the new Item")
	}
	do := func(keys ...string) itemActionDoneMsg {
		t.Helper()
		done := exec[itemActionDoneMsg](t, press(a, keys...))
		a.Update(done)
		if done.err != nil {
			t.Fatalf("%s: %v", itemActions[done.action].title, done.err)
		}
		return done
	}
	done := do("i")
	ids := []string{done.ins.Calls[0].RequestID, done.ins.Calls[1].RequestID}
	view := plain(a.View())
	for _, want := range append(ids, "First Platypus Bank (ins_109508)", "ACCOUNTS ·", "••") {
		if !strings.Contains(view, want) {
			t.Errorf("the inspection lacks %q:\n%s", want, view)
		}
	}
	exec[notifiedMsg](t, press(a, "c"))
	exec[notifiedMsg](t, press(a, "c"))
	for _, id := range ids {
		if !strings.Contains(clip.String(), base64.StdEncoding.EncodeToString([]byte(id))) {
			t.Errorf("c did not copy request_id %s", id)
		}
	}
	// Fire SYNC_UPDATES_AVAILABLE (the first code): received and verified.
	press(a, "w")
	done = do("enter")
	if done.res.Webhook == nil {
		t.Fatalf("the webhook did not arrive: %q", done.res.Notes)
	}
	if view := plain(a.View()); !strings.Contains(view, "received TRANSACTIONS SYNC_UPDATES_AVAILABLE") || !strings.Contains(view, "verified") {
		t.Errorf("the fired webhook is not shown:\n%s", view)
	}
	done = do("r")
	if a.home.item.it.Status != store.ItemLoginRequired || !strings.Contains(plain(a.View()), "ITEM_LOGIN_REQUIRED") {
		t.Errorf("after reset login the screen shows status %q", a.home.item.it.Status)
	}
	// Inspecting now shows the error, explained.
	do("i")
	if view := plain(a.View()); !strings.Contains(view, "What to do") || !strings.Contains(view, "/accounts/get failed") {
		t.Errorf("the broken Item's inspection lacks the explained error:\n%s", view)
	}
	// Remove: asked, yes, removed.
	ask := exec[confirmationAskedMsg](t, press(a, "d"))
	a.Update(ask)
	confirmed := exec[itemRemoveConfirmedMsg](t, press(a, "y"))
	_, cmd := a.Update(confirmed)
	done = exec[itemActionDoneMsg](t, cmd)
	a.Update(done)
	if done.err != nil || a.home.item.it.Status != store.ItemRemoved {
		t.Fatalf("remove: %v, status %q", done.err, a.home.item.it.Status)
	}
	it, err := env.Store.Item(context.Background(), itemID)
	if err != nil || it.Status != store.ItemRemoved {
		t.Errorf("the store has %+v, %v", it, err)
	}
	// Every call is in the app's session with its request_id.
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	page, err := env.Store.Entries(context.Background(), store.Query{Filter: store.Filter{SessionID: sess.ID, Kind: store.KindCall}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range page.Entries {
		if e.RequestID() == "" {
			t.Errorf("%s has no request_id", e.Call.Endpoint)
		}
		got[e.Call.Endpoint]++
	}
	for _, ep := range []string{"/item/get", "/accounts/get", "/sandbox/item/fire_webhook", "/sandbox/item/reset_login", "/item/remove"} {
		if got[ep] == 0 {
			t.Errorf("no %s call in the app's session: %v", ep, got)
		}
	}
}

// inspected is an inspection as the Env returns it, fixed for goldens.
func inspected(it store.Item) itemActionDoneMsg {
	cur, avail, card := 110.0, 100.0, 410.0
	ins := &flows.ItemInspection{
		ItemID: it.ItemID, InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank",
		Webhook: "http://127.0.0.1:43118/webhook/5de5d2d012956858", Products: []string{"auth", "transactions"},
		Available: []string{"balance", "identity", "investments"}, UpdateType: "background", Status: store.ItemHealthy,
		LastWebhookCode: "SYNC_UPDATES_AVAILABLE", LastWebhookAt: func() *time.Time { t := at(20); return &t }(),
		Accounts: []flows.ItemAccount{
			{Name: "Plaid Checking", Mask: "0000", Type: "depository", Subtype: "checking", Current: &cur, Available: &avail, Currency: "USD"},
			{Name: "Plaid Credit Card", Mask: "3333", Type: "credit", Subtype: "credit card", Current: &card, Currency: "USD"},
		},
		Calls: []flows.Call{
			{Time: at(30), Method: "POST", Endpoint: "/item/get", HTTPStatus: 200, RequestID: "ReqItemGet0001", Duration: 12 * time.Millisecond},
			{Time: at(30), Method: "POST", Endpoint: "/accounts/get", HTTPStatus: 200, RequestID: "ReqAccounts001", Duration: 9 * time.Millisecond},
		},
	}
	return itemActionDoneMsg{itemID: it.ItemID, action: actInspect, ins: ins}
}

func TestGoldenHomeItemsFocused(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			a := newTestApp(Options{})
			a.c.control = &flows.Control{BaseURL: "http://127.0.0.1:43117"}
			goldenSize(t, a, sz[0], sz[1], []string{"Item15Lqv3", "above"},
				itemsLoadedMsg{items: fixtureItems(20)}, keyMsg("i"), keyMsg("G"), keyMsg("up"), keyMsg("up"), keyMsg("up"), keyMsg("up"))
		})
	}
}

func TestGoldenItemScreen(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			a := newTestApp(Options{})
			items := fixtureItems(2)
			goldenSize(t, a, sz[0], sz[1], []string{"ReqAccounts001", "Institution"},
				itemsLoadedMsg{items: items}, keyMsg("i"), keyMsg("enter"), inspected(items[0]))
		})
	}
}

func TestGoldenItemWebhookPicker(t *testing.T) {
	a := newTestApp(Options{})
	items := fixtureItems(2)
	goldenSize(t, a, 80, 24, []string{"NEW_ACCOUNTS_AVAILABLE", "Link in"},
		itemsLoadedMsg{items: items}, keyMsg("i"), keyMsg("enter"), keyMsg("w"), keyMsg("down"), keyMsg("down"))
}
