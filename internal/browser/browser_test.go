package browser

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeOpener puts an executable named name on a fresh PATH; it runs the
// shell script body.
func fakeOpener(t *testing.T, name, body string) (dir string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake openers are shell scripts")
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return dir
}

func TestOpenWithoutAnOpener(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no xdg-open or any browser
	err := Open("http://127.0.0.1:1/x")
	if err == nil || !strings.Contains(err.Error(), "open http://127.0.0.1:1/x by hand") {
		t.Fatalf("without an opener: %v", err)
	}
	if runtime.GOOS == "linux" && !strings.Contains(err.Error(), "none of xdg-open, x-www-browser, www-browser is on PATH") {
		t.Errorf("the error does not say what is missing: %v", err)
	}
}

func TestOpenRunsTheOpenerWithTheURL(t *testing.T) {
	name := Openers()[len(Openers())-1] // the last fallback is found too
	dir := fakeOpener(t, name, `echo "noise on stdout"; echo "noise on stderr" >&2; printf %s "$1" > "${0%/*}/got"`)
	const url = "http://127.0.0.1:1/link/abc?x=1&y=2"
	if err := Open(url); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "got"))
	if err != nil {
		t.Fatalf("the opener did not run: %v", err)
	}
	if string(got) != url {
		t.Errorf("the opener got %q, want %q", got, url)
	}
}

func TestOpenReportsAFailingOpener(t *testing.T) {
	fakeOpener(t, Openers()[0], "exit 3")
	err := Open("http://127.0.0.1:1/x")
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "by hand") {
		t.Fatalf("a failing opener: %v", err)
	}
}

func TestOpenersPerSystem(t *testing.T) {
	for goos, want := range map[string]string{
		"linux": "xdg-open x-www-browser www-browser", "darwin": "open", "freebsd": "xdg-open", "windows": "",
	} {
		if got := strings.Join(openers(goos), " "); got != want {
			t.Errorf("openers(%s) = %q, want %q", goos, got, want)
		}
	}
	cmd, err := command("windows", "http://127.0.0.1:1/x")
	if err != nil || strings.Join(cmd.Args, " ") != "rundll32 url.dll,FileProtocolHandler http://127.0.0.1:1/x" {
		t.Errorf("windows: %v %v", cmd, err)
	}
}

func TestHasDisplay(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		goos string
		env  func(string) string
		want bool
	}{
		{"linux", env(), false},
		{"linux", env("DISPLAY", ":0"), true},
		{"linux", env("WAYLAND_DISPLAY", "wayland-0"), true},
		{"linux", env("BROWSER", "w3m"), true},
		{"freebsd", env(), false},
		{"darwin", env(), true},
		{"windows", env(), true},
	} {
		if got := hasDisplay(tc.goos, tc.env); got != tc.want {
			t.Errorf("hasDisplay(%s, …) = %v, want %v", tc.goos, got, tc.want)
		}
	}
}
