package tui

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// consoleKit is an app over a real emulator and session log, with one
// Item created through the emulator as a flow creates it.
func consoleKit(t *testing.T) (*flowstest.Env, string, string) {
	t.Helper()
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone})
	ctx := testwait.Context(t)
	pt, _, err := env.Client.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ex, _, err := env.Client.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.UpsertItem(ctx, store.Item{ItemID: ex.GetItemId(), InstitutionName: "First Platypus Bank",
		Mode: store.ModeEmulated, BaseURL: env.EmulatorURL}, ex.GetAccessToken()); err != nil {
		t.Fatal(err)
	}
	return env, ex.GetItemId(), ex.GetAccessToken()
}

func typed(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, keyMsg(string(r)))
	}
	return out
}

// TestConsoleSearchPickSend opens the console for an Item (as Home's Item
// actions do), finds /item/get by fuzzy search, sends the pre-filled body
// and reads the Item's answer with its request_id; c copies the
// request_id. The access_token is never on screen nor in the console's
// state, and the call is in the session log with its request_id.
func TestConsoleSearchPickSend(t *testing.T) {
	env, itemID, token := consoleKit(t)
	clip := &strings.Builder{}
	sess, err := env.Store.StartSession(context.Background(), "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Env: env.Env, Clipboard: clip, SessionID: sess.ID})
	s := startScreen(t, m, 100, 30).waitFor("Quickstart")
	s.send(openConsoleMsg{ItemID: itemID}).waitFor("Choose an operation", "251 of 251")
	for _, k := range typed("itemget") {
		s.send(k)
	}
	s.waitFor("▸ /item/get")
	s.send(keyMsg("enter")).waitFor("POST http", `"access_token": "<the Item's access_token>"`, "First Platypus Bank")
	s.send(keyMsg("enter")).waitFor("✓ 200 OK", "request_id", itemID)
	s.send(keyMsg("c")).waitFor("copied")
	a := s.final().(*app)
	c := a.console
	if c.result == nil || c.result.Call.RequestID == "" {
		t.Fatalf("no answer with a request_id: %+v", c.result)
	}
	id := c.result.Call.RequestID
	if !strings.Contains(clip.String(), base64.StdEncoding.EncodeToString([]byte(id))) {
		t.Errorf("c did not copy the request_id %s", id)
	}
	state := fmt.Sprintf("%s\n%s\n%s\n%+v", a.View(), c.editor.Value(), c.result.Response, c.result.Call)
	if strings.Contains(state, token) {
		t.Errorf("the access_token is on screen or in the console's state")
	}
	testwait.Until(t, "the console's call in the app's session", func() (bool, string) {
		page, err := env.Store.Entries(context.Background(), store.Query{Filter: store.Filter{SessionID: sess.ID}})
		if err != nil {
			return false, err.Error()
		}
		for _, e := range page.Entries {
			if e.Call != nil && e.Call.Endpoint == "/item/get" && e.Call.RequestID == id {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d entries", len(page.Entries))
	})
}

// TestConsoleEditRefusesInvalidJSON: an edit that breaks the JSON is
// refused on send, saying where, and nothing is sent.
func TestConsoleEditRefusesInvalidJSON(t *testing.T) {
	env, itemID, _ := consoleKit(t)
	m := New(Options{Env: env.Env, Clipboard: &strings.Builder{}})
	s := startScreen(t, m, 100, 30).waitFor("Quickstart")
	s.send(openConsoleMsg{ItemID: itemID}).waitFor("Choose an operation")
	for _, k := range typed("/item/get") {
		s.send(k)
	}
	s.waitFor("▸ /item/get")
	s.send(keyMsg("enter")).waitFor("POST http")
	s.send(keyMsg("e")).waitFor("editing (ctrl+s")
	// A comma after the last field: the end of line 2, then esc, enter.
	s.send(keyMsg("up"), tea.KeyMsg{Type: tea.KeyEnd}, keyMsg(","), keyMsg("esc"), keyMsg("enter")).waitFor("Not sent", "line 3")
	a := s.final().(*app)
	if a.console.result != nil || !a.console.refused {
		t.Errorf("an invalid body was sent: %+v", a.console.result)
	}
	if !strings.Contains(a.console.editor.Value(), "access_token>\",") {
		t.Errorf("the edit did not reach the body: %q", a.console.editor.Value())
	}
}

// TestConsoleExplainsErrors: an Item whose access_token Plaid does not
// know gets INVALID_ACCESS_TOKEN, shown with its request_id and the
// explanation from the shared table; v shows the request as code with
// the token as an environment variable.
func TestConsoleExplainsErrors(t *testing.T) {
	env, _, _ := consoleKit(t)
	ctx := context.Background()
	if err := env.Store.UpsertItem(ctx, store.Item{ItemID: "gone-item", InstitutionName: "Tartan Bank"},
		"access-sandbox-00000000-0000-0000-0000-000000000000"); err != nil {
		t.Fatal(err)
	}
	ex, _ := flows.Explain("INVALID_ACCESS_TOKEN")
	m := New(Options{Env: env.Env, Clipboard: &strings.Builder{}})
	s := startScreen(t, m, 100, 40).waitFor("Quickstart")
	s.send(keyMsg("A")).waitFor("Choose an operation")
	for _, k := range typed("accounts get") {
		s.send(k)
	}
	s.waitFor("▸ /accounts/get")
	s.send(keyMsg("enter")).waitFor("Item: none")
	s.send(keyMsg("enter")).waitFor("Not sent", "no Item is chosen")
	s.send(keyMsg("i")).waitFor("Choose the Item", "gone-item")
	// The Items are most recently updated first: gone-item is row 1.
	s.send(keyMsg("down")).send(keyMsg("enter")).waitFor("Item: gone-item")
	s.send(keyMsg("enter")).waitFor("INVALID_ACCESS_TOKEN", "request_id", "What it means")
	s.send(keyMsg("v")).waitFor("Code", "ACCESS_TOKEN")
	a := s.final().(*app)
	c := a.console
	if c.result == nil || c.result.Call.ErrorCode != "INVALID_ACCESS_TOKEN" || !c.result.Explained || c.result.Explanation.Meaning != ex.Meaning {
		t.Fatalf("result %+v", c.result)
	}
	if c.code == nil {
		t.Fatal("v opened no code view")
	}
	for _, sn := range c.code.snippets {
		if strings.Contains(sn.Code, "00000000-0000") || strings.Contains(sn.Code, flows.AccessTokenPlaceholder) {
			t.Errorf("the %s code shows the token or the placeholder instead of an environment variable", sn.Lang.Title())
		}
		if !strings.Contains(sn.Code, "ACCESS_TOKEN") {
			t.Errorf("the %s code reads no ACCESS_TOKEN variable", sn.Lang.Title())
		}
	}
}

// TestConsoleFuzzySearch: the matcher finds operations by path pieces,
// summary words and scattered letters, best first.
func TestConsoleFuzzySearch(t *testing.T) {
	ops, err := flows.ConsoleOps()
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"item get":          "/item/get",
		"/item/get":         "/item/get",
		"fire webhook":      "/sandbox/item/fire_webhook",
		"public token exch": "/item/public_token/exchange",
		"link token create": "/link/token/create",
		"trsync":            "/transactions/sync",
		"Retrieve an Item":  "/item/get",
	} {
		got := searchOps(ops, q)
		if len(got) == 0 || got[0].op.Path != want {
			first := ""
			if len(got) > 0 {
				first = got[0].op.Path
			}
			t.Errorf("%q: first match %q, want %q", q, first, want)
		}
	}
	if n := len(searchOps(ops, "")); n != 251 {
		t.Errorf("an empty query lists %d operations, want 251", n)
	}
	if n := len(searchOps(ops, "zzzqqq")); n != 0 {
		t.Errorf("nonsense matches %d operations", n)
	}
}

// consoleAnswer is a fixed INVALID_ACCESS_TOKEN answer for goldens.
func consoleAnswer() consoleSentMsg {
	body := []byte(`{"display_message":null,"error_code":"INVALID_ACCESS_TOKEN","error_message":"provided access token is in an invalid format. expected format: access-<environment>-<identifier>","error_type":"INVALID_INPUT","request_id":"ReqConsole00001"}`)
	ex, ok := flows.Explain("INVALID_ACCESS_TOKEN")
	return consoleSentMsg{result: flows.ConsoleResult{
		Call: flows.Call{Time: t0, Method: "POST", Endpoint: "/accounts/get", HTTPStatus: 400, RequestID: "ReqConsole00001",
			ErrorType: "INVALID_INPUT", ErrorCode: "INVALID_ACCESS_TOKEN", ErrorMessage: "provided access token is in an invalid format. expected format: access-<environment>-<identifier>",
			Duration: 42 * time.Millisecond, ResponseBody: body},
		Response:    []byte("{\n  \"display_message\": null,\n  \"error_code\": \"INVALID_ACCESS_TOKEN\",\n  \"error_type\": \"INVALID_INPUT\",\n  \"request_id\": \"ReqConsole00001\"\n}"),
		Explanation: ex, Explained: ok,
	}}
}

// TestGoldenConsole: the console with an Item, /accounts/get and an
// error explained, at 80×24 and 120×35; and the operation search.
func TestGoldenConsole(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			a := newTestApp(Options{})
			msgs := []tea.Msg{openConsoleMsg{ItemID: "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op"},
				consoleItemsLoadedMsg{items: []store.Item{{ItemID: "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op", InstitutionName: "First Platypus Bank", Status: store.ItemHealthy}}}}
			msgs = append(msgs, typed("accounts get")...)
			msgs = append(msgs, keyMsg("enter"), consoleAnswer())
			st := startScreen(t, a, sz.w, sz.h)
			for _, m := range msgs {
				st.send(m)
			}
			st.waitFor("INVALID_ACCESS_TOKEN", "First Platypus Bank").compare()
		})
	}
}

func TestGoldenConsoleSearch(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			a := newTestApp(Options{})
			st := startScreen(t, a, sz.w, sz.h).send(keyMsg("A"))
			for _, m := range typed("sandbox item") {
				st.send(m)
			}
			st.waitFor("▸ /sandbox/item").compare()
		})
	}
}
