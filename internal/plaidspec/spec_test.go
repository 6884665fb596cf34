package plaidspec

import "testing"

// BenchmarkCompile is the emulator's start-up cost for the schema: decoding
// and linking the embedded compact spec (goal: well under 200 ms).
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(specJSON); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEmbeddedSpecCompiles(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Paths()); n != 251 {
		t.Errorf("%d operations, want the schema's 251", n)
	}
	if s.Version != "2020-09-14_1.485.0" {
		t.Errorf("version %q", s.Version)
	}
}
