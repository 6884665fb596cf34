package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/linkexplorer/linkexplorer/store"
)

var (
	pageURLRe   = regexp.MustCompile(`http://127\.0\.0\.1:\d+/link/[0-9a-f]{32}`)
	pageStateRe = regexp.MustCompile(`data-state="([A-Za-z0-9_-]+)"`)
)

// TestLinkEventsAnsweredSurviveKill9 floods a running `linkexplorer run`
// with Link event reports from its own page's session and kills it with
// SIGKILL in the middle: every report it answered 204 is in the session
// log afterwards (the callback server records a report before it
// acknowledges it).
func TestLinkEventsAnsweredSurviveKill9(t *testing.T) {
	ctx, cancel := deadlineContext(t)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, buildBinary(t), "run", "quickstart", "--browser", "none")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LINKEXPLORER_HOME=" + home}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	// The run prints the page's URL and waits for Link.
	lines := bufio.NewReader(out)
	var page string
	for page == "" {
		line, err := lines.ReadString('\n')
		if err != nil {
			t.Fatalf("the run ended before printing its page's URL (%v); stderr:\n%s", err, errOut.String())
		}
		page = pageURLRe.FindString(line)
	}
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := pageStateRe.FindSubmatch(html)
	if m == nil {
		t.Fatalf("no state token in the page:\n%s", html)
	}
	state := string(m[1])

	const workers, perWorker, killAfter = 8, 600, 1500
	var acked, sent atomic.Int64
	kill := make(chan struct{})
	var killOnce sync.Once
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				body := fmt.Sprintf(`{"state":%q,"kind":"event","event_name":"TRANSITION_VIEW","metadata":{"view_name":"CREDENTIAL","link_session_id":"flood-%d-%d","request_id":"r%d%d"}}`, state, w, i, w, i)
				req, _ := http.NewRequestWithContext(ctx, "POST", page+"/report", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					return // the process is gone
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusNoContent {
					if acked.Add(1) >= killAfter {
						killOnce.Do(func() { close(kill) })
					}
				}
			}
		}()
	}
	select {
	case <-kill:
	case <-ctx.Done():
		t.Fatalf("only %d of %d reports answered 204 before the test's deadline", acked.Load(), sent.Load())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	_ = cmd.Wait()
	wg.Wait()
	client.CloseIdleConnections()

	st, err := store.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.Count(context.Background(), store.Filter{Kind: store.KindEvent, Text: "TRANSITION_VIEW"})
	if err != nil {
		t.Fatal(err)
	}
	got, sentN := int64(n), sent.Load()
	t.Logf("sent %d reports, %d answered 204 before SIGKILL, %d in the session log", sentN, acked.Load(), got)
	// A report may be committed and the process killed before its 204
	// goes out: at most one per client in flight.
	if got < acked.Load() || got > acked.Load()+workers {
		t.Errorf("%d reports were answered 204 but %d are in the session log (want at least as many, at most %d more)", acked.Load(), got, workers)
	}
}
