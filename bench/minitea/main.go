// Command minitea is the baseline of the first-frame benchmarks
// (bench/tui.sh, bench/open.sh): the smallest Bubble Tea program with the
// app's setup (alternate screen, lipgloss styles, a window-size message
// before its first frame), whose first frame says FLOWS as Home's does.
// What linkexplorer takes beyond it is what the app itself adds to a
// start: the emulator, the store, the callback server and its screens.
package main

import (
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

type model struct{ width, height int }

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.KeyMsg:
		return m, tea.Quit
	}
	return m, nil
}

var heading = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#1a1a1a", Dark: "#f0f0f0"})

func (m model) View() string {
	if m.width == 0 {
		return ""
	}
	return heading.Render("FLOWS") + fmt.Sprintf("\n%d×%d\n", m.width, m.height)
}

func main() {
	if _, err := tea.NewProgram(model{}, tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
