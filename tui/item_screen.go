package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// An Item's screen, opened from Home's Items: the Item, its actions, and
// the outcome of the last one. The actions run in commands through the
// Env (flows/items.go), whose recorded client puts each call, with its
// request_id, in the session log.

type itemAction int

const (
	actInspect itemAction = iota
	actUpdate
	actWebhook
	actReset
	actRemove
	actConsole
)

// itemActions are the actions in menu order: their titles, their
// endpoints and what they do.
var itemActions = []struct{ title, endpoint, explain string }{
	{"Inspect", "/item/get, /accounts/get", "Calls /item/get and /accounts/get with the Item's access_token: its institution, products, consent expiration, error, webhook and accounts with their balances."},
	{"Use for update mode", "/link/token/create", "Runs the Update mode flow on this Item rather than the latest one: an update-mode link_token made with its access_token, then Link."},
	{"Fire a sandbox webhook", "/sandbox/item/fire_webhook", "Asks Sandbox to send the Item's webhook one of the codes it can fire; offline, linkexplorer's receiver gets it, checks its signature, and records it in the session log."},
	{"Reset login", "/sandbox/item/reset_login", "Breaks the Item's login as a changed bank password would: ITEM_LOGIN_REQUIRED, until update mode repairs it."},
	{"Remove", "/item/remove", "Removes the Item: its access_token stops working for good. Asks first."},
	{"API console", "any endpoint", "Opens the API console with this Item selected: any endpoint, with its access_token filled in without ever showing it."},
}

// itemActionTimeout bounds one action (fire_webhook waits a little for
// its webhook).
const itemActionTimeout = 2 * time.Minute

// itemActionDoneMsg: an action on an Item returned.
type itemActionDoneMsg struct {
	reqID  int
	itemID string
	action itemAction
	ins    *flows.ItemInspection
	res    *flows.ItemActionResult
	err    error
}

// itemRemoveConfirmedMsg: the user agreed to remove the Item.
type itemRemoveConfirmedMsg struct{ itemID string }

type itemScreen struct {
	c          *common
	keys       itemKeys
	it         store.Item
	updateFlow *flows.Flow // the update-mode flow; nil when Home has none

	cursor  int
	picking bool // choosing a webhook code
	pick    int
	busy    string // what runs now; "" when idle
	reqID   int

	// The last action's outcome.
	done     itemAction
	finished bool
	ins      *flows.ItemInspection
	res      *flows.ItemActionResult
	err      error
	calls    []flows.Call
	copyNext int
	scroll   int

	width, height int
}

func newItemScreen(c *common, it store.Item, update *flows.Flow) *itemScreen {
	return &itemScreen{c: c, keys: c.keys.Item, it: it, updateFlow: update}
}

func (s *itemScreen) removed() bool { return s.it.Status == store.ItemRemoved }

// key handles a key; closed reports that esc closed the screen.
func (s *itemScreen) key(msg tea.KeyMsg) (cmd tea.Cmd, closed bool) {
	k := s.keys
	if s.picking {
		switch {
		case key.Matches(msg, k.Back):
			s.picking = false
		case key.Matches(msg, k.Up):
			s.pick = max(s.pick-1, 0)
		case key.Matches(msg, k.Down):
			s.pick = min(s.pick+1, len(flows.FirableWebhooks)-1)
		case key.Matches(msg, k.Run):
			s.picking = false
			return s.start(actWebhook, flows.FirableWebhooks[s.pick].Code), false
		}
		return nil, false
	}
	switch {
	case key.Matches(msg, k.Back):
		return nil, true
	case key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(itemActions)-1)
	case key.Matches(msg, k.Run):
		return s.run(itemAction(s.cursor)), false
	case key.Matches(msg, k.Copy):
		return s.copyRequestID(), false
	case key.Matches(msg, k.ScrollUp):
		s.scroll = max(s.scroll-max(s.height/2, 1), 0)
	case key.Matches(msg, k.ScrollDown):
		s.scroll = min(s.scroll+max(s.height/2, 1), s.maxScroll())
	default:
		for a, b := range map[itemAction]key.Binding{actInspect: k.Inspect, actUpdate: k.Update, actWebhook: k.Webhook,
			actReset: k.Reset, actRemove: k.Remove, actConsole: k.Console} {
			if key.Matches(msg, b) {
				s.cursor = int(a)
				return s.run(a), false
			}
		}
	}
	return nil, false
}

func (s *itemScreen) wheel(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		s.scroll = max(s.scroll-3, 0)
	case tea.MouseButtonWheelDown:
		s.scroll = min(s.scroll+3, s.maxScroll())
	}
}

// run starts an action, or says why it cannot.
func (s *itemScreen) run(a itemAction) tea.Cmd {
	id := s.it.ItemID
	switch {
	case s.removed():
		return notify("Item " + id + " was removed: its access_token no longer works, so no action can run; link a new Item with the Quickstart")
	case s.busy != "":
		return notify("wait for " + s.busy + " to finish")
	}
	switch a {
	case actUpdate:
		f := s.updateFlow
		if f == nil {
			return notify("the Update mode flow is not available here")
		}
		return func() tea.Msg { return flowChosenMsg{flow: f, opts: flows.RunOptions{ItemID: id}} }
	case actWebhook:
		s.picking = true
		return nil
	case actRemove:
		q := fmt.Sprintf("Remove Item %s (%s) with /item/remove? Its access_token stops working for good.", id, itemName(s.it))
		return ask(q, func() tea.Msg { return itemRemoveConfirmedMsg{itemID: id} })
	case actConsole:
		return func() tea.Msg { return openConsoleMsg{ItemID: id} }
	}
	return s.start(a, "")
}

// start runs an action that calls the API, in a command.
func (s *itemScreen) start(a itemAction, code string) tea.Cmd {
	if s.c.env == nil {
		return func() tea.Msg { return failedMsg{reason: "running " + itemActions[a].title, err: errNoEnv} }
	}
	s.reqID = s.c.nextID()
	s.busy = itemActions[a].title + " (" + itemActions[a].endpoint + ")"
	if code != "" {
		s.busy = "firing " + code + " (/sandbox/item/fire_webhook)"
	}
	return itemActionCmd(s.c.env, s.c.sessionID, s.reqID, s.it.ItemID, a, code)
}

// itemActionCmd runs an action through the Env, in the app's session.
func itemActionCmd(env *flows.Env, session string, reqID int, itemID string, a itemAction, code string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), itemActionTimeout)
		defer cancel()
		ctx = flows.WithSession(ctx, session)
		msg := itemActionDoneMsg{reqID: reqID, itemID: itemID, action: a}
		var res flows.ItemActionResult
		switch a {
		case actInspect:
			ins, err := env.InspectItem(ctx, itemID)
			msg.ins, msg.err = &ins, err
			return msg
		case actWebhook:
			res, msg.err = env.FireWebhook(ctx, itemID, code)
		case actReset:
			res, msg.err = env.ResetLogin(ctx, itemID)
		case actRemove:
			res, msg.err = env.RemoveItem(ctx, itemID)
		}
		msg.res = &res
		return msg
	}
}

// update takes the messages meant for the Item's screen.
func (s *itemScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case itemActionDoneMsg:
		if msg.reqID != s.reqID || msg.itemID != s.it.ItemID {
			return nil
		}
		s.busy, s.finished, s.done = "", true, msg.action
		s.ins, s.res, s.err, s.scroll, s.copyNext = msg.ins, msg.res, msg.err, 0, 0
		s.calls = nil
		switch {
		case msg.ins != nil:
			s.calls = msg.ins.Calls
			if msg.ins.Status != "" {
				s.it.Status = msg.ins.Status
			}
		case msg.res != nil:
			s.calls = msg.res.Calls
			if msg.res.Status != "" {
				s.it.Status = msg.res.Status
			}
		}
	case itemRemoveConfirmedMsg:
		if msg.itemID == s.it.ItemID {
			return s.start(actRemove, "")
		}
	}
	return nil
}

// copyRequestID copies the last action's request_ids, one per press.
func (s *itemScreen) copyRequestID() tea.Cmd {
	var ids []flows.Call
	for _, c := range s.calls {
		if c.RequestID != "" {
			ids = append(ids, c)
		}
	}
	if len(ids) == 0 {
		return copyText(s.c.clipboard, "request_id", "")
	}
	c := ids[s.copyNext%len(ids)]
	s.copyNext++
	return copyText(s.c.clipboard, "request_id", c.RequestID)
}

// ShortHelp is the footer's help.
func (s *itemScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.picking {
		fire, cancel := k.Run, k.Back
		fire.SetHelp("enter", "fire")
		cancel.SetHelp("esc", "cancel")
		return []key.Binding{k.Up, k.Down, fire, cancel}
	}
	out := []key.Binding{k.Up, k.Down, k.Run}
	if len(s.calls) > 0 {
		out = append(out, k.Copy)
	}
	return append(out, k.Back)
}

// FullHelp is the help screen's.
func (s *itemScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.Run, k.Back}, {k.Inspect, k.Update, k.Webhook}, {k.Reset, k.Remove, k.Console},
		{k.Copy, k.ScrollUp, k.ScrollDown}}
}

// view draws the Item's screen in w×h.
func (s *itemScreen) view(w, h int) string {
	st := s.c.styles
	status := itemStatus(st, s.it.Status)
	title := st.Title.Render(truncate("Item · "+itemName(s.it), max(w-lipgloss.Width(status)-1, 1)))
	head := []string{pad(title, w-lipgloss.Width(status)) + status}
	for _, l := range s.idLines(w) {
		head = append(head, st.Muted.Render(truncate(l, w)))
	}
	head = append(head, "")
	bodyH := max(h-len(head), 1)
	var body string
	if w >= 76 {
		left := 28
		right := w - left - 2
		body = lipgloss.JoinHorizontal(lipgloss.Top, fit(s.actionsView(left), left, bodyH), "  ", s.pane(right, bodyH))
	} else {
		actions := s.actionsView(w)
		n := strings.Count(actions, "\n") + 2
		if s.picking || bodyH-n < 6 {
			body = s.pane(w, bodyH)
		} else {
			body = actions + "\n\n" + s.pane(w, bodyH-n)
		}
	}
	return fit(strings.Join(head, "\n")+"\n"+body, w, h)
}

// idLines name the Item and its masked access_token: on one line when it
// fits, else two.
func (s *itemScreen) idLines(w int) []string {
	tok := s.it.AccessTokenMasked
	if tok == "" {
		tok = "not saved"
	}
	id := fmt.Sprintf("item_id %s · %s", s.it.ItemID, s.it.Mode)
	access := fmt.Sprintf("access_token %s (never shown in full)", tok)
	if lipgloss.Width(id+" · "+access) <= w {
		return []string{id + " · " + access}
	}
	return []string{id, access}
}

func (s *itemScreen) actionsView(w int) string {
	st := s.c.styles
	k := s.keys
	keys := []key.Binding{k.Inspect, k.Update, k.Webhook, k.Reset, k.Remove, k.Console}
	lines := []string{sectionTitle(st, "Actions", w)}
	for i, a := range itemActions {
		hint := keys[i].Help().Key
		label := a.title
		text := pad("  "+label, w-3) + " " + hint
		switch {
		case s.removed():
			lines = append(lines, st.Muted.Render(truncate("  "+label, w)))
		case i == s.cursor && !s.picking:
			lines = append(lines, st.Selected.Render(pad("▸ "+label, w-3)+" "+hint))
		default:
			lines = append(lines, st.Text.Render(text))
		}
	}
	return strings.Join(lines, "\n")
}

// pane is the right (or lower) pane, w×h: the webhook picker, the action
// running, the last outcome, or what the selected action does; scrolled.
func (s *itemScreen) pane(w, h int) string {
	lines := s.paneLines(w)
	top := min(s.scroll, max(len(lines)-h, 0))
	if s.picking {
		top = max(min(top, s.pick+1), s.pick+3-h) // keep the chosen code in view
		top = max(top, 0)
	}
	if len(lines)-top > h && h > 1 {
		shown := lines[top : top+h-1]
		more := s.c.styles.Muted.Render(truncate(fmt.Sprintf("── %d more lines · pgdn ──", len(lines)-top-h+1), w))
		return fit(strings.Join(append(shown, more), "\n"), w, h)
	}
	return fit(strings.Join(lines[min(top, len(lines)):], "\n"), w, h)
}

// maxScroll is how far the pane scrolls.
func (s *itemScreen) maxScroll() int {
	w := s.width
	if w >= 76 {
		w -= 30
	}
	return max(len(s.paneLines(max(w, 10)))-2, 0)
}

func (s *itemScreen) paneLines(w int) []string {
	st := s.c.styles
	var lines []string
	add := func(block string) { lines = append(lines, strings.Split(block, "\n")...) }
	switch {
	case s.removed() && !s.finished:
		add(wrap(st.Muted.Render("This Item was removed with /item/remove: its access_token no longer works, so none of its actions can run. It stays in the list for its history in the session log (linkexplorer log --item-id "+s.it.ItemID+"). Link a new Item with the Quickstart."), w))
	case s.picking:
		s.pickerLines(w, add)
	case s.busy != "":
		add(st.Pointer.Render("⋯ ") + wrap(st.Text.Render(s.busy+"…"), w-2))
	case s.finished:
		s.outcomeLines(w, add)
	default:
		a := itemActions[s.cursor]
		add(actionTitle(st, a.title, a.endpoint, w))
		add(wrap(st.Text.Render(a.explain), w))
		add("")
		add(wrap(st.Muted.Render("enter runs it; each action's letter runs it at once. Every call is recorded in the session log with its request_id."), w))
	}
	return lines
}

func (s *itemScreen) pickerLines(w int, add func(string)) {
	st := s.c.styles
	add(actionTitle(st, "Fire a sandbox webhook", "/sandbox/item/fire_webhook", w))
	codeW := 0
	for _, c := range flows.FirableWebhooks {
		codeW = max(codeW, len(c.Code))
	}
	for i, c := range flows.FirableWebhooks {
		row := fmt.Sprintf("%-*s  %s", codeW, c.Code, c.Type)
		if i == s.pick {
			add(st.Selected.Render(pad("▸ "+row, w)))
		} else {
			add(st.Text.Render(truncate("  "+row, w)))
		}
	}
	c := flows.FirableWebhooks[s.pick]
	add("")
	needs := ""
	if c.Product != "" {
		needs = "Needs the " + c.Product + " product. "
	}
	add(wrap(st.Muted.Render(needs+c.Explain), w))
}

func (s *itemScreen) outcomeLines(w int, add func(string)) {
	st := s.c.styles
	a := itemActions[s.done]
	add(actionTitle(st, a.title, a.endpoint, w))
	s.requestIDLines(w, add)
	if s.ins != nil && s.err == nil {
		s.inspectionLines(w, add)
	} else if s.err != nil {
		add(errorView(st, s.err, w))
	} else if r := s.res; r != nil {
		add(st.OK.Render("✓ done") + st.Muted.Render(" · Item status ") + itemStatus(st, s.it.Status))
		if wh := r.Webhook; wh != nil {
			line := fmt.Sprintf("received %s %s at %s · %s", wh.WebhookType, wh.WebhookCode, clockTime(wh.Time), firstNonEmpty(wh.Signature, "signature not checked"))
			add(st.OK.Render("✓ ") + wrap(st.Text.Render(line), w-2))
			if wh.StatusEffect != "" {
				add(wrap(st.Muted.Render(wh.StatusEffect), w))
			}
		}
		for _, n := range r.Notes {
			add(wrap(st.Muted.Render(n), w))
		}
	}
}

// actionTitle is an action's heading: its name, then its endpoints as
// they are spelled.
func actionTitle(st styles, title, endpoint string, w int) string {
	return truncate(st.Section.Render(strings.ToUpper(title))+st.Muted.Render(" · "+endpoint), w)
}

func (s *itemScreen) inspectionLines(w int, add func(string)) {
	st := s.c.styles
	ins := s.ins
	kv := func(k, v string) {
		const kw = 14
		for i, l := range strings.Split(wrap(st.Text.Render(v), max(w-kw, 10)), "\n") {
			if i == 0 {
				add(st.Muted.Render(pad(k, kw)) + l)
			} else {
				add(strings.Repeat(" ", kw) + l)
			}
		}
	}
	inst := ins.InstitutionID
	if ins.InstitutionName != "" {
		inst = ins.InstitutionName + " (" + ins.InstitutionID + ")"
	}
	kv("Institution", inst)
	add(st.Muted.Render(pad("Status", 14)) + itemStatus(st, ins.Status))
	kv("Products", listOrNone(ins.Products))
	kv("Available", listOrNone(ins.Available))
	if ins.ConsentExpiration != nil {
		kv("Consent until", ins.ConsentExpiration.UTC().Format(time.RFC3339))
	} else {
		kv("Consent until", "no expiration (set only for some OAuth institutions)")
	}
	kv("Webhook", firstNonEmpty(ins.Webhook, "none"))
	if ins.LastWebhookCode != "" {
		when := ""
		if ins.LastWebhookAt != nil {
			when = " at " + ins.LastWebhookAt.UTC().Format(time.RFC3339)
		}
		kv("Last webhook", ins.LastWebhookCode+when)
	}
	if ins.Error == nil {
		kv("Error", "none (item.error is null)")
	} else {
		add(st.Muted.Render("Error (item.error)"))
		add(errorView(st, ins.Error, w))
	}
	add("")
	if err := ins.AccountsErr; err != nil {
		add(actionTitle(st, "Accounts", "/accounts/get failed", w))
		var ae, ie *flows.APIError
		if errors.As(err, &ae) && ins.Error != nil && errors.As(error(ins.Error), &ie) && ae.Code == ie.Code {
			// The same error as item.error, explained above.
			add(st.Fail.Render("✗ ") + wrap(st.Text.Render(fmt.Sprintf("HTTP %d %s (request_id %s): every data endpoint answers so until the Item is repaired.", ae.HTTPStatus, ae.Code, ae.RequestID)), w-2))
			return
		}
		add(errorView(st, err, w))
		return
	}
	add(actionTitle(st, fmt.Sprintf("Accounts · %d", len(ins.Accounts)), "masks and balances", w))
	for _, a := range ins.Accounts {
		name := a.Name
		if a.Mask != "" {
			name += " ••" + a.Mask
		}
		kind := "  " + a.Type + "/" + a.Subtype
		if w >= 90 {
			add(st.Text.Render(name) + st.Muted.Render(truncate(kind+"  "+balances(a), max(w-lipgloss.Width(name), 0))))
			continue
		}
		add(st.Text.Render(truncate(name, w)) + st.Muted.Render(truncate(kind, max(w-lipgloss.Width(name), 0))))
		add(st.Muted.Render(truncate("  "+balances(a), w)))
	}
}

func (s *itemScreen) requestIDLines(w int, add func(string)) {
	st := s.c.styles
	if len(s.calls) == 0 {
		return
	}
	add(st.Muted.Render(truncate("request_ids (c copies, again for the next):", w)))
	epW := 0
	for _, c := range s.calls {
		epW = max(epW, len(c.Endpoint))
	}
	for _, c := range s.calls {
		status := fmt.Sprintf("HTTP %d", c.HTTPStatus)
		if c.ErrorCode != "" {
			status += " " + c.ErrorCode
		}
		add(st.Text.Render(truncate(fmt.Sprintf("%-*s  %s", epW, c.Endpoint, firstNonEmpty(c.RequestID, "(none)")), w)) +
			st.Muted.Render(truncate("  "+status+" · "+shortDuration(c.Duration), max(w-epW-2-len(c.RequestID), 0))))
	}
	add("")
}

func balances(a flows.ItemAccount) string {
	f := func(v *float64) string {
		if v == nil {
			return "n/a"
		}
		return fmt.Sprintf("%.2f", *v)
	}
	s := "current " + f(a.Current) + " · available " + f(a.Available)
	if a.Currency != "" {
		s += " " + a.Currency
	}
	return s
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// errorView renders an action's error: a Plaid error with its request_id
// and its explanation from the shared table, or a local one in a line.
func errorView(st styles, err error, w int) string {
	var ae *flows.APIError
	if !errors.As(err, &ae) {
		if ex, ok := flows.ExplanationOf(err); ok {
			return errorBlock(st, plaidError{message: err.Error(), explanation: ex, explained: true, code: ex.Code}, w)
		}
		return st.Fail.Render("✗ ") + wrap(st.Text.Render(err.Error()), w-2)
	}
	pe := plaidError{code: ae.Code, errType: ae.Type, message: ae.Message, requestID: ae.RequestID}
	if error(ae) != err || pe.message == "" {
		pe.message = err.Error() // it says more than the API's message
	}
	pe.explanation, pe.explained = flows.ExplanationOf(ae)
	return errorBlock(st, pe, w)
}
