package termbg

import (
	"strings"
	"testing"
)

func TestParseOSC11(t *testing.T) {
	white, black := RGB{1, 1, 1}, RGB{0, 0, 0}
	cases := []struct {
		name  string
		in    string
		want  RGB
		ok    bool
		light bool
	}{
		{"16-bit channels, ST", "\x1b]11;rgb:ffff/ffff/ffff\x1b\\", white, true, true},
		{"16-bit channels, BEL", "\x1b]11;rgb:ffff/ffff/ffff\a", white, true, true},
		{"8-bit channels, BEL (tmux)", "\x1b]11;rgb:ff/ff/ff\a", white, true, true},
		{"8-bit channels, ST", "\x1b]11;rgb:00/00/00\x1b\\", black, true, false},
		{"C1 ST", "\x1b]11;rgb:0000/0000/0000\x9c", black, true, false},
		{"4-bit channels", "\x1b]11;rgb:f/f/f\a", white, true, true},
		{"rgba (alpha ignored)", "\x1b]11;rgba:ffff/ffff/ffff/0000\a", white, true, true},
		{"hash form", "\x1b]11;#ffffff\a", white, true, true},
		{"solarized light", "\x1b]11;rgb:fdfd/f6f6/e3e3\x1b\\", RGB{0xfdfd / 65535.0, 0xf6f6 / 65535.0, 0xe3e3 / 65535.0}, true, true},
		{"with DA1 after and a key before", "x\x1b]11;rgb:1e1e/1e1e/2e2e\a\x1b[?62;22c", RGB{0x1e1e / 65535.0, 0x1e1e / 65535.0, 0x2e2e / 65535.0}, true, false},
		{"unterminated", "\x1b]11;rgb:ffff/ffff/ffff", RGB{}, false, false},
		{"only DA1", "\x1b[?1;2c", RGB{}, false, false},
		{"another OSC", "\x1b]10;rgb:ffff/ffff/ffff\a", RGB{}, false, false},
		{"two channels", "\x1b]11;rgb:ffff/ffff\a", RGB{}, false, false},
		{"not hex", "\x1b]11;rgb:gggg/ffff/ffff\a", RGB{}, false, false},
		{"too many digits", "\x1b]11;rgb:fffff/ffff/ffff\a", RGB{}, false, false},
		{"colour name", "\x1b]11;white\a", RGB{}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ParseOSC11([]byte(c.in))
			if ok != c.ok {
				t.Fatalf("ParseOSC11(%q) ok = %v, want %v", c.in, ok, c.ok)
			}
			if !ok {
				return
			}
			if got != c.want {
				t.Errorf("ParseOSC11(%q) = %+v, want %+v", c.in, got, c.want)
			}
			if got.Dark() == c.light {
				t.Errorf("ParseOSC11(%q) = %s: Dark() = %v, want light = %v", c.in, got, got.Dark(), c.light)
			}
		})
	}
}

func TestParseCOLORFGBG(t *testing.T) {
	cases := []struct {
		in       string
		dark, ok bool
	}{
		{"0;15", false, true},             // black on white
		{"15;0", true, true},              // white on black
		{"default;default;0", true, true}, // rxvt's fg;xpm;bg
		{"0;default;15", false, true},
		{"12;8", true, true},
		{"0;7", false, true},
		{"7;4", true, true},
		{"0;231", false, true}, // the cube's white
		{"15;16", true, true},  // the cube's black
		{"0;255", false, true}, // the lightest grey
		{"15;232", true, true}, // the darkest grey
		{"default;default", false, false},
		{"", false, false},
		{"15", false, false},
		{"0;256", false, false},
		{"0;-1", false, false},
	}
	for _, c := range cases {
		dark, ok := ParseCOLORFGBG(c.in)
		if dark != c.dark || ok != c.ok {
			t.Errorf("ParseCOLORFGBG(%q) = dark %v, ok %v; want dark %v, ok %v", c.in, dark, ok, c.dark, c.ok)
		}
	}
}

func TestParseTheme(t *testing.T) {
	for in, want := range map[string]Theme{"": Auto, "auto": Auto, "LIGHT": Light, " dark ": Dark, "light": Light} {
		got, err := ParseTheme(in)
		if err != nil || got != want {
			t.Errorf("ParseTheme(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	_, err := ParseTheme("solarized")
	if err == nil || !strings.Contains(err.Error(), "auto, light or dark") {
		t.Errorf("ParseTheme(solarized) error = %v, want one naming the choices", err)
	}
}

func TestDetectOrder(t *testing.T) {
	lightAnswer := func() QueryResult { return QueryResult{OK: true, Color: RGB{1, 1, 1}} }
	noAnswer := func() QueryResult { return QueryResult{Why: "silent"} }
	asked := false
	spy := func() QueryResult { asked = true; return lightAnswer() }

	r := Detect(Options{Choice: Dark, COLORFGBG: "0;15", Query: spy})
	if r.Theme != Dark || r.Source != SourceChoice || asked {
		t.Errorf("a chosen theme: got %v (asked the terminal: %v), want dark, chosen, no question", r, asked)
	}
	r = Detect(Options{COLORFGBG: "15;0", Query: lightAnswer})
	if r.Theme != Light || r.Source != SourceOSC11 || r.Detail != "#ffffff" {
		t.Errorf("the terminal answers: got %v, want light from OSC 11 (#ffffff)", r)
	}
	r = Detect(Options{COLORFGBG: "0;15", Query: noAnswer})
	if r.Theme != Light || r.Source != SourceCOLORFGBG {
		t.Errorf("no answer, COLORFGBG=0;15: got %v, want light from COLORFGBG", r)
	}
	r = Detect(Options{COLORFGBG: "default;default", Query: noAnswer})
	if r.Theme != Dark || r.Source != SourceDefault || r.Detail != "silent" {
		t.Errorf("nothing known: got %v, want dark by default saying why", r)
	}
}
