package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// Home's Items: focus, selection and scrolling. → (or i) moves the keys
// from the menu into the Items, ← or esc moves them back; enter opens the
// selected Item's screen (item_screen.go).

// setItems takes a fresh list of Items, keeping the selection on the same
// Item when it is still there, and the open Item's screen up to date.
func (h *homeScreen) setItems(items []store.Item) {
	selected := ""
	if h.itemCursor < len(h.items) {
		selected = h.items[h.itemCursor].ItemID
	}
	h.items, h.itemsKnown = items, true
	h.itemCursor = min(h.itemCursor, max(len(items)-1, 0))
	for i, it := range items {
		if it.ItemID == selected {
			h.itemCursor = i
		}
		if h.item != nil && it.ItemID == h.item.it.ItemID {
			h.item.it = it
		}
	}
	if len(items) == 0 {
		h.itemsFocused = false
	}
	h.itemTop = h.visibleTop(h.itemFits())
}

// focusItems gives the keys to the Items, if there are any.
func (h *homeScreen) focusItems() tea.Cmd {
	if len(h.items) == 0 {
		if !h.itemsKnown {
			return notify("the Items are still loading")
		}
		return notify("no Items yet: run the Quickstart to link one")
	}
	h.itemsFocused = true
	h.itemTop = h.visibleTop(h.itemFits())
	return nil
}

// itemsKey handles a key while the Items have the focus.
func (h *homeScreen) itemsKey(msg tea.KeyMsg) tea.Cmd {
	k := h.keys
	page := max(h.itemFits(), 1)
	switch {
	case key.Matches(msg, k.Flows):
		h.itemsFocused = false
	case key.Matches(msg, k.Up):
		h.moveItem(-1)
	case key.Matches(msg, k.Down):
		h.moveItem(1)
	case key.Matches(msg, k.PageUp):
		h.moveItem(-page)
	case key.Matches(msg, k.PageDown):
		h.moveItem(page)
	case key.Matches(msg, k.Top):
		h.moveItem(-len(h.items))
	case key.Matches(msg, k.Bottom):
		h.moveItem(len(h.items))
	case key.Matches(msg, k.OpenItem):
		return h.openItem()
	}
	return nil
}

func (h *homeScreen) moveItem(d int) {
	h.itemCursor = min(max(h.itemCursor+d, 0), max(len(h.items)-1, 0))
	h.itemTop = h.visibleTop(h.itemFits())
}

// visibleTop is the first Item shown when fits of them fit: the window
// moves only as far as it takes to show the selected one.
func (h *homeScreen) visibleTop(fits int) int {
	top := h.itemTop
	if h.itemCursor < top {
		top = h.itemCursor
	}
	if fits > 0 && h.itemCursor >= top+fits {
		top = h.itemCursor - fits + 1
	}
	return min(max(top, 0), max(len(h.items)-fits, 0))
}

// itemsArea is where View draws the Items: their column's width and
// height, and whether "Your own app" is drawn under them there.
func (h *homeScreen) itemsArea() (w, height int, withOwnApp bool) {
	if h.width >= 84 {
		left := (h.width - 2) / 2
		return h.width - left - 2, max(h.height-len(h.ownAppLines(h.width)), 1), false
	}
	menu := h.narrowMenu()
	return h.width, h.height - strings.Count(menu, "\n") - 2, true
}

// narrowMenu is the menu above the Items on a narrow terminal. When the
// Items have the focus it folds to a line, so that they have the room;
// otherwise it gives up, in turn, the selected entry's summary, then the
// log's newest entry and its blank lines, until the Items' title, a line
// for them and "Your own app" (tight) fit under it.
func (h *homeScreen) narrowMenu() string {
	if h.itemsFocused {
		return h.c.styles.Muted.Render(truncate("← Flows · Session log · Migration", h.width))
	}
	need := 2 + len(h.ownAppLinesTight(h.width))
	var menu string
	for _, form := range []menuForm{menuFull, menuNoSummary, menuCompact} {
		menu = h.menuView(h.width, form)
		rest := h.height - strings.Count(menu, "\n") - 2
		if rest >= len(h.ownAppLines(h.width))+2 || (form != menuFull && rest >= need) {
			break
		}
	}
	return menu
}

// itemsRoom is "Your own app" as drawn under the Items in a column of
// height lines, and how many Items fit above it.
func (h *homeScreen) itemsRoom(w, height int, withOwnApp bool) (own []string, fits int) {
	if withOwnApp {
		own = h.ownAppLines(w)
		if height-1-len(own) < 1 {
			own = h.ownAppLinesTight(w)
		}
	}
	return own, itemSlots(height-1-len(own), len(h.items))
}

// itemFits is how many Items View shows at once now.
func (h *homeScreen) itemFits() int {
	_, fits := h.itemsRoom(h.itemsArea())
	return fits
}

// itemSlots is how many of n Items (two lines each) fit in room lines,
// keeping a line for "+N more" when not all do.
func itemSlots(room, n int) int {
	fits := max(room/2, 0)
	if n > fits {
		fits = max((room-1)/2, 0)
	}
	return fits
}

// moreItemsLine says which Items are not shown ("" when all are).
func moreItemsLine(top, fits, n int) string {
	if n <= fits {
		return ""
	}
	below := n - top - fits
	switch {
	case top == 0:
		return fmt.Sprintf("+%d more (all in the session log: linkexplorer log)", below)
	case below > 0:
		return fmt.Sprintf("↑ %d above · +%d more below", top, below)
	}
	return fmt.Sprintf("↑ %d above", top)
}

// openItem opens the selected Item's screen.
func (h *homeScreen) openItem() tea.Cmd {
	if h.itemCursor >= len(h.items) {
		return nil
	}
	h.item = newItemScreen(h.c, h.items[h.itemCursor], h.flowNamed("update-mode"))
	h.item.width, h.item.height = h.width, h.height
	return nil
}

// itemKey handles a key while an Item's screen is open; esc there closes
// it, back to the Items.
func (h *homeScreen) itemKey(msg tea.KeyMsg) tea.Cmd {
	cmd, closed := h.item.key(msg)
	if closed {
		h.item = nil
		return h.reload()
	}
	return cmd
}

func itemName(it store.Item) string {
	return oneLine(firstNonEmpty(it.InstitutionName, it.InstitutionID, it.ItemID))
}

// itemStatusText is itemStatus without styles, for a selected row.
func itemStatusText(status string) string {
	switch status {
	case store.ItemHealthy:
		return "✓ healthy"
	case store.ItemRemoved:
		return "– removed"
	case store.ItemLoginRequired:
		return "! " + status
	}
	return "✗ " + oneLine(status)
}

// itemSummary is the selected Item's line under the menu.
func itemSummary(it store.Item) string {
	if it.Status == store.ItemRemoved {
		return it.ItemID + " was removed (/item/remove): its access_token no longer works. It stays here for its history in the session log."
	}
	return it.ItemID + " · access_token " + firstNonEmpty(it.AccessTokenMasked, "not saved") +
		". enter opens its actions: inspect it (/item/get, /accounts/get), use it for update mode, fire a sandbox webhook, reset its login, remove it, or call any endpoint with it in the API console."
}

// flowNamed finds one of Home's flows by name.
func (h *homeScreen) flowNamed(name string) *flows.Flow {
	for _, f := range h.flows {
		if f.Name == name {
			return f
		}
	}
	return nil
}
