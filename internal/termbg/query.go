package termbg

import (
	"bytes"
	"time"
)

// DefaultTimeout bounds the terminal query: a terminal answers in a few
// milliseconds (tmux and screen included, over ssh a round trip more), and
// a silent one must not hold back the first frame noticeably.
const DefaultTimeout = 100 * time.Millisecond

// query is what is written: OSC 11 (what is the background colour?), then
// DA1 (what are you?) as the sentinel that ends the wait.
const query = "\x1b]11;?\a\x1b[c"

// QueryResult is the terminal's answer to OSC 11.
type QueryResult struct {
	OK     bool // Color is the terminal's answer
	Color  RGB
	Why    string // when not OK: why there is no answer
	Waited time.Duration
}

// replyDone reports whether b holds the whole answer: the DA1 reply
// (ESC [ ? params c), which terminals send after their OSC 11 reply.
func replyDone(b []byte) bool {
	for {
		i := bytes.Index(b, []byte("\x1b[?"))
		if i < 0 {
			return false
		}
		b = b[i+3:]
		j := 0
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == ';') {
			j++
		}
		if j < len(b) && b[j] == 'c' {
			return true
		}
	}
}

// result reads what the terminal answered.
func result(b []byte, sawDA1 bool, waited time.Duration) QueryResult {
	if c, ok := ParseOSC11(b); ok {
		return QueryResult{OK: true, Color: c, Waited: waited}
	}
	if sawDA1 {
		return QueryResult{Why: "the terminal does not report its background colour (OSC 11)", Waited: waited}
	}
	return QueryResult{Why: "no answer from the terminal within " + waited.Round(time.Millisecond).String(), Waited: waited}
}
