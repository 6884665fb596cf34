package flows

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

// TestUnverifiedWebhooksDoNotChangeItemStatus: anyone who can reach the
// webhook receiver can post an ITEM webhook. Unsigned, alg none, unknown
// key and tampered webhooks about a healthy Item are recorded with their
// verdict but leave its status alone, and the run says so; the genuine,
// signed webhook from the emulator then changes it.
func TestUnverifiedWebhooksDoNotChangeItemStatus(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	// A genuine JWT, for another Item, to tamper with.
	genuineJWT, _ := signedWebhook(t, env)
	parts := strings.Split(genuineJWT, ".")
	enc := base64.RawURLEncoding

	// The Item under attack: linked with the receiver as its webhook, in
	// the session log as healthy, watched by a run.
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetWebhook(env.WebhookURL())
	req.SetOptions(*opts)
	pt, _, err := env.Client.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ex, _, err := env.Client.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	itemID := ex.GetItemId()
	if err := env.Store.UpsertItem(ctx, store.Item{ItemID: itemID, InstitutionID: "ins_109508", Mode: string(ModeEmulated), Status: store.ItemHealthy}, ex.GetAccessToken()); err != nil {
		t.Fatal(err)
	}
	status := func() string {
		it, err := env.Store.Item(ctx, itemID)
		if err != nil {
			t.Fatal(err)
		}
		return it.Status
	}

	forged := func(code, errorCode string) []byte {
		return fmt.Appendf(nil, `{"environment":"sandbox","error":{"display_message":null,"error_code":%q,"error_message":"forged","error_type":"ITEM_ERROR","status":400},"item_id":%q,"webhook_code":%q,"webhook_type":"ITEM"}`,
			errorCode, itemID, code)
	}
	attacks := []struct {
		name, jwt, verdict string
		body               []byte
	}{
		{"unsigned", "", "unsigned", forged("ERROR", "ITEM_LOGIN_REQUIRED")},
		{"alg none", enc.EncodeToString([]byte(`{"alg":"none","kid":"x","typ":"JWT"}`)) + "." + parts[1] + ".", `invalid: the JWT's alg is "none"`, forged("ERROR", "ITEM_LOCKED")},
		{"unknown key", enc.EncodeToString([]byte(`{"alg":"ES256","kid":"6c5516e1-92dc-479e-a8ff-5a51992e0001","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2],
			"INVALID_WEBHOOK_VERIFICATION_KEY_ID", forged("ERROR", "ITEM_LOCKED")},
		{"tampered", genuineJWT, "invalid: request_body_sha256 does not match", forged("ERROR", "ITEM_LOGIN_REQUIRED")},
		{"unsigned repair", "", "unsigned", forged("LOGIN_REPAIRED", "")},
	}
	for _, a := range attacks {
		hreq, _ := http.NewRequest(http.MethodPost, env.WebhookURL(), bytes.NewReader(a.body))
		hreq.Header.Set("Content-Type", "application/json")
		if a.jwt != "" {
			hreq.Header.Set("Plaid-Verification", a.jwt)
		}
		resp, err := http.DefaultClient.Do(hreq)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: the receiver answered %d", a.name, resp.StatusCode)
		}
		if got := status(); got != store.ItemHealthy {
			t.Fatalf("%s webhook changed the Item's status to %s", a.name, got)
		}
	}

	// Each is in the log with its verdict, and says the status did not change.
	var hooks []store.Entry
	testwait.Until(t, "every webhook about the Item in the log", func() (bool, string) {
		_ = env.log.flush(ctx)
		hooks = entries(t, env.Store, store.Filter{Kind: store.KindWebhook, ItemID: itemID})
		return len(hooks) >= len(attacks), fmt.Sprintf("%d webhooks", len(hooks))
	})
	if len(hooks) != len(attacks) {
		t.Fatalf("%d webhooks about the Item in the log, want %d", len(hooks), len(attacks))
	}
	for i, a := range attacks {
		w := hooks[len(hooks)-1-i].Webhook // newest first
		if !strings.Contains(w.Signature, a.verdict) {
			t.Errorf("%s: recorded verdict %q, want %q", a.name, w.Signature, a.verdict)
		}
		st, effect := ItemStatusEffect(w.WebhookType, w.WebhookCode, w.ItemID, w.ErrorCode, w.Signature)
		if st != "" || !strings.HasPrefix(effect, "Item status not changed") || !strings.Contains(effect, "only a verified webhook may change it") {
			t.Errorf("%s: effect %q", a.name, effect)
		}
	}

	// The genuine webhook: /sandbox/item/reset_login makes the emulator
	// send a signed ITEM ERROR, which is verified and followed.
	if _, _, err := env.Client.PlaidApi.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(ex.GetAccessToken())).Execute(); err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the verified webhook to set ITEM_LOGIN_REQUIRED", func() (bool, string) {
		st := status()
		return st == "ITEM_LOGIN_REQUIRED", "status " + st
	})
}

func TestItemStatusEffectText(t *testing.T) {
	for _, c := range []struct{ typ, code, item, errCode, sig, status, effect string }{
		{"ITEM", "ERROR", "it1", "ITEM_LOGIN_REQUIRED", "verified (kid k)", "ITEM_LOGIN_REQUIRED", "Item status set to ITEM_LOGIN_REQUIRED"},
		{"ITEM", "LOGIN_REPAIRED", "it1", "", "verified (kid k)", store.ItemHealthy, "Item status set to " + store.ItemHealthy},
		{"ITEM", "ERROR", "it1", "ITEM_LOCKED", "unsigned", "", "Item status not changed (would be ITEM_LOCKED): it is unsigned; only a verified webhook may change it"},
		{"ITEM", "ERROR", "it1", "ITEM_LOCKED", "invalid: the JWT's alg is \"none\", not ES256", "", "Item status not changed (would be ITEM_LOCKED): it is invalid: the JWT's alg is \"none\", not ES256; only a verified webhook may change it"},
		{"TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", "it1", "", "unsigned", "", ""},
		{"ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED", "it1", "", "unsigned", "", ""},
	} {
		st, eff := ItemStatusEffect(c.typ, c.code, c.item, c.errCode, c.sig)
		if st != c.status || eff != c.effect {
			t.Errorf("%s %s %s: (%q, %q), want (%q, %q)", c.typ, c.code, c.sig, st, eff, c.status, c.effect)
		}
	}
}
