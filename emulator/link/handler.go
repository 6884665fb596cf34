package link

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the SDK and UI assets
	"encoding/base64"
	"log/slog"
	"net/http"
	"slices"
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
	st   *store
	mux  *http.ServeMux
}

// New returns the emulated Link, backed by b.
func New(b Backend, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{b: b, opts: opts, st: newStore(), mux: http.NewServeMux()}
	h.routes()
	return h
}

// Owns reports whether path belongs to the emulated Link: the SDK and UI
// under /link/, its session API under /__link/, and the control endpoints
// /__emulator/autopilot and /__emulator/link_sessions.
func (h *Handler) Owns(path string) bool {
	return strings.HasPrefix(path, "/link/") || strings.HasPrefix(path, "/__link/") ||
		path == "/__emulator/autopilot" || path == "/__emulator/link_sessions"
}

// Reset forgets every Link session and armed autopilot.
func (h *Handler) Reset() { h.st.reset() }

// ServeHTTP serves the paths Owns accepts.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// routes registers every path; anything else under /link/ or /__link/ is a
// 404.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /link/v2/stable/link-initialize.js", asset(initializeJS, "text/javascript; charset=utf-8"))
	m.HandleFunc("GET /link/v2/stable/link.html", serveLinkHTML)
	m.HandleFunc("GET /link/v2/stable/emulated/link.js", asset(linkJS, "text/javascript; charset=utf-8"))
	m.HandleFunc("GET /link/v2/stable/emulated/link.css", asset(linkCSS, "text/css; charset=utf-8"))
	m.HandleFunc("GET /link/v2/stable/oauth/bank.html", serveBankHTML)
	m.HandleFunc("GET /link/v2/stable/oauth/bank.js", asset(bankJS, "text/javascript; charset=utf-8"))

	choosing := []string{stateInstitution, stateCredentials, stateOAuth}
	for path, fn := range map[string]http.HandlerFunc{
		"/__link/session":             h.serveStart,
		"/__link/institutions/search": step(h, smallBodyLimit, choosing, h.search),
		"/__link/institution":         step(h, smallBodyLimit, choosing, h.selectInstitution),
		"/__link/credentials":         step(h, credentialsBodyLimit, []string{stateCredentials}, h.credentials),
		"/__link/mfa":                 step(h, smallBodyLimit*8, []string{stateMFA}, h.mfa),
		"/__link/oauth":               step(h, smallBodyLimit, []string{stateOAuth}, h.oauth),
		"/__link/oauth/complete":      step(h, smallBodyLimit, []string{stateOAuth}, h.oauthComplete),
		"/__link/oauth/bank":          h.serveBank,
		"/__link/oauth/consent":       h.serveConsent,
		"/__link/accounts":            step(h, smallBodyLimit*2, []string{stateAccounts}, h.selectAccounts),
		"/__link/exit":                h.serveExit,
		"/__link/events":              h.serveEvents,
		"/__link/abandon":             h.serveAbandon,
	} {
		m.HandleFunc(path, h.postOnly(fn))
	}
	m.HandleFunc("/__link/", h.notFound)
	m.HandleFunc("/link/", h.notFound)

	m.HandleFunc("/__emulator/autopilot", h.postOnly(h.serveAutopilot))
	m.HandleFunc("GET /__emulator/link_sessions", h.serveSessions)
}

// postOnly refuses methods other than POST with a 405.
func (h *Handler) postOnly(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writePlaidError(w, h.b.NewRequestID(), requestError(http.StatusMethodNotAllowed, "INVALID_REQUEST", "%s %s is not allowed: use POST", r.Method, r.URL.Path))
			return
		}
		fn(w, r)
	}
}

// notFound answers unknown paths with a Plaid-shaped 404.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	writePlaidError(w, h.b.NewRequestID(), requestError(http.StatusNotFound, "NOT_FOUND",
		"%s is not a path of the emulated Link (the SDK is at /link/v2/stable/link-initialize.js)", r.URL.Path))
}

// The embedded SDK and UI.
var (
	//go:embed assets/link-initialize.js
	initializeJS []byte
	//go:embed assets/link.html
	linkPage []byte
	//go:embed assets/link.js
	linkJS []byte
	//go:embed assets/link.css
	linkCSS []byte
	//go:embed assets/bank.html
	bankPage []byte
	//go:embed assets/bank.js
	bankJS []byte
)

// asset serves one embedded file.
func asset(body []byte, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	}
}

// linkHTMLPolicy is the Link UI's Content-Security-Policy: nothing but its
// own script and style, and calls to its own origin. The page may be framed
// by any site, as real Link is.
const linkHTMLPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'"

// The Link UI is served with its script and stylesheet inline: Link's
// iframe then starts one round trip sooner (link.html, then link.js and
// link.css, was two). Its policy allows exactly those two by their hashes,
// and nothing else inline. emulated/link.js and link.css stay served for
// the bank's page and for people reading the source.
var (
	linkHTMLInline, linkHTMLInlinePolicy = inlineAssets(linkPage, map[string][]byte{
		`<link rel="stylesheet" href="emulated/link.css">`: linkCSS,
		`<script src="emulated/link.js" defer></script>`:   linkJS,
	})
	linkHTML = asset(linkHTMLInline, "text/html; charset=utf-8")
)

// inlineAssets replaces each tag of page (a stylesheet link or a script)
// with its content inline, and returns the page and the Content-Security-
// Policy that allows those contents by hash. It panics when a tag is
// missing: the embedded page and this list go together.
func inlineAssets(page []byte, tags map[string][]byte) ([]byte, string) {
	scripts, styles := []string{"'self'"}, []string{"'self'"}
	for tag, body := range tags {
		if !bytes.Contains(page, []byte(tag)) {
			panic("emulated Link: " + tag + " is not in link.html")
		}
		sum := sha256.Sum256(body)
		hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		var inline []byte
		if strings.HasPrefix(tag, "<script") {
			scripts = append(scripts, hash)
			inline = slices.Concat([]byte("<script>"), body, []byte("</script>"))
		} else {
			styles = append(styles, hash)
			inline = slices.Concat([]byte("<style>"), body, []byte("</style>"))
		}
		page = bytes.Replace(page, []byte(tag), inline, 1)
	}
	policy := strings.Replace(linkHTMLPolicy, "script-src 'self'", "script-src "+strings.Join(scripts, " "), 1)
	policy = strings.Replace(policy, "style-src 'self'", "style-src "+strings.Join(styles, " "), 1)
	return page, policy
}

// serveLinkHTML serves the Link UI. Its URL carries the link_token, so the
// page sends no Referer anywhere.
func serveLinkHTML(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", linkHTMLInlinePolicy)
	w.Header().Set("Referrer-Policy", "no-referrer")
	linkHTML(w, r)
}

var bankHTML = asset(bankPage, "text/html; charset=utf-8")

// serveBankHTML serves the emulated bank's OAuth consent page. Its URL
// carries the oauth_state_id, so it sends no Referer; it uses Link's
// stylesheet.
func serveBankHTML(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", linkHTMLPolicy)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	bankHTML(w, r)
}
