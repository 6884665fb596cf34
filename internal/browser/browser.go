// Package browser opens a URL in the user's default browser. It runs the
// platform's opener itself (xdg-open and its fallbacks on Linux and the
// BSDs, open on macOS, rundll32's URL handler on Windows) with the opener's
// output discarded, so nothing scribbles over a terminal UI, and it keeps
// no package-level state.
package browser

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
)

// Openers returns the programs Open tries, in order, on this system. On
// Windows it is nil: rundll32 and url.dll are part of every install.
func Openers() []string { return openers(runtime.GOOS) }

func openers(goos string) []string {
	switch goos {
	case "windows":
		return nil
	case "darwin":
		return []string{"open"}
	case "linux":
		return []string{"xdg-open", "x-www-browser", "www-browser"}
	}
	return []string{"xdg-open"}
}

// Open opens url in the default browser and waits for the opener to exit
// (openers hand the URL to the browser and return). When no opener is
// installed or it fails, the error says so and tells the user to open the
// URL by hand.
func Open(url string) error {
	cmd, err := command(runtime.GOOS, url)
	if err == nil {
		// Stdout and Stderr stay nil: the opener's output goes to the null
		// device, never to the terminal the caller may be drawing on.
		err = cmd.Run()
	}
	if err != nil {
		return fmt.Errorf("could not open a browser (%v): open %s by hand", err, url)
	}
	return nil
}

// command is the opener to run for url on goos: the first of openers(goos)
// found on PATH.
func command(goos, url string) (*exec.Cmd, error) {
	if goos == "windows" {
		return exec.Command("rundll32", "url.dll,FileProtocolHandler", url), nil
	}
	names := openers(goos)
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return exec.Command(path, url), nil
		}
	}
	return nil, fmt.Errorf("none of %s is on PATH", strings.Join(names, ", "))
}

// HasDisplay reports whether a graphical browser can show a page here: on
// Linux and the BSDs, an X11 or Wayland display must be set (DISPLAY or
// WAYLAND_DISPLAY) unless $BROWSER names a browser of its own (a text
// browser works in the terminal). macOS and Windows always have one.
func HasDisplay(getenv func(string) string) bool {
	return hasDisplay(runtime.GOOS, getenv)
}

func hasDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "darwin", "windows", "ios", "android":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "" || getenv("BROWSER") != ""
}
