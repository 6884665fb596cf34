package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// The palette. Every colour has a light- and a dark-background variant, and
// nothing is told by colour alone: selection, status and errors also carry
// a glyph or a word, so the app reads the same with NO_COLOR.
var (
	colAccent  = lipgloss.AdaptiveColor{Light: "#5A4FCF", Dark: "#9D94FF"}
	colOK      = lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"}
	colFail    = lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#FF7B72"}
	colWarn    = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#D29922"}
	colMuted   = lipgloss.AdaptiveColor{Light: "#6E7781", Dark: "#8B949E"}
	colText    = lipgloss.AdaptiveColor{Light: "#1F2328", Dark: "#E6EDF3"}
	colSelBg   = lipgloss.AdaptiveColor{Light: "#E7E3FF", Dark: "#2D2A55"}
	colBorder  = lipgloss.AdaptiveColor{Light: "#D0D7DE", Dark: "#3D444D"}
	colKey     = lipgloss.AdaptiveColor{Light: "#0550AE", Dark: "#79C0FF"}
	colString  = lipgloss.AdaptiveColor{Light: "#0A3069", Dark: "#A5D6FF"}
	colNumber  = lipgloss.AdaptiveColor{Light: "#953800", Dark: "#FFA657"}
	colLiteral = lipgloss.AdaptiveColor{Light: "#8250DF", Dark: "#D2A8FF"}
)

// styles is every style the app uses, built once.
type styles struct {
	Brand, Banner, Tab, ActiveTab       lipgloss.Style
	Title, Subtitle, Muted, Bold, Text  lipgloss.Style
	OK, Fail, Warn, Running             lipgloss.Style
	Selected, Pointer                   lipgloss.Style
	Pane, Section                       lipgloss.Style
	ErrorBox, ErrorCode, Advice         lipgloss.Style
	Notice, ErrorLine                   lipgloss.Style
	TableHeader, Row, RowSelected       lipgloss.Style
	JSONKey, JSONString, JSONNumber     lipgloss.Style
	JSONLiteral, JSONPunct              lipgloss.Style
	Dialog, Input, InputLabel, InputSel lipgloss.Style
	Help                                help.Styles
}

// newStyles builds the app's styles.
func newStyles() styles {
	s := styles{}
	fg := func(c lipgloss.TerminalColor) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s.Brand = lipgloss.NewStyle().Bold(true).Foreground(colAccent)
	s.Banner = fg(colText)
	s.Tab = fg(colMuted)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(colAccent)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(colAccent)
	s.Subtitle = lipgloss.NewStyle().Bold(true).Foreground(colText)
	s.Muted = fg(colMuted)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Text = fg(colText)
	s.OK = fg(colOK)
	s.Fail = fg(colFail)
	s.Warn = fg(colWarn)
	s.Running = fg(colAccent)
	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(colAccent).Background(colSelBg)
	s.Pointer = lipgloss.NewStyle().Bold(true).Foreground(colAccent)
	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(colBorder).Padding(0, 1)
	s.Section = lipgloss.NewStyle().Bold(true).Foreground(colText)
	s.ErrorBox = lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).
		BorderForeground(colFail).PaddingLeft(1)
	s.ErrorCode = lipgloss.NewStyle().Bold(true).Foreground(colFail)
	s.Advice = fg(colText)
	s.Notice = fg(colOK)
	s.ErrorLine = lipgloss.NewStyle().Bold(true).Foreground(colFail)
	s.TableHeader = lipgloss.NewStyle().Bold(true).Foreground(colMuted)
	s.Row = fg(colText)
	s.RowSelected = lipgloss.NewStyle().Bold(true).Foreground(colAccent).Background(colSelBg)
	s.JSONKey = fg(colKey)
	s.JSONString = fg(colString)
	s.JSONNumber = fg(colNumber)
	s.JSONLiteral = fg(colLiteral)
	s.JSONPunct = fg(colMuted)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(colAccent).Padding(1, 2)
	s.Input = fg(colText)
	s.InputLabel = fg(colMuted)
	s.InputSel = lipgloss.NewStyle().Bold(true).Foreground(colAccent)
	s.Help = help.Styles{
		ShortKey:       fg(colText).Bold(true),
		ShortDesc:      fg(colMuted),
		ShortSeparator: fg(colBorder),
		Ellipsis:       fg(colMuted),
		FullKey:        fg(colText).Bold(true),
		FullDesc:       fg(colMuted),
		FullSeparator:  fg(colBorder),
	}
	return s
}
