package emulator

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// The emulator has no credentials of its own (the control API needs none,
// and Sandbox keys are often "any pair"), so it must not be reachable from
// web pages the developer happens to have open. Three checks, run before
// any routing (see CONTROL.md, "Who may call the emulator"):
//
//  1. Host (DNS rebinding): a page on evil.example whose name is rebound to
//     127.0.0.1 reaches the emulator as a same-origin page, with Host:
//     evil.example. Only the address the emulator listens on and loopback
//     names (localhost, 127.0.0.1, [::1]) with the listening port are
//     accepted; anything else gets 421 Misdirected Request. --allow-remote
//     (Options.AllowRemote) turns this off.
//
//  2. Origin: a browser names the page behind every POST in Origin and
//     Sec-Fetch-Site. The control API and Plaid's API are for programs
//     (curl, the app, plaid-go), which send neither; a browser request to
//     them from another origin is refused with 403. "Another origin"
//     includes same-site ones: http://localhost:3000 is same-site with an
//     emulator on http://localhost:7878 (a site ignores the port), yet it is
//     another program, and any local dev server or page served from another
//     port could be hostile. Only the emulated Link's assets and session API
//     (link/, which checks its own session API) are meant for other
//     origins.
//
//  3. Content type: a state-changing control request (POST under
//     /__emulator/) must be sent as application/json. A web page cannot
//     send that cross-origin without a CORS preflight, which the emulator
//     never grants (it sends no Access-Control-* header), so even a browser
//     that sent no Origin could not forge one with a form or a no-cors
//     fetch.

// guard runs the checks above; it answers and returns false when the
// request is refused.
func (e *Emulator) guard(w http.ResponseWriter, r *http.Request) bool {
	if !e.opts.AllowRemote {
		if ok, want := hostAllowed(r); !ok {
			e.refuse(w, r, http.StatusMisdirectedRequest, "HOST_NOT_ALLOWED",
				"Host %q is not this emulator (%s): refused to prevent DNS rebinding; use http://%s, or start the emulator with --allow-remote to serve other names",
				r.Host, want, want)
			return false
		}
	}
	control := strings.HasPrefix(r.URL.Path, "/__emulator/")
	if control || !e.link.Owns(r.URL.Path) {
		if why := crossOrigin(r); why != "" {
			e.refuse(w, r, http.StatusForbidden, "CROSS_ORIGIN_REFUSED",
				"%s: the emulator's API and control API refuse requests from web pages on other origins (other ports of localhost included); call them from your server, the app or curl",
				why)
			return false
		}
	}
	if control && r.Method != http.MethodGet && r.Method != http.MethodHead && !isJSON(r.Header.Get("Content-Type")) {
		e.refuse(w, r, http.StatusUnsupportedMediaType, "INVALID_BODY",
			"%s %s changes the emulator's state and must be sent with Content-Type: application/json (curl: -H 'Content-Type: application/json'), got %q",
			r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		return false
	}
	return true
}

// refuse answers a refused request with a Plaid-shaped error and logs it.
func (e *Emulator) refuse(w http.ResponseWriter, r *http.Request, status int, code, format string, args ...any) {
	err := &sandbox.Error{Type: "INVALID_REQUEST", Code: code, Message: fmt.Sprintf(format, args...)}
	e.log.Warn("emulator: request refused", "method", r.Method, "path", r.URL.Path, "host", r.Host,
		"origin", r.Header.Get("Origin"), "status", status, "reason", code)
	writeJSON(w, status, newErrorJSON(err, newRequestID()))
}

// hostAllowed reports whether r's Host names this emulator: the IP it was
// reached on, or a loopback name, with the port it was reached on. want
// is the address to suggest instead. A request that did not arrive over a
// connection (ServeHTTP called in-process) is not checked: DNS rebinding
// needs a network.
func hostAllowed(r *http.Request) (ok bool, want string) {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	tcp, isTCP := local.(*net.TCPAddr)
	if !isTCP {
		return true, ""
	}
	want = tcp.String()
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		// No port: the scheme's default.
		host, port = r.Host, "80"
	}
	if port != strconv.Itoa(tcp.Port) {
		return false, want
	}
	host = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(host), "["), "]")
	if host == "localhost" {
		return true, want
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.Equal(tcp.IP)), want
}

// crossOrigin says why r is a browser request from a page on another
// origin, or "" when it is not: no Origin and no cross Sec-Fetch-Site (a
// program, or a URL typed in the address bar), or the emulator's own pages.
func crossOrigin(r *http.Request) string {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "cross-site", "same-site":
		return "Sec-Fetch-Site: " + site
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return ""
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, r.Host) {
		return "Origin " + origin
	}
	return ""
}

// isJSON reports whether a Content-Type header is application/json.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}
