package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// bigLog is a store with n calls, one a second from t0, request ids
// Req000000 (oldest) upwards; every tenth, from the eighth, failed with
// INVALID_LINK_TOKEN.
func bigLog(t testing.TB, n int) *store.Store {
	t.Helper()
	s := bigLogIn(t, t.TempDir(), n)
	t.Cleanup(func() { s.Close() })
	return s
}

// bigLogIn is bigLog in the directory dir.
func bigLogIn(t testing.TB, dir string, n int) *store.Store {
	t.Helper()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const batch = 5000
	for start := 0; start < n; start += batch {
		var recs []store.Record
		for i := start; i < min(start+batch, n); i++ {
			code := ""
			if i%10 == 7 {
				code = "INVALID_LINK_TOKEN"
			}
			recs = append(recs, store.APICall{Time: at(i), Method: "POST", Endpoint: "/accounts/get",
				HTTPStatus: 200, RequestID: fmt.Sprintf("Req%06d", i), ErrorCode: code})
		}
		if _, err := s.Add(context.Background(), recs...); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// settle runs cmd and everything it leads to, feeding each message to the
// app, and drops the timers' messages (a tick is not re-armed).
func settle(t *testing.T, a *app, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		msgs := runAll(t, queue)
		queue = nil
		for _, msg := range msgs {
			switch msg := msg.(type) {
			case tea.BatchMsg:
				queue = append(queue, msg...)
			case tickedMsg, nil:
			default:
				_, next := a.Update(msg)
				queue = append(queue, next)
			}
		}
	}
}

// runAll runs the commands at once and returns their messages in order (nil
// for a nil command). Timers (the log's tick, the next poll) return too,
// after their interval: waiting for every command keeps the test free of
// guesses about how long real work takes on a busy machine.
func runAll(t *testing.T, cmds []tea.Cmd) []tea.Msg {
	t.Helper()
	done := make([]chan tea.Msg, len(cmds))
	for i, c := range cmds {
		done[i] = make(chan tea.Msg, 1)
		if c == nil {
			done[i] <- nil
			continue
		}
		go func() { done[i] <- c() }()
	}
	msgs := make([]tea.Msg, len(cmds))
	for i := range cmds {
		msgs[i], _ = testwait.Recv(t, done[i], fmt.Sprintf("command %d of %d to return", i+1, len(cmds)))
	}
	return msgs
}

// requestIDs lists the request ids of the page shown.
func requestIDs(l *logScreen) string {
	var ids []string
	for _, e := range l.entries {
		ids = append(ids, e.RequestID())
	}
	return strings.Join(ids, " ")
}

func TestLogPagesThroughALongLog(t *testing.T) {
	a := sized(Options{Env: &flows.Env{Store: bigLog(t, 250)}})
	a.Update(tea.WindowSizeMsg{Width: 60, Height: 20}) // 14 rows of entries
	settle(t, a, a.navigate(screenLog))
	l := a.log
	if got := requestIDs(l); !strings.HasPrefix(got, "Req000249 Req000248") || len(l.entries) != 14 {
		t.Fatalf("newest page: %s (%d rows)", got, len(l.entries))
	}
	if l.newer || !l.older || l.count != 250 {
		t.Fatalf("newest page: newer %v older %v count %d", l.newer, l.older, l.count)
	}
	settle(t, a, press(a, "pgdown"))
	if got := l.entries[0].RequestID(); got != "Req000235" || !l.newer {
		t.Fatalf("page down starts at %s (newer %v), want Req000235", got, l.newer)
	}
	settle(t, a, press(a, "G"))
	if got := requestIDs(l); !strings.HasSuffix(got, "Req000001 Req000000") || l.older || l.cursor != len(l.entries)-1 {
		t.Fatalf("oldest page: %s, older %v, cursor %d", got, l.older, l.cursor)
	}
	settle(t, a, press(a, strings.Split(strings.Repeat("up ", 14), " ")[:14]...))
	if got := l.entries[0].RequestID(); got != "Req000014" || l.cursor != 0 {
		t.Fatalf("moving up past the top shows %s first (cursor %d), want Req000014", got, l.cursor)
	}
	settle(t, a, press(a, "pgup"))
	if got := l.entries[0].RequestID(); got != "Req000028" {
		t.Fatalf("page up starts at %s, want Req000028", got)
	}
	settle(t, a, press(a, "g"))
	if got := l.entries[0].RequestID(); got != "Req000249" || l.window.top != 0 {
		t.Fatalf("g shows %s first (window %+v)", got, l.window)
	}
	settle(t, a, press(a, strings.Split(strings.Repeat("down ", 14), " ")[:14]...))
	if got := l.entries[0].RequestID(); got != "Req000248" || l.cursor != len(l.entries)-1 {
		t.Fatalf("moving down past the bottom shows %s first, cursor %d", got, l.cursor)
	}
}

func TestLogFilterAndDetail(t *testing.T) {
	a := sized(Options{Env: &flows.Env{Store: bigLog(t, 40)}})
	settle(t, a, a.navigate(screenLog))
	press(a, "/")
	if !a.capturesInput() {
		t.Fatal("/ did not focus the filter")
	}
	for _, r := range "code:invalid_link_token" {
		a.Update(keyMsg(string(r)))
	}
	settle(t, a, press(a, "enter"))
	l := a.log
	if got := requestIDs(l); got != "Req000037 Req000027 Req000017 Req000007" || l.count != 4 {
		t.Fatalf("filtered page: %s, count %d", got, l.count)
	}
	if !strings.Contains(plain(a.View()), "4 matches") {
		t.Errorf("the title does not count the matches:\n%s", plain(a.View()))
	}
	settle(t, a, press(a, "down", "enter"))
	if l.detail == nil || !strings.Contains(plain(a.View()), "Req000027") {
		t.Fatalf("enter did not open the entry:\n%s", plain(a.View()))
	}
	press(a, "esc")
	if l.detail != nil {
		t.Fatal("esc did not close the entry")
	}
	settle(t, a, press(a, "backspace"))
	if l.filterText != "" || len(l.entries) == 4 {
		t.Error("backspace did not clear the filter")
	}
	press(a, "/")
	for _, r := range "kind:nothing" {
		a.Update(keyMsg(string(r)))
	}
	a.Update(exec[failedMsg](t, press(a, "enter")))
	if !strings.Contains(plain(a.View()), "kind:nothing is not a kind of entry") {
		t.Errorf("a bad filter is not explained:\n%s", plain(a.View()))
	}
}

func TestLogFollowsNewEntries(t *testing.T) {
	s := bigLog(t, 5)
	a := sized(Options{Env: &flows.Env{Store: s}})
	settle(t, a, a.navigate(screenLog))
	settle(t, a, press(a, "down"))
	if _, err := s.AddCall(context.Background(), store.APICall{Time: at(100), Endpoint: "/item/get", RequestID: "ReqNew0001"}); err != nil {
		t.Fatal(err)
	}
	settle(t, a, a.log.handleTick(tickedMsg{id: a.log.tickID}))
	l := a.log
	if l.entries[0].RequestID() != "ReqNew0001" || l.count != 6 {
		t.Fatalf("the new entry did not appear: %s, count %d", requestIDs(l), l.count)
	}
	if e, _ := l.selectedEntry(); e.RequestID() != "Req000003" {
		t.Errorf("the cursor left its entry: now on %s", e.RequestID())
	}
}

func TestExportWritesAPrivateFile(t *testing.T) {
	dir := t.TempDir()
	a := sized(Options{Env: &flows.Env{Store: logFixture(t)}, ExportDir: dir})
	settle(t, a, a.navigate(screenLog))
	press(a, "x")
	if !strings.Contains(plain(a.View()), "Export the whole log as: m Markdown") {
		t.Fatalf("x did not ask for a format:\n%s", plain(a.View()))
	}
	msg := exec[exportedMsg](t, press(a, "m"))
	want := filepath.Join(dir, "linkexplorer-log-20260102-150405.md")
	if msg.path != want {
		t.Fatalf("exported to %s, want %s", msg.path, want)
	}
	st, err := os.Stat(msg.path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, mode %v", err, st.Mode())
	}
	body, _ := os.ReadFile(msg.path)
	if !strings.Contains(string(body), "ReqOwnApp00001") || strings.Contains(string(body), "s3cr3t-value-0001") {
		t.Errorf("the export lacks a request_id or holds the secret:\n%s", body)
	}
	a.Update(msg)
	if !strings.Contains(plain(a.View()), "exported to "+want) {
		t.Errorf("the path is not shown:\n%s", plain(a.View()))
	}
	if _, err := writeExport(logFixture(t), dir, store.FormatMarkdown, store.Filter{}, t0); err == nil {
		t.Error("an export overwrote an existing file")
	}
}

func TestLogRefillsOnResize(t *testing.T) {
	a := sized(Options{Env: &flows.Env{Store: bigLog(t, 250)}})
	settle(t, a, a.navigate(screenLog))
	if len(a.log.entries) != 24 {
		t.Fatalf("100×30 shows %d entries, want 24", len(a.log.entries))
	}
	_, cmd := a.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	settle(t, a, cmd)
	if len(a.log.entries) != 34 || !strings.Contains(plain(a.View()), "Req000216") {
		t.Errorf("after growing to 40 lines the log shows %d entries", len(a.log.entries))
	}
}

// TestWebhookSignatureShown: the Link timeline and the log's detail view
// say whether a webhook's signature verified.
func TestWebhookSignatureShown(t *testing.T) {
	line := webhookLine(flows.WebhookReceived{WebhookType: "ITEM", WebhookCode: "LOGIN_REPAIRED", ItemID: "item-1",
		Signature: "verified (kid 6c5516e1)"})
	if !strings.Contains(line.call, "signature verified (kid 6c5516e1)") {
		t.Errorf("timeline line %q", line.call)
	}
	e := store.Entry{ID: 1, Kind: store.KindWebhook, Webhook: &store.Webhook{ID: 1, WebhookType: "ITEM", WebhookCode: "ERROR",
		Signature: "invalid: the signature does not verify with key k1", Body: []byte(`{"webhook_type":"ITEM"}`)}}
	d := newEntryDetail(newCommon(Options{}), e, 100, 30)
	got := plain(d.content(100))
	for _, want := range []string{"webhook", "ITEM ERROR", "signature", "invalid: the signature does not verify with key k1", "invalid"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail lacks %q:\n%s", want, got)
		}
	}
}

// TestLogKeepsRequestIDAtEverySize: REQUEST_ID is the point of the log; it
// never disappears, and STATUS outlives KIND.
func TestLogKeepsRequestIDAtEverySize(t *testing.T) {
	for _, w := range []int{60, 80, 120, 200} {
		widths := layoutColumns(logColumns, w-logGutter)
		for i, c := range logColumns {
			if c.title == "REQUEST_ID" && widths[i] == 0 {
				t.Errorf("width %d drops REQUEST_ID: %v", w, widths)
			}
			if c.title == "STATUS" && w >= 80 && widths[i] == 0 {
				t.Errorf("width %d drops STATUS: %v", w, widths)
			}
		}
	}
}

// TestLogCountStaysWhilePageLoads: when the count of a new filter arrives
// before its page, the page's arrival must not hide the count again (the
// title flickered "4 matches" → nothing → "4 matches", and a golden caught
// the gap on a loaded machine).
func TestLogCountStaysWhilePageLoads(t *testing.T) {
	a := sized(Options{Env: &flows.Env{Store: bigLog(t, 40)}})
	settle(t, a, a.navigate(screenLog))
	press(a, "/")
	for _, r := range "code:invalid_link_token" {
		a.Update(keyMsg(string(r)))
	}
	var msgs []tea.Msg
	queue := []tea.Cmd{press(a, "enter")}
	for len(queue) > 0 {
		got := runAll(t, queue)
		queue = nil
		for _, m := range got {
			if b, ok := m.(tea.BatchMsg); ok {
				queue = append(queue, b...)
				continue
			}
			msgs = append(msgs, m)
		}
	}
	var count, page tea.Msg
	for _, m := range msgs {
		switch m.(type) {
		case logCountedMsg:
			count = m
		case logPageLoadedMsg:
			page = m
		}
	}
	if count == nil || page == nil {
		t.Fatalf("applying the filter did not both count and load a page: %#v", msgs)
	}
	a.Update(count)
	a.Update(page)
	if !strings.Contains(plain(a.View()), "4 matches") {
		t.Errorf("the count went away when the page arrived after it:\n%s", plain(a.View()))
	}
}
