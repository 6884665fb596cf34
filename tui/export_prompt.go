package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// exportPrompt asks where an export goes before anything is written: a
// text field pre-filled with the directory of the last export, else the
// app's default (--export-dir, $LINKEXPLORER_EXPORT_DIR, else Downloads or
// the working directory). Enter writes there; esc cancels.
type exportPrompt struct {
	what  string // "the whole log as Markdown"
	input textinput.Model
}

func newExportPrompt(c *common, what string, width int) *exportPrompt {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 4096
	in.Cursor.SetMode(cursor.CursorStatic)
	in.SetValue(displayDir(c.exportDir))
	in.CursorEnd()
	in.Focus()
	p := &exportPrompt{what: what, input: in}
	p.setWidth(width)
	return p
}

// label starts the prompt's line.
func (p *exportPrompt) label() string { return "Export " + p.what + " to directory: " }

// setWidth gives the field what the label leaves of the line.
func (p *exportPrompt) setWidth(w int) {
	p.input.Width = max(w-lipgloss.Width(p.label())-1, 10)
}

// update handles a key. When the user confirms, dir is the directory typed
// (never empty: an empty field is the working directory, said in full);
// done is set when the prompt closes, by enter or esc.
func (p *exportPrompt) update(msg tea.KeyMsg, cancel key.Binding) (dir string, done bool, cmd tea.Cmd) {
	switch {
	case key.Matches(msg, cancel):
		return "", true, nil
	case msg.Type == tea.KeyEnter:
		return strings.TrimSpace(p.input.Value()), true, nil
	}
	p.input, cmd = p.input.Update(msg)
	return "", false, cmd
}

// view is the prompt's line: what is exported, and the field (the footer
// shows enter and esc).
func (p *exportPrompt) view(st styles) string {
	return st.Bold.Render(p.label()) + p.input.View()
}

// keys are the prompt's keys, for the footer.
func (p *exportPrompt) keys(cancel key.Binding) []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write the file")), cancel}
}

// displayDir shows dir with the home directory as ~.
func displayDir(dir string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || dir == "" {
		return dir
	}
	if dir == home {
		return "~"
	}
	if rel, ok := strings.CutPrefix(dir, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rel
	}
	return dir
}

// exportTarget resolves the directory a user typed: ~ is the home
// directory, a relative path starts in the working directory, and it must
// be an existing directory (an export never creates directories, so a typo
// cannot scatter files).
func exportTarget(typed string) (string, error) {
	dir := strings.TrimSpace(typed)
	if dir == "" {
		dir = "."
	}
	if dir == "~" || strings.HasPrefix(dir, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot expand ~: %w; type the directory in full", err)
		}
		dir = filepath.Join(home, dir[1:])
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("there is no directory %s: press x again and choose an existing directory, or create it first", abs)
	case err != nil:
		return "", fmt.Errorf("%w: press x again and choose another directory", err)
	case !fi.IsDir():
		return "", fmt.Errorf("%s is a file, not a directory: press x again and choose a directory", abs)
	}
	return abs, nil
}
