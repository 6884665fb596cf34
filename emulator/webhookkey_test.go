package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// verifyWebhook checks a webhook as Plaid's guide tells an app to: the
// JWT's header names ES256 and a kid; the key comes from
// /webhook_verification_key/get through plaid-go; the signature verifies
// with it; iat is at most 5 minutes old; and request_body_sha256 is the
// SHA-256 of the body exactly as received.
func verifyWebhook(t *testing.T, h *harness, jwt, body string) (kid string, err error) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("Plaid-Verification %q is not a JWT", jwt)
	}
	var header struct{ Alg, Kid, Typ string }
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", err
	}
	if header.Alg != "ES256" || header.Kid == "" || header.Typ != "JWT" {
		return "", fmt.Errorf("JWT header %+v", header)
	}
	resp, _, err := h.client.WebhookVerificationKeyGet(h.ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(header.Kid)).Execute()
	if err != nil {
		return header.Kid, fmt.Errorf("fetching key %s: %w", header.Kid, err)
	}
	key := resp.GetKey()
	if key.GetAlg() != "ES256" || key.GetCrv() != "P-256" || key.GetKty() != "EC" || key.GetUse() != "sig" || key.GetKid() != header.Kid {
		return header.Kid, fmt.Errorf("key %+v", key)
	}
	if exp := key.GetExpiredAt(); exp != 0 {
		return header.Kid, fmt.Errorf("the key expired at %d", exp)
	}
	x, errX := base64.RawURLEncoding.DecodeString(key.GetX())
	y, errY := base64.RawURLEncoding.DecodeString(key.GetY())
	sig, errS := base64.RawURLEncoding.DecodeString(parts[2])
	if errX != nil || errY != nil || errS != nil || len(sig) != 64 {
		return header.Kid, fmt.Errorf("undecodable key or signature")
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return header.Kid, fmt.Errorf("the signature does not verify")
	}
	var claims struct {
		Iat               int64  `json:"iat"`
		RequestBodySHA256 string `json:"request_body_sha256"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return header.Kid, err
	}
	if age := time.Since(time.Unix(claims.Iat, 0)); age > 5*time.Minute || age < -time.Minute {
		return header.Kid, fmt.Errorf("iat %d is %v away from now", claims.Iat, age)
	}
	sum := sha256.Sum256([]byte(body))
	if claims.RequestBodySHA256 != hex.EncodeToString(sum[:]) {
		return header.Kid, fmt.Errorf("request_body_sha256 %s does not match the body", claims.RequestBodySHA256)
	}
	return header.Kid, nil
}

func decodeSegment(seg string, into any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return fmt.Errorf("JWT segment: %w", err)
	}
	return json.Unmarshal(raw, into)
}

// TestWebhooksAreSignedAsPlaidSignsThem: every webhook carries a
// Plaid-Verification JWT that verifies with the key plaid-go fetches; a
// tampered body does not verify, an unknown kid is
// INVALID_WEBHOOK_VERIFICATION_KEY_ID, and a missing one MISSING_FIELDS.
func TestWebhooksAreSignedAsPlaidSignsThem(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS)
	res(h.client.SandboxItemResetLogin(h.ctx).SandboxItemResetLoginRequest(*plaid.NewSandboxItemResetLoginRequest(access)).Execute()).must(t)
	b := recv.nextCode(t, "ITEM", "ERROR")
	jwt, body := b["_jwt"].(string), b["_raw"].(string)
	kid, err := verifyWebhook(t, h, jwt, body)
	if err != nil {
		t.Fatalf("the ITEM ERROR webhook does not verify: %v", err)
	}
	res(h.client.SandboxItemFireWebhook(h.ctx).SandboxItemFireWebhookRequest(*plaid.NewSandboxItemFireWebhookRequest(access, "DEFAULT_UPDATE")).Execute()).must(t)
	b2 := recv.nextCode(t, "TRANSACTIONS", "DEFAULT_UPDATE")
	if kid2, err := verifyWebhook(t, h, b2["_jwt"].(string), b2["_raw"].(string)); err != nil || kid2 != kid {
		t.Errorf("the DEFAULT_UPDATE webhook: kid %s (first %s), %v", kid2, kid, err)
	}

	tampered := strings.Replace(body, "ITEM_LOGIN_REQUIRED", "ITEM_LOGIN_REQUIRES", 1)
	if _, err := verifyWebhook(t, h, jwt, tampered); err == nil || !strings.Contains(err.Error(), "does not match the body") {
		t.Errorf("a tampered body verified: %v", err)
	}
	parts := strings.Split(jwt, ".")
	if _, err := verifyWebhook(t, h, parts[0]+"."+parts[1]+"."+strings.Repeat("A", 86), body); err == nil {
		t.Error("a forged signature verified")
	}

	_, _, err = h.client.WebhookVerificationKeyGet(h.ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest("6c5516e1-92dc-479e-a8ff-5a51992e0001")).Execute()
	if pe := wantPlaidError(t, err, "INVALID_WEBHOOK_VERIFICATION_KEY_ID"); pe.GetErrorType() != "INVALID_INPUT" {
		t.Errorf("unknown kid: %+v", pe)
	}
	_, _, err = h.client.WebhookVerificationKeyGet(h.ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest("")).Execute()
	wantPlaidError(t, err, "MISSING_FIELDS")
}

// TestWebhookKeySurvivesRestart: with a state file, a restarted emulator
// signs with the same key, so webhooks sent before the restart still
// verify; without one, each emulator has its own key.
func TestWebhookKeySurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	first, err := New(Options{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	kid := first.whKey.kid
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := New(Options{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.whKey.kid != kid || !again.whKey.priv.Equal(first.whKey.priv) {
		t.Errorf("after a restart the webhook key is %s, was %s", again.whKey.kid, kid)
	}
	other, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.whKey.kid == kid {
		t.Error("two emulators share a webhook key")
	}
}
