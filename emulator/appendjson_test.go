package emulator

import (
	"encoding/json"
	"testing"
	"time"
)

// TestAppendJSONMatchesEncodingJSON: the hand-written response encoder
// writes the same bytes as encoding/json, odd strings included (the string
// escaper itself is internal/jsonenc's, fuzzed there).
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	strs := []string{"", "link-sandbox-3d3a9f8e", "\b\f", `quote " and \ back`, "<html>&amp;", "tab\tnl\ncr\r\x00\x1f", "é ü 日本", "\u2028\u2029", "bad \xff utf8", "\x7f"}
	times := []time.Time{time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC), time.Date(2024, 1, 15, 10, 0, 0, 123456789, time.FixedZone("x", 3600))}
	for _, s := range strs {
		for _, tm := range times {
			r := linkTokenCreateResponse{LinkToken: s, Expiration: tm, RequestID: s + "x"}
			want, _ := json.Marshal(r)
			if got := r.appendJSON(nil); string(got) != string(want) {
				t.Errorf("appendJSON = %s, want %s", got, want)
			}
		}
	}
}
