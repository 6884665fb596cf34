package testwait

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestBudgetKeepsAMargin(t *testing.T) {
	for left, want := range map[time.Duration]time.Duration{
		10 * time.Minute: 9 * time.Minute,
		time.Minute:      54 * time.Second,
		20 * time.Second: 15 * time.Second,
		6 * time.Second:  3 * time.Second,
		0:                time.Millisecond,
	} {
		if got := budget(left); got != want {
			t.Errorf("budget(%s) = %s, want %s", left, got, want)
		}
	}
	if d, ok := t.Deadline(); ok {
		if b := Budget(t); b <= 0 || b >= time.Until(d) {
			t.Errorf("Budget %s is not within the %s left", b, time.Until(d))
		}
	}
}

func TestRecvAndUntil(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	if v, ok := Recv(t, ch, "a value"); v != 7 || !ok {
		t.Errorf("Recv = %d, %v", v, ok)
	}
	close(ch)
	if _, ok := Recv(t, ch, "the close"); ok {
		t.Error("Recv on a closed channel: ok")
	}
	n := 0
	Until(t, "three calls", func() (bool, string) { n++; return n == 3, "" })
	if n != 3 {
		t.Errorf("cond called %d times", n)
	}
	ctx := Context(t)
	if _, ok := ctx.Deadline(); !ok || ctx.Err() != nil {
		t.Errorf("Context: %v", ctx.Err())
	}
}

// TestAHangFailsWithAMessage runs TestHangHelper in a child process with a
// 3 s deadline: the waits give up before go test's own timeout panics, and
// the failures say what they waited for.
func TestAHangFailsWithAMessage(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHangHelper$", "-test.v", "-test.timeout=3s")
	cmd.Env = append(os.Environ(), "TESTWAIT_HELPER=1")
	out, err := cmd.CombinedOutput()
	s := string(out)
	for _, want := range []string{
		"waiting for a value that never comes",
		"waiting for a condition that never holds; last seen: still false",
		"context: " + ErrBudget.Error(),
		"gave up after ",
		"--- FAIL: TestHangHelper",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if err == nil || strings.Contains(s, "panic: test timed out") {
		t.Errorf("the child must fail by itself, before its deadline (%v):\n%s", err, s)
	}
}

func TestHangHelper(t *testing.T) {
	if os.Getenv("TESTWAIT_HELPER") == "" {
		t.Skip("run by TestAHangFailsWithAMessage")
	}
	t.Run("recv", func(t *testing.T) { Recv(t, make(chan int), "a value that never comes") })
	t.Run("until", func(t *testing.T) {
		Until(t, "a condition that never holds", func() (bool, string) { return false, "still false" })
	})
	t.Run("context", func(t *testing.T) {
		ctx := Context(t)
		<-ctx.Done()
		if errors.Is(context.Cause(ctx), ErrBudget) {
			t.Errorf("context: %v", context.Cause(ctx)) // the failure the parent looks for
		}
	})
}
