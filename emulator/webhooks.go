package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

const (
	webhookQueueSize    = 1024
	webhookWorkers      = 4
	webhookLogSize      = 1000
	webhookDrainTimeout = 2 * time.Second
)

// webhookRetryDelays are the waits before the second and third attempts
// at a delivery that failed (no answer or a non-2xx status).
var webhookRetryDelays = []time.Duration{time.Second, 4 * time.Second}

// webhookJob is one webhook to deliver.
type webhookJob struct {
	url, typ, code, itemID string
	body                   []byte
	epoch                  uint64 // the dispatcher's epoch when queued; a reset starts a new one
}

// delivery is one attempt at delivering a webhook, as the control API
// lists it.
type delivery struct {
	Time        time.Time `json:"time"`
	URL         string    `json:"url"`
	WebhookType string    `json:"webhook_type"`
	WebhookCode string    `json:"webhook_code"`
	ItemID      string    `json:"item_id"`
	Status      int       `json:"status"` // HTTP status; 0 when none came back
	Error       string    `json:"error"`
	Attempt     int       `json:"attempt"`
}

// dispatcher delivers webhooks asynchronously from a bounded queue and
// keeps a log of the outcomes. Nothing that queues a webhook ever waits
// for its delivery.
type dispatcher struct {
	client *http.Client
	now    func() time.Time
	log    *slog.Logger
	// sign returns the Plaid-Verification JWT of a body; nil sends none.
	// It is set before the first webhook is queued.
	sign func(body []byte) (string, error)

	queue  chan webhookJob
	quit   chan struct{}
	closed atomic.Bool
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	deliveries []delivery // oldest first, at most webhookLogSize
	// epoch counts resets: a webhook queued or in flight when the state
	// was reset belongs to Items that no longer exist, so it is neither
	// sent nor recorded afterwards.
	epoch atomic.Uint64
}

func newDispatcher(client *http.Client, now func() time.Time, log *slog.Logger) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	d := &dispatcher{
		client: client, now: now, log: log,
		queue: make(chan webhookJob, webhookQueueSize),
		quit:  make(chan struct{}),
		ctx:   ctx, cancel: cancel,
	}
	for range webhookWorkers {
		d.wg.Add(1)
		go d.work()
	}
	return d
}

// send queues a webhook. When the queue is full or the emulator is
// closing, the webhook is dropped and the drop is recorded.
func (d *dispatcher) send(url, typ, code, itemID string, body map[string]any) {
	data, err := json.Marshal(body)
	job := webhookJob{url: url, typ: typ, code: code, itemID: itemID, body: data, epoch: d.epoch.Load()}
	switch {
	case err != nil:
		d.record(job, 1, 0, "encoding the webhook failed: "+err.Error())
	case d.closed.Load():
		d.record(job, 1, 0, "not sent: the emulator is shutting down")
	default:
		select {
		case d.queue <- job:
		default:
			d.record(job, 1, 0, fmt.Sprintf("dropped: more than %d webhooks are waiting; is the receiver slow or down?", webhookQueueSize))
		}
	}
}

func (d *dispatcher) work() {
	defer d.wg.Done()
	for {
		select {
		case job := <-d.queue:
			d.deliver(job)
		case <-d.quit:
			for {
				select {
				case job := <-d.queue:
					d.deliver(job)
				default:
					return
				}
			}
		}
	}
}

// deliver POSTs one webhook, retrying after failures unless the
// dispatcher is closing.
func (d *dispatcher) deliver(job webhookJob) {
	for attempt := 1; ; attempt++ {
		if job.epoch != d.epoch.Load() {
			return // queued before a reset: its Item is gone
		}
		status, err := d.post(job)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		d.record(job, attempt, status, msg)
		if err == nil || attempt > len(webhookRetryDelays) {
			return
		}
		select {
		case <-time.After(webhookRetryDelays[attempt-1]):
		case <-d.quit: // no retries while shutting down
			return
		}
	}
}

func (d *dispatcher) post(job webhookJob) (int, error) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, job.url, bytes.NewReader(job.body))
	if err != nil {
		return 0, fmt.Errorf("the webhook URL cannot be requested: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "linkexplorer-emulator (Plaid Sandbox webhooks)")
	if d.sign != nil {
		// Signed at each attempt, as the JWT's iat is checked for freshness.
		jwt, err := d.sign(job.body)
		if err != nil {
			return 0, fmt.Errorf("signing the webhook failed: %w", err)
		}
		req.Header.Set("Plaid-Verification", jwt)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("no answer from the receiver: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s; Plaid expects a 2xx", resp.Status)
	}
	return resp.StatusCode, nil
}

func (d *dispatcher) record(job webhookJob, attempt, status int, errMsg string) {
	dl := delivery{
		Time: d.now(), URL: job.url, WebhookType: job.typ, WebhookCode: job.code,
		ItemID: job.itemID, Status: status, Error: errMsg, Attempt: attempt,
	}
	d.mu.Lock()
	if job.epoch != d.epoch.Load() {
		d.mu.Unlock() // finished after a reset: not part of the new state's log
		return
	}
	if len(d.deliveries) == webhookLogSize {
		d.deliveries = append(d.deliveries[:0], d.deliveries[1:]...)
	}
	d.deliveries = append(d.deliveries, dl)
	d.mu.Unlock()
	level := slog.LevelInfo
	if errMsg != "" {
		level = slog.LevelWarn
	}
	d.log.LogAttrs(context.Background(), level, "webhook",
		slog.String("url", job.url), slog.String("webhook_type", job.typ), slog.String("webhook_code", job.code),
		slog.String("item_id", job.itemID), slog.Int("status", status), slog.Int("attempt", attempt),
		slog.String("error", errMsg))
}

// list returns the delivery log, oldest first.
func (d *dispatcher) list() []delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]delivery{}, d.deliveries...)
}

// reset clears the delivery log and forgets webhooks queued or in flight.
func (d *dispatcher) reset() {
	d.mu.Lock()
	d.epoch.Add(1)
	d.deliveries = nil
	d.mu.Unlock()
}

// close stops taking webhooks, lets the queued ones go out for up to
// timeout, then abandons the rest.
func (d *dispatcher) close(timeout time.Duration) {
	if d.closed.Swap(true) {
		return
	}
	close(d.quit)
	drained := make(chan struct{})
	go func() { d.wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(timeout):
		d.cancel()
		<-drained
	}
	d.cancel()
}
