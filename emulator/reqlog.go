package emulator

import (
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

	// The bodies as sent and answered. They hold secrets and tokens, and
	// leave the emulator only through newRequestDetail, which masks them.
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

// add appends an entry. Its bodies are kept as they are and masked when
// shown (newRequestDetail): most are never shown, and masking every one on
// the way in cost a tenth of the emulator's work per request.
func (l *requestLog) add(e requestEntry, reqBody, respBody []byte) {
	e.reqBody, e.respBody = reqBody, respBody
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

// listQuery says which entries list returns.
type listQuery struct {
	since        uint64
	limit        int
	path         string // only this path, any when empty
	notClientID  string // leave out the requests made with this client_id
	bodies       bool   // the answer will carry the bodies: bound their bytes
	maxBodyBytes int    // with bodies, stop after this many bytes (at least one entry)
}

// list returns up to q.limit entries after seq q.since, oldest first, that
// match q, the seq to pass as since next time, and whether entries remain
// after it.
func (l *requestLog) list(q listQuery) ([]requestEntry, uint64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []requestEntry{}
	next := max(q.since, l.oldest()-1)
	bytes := 0
	for seq := next + 1; seq <= l.last && len(out) < q.limit; seq++ {
		e := l.ring[(seq-1)%uint64(len(l.ring))]
		if q.bodies && len(out) > 0 && bytes+len(e.reqBody)+len(e.respBody) > q.maxBodyBytes {
			break
		}
		next = seq
		if (q.path == "" || e.Path == q.path) && (q.notClientID == "" || e.ClientID != q.notClientID) {
			out = append(out, e)
			bytes += len(e.reqBody) + len(e.respBody)
		}
	}
	return out, next, next < l.last
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
