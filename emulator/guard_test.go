package emulator

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawRequest sends req byte for byte on a fresh connection to addr and
// returns the response.
func rawRequest(t *testing.T, addr, req string) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", req, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestHostCheckRefusesDNSRebinding: a page whose name was rebound to
// 127.0.0.1 reaches the emulator with its own name in Host. Every part of
// the emulator (Plaid's API, the control API, Link's files) refuses it with
// 421, and nothing changes; loopback names with the right port work.
func TestHostCheckRefusesDNSRebinding(t *testing.T) {
	h := newHarness(t, Options{})
	h.newItem("")
	addr := strings.TrimPrefix(h.srv.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)

	refused := []string{
		"POST /__emulator/reset HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n",
		"POST /__emulator/reset HTTP/1.1\r\nHost: evil.example:" + port + "\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n",
		"GET /__emulator/requests HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n",
		"GET /__emulator/items HTTP/1.1\r\nHost: 127.0.0.1.evil.example:" + port + "\r\n\r\n",
		"POST /link/token/create HTTP/1.1\r\nHost: evil.example:" + port + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
		"GET /link/v2/stable/link-initialize.js HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n",
		"GET /__emulator/items HTTP/1.1\r\nHost: localhost\r\n\r\n",   // port 80 is not ours
		"GET /__emulator/items HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n", // wrong port
		"GET /__emulator/items HTTP/1.1\r\nHost: localhost.evil.example:" + port + "\r\n\r\n",
	}
	for _, req := range refused {
		resp, body := rawRequest(t, addr, req)
		if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(body, `"error_code":"HOST_NOT_ALLOWED"`) ||
			!strings.Contains(body, "DNS rebinding") || !strings.Contains(body, "--allow-remote") {
			t.Errorf("%q: %d %s, want 421 HOST_NOT_ALLOWED", strings.SplitN(req, "\r\n", 3)[:2], resp.StatusCode, body)
		}
	}
	if _, out := h.control("GET", "/__emulator/items", nil); len(out["items"].([]any)) != 1 {
		t.Fatalf("the Item did not survive the refused requests: %v", out)
	}

	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port} {
		resp, body := rawRequest(t, addr, "GET /__emulator/items HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Host %s: %d %s, want 200", host, resp.StatusCode, body)
		}
	}
}

// TestHostCheckIPv6AndAllowRemote: [::1] with the port is accepted on an
// IPv6 listener; AllowRemote (--allow-remote) accepts any name.
func TestHostCheckIPv6AndAllowRemote(t *testing.T) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Logf("no IPv6 loopback here (%v): checking only AllowRemote", err)
	} else {
		emu, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: emu}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close(); _ = emu.Close() })
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		if resp, body := rawRequest(t, ln.Addr().String(), "GET /__emulator/health HTTP/1.1\r\nHost: [::1]:"+port+"\r\n\r\n"); resp.StatusCode != 200 {
			t.Errorf("Host [::1]:%s: %d %s", port, resp.StatusCode, body)
		}
		if resp, _ := rawRequest(t, ln.Addr().String(), "GET /__emulator/health HTTP/1.1\r\nHost: evil.example:"+port+"\r\n\r\n"); resp.StatusCode != 421 {
			t.Errorf("Host evil.example on [::1]: %d, want 421", resp.StatusCode)
		}
	}

	h := newHarness(t, Options{AllowRemote: true})
	addr := strings.TrimPrefix(h.srv.URL, "http://")
	if resp, body := rawRequest(t, addr, "GET /__emulator/items HTTP/1.1\r\nHost: emulator.internal.example\r\n\r\n"); resp.StatusCode != http.StatusOK {
		t.Errorf("AllowRemote: %d %s, want 200", resp.StatusCode, body)
	}
}

// TestControlRefusesBrowserRequestsFromOtherOrigins covers each rule of
// the guard with the headers a browser sends; the browser itself is in
// TestBrowserPageCannotDriveControlAPI.
func TestControlRefusesBrowserRequestsFromOtherOrigins(t *testing.T) {
	h := newHarness(t, Options{})
	u, _ := url.Parse(h.srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	own := h.srv.URL

	post := func(path, contentType, body string, hdr map[string]string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name        string
		path, ctype string
		hdr         map[string]string
		status      int
		code        string
	}{
		{"no-cors fetch from another port", "/__emulator/reset", "text/plain;charset=UTF-8",
			map[string]string{"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"form from another site", "/__emulator/reset", "application/x-www-form-urlencoded",
			map[string]string{"Origin": "http://attacker.example", "Sec-Fetch-Site": "cross-site"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"JSON with a foreign Origin (no Sec-Fetch-Site)", "/__emulator/clock/advance", "application/json",
			map[string]string{"Origin": "http://localhost:3000"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"Origin null (sandboxed iframe, file://)", "/__emulator/reset", "application/json",
			map[string]string{"Origin": "null"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"same-site by Sec-Fetch-Site alone", "/__emulator/reset", "application/json",
			map[string]string{"Sec-Fetch-Site": "same-site"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"Plaid API from another origin", "/sandbox/public_token/create", "text/plain",
			map[string]string{"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"autopilot from another origin", "/__emulator/autopilot", "application/json",
			map[string]string{"Origin": "http://127.0.0.1:1"}, 403, "CROSS_ORIGIN_REFUSED"},
		{"text/plain from a program", "/__emulator/reset", "text/plain", nil, 415, "INVALID_BODY"},
		{"form encoding from a program", "/__emulator/clock/advance", "application/x-www-form-urlencoded", nil, 415, "INVALID_BODY"},
		{"no Content-Type", "/__emulator/reset", "", nil, 415, "INVALID_BODY"},
		{"autopilot without Content-Type", "/__emulator/autopilot", "", nil, 415, "INVALID_BODY"},
	}
	for _, c := range cases {
		body := `{"duration":"5h"}`
		if strings.HasSuffix(c.path, "reset") {
			body = ""
		}
		status, out := post(c.path, c.ctype, body, c.hdr)
		if status != c.status || !strings.Contains(out, `"error_code":"`+c.code+`"`) {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, out, c.status, c.code)
		}
	}
	if _, out := h.control("GET", "/__emulator/clock", nil); out["offset_seconds"] != 0.0 {
		t.Fatalf("a refused request moved the clock: %v", out)
	}
	if status, out := post("/__emulator/reset", "text/plain", "", nil); !strings.Contains(out, "-H 'Content-Type: application/json'") {
		t.Errorf("the 415 does not say how to fix it: %d %s", status, out)
	}

	// Allowed: programs sending JSON, and the emulator's own pages.
	for _, hdr := range []map[string]string{
		nil,
		{"Origin": own, "Sec-Fetch-Site": "same-origin"},
		{"Origin": "http://localhost:" + port, "Sec-Fetch-Site": "same-origin"}, // reached as localhost
		{"Sec-Fetch-Site": "none"},                                              // typed in the address bar
	} {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/__emulator/clock/advance", strings.NewReader(`{"seconds":1}`))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if origin := hdr["Origin"]; strings.Contains(origin, "localhost") {
			req.Host = "localhost:" + port
		}
		status, out := h.do(req)
		if status != http.StatusOK {
			t.Errorf("headers %v: %d %v, want 200", hdr, status, out)
		}
	}
	if status, out := h.control("POST", "/__emulator/reset", nil); status != 200 {
		t.Errorf("reset with JSON and no body: %d %v", status, out)
	}

	// Link's files stay loadable from any page; GET control requests from
	// other origins are refused too.
	for path, want := range map[string]int{"/link/v2/stable/link-initialize.js": 200, "/__emulator/items": 403, "/__emulator/requests": 403} {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "http://attacker.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("cross-site GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s grants CORS: %v", path, resp.Header)
		}
	}
}
