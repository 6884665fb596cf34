// Package testwait bounds a test's waits by the test's own deadline instead
// of a fixed wall-clock budget. A loaded machine makes a test slow, never
// failed: only a hang fails it, shortly before go test's -timeout would kill
// the whole binary, and then with a message that says what the test was
// waiting for and what it saw last.
package testwait

import (
	"context"
	"errors"
	"testing"
	"time"
)

// NoDeadline is the budget of a test run without a deadline (-timeout 0).
const NoDeadline = 10 * time.Minute

// minMargin is the least time kept back from the deadline for the test to
// report its failure and clean up.
const minMargin = 5 * time.Second

// deadliner is *testing.T (benchmarks and fuzz targets have no deadline).
type deadliner interface {
	Deadline() (time.Time, bool)
}

// Budget returns how long t may still wait for something that must
// happen: the time left until the test binary's deadline (go test
// -timeout, 10m by default), less a tenth of it (at least 5s) for the test
// to report and clean up. Without a deadline it is NoDeadline.
func Budget(t testing.TB) time.Duration {
	d, ok := t.(deadliner)
	if !ok {
		return NoDeadline
	}
	deadline, ok := d.Deadline()
	if !ok {
		return NoDeadline
	}
	return budget(time.Until(deadline))
}

// budget is what Budget leaves of the time left.
func budget(left time.Duration) time.Duration {
	margin := max(left/10, minMargin)
	if left <= 2*margin {
		return max(left/2, time.Millisecond) // nearly out of time: still report
	}
	return left - margin
}

// ErrBudget is the cause of a Context that ran out of budget.
var ErrBudget = errors.New("the test's wait budget ran out (its deadline is near: something hangs)")

// Context returns a context that ends when the Budget runs out (with the
// cause ErrBudget) or when the test ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeoutCause(context.Background(), Budget(t), ErrBudget)
	t.Cleanup(cancel)
	return ctx
}

// Timer returns a channel that receives when the Budget runs out, and a
// description of the budget for failure messages.
func Timer(t testing.TB) (<-chan time.Time, string) {
	b := Budget(t)
	return time.After(b), "after " + b.Round(time.Second).String()
}

// Recv waits for a value from ch and returns it, with ok false when ch was
// closed. When the budget runs out it fails the test, saying it waited for
// what.
func Recv[T any](t testing.TB, ch <-chan T, what string) (v T, ok bool) {
	t.Helper()
	timeout, after := Timer(t)
	select {
	case v, ok = <-ch:
		return v, ok
	case <-timeout:
		t.Fatalf("gave up %s waiting for %s", after, what)
	}
	return v, false
}

// Until calls cond every few milliseconds until it returns true. When the
// budget runs out it fails the test, saying it waited for what and what
// cond reported last.
func Until(t testing.TB, what string, cond func() (done bool, last string)) {
	t.Helper()
	timeout, after := Timer(t)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		done, last := cond()
		if done {
			return
		}
		select {
		case <-timeout:
			t.Fatalf("gave up %s waiting for %s; last seen: %s", after, what, last)
		case <-tick.C:
		}
	}
}
