package flows

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// LinkSession is one Link session's page on the callback server, and the
// stream of what that page reports.
type LinkSession struct {
	srv     *CallbackServer
	id      string
	state   string
	purpose string

	wake chan struct{}
	done chan struct{}
	out  chan PageEvent

	// accept is held while reports are checked for duplicates, recorded
	// and queued, so a batch is applied whole and in order relative to a
	// request still in flight from the same page. seen holds every
	// (page load, seq) accepted; it is bounded by maxSessionEvents.
	accept sync.Mutex
	seen   map[reportID]bool

	mu       sync.Mutex
	mistake  bool
	queue    []PageEvent
	events   int
	tokens   int
	shutOnce sync.Once
}

// URL is the session's page: http://127.0.0.1:PORT/link/<128-bit id>.
func (s *LinkSession) URL() string { return s.srv.base + "/link/" + s.id }

// SetOAuthMistake makes the page, back from an OAuth redirect, re-initialize
// Link without receivedRedirectUri (the classic mistake), see Link start
// over, and then recover by re-initializing it properly.
func (s *LinkSession) SetOAuthMistake(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mistake = on
}

// OAuthMistake reports whether SetOAuthMistake is on.
func (s *LinkSession) OAuthMistake() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mistake
}

// Purpose is the description given to NewSession.
func (s *LinkSession) Purpose() string { return s.purpose }

// Events delivers each accepted report, in the order received, as soon as
// it arrives. It is closed when the session is closed. Wait reads from it
// too: use one or the other.
func (s *LinkSession) Events() <-chan PageEvent { return s.out }

// Close ends the session: its page stops answering and Events is closed.
func (s *LinkSession) Close() {
	s.srv.forget(s.id)
	s.shutdown()
}

func (s *LinkSession) shutdown() { s.shutOnce.Do(func() { close(s.done) }) }

func (s *LinkSession) stateMatches(state string) bool {
	return subtle.ConstantTimeCompare([]byte(state), []byte(s.state)) == 1
}

func (s *LinkSession) allowTokenRequest() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens++
	return s.tokens <= maxTokenRequests
}

// reportID identifies a report by its page load and sequence number.
type reportID struct {
	page string
	seq  int64
}

// fresh returns the events not yet accepted, in order: a report whose
// (page load, seq) was accepted before, or appears earlier in evs, is
// dropped. Reports without a seq are always fresh. The caller holds accept.
func (s *LinkSession) fresh(evs []PageEvent) []PageEvent {
	out := make([]PageEvent, 0, len(evs))
	batch := map[reportID]bool{}
	for _, ev := range evs {
		if ev.PageLoad != "" {
			id := reportID{ev.PageLoad, ev.Seq}
			if s.seen[id] || batch[id] {
				continue
			}
			batch[id] = true
		}
		out = append(out, ev)
	}
	return out
}

// accepted marks ev as accepted, so a copy of it is dropped later. The
// caller holds accept.
func (s *LinkSession) accepted(ev PageEvent) {
	if ev.PageLoad == "" {
		return
	}
	if s.seen == nil {
		s.seen = map[reportID]bool{}
	}
	s.seen[reportID{ev.PageLoad, ev.Seq}] = true
}

// admit counts n reports against the session's event budget; false, and
// none counted, when they would take the session over it.
func (s *LinkSession) admit(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events+n > maxSessionEvents {
		return false
	}
	s.events += n
	return true
}

// enqueue queues an admitted event for Events.
func (s *LinkSession) enqueue(ev PageEvent) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pump moves queued events to the Events channel, so that the HTTP handler
// never blocks on a slow reader and order is kept.
func (s *LinkSession) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		ev := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}

// ErrWaitTimeout is wrapped by Wait's error when the wait timed out.
var ErrWaitTimeout = errors.New("timed out waiting for Link")

// Wait returns the first event for which pred returns true (nil pred: the
// first event). pred sees every event in order, so it can also record them.
// Wait gives up after the server's WaitTimeout, when ctx is done, or when
// the session closes; its error says where the page still is.
func (s *LinkSession) Wait(ctx context.Context, pred func(PageEvent) bool) (PageEvent, error) {
	timeout := s.srv.opts.WaitTimeout
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrWaitTimeout)
	defer cancel()
	for {
		select {
		case ev, ok := <-s.out:
			if !ok {
				return PageEvent{}, errors.New("the Link session was closed before Link finished")
			}
			if pred == nil || pred(ev) {
				return ev, nil
			}
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), ErrWaitTimeout) {
				return PageEvent{}, fmt.Errorf("%w after %s; the page is still at %s", ErrWaitTimeout, shortDuration(timeout), s.URL())
			}
			return PageEvent{}, fmt.Errorf("stopped waiting for Link (%w); the page is still at %s", context.Cause(ctx), s.URL())
		}
	}
}

// shortDuration prints 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// reportFields lists, per report kind, the fields besides state and kind
