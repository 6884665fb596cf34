package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// The redirect_uri allowlist: Plaid's Dashboard → Developers → API →
// Allowed redirect URIs, emulated. /link/token/create refuses a
// redirect_uri that is not on it with INVALID_FIELD "OAuth redirect URI
// must be configured in the developer dashboard…" (reference §2.1, §5.3),
// loopback URIs included, as Plaid does.
//
// Out of the box it holds, on any loopback host and port, the redirect
// pages of linkexplorer's callback page (/oauth-return) and of Plaid's
// quickstarts (/, /oauth, /oauth.html, /oauth-response.html), so local
// apps work without setup. Anything else is added with --redirect-uri or
// the control API (POST /__emulator/redirect_uris).

// LoopbackRedirectPaths are the paths allowed on any loopback origin.
var LoopbackRedirectPaths = []string{"/oauth-return", "/", "/oauth", "/oauth.html", "/oauth-response.html"}

// CallbackRedirectPath is the callback page's own OAuth redirect path.
const CallbackRedirectPath = "/oauth-return"

// maxRedirectURIs bounds the allowlist, as the Dashboard does.
const maxRedirectURIs = 200

type redirectList struct {
	mu   sync.RWMutex
	uris map[string]bool
}

func newRedirectList(uris []string) *redirectList {
	l := &redirectList{uris: make(map[string]bool, len(uris))}
	for _, u := range uris {
		l.uris[u] = true
	}
	return l
}

// allowed reports whether raw (already parsed as u) is on the allowlist.
func (l *redirectList) allowed(raw string, u *url.URL, loopback bool) bool {
	if loopback && slices.Contains(LoopbackRedirectPaths, u.Path) {
		return true
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.uris[raw]
}

func (l *redirectList) list() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]string, 0, len(l.uris))
	for u := range l.uris {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// redirectShape checks a redirect_uri's form: absolute, no query string,
// fragment or wildcard; https, or http on a loopback host.
func redirectShape(raw string) (*url.URL, bool, *sandbox.Error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(raw, "*#?") {
		return nil, false, apiError("INVALID_FIELD", "redirect_uri must be a properly formatted, non-empty string: an absolute URL without query string, fragment or wildcard (got %q)", raw)
	}
	local := isLoopback(u.Hostname())
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return nil, false, apiError("INVALID_FIELD", "redirect_uri must use https (http is allowed only for localhost), got %q", raw)
	}
	return u, local, nil
}

type redirectURIsResponse struct {
	RedirectURIs  []string `json:"redirect_uris"`
	LoopbackPaths []string `json:"loopback_paths"`
}

// ctlRedirectURIs lists (GET), adds (POST) or removes (DELETE) allowlist
// entries: /__emulator/redirect_uris with {"redirect_uri": "…"}.
func (e *Emulator) ctlRedirectURIs(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		var req struct {
			RedirectURI string `json:"redirect_uri"`
		}
		if err := decodeControl(r, &req); err != nil {
			writeControlError(w, err)
			return
		}
		if _, _, err := redirectShape(req.RedirectURI); err != nil {
			writeControlError(w, err)
			return
		}
		e.redirects.mu.Lock()
		if r.Method == http.MethodPost && !e.redirects.uris[req.RedirectURI] && len(e.redirects.uris) >= maxRedirectURIs {
			e.redirects.mu.Unlock()
			writeControlError(w, apiError("INVALID_FIELD", "the allowlist already holds %d redirect URIs; remove one first", maxRedirectURIs))
			return
		}
		if r.Method == http.MethodPost {
			e.redirects.uris[req.RedirectURI] = true
		} else {
			delete(e.redirects.uris, req.RedirectURI)
		}
		e.redirects.mu.Unlock()
		e.log.Info("emulator: redirect_uri allowlist changed", "method", r.Method, "redirect_uri", req.RedirectURI)
	}
	writeJSON(w, http.StatusOK, redirectURIsResponse{RedirectURIs: e.redirects.list(), LoopbackPaths: LoopbackRedirectPaths})
}
