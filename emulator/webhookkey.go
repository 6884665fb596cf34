package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// webhookKey signs the emulator's webhooks as Plaid signs its own: an ES256
// JWT in the Plaid-Verification header, whose payload holds the time it
// was issued (iat) and the SHA-256 of the body (request_body_sha256). Its
// public half is served by /webhook_verification_key/get, by its kid.
type webhookKey struct {
	kid     string
	priv    *ecdsa.PrivateKey
	created time.Time
}

// persistedKey is a webhookKey in the state file, so that a restart keeps
// webhooks already delivered verifiable.
type persistedKey struct {
	KID       string    `json:"kid"`
	D         string    `json:"d"` // the private scalar, base64url
	CreatedAt time.Time `json:"created_at"`
}

func newWebhookKey(now time.Time) (*webhookKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("emulator: making the webhook signing key: %w", err)
	}
	return &webhookKey{kid: uuid.NewString(), priv: priv, created: now.UTC().Truncate(time.Second)}, nil
}

func (k *webhookKey) persisted() (*persistedKey, error) {
	d, err := k.priv.Bytes()
	if err != nil {
		return nil, err
	}
	return &persistedKey{KID: k.kid, D: base64.RawURLEncoding.EncodeToString(d), CreatedAt: k.created}, nil
}

func (p *persistedKey) key() (*webhookKey, error) {
	d, err := base64.RawURLEncoding.DecodeString(p.D)
	if err != nil {
		return nil, err
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return nil, err
	}
	if p.KID == "" {
		return nil, fmt.Errorf("the webhook key has no kid")
	}
	return &webhookKey{kid: p.KID, priv: priv, created: p.CreatedAt}, nil
}

// sign returns the Plaid-Verification JWT for a webhook body issued at iat.
func (k *webhookKey) sign(body []byte, iat time.Time) (string, error) {
	sum := sha256.Sum256(body)
	header, err := json.Marshal(map[string]string{"alg": "ES256", "kid": k.kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(map[string]any{"iat": iat.Unix(), "request_body_sha256": hex.EncodeToString(sum[:])})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, k.priv, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64) // JWS ES256: r and s, 32 bytes each, big-endian
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signingInput + "." + enc.EncodeToString(sig), nil
}

// jwkJSON is the public key as /webhook_verification_key/get returns it.
type jwkJSON struct {
	Alg       string `json:"alg"`
	Crv       string `json:"crv"`
	Kid       string `json:"kid"`
	Kty       string `json:"kty"`
	Use       string `json:"use"`
	X         string `json:"x"`
	Y         string `json:"y"`
	CreatedAt int64  `json:"created_at"`
	ExpiredAt *int64 `json:"expired_at"`
}

func (k *webhookKey) jwk() (jwkJSON, error) {
	point, err := k.priv.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		return jwkJSON{}, err
	}
	enc := base64.RawURLEncoding
	return jwkJSON{
		Alg: "ES256", Crv: "P-256", Kid: k.kid, Kty: "EC", Use: "sig",
		X: enc.EncodeToString(point[1:33]), Y: enc.EncodeToString(point[33:65]),
		CreatedAt: k.created.Unix(),
	}, nil
}

type webhookVerificationKeyGetRequest struct {
	KeyID string `json:"key_id" plaid:"required"`
}

type webhookVerificationKeyGetResponse struct {
	Key       jwkJSON `json:"key"`
	RequestID string  `json:"request_id"`
}

// webhookVerificationKeyGet serves /webhook_verification_key/get: the
// public key whose kid a webhook's JWT header names.
func webhookVerificationKeyGet(e *Emulator, c *call, req *webhookVerificationKeyGetRequest) (any, *sandbox.Error) {
	if req.KeyID != e.whKey.kid {
		return nil, apiError("INVALID_WEBHOOK_VERIFICATION_KEY_ID", "invalid key_id provided: %q is not a key of this emulator; take the kid from the header of the webhook's Plaid-Verification JWT", req.KeyID)
	}
	key, err := e.whKey.jwk()
	if err != nil {
		return nil, apiError("INTERNAL_SERVER_ERROR", "rendering the webhook verification key: %v", err)
	}
	return webhookVerificationKeyGetResponse{Key: key, RequestID: c.requestID}, nil
}
