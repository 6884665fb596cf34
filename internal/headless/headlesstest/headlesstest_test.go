package headlesstest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/headless"
)

// TestNeedWithoutABrowser runs TestNeedHelper, where no browser is found,
// in a child process: Need's rule skips it without CI and fails it with CI
// set.
func TestNeedWithoutABrowser(t *testing.T) {
	for _, tc := range []struct {
		ci   string
		want string
		fail bool
	}{
		{"", "--- SKIP: TestNeedHelper", false},
		{"1", "--- FAIL: TestNeedHelper", true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNeedHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "CI="+tc.ci, "HEADLESSTEST_HELPER=1")
		out, err := cmd.CombinedOutput()
		if !strings.Contains(string(out), tc.want) || (err != nil) != tc.fail {
			t.Errorf("CI=%q: want %q (exit error %v), got %v:\n%s", tc.ci, tc.want, tc.fail, err, out)
		}
	}
}

func TestNeedHelper(t *testing.T) {
	if os.Getenv("HEADLESSTEST_HELPER") == "" {
		t.Skip("run by TestNeedWithoutABrowser")
	}
	need(t, func() (string, error) { return "", headless.ErrNotFound })
	t.Log("Need returned: the test goes on")
}

func TestNeedFindsTheBrowser(t *testing.T) {
	path := Need(t)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Need returned %q: %v", path, err)
	}
}
