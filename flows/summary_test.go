package flows

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/store"
)

// summaryStore is a session log with one invalid-token run as the runner
// records it: a token, an INVALID_LINK_TOKEN exit, a recovery and success.
func summaryStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	sess, err := st.StartSession(ctx, "flow:invalid-token", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	const ls1, ls2 = "11111111-aaaa-4bbb-8ccc-000000000001", "22222222-aaaa-4bbb-8ccc-000000000002"
	recs := []store.Record{
		store.APICall{SessionID: sess.ID, Time: at(0), Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqCreate1"},
		store.LinkEvent{SessionID: sess.ID, Time: at(1), Kind: store.EventKindEvent, EventName: "OPEN", LinkSessionID: ls1, RequestID: "ReqOpen1"},
		store.LinkEvent{SessionID: sess.ID, Time: at(2), Kind: store.EventKindExit, LinkSessionID: ls1, RequestID: "ReqExit1",
			ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_LINK_TOKEN", ErrorMessage: "invalid link_token provided", ExitStatus: "requires_credentials"},
		store.LinkEvent{SessionID: sess.ID, Time: at(3), Kind: store.EventKindPage, EventName: "destroyed"},
		store.APICall{SessionID: sess.ID, Time: at(4), Method: "POST", Endpoint: "/link/token/create", HTTPStatus: 200, RequestID: "ReqCreate2"},
		store.LinkEvent{SessionID: sess.ID, Time: at(5), Kind: store.EventKindEvent, EventName: "OPEN", LinkSessionID: ls2, RequestID: "ReqOpen2"},
		store.LinkEvent{SessionID: sess.ID, Time: at(6), Kind: store.EventKindSuccess, LinkSessionID: ls2,
			InstitutionID: "ins_109508", InstitutionName: "First Platypus Bank"},
		store.APICall{SessionID: sess.ID, Time: at(7), Method: "POST", Endpoint: "/item/public_token/exchange", HTTPStatus: 200, RequestID: "ReqExch1",
			ResponseBody: []byte(`{"access_token":"access-sandbox-0123456789abcdef","item_id":"ItemABC","request_id":"ReqExch1"}`)},
		store.APICall{SessionID: sess.ID, Time: at(8), Method: "POST", Endpoint: "/accounts/get", HTTPStatus: 400, RequestID: "ReqAcct1",
			ErrorType: "ITEM_ERROR", ErrorCode: "ITEM_LOGIN_REQUIRED", ErrorMessage: "the login details of this item have changed"},
	}
	if _, err := st.Add(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	if err := st.EndSession(ctx, sess.ID, store.SessionFailed, "invalid-token: step verify: ITEM_LOGIN_REQUIRED"); err != nil {
		t.Fatal(err)
	}
	return st, sess.ID
}

func TestLoadSummary(t *testing.T) {
	st, id := summaryStore(t)
	s, err := LoadSummary(context.Background(), st, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome() != "failed" || s.Flow != "invalid-token" || s.ItemID != "ItemABC" || s.Institution != "First Platypus Bank (ins_109508)" {
		t.Errorf("summary %+v", s)
	}
	if len(s.Calls) != 4 || len(s.LinkSessions) != 2 || len(s.Errors) != 2 {
		t.Fatalf("calls %d, Link sessions %d, errors %d; want 4, 2, 2", len(s.Calls), len(s.LinkSessions), len(s.Errors))
	}
	if s.LinkSessions[0].Outcome != "onExit INVALID_LINK_TOKEN (status requires_credentials)" || s.LinkSessions[1].Outcome != "onSuccess" {
		t.Errorf("Link sessions %+v", s.LinkSessions)
	}
	if e := s.Errors[0]; e.Code != "INVALID_LINK_TOKEN" || e.Explanation == nil || e.LinkSessionID == "" || e.RequestID != "ReqExit1" {
		t.Errorf("first error %+v", e)
	}
	if s.KeyRequestID() != "ReqExit1" || s.KeyLinkSessionID() != "11111111-aaaa-4bbb-8ccc-000000000001" {
		t.Errorf("key ids %q %q", s.KeyRequestID(), s.KeyLinkSessionID())
	}
	md := s.Markdown()
	for _, want := range []string{
		"# linkexplorer run summary: invalid-token", "- Result: **failed** in ", "- Item: ItemABC, First Platypus Bank (ins_109508)",
		"1. Created a link_token (request_id ReqCreate1)", "Link onExit INVALID_LINK_TOKEN (status requires_credentials)",
		"The page called handler.destroy()", "Link onSuccess: the user linked their accounts at First Platypus Bank (ins_109508)",
		"POST /accounts/get failed: ITEM_LOGIN_REQUIRED (request_id ReqAcct1)",
		"### INVALID_LINK_TOKEN (INVALID_INPUT) at Link onExit", "- What to do: In onExit, when error.error_code is INVALID_LINK_TOKEN",
		"### ITEM_LOGIN_REQUIRED (ITEM_ERROR) at POST /accounts/get", "| `ReqExch1` |",
		"| `22222222-aaaa-4bbb-8ccc-000000000002` | First Platypus Bank (ins_109508) | onSuccess | `ReqOpen2` |",
		"linkexplorer log --session " + id + " --md",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "0123456789abcdef") {
		t.Errorf("the Markdown shows a token in full:\n%s", md)
	}
	text := s.Text()
	for _, want := range []string{"Run summary: invalid-token: failed", "request_ids: ReqCreate1, ReqCreate2, ReqExch1, ReqAcct1",
		"link_session_ids: 11111111-", "Error ITEM_LOGIN_REQUIRED at POST /accounts/get, request_id ReqAcct1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
}

func TestExportSummary(t *testing.T) {
	st, id := summaryStore(t)
	s, err := LoadSummary(context.Background(), st, id)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 16, 0, 0, 0, time.UTC)
	path, err := ExportSummary(dir, s, now)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := SummaryExportPath(dir, id, now)
	if path != want {
		t.Errorf("exported to %s, want %s", path, want)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat %v, mode %v; want 0600", err, fi)
	}
	b, _ := os.ReadFile(path)
	if string(b) != s.Markdown() {
		t.Error("the file is not the summary's Markdown")
	}
	if _, err := ExportSummary(dir, s, now); err == nil {
		t.Error("a second export at the same second must not overwrite the first")
	}
	if _, err := ExportSummary(dir+"/missing/dir", s, now); err == nil || !strings.Contains(err.Error(), "export directory") {
		t.Errorf("a missing directory: %v", err)
	}
	if _, err := LoadSummary(context.Background(), st, "nosuchsession"); err == nil {
		t.Error("an unknown session must be an error")
	}
}
