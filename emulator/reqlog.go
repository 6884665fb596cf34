package emulator

import (
	"bytes"
	"encoding/json"
	"regexp"
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

// sensitiveKeys are the JSON keys whose values are never kept in full.
var sensitiveKeys = map[string]bool{
	"secret": true, "access_token": true, "new_access_token": true, "public_token": true,
}

// sensitiveText finds sensitive values in a body that is not valid JSON,
// and bare access and public tokens anywhere.
var sensitiveText = regexp.MustCompile(`("(?:secret|access_token|new_access_token|public_token)"\s*:\s*")([^"]*)"|\b(?:access|public)-[a-z]+-[0-9a-fA-F-]{36}\b`)

// maskBody returns body with the values of sensitiveKeys masked.
func maskBody(body []byte) []byte {
	if !mayHoldSecrets(body) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return maskText(body)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(maskValue(v, false)) != nil {
		return maskText(body)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// secretMarkers are substrings of every body maskBody may change.
var secretMarkers = [][]byte{[]byte(`"secret"`), []byte("access_token"), []byte("public_token"), []byte("access-"), []byte("public-")}

// mayHoldSecrets is a quick check that spares most bodies a full parse.
func mayHoldSecrets(body []byte) bool {
	for _, s := range secretMarkers {
		if bytes.Contains(body, s) {
			return true
		}
	}
	return false
}

// maskValue masks sensitive values in a decoded JSON value.
func maskValue(v any, sensitive bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = maskValue(val, sensitiveKeys[k])
		}
	case []any:
		for i, val := range x {
			x[i] = maskValue(val, sensitive)
		}
	case string:
		if sensitive || tokenKind(x) == kindAccess || tokenKind(x) == kindPublic {
			return mask(x)
		}
	}
	return v
}

// maskText masks sensitive values in a body that is not valid JSON.
func maskText(body []byte) []byte {
	return sensitiveText.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := sensitiveText.FindSubmatch(m)
		if sub[1] != nil {
			return append(append(bytes.Clone(sub[1]), mask(string(sub[2]))...), '"')
		}
		return []byte(mask(string(m)))
	})
}
