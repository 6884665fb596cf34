// Package headless is the one place that starts headless Chromium, both for
// tests and for linkexplorer's --browser=auto. It finds the browser, and
// starts it with flags fit for a container running as root and for a
// loopback-only machine: no sandbox, no GPU, no QUIC, no background
// networking, and a fresh profile that is removed afterwards.
package headless

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// candidates are the browsers Find looks for, in order. An absolute path is
// checked as is; a bare name is looked up on PATH. Debian's
// /usr/bin/chromium is a shell script that sources /etc/chromium.d, checks
// the CPU, prunes old crash reports and then runs
// /usr/lib/chromium/chromium: 60 to 100 ms per launch here, for flags a
// headless browser with its own (flags below) does not need, so the binary
// is run directly.
var candidates = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

// ErrNotFound is returned (wrapped) by Find when no browser is installed.
var ErrNotFound = errors.New("no Chromium or Chrome found (looked for /usr/lib/chromium/chromium, /usr/bin/chromium, and chromium, chromium-browser, google-chrome on PATH); install it with: apt-get install chromium")

// Find returns the path of the Chromium (or Chrome) binary to use.
func Find() (path string, err error) {
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// flags are the Chromium switches NewContext starts the browser with.
var flags = []chromedp.ExecAllocatorOption{
	chromedp.Headless,
	chromedp.NoSandbox, // we run as root in containers
	chromedp.DisableGPU,
	chromedp.NoFirstRun,
	chromedp.NoDefaultBrowserCheck,
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-dev-shm-usage", true),
	chromedp.Flag("disable-extensions", true),
	chromedp.Flag("disable-default-apps", true),
	chromedp.Flag("disable-breakpad", true),
	chromedp.Flag("disable-client-side-phishing-detection", true),
	chromedp.Flag("disable-background-timer-throttling", true),
	chromedp.Flag("disable-renderer-backgrounding", true),
	chromedp.Flag("metrics-recording-only", true),
	chromedp.Flag("password-store", "basic"),
	chromedp.Flag("use-mock-keychain", true),
	// Link opens an OAuth bank in a pop-up. The autopilot's clicks are
	// synthetic (no user activation), which the pop-up blocker refuses.
	chromedp.Flag("disable-popup-blocking", true),
	// One renderer process for every page, the one Chromium starts with
	// its first tab: a page then opens without waiting for a new renderer
	// to start (a few hundred milliseconds here). linkexplorer's pages
	// come from loopback and need no isolation from each other; the
	// browser still applies the same-origin policy and CORS to them.
	chromedp.Flag("renderer-process-limit", "1"),
	chromedp.Flag("disable-site-isolation-trials", true),
	// Chromium preloads its omnibox pop-up, a WebUI page in a renderer
	// of its own, even headless, where there is no omnibox: 1.3 to 1.5 s
	// of CPU, about 40% of a launch, on this 2-core machine.
	chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,PreloadTopChromeWebUI"),
	// The network service runs in the browser process rather than in a
	// utility process of its own (as chromedp's own defaults have it): one
	// process less to start, and a request no longer waits for it. Launch
	// to exit with a page: 220-260 ms less here, for a bare Chromium and
	// for the quickstart alike.
	chromedp.Flag("enable-features", "NetworkServiceInProcess2"),
}

// allocatorOptions are the allocator's options for the browser at path with
// the profile directory dir. XDG_CONFIG_HOME and XDG_CACHE_HOME point into
// the profile too, so that Chromium writes nothing outside it: it starts
// its crash handler (chrome_crashpad_handler) even with --disable-breakpad,
// with a crash database under $XDG_CONFIG_HOME/chromium, and keeps its
// disk and code caches (and dconf its own) under $XDG_CACHE_HOME. Inside
// the profile they are removed with it, and the crash handler, whose
// command line names the profile, is killed with the browser's other
// processes (findUsing) rather than left to notice on its own, about 0.1 s
// later, that the browser is gone.
func allocatorOptions(path, dir string) []chromedp.ExecAllocatorOption {
	return append(flags[:len(flags):len(flags)], chromedp.ExecPath(path), chromedp.UserDataDir(dir),
		chromedp.Env("XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, "cache")))
}

// NewContext starts headless Chromium and returns a chromedp context for its
// first tab. The browser runs with a fresh temporary profile directory; the
// returned cancel func stops the browser and removes that directory. Cancel
// it even when ctx is cancelled first.
func NewContext(ctx context.Context) (context.Context, context.CancelFunc, error) {
	path, err := Find()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", ProfilePrefix)
	if err != nil {
		return nil, nil, fmt.Errorf("headless: creating a profile directory: %w", err)
	}
	opts := allocatorOptions(path, dir)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	cancel := func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
		removeProfile(dir, 3)
	}
	// Start the browser now, so a broken install fails here with a clear
	// error rather than at the first action.
	if err := chromedp.Do(browserCtx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("headless: starting %s: %w (is it a working Chromium? try: %s --headless --version)", path, err, path)
	}
	return browserCtx, cancel, nil
}

// Browser is a headless Chromium that stays running so that pages can be
// opened in it one after another, each in a tab of its own: the second
// page costs a tab, not a browser launch. Its profile directory is removed
// by Close.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
	dir    string
	path   string
}

// Start launches headless Chromium with a fresh temporary profile. ctx
// bounds the browser's life (when it is done the browser is stopped, but
// only Close removes the profile directory). Close it in every case.
func Start(ctx context.Context) (*Browser, error) {
	path, err := Find()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", ProfilePrefix)
	if err != nil {
		return nil, fmt.Errorf("headless: creating a profile directory: %w", err)
	}
	var cmd *exec.Cmd // set before the browser starts (Allocate)
	opts := append(allocatorOptions(path, dir), groupOptions(func(c *exec.Cmd) { cmd = c })...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: browserCtx, dir: dir, path: path}
	var once sync.Once
	b.cancel = func() {
		once.Do(func() {
			// Killing every process first makes the close immediate: there
			// is nothing in the profile to keep. The allocator waits for the
			// browser's output pipe, which its helpers hold open too: killed
			// with the browser, they no longer keep it waiting.
			helpers := findUsing(dir) // the crash handlers too, in sessions of their own
			if cmd != nil && cmd.Process != nil {
				killGroup(cmd.Process)
			}
			killAll(helpers)
			cancelAlloc()
			cancelBrowser()
			removeProfile(dir, 1)
		})
	}
	// Connect to the browser only: no tab is attached (attaching to the
	// first tab and enabling its domains cost about as much as the launch
	// itself). Pages open in tabs of their own (Open).
	if _, err := chromedp.Targets(browserCtx); err != nil {
		b.Close()
		return nil, fmt.Errorf("headless: starting %s: %w (is it a working Chromium? try: %s --headless --version)", path, err, path)
	}
	return b, nil
}

// ProfilePrefix starts the name of every temporary profile directory
// (in os.TempDir()) of a browser this package starts.
const ProfilePrefix = "linkexplorer-chromium-"

// Dir is the browser's temporary profile directory.
func (b *Browser) Dir() string { return b.dir }

// Alive reports whether the browser is still running: it was not closed,
// and its connection did not drop (chromedp cancels the browser's context
// when the process exits).
func (b *Browser) Alive() bool { return b.ctx.Err() == nil }

// Open opens url in a new tab and returns once the tab exists; the page
// then loads on its own (linkexplorer's pages report to their server, so
// nothing drives or watches the tab: attaching to it would cost a few
// hundred milliseconds). closeTab closes that tab. ctx bounds the opening
// only.
//
// The tab is a background one: its page is hidden (visibilityState
// "hidden"), so Chromium never paints, rasterises or composites it, as no
// one can see it. Everything else runs as in a tab in front: the DOM,
// scripts, timers (not throttled: --disable-background-timer-throttling
// and --disable-renderer-backgrounding), requests and events. Drawing the
// callback page and the seven panes of the emulated Link cost about 0.4 s
// of CPU here, on a launch that keeps both cores busy.
func (b *Browser) Open(ctx context.Context, url string) (closeTab func(), err error) {
	type created struct {
		id  target.ID
		err error
	}
	done := make(chan created, 1)
	go func() {
		res, err := chromedp.CallBrowser(b.ctx, target.CreateTarget, target.CreateTargetParams{URL: url, Background: new(true)})
		done <- created{res.TargetID, err}
	}()
	var c created
	select {
	case c = <-done:
	case <-ctx.Done():
		go func() { // the tab may still be created: close it
			if c := <-done; c.err == nil {
				b.closeTarget(c.id)
			}
		}()
		return nil, ctx.Err()
	}
	if c.err != nil {
		return nil, fmt.Errorf("headless: opening %s: %w", url, c.err)
	}
	return func() { b.closeTarget(c.id) }, nil
}

// closeTarget closes a tab; a browser already gone has no tab to close.
func (b *Browser) closeTarget(id target.ID) {
	_, _ = chromedp.CallBrowser(b.ctx, target.CloseTarget, target.CloseTargetParams{TargetID: id})
}

// Close stops the browser and removes its profile directory. It is safe to
// call more than once.
func (b *Browser) Close() { b.cancel() }

// removeProfile removes a profile directory and the directory of the
// singleton socket that Chromium keeps beside it in the temporary directory
// (org.chromium.Chromium.XXXXXX, named by the profile's SingletonSocket
// link), which a killed Chromium leaves behind.
func removeProfile(dir string, quiet int) {
	killLeftovers(dir, quiet)
	if target, err := os.Readlink(filepath.Join(dir, "SingletonSocket")); err == nil {
		sock := filepath.Dir(target)
		if strings.HasPrefix(filepath.Base(sock), "org.chromium.Chromium.") || strings.HasPrefix(filepath.Base(sock), "com.google.Chrome.") {
			_ = os.RemoveAll(sock)
		}
	}
	_ = os.RemoveAll(dir)
}
