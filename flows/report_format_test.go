package flows

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "",
		-time.Second:            "",
		4200 * time.Microsecond: "4.2 ms",
		142 * time.Millisecond:  "142 ms",
		1340 * time.Millisecond: "1.3 s",
		95 * time.Second:        "95.0 s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
