package emulator

import (
	"math/rand/v2"
	"strings"

	"github.com/google/uuid"
)

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Token kinds, the first segment of a token (reference §1.5).
const (
	kindLink   = "link"
	kindPublic = "public"
	kindAccess = "access"
)

// environment is the environment segment of tokens and of webhook bodies.
const environment = "sandbox"

// randomAlphanumeric returns n (at most 64) random characters of
// [A-Za-z0-9]. Each 64-bit random number yields 9 base-62 digits, whose
// bias is below 0.1%: fine for identifiers, which are not secrets.
func randomAlphanumeric(n int) string {
	var buf [64]byte
	var r uint64
	for i := range buf[:n] {
		if i%9 == 0 {
			r = rand.Uint64()
		}
		buf[i] = alphanumerics[r%uint64(len(alphanumerics))]
		r /= uint64(len(alphanumerics))
	}
	return string(buf[:n])
}

// newRequestID returns a request_id as Plaid forms them: 15 alphanumerics.
func newRequestID() string { return randomAlphanumeric(15) }

// newObjectID returns an item_id, account_id or transaction_id: 37
// case-sensitive alphanumerics.
func newObjectID() string { return randomAlphanumeric(37) }

// newToken returns a token of the given kind: kind-sandbox-<uuid v4>.
func newToken(kind string) string { return kind + "-" + environment + "-" + uuid.NewString() }

// tokenKind returns the kind of a well-formed token ("link", "public" or
// "access"), or "" when token does not look like one.
func tokenKind(token string) string {
	kind, rest, ok := strings.Cut(token, "-")
	if !ok || !strings.Contains(rest, "-") {
		return ""
	}
	switch kind {
	case kindLink, kindPublic, kindAccess:
		return kind
	}
	return ""
}
