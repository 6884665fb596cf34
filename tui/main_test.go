package tui

import (
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestMain makes rendering independent of the machine: no colours (the
// goldens hold text and attributes only), a dark background without asking
// a terminal, and UTC times.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	time.Local = time.UTC
	code := m.Run()
	removeBenchLogs()
	os.Exit(code)
}
