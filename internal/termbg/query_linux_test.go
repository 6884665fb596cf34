//go:build linux

package termbg

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkexplorer/linkexplorer/internal/ptytest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// openPTY opens a real pseudo-terminal.
func openPTY(t *testing.T) (term, prog *os.File) { return ptytest.Open(t, 80, 24) }

// terminal reads the query on the terminal side of a pty and writes answer
// once it has seen the whole query. It reports what it read.
func terminal(t *testing.T, m *os.File, answer string) <-chan string {
	got := make(chan string, 1)
	go func() {
		var b []byte
		chunk := make([]byte, 64)
		for !bytes.Contains(b, []byte(query)) {
			n, err := m.Read(chunk)
			if err != nil {
				got <- string(b)
				return
			}
			b = append(b, chunk[:n]...)
		}
		if answer != "" {
			m.WriteString(answer)
		}
		got <- string(b)
	}()
	return got
}

// queryWithin runs Query on the program side and fails the test if it has
// not returned by the test's deadline.
func queryWithin(t *testing.T, s *os.File, timeout time.Duration) QueryResult {
	t.Helper()
	done := make(chan QueryResult, 1)
	go func() { done <- Query(s, s, timeout) }()
	ctx := testwait.Context(t)
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		t.Fatalf("Query(timeout %v) did not return: it hangs on the terminal", timeout)
		return QueryResult{}
	}
}

func TestQueryOnARealPTY(t *testing.T) {
	// A long timeout: each answering case must end at the DA1 answer, not
	// at the deadline (if it waited, it would report no answer).
	long := testwait.Budget(t) / 2

	t.Run("light background, ST", func(t *testing.T) {
		m, s := openPTY(t)
		seen := terminal(t, m, "\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62;22c")
		r := queryWithin(t, s, long)
		if q := <-seen; !strings.Contains(q, "\x1b]11;?") || !strings.Contains(q, "\x1b[c") {
			t.Errorf("the terminal was sent %q, want OSC 11 and DA1", q)
		}
		if !r.OK || r.Color.Dark() {
			t.Fatalf("Query = %+v, want a light colour", r)
		}
	})
	t.Run("dark background, BEL, as tmux answers", func(t *testing.T) {
		m, s := openPTY(t)
		terminal(t, m, "\x1b]11;rgb:1c1c/1c1c/1c1c\a\x1b[?1;2;4c")
		r := queryWithin(t, s, long)
		if !r.OK || !r.Color.Dark() {
			t.Fatalf("Query = %+v, want a dark colour", r)
		}
	})
	t.Run("DA1 only: returns at once", func(t *testing.T) {
		m, s := openPTY(t)
		terminal(t, m, "\x1b[?62c")
		r := queryWithin(t, s, long)
		if r.OK || !strings.Contains(r.Why, "does not report its background") {
			t.Fatalf("Query = %+v, want 'does not report' (the DA1 answer ends the wait)", r)
		}
	})
	t.Run("silent terminal: ends at the deadline", func(t *testing.T) {
		m, s := openPTY(t)
		terminal(t, m, "")
		r := queryWithin(t, s, DefaultTimeout)
		if r.OK || !strings.Contains(r.Why, "no answer") || r.Waited < DefaultTimeout {
			t.Fatalf("Query = %+v, want no answer after the %v deadline", r, DefaultTimeout)
		}
		t.Logf("a silent terminal held the query for %v (deadline %v)", r.Waited, DefaultTimeout)
	})
	t.Run("keys typed after are the program's and the mode is restored", func(t *testing.T) {
		m, s := openPTY(t)
		before, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		terminal(t, m, "\x1b]11;rgb:ff/ff/ff\a\x1b[?62c")
		if r := queryWithin(t, s, long); !r.OK {
			t.Fatalf("Query = %+v", r)
		}
		after, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
			t.Errorf("terminal mode not restored: lflag %#x -> %#x", before.Lflag, after.Lflag)
		}
		m.WriteString("q\n")
		line := make([]byte, 16)
		n, err := s.Read(line)
		if err != nil || string(line[:n]) != "q\n" {
			t.Errorf("after the query the program read %q (%v), want the typed q", line[:n], err)
		}
	})
}
