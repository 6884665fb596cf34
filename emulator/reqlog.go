package emulator

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

const (
	// requestLogSize is how many Plaid API requests the log keeps.
	requestLogSize = 10_000
	// requestBodyBudget bounds the bytes of bodies the log keeps; past it
	// the oldest entries lose their bodies (their summaries stay).
	requestBodyBudget = 32 << 20
)

// requestEntry is one Plaid API request in the request log.
type requestEntry struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	RequestID  string    `json:"request_id"`
	ErrorType  string    `json:"error_type"`
	ErrorCode  string    `json:"error_code"`
	DurationMS float64   `json:"duration_ms"`
	ClientID   string    `json:"client_id"`
	UserAgent  string    `json:"user_agent"`

	// The bodies, with secrets and tokens already masked.
	reqBody, respBody []byte
}

// requestLog is a ring buffer of the last requests, by sequence number.
type requestLog struct {
	mu        sync.Mutex
	ring      []requestEntry
	last      uint64 // seq of the newest entry; seqs start at 1
	bodyBytes int
	budget    int
	bodyFloor uint64 // entries below this seq hold no bodies
	first     uint64 // entries below this seq were cleared
}

func newRequestLog(size, budget int) *requestLog {
	return &requestLog{ring: make([]requestEntry, size), budget: budget, bodyFloor: 1, first: 1}
}

// add appends an entry, masking the secrets and tokens in its bodies.
func (l *requestLog) add(e requestEntry, reqBody, respBody []byte) {
	e.reqBody, e.respBody = maskBody(reqBody), maskBody(respBody)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last++
	e.Seq = l.last
	slot := &l.ring[(e.Seq-1)%uint64(len(l.ring))]
	l.bodyBytes -= len(slot.reqBody) + len(slot.respBody)
	*slot = e
	l.bodyBytes += len(e.reqBody) + len(e.respBody)
	l.bodyFloor = max(l.bodyFloor, l.oldest())
	for l.bodyBytes > l.budget && l.bodyFloor < l.last {
		old := &l.ring[(l.bodyFloor-1)%uint64(len(l.ring))]
		l.bodyBytes -= len(old.reqBody) + len(old.respBody)
		old.reqBody, old.respBody = nil, nil
		l.bodyFloor++
	}
}

// oldest is the seq of the oldest entry still held (l.mu held).
func (l *requestLog) oldest() uint64 {
	if n := uint64(len(l.ring)); l.last > n {
		return max(l.first, l.last-n+1)
	}
	return l.first
}

// list returns up to limit entries after seq since, oldest first, whose path
// is path (any path when empty), and the seq to pass as since next time.
func (l *requestLog) list(since uint64, limit int, path string) ([]requestEntry, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []requestEntry{}
	next := max(since, l.oldest()-1)
	for seq := next + 1; seq <= l.last && len(out) < limit; seq++ {
		next = seq
		if e := l.ring[(seq-1)%uint64(len(l.ring))]; path == "" || e.Path == path {
			out = append(out, e)
		}
	}
	return out, next
}

// get returns the entry with sequence number seq, if still held.
func (l *requestLog) get(seq uint64) (requestEntry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if seq == 0 || seq > l.last || seq < l.oldest() {
		return requestEntry{}, false
	}
	return l.ring[(seq-1)%uint64(len(l.ring))], true
}

// clear drops every entry; sequence numbers keep growing.
func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.ring)
	l.bodyBytes = 0
	l.bodyFloor = l.last + 1
	l.first = l.last + 1
}

// secretMarkers are substrings of every body maskBody may change.
var secretMarkers = [][]byte{[]byte(`"secret"`), []byte("access_token"), []byte("public_token"), []byte("access-"), []byte("public-")}

// maskBody returns body with secrets and tokens masked: the values of the
// keys secret, access_token, new_access_token and public_token, and every
// string that is an access or public token. It scans JSON strings without
// parsing the document, so the rest of the body stays byte for byte as
// sent, and bodies that are not valid JSON are masked too.
func maskBody(body []byte) []byte {
	if !mayHoldSecrets(body) {
		return body
	}
	var out []byte
	last := 0          // body[:last] is already in out
	sensitive := false // the next value belongs to a sensitive key
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			end := stringEnd(body, i)
			if end < 0 {
				end = len(body) // unterminated: the rest is the string
			}
			raw := body[i+1 : end]
			if end < len(body) && nextNonSpace(body, end+1) == ':' {
				sensitive = isSensitiveKey(raw)
				i = end
				continue
			}
			if sensitive || isToken(raw) {
				out = append(append(out, body[last:i+1]...), mask(string(raw))...)
				last = end
			}
			sensitive, i = false, end
		case sensitive && c != ':' && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			// A sensitive key whose value is not a string: hide it whole.
			j := i
			for j < len(body) && strings.IndexByte(",}] \t\n\r", body[j]) < 0 {
				j++
			}
			if c != '{' && c != '[' {
				out = append(append(out, body[last:i]...), `"…"`...)
				last, i = j, j-1
			}
			sensitive = false
		}
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// mayHoldSecrets is a quick check that spares most bodies the scan.
func mayHoldSecrets(body []byte) bool {
	for _, s := range secretMarkers {
		if bytes.Contains(body, s) {
			return true
		}
	}
	return false
}

// stringEnd returns the index of the quote closing the JSON string that
// opens at body[start], or -1 if it is not closed.
func stringEnd(body []byte, start int) int {
	for j := start + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// nextNonSpace returns the first byte at or after i that is not JSON
// whitespace, or 0.
func nextNonSpace(body []byte, i int) byte {
	for ; i < len(body); i++ {
		if c := body[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

func isSensitiveKey(k []byte) bool {
	switch string(k) {
	case "secret", "access_token", "new_access_token", "public_token":
		return true
	}
	return false
}

// isToken reports whether s is an access or public token.
func isToken(s []byte) bool {
	return bytes.HasPrefix(s, []byte("access-")) || bytes.HasPrefix(s, []byte("public-"))
}
