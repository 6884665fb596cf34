package emulator

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

const (
	// accessLogQueue is how many request lines may wait for the writer;
	// past it lines are dropped (and counted) rather than slowing requests.
	accessLogQueue = 8192
	// accessLogDelay is how long the writer lets lines gather before it
	// writes them: under load one wake-up serves hundreds of requests
	// instead of one wake-up (a futex call or two) per request.
	accessLogDelay = 20 * time.Millisecond
	// accessLogPerSecond is how many request lines a second are written;
	// past it (a load test, not a person) the lines of that second are
	// counted and summed up in one line, since formatting and writing a line
	// would cost as much as serving the request. Every request stays in the
	// request log of the control API (GET /__emulator/requests).
	accessLogPerSecond = 200
)

// accessLog writes one line per Plaid API request ("msg=request ...") from
// a goroutine of its own, in batches, so formatting and writing the line
// stay off the request's path. Nothing is queued, and no goroutine runs,
// when the logger discards Info lines.
type accessLog struct {
	logger  *slog.Logger
	enabled bool
	kick    chan struct{}
	done    chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond // signalled when a batch is written
	pending []accessLine
	spare   []accessLine
	queued  uint64 // lines queued so far
	written uint64 // lines written (or given up) so far
	dropped int
	closed  bool
	// The current one-second window of the per-second limit, how many
	// lines it wrote and how many it skipped.
	window           time.Time
	inWindow         int
	skipped          int
	skippedToReport  int
	skippedSinceTime time.Time
}

type accessLine struct {
	method, path, requestID, errorCode string
	status                             int
	d                                  time.Duration
}

func newAccessLog(log *slog.Logger) *accessLog {
	a := &accessLog{logger: log, enabled: log.Enabled(context.Background(), slog.LevelInfo),
		kick: make(chan struct{}, 1), done: make(chan struct{})}
	a.cond = sync.NewCond(&a.mu)
	if !a.enabled {
		close(a.done)
		return a
	}
	go a.run()
	return a
}

// log queues the line of one request.
func (a *accessLog) log(e requestEntry, d time.Duration) {
	if !a.enabled {
		return
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	now := time.Now()
	if now.Sub(a.window) >= time.Second {
		if a.skipped > 0 {
			a.skippedToReport += a.skipped
			a.skipped = 0
			a.wakeLocked()
		}
		a.window, a.inWindow = now, 0
	}
	if a.inWindow >= accessLogPerSecond {
		if a.skipped == 0 && a.skippedToReport == 0 {
			a.skippedSinceTime = now
		}
		a.skipped++
		a.mu.Unlock()
		return
	}
	a.inWindow++
	if len(a.pending) >= accessLogQueue {
		a.dropped++
		a.mu.Unlock()
		return
	}
	a.pending = append(a.pending, accessLine{method: e.Method, path: e.Path, requestID: e.RequestID, errorCode: e.ErrorCode, status: e.Status, d: d})
	a.queued++
	first := len(a.pending) == 1
	a.mu.Unlock()
	if first {
		a.wake()
	}
}

// wakeLocked wakes the writer (a.mu held; waking never blocks).
func (a *accessLog) wakeLocked() { a.wake() }

func (a *accessLog) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

func (a *accessLog) run() {
	defer close(a.done)
	ctx := context.Background()
	for range a.kick {
		a.mu.Lock()
		closing := a.closed
		a.mu.Unlock()
		if !closing {
			time.Sleep(accessLogDelay)
		}
		a.mu.Lock()
		if a.skipped > 0 && (a.closed || time.Since(a.window) >= time.Second) {
			a.skippedToReport += a.skipped
			a.skipped = 0
		}
		batch, dropped := a.pending, a.dropped
		a.pending, a.spare, a.dropped = a.spare[:0], nil, 0
		closing = a.closed
		skipped, since := a.skippedToReport, a.skippedSinceTime
		a.skippedToReport = 0
		a.mu.Unlock()
		for _, l := range batch {
			a.logger.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", l.method), slog.String("path", l.path),
				slog.Int("status", l.status), slog.String("request_id", l.requestID),
				slog.String("error_code", l.errorCode), slog.Duration("duration", l.d))
		}
		if dropped > 0 {
			a.logger.Warn("request lines dropped: the log could not keep up", "lines", dropped)
		}
		if skipped > 0 {
			a.logger.Info("requests served without a line of their own: more than 200 a second", "requests", skipped,
				"since", since.Format(time.TimeOnly), "see", "GET /__emulator/requests")
		}
		clear(batch)
		a.mu.Lock()
		a.written += uint64(len(batch))
		a.spare = batch[:0]
		more := len(a.pending) > 0
		if a.skipped > 0 && !a.closed {
			// Sum the window up when it ends, even if no request comes.
			time.AfterFunc(time.Until(a.window.Add(time.Second)), a.wake)
		}
		a.cond.Broadcast()
		a.mu.Unlock()
		if closing && !more {
			return
		}
		if more || closing {
			a.wake()
		}
	}
}

// flush waits up to timeout for the lines queued so far to be written.
func (a *accessLog) flush(timeout time.Duration) {
	if !a.enabled {
		return
	}
	timer := time.AfterFunc(timeout, func() {
		a.mu.Lock()
		a.cond.Broadcast()
		a.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(timeout)
	a.mu.Lock()
	defer a.mu.Unlock()
	target := a.queued
	for a.written < target && time.Now().Before(deadline) {
		a.wake()
		a.cond.Wait()
	}
}

// close writes the queued lines (for up to timeout) and stops the writer.
func (a *accessLog) close(timeout time.Duration) {
	if !a.enabled {
		return
	}
	a.mu.Lock()
	already := a.closed
	a.closed = true
	a.mu.Unlock()
	if !already {
		a.wake()
	}
	select {
	case <-a.done:
	case <-time.After(timeout):
	}
}
