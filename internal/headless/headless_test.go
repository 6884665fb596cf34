package headless

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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
// its own (it calls back to the server), twice in the same browser; the
// closed tab is gone from the browser's targets; when the Chromium
// processes are killed from outside, Alive turns false; Close removes the
// profile.
func TestBrowserOpensTabsAndNoticesItsDeath(t *testing.T) {
	needBrowser(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	hits := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ran" {
			hits <- r.URL.Query().Get("page")
			return
		}
		fmt.Fprintf(w, `<!doctype html><title>t</title><script>fetch("/ran?page=%s")</script>`, r.URL.Query().Get("page"))
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
		if got, _ := testwait.Recv(t, hits, "page "+page+"'s script to call back"); got != page {
			t.Errorf("page %s called back as %q", page, got)
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
	killLeftovers(b.Dir()) // as a crash or a kill from outside would
	testwait.Until(t, "the killed browser to be seen as dead", func() (bool, string) { return !b.Alive(), "" })
	b.Close()
	if n := profileDirs(t, tmp); n != 0 {
		t.Errorf("%d profile directories left after Close, want 0", n)
	}
}
