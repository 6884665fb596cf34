package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// consoleItem creates a Sandbox Item through the emulator and saves it in
// the store, as a flow does; it returns its item_id and access_token.
func consoleItem(t *testing.T, env *flowstest.Env) (string, string) {
	t.Helper()
	ctx := testwait.Context(t)
	pt, _, err := env.Client.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(
		*plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_TRANSACTIONS})).Execute()
	if err != nil {
		t.Fatalf("creating a public_token: %v", err)
	}
	ex, _, err := env.Client.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatalf("exchanging the public_token: %v", err)
	}
	if err := env.Store.UpsertItem(ctx, store.Item{ItemID: ex.GetItemId(), InstitutionID: "ins_109508",
		Mode: store.ModeEmulated, BaseURL: env.EmulatorURL}, ex.GetAccessToken()); err != nil {
		t.Fatal(err)
	}
	return ex.GetItemId(), ex.GetAccessToken()
}

// The shape errors a pre-filled body must never get: the schema's own
// required fields, known fields and types are what Prefill writes.
var shapeErrors = map[string]bool{"MISSING_FIELDS": true, "UNKNOWN_FIELDS": true, "INVALID_FIELD": true, "INVALID_BODY": true}

// TestConsolePrefillEveryOperation sends every operation of the schema
// its pre-filled body, with an Item's access_token in place of the
// placeholder, to the emulator, which validates requests against the
// schema as Plaid does: none may be refused for its shape (a missing
// required field, an unknown field, a wrong type or format). Semantic
// refusals (a product the Item lacks, an id that does not exist) are
// what a real call gets too.
func TestConsolePrefillEveryOperation(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{})
	_, token := consoleItem(t, env)
	ops, err := flows.ConsoleOps()
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 251 {
		t.Fatalf("the console offers %d operations, want the schema's 251", len(ops))
	}
	spec, err := plaidspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, op := range ops {
		body, err := flows.Prefill(op.Path)
		if err != nil {
			t.Errorf("%s: %v", op.Path, err)
			continue
		}
		if err := flows.CheckConsoleBody(body); err != nil {
			t.Errorf("%s: the pre-filled body is refused locally: %v\n%s", op.Path, err, body)
			continue
		}
		if op.TakesAccessToken && !bytes.Contains(body, []byte(flows.AccessTokenPlaceholder)) {
			t.Errorf("%s: takes an access_token %v, but the body is\n%s", op.Path, op.TakesAccessToken, body)
		}
		if bytes.Contains(body, []byte(`"client_id"`)) || bytes.Contains(body, []byte(`"secret"`)) {
			t.Errorf("%s: the body carries the credentials, which the client sends as headers:\n%s", op.Path, body)
		}
		// The emulator's own validator (Plaid's checks of the schema)
		// accepts the body as it is sent.
		sent := bytes.ReplaceAll(body, []byte(flows.AccessTokenPlaceholder), []byte(token))
		sop, _ := spec.Op(op.Path)
		// (client_id and secret travel as headers.)
		v := plaidspec.Validate(sent, sop.Request)
		v.Missing = slices.DeleteFunc(v.Missing, func(f string) bool { return f == "client_id" || f == "secret" })
		if v.Syntax != "" || len(v.Unknown) > 0 || len(v.Missing) > 0 || v.Invalid != nil {
			t.Errorf("%s: the schema refuses the pre-filled body: %+v\n%s", op.Path, v, body)
		}
		res, err := flows.SendConsole(testwait.Context(t), env.Client, flows.ConsoleRequest{Path: op.Path, Body: body, AccessToken: token})
		if err != nil {
			t.Errorf("%s: %v", op.Path, err)
			continue
		}
		if res.Call.RequestID == "" && !res.OK() {
			t.Errorf("%s: answered %d with no request_id: %s", op.Path, res.Call.HTTPStatus, res.Response)
		}
		// What the emulator refuses beyond the schema is semantic (an id
		// it does not know): INVALID_FIELD with a sentence. Missing or
		// unknown fields would be the shape.
		if shapeErrors[res.Call.ErrorCode] && res.Call.ErrorCode != "INVALID_FIELD" {
			t.Errorf("%s: the pre-filled body is refused for its shape: %s: %s\n%s", op.Path, res.Call.ErrorCode, res.Call.ErrorMessage, body)
		}
		if res.OK() {
			ok++
		}
	}
	// Most operations answer with a success: the body is not only the
	// right shape but usable as it is.
	if ok < len(ops)*3/4 {
		t.Errorf("only %d of %d pre-filled requests succeeded", ok, len(ops))
	}
	t.Logf("%d of %d pre-filled requests succeeded as they are", ok, len(ops))
}

// TestConsoleSendsTheItemsTokenUnseen sends /item/get with the
// placeholder: the emulator answers for the Item (the token was put in),
// and the session log holds the call, with its request_id, in the given
// session, its bodies masked: the token is nowhere in the store.
func TestConsoleSendsTheItemsTokenUnseen(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{})
	itemID, token := consoleItem(t, env)
	ctx := testwait.Context(t)
	sess, err := env.Store.StartSession(ctx, "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	body, err := flows.Prefill("/item/get")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(body, []byte(token)) {
		t.Fatalf("the pre-filled body shows the token:\n%s", body)
	}
	res, err := flows.SendConsole(flows.WithSession(ctx, sess.ID), env.Client, flows.ConsoleRequest{Path: "/item/get", Body: body, AccessToken: token, ItemID: itemID})
	if err != nil || !res.OK() {
		t.Fatalf("/item/get: %v %s", err, res.Response)
	}
	if !bytes.Contains(res.Response, []byte(itemID)) {
		t.Errorf("the answer is not the Item's:\n%s", res.Response)
	}
	for what, b := range map[string][]byte{"response": res.Response, "recorded request": res.Call.RequestBody, "recorded response": res.Call.ResponseBody} {
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("the %s shows the access_token", what)
		}
	}
	var entry store.Entry
	testwait.Until(t, "the console's call in the session log", func() (bool, string) {
		page, err := env.Store.Entries(ctx, store.Query{Filter: store.Filter{SessionID: sess.ID}, Bodies: true})
		if err != nil {
			return false, err.Error()
		}
		for _, e := range page.Entries {
			if e.Call != nil && e.Call.Endpoint == "/item/get" {
				entry = e
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d entries", len(page.Entries))
	})
	if entry.Call.RequestID != res.Call.RequestID || entry.Call.RequestID == "" {
		t.Errorf("recorded request_id %q, the console showed %q", entry.Call.RequestID, res.Call.RequestID)
	}
	var buf bytes.Buffer
	if err := env.Store.Export(ctx, &buf, store.FormatJSON, store.Filter{}); err != nil {
		t.Fatal(err)
	}
	items, err := env.Store.Items(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := json.Marshal(items)
	for what, b := range map[string][]byte{"log entry": append(entry.Call.RequestBody, entry.Call.ResponseBody...), "export": buf.Bytes(), "Items": rows} {
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("the store's %s holds the access_token in full", what)
		}
	}
	if !bytes.Contains(entry.Call.RequestBody, []byte(`"access_token"`)) {
		t.Errorf("the recorded request has no access_token field (masked): %s", entry.Call.RequestBody)
	}
}

// TestConsoleRefusesLocally: a body that is not a JSON object, or that
// asks for the Item's token with no Item chosen, is refused before
// anything is sent (the emulator's journal would show a request).
func TestConsoleRefusesLocally(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{})
	ctx := testwait.Context(t)
	for _, c := range []struct{ name, body, want string }{
		{"syntax", "{\n  \"access_token\": \"x\",\n}", "line 3"},
		{"truncated", `{"access_token": "x"`, "ends before"},
		{"array", `["a"]`, "JSON array"},
		{"trailing", `{} {}`, "more after"},
		{"no item", "{\"access_token\": \"" + flows.AccessTokenPlaceholder + "\"}", "no Item is chosen"},
	} {
		_, err := flows.SendConsole(ctx, env.Client, flows.ConsoleRequest{Path: "/item/get", Body: []byte(c.body)})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("%s: got %v, want an error saying %q and that nothing was sent", c.name, err, c.want)
		}
		if c.name != "no item" && !errors.Is(err, flows.ErrInvalidJSON) {
			t.Errorf("%s: %v is not ErrInvalidJSON", c.name, err)
		}
	}
	page, err := env.Store.Entries(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 0 {
		t.Errorf("refused bodies were sent: %d calls in the log", len(page.Entries))
	}
}

// TestConsoleExplainsPlaidErrors: an access_token Plaid does not know
// gets INVALID_ACCESS_TOKEN from the emulator, with its request_id and
// the explanation from the shared table.
func TestConsoleExplainsPlaidErrors(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{})
	res, err := flows.SendConsole(testwait.Context(t), env.Client, flows.ConsoleRequest{Path: "/accounts/get",
		Body: []byte(`{"access_token": "access-sandbox-00000000-0000-0000-0000-000000000000"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Call.ErrorCode != "INVALID_ACCESS_TOKEN" || res.Call.RequestID == "" || res.Call.HTTPStatus != 400 {
		t.Fatalf("got %d %s (request_id %q)", res.Call.HTTPStatus, res.Call.ErrorCode, res.Call.RequestID)
	}
	want, _ := flows.Explain("INVALID_ACCESS_TOKEN")
	if !res.Explained || res.Explanation.Meaning != want.Meaning {
		t.Errorf("explanation %+v, want %+v", res.Explanation, want)
	}
}
