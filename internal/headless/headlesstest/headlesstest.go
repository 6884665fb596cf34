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
)

// NewContext returns a chromedp context for a fresh headless Chromium tab.
// The browser is stopped and its profile removed when the test ends.
func NewContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel, err := headless.NewContext(context.Background())
	if errors.Is(err, headless.ErrNotFound) && os.Getenv("CI") == "" {
		t.Skipf("skipping browser test: %v (set CI=1 to make this a failure)", err)
	}
	if err != nil {
		t.Fatalf("headless Chromium: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}
