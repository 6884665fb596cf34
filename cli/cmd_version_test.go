package cli

import (
	"runtime/debug"
	"testing"
)

// TestVersionString reads build information as Go writes it (the text
// "go version -m" prints, and debug.ParseBuildInfo reads) for a release, a checkout with changes, and a
// build with no VCS information.
func TestVersionString(t *testing.T) {
	for _, tc := range []struct{ info, want string }{
		{"go\tgo1.26.8\npath\tgithub.com/linkexplorer/linkexplorer\nmod\tgithub.com/linkexplorer/linkexplorer\tv1.4.0\th1:abc=\n",
			"v1.4.0 (revision unknown; go1.26.8)"},
		{"go\tgo1.26.8\npath\tgithub.com/linkexplorer/linkexplorer\nmod\tgithub.com/linkexplorer/linkexplorer\tv0.0.0-20261205101317-b0b071fe7e51+dirty\t\n" +
			"build\tvcs=git\nbuild\tvcs.revision=b0b071fe7e51d29e3a2ea58350c8fffd301a6747\nbuild\tvcs.time=2026-12-05T10:13:17Z\nbuild\tvcs.modified=true\n",
			"v0.0.0-20261205101317-b0b071fe7e51+dirty (revision b0b071fe7e51, 2026-12-05T10:13:17Z, modified; go1.26.8)"},
		{"go\tgo1.26.8\npath\tgithub.com/linkexplorer/linkexplorer\nmod\tgithub.com/linkexplorer/linkexplorer\t(devel)\t\n",
			"(devel) (revision unknown; go1.26.8)"},
	} {
		bi, err := debug.ParseBuildInfo(tc.info)
		if err != nil {
			t.Fatal(err)
		}
		bi.GoVersion = "go1.26.8" // ParseBuildInfo leaves it out; ReadBuildInfo sets it
		if got := versionString(bi, true); got != tc.want {
			t.Errorf("versionString = %q, want %q", got, tc.want)
		}
	}
	if got := versionString(nil, false); got != "(devel) (revision unknown)" {
		t.Errorf("without build info: %q", got)
	}
}
