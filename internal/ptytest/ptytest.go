//go:build linux

// Package ptytest opens real pseudo-terminals for tests (Linux): what a
// terminal emulator holds on one side, a program's stdin and stdout on the
// other. It needs no library: /dev/ptmx and two ioctls.
package ptytest

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Open opens a pty of cols×rows. term is the terminal's side (read what
// the program draws, write what the user types or the terminal answers);
// prog is the program's side. Both are closed when the test ends. The test
// is skipped where there are no pseudo-terminals.
func Open(t testing.TB, cols, rows int) (term, prog *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatalf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("opening the pty's program side: %v", err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: uint16(cols), Row: uint16(rows)}); err != nil {
		t.Fatalf("setting the pty's size: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}
