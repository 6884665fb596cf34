// Package termbg finds out whether the terminal's background is light or
// dark, for a palette that stays readable on both.
//
// termenv (through lipgloss) asks the terminal with OSC 11, but it skips the
// question when TERM is tmux* or screen* and otherwise waits up to five
// seconds for an answer that a silent terminal never sends. This package
// asks itself, on the controlling terminal, with a short deadline and a
// sentinel: OSC 11 (the background colour) followed by DA1 (primary device
// attributes), which nearly every terminal, tmux and screen included,
// answers. Replies come back in order, so the DA1 answer ends the wait at
// once when the terminal does not answer OSC 11. tmux answers OSC 11 with the
// pane's background (its window-style, else the outer terminal's).
//
// The order of trust (Detect): a theme the user chose, then the terminal's
// own answer to OSC 11, then $COLORFGBG, then dark (the common default).
package termbg

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Theme is the palette to use.
type Theme int

const (
	// Auto means: find out (only as a choice; Detect never returns it).
	Auto Theme = iota
	// Dark is the palette for a dark background.
	Dark
	// Light is the palette for a light background.
	Light
)

func (t Theme) String() string {
	switch t {
	case Dark:
		return "dark"
	case Light:
		return "light"
	}
	return "auto"
}

// ParseTheme reads a --theme or $LINKEXPLORER_THEME value: auto, light or
// dark (any case; empty is auto).
func ParseTheme(s string) (Theme, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "light":
		return Light, nil
	case "dark":
		return Dark, nil
	}
	return Auto, fmt.Errorf("unknown theme %q: use auto, light or dark", s)
}

// Source says how a theme was decided.
type Source string

const (
	SourceChoice    Source = "chosen"    // --theme or $LINKEXPLORER_THEME
	SourceOSC11     Source = "osc11"     // the terminal's answer to OSC 11
	SourceCOLORFGBG Source = "colorfgbg" // $COLORFGBG
	SourceDefault   Source = "default"   // nothing answered: dark
)

// Result is the theme Detect chose and why.
type Result struct {
	Theme  Theme
	Source Source
	// Detail is what was read (the OSC 11 colour, the $COLORFGBG value) or
	// why the terminal gave no answer, for the debug log and doctor.
	Detail string
	// Waited is how long the terminal query took (0 when none was made).
	Waited time.Duration
}

func (r Result) String() string {
	s := fmt.Sprintf("%s (%s", r.Theme, r.Source)
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s + ")"
}

// Options are Detect's inputs.
type Options struct {
	// Choice is the user's --theme or $LINKEXPLORER_THEME; Auto asks.
	Choice Theme
	// COLORFGBG is the environment's $COLORFGBG.
	COLORFGBG string
	// Query asks the terminal for its background colour; nil skips it.
	Query func() QueryResult
}

// Detect decides the theme: the user's choice, else the terminal's answer
// to OSC 11, else $COLORFGBG, else dark.
func Detect(o Options) Result {
	if o.Choice == Light || o.Choice == Dark {
		return Result{Theme: o.Choice, Source: SourceChoice}
	}
	var waited time.Duration
	why := ""
	if o.Query != nil {
		q := o.Query()
		waited = q.Waited
		if q.OK {
			th := Light
			if q.Color.Dark() {
				th = Dark
			}
			return Result{Theme: th, Source: SourceOSC11, Detail: q.Color.String(), Waited: waited}
		}
		why = q.Why
	}
	if dark, ok := ParseCOLORFGBG(o.COLORFGBG); ok {
		th := Light
		if dark {
			th = Dark
		}
		return Result{Theme: th, Source: SourceCOLORFGBG, Detail: "COLORFGBG=" + o.COLORFGBG, Waited: waited}
	}
	if why == "" {
		why = "no answer and no COLORFGBG"
	}
	return Result{Theme: Dark, Source: SourceDefault, Detail: why, Waited: waited}
}

// RGB is a colour with channels from 0 to 1.
type RGB struct{ R, G, B float64 }

// Luminance is the colour's relative luminance (sRGB, WCAG), 0 to 1.
func (c RGB) Luminance() float64 {
	lin := func(v float64) float64 {
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Dark reports whether text in a light colour reads better on c than text
// in a dark one: the luminance where black and white text have the same
// contrast ratio is about 0.18.
func (c RGB) Dark() bool { return c.Luminance() < 0.18 }

func (c RGB) String() string {
	return fmt.Sprintf("#%02x%02x%02x", int(c.R*255+0.5), int(c.G*255+0.5), int(c.B*255+0.5))
}

// ParseOSC11 finds the terminal's answer to OSC 11 in b: ESC ] 11 ; then a
// colour as X11 specifies it (rgb:R/G/B or rgba:R/G/B/A with one to four hex
// digits per channel, as xterm, tmux, screen, kitty, iTerm2 and others send;
// or #RGB, #RRGGBB, #RRRRGGGGBBBB), ended by BEL or ST (ESC \). b may hold
// other input around it (a DA1 answer, keys typed meanwhile).
func ParseOSC11(b []byte) (RGB, bool) {
	i := bytes.Index(b, []byte("\x1b]11;"))
	if i < 0 {
		return RGB{}, false
	}
	rest := b[i+len("\x1b]11;"):]
	end := -1
	for j := 0; j < len(rest); j++ {
		if rest[j] == '\a' || rest[j] == 0x9c || (rest[j] == 0x1b && j+1 < len(rest) && rest[j+1] == '\\') {
			end = j
			break
		}
	}
	if end < 0 {
		return RGB{}, false // not all of it yet
	}
	return parseColor(string(rest[:end]))
}

// parseColor reads an X11 colour specification.
func parseColor(s string) (RGB, bool) {
	var parts []string
	switch {
	case strings.HasPrefix(s, "rgb:"):
		parts = strings.Split(s[len("rgb:"):], "/")
		if len(parts) != 3 {
			return RGB{}, false
		}
	case strings.HasPrefix(s, "rgba:"):
		parts = strings.Split(s[len("rgba:"):], "/")
		if len(parts) != 4 {
			return RGB{}, false
		}
		parts = parts[:3]
	case strings.HasPrefix(s, "#"):
		h := s[1:]
		if len(h) == 0 || len(h)%3 != 0 || len(h) > 12 {
			return RGB{}, false
		}
		n := len(h) / 3
		parts = []string{h[:n], h[n : 2*n], h[2*n:]}
	default:
		return RGB{}, false
	}
	var v [3]float64
	for k, p := range parts {
		if len(p) < 1 || len(p) > 4 {
			return RGB{}, false
		}
		n, err := strconv.ParseUint(p, 16, 16)
		if err != nil {
			return RGB{}, false
		}
		v[k] = float64(n) / float64(uint64(1)<<(4*len(p))-1)
	}
	return RGB{v[0], v[1], v[2]}, true
}

// ParseCOLORFGBG reads $COLORFGBG, "fg;bg" or "fg;xpm;bg" as rxvt, Konsole
// and others set it: the last field is the background, an ANSI colour
// number. Backgrounds 0-6 and 8 are dark, 7 and 9-15 light (as Vim reads
// it); 16-255 by the xterm palette's luminance. ok is false when the
// background is missing or "default".
func ParseCOLORFGBG(s string) (dark, ok bool) {
	if !strings.Contains(s, ";") {
		return false, false
	}
	fields := strings.Split(s, ";")
	n, err := strconv.Atoi(strings.TrimSpace(fields[len(fields)-1]))
	if err != nil || n < 0 || n > 255 {
		return false, false
	}
	switch {
	case n <= 6 || n == 8:
		return true, true
	case n <= 15:
		return false, true
	}
	return ansi256(n).Dark(), true
}

// ansi256 is xterm's colour n (16-255): the 6×6×6 cube, then the greys.
func ansi256(n int) RGB {
	if n >= 232 {
		g := float64(8+10*(n-232)) / 255
		return RGB{g, g, g}
	}
	n -= 16
	level := func(i int) float64 {
		if i == 0 {
			return 0
		}
		return float64(55+40*i) / 255
	}
	return RGB{level(n / 36), level(n / 6 % 6), level(n % 6)}
}
