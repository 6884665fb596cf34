package flows

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

//go:embed page
var pageFS embed.FS

var pageTemplate = template.Must(template.ParseFS(pageFS, "page/callback.html"))

// ServeHTTP checks Host and Origin, then routes: GET /link/{id} (the page),
// POST /link/{id}/report, POST /create_link_token and GET /assets/….
func (c *CallbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", c.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if !c.allowedHost(r.Host) {
		c.reject(w, r, http.StatusMisdirectedRequest, "", fmt.Sprintf("Host %q is not this server (%s): refused to prevent DNS rebinding", r.Host, c.hosts[0]))
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !c.allowedOrigin(o) {
		c.reject(w, r, http.StatusForbidden, "", fmt.Sprintf("Origin %q is not this server (%s): cross-origin requests are refused", o, c.origins[0]))
		return
	}
	switch p := r.URL.Path; {
	case p == "/create_link_token":
		c.handleCreateToken(w, r)
	case c.opts.WebhookPath != "" && p == c.opts.WebhookPath:
		c.handleWebhook(w, r)
	case p == OAuthRedirectPath:
		c.handleOAuthReturn(w, r)
	case strings.HasPrefix(p, "/assets/"):
		c.handleAsset(w, r)
	case strings.HasPrefix(p, "/link/"):
		c.handleLink(w, r, strings.TrimPrefix(p, "/link/"))
	default:
		c.reject(w, r, http.StatusNotFound, "", "no such page: open the URL linkexplorer printed for this Link session")
	}
}

func (c *CallbackServer) allowedHost(host string) bool {
	host = strings.ToLower(host)
	return host == c.hosts[0] || host == c.hosts[1]
}

func (c *CallbackServer) allowedOrigin(origin string) bool {
	origin = strings.ToLower(origin)
	return origin == c.origins[0] || origin == c.origins[1]
}

// reject answers a refused request with a JSON error and counts it; the
// sampler reports it as a rejected PageEvent (never as a Link event), in
// full or in a summary.
func (c *CallbackServer) reject(w http.ResponseWriter, r *http.Request, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	c.refusals.refused(PageEvent{
		Kind:         kind,
		Time:         time.Now(),
		Rejected:     true,
		Refused:      1,
		RejectReason: fmt.Sprintf("%s %s → %d: %s", r.Method, redactPath(r.URL.Path), status, msg),
	}, status)
}

// redactPath shortens the unguessable id in a session or webhook path, so
// rejection records do not carry live URLs.
func redactPath(p string) string {
	for _, prefix := range []string{"/link/", "/webhook/"} {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		id, tail, _ := strings.Cut(rest, "/")
		if len(id) > 6 {
			id = id[:6] + "…"
		}
		if tail != "" {
			tail = "/" + tail
		}
		return truncate(prefix+id+tail, 100)
	}
	return truncate(p, 100)
}

// methodAllowed answers 405 unless r uses one of the methods.
func (c *CallbackServer) methodAllowed(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	c.reject(w, r, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s not allowed here; use %s", r.Method, strings.Join(methods, " or ")))
	return false
}

var assetTypes = map[string]string{
	"/assets/callback.js":  "text/javascript; charset=utf-8",
	"/assets/callback.css": "text/css; charset=utf-8",
}

func (c *CallbackServer) handleAsset(w http.ResponseWriter, r *http.Request) {
	ctype, ok := assetTypes[r.URL.Path]
	if !ok {
		c.reject(w, r, http.StatusNotFound, "", "no such asset")
		return
	}
	if !c.methodAllowed(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	data, _ := pageFS.ReadFile("page/" + strings.TrimPrefix(r.URL.Path, "/assets/")) // embedded: cannot fail
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(data)
}

// handleLink serves /link/{id} and /link/{id}/report.
func (c *CallbackServer) handleLink(w http.ResponseWriter, r *http.Request, rest string) {
	id, sub, _ := strings.Cut(rest, "/")
	s := c.session(id)
	if s == nil || (sub != "" && sub != "report") {
		c.reject(w, r, http.StatusNotFound, "", "no such Link session: it has ended, or the URL is wrong; start the step again in linkexplorer")
		return
	}
	if sub == "report" {
		if c.methodAllowed(w, r, http.MethodPost) {
			c.handleReport(w, r, s)
		}
		return
	}
	if !c.methodAllowed(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, map[string]string{
		"Session":    s.id,
		"State":      s.state,
		"LinkScript": c.opts.LinkScriptURL,
		"Purpose":    s.purpose,
		"Return":     "",
		"Mistake":    fmt.Sprint(s.OAuthMistake()),
	})
}

// OAuthRedirectPath is the callback page's own OAuth redirect path: the
// bank sends the user back to http://127.0.0.1:PORT/oauth-return?oauth_state_id=….
// The emulator allowlists it on any loopback port; for real Sandbox it must
// be on the Dashboard's allowlist (`linkexplorer doctor` says so).
const OAuthRedirectPath = "/oauth-return"

// RedirectURI is the callback page's OAuth redirect_uri.
func (c *CallbackServer) RedirectURI() string { return c.base + OAuthRedirectPath }

// handleOAuthReturn serves the redirect page. It carries no session in its
// URL (a redirect_uri has no query of its own): the page finds its Link
// session, state token and link_token in sessionStorage, where it kept
// them before the redirect, as Plaid's guide recommends.
func (c *CallbackServer) handleOAuthReturn(w http.ResponseWriter, r *http.Request) {
	if !c.methodAllowed(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, map[string]string{
		"Session":    "",
		"State":      "",
		"LinkScript": c.opts.LinkScriptURL,
		"Purpose":    "Back from the bank: re-initializing Link",
		"Return":     "true",
		"Mistake":    "false",
	})
}

// readBody reads a JSON request body, enforcing the content type and the
// size limit; on failure it has already answered.
func (c *CallbackServer) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		c.reject(w, r, http.StatusUnsupportedMediaType, "", "the body must be JSON (Content-Type: application/json)")
		return nil, false
	}
	if r.ContentLength > MaxReportBody {
		c.reject(w, r, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", MaxReportBody))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		c.reject(w, r, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", MaxReportBody))
		return nil, false
	case err != nil:
		c.reject(w, r, http.StatusBadRequest, "", "could not read the body: "+err.Error())
		return nil, false
	}
	return body, true
}

// handleReport accepts one report or a batch of them (see parseReports).
// A report whose (page load, seq) was accepted before is acknowledged but
// not recorded again: when the page goes away it resends, in one batch,
// the report still in flight with those behind it, and whichever of the
// two requests comes second finds it already accepted.
func (c *CallbackServer) handleReport(w http.ResponseWriter, r *http.Request, s *LinkSession) {
	body, ok := c.readBody(w, r)
	if !ok {
		return
	}
	evs, status, kind, err := parseReports(body, s.state)
	if err != nil {
		c.reject(w, r, status, kind, err.Error())
		return
	}
	s.accept.Lock()
	defer s.accept.Unlock()
	evs = s.fresh(evs)
	if !s.admit(len(evs)) {
		c.reject(w, r, http.StatusTooManyRequests, kind, fmt.Sprintf("this Link session has already reported %d events", maxSessionEvents))
		return
	}
	// The reports are kept before they are acknowledged: a 204 means they
	// are in the session log, even if linkexplorer is killed the next
	// moment.
	kept, err := len(evs), error(nil)
	if c.opts.OnReport != nil && len(evs) > 0 {
		kept, err = c.opts.OnReport(s, evs)
	}
	for _, ev := range evs[:kept] {
		s.accepted(ev)
		s.enqueue(ev)
	}
	if err != nil {
		c.reject(w, r, http.StatusServiceUnavailable, evs[kept].Kind, "the report could not be recorded: "+err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
