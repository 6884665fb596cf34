package link

import (
	"log/slog"
	"net/http"
	"strings"
)

// Options configure the emulated Link.
type Options struct {
	Logger *slog.Logger
}

// Handler serves the emulated Link SDK, its UI and its session API.
type Handler struct {
	b    Backend
	opts Options
}

// New returns the emulated Link, backed by b.
func New(b Backend, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{b: b, opts: opts}
}

// Owns reports whether path belongs to the emulated Link: the SDK and UI
// under /link/, its session API under /__link/, and the control endpoints
// /__emulator/autopilot and /__emulator/link_sessions.
func (h *Handler) Owns(path string) bool {
	return strings.HasPrefix(path, "/link/") || strings.HasPrefix(path, "/__link/") ||
		path == "/__emulator/autopilot" || path == "/__emulator/link_sessions"
}

// Reset forgets every Link session and armed autopilot.
func (h *Handler) Reset() {}

// ServeHTTP serves the paths Owns accepts.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "emulated Link: not implemented yet", http.StatusNotImplemented)
}
