package flows

// Faults of a fake Plaid: redirects to another host, oversized, incomplete
// and broken answers. Each must end the step with one clear error that
// says what happened and what to do, and never leak the secret.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator"
	"github.com/linkexplorer/linkexplorer/store"
)

// newFaultEnv is a plaid-mode Env whose API is the emulator behind wrap,
// which injects the fault. quickstart runs without a browser there
// (/sandbox/public_token/create stands in for Link).
func newFaultEnv(t *testing.T, timeout time.Duration, wrap func(emu http.Handler) http.Handler) (*testEnv, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(wrap(emu))
	t.Cleanup(func() { srv.Close(); emu.Close() })
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vars := map[string]string{"PLAID_CLIENT_ID": "test-client-id-0001", "PLAID_SECRET": testSecret}
	cfg, err := LoadConfig(func(k string) string { return vars[k] }, "", Overrides{Mode: string(ModePlaid)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL, cfg.APITimeout = srv.URL, timeout
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := NewEnv(ctx, EnvOptions{Config: cfg, Store: st, Browser: BrowserAuto})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return &testEnv{Env: env}, dir
}

// failedStep is the report's failed step.
func failedStep(t *testing.T, rep Report) StepReport {
	t.Helper()
	for _, s := range rep.Steps {
		if s.Status == string(StatusFailed) {
			return s
		}
	}
	t.Fatalf("no step failed: %v", stepNames(rep))
	return StepReport{}
}

// TestRedirectToAnotherHostIsRefused: the API answers 307 to another
// loopback server. The client stops with REDIRECT_REFUSED; the other
// server receives nothing, so neither PLAID-SECRET nor the body reaches it.
func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	var stolen atomic.Int64
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		t.Errorf("the other host got %s %s with PLAID-SECRET %q", r.Method, r.URL.Path, r.Header.Get("PLAID-SECRET"))
	}))
	defer thief.Close()
	var redirected atomic.Int64
	env, _ := newFaultEnv(t, 0, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/link/token/create":
				redirected.Add(1)
				http.Redirect(w, r, thief.URL+r.URL.Path, http.StatusTemporaryRedirect)
			case "/item/public_token/exchange": // a same-origin redirect is followed
				if r.URL.Query().Get("again") == "" {
					http.Redirect(w, r, r.URL.Path+"?again=1", http.StatusTemporaryRedirect)
					return
				}
				r.URL.RawQuery = ""
				emu.ServeHTTP(w, r)
			default:
				emu.ServeHTTP(w, r)
			}
		})
	})
	rep, _ := runFlow(t, env, "quickstart", nil)
	failed := failedStep(t, rep)
	if redirected.Load() == 0 {
		t.Fatal("the fake API was never asked for a link_token")
	}
	if stolen.Load() != 0 {
		t.Fatalf("the other host received %d requests", stolen.Load())
	}
	if failed.Name != "create-link-token" || failed.ErrorCode != FaultRedirect ||
		!strings.Contains(failed.Error, "redirected to "+thief.URL) || !strings.Contains(failed.Error, "does not follow a redirect to another host") ||
		!strings.Contains(failed.NextStep, "API URL") {
		t.Fatalf("failed step = %+v", failed)
	}
	if strings.Contains(failed.Error, testSecret) {
		t.Fatal("the error shows the secret")
	}

	// The same through the bare client: the error is a *NetworkError
	// whatever the redirect status.
	for _, code := range []int{301, 302, 303, 307, 308} {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, thief.URL+"/item/get", code)
		}))
		client := NewPlaidClient(testConfig(api.URL), nil)
		_, _, err := client.PlaidApi.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(testAccess)).Execute()
		api.Close()
		var ne *NetworkError
		if err = AsAPIError("/item/get", err); !errors.As(err, &ne) || ne.Code != FaultRedirect {
			t.Errorf("%d: %v", code, err)
		}
	}
	if stolen.Load() != 0 {
		t.Fatalf("the other host received %d requests", stolen.Load())
	}
	// The exchange's same-origin redirect worked: the flow got past it
	// in a run without the cross-host redirect.
	env2, _ := newFaultEnv(t, 0, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/item/public_token/exchange" && r.URL.Query().Get("again") == "" {
				http.Redirect(w, r, r.URL.Path+"?again=1", http.StatusTemporaryRedirect)
				return
			}
			r.URL.RawQuery = ""
			emu.ServeHTTP(w, r)
		})
	})
	if rep, _ := runFlow(t, env2, "quickstart", nil); !rep.OK {
		t.Fatalf("a same-origin redirect broke the flow: %s", rep.Error)
	}
}

// streamBody is an endless-looking JSON body of n bytes, generated as it
// is read (the test itself holds none of it).
type streamBody struct{ left int64 }

func (s *streamBody) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), s.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	s.left -= n
	return int(n), nil
}

// TestOversizedResponseIsCapped: a 200 MB answer to /link/token/create.
// The client reads at most MaxAPIResponse, stops with RESPONSE_TOO_LARGE,
// its memory stays bounded, and the session log holds no large row.
func TestOversizedResponseIsCapped(t *testing.T) {
	const size = 200 << 20
	var sent atomic.Int64
	env, dir := newFaultEnv(t, 0, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/link/token/create" {
				emu.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"link_token":"link-sandbox-x","pad":"`)
			n, _ := io.Copy(w, &streamBody{left: size})
			sent.Add(n)
		})
	})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep, _ := runFlow(t, env, "quickstart", nil)
	runtime.ReadMemStats(&after)

	failed := failedStep(t, rep)
	if failed.Name != "create-link-token" || failed.ErrorCode != FaultTooLarge || !strings.Contains(failed.Error, "larger than 8 MB") {
		t.Fatalf("failed step = %+v", failed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 96<<20 {
		t.Errorf("the run allocated %d MB for a capped answer", alloc>>20)
	}
	if sent.Load() >= size {
		t.Errorf("the client read the whole %d MB answer", size>>20)
	}
	// The session log: no row near the answer's size.
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	var total int64
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			total += fi.Size()
		}
	}
	if total > 16<<20 {
		t.Errorf("the state directory holds %d MB after a capped answer: %v", total>>20, files)
	}
	t.Logf("server sent %d MB before the client hung up; run allocated %d MB; state dir %d KB",
		sent.Load()>>20, (after.TotalAlloc-before.TotalAlloc)>>20, total>>10)
}

// dropField answers path with the emulator's answer minus field.
func dropField(path, field string) func(http.Handler) http.Handler {
	return func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				emu.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			emu.ServeHTTP(rec, r)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				panic(err)
			}
			delete(body, field)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			_ = json.NewEncoder(w).Encode(body)
		})
	}
}

// TestIncompleteAnswerFailsAtItsStep: a 200 lacking what a step needs
// fails that step, naming the field and the request_id, instead of going
// on with an empty value.
func TestIncompleteAnswerFailsAtItsStep(t *testing.T) {
	cases := []struct{ flow, path, field, step string }{
		{"quickstart", "/link/token/create", "link_token", "create-link-token"},
		{"quickstart", "/link/token/create", "expiration", "create-link-token"},
		{"quickstart", "/sandbox/public_token/create", "public_token", "open-link"},
		{"quickstart", "/item/public_token/exchange", "access_token", "exchange-public-token"},
		{"quickstart", "/item/public_token/exchange", "item_id", "exchange-public-token"},
		{"quickstart", "/accounts/get", "accounts", "get-accounts"},
		{"quickstart", "/auth/get", "accounts", "get-auth"},
	}
	for _, c := range cases {
		env, _ := newFaultEnv(t, 0, dropField(c.path, c.field))
		rep, _ := runFlow(t, env, c.flow, nil)
		failed := failedStep(t, rep)
		if failed.Name != c.step || failed.ErrorCode != FaultIncomplete || failed.RequestID == "" ||
			!strings.Contains(failed.Error, "answered 200 without "+c.field) || !strings.Contains(failed.Error, failed.RequestID) ||
			failed.Explanation == "" || failed.NextStep == "" {
			t.Errorf("%s without %s: failed step %+v", c.path, c.field, failed)
		}
		if strings.Contains(failed.Error, "0001-01-01") || strings.Contains(failed.Error, "first") {
			t.Errorf("%s without %s: misleading error %q", c.path, c.field, failed.Error)
		}
	}
}

// TestNetworkFaultsAreExplained: each fault a fake API can produce ends in
// one error saying what happened (with the bound on each call where time
// ran out), what it means and what to do, through the same path run and
// the app use.
func TestNetworkFaultsAreExplained(t *testing.T) {
	const bound = 1500 * time.Millisecond
	hijack := func(w http.ResponseWriter) net.Conn {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		return conn
	}
	release := make(chan struct{})
	defer close(release)
	cases := []struct {
		name, code string
		handler    http.HandlerFunc
		want       []string
	}{
		{"timeout", FaultTimeout, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leave
			select {                           // never answers
			case <-r.Context().Done():
			case <-release:
			}
		}, []string{"no answer from", "within 1.5s (the bound on each API call)"}},
		{"slow drip", FaultSlow, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"link_token":`)
			w.(http.Flusher).Flush()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-release:
					return
				case <-time.After(20 * time.Millisecond):
					if _, err := io.WriteString(w, " "); err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			}
		}, []string{"sent only", "bytes of its answer within 1.5s (the bound on each API call)"}},
		{"connection reset", FaultReset, func(w http.ResponseWriter, r *http.Request) {
			conn := hijack(w)
			_ = conn.(*net.TCPConn).SetLinger(0) // close with RST
			conn.Close()
		}, []string{"was cut before a whole answer arrived"}},
		{"truncated body", FaultTruncated, func(w http.ResponseWriter, r *http.Request) {
			conn := hijack(w)
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"link_token\":\"link-sandbox-")
			conn.Close()
		}, []string{"ended early, after 28 bytes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, _ := newFaultEnv(t, bound, func(emu http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/link/token/create" {
						c.handler(w, r)
						return
					}
					emu.ServeHTTP(w, r)
				})
			})
			rep, _ := runFlow(t, env, "quickstart", nil)
			checkFault(t, failedStep(t, rep), c.code, c.want)
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		client := NewPlaidClient(Config{ClientID: "c", Secret: testSecret, BaseURL: "http://" + addr}, nil)
		_, _, err = client.PlaidApi.ItemGet(context.Background()).ItemGetRequest(*plaid.NewItemGetRequest(testAccess)).Execute()
		err = AsAPIError("/item/get", err)
		var ne *NetworkError
		if !errors.As(err, &ne) || ne.Code != FaultRefused || !strings.Contains(err.Error(), "connection refused by http://"+addr) {
			t.Fatalf("err = %v", err)
		}
		text := ExplainError(err)
		if !strings.Contains(text, "What it means: Nothing accepts connections") || !strings.Contains(text, "What to do:") {
			t.Errorf("explanation:\n%s", text)
		}
	})
}

func checkFault(t *testing.T, failed StepReport, code string, want []string) {
	t.Helper()
	if failed.Name != "create-link-token" || failed.ErrorCode != code {
		t.Fatalf("failed step %+v, want %s", failed, code)
	}
	t.Logf("%s\n  What it means: %s\n  What to do: %s", failed.Error, failed.Explanation, failed.NextStep)
	for _, w := range want {
		if !strings.Contains(failed.Error, w) {
			t.Errorf("error %q lacks %q", failed.Error, w)
		}
	}
	ex, ok := Explain(code)
	if !ok || failed.Explanation != ex.Meaning || failed.NextStep != ex.NextStep || len(ex.NextStep) < 40 {
		t.Errorf("explanation of %s: %q / %q", code, failed.Explanation, failed.NextStep)
	}
	if strings.Contains(failed.Error, testSecret) || bytes.Contains([]byte(failed.Error), []byte("Post \"")) {
		t.Errorf("raw or secret-bearing error: %q", failed.Error)
	}
}
