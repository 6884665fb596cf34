package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
)

// typeText types s into the app, one key a rune.
func typeText(a *app, s string) {
	for _, r := range s {
		a.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// TestExportAsksWhere: the export asks for a directory, pre-filled with
// the default, before anything is written; the user can change it; the
// file lands where chosen (not in the working directory); the next export
// offers the directory chosen last; one message tells where, and it goes
// away when it stops being true (the filter changes, the screen is left).
func TestExportAsksWhere(t *testing.T) {
	def, chosen, cwd := t.TempDir(), t.TempDir(), t.TempDir()
	t.Chdir(cwd)
	a := sized(Options{Env: &flows.Env{Store: logFixture(t)}, ExportDir: def})
	settle(t, a, a.navigate(screenLog))
	press(a, "x", "c")
	if v := plain(a.View()); !strings.Contains(v, "to directory: "+def) {
		t.Fatalf("the prompt does not offer the default %s:\n%s", def, v)
	}
	press(a, "ctrl+u")
	typeText(a, chosen)
	msg := exec[exportedMsg](t, press(a, "enter"))
	if filepath.Dir(msg.path) != chosen || !strings.HasSuffix(msg.path, ".csv") {
		t.Fatalf("exported to %s, want a CSV file in %s", msg.path, chosen)
	}
	for _, d := range []string{def, cwd} {
		if files, _ := os.ReadDir(d); len(files) != 0 {
			t.Errorf("the export wrote into %s too: %v", d, files)
		}
	}
	a.Update(msg)
	v := plain(a.View())
	if strings.Count(v, msg.path) != 1 || a.status != "" {
		t.Errorf("want one message naming %s (footer notice %q):\n%s", msg.path, a.status, v)
	}

	// The next export offers the directory chosen last.
	press(a, "x", "m")
	if v := plain(a.View()); !strings.Contains(v, "to directory: "+chosen) || strings.Contains(v, "exported to") {
		t.Errorf("the second export's prompt:\n%s", v)
	}
	press(a, "esc")

	// The message goes when it stops being true.
	a.Update(msg)
	settle(t, a, a.log.applyFilter("kind:call"))
	if strings.Contains(plain(a.View()), "exported to") {
		t.Error("the export's message stays after the filter changed")
	}
	a.Update(msg)
	settle(t, a, a.navigate(screenHome))
	settle(t, a, a.navigate(screenLog))
	if strings.Contains(plain(a.View()), "exported to") {
		t.Error("the export's message stays after leaving the screen")
	}
}

// TestExportRefusesAMissingDirectory: a directory that does not exist is
// refused with what to do; nothing is created.
func TestExportRefusesAMissingDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	a := sized(Options{Env: &flows.Env{Store: logFixture(t)}, ExportDir: missing})
	settle(t, a, a.navigate(screenLog))
	failed := exec[failedMsg](t, press(a, "x", "j", "enter"))
	if !strings.Contains(failed.Error(), "there is no directory "+missing) || !strings.Contains(failed.Error(), "press x again") {
		t.Errorf("a missing directory gave %q", failed.Error())
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the export created %s", missing)
	}
}

func TestExportTarget(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	file := filepath.Join(home, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := exportTarget("~"); err != nil || got != home {
		t.Errorf("~ = %q, %v", got, err)
	}
	if got := displayDir(filepath.Join(home, "Downloads")); got != "~/Downloads" {
		t.Errorf("displayDir = %q", got)
	}
	if _, err := exportTarget(file); err == nil || !strings.Contains(err.Error(), "is a file") {
		t.Errorf("a file as the directory: %v", err)
	}
}
