package flows

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// signedWebhook makes the emulator send a real webhook to a receiver of
// the test's own and returns its Plaid-Verification JWT and body.
func signedWebhook(t *testing.T, env *testEnv) (jwt string, body []byte) {
	t.Helper()
	type delivery struct {
		jwt  string
		body []byte
	}
	got := make(chan delivery, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Get("Plaid-Verification"), b}
	}))
	t.Cleanup(recv.Close)
	ctx := testwait.Context(t)
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", []plaid.Products{plaid.PRODUCTS_AUTH})
	opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
	opts.SetWebhook(recv.URL + "/hook")
	req.SetOptions(*opts)
	pt, _, err := env.Client.PlaidApi.SandboxPublicTokenCreate(ctx).SandboxPublicTokenCreateRequest(*req).Execute()
	if err != nil {
		t.Fatal(err)
	}
	ex, _, err := env.Client.PlaidApi.ItemPublicTokenExchange(ctx).ItemPublicTokenExchangeRequest(*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Client.PlaidApi.SandboxItemResetLogin(ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(ex.GetAccessToken())).Execute(); err != nil {
		t.Fatal(err)
	}
	d, _ := testwait.Recv(t, got, "the ITEM/ERROR webhook of reset_login")
	return d.jwt, d.body
}

// TestWebhookSignatureChecks checks real emulator webhooks the way the
// receiver does, and each way a webhook can fail Plaid's guide.
func TestWebhookSignatureChecks(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	jwt, body := signedWebhook(t, env)
	ctx := testwait.Context(t)
	now := time.Now()
	parts := strings.Split(jwt, ".")
	enc := base64.RawURLEncoding

	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s, err := ecdsa.Sign(rand.Reader, otherKey, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	forgedSig := make([]byte, 64)
	r.FillBytes(forgedSig[:32])
	s.FillBytes(forgedSig[32:])

	for _, tc := range []struct {
		name, jwt string
		body      []byte
		now       time.Time
		want      string
	}{
		{"genuine", jwt, body, now, "verified (kid "},
		{"no header", "", body, now, "unsigned"},
		{"tampered body", jwt, []byte(strings.Replace(string(body), "ITEM_LOGIN_REQUIRED", "ITEM_LOGIN_REPAIRED", 1)), now,
			"invalid: request_body_sha256 does not match the body received"},
		{"too old", jwt, body, now.Add(6 * time.Minute), "invalid: the JWT was issued 6m"},
		{"signed by another key", parts[0] + "." + parts[1] + "." + enc.EncodeToString(forgedSig), body, now,
			"invalid: the signature does not verify"},
		{"alg none", enc.EncodeToString([]byte(`{"alg":"none","kid":"x","typ":"JWT"}`)) + "." + parts[1] + ".", body, now,
			`invalid: the JWT's alg is "none", not ES256`},
		{"unknown kid", enc.EncodeToString([]byte(`{"alg":"ES256","kid":"6c5516e1-92dc-479e-a8ff-5a51992e0001","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2], body, now,
			"INVALID_WEBHOOK_VERIFICATION_KEY_ID"},
		{"not a JWT", "abc", body, now, "invalid: Plaid-Verification is not a JWT"},
	} {
		got := env.webhookKeys.check(ctx, tc.jwt, tc.body, tc.now)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if tc.name == "unknown kid" && !strings.Contains(got, "request_id") {
			t.Errorf("a failed key fetch must carry its request_id: %q", got)
		}
	}
}
