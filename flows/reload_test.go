package flows

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// pageTokenCall asks the open page's server for a link_token, as the page
// does on load and when it recovers.
func pageTokenCall(t *testing.T, env *testEnv, s *LinkSession) string {
	t.Helper()
	b, _ := json.Marshal(tokenRequest{Session: s.id, State: s.state})
	code, resp := request(t, "POST", env.Callback.Addr()+"/create_link_token", "", env.Callback.Addr(), "application/json", b)
	var got map[string]string
	if code != 200 || json.Unmarshal([]byte(resp), &got) != nil || got["link_token"] == "" {
		t.Fatalf("create_link_token: %d %s", code, resp)
	}
	return got["link_token"]
}

// openPage runs the quickstart's create step, then its Link step in the
// background until the page is open.
func openPage(t *testing.T, env *testEnv) (*Run, *LinkSession, context.CancelFunc, chan *StepResult) {
	t.Helper()
	return openFlowPage(t, env, "quickstart")
}

func openFlowPage(t *testing.T, env *testEnv, flow string) (*Run, *LinkSession, context.CancelFunc, chan *StepResult) {
	t.Helper()
	f, _ := FlowByName(flow)
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if res := r.Next(context.Background()); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	ctx, cancel := context.WithCancel(context.Background())
	results := make(chan *StepResult, 1)
	go func() { results <- r.Next(ctx) }()
	deadline, what := testwait.Timer(t)
	for {
		select {
		case ev := <-r.Events():
			if ev.Kind == EventWaiting {
				r.mu.Lock()
				s := r.st.page
				r.mu.Unlock()
				return r, s, cancel, results
			}
		case <-deadline:
			t.Fatal("the Link page never opened within " + what)
		}
	}
}

func timelineCount(r *Run, what string) int {
	n := 0
	for _, e := range r.Timeline() {
		if strings.Contains(e.What, what) {
			n++
		}
	}
	return n
}

// TestPageReloadIsNotARecovery: a page that asks for a token again with no
// INVALID_LINK_TOKEN behind it was reloaded: it gets the same token, no
// new /link/token/create is made and the timeline adds no token. After an
// INVALID_LINK_TOKEN exit, the next request is a recovery: a new token
// (issue 12, item 5).
func TestPageReloadIsNotARecovery(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	r, s, cancel, results := openPage(t, env)
	tok := r.st.linkToken
	if got := pageTokenCall(t, env, s); got != tok {
		t.Fatalf("first load got %q, want the run's token", got)
	}
	for range 2 { // reloads
		if got := pageTokenCall(t, env, s); got != tok {
			t.Errorf("a reload minted a new token")
		}
	}
	if n := timelineCount(r, "created"); n != 1 {
		t.Errorf("%d tokens on the timeline after reloads, want 1: %+v", n, r.Timeline())
	}
	r.onPageEvent(PageEvent{Kind: "exit", ErrorCode: "INVALID_LINK_TOKEN", ErrorType: "INVALID_INPUT", Time: time.Now()})
	if got := pageTokenCall(t, env, s); got == tok || !strings.HasPrefix(got, "link-sandbox-") {
		t.Errorf("after INVALID_LINK_TOKEN the page got %q, want a new token", got)
	}
	if n := timelineCount(r, "created"); n != 2 {
		t.Errorf("%d tokens on the timeline after a recovery, want 2", n)
	}
	cancel()
	if res := <-results; !errors.Is(res.Err, context.Canceled) {
		t.Errorf("step: %+v", res)
	}
}

// TestExpireSaysWhatHappensNext: x with no page open says so and what the
// next Link step will meet; with a page open, what Link meets. Either way
// the token's expiry is now, so the header stops counting down (issue 12,
// items 5 and 6).
func TestExpireSaysWhatHappensNext(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res := r.Next(context.Background()); res.Status != StatusOK {
		t.Fatal(res.Error)
	}
	msg, err := r.ExpireLinkToken(context.Background())
	if err != nil || !strings.Contains(msg, "No Link page is open") || !strings.Contains(msg, "INVALID_LINK_TOKEN") {
		t.Errorf("expire with no page: %q, %v", msg, err)
	}
	if _, exp := r.LinkToken(); exp.After(time.Now()) {
		t.Errorf("expiry still %v after the token expired", exp)
	}

	r2, _, cancel, results := openPage(t, env)
	msg, err = r2.ExpireLinkToken(context.Background())
	if err != nil || strings.Contains(msg, "No Link page") || !strings.Contains(msg, "at its next step") {
		t.Errorf("expire with a page open: %q, %v", msg, err)
	}
	cancel()
	<-results
}

// TestInvalidTokenStepFailsWithoutTheError: when Link succeeds at once,
// the invalid-token step did not teach what it is for, so it does not pass
// (issue 12, item 10); the public_token is kept for the exchange.
func TestInvalidTokenStepFailsWithoutTheError(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	r, s, cancel, results := openFlowPage(t, env, "invalid-token")
	defer cancel()
	pageTokenCall(t, env, s)
	body := reportBody(s.state, "success", `"public_token":"`+testPublic+`","metadata":{"institution":{"name":"First Platypus Bank","institution_id":"ins_109508"},"accounts":[],"link_session_id":"ls-2"}`)
	if code, resp := request(t, "POST", s.URL()+"/report", "", env.Callback.Addr(), "application/json", []byte(body)); code != 204 {
		t.Fatalf("report: %d %s", code, resp)
	}
	res, _ := testwait.Recv(t, results, "the invalid-token Link step to end")
	if res.Status != StatusFailed || !errors.As(res.Err, &NotRecoveredError{}) || r.Current() != 1 {
		t.Fatalf("Link without INVALID_LINK_TOKEN: %+v (current %d)", res, r.Current())
	}
	r.mu.Lock()
	pt := r.st.publicToken
	r.mu.Unlock()
	if pt != testPublic {
		t.Error("the public_token was not kept")
	}
}

// TestUpdateModeSendsProductsOnlyWhenAsked: the update-mode token sends
// no products by default, and the products the learner typed when asked
// (issue 12, item 8).
func TestUpdateModeSendsProductsOnlyWhenAsked(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := testwait.Context(t)
	f, _ := FlowByName("update-mode")
	r, err := env.NewRunWith(ctx, f, RunOptions{NewItem: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for f.Steps[r.Current()].Name != "create-update-token" {
		if res := r.Next(ctx); res.Status != StatusOK {
			t.Fatalf("%s: %s", res.Step, res.Error)
		}
	}
	body := func(res *StepResult) string {
		for _, c := range res.Calls {
			if c.Endpoint == "/link/token/create" {
				return string(c.RequestBody)
			}
		}
		t.Fatal("no /link/token/create call")
		return ""
	}
	res := r.Next(ctx)
	if res.Status != StatusOK || strings.Contains(body(res), `"products"`) {
		t.Fatalf("default update-mode token: %+v\n%s", res, body(res))
	}
	r.Back()
	tr := r.TokenRequest()
	tr.UpdateProducts = []string{"Assets"}
	if err := r.SetTokenRequest(tr); err != nil {
		t.Fatal(err)
	}
	res = r.Next(ctx)
	if !strings.Contains(body(res), `"products":["assets"]`) {
		t.Errorf("update mode with products typed: %+v\n%s", res, body(res))
	}
}
