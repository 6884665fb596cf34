// Package emulator is linkexplorer's offline Plaid Sandbox: Plaid's API over
// HTTP (the official plaid-go client works against it unchanged), the
// emulated Link SDK, webhooks, a virtual clock and a control API under
// /__emulator/. Other code reaches it only over HTTP.
package emulator

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configure an Emulator.
type Options struct {
	// ClientID and Secret, when both are set, are the only credentials
	// accepted; a wrong pair gives INVALID_API_KEYS. Empty: any pair.
	ClientID, Secret string
	// RedirectURIs is the redirect_uri allowlist. http://localhost and
	// http://127.0.0.1 URIs are always allowed, as in Sandbox.
	RedirectURIs []string
	// StateFile, when set, persists Items and tokens across restarts.
	StateFile string
	// Logger receives the emulator's logs. Nil discards them.
	Logger *slog.Logger
	// WebhookClient delivers webhooks. Nil uses a client with a 10 s timeout.
	WebhookClient *http.Client
	// Now is the real clock under the virtual one. Nil is time.Now.
	Now func() time.Time
}
