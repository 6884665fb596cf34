package flows

import (
	"encoding/json"
	"sync"
	"time"
)

// WebhookReceived is a webhook delivered to linkexplorer's receiver on the
// callback server (offline: the emulator sends ITEM/ERROR after
// reset_login and ITEM/LOGIN_REPAIRED after an update-mode repair).
type WebhookReceived struct {
	Time        time.Time `json:"time"`
	WebhookType string    `json:"webhook_type"`
	WebhookCode string    `json:"webhook_code"`
	ItemID      string    `json:"item_id,omitempty"`
	ErrorCode   string    `json:"error_code,omitempty"`
	Signature   string    `json:"signature"` // the Plaid-Verification check: "verified (kid …)", "unsigned" or "invalid: …"
	// StatusEffect says what the webhook did to the Item's status: "Item
	// status set to …", or "Item status not changed (…): why" for an
	// unverified one; "" when it is not about an Item's status.
	StatusEffect string `json:"status_effect,omitempty"`
	// Step is the step of the run that caused it (the one that last acted
	// on its Item, see Run.webhookStep), or store.StepAfterRun.
	Step string          `json:"step"`
	Body json.RawMessage `json:"body,omitempty"` // masked
}

// maxQueuedMinor bounds the narration, call, Link and webhook events queued
// for a reader that has fallen behind; past it they are dropped. Step and
// waiting events are never dropped.
const maxQueuedMinor = 10000

// eventQueue delivers a run's events in order without ever blocking the
// runner: publish appends to an unbounded queue (bounded for minor events)
// and a pump goroutine feeds the channel.
type eventQueue struct {
	out  chan Event
	wake chan struct{}
	done chan struct{}
	gone chan struct{} // closed when the pump has exited

	mu       sync.Mutex
	queue    []Event
	minor    int
	stopOnce sync.Once
}

func newEventQueue() *eventQueue {
	q := &eventQueue{
		out:  make(chan Event, 64),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
		gone: make(chan struct{}),
	}
	go q.pump()
	return q
}

// essential events are never dropped.
func essential(k EventKind) bool {
	switch k {
	case EventStepStarted, EventStepFinished, EventWaiting, EventFinished:
		return true
	}
	return false
}

// publish queues ev; it never blocks.
func (q *eventQueue) publish(ev Event) {
	select {
	case <-q.done:
		return
	default:
	}
	q.mu.Lock()
	if !essential(ev.Kind) {
		if q.minor >= maxQueuedMinor {
			q.mu.Unlock()
			return
		}
		q.minor++
	}
	q.queue = append(q.queue, ev)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pump() {
	defer close(q.gone)
	defer close(q.out)
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.mu.Unlock()
			select {
			case <-q.wake:
				continue
			case <-q.done:
				return
			}
		}
		ev := q.queue[0]
		q.queue[0] = Event{}
		q.queue = q.queue[1:]
		if !essential(ev.Kind) {
			q.minor--
		}
		q.mu.Unlock()
		select {
		case q.out <- ev:
		case <-q.done:
			return
		}
	}
}

// stop drops what is still queued, closes the channel and waits for the
// pump to exit.
func (q *eventQueue) stop() {
	q.stopOnce.Do(func() { close(q.done) })
	<-q.gone
}
