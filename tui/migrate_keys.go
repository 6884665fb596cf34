package tui

import "github.com/charmbracelet/bubbles/key"

// migrateKeys drive the Migration screen's checklist.
type migrateKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Tick, Observe, Export, Rerun, Edit      key.Binding
}

func newMigrateKeys() migrateKeys {
	return migrateKeys{
		Up:       bind([]string{"up", "k"}, "↑/k", "up"),
		Down:     bind([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   bind([]string{"pgup"}, "pgup", "scroll up"),
		PageDown: bind([]string{"pgdown"}, "pgdn", "scroll down"),
		Top:      bind([]string{"home", "g"}, "g/home", "first check"),
		Bottom:   bind([]string{"end", "G"}, "G/end", "last check"),
		Tick:     bind([]string{" ", "t"}, "space/t", "tick / untick a manual check"),
		Observe:  bind([]string{"o"}, "o", "watch the emulator"),
		Export:   bind([]string{"x"}, "x", "export"),
		Rerun:    bind([]string{"r"}, "r", "audit again"),
		Edit:     bind([]string{"e"}, "e", "edit what is audited"),
	}
}
