package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// reference is what encoding/json writes for src as a json.RawMessage,
// and whether it accepts it.
func reference(src []byte) ([]byte, bool) {
	var c bytes.Buffer
	if err := json.Compact(&c, src); err != nil {
		return nil, false
	}
	var e bytes.Buffer
	json.HTMLEscape(&e, c.Bytes())
	return e.Bytes(), true
}

var compactSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `-0.5e+10`, `1E3`, `true`, `false`, `null`,
	` { "a" : [ 1 , 2.5 , "x<y>&z" , {"b":null} ] } `,
	"{\"s\":\"line\u2028sep\u2029\",\"t\":\"\\u00e9\\n\\\"\"}",
	`{"a":1,}`, `[1,]`, `01`, `1.`, `.5`, `1e`, `-`, `"\x"`, `"\u12G4"`, "\"tab\there\"",
	`{"a" 1}`, `{1:2}`, `[1 2]`, `tru`, `nulls`, `{"a":1}{}`, `"unterminated`, "\"bad utf8 \xff\xfe\"",
}

func TestAppendCompactMatchesEncodingJSON(t *testing.T) {
	// encoding/json refuses nesting deeper than 10,000.
	deep := []string{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001)}
	for _, s := range append(compactSeeds, deep...) {
		checkCompact(t, []byte(s))
	}
}

func checkCompact(t *testing.T, src []byte) {
	t.Helper()
	want, wantOK := reference(src)
	prefix := []byte("prefix:")
	got, ok := AppendCompact(prefix, src)
	if ok != wantOK {
		t.Fatalf("AppendCompact(%.80q) ok = %v, encoding/json says %v", src, ok, wantOK)
	}
	if !bytes.HasPrefix(got, []byte("prefix:")) {
		t.Fatalf("AppendCompact(%.80q) lost what was in dst: %.80q", src, got)
	}
	if !ok {
		if len(got) != len("prefix:") {
			t.Fatalf("AppendCompact(%.80q) = %.80q on invalid JSON, want dst unchanged", src, got)
		}
		return
	}
	if got := got[len("prefix:"):]; !bytes.Equal(got, want) {
		t.Fatalf("AppendCompact(%.80q)\n got %.200q\nwant %.200q", src, got, want)
	}
}

func FuzzAppendCompact(f *testing.F) {
	for _, s := range compactSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkCompact(t, src) })
}

var stringSeeds = []string{"", "plain", "<a href=\"x\">&amp;</a>", "\x00\x01\x1f\x7f", "\b\f\n\r\t\\\"",
	"é ü ñ 日本", "\u2028\u2029", "bad \xff utf8 \xe2\x80", "\xed\xa0\x80"}

func checkString(t *testing.T, s string) {
	t.Helper()
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendString(nil, s); !bytes.Equal(got, want) {
		t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
	}
	if got := AppendString([]byte("x"), []byte(s)); !bytes.Equal(got[1:], want) {
		t.Fatalf("AppendString([]byte %q) = %s, encoding/json writes %s", s, got[1:], want)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringSeeds {
		checkString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, -0.0, 1, 0.1, 1e-7, 1.5e-9, 1e21, 123456789.125, -2.5e300, math.SmallestNonzeroFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		want, _ := json.Marshal(v)
		if got := AppendFloat(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("AppendFloat(%v) = %s, encoding/json writes %s", v, got, want)
		}
	})
}
