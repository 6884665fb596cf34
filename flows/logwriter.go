package flows

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/linkexplorer/linkexplorer/store"
)

// Limits of the log writer.
const (
	// maxQueuedRecords bounds what waits to be written while the store is
	// slow; past it records are dropped (and the drop logged).
	maxQueuedRecords = 100000
	// writeBatch is how many records go into one transaction.
	writeBatch = 256
)

// logWriter records API calls, Link events and webhooks into the store in
// the background, so that recording never blocks a caller: add queues and
// returns, and one goroutine writes in batches.
type logWriter struct {
	st     *store.Store
	logger *slog.Logger

	wake    chan struct{}
	done    chan struct{}
	stopped chan struct{}

	mu       sync.Mutex
	queue    []store.Record
	added    uint64 // records accepted so far
	written  uint64 // records handled (written, or failed) so far
	progress chan struct{}
	err      error         // the first write error not yet reported by flush
	failed   []failedBatch // the latest failed batches, for addWait
	dropped  int
	stopOnce sync.Once
}

// failedBatch is a batch of records, numbered [from, to), whose write
// failed.
type failedBatch struct {
	from, to uint64
	err      error
}

// maxFailedBatches bounds the failed batches remembered for addWait.
const maxFailedBatches = 64

func newLogWriter(st *store.Store, logger *slog.Logger) *logWriter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	w := &logWriter{
		st: st, logger: logger,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		stopped:  make(chan struct{}),
		progress: make(chan struct{}),
	}
	go w.run()
	return w
}

// callRecord turns a recorded call into the store's APICall.
func callRecord(session string, c Call) store.APICall {
	msg := c.ErrorMessage
	if c.Err != nil {
		msg = cmp.Or(msg, c.Err.Error())
	}
	return store.APICall{
		SessionID: session, Time: c.Time, Method: c.Method, Endpoint: c.Endpoint,
		HTTPStatus: c.HTTPStatus, RequestID: c.RequestID, ErrorType: c.ErrorType,
		ErrorCode: c.ErrorCode, ErrorMessage: msg, Duration: c.Duration,
		Source: store.SourceLinkexplorer, RequestBody: c.RequestBody, ResponseBody: c.ResponseBody,
	}
}

// add queues a record; it never blocks.
func (w *logWriter) add(rec store.Record) { w.enqueue(rec) }

// enqueue queues a record and returns its number (1 for the first), 0 when
// the queue is full and the record was dropped.
func (w *logWriter) enqueue(rec store.Record) uint64 {
	w.mu.Lock()
	if len(w.queue) >= maxQueuedRecords {
		w.dropped++
		w.mu.Unlock()
		return 0
	}
	w.queue = append(w.queue, rec)
	w.added++
	seq := w.added
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return seq
}

// addWaitAll queues records, in order, and waits until they are committed
// to the session log (queued together, they share a transaction). It
// returns how many of them, from the first, were committed before the
// first that was not, and why that one was not. What it counts survives
// the process being killed.
func (w *logWriter) addWaitAll(ctx context.Context, recs []store.Record) (int, error) {
	seqs := make([]uint64, 0, len(recs))
	for _, rec := range recs {
		seq := w.enqueue(rec)
		if seq == 0 { // the queue is full: this one and the rest are dropped
			break
		}
		seqs = append(seqs, seq)
	}
	for i, seq := range seqs {
		if err := w.wait(ctx, seq); err != nil {
			return i, err
		}
	}
	if len(seqs) < len(recs) {
		return len(seqs), fmt.Errorf("the session log is %d records behind", maxQueuedRecords)
	}
	return len(recs), nil
}

// wait waits until record number seq is handled, and returns its write
// error.
func (w *logWriter) wait(ctx context.Context, seq uint64) error {
	for {
		w.mu.Lock()
		if w.written >= seq {
			var err error
			for _, f := range w.failed {
				if seq > f.from && seq <= f.to {
					err = f.err
				}
			}
			w.mu.Unlock()
			return err
		}
		progress := w.progress
		w.mu.Unlock()
		select {
		case <-progress:
		case <-w.stopped:
			return fmt.Errorf("the session log writer stopped before writing the record")
		case <-ctx.Done():
			return fmt.Errorf("waiting for the session log: %w", ctx.Err())
		}
	}
}

func (w *logWriter) run() {
	defer close(w.stopped)
	for {
		w.mu.Lock()
		n := min(len(w.queue), writeBatch)
		batch := w.queue[:n:n]
		w.queue = w.queue[n:]
		w.mu.Unlock()
		if n == 0 {
			select {
			case <-w.wake:
				continue
			case <-w.done:
				return
			}
		}
		_, err := w.st.Add(context.Background(), batch...)
		w.mu.Lock()
		from := w.written
		w.written += uint64(n)
		if err != nil {
			w.logger.Warn("recording into the session log failed", "records", n, "err", err)
			w.err = cmp.Or(w.err, err)
			if len(w.failed) == maxFailedBatches {
				w.failed = w.failed[1:]
			}
			w.failed = append(w.failed, failedBatch{from: from, to: w.written, err: err})
		}
		close(w.progress)
		w.progress = make(chan struct{})
		w.mu.Unlock()
	}
}

// flush waits until every record queued before the call is written, and
// reports a write error (or drop) that happened since the last flush.
func (w *logWriter) flush(ctx context.Context) error {
	w.mu.Lock()
	target := w.added
	w.mu.Unlock()
	for {
		w.mu.Lock()
		if w.written >= target {
			err := w.err
			if w.dropped > 0 {
				err = cmp.Or(err, fmt.Errorf("the session log fell behind and dropped %d records", w.dropped))
			}
			w.err, w.dropped = nil, 0
			w.mu.Unlock()
			if err != nil {
				return fmt.Errorf("some entries are missing from the session log: %w", err)
			}
			return nil
		}
		progress := w.progress
		w.mu.Unlock()
		select {
		case <-progress:
		case <-w.stopped:
			return fmt.Errorf("the session log writer stopped before writing everything")
		case <-ctx.Done():
			return fmt.Errorf("waiting for the session log: %w", ctx.Err())
		}
	}
}

// close writes what is queued and stops the writer.
func (w *logWriter) close() error {
	err := w.flush(context.Background())
	w.stopOnce.Do(func() { close(w.done) })
	<-w.stopped
	return err
}
