package tui

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/linkexplorer/linkexplorer/store"
)

func TestParseFilter(t *testing.T) {
	cases := []struct {
		in   string
		want store.Filter
	}{
		{"", store.Filter{}},
		{"exchange login", store.Filter{Text: "exchange login"}},
		{"code:invalid_link_token", store.Filter{ErrorCode: "INVALID_LINK_TOKEN"}},
		{"req:AbC123 kind:event is:error", store.Filter{RequestID: "AbC123", Kind: store.KindEvent, Errors: true}},
		{"lsid:6f1e item:M5e session:01ab accounts", store.Filter{LinkSessionID: "6f1e", ItemID: "M5e", SessionID: "01ab", Text: "accounts"}},
		{"http://localhost:3000 webhook", store.Filter{Text: "http://localhost:3000 webhook"}},
		{"code:", store.Filter{Text: "code:"}},
		{"kind:APP", store.Filter{Kind: store.KindApp}},
		{"source:App kind:call", store.Filter{Source: store.SourceApp, Kind: store.KindCall}},
		{"from:demo", store.Filter{Source: store.SourceDemo}},
	}
	for _, c := range cases {
		got, err := parseFilter(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseFilter(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"kind:item", "is:ok", "source:bank"} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("parseFilter(%q) accepted a bad value", bad)
		}
	}
}

func TestLayoutColumnsDropsLowPriorityFirst(t *testing.T) {
	cols := []column{
		{title: "A", width: 8, priority: 5},
		{title: "B", width: 0, min: 10, priority: 9},
		{title: "C", width: 20, priority: 1},
		{title: "D", width: 12, priority: 7},
		{title: "E", width: 6, priority: 3, hidden: true},
	}
	cases := []struct {
		total int
		want  []int
	}{
		{100, []int{8, 57, 20, 12, 0}},
		{40, []int{8, 18, 0, 12, 0}},
		{25, []int{0, 12, 0, 12, 0}},
		{5, []int{0, 10, 0, 0, 0}},
	}
	for _, c := range cases {
		got := layoutColumns(cols, c.total)
		if !slices.Equal(got, c.want) {
			t.Errorf("layoutColumns(%d) = %v, want %v", c.total, got, c.want)
		}
		sum := 0
		for _, w := range got {
			if w > 0 {
				sum += w + 1
			}
		}
		if sum-1 > c.total && c.total >= 10 {
			t.Errorf("layoutColumns(%d) is %d wide", c.total, sum-1)
		}
	}
}

func TestPrettyJSON(t *testing.T) {
	st := newStyles()
	got := plain(prettyJSON(st, []byte(`{"a":[1,true,null],"b":"x\"y"}`+"\n")))
	want := "{\n  \"a\": [\n    1,\n    true,\n    null\n  ],\n  \"b\": \"x\\\"y\"\n}"
	if got != want {
		t.Errorf("prettyJSON = %q, want %q", got, want)
	}
	// With the ASCII profile of the tests the JSON colours emit no escape
	// sequences, so any in the output came from the body.
	if got := prettyJSON(st, []byte("not json \x1b[2J\u009b31m")); strings.ContainsAny(got, "\x1b\u009b") {
		t.Errorf("control characters reached the screen: %q", got)
	}
	if got := plain(prettyJSON(st, nil)); got != "(empty)" {
		t.Errorf("empty body shows %q", got)
	}
}

func TestCleanKeepsTextSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":            "plain text",
		"a\x1b[31mred":          "a [31mred",
		"tab\tand\nnewline":     "tab\tand\nnewline",
		"c1 \u009b control":     "c1   control",
		"bad \xff utf8":         "bad \uFFFD utf8",
		"bell\a and delete\x7f": "bell  and delete ",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := oneLine(" a \n b\t c "); got != "a b c" {
		t.Errorf("oneLine = %q", got)
	}
}

func FuzzPrettyJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[`, `"\u001b"`, "{\"k\":\"\x1b]52;c;AA\a\"}", `{"a":{"b":[1e10,-2,"x"]}}`} {
		f.Add([]byte(s))
	}
	st := newStyles()
	f.Fuzz(func(t *testing.T, body []byte) {
		out := prettyJSON(st, body)
		if strings.ContainsAny(out, "\x1b\u009b\a") {
			t.Errorf("control characters in %q", out)
		}
		if !utf8.ValidString(out) {
			t.Errorf("invalid UTF-8 in %q", out)
		}
	})
}

func TestFormats(t *testing.T) {
	for d, want := range map[time.Duration]string{
		4 * time.Hour:                        "4h 00m 00s",
		12*time.Minute + 5*time.Second:       "12m 05s",
		9*time.Second + 900*time.Millisecond: "9s",
		0:                                    "expired",
	} {
		if got := countdown(d); got != want {
			t.Errorf("countdown(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{1500 * time.Microsecond: "1.5 ms", 142 * time.Millisecond: "142 ms", 1300 * time.Millisecond: "1.3 s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFitMakesExactBlocks(t *testing.T) {
	got := fit("ab\nlong line here\nc\nd", 6, 3)
	lines := strings.Split(got, "\n")
	if len(lines) != 3 {
		t.Fatalf("fit gave %d lines", len(lines))
	}
	for _, l := range lines {
		if w := lipgloss.Width(l); w != 6 {
			t.Errorf("line %q is %d wide, want 6", l, w)
		}
	}
	if lines[1] != "long …" {
		t.Errorf("a long line is cut to %q", lines[1])
	}
}

func TestErrorsAreExplained(t *testing.T) {
	st := newStyles()
	block := plain(errorBlock(st, stepError(createFailed()), 80))
	for _, want := range []string{"INVALID_FIELD (INVALID_REQUEST)", "webhook must be a non-empty string URL (request_id ReqTokenFail01)", "What it means:", "What to do:", "Docs: https://plaid.com/docs/errors/"} {
		if !strings.Contains(strings.Join(strings.Fields(block), " "), want) {
			t.Errorf("the error block lacks %q:\n%s", want, block)
		}
	}
	if b := plain(errorBlock(st, plaidError{message: "dial tcp: connection refused"}, 80)); !strings.Contains(b, "reachable") {
		t.Errorf("an error without a Plaid answer must point at the connection:\n%s", b)
	}
	if b := plain(errorBlock(st, entryError("SOMETHING_NEW", "ITEM_ERROR", ""), 80)); !strings.Contains(b, "plaid.com/docs/errors") {
		t.Errorf("an unknown code must point at Plaid's docs:\n%s", b)
	}
}

// TestWrapNeverSplitsWhatIsCopied: wrapping breaks at spaces only, never
// inside a flag name, a hyphenated setting, a JSON value or a URL.
func TestWrapNeverSplitsWhatIsCopied(t *testing.T) {
	words := []string{"--export-dir", "set-clipboard", `"INVALID_LINK_TOKEN"`, "http://127.0.0.1:7878/link-initialize.js", "request-id-0a1b2c"}
	text := "Run with " + strings.Join(words, " and ") + " then copy them."
	for w := 14; w <= 80; w++ {
		got := plain(wrap(text, w))
		for _, word := range words {
			if len(word) <= w && !strings.Contains(got, word) {
				t.Errorf("width %d splits %q:\n%s", w, word, got)
			}
		}
	}
}
