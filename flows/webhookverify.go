package flows

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// Signature check outcomes, as the session log keeps them.
const (
	SignatureVerified = "verified" // followed by " (kid …)"
	SignatureUnsigned = "unsigned"
	SignatureInvalid  = "invalid" // followed by ": why"
)

// webhookMaxAge is how old a webhook's JWT may be, as Plaid's guide says.
const webhookMaxAge = 5 * time.Minute

// webhookKeys fetches and caches the keys that verify webhooks, by kid,
// through the recorded client: each fetch is a /webhook_verification_key/get
// call in the session log, with its request_id.
type webhookKeys struct {
	client *plaid.APIClient
	mu     sync.Mutex
	keys   map[string]*ecdsa.PublicKey
}

// check verifies a webhook the way Plaid's guide tells an app to: the
// Plaid-Verification JWT names ES256 and a kid; the key for that kid
// verifies its signature; it was issued at most 5 minutes ago; and its
// request_body_sha256 is the SHA-256 of the body exactly as received.
// ctx carries the run, so the key fetch is recorded in its session.
func (k *webhookKeys) check(ctx context.Context, jwt string, body []byte, now time.Time) string {
	if jwt == "" {
		return SignatureUnsigned
	}
	kid, err := k.verify(ctx, jwt, body, now)
	if err != nil {
		return SignatureInvalid + ": " + err.Error()
	}
	return SignatureVerified + " (kid " + kid + ")"
}

func (k *webhookKeys) verify(ctx context.Context, jwt string, body []byte, now time.Time) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("Plaid-Verification is not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeJWTPart(parts[0], &header); err != nil {
		return "", fmt.Errorf("the JWT header: %w", err)
	}
	if header.Alg != "ES256" {
		return header.Kid, fmt.Errorf("the JWT's alg is %q, not ES256", header.Alg)
	}
	if header.Kid == "" {
		return "", fmt.Errorf("the JWT header names no kid")
	}
	pub, err := k.key(ctx, header.Kid)
	if err != nil {
		return header.Kid, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return header.Kid, fmt.Errorf("the JWT's signature is not an ES256 signature")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return header.Kid, fmt.Errorf("the signature does not verify with key %s", header.Kid)
	}
	var claims struct {
		Iat               int64  `json:"iat"`
		RequestBodySHA256 string `json:"request_body_sha256"`
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return header.Kid, fmt.Errorf("the JWT payload: %w", err)
	}
	if age := now.Sub(time.Unix(claims.Iat, 0)); age > webhookMaxAge || age < -webhookMaxAge {
		return header.Kid, fmt.Errorf("the JWT was issued %s ago; Plaid's guide rejects more than 5 minutes", age.Round(time.Second))
	}
	sum := sha256.Sum256(body)
	if subtle.ConstantTimeCompare([]byte(claims.RequestBodySHA256), []byte(hex.EncodeToString(sum[:]))) != 1 {
		return header.Kid, fmt.Errorf("request_body_sha256 does not match the body received")
	}
	return header.Kid, nil
}

// key returns the public key for kid, fetching it once.
func (k *webhookKeys) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	k.mu.Lock()
	pub, ok := k.keys[kid]
	k.mu.Unlock()
	if ok {
		return pub, nil
	}
	resp, _, err := k.client.PlaidApi.WebhookVerificationKeyGet(ctx).
		WebhookVerificationKeyGetRequest(*plaid.NewWebhookVerificationKeyGetRequest(kid)).Execute()
	if err != nil {
		return nil, fmt.Errorf("fetching key %s: %w", kid, AsAPIError("/webhook_verification_key/get", err))
	}
	jwk := resp.GetKey()
	if jwk.GetKty() != "EC" || jwk.GetCrv() != "P-256" {
		return nil, fmt.Errorf("key %s is %s/%s, not an EC P-256 key", kid, jwk.GetKty(), jwk.GetCrv())
	}
	if exp, ok := jwk.GetExpiredAtOk(); ok && exp != nil && *exp != 0 {
		return nil, fmt.Errorf("key %s expired at %s", kid, time.Unix(int64(*exp), 0).UTC().Format(time.RFC3339))
	}
	x, errX := base64.RawURLEncoding.DecodeString(jwk.GetX())
	y, errY := base64.RawURLEncoding.DecodeString(jwk.GetY())
	if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
		return nil, fmt.Errorf("key %s has unreadable coordinates", kid)
	}
	pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, fmt.Errorf("key %s is not a point on P-256", kid)
	}
	k.mu.Lock()
	if k.keys == nil {
		k.keys = map[string]*ecdsa.PublicKey{}
	}
	k.keys[kid] = pub
	k.mu.Unlock()
	return pub, nil
}

func decodeJWTPart(seg string, into any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return fmt.Errorf("not base64url")
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("not JSON")
	}
	return nil
}

// VerificationClaims is what a Plaid-Verification JWT says, decoded for
// display: its header's alg, kid and typ, and its claims. It holds no
// secret: the JWT is signed by Plaid's private key, which never leaves
// Plaid.
type VerificationClaims struct {
	Alg, Kid, Typ     string
	IssuedAt          time.Time // iat; zero when absent
	RequestBodySHA256 string
}

// DecodeVerification decodes a Plaid-Verification JWT's header and claims
// without checking its signature (the log keeps the check's outcome).
func DecodeVerification(jwt string) (VerificationClaims, error) {
	parts := strings.Split(strings.TrimSpace(jwt), ".")
	if len(parts) != 3 {
		return VerificationClaims{}, errors.New("not a JWT (header.claims.signature)")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	if err := decodeJWTPart(parts[0], &header); err != nil {
		return VerificationClaims{}, fmt.Errorf("the JWT header: %w", err)
	}
	var claims struct {
		Iat               int64  `json:"iat"`
		RequestBodySHA256 string `json:"request_body_sha256"`
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return VerificationClaims{}, fmt.Errorf("the JWT claims: %w", err)
	}
	vc := VerificationClaims{Alg: header.Alg, Kid: header.Kid, Typ: header.Typ, RequestBodySHA256: claims.RequestBodySHA256}
	if claims.Iat != 0 {
		vc.IssuedAt = time.Unix(claims.Iat, 0).UTC()
	}
	return vc, nil
}
