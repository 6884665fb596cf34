package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// newStoredItem links an Item without Link (update mode's pick-item with
// NewItem) and closes the run, so that no run claims the Item's webhooks.
func newStoredItem(t *testing.T, env *testEnv) string {
	t.Helper()
	ctx := testwait.Context(t)
	f, _ := FlowByName("update-mode")
	r, err := env.NewRunWith(ctx, f, RunOptions{NewItem: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Next(ctx); res.Status != StatusOK {
		t.Fatalf("pick-item: %s", res.Error)
	}
	id := r.ItemID()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return id
}

// actionSession opens a session for Item actions, as the app's is.
func actionSession(t *testing.T, env *testEnv) (context.Context, string) {
	t.Helper()
	sess, err := env.Store.StartSession(context.Background(), "app", store.ModeEmulated)
	if err != nil {
		t.Fatal(err)
	}
	return WithSession(testwait.Context(t), sess.ID), sess.ID
}

// flushLog waits until the session log has every record queued so far.
func flushLog(t *testing.T, env *testEnv) {
	t.Helper()
	if err := env.log.flush(testwait.Context(t)); err != nil {
		t.Fatal(err)
	}
}

// checkRecorded asserts each call has a request_id and is in the session
// log, in session, with that request_id.
func checkRecorded(t *testing.T, env *testEnv, session string, calls []Call, endpoints ...string) {
	t.Helper()
	flushLog(t, env)
	var got []string
	for _, c := range calls {
		got = append(got, c.Endpoint)
		if c.RequestID == "" {
			t.Errorf("%s has no request_id", c.Endpoint)
			continue
		}
		es := entries(t, env.Store, store.Filter{RequestID: c.RequestID})
		if len(es) != 1 || es[0].SessionID() != session || es[0].Call == nil || es[0].Call.Endpoint != c.Endpoint {
			t.Errorf("request_id %s (%s): log entries %+v, want one call in session %s", c.RequestID, c.Endpoint, es, session)
		}
		if strings.Contains(string(c.RequestBody), "access-sandbox-") && !strings.Contains(string(c.RequestBody), "…") {
			t.Errorf("%s: the recorded request shows an access_token in full: %s", c.Endpoint, c.RequestBody)
		}
	}
	if !slices.Equal(got, endpoints) {
		t.Errorf("calls %v, want %v", got, endpoints)
	}
}

func TestItemActionsOffline(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	id := newStoredItem(t, env)
	ctx, session := actionSession(t, env)

	ins, err := env.InspectItem(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, env, session, ins.Calls, "/item/get", "/accounts/get")
	if ins.InstitutionID != sandboxInstitution || ins.InstitutionName != sandboxInstitutionName || ins.Error != nil ||
		ins.Status != store.ItemHealthy || ins.Webhook != env.WebhookURL() || !slices.Contains(ins.Products, "transactions") {
		t.Errorf("inspection = %+v", ins)
	}
	if len(ins.Accounts) == 0 || ins.Accounts[0].Mask == "" || ins.Accounts[0].Current == nil || ins.AccountsErr != nil {
		t.Errorf("accounts = %+v, %v", ins.Accounts, ins.AccountsErr)
	}

	// A webhook fired reaches the receiver, verified, in the action's session.
	res, err := env.FireWebhook(ctx, id, "sync_updates_available")
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, env, session, res.Calls, "/item/get", "/sandbox/item/fire_webhook")
	if res.Webhook == nil || res.Webhook.WebhookCode != "SYNC_UPDATES_AVAILABLE" || !strings.HasPrefix(res.Webhook.Signature, SignatureVerified) {
		t.Fatalf("fired webhook = %+v (notes %q)", res.Webhook, res.Notes)
	}
	testwait.Until(t, "the webhook in the action's session", func() (bool, string) {
		flushLog(t, env)
		whs := entries(t, env.Store, store.Filter{SessionID: session, Kind: store.KindWebhook})
		return len(whs) == 1 && whs[0].Webhook.WebhookCode == "SYNC_UPDATES_AVAILABLE", fmt.Sprint(len(whs), " webhooks")
	})
	// A product the Item lacks: the Sandbox error, explained.
	_, err = env.FireWebhook(ctx, id, "PRODUCT_READY")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "SANDBOX_PRODUCT_NOT_ENABLED" || ae.RequestID == "" {
		t.Errorf("firing PRODUCT_READY without assets: %v", err)
	} else if _, ok := ExplanationOf(err); !ok {
		t.Errorf("no explanation for %v", err)
	}
	if _, err := env.FireWebhook(ctx, id, "NOT_A_CODE"); err == nil || !strings.Contains(err.Error(), "SYNC_UPDATES_AVAILABLE") {
		t.Errorf("unknown code: %v", err)
	}

	// reset_login: the store says ITEM_LOGIN_REQUIRED, and /item/get agrees.
	res, err = env.ResetLogin(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, env, session, res.Calls, "/sandbox/item/reset_login")
	if it, _ := env.Store.Item(ctx, id); it.Status != store.ItemLoginRequired || res.Status != store.ItemLoginRequired {
		t.Errorf("after reset_login the Item's status is %q (result %q)", it.Status, res.Status)
	}
	ins, err = env.InspectItem(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.As(ins.AccountsErr, &ae) || ae.Code != itemLoginRequired || ins.Error == nil || ins.Error.Code != itemLoginRequired {
		t.Errorf("inspection after reset_login: error %+v, accounts %v", ins.Error, ins.AccountsErr)
	}
	checkRecorded(t, env, session, ins.Calls, "/item/get", "/accounts/get")

	// Remove: marked removed, and no action works on it any more.
	res, err = env.RemoveItem(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	checkRecorded(t, env, session, res.Calls, "/item/remove")
	if it, _ := env.Store.Item(ctx, id); it.Status != store.ItemRemoved {
		t.Errorf("after /item/remove the Item's status is %q", it.Status)
	}
	if _, err := env.InspectItem(ctx, id); !errors.Is(err, ErrItemRemoved) {
		t.Errorf("inspecting a removed Item: %v", err)
	}
	if _, err := env.FireWebhook(ctx, id, "DEFAULT_UPDATE"); !errors.Is(err, ErrItemRemoved) {
		t.Errorf("firing at a removed Item: %v", err)
	}
}

// An Item the API forgot (an emulator reset) is marked removed when an
// action finds out.
func TestItemActionForgetsGoneItem(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	id := newStoredItem(t, env)
	ctx, _ := actionSession(t, env)
	if err := env.Control.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := env.InspectItem(ctx, id)
	var ae *APIError
	if !errors.As(err, &ae) || ae.RequestID == "" || !strings.Contains(err.Error(), "marks it removed") {
		t.Fatalf("inspecting a forgotten Item: %v", err)
	}
	if it, _ := env.Store.Item(ctx, id); it.Status != store.ItemRemoved {
		t.Errorf("status %q, want removed", it.Status)
	}
	if _, err := env.InspectItem(ctx, "no-such-item"); err == nil || !strings.Contains(err.Error(), "linkexplorer items") {
		t.Errorf("unknown Item: %v", err)
	}
}

// Plaid mode: the same calls; fire_webhook does not wait for a webhook
// real Plaid cannot deliver to loopback.
func TestItemActionsPlaidMode(t *testing.T) {
	env := newTestEnvMode(t, BrowserNone, ModePlaid)
	id := newStoredItem(t, env)
	sess, err := env.Store.StartSession(context.Background(), "app", store.ModePlaid)
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithSession(testwait.Context(t), sess.ID)
	ins, err := env.InspectItem(ctx, id)
	if err != nil || len(ins.Accounts) == 0 {
		t.Fatalf("inspect: %+v, %v", ins, err)
	}
	checkRecorded(t, env, sess.ID, ins.Calls, "/item/get", "/accounts/get")
	// The Item made without a webhook in plaid mode: Sandbox's error.
	_, err = env.FireWebhook(ctx, id, "DEFAULT_UPDATE")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "SANDBOX_WEBHOOK_INVALID" {
		t.Errorf("firing without a webhook URL: %v", err)
	}
	// An Item of the other mode is refused before any call.
	if err := env.Store.UpsertItem(ctx, store.Item{ItemID: "emu-item", Mode: store.ModeEmulated}, "access-sandbox-x"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.InspectItem(ctx, "emu-item"); err == nil || !strings.Contains(err.Error(), "emulated mode") {
		t.Errorf("an emulated Item in plaid mode: %v", err)
	}
}

func TestUpdateModeUsesChosenItem(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	first := newStoredItem(t, env)
	second := newStoredItem(t, env) // the latest: plain reuse would pick it
	ctx := testwait.Context(t)
	f, _ := FlowByName("update-mode")
	pick := func(opts RunOptions) (*Run, *StepResult) {
		r, err := env.NewRunWith(ctx, f, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r, r.Next(ctx)
	}
	if r, res := pick(RunOptions{}); r.ItemID() != second {
		t.Fatalf("without ItemID the run picked %q (%s), want the latest %q", r.ItemID(), res.Error, second)
	}
	r, res := pick(RunOptions{ItemID: first})
	if res.Status != StatusOK || r.ItemID() != first {
		t.Fatalf("with ItemID the run picked %q (%s), want %q", r.ItemID(), res.Error, first)
	}
	if slices.ContainsFunc(res.Calls, func(c Call) bool { return c.Endpoint == "/sandbox/public_token/create" }) {
		t.Error("the run made a new Item instead of using the chosen one")
	}
	// A removed Item cannot be chosen: the step fails instead of making another.
	actx, _ := actionSession(t, env)
	if _, err := env.RemoveItem(actx, first); err != nil {
		t.Fatal(err)
	}
	_, res = pick(RunOptions{ItemID: first})
	if res.Status != StatusFailed || !strings.Contains(res.Error, "removed") {
		t.Errorf("update mode on a removed Item: %s %q", res.Status, res.Error)
	}
}
