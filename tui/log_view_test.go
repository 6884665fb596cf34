package tui

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if cmd := press(a, "m"); cmd != nil {
		t.Fatal("choosing the format wrote the file before asking where")
	}
	if v := plain(a.View()); !strings.Contains(v, "Export the whole log as Markdown to directory: "+dir) {
		t.Fatalf("the prompt does not offer %s:\n%s", dir, v)
	}
	msg := exec[exportedMsg](t, press(a, "enter"))
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
	again, err := writeExport(logFixture(t), dir, store.FormatMarkdown, store.Filter{}, t0)
	if err != nil || again == want {
		t.Errorf("a second export in the same second went to %s (%v), want a new file", again, err)
	}
	if after, _ := os.ReadFile(msg.path); string(after) != string(body) {
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
			if c.title == "LINK_SESSION_ID" && (widths[i] != 0) != (w >= 200) {
				t.Errorf("width %d: LINK_SESSION_ID %d wide, want it only at 200: %v", w, widths[i], widths)
			}
			if c.max > 0 && widths[i] > c.max {
				t.Errorf("width %d: %s is %d wide, past its readable %d", w, c.title, widths[i], c.max)
			}
		}
		used := len(widths) - 1
		for _, x := range widths {
			used += x
			if x == 0 {
				used--
			}
		}
		if used > w-logGutter {
			t.Errorf("width %d: the columns take %d: %v", w, used, widths)
		}
	}
}

// TestLogKindAndSourceShareOneVocabulary: what the KIND column calls an
// entry is what kind: finds, and source: tells the user's app from
// linkexplorer and the demo.
func TestLogKindAndSourceShareOneVocabulary(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	user, _ := s.StartSession(ctx, "app", store.ModeEmulated)
	demo, _ := s.StartSession(ctx, "demo:quickstart", store.ModeEmulated)
	if _, err := s.Add(ctx,
		store.APICall{SessionID: user.ID, Time: at(1), Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqOwn"},
		store.APICall{SessionID: user.ID, Time: at(2), Endpoint: "/accounts/get", HTTPStatus: 200, RequestID: "ReqApp", Source: store.SourceApp},
		store.APICall{SessionID: demo.ID, Time: at(3), Endpoint: "/item/get", HTTPStatus: 200, RequestID: "ReqDemo"},
	); err != nil {
		t.Fatal(err)
	}
	a := sized(Options{Env: &flows.Env{Store: s}})
	settle(t, a, a.navigate(screenLog))
	filter := func(text string) string {
		t.Helper()
		settle(t, a, press(a, "backspace"))
		press(a, "/")
		for _, r := range text {
			a.Update(keyMsg(string(r)))
		}
		settle(t, a, press(a, "enter"))
		return requestIDs(a.log)
	}
	for _, tc := range []struct{ filter, want string }{
		{"kind:app", "ReqApp"},
		{"kind:call", "ReqDemo ReqOwn"},
		{"source:app", "ReqApp"},
		{"source:linkexplorer", "ReqOwn"},
		{"source:demo", "ReqDemo"},
	} {
		if got := filter(tc.filter); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.filter, got, tc.want)
		}
	}
	filter("kind:app")
	row := ""
	for _, line := range strings.Split(plain(a.View()), "\n") {
		if strings.Contains(line, "/accounts/get") {
			row = line
		}
	}
	if !strings.Contains(row, " app ") {
		t.Errorf("the KIND column does not say app for the app's call: %q", row)
	}
}

// TestDetailStepsThroughEntries: n and p step an open entry to the next
// (older) and previous (newer) entry of the log as filtered, the table's
// cursor follows, and the ends say so.
func TestDetailStepsThroughEntries(t *testing.T) {
	s := bigLog(t, 30)
	a := sized(Options{Env: &flows.Env{Store: s}})
	settle(t, a, a.navigate(screenLog))
	l := a.log
	settle(t, a, press(a, "enter"))
	if l.detail == nil || l.detail.entry.RequestID() != "Req000029" {
		t.Fatalf("enter did not open the newest entry:\n%s", plain(a.View()))
	}
	if v := plain(a.View()); !strings.Contains(v, "n next entry") || !strings.Contains(v, "p previous entry") {
		t.Errorf("the footer does not show n and p:\n%s", v)
	}
	settle(t, a, press(a, "n"))
	settle(t, a, press(a, "n"))
	if got := l.detail.entry.RequestID(); got != "Req000027" || l.cursor != 2 {
		t.Fatalf("n n: %s, cursor %d", got, l.cursor)
	}
	settle(t, a, press(a, "p"))
	if got := l.detail.entry.RequestID(); got != "Req000028" || !strings.Contains(plain(a.View()), "Req000028") {
		t.Fatalf("p: %s\n%s", got, plain(a.View()))
	}
	settle(t, a, press(a, "p"))
	settle(t, a, press(a, "p"))
	if got := l.detail.entry.RequestID(); got != "Req000029" || !strings.Contains(plain(a.View()), "this is the newest entry") {
		t.Errorf("p at the newest entry: %s\n%s", got, plain(a.View()))
	}

	// With a filter, n steps to the next entry that matches.
	press(a, "esc")
	press(a, "/")
	for _, r := range "code:invalid_link_token" {
		a.Update(keyMsg(string(r)))
	}
	settle(t, a, press(a, "enter"))
	settle(t, a, press(a, "enter"))
	settle(t, a, press(a, "n"))
	if got := l.detail.entry.RequestID(); got != "Req000017" {
		t.Errorf("n under a filter: %s, want Req000017", got)
	}
	settle(t, a, press(a, "n"))
	settle(t, a, press(a, "n"))
	if !strings.Contains(plain(a.View()), "this is the oldest entry the filter shows") {
		t.Errorf("n at the oldest match:\n%s", plain(a.View()))
	}
}

// TestLogSeparatesSessionsAndDays: a row separates sessions, dates show
// when the entries span days, and with the separators taking rows every
// entry is still reached by scrolling down, once.
func TestLogSeparatesSessionsAndDays(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var all []string
	for day := range 3 {
		sess, err := s.StartSession(ctx, "flow:quickstart", store.ModeEmulated)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			rid := fmt.Sprintf("Req%d%02d", day, i)
			all = append([]string{rid}, all...)
			when := at(i).Add(time.Duration(day-2) * 24 * time.Hour) // the last day is t0's
			if _, err := s.AddCall(ctx, store.APICall{SessionID: sess.ID, Time: when, Endpoint: "/item/get", HTTPStatus: 200, RequestID: rid}); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := sized(Options{Env: &flows.Env{Store: s}})
	settle(t, a, a.navigate(screenLog))
	v := plain(a.View())
	if !strings.Contains(v, "2026-01-02 15:04:16") || !strings.Contains(v, "── Thu 1 Jan 2026 · session ") {
		t.Errorf("no dates or no separator:\n%s", v)
	}
	if n := strings.Count(v, "── "); n != 1 {
		t.Errorf("%d separators, want 1 (two sessions on the screen):\n%s", n, v)
	}
	var seen []string
	for range 60 {
		e, _ := a.log.selectedEntry()
		if len(seen) == 0 || seen[len(seen)-1] != e.RequestID() {
			seen = append(seen, e.RequestID())
		}
		settle(t, a, press(a, "down"))
	}
	if strings.Join(seen, " ") != strings.Join(all, " ") {
		t.Errorf("scrolling down visits\n%v\nwant\n%v", seen, all)
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

// TestWebhookDetailShowsVerification: a webhook's detail shows the
// Plaid-Verification header it came with and its decoded header and
// claims.
func TestWebhookDetailShowsVerification(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	enc := base64.RawURLEncoding.EncodeToString
	sum := strings.Repeat("ab", 32)
	jwt := enc([]byte(`{"alg":"ES256","kid":"6c5516e1-92dc-479e-a8ff-5a51992e0001","typ":"JWT"}`)) + "." +
		enc([]byte(`{"iat":1767366245,"request_body_sha256":"`+sum+`"}`)) + "." + enc(make([]byte, 64))
	if _, err := s.AddWebhook(ctx, store.Webhook{Time: at(1), Signature: "verified (kid 6c5516e1)", Verification: jwt,
		Body: []byte(`{"webhook_type":"ITEM","webhook_code":"WEBHOOK_UPDATE_ACKNOWLEDGED","item_id":"it1"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddWebhook(ctx, store.Webhook{Time: at(2), Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR"}`)}); err != nil {
		t.Fatal(err)
	}
	a := sized(Options{Env: &flows.Env{Store: s}})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 60})
	settle(t, a, a.navigate(screenLog))
	settle(t, a, press(a, "enter"))
	if v := plain(a.View()); !strings.Contains(v, "No Plaid-Verification header came with this webhook") {
		t.Errorf("an unsigned webhook's detail:\n%s", v)
	}
	settle(t, a, press(a, "n"))
	v := plain(a.View())
	for _, want := range []string{"PLAID-VERIFICATION", jwt[:40], "alg                  ES256",
		"kid                  6c5516e1-92dc-479e-a8ff-5a51992e0001", "iat                  1767366245 (", "request_body_sha256  " + sum} {
		if !strings.Contains(v, want) {
			t.Errorf("the webhook's detail lacks %q:\n%s", want, v)
		}
	}
	joined := strings.ReplaceAll(v, "\n", "")
	if !strings.Contains(joined, jwt) {
		t.Errorf("the JWT is not shown whole (in lines that join to it)")
	}
}
