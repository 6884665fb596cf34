package flows

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Sampling of refused requests. Anyone who can reach the callback server
// (any web page in the user's browser, any local process) can send it
// refused requests as fast as it likes, so each refusal cannot be a row in
// the session log and a line on the terminal: per reason (the answer's
// status and the report kind), the first refusalsInFull of each window are
// reported one by one, and the rest are counted and reported as one
// summary when the window ends (and when the server closes).
const (
	// DefaultRefusalWindow is the sampling window of refused requests.
	DefaultRefusalWindow = time.Minute
	// refusalsInFull is how many refusals per reason and window are
	// reported one by one.
	refusalsInFull = 5
)

// refusalKey is the reason of a refusal: a bounded set (the statuses the
// server answers with times the report kinds it knows), so that an
// attacker cannot make every refusal a new reason.
type refusalKey struct {
	status int
	kind   string
}

// refusalWindow is one reason's current window.
type refusalWindow struct {
	start       time.Time
	inFull      int
	suppressed  int
	first, last time.Time // of the suppressed ones
	example     string    // the reason of the last suppressed one
	timer       *time.Timer
}

// refusalSampler decides which refusals are reported in full and sums up
// the rest. report receives both; it is called without the lock held, from
// the request's goroutine or from a timer's.
type refusalSampler struct {
	window time.Duration
	report func(PageEvent)

	mu      sync.Mutex
	windows map[refusalKey]*refusalWindow
	total   uint64
	closed  bool
}

func newRefusalSampler(window time.Duration, report func(PageEvent)) *refusalSampler {
	if window <= 0 {
		window = DefaultRefusalWindow
	}
	return &refusalSampler{window: window, report: report, windows: map[refusalKey]*refusalWindow{}}
}

// refused counts one refusal and reports it when it is among the first of
// its reason in the window.
func (rs *refusalSampler) refused(ev PageEvent, status int) {
	key := refusalKey{status, ev.Kind}
	rs.mu.Lock()
	rs.total++
	w := rs.windows[key]
	var summary *PageEvent
	if w != nil && ev.Time.Sub(w.start) >= rs.window {
		// The window is over and its timer has not fired yet.
		summary = rs.endLocked(key, w)
		w = nil
	}
	if w == nil {
		w = &refusalWindow{start: ev.Time}
		rs.windows[key] = w
	}
	full := w.inFull < refusalsInFull || rs.closed
	if full {
		w.inFull++
	} else {
		if w.suppressed == 0 {
			w.first = ev.Time
			w.timer = time.AfterFunc(max(time.Until(w.start.Add(rs.window)), 0), func() { rs.flush(key, w) })
		}
		w.suppressed++
		w.last = ev.Time
		w.example = ev.RejectReason
	}
	rs.mu.Unlock()
	if summary != nil {
		rs.report(*summary)
	}
	if full {
		rs.report(ev)
	}
}

// flush ends a window when its time is up.
func (rs *refusalSampler) flush(key refusalKey, w *refusalWindow) {
	rs.mu.Lock()
	var summary *PageEvent
	if rs.windows[key] == w {
		summary = rs.endLocked(key, w)
	}
	rs.mu.Unlock()
	if summary != nil {
		rs.report(*summary)
	}
}

// endLocked removes a window and returns its summary, nil when nothing was
// suppressed in it.
func (rs *refusalSampler) endLocked(key refusalKey, w *refusalWindow) *PageEvent {
	delete(rs.windows, key)
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.suppressed == 0 {
		return nil
	}
	return &PageEvent{
		Kind:     key.kind,
		Time:     w.last,
		Rejected: true,
		Refused:  w.suppressed,
		RejectReason: fmt.Sprintf("%d more requests refused between %s and %s, not recorded one by one; the last: %s",
			w.suppressed, w.first.Format("15:04:05.000"), w.last.Format("15:04:05.000"), w.example),
	}
}

// close reports what every open window suppressed; later refusals are
// reported one by one (a closed server answers none).
func (rs *refusalSampler) close() {
	rs.mu.Lock()
	rs.closed = true
	keys := make([]refusalKey, 0, len(rs.windows))
	for k := range rs.windows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].status != keys[j].status {
			return keys[i].status < keys[j].status
		}
		return keys[i].kind < keys[j].kind
	})
	var summaries []PageEvent
	for _, k := range keys {
		if s := rs.endLocked(k, rs.windows[k]); s != nil {
			summaries = append(summaries, *s)
		}
	}
	rs.mu.Unlock()
	for _, s := range summaries {
		rs.report(s)
	}
}

// Refused returns how many requests the server has refused so far.
func (c *CallbackServer) Refused() uint64 {
	c.refusals.mu.Lock()
	defer c.refusals.mu.Unlock()
	return c.refusals.total
}
