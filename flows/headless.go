package flows

import (
	"context"
	"errors"
	"sync"

	"github.com/linkexplorer/linkexplorer/internal/headless"
)

// errBrowserClosed: the Env was closed, so no headless Chromium starts.
var errBrowserClosed = errors.New("linkexplorer is closing: no headless Chromium is started any more")

// headlessBrowser is the Env's one headless Chromium for --browser=auto.
// It is launched ahead of need (when a run that opens Link starts, so that
// Chromium's launch overlaps the link_token's creation), kept running so
// that every later Link page (a second flow, o) opens in a new tab in
// milliseconds, relaunched when it died, and closed, its temporary profile
// removed, by Env.Close.
type headlessBrowser struct {
	ctx    context.Context // bounds the browser's life; cancelled by close
	cancel context.CancelFunc
	start  func(context.Context) (*headless.Browser, error)

	mu      sync.Mutex
	b       *headless.Browser
	err     error         // the last launch's error
	ready   chan struct{} // closed when the last launch ended; nil before any
	closed  bool
	closing sync.WaitGroup // the launches in progress and the browsers being closed
}

// Prewarmed is a headless Chromium launched before the Env that will use
// it exists (EnvOptions.Prewarmed), by a command that knows from its flags
// that it runs a flow with --browser auto at once: Chromium's launch is
// the longest part of that flow, so it starts before the session log and
// the emulator are set up.
type Prewarmed struct{ h *headlessBrowser }

// PrewarmHeadless starts launching headless Chromium in the background.
// ctx bounds the browser's life. Give it to NewEnv, which takes it over,
// or Close it.
func PrewarmHeadless(ctx context.Context) *Prewarmed {
	p := &Prewarmed{newHeadlessBrowser(ctx)}
	p.h.prewarm()
	return p
}

// Close stops the browser (a launch in progress too) and removes its
// profile; for a Prewarmed no Env took over.
func (p *Prewarmed) Close() { p.h.close() }

func newHeadlessBrowser(ctx context.Context) *headlessBrowser {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &headlessBrowser{ctx: ctx, cancel: cancel, start: headless.Start}
}

// prewarm launches the browser in the background unless it is running or
// starting.
func (h *headlessBrowser) prewarm() { h.launch() }

// running reports whether the browser is up (a page opens without a
// launch).
func (h *headlessBrowser) running() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.b != nil && h.b.Alive()
}

// launch starts the browser unless it is running or starting, and returns
// the channel closed when the launch in progress (or the last one) ends.
func (h *headlessBrowser) launch() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	if h.ready != nil {
		select {
		case <-h.ready:
			if h.b != nil && h.b.Alive() {
				return h.ready
			}
		default:
			return h.ready // starting
		}
	}
	if old := h.b; old != nil { // it died: remove what it left
		h.b = nil
		h.closing.Add(1)
		go func() { defer h.closing.Done(); old.Close() }()
	}
	ready := make(chan struct{})
	h.ready, h.err = ready, nil
	h.closing.Add(1)
	go func() {
		defer h.closing.Done()
		b, err := h.start(h.ctx)
		h.mu.Lock()
		if h.closed && b != nil {
			b.Close()
			b, err = nil, errBrowserClosed
		}
		h.b, h.err = b, err
		h.mu.Unlock()
		close(ready)
	}()
	return ready
}

// get returns the running browser, launching it (again) when needed and
// waiting for the launch, or for ctx.
func (h *headlessBrowser) get(ctx context.Context) (*headless.Browser, error) {
	for {
		ready := h.launch()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		h.mu.Lock()
		b, err, closed := h.b, h.err, h.closed
		h.mu.Unlock()
		switch {
		case closed:
			return nil, errBrowserClosed
		case b != nil:
			return b, nil
		case err != nil:
			return nil, err
		}
		// Launched, then stopped (stop) before this caller got it:
		// launch again.
	}
}

// open opens url in a new tab of the browser; closeTab closes the tab.
func (h *headlessBrowser) open(ctx context.Context, url string) (closeTab func(), err error) {
	b, err := h.get(ctx)
	if err != nil {
		return nil, err
	}
	return b.Open(ctx, url)
}

// stop stops the running browser in the background, removing its profile;
// a later page launches a new one. A launch in progress is left to finish.
// close waits for the stop.
func (h *headlessBrowser) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.b == nil {
		return
	}
	b := h.b
	h.b, h.ready = nil, nil
	h.closing.Add(1)
	go func() { defer h.closing.Done(); b.Close() }()
}

// close stops the browser (a launch in progress too) and waits until its
// profile directory is removed.
func (h *headlessBrowser) close() {
	h.mu.Lock()
	h.closed = true
	b := h.b
	h.b = nil
	h.mu.Unlock()
	h.cancel() // a launch in progress gives up
	if b != nil {
		b.Close()
	}
	h.closing.Wait()
}
