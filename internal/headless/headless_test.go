package headless

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

func TestFindMissingBrowserSaysHowToInstall(t *testing.T) {
	old := candidates
	t.Cleanup(func() { candidates = old })
	candidates = []string{"/nonexistent/chromium", "no-such-browser-linkexplorer"}
	t.Setenv("PATH", t.TempDir())

	_, err := Find()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find() error = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("error %q does not say how to install Chromium", err)
	}
	if _, _, err := NewContext(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Errorf("NewContext() error = %v, want ErrNotFound", err)
	}
}

func TestFindPrefersPathLookup(t *testing.T) {
	dir := t.TempDir()
	fake := dir + "/chromium-browser"
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := candidates
	t.Cleanup(func() { candidates = old })
	candidates = []string{"/nonexistent/chromium", "chromium-browser"}
	t.Setenv("PATH", dir)

	got, err := Find()
	if err != nil || got != fake {
		t.Fatalf("Find() = %q, %v; want %q", got, err, fake)
	}
}

// needBrowser is headlesstest.Need for this package's own tests, which
// cannot import headlesstest (it imports this package): it fails the test
// under CI without a browser and skips it otherwise.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := Find(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip("skipping:", err)
	}
}

func TestNewContextRendersPageAndCleansUp(t *testing.T) {
	needBrowser(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>t</title><p id="p">hello</p><script>document.getElementById("p").textContent += " from js"</script>`)
	}))
	defer srv.Close()

	ctx, cancel, err := NewContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := profileDirs(t, tmp); n != 1 {
		t.Errorf("%d profile directories while running, want 1", n)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		cancel()
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#p")))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if text != "hello from js" {
		t.Errorf("page text = %q, want %q", text, "hello from js")
	}
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("%d profile directories left after cancel, want 0", n)
	}
}

func profileDirs(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "linkexplorer-chromium-") {
			n++
		}
	}
	return n
}

// TestBrowserOpensTabsAndNoticesItsDeath: Start launches Chromium without
// attaching to a tab; Open opens a page that loads and runs its script on
// its own (it calls back to the server), twice in the same browser, each
// in a background tab (hidden, with timers not throttled); the
// closed tab is gone from the browser's targets; when the Chromium
// processes are killed from outside, Alive turns false; Close removes the
// profile.
func TestBrowserOpensTabsAndNoticesItsDeath(t *testing.T) {
	needBrowser(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	type ran struct{ page, vis, ms string }
	hits := make(chan ran, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ran" {
			q := r.URL.Query()
			hits <- ran{q.Get("page"), q.Get("vis"), q.Get("ms")}
			return
		}
		// The page calls back after 20 chained zero-delay timers, with its
		// visibility and how long the timers took.
		fmt.Fprintf(w, `<!doctype html><title>t</title><script>
var t0 = performance.now(), n = 0;
(function tick() {
  if (++n < 20) { setTimeout(tick, 0); return; }
  fetch("/ran?page=%s&vis=" + document.visibilityState + "&ms=" + Math.round(performance.now() - t0));
})();
</script>`, r.URL.Query().Get("page"))
	}))
	defer srv.Close()

	b, err := Start(testwait.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, page := range []string{"one", "two"} {
		closeTab, err := b.Open(testwait.Context(t), srv.URL+"/?page="+page)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := testwait.Recv(t, hits, "page "+page+"'s script to call back")
		if got.page != page {
			t.Errorf("page %s called back as %q", page, got.page)
		}
		// A background tab: hidden, so never drawn, with its timers not
		// throttled (a throttled hidden page runs one timer a second: 19 s
		// or more for the 20).
		if got.vis != "hidden" {
			t.Errorf("page %s's visibilityState = %q, want hidden (a background tab, which Chromium does not draw)", page, got.vis)
		}
		if ms, err := strconv.Atoi(got.ms); err != nil || ms >= 10000 {
			t.Errorf("page %s's 20 chained zero-delay timers took %q ms: its timers are throttled", page, got.ms)
		}
		closeTab()
		testwait.Until(t, "page "+page+"'s tab to close", func() (bool, string) {
			infos, err := chromedp.Targets(b.ctx)
			if err != nil {
				return false, err.Error()
			}
			var urls []string
			for _, in := range infos {
				if strings.Contains(in.URL, "page="+page) {
					return false, in.URL
				}
				urls = append(urls, in.URL)
			}
			return true, strings.Join(urls, " ")
		})
	}
	if !b.Alive() {
		t.Fatal("the browser is not alive after opening two pages")
	}
	killLeftovers(b.Dir(), 3) // as a crash or a kill from outside would
	testwait.Until(t, "the killed browser to be seen as dead", func() (bool, string) { return !b.Alive(), "" })
	b.Close()
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("%d profile directories left after Close, want 0", n)
	}
}

// TestCloseLeavesNothingBehind: after Close no process of the browser is
// left (its helpers, the crash handler in a session of its own included),
// and Chromium wrote nothing outside its profile (the crash handler's
// database goes under ~/.config/chromium unless XDG_CONFIG_HOME says
// otherwise).
func TestCloseLeavesNothingBehind(t *testing.T) {
	needBrowser(t)
	if runtime.GOOS != "linux" {
		t.Skip("the processes of a browser are found through /proc (Linux)")
	}
	tmp, home := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	ran := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ran" {
			ran <- struct{}{}
			return
		}
		fmt.Fprint(w, `<!doctype html><title>t</title><script>fetch("/ran")</script>`)
	}))
	defer srv.Close()

	b, err := Start(testwait.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(testwait.Context(t), srv.URL); err != nil {
		b.Close()
		t.Fatal(err)
	}
	testwait.Recv(t, ran, "the page's script to call back")
	if n := len(findUsing(b.Dir())); n < 3 {
		t.Errorf("%d processes use the profile while the browser runs, want the browser, its helpers and the crash handler", n)
	}
	b.Close()
	if n := len(findUsing(b.Dir())); n != 0 {
		t.Errorf("%d processes still use the profile after Close", n)
	}
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("%d profile directories left after Close, want 0", n)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		var paths []string
		_ = filepath.WalkDir(home, func(p string, _ os.DirEntry, _ error) error { paths = append(paths, p); return nil })
		t.Errorf("Chromium wrote into HOME: %v", paths)
	}
}

func TestUsesProfile(t *testing.T) {
	dir := "/tmp/linkexplorer-chromium-123"
	for _, c := range []struct {
		cmdline string
		want    bool
	}{
		{"/usr/lib/chromium/chromium\x00--headless\x00--user-data-dir=/tmp/linkexplorer-chromium-123\x00about:blank\x00", true},
		// a helper that rewrote its command line as one string
		{"/usr/lib/chromium/chromium --type=renderer --user-data-dir=/tmp/linkexplorer-chromium-123 --lang=en-US\x00", true},
		{"/usr/lib/chromium/chromium --type=renderer --user-data-dir=/tmp/linkexplorer-chromium-123", true},
		// the crash handler names a path inside the profile
		{"/usr/lib/chromium/chrome_crashpad_handler\x00--database=/tmp/linkexplorer-chromium-123/chromium/Crash Reports\x00", true},
		// another browser's profile that starts with the same name
		{"/usr/lib/chromium/chromium\x00--user-data-dir=/tmp/linkexplorer-chromium-1234\x00", false},
		{"/usr/lib/chromium/chromium --user-data-dir=/tmp/linkexplorer-chromium-1234 --headless\x00", false},
		{"/usr/lib/chromium/chromium\x00--user-data-dir=/tmp/linkexplorer-chromium-1234\x00--user-data-dir=/tmp/linkexplorer-chromium-123\x00", true},
		{"bash\x00-c\x00echo hi\x00", false},
		{"", false},
	} {
		if got := usesProfile([]byte(c.cmdline), dir); got != c.want {
			t.Errorf("usesProfile(%q) = %v, want %v", c.cmdline, got, c.want)
		}
	}
}

// TestBenchUsesTheFlags: bench/quickstart.sh's baseline, a bare Chromium,
// starts with the flags this package starts Chromium with, so that what it
// measures as the app's cost is not a difference of flags.
func TestBenchUsesTheFlags(t *testing.T) {
	script, err := os.ReadFile("../../bench/quickstart.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\nflags=\(([^)]*)\)`).FindSubmatch(script)
	if m == nil {
		t.Fatal("bench/quickstart.sh has no flags=(…) array")
	}
	bench := strings.Fields(string(m[1]))
	var ours []string
	opts := append(flags[:len(flags):len(flags)], chromedp.ExecPath("/bin/true"),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) { ours = cmd.Args[1:] }))
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancelBrowser := chromedp.NewContext(ctx)
	defer cancelBrowser()
	_, _ = chromedp.Targets(bctx) // /bin/true is no browser: only its arguments are wanted
	if ours == nil {
		t.Fatal("the allocator never built a command line")
	}
	var want []string
	for _, a := range ours {
		if a == "about:blank" || strings.HasPrefix(a, "--user-data-dir=") || strings.HasPrefix(a, "--remote-debugging-") {
			continue // per launch: the bench passes its own
		}
		want = append(want, a)
	}
	slices.Sort(want)
	slices.Sort(bench)
	if !slices.Equal(want, bench) {
		t.Errorf("bench/quickstart.sh's flags differ from internal/headless's:\n bench: %s\n  ours: %s", strings.Join(bench, " "), strings.Join(want, " "))
	}
}
