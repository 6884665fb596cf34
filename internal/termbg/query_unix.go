//go:build unix

package termbg

import (
	"errors"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// Query asks the terminal on in/out (the same terminal: stdin and stdout)
// for its background colour, waiting at most timeout in all. in is put in
// raw mode for the time of the question (so the answer is neither echoed
// nor held until a newline) and restored. Nothing is left reading in: the
// wait is select(2) on its descriptor, and only what is ready is read, so
// the program that reads in next gets every key typed after.
func Query(in, out *os.File, timeout time.Duration) QueryResult {
	start := time.Now()
	fd := int(in.Fd())
	state, err := term.MakeRaw(in.Fd())
	if err != nil {
		return QueryResult{Why: "the terminal's mode cannot be set: " + err.Error()}
	}
	defer term.Restore(in.Fd(), state) //nolint:errcheck // nothing better to do
	if _, err := out.WriteString(query); err != nil {
		return QueryResult{Why: "cannot write to the terminal: " + err.Error()}
	}
	deadline := start.Add(timeout)
	var buf []byte
	chunk := make([]byte, 256)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return result(buf, false, time.Since(start))
		}
		var set unix.FdSet
		set.Zero()
		set.Set(fd)
		tv := unix.NsecToTimeval(left.Nanoseconds())
		n, err := unix.Select(fd+1, &set, nil, nil, &tv)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return QueryResult{Why: "cannot wait for the terminal: " + err.Error(), Waited: time.Since(start)}
		}
		if n == 0 || !set.IsSet(fd) {
			continue // the deadline is checked above
		}
		r, err := unix.Read(fd, chunk)
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil || r == 0 {
			return result(buf, false, time.Since(start))
		}
		buf = append(buf, chunk[:r]...)
		if replyDone(buf) {
			return result(buf, true, time.Since(start))
		}
	}
}
