// Package headlesstest gives tests a headless Chromium tab through
// internal/headless, with the project's rule for machines without a browser:
// skip with a clear message, unless the CI environment variable is set, in
// which case a missing browser fails the test.
package headlesstest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/headless"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// Need stops the test when no Chromium is installed: it fails under CI (the
// CI environment variable set, to anything but "") and skips otherwise. It
// returns the browser's path.
func Need(t testing.TB) string {
	t.Helper()
	return need(t, headless.Find)
}

func need(t testing.TB, find func() (string, error)) string {
	t.Helper()
	path, err := find()
	if err != nil {
		missing(t, err)
	}
	return path
}

// missing skips or fails the test for a missing browser, as Need says.
func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "" {
		t.Skipf("skipping browser test: %v (set CI=1 to make this a failure)", err)
	}
	t.Fatalf("browser test under CI without a browser: %v", err)
}

// NewContext returns a chromedp context for a fresh headless Chromium tab.
// The browser is stopped and its profile removed when the test ends, and
// it ends, failing what waits on it, when the test's wait budget runs out
// (see testwait), so that no browser action hangs a test. A missing
// browser skips or fails the test as Need does.
func NewContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel, err := headless.NewContext(testwait.Context(t))
	if errors.Is(err, headless.ErrNotFound) {
		missing(t, err)
	}
	if err != nil {
		t.Fatalf("headless Chromium: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}
