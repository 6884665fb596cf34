package emulator

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// accessLogQueue is how many request lines may wait for the writer; past
// it lines are dropped (and counted) rather than slowing requests down.
const accessLogQueue = 4096

// accessLog writes one line per Plaid API request ("msg=request ...") from
// a goroutine of its own, so that formatting and writing the line (a
// system call per line on stderr) stays off the request's path. Nothing is
// queued when the logger discards Info lines.
type accessLog struct {
	logger  *slog.Logger
	enabled bool
	lines   chan accessLine
	done    chan struct{}

	mu      sync.Mutex
	dropped int
	closed  bool
}

type accessLine struct {
	method, path, requestID, errorCode string
	status                             int
	d                                  time.Duration
	// flushed, when set, marks a flush: it is closed once every line
	// queued before it is written.
	flushed chan struct{}
}

func newAccessLog(log *slog.Logger) *accessLog {
	a := &accessLog{logger: log, enabled: log.Enabled(context.Background(), slog.LevelInfo), done: make(chan struct{})}
	if !a.enabled {
		close(a.done)
		return a
	}
	a.lines = make(chan accessLine, accessLogQueue)
	go a.run()
	return a
}

func (a *accessLog) log(e requestEntry, d time.Duration) {
	if !a.enabled {
		return
	}
	l := accessLine{method: e.Method, path: e.Path, requestID: e.RequestID, errorCode: e.ErrorCode, status: e.Status, d: d}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	select {
	case a.lines <- l:
	default:
		a.dropped++
	}
}

func (a *accessLog) run() {
	defer close(a.done)
	ctx := context.Background()
	for l := range a.lines {
		if l.flushed != nil {
			a.reportDropped()
			close(l.flushed)
			continue
		}
		a.logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", l.method), slog.String("path", l.path),
			slog.Int("status", l.status), slog.String("request_id", l.requestID),
			slog.String("error_code", l.errorCode), slog.Duration("duration", l.d))
		if len(a.lines) == 0 {
			a.reportDropped()
		}
	}
	a.reportDropped()
}

func (a *accessLog) reportDropped() {
	a.mu.Lock()
	n := a.dropped
	a.dropped = 0
	a.mu.Unlock()
	if n > 0 {
		a.logger.Warn("request lines dropped: the log could not keep up", "lines", n)
	}
}

// flush waits up to timeout for the lines queued so far to be written.
func (a *accessLog) flush(timeout time.Duration) {
	a.mu.Lock()
	if a.closed || !a.enabled {
		a.mu.Unlock()
		return
	}
	marker := accessLine{flushed: make(chan struct{})}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case a.lines <- marker:
	case <-timer.C:
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	select {
	case <-marker.flushed:
	case <-timer.C:
	}
}

// close writes the queued lines and stops the writer.
func (a *accessLog) close(timeout time.Duration) {
	a.mu.Lock()
	if a.closed || !a.enabled {
		a.mu.Unlock()
		return
	}
	a.closed = true
	close(a.lines)
	a.mu.Unlock()
	select {
	case <-a.done:
	case <-time.After(timeout):
	}
}
