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

	"github.com/chromedp/chromedp"
)

// candidates are the browsers Find looks for, in order. An absolute path is
// checked as is; a bare name is looked up on PATH.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

// ErrNotFound is returned (wrapped) by Find when no browser is installed.
var ErrNotFound = errors.New("no Chromium or Chrome found (looked for /usr/bin/chromium, and chromium, chromium-browser, google-chrome on PATH); install it with: apt-get install chromium")

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
	dir, err := os.MkdirTemp("", "linkexplorer-chromium-")
	if err != nil {
		return nil, nil, fmt.Errorf("headless: creating a profile directory: %w", err)
	}
	opts := append(flags[:len(flags):len(flags)], chromedp.ExecPath(path), chromedp.UserDataDir(dir))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	cancel := func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
		_ = os.RemoveAll(dir)
	}
	// Start the browser now, so a broken install fails here with a clear
	// error rather than at the first action.
	if err := chromedp.Do(browserCtx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("headless: starting %s: %w (is it a working Chromium? try: %s --headless --version)", path, err, path)
	}
	return browserCtx, cancel, nil
}
