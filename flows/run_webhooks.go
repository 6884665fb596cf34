package flows

import (
	"context"
	"errors"
	"slices"
	"time"
)

// The webhooks a run received. A run keeps one list, oldest first, and one
// wake-up: publishWebhook appends to the list and closes the arrival
// channel, and every step that waits for a webhook (the transactions
// lesson, the update-mode variants) waits through awaitWebhooks. The run
// report reads the same list.

// keepWebhook appends wh to the run's webhooks and wakes the waiters.
// r.mu must be held.
func (r *Run) keepWebhook(wh WebhookReceived) {
	r.webhooks = append(r.webhooks, wh)
	if r.webhookArrived != nil {
		close(r.webhookArrived)
		r.webhookArrived = nil
	}
}

// Webhooks are the webhooks received for the run so far, oldest first.
func (r *Run) Webhooks() []WebhookReceived {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.webhooks)
}

// webhookMark is where a wait starts looking: take it before the call that
// fires the webhook.
func (r *Run) webhookMark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.webhooks)
}

// errWebhookWait is what awaitWebhooks returns when its budget ran out;
// the caller says which webhook did not come and what to check.
var errWebhookWait = errors.New("webhook wait timed out")

// awaitWebhooks waits until done accepts the webhooks received since mark
// (oldest first), for at most budget. done runs under the run's lock and
// must not call back into the run. It returns ctx's error when ctx ends
// first and errWebhookWait when the budget does.
func (r *Run) awaitWebhooks(ctx context.Context, mark int, budget time.Duration, done func(since []WebhookReceived) bool) error {
	deadline := time.NewTimer(budget)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		if done(r.webhooks[min(mark, len(r.webhooks)):]) {
			r.mu.Unlock()
			return nil
		}
		if r.webhookArrived == nil {
			r.webhookArrived = make(chan struct{})
		}
		arrived := r.webhookArrived
		r.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return errWebhookWait
		}
	}
}
