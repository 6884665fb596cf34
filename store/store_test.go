package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// openTest opens a store in a fresh temporary directory, closed at the end
// of the test.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func startSession(t *testing.T, s *Store, kind string) Session {
	t.Helper()
	sess, err := s.StartSession(context.Background(), kind, ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

func TestSessionRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.LastSession(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastSession on an empty store: %v, want ErrNotFound", err)
	}
	a := startSession(t, s, "app")
	time.Sleep(2 * time.Millisecond) // distinct start times order the sessions
	b := startSession(t, s, "flow:quickstart")
	if err := s.EndSession(ctx, b.ID, SessionFailed, "exchange failed: INVALID_PUBLIC_TOKEN"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "flow:quickstart" || got.Mode != ModeEmulated || got.Status != SessionFailed ||
		got.Summary != "exchange failed: INVALID_PUBLIC_TOKEN" || !got.StartedAt.Equal(b.StartedAt) ||
		got.EndedAt.Before(got.StartedAt) || got.EndedAt.Location() != time.UTC {
		t.Errorf("session read back as %+v", got)
	}
	last, err := s.LastSession(ctx)
	if err != nil || last.ID != b.ID {
		t.Errorf("LastSession = %v, %v; want %s", last.ID, err, b.ID)
	}
	list, err := s.Sessions(ctx, 10)
	if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Errorf("Sessions = %+v, %v; want b then a", list, err)
	}
	if list[1].Status != SessionRunning || !list[1].EndedAt.IsZero() {
		t.Errorf("a running session reads back as %+v", list[1])
	}
	if err := s.EndSession(ctx, "nope", SessionOK, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("ending an unknown session: %v, want ErrNotFound", err)
	}
	if len(a.ID) != 16 || a.ID >= b.ID {
		t.Errorf("session ids %q, %q: want 16 characters, sorting by start", a.ID, b.ID)
	}
}

func TestCallRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "flow:quickstart")
	in := APICall{
		SessionID: sess.ID, Time: t0, Method: "post", Endpoint: "/item/public_token/exchange",
		HTTPStatus: 200, RequestID: "m8MDnv9okwxFNBV", Duration: 42 * time.Millisecond,
		RequestBody:  []byte(`{"public_token":"public-sandbox-…91bc"}`),
		ResponseBody: []byte(`{"access_token":"access-sandbox-…3f2a","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"m8MDnv9okwxFNBV"}`),
	}
	id, err := s.AddCall(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Entry(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID, want.Method, want.Source, want.ItemID = id, "POST", SourceLinkexplorer, "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op"
	if got.Kind != KindCall || got.Call == nil || !reflect.DeepEqual(*got.Call, want) {
		t.Errorf("call read back as\n%+v\nwant\n%+v", got.Call, want)
	}
	if id != t0.UnixNano() {
		t.Errorf("entry id %d, want the time in nanoseconds %d", id, t0.UnixNano())
	}
	if got.Time() != t0 || got.Title() != "POST /item/public_token/exchange" || got.Status() != "200" ||
		got.RequestID() != "m8MDnv9okwxFNBV" || got.SessionID() != sess.ID || got.Source() != SourceLinkexplorer {
		t.Errorf("accessors: %v %q %q %q %q", got.Time(), got.Title(), got.Status(), got.RequestID(), got.SessionID())
	}
}

func TestEventRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "flow:invalid-token")
	meta := json.RawMessage(`{"error_type":"INVALID_INPUT","error_code":"INVALID_LINK_TOKEN","error_message":"invalid link_token provided","exit_status":"requires_credentials","institution_id":"ins_109508","institution_name":"First Platypus Bank","link_session_id":"6f1c2a3b-1b2c-4d5e-8f90-1234567890ab","request_id":"Aim3bXyz1234567","timestamp":"2017-09-14T14:42:19.350Z","view_name":null}`)
	id, err := s.AddEvent(ctx, LinkEvent{SessionID: sess.ID, Time: t0, Kind: EventKindEvent, EventName: "EXIT", Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Entry(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := LinkEvent{ID: id, SessionID: sess.ID, Time: t0, Kind: EventKindEvent, EventName: "EXIT",
		LinkSessionID: "6f1c2a3b-1b2c-4d5e-8f90-1234567890ab", RequestID: "Aim3bXyz1234567",
		ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN", ErrorMessage: "invalid link_token provided",
		ExitStatus: "requires_credentials", InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank", Metadata: meta}
	if got.Kind != KindEvent || got.Event == nil || !reflect.DeepEqual(*got.Event, want) {
		t.Errorf("event read back as\n%+v\nwant\n%+v", got.Event, want)
	}
	// onExit metadata nests the institution and names the exit status "status".
	exit := json.RawMessage(`{"institution":{"name":"Chase","institution_id":"ins_56"},"status":"institution_not_found","link_session_id":"ls-2","request_id":"r2"}`)
	id, err = s.AddEvent(ctx, LinkEvent{SessionID: sess.ID, Time: t0, Kind: EventKindExit, Metadata: exit})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Entry(ctx, id)
	if e := got.Event; e.InstitutionName != "Chase" || e.InstitutionID != "ins_56" || e.ExitStatus != "institution_not_found" ||
		e.LinkSessionID != "ls-2" || got.Title() != "onExit" {
		t.Errorf("onExit read back as %+v", e)
	}
	if _, err := s.AddEvent(ctx, LinkEvent{SessionID: sess.ID, Kind: "bogus"}); err == nil {
		t.Error("an unknown event kind was accepted")
	}
}

func TestWebhookRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "flow:update-mode")
	body := json.RawMessage(`{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb","error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","status":400},"environment":"sandbox"}`)
	id, err := s.AddWebhook(ctx, Webhook{SessionID: sess.ID, Time: t0, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Entry(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := Webhook{ID: id, SessionID: sess.ID, Time: t0, WebhookType: "ITEM", WebhookCode: "ERROR",
		ItemID: "wz666MBjYWTp2PDzzggYhM6oWWmBb", ErrorType: "ITEM_ERROR", ErrorCode: "ITEM_LOGIN_REQUIRED", Body: body}
	if got.Kind != KindWebhook || got.Webhook == nil || !reflect.DeepEqual(*got.Webhook, want) {
		t.Errorf("webhook read back as\n%+v\nwant\n%+v", got.Webhook, want)
	}
	if got.Title() != "ITEM: ERROR" {
		t.Errorf("title %q", got.Title())
	}
}

func TestItemRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const tok = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"
	it := Item{ItemID: "item-1", InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank",
		Mode: ModeEmulated, BaseURL: "http://127.0.0.1:4567"}
	if err := s.UpsertItem(ctx, it, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.Item(ctx, "item-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ItemHealthy || got.InstitutionName != "First Platypus Bank" || got.BaseURL != it.BaseURL ||
		got.AccessTokenMasked != "access-sandbox-…c0f6" || got.CreatedAt.IsZero() || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("Item read back as %+v", got)
	}
	full, err := s.AccessToken(ctx, "item-1")
	if err != nil || full != tok {
		t.Errorf("AccessToken = %q, %v", full, err)
	}
	// An update with empty fields keeps them; a new token replaces the old.
	const tok2 = "access-sandbox-11111111-2222-3333-4444-555555555555"
	if err := s.UpsertItem(ctx, Item{ItemID: "item-1", Status: ItemLoginRequired}, tok2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Item(ctx, "item-1")
	full, _ = s.AccessToken(ctx, "item-1")
	if got.Status != ItemLoginRequired || got.InstitutionName != "First Platypus Bank" || got.Mode != ModeEmulated || full != tok2 {
		t.Errorf("after the update: %+v, token %q", got, full)
	}
	if err := s.SetItemStatus(ctx, "item-1", ItemRemoved); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertItem(ctx, Item{ItemID: "item-2", Mode: ModePlaid}, ""); err != nil {
		t.Fatal(err)
	}
	items, err := s.Items(ctx)
	if err != nil || len(items) != 2 || items[1].ItemID != "item-1" || items[1].Status != ItemRemoved {
		t.Fatalf("Items = %+v, %v", items, err)
	}
	for _, it := range items {
		if it.AccessTokenMasked == tok || it.AccessTokenMasked == tok2 {
			t.Errorf("Items shows a full token: %+v", it)
		}
	}
	if _, err := s.AccessToken(ctx, "item-2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("AccessToken of an Item without one: %v", err)
	}
	if err := s.SetItemStatus(ctx, "nope", ItemHealthy); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetItemStatus of an unknown Item: %v", err)
	}
	if _, err := s.Item(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Item of an unknown Item: %v", err)
	}
}

func TestAddRejectsUnknownSession(t *testing.T) {
	s := openTest(t)
	_, err := s.AddCall(context.Background(), APICall{SessionID: "missing", Endpoint: "/item/get"})
	if err == nil || !strings.Contains(err.Error(), `session "missing" does not exist`) {
		t.Fatalf("recording into an unknown session: %v", err)
	}
	if n, _ := s.Count(context.Background(), Filter{}); n != 0 {
		t.Errorf("the failed call left %d entries", n)
	}
}

func TestSameTimeKeepsOrder(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "app")
	var recs []Record
	for i := range 100 {
		recs = append(recs, LinkEvent{SessionID: sess.ID, Time: t0, EventName: "E" + string(rune('A'+i%26))})
	}
	ids, err := s.Add(ctx, recs...)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("ids not increasing: %d then %d", ids[i-1], ids[i])
		}
	}
	page, err := s.Entries(ctx, Query{Limit: 1000})
	if err != nil || len(page.Entries) != 100 || page.Entries[0].ID != ids[99] {
		t.Fatalf("page of %d entries, %v", len(page.Entries), err)
	}
	for _, e := range page.Entries {
		if !e.Time().Equal(t0) {
			t.Errorf("entry %d time %v, want %v", e.ID, e.Time(), t0)
		}
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "state")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.StartSession(context.Background(), "app", ModeEmulated); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, 0o700)
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		checkMode(t, filepath.Join(dir, name), 0o600)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s has mode %v, want %v", filepath.Base(path), fi.Mode().Perm(), want)
	}
}

// TestConcurrentGoroutines writes and reads from many goroutines at once.
func TestConcurrentGoroutines(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := startSession(t, s, "app")
	const writers, each = 8, 40
	errs := make(chan error, 2*writers)
	for w := range writers {
		go func() {
			for i := range each {
				_, err := s.AddEvent(ctx, LinkEvent{SessionID: sess.ID, EventName: "TRANSITION_VIEW", RequestID: fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
		go func() {
			for range each {
				if _, err := s.Entries(ctx, Query{Filter: Filter{SessionID: sess.ID}, Limit: 20}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 * writers {
		if err, _ := testwait.Recv(t, errs, "the writers and readers to finish"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Count(ctx, Filter{SessionID: sess.ID}); err != nil || n != writers*each {
		t.Errorf("%d entries (%v), want %d", n, err, writers*each)
	}
}

func TestAddRejectsNil(t *testing.T) {
	s := openTest(t)
	var call *APICall
	for _, r := range []Record{nil, call} {
		if _, err := s.Add(context.Background(), r); err == nil {
			t.Errorf("Add(%#v) succeeded", r)
		}
	}
}

// TestLastRunSkipsEmptyAppSessions: the app's launch session that records
// nothing must not hide the flow run before it.
func TestLastRunSkipsEmptyAppSessions(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.LastRun(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastRun on an empty store: %v, want ErrNotFound", err)
	}
	run := startSession(t, s, "flow:quickstart")
	time.Sleep(2 * time.Millisecond)
	startSession(t, s, "app")
	got, err := s.LastRun(ctx)
	if err != nil || got.ID != run.ID {
		t.Fatalf("LastRun = %v, %v; want the flow run %s", got.ID, err, run.ID)
	}
	time.Sleep(2 * time.Millisecond)
	app := startSession(t, s, "app")
	if _, err := s.AddCall(ctx, APICall{SessionID: app.ID, Endpoint: "/link/token/create", HTTPStatus: 200}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LastRun(ctx); err != nil || got.ID != app.ID {
		t.Errorf("LastRun = %v, %v; want the app session with entries %s", got.ID, err, app.ID)
	}
}
