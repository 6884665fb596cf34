package flows

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
	"github.com/linkexplorer/linkexplorer/store"
)

func TestEventQueueKeepsOrderAndNeverDropsStepResults(t *testing.T) {
	q := newEventQueue()
	defer q.stop()
	// Nobody reads while the run publishes far more than the minor-event
	// budget: publish must not block, and no step event may be lost.
	const steps = 50
	for i := range steps {
		q.publish(Event{Kind: EventStepStarted, Step: string(rune('a' + i%26))})
		for range maxQueuedMinor / 10 {
			q.publish(Event{Kind: EventLink})
		}
		q.publish(Event{Kind: EventStepFinished})
	}
	q.publish(Event{Kind: EventFinished})
	var started, finished, minor, done int
	timeout, after := testwait.Timer(t)
	for done == 0 {
		var ev Event
		select {
		case ev = <-q.out:
		case <-timeout:
			t.Fatalf("gave up %s waiting for EventFinished; read %d started, %d finished, %d minor events", after, started, finished, minor)
		}
		switch ev.Kind {
		case EventStepStarted:
			if started != finished {
				t.Fatal("events out of order")
			}
			started++
		case EventStepFinished:
			finished++
		case EventLink:
			minor++
		case EventFinished:
			done++
		}
	}
	if started != steps || finished != steps {
		t.Errorf("got %d started and %d finished events, want %d of each", started, finished, steps)
	}
	if minor > maxQueuedMinor+cap(q.out)+1 || minor == 0 {
		t.Errorf("got %d minor events: the budget of %d was not applied", minor, maxQueuedMinor)
	}
}

func TestEventQueueStopClosesChannel(t *testing.T) {
	q := newEventQueue()
	q.publish(Event{Kind: EventNote})
	q.stop()
	drained := make(chan int)
	go func() {
		n := 0
		for range q.out {
			n++
		}
		drained <- n
	}()
	if n, _ := testwait.Recv(t, drained, "the events channel to close after stop"); n > 1 {
		t.Errorf("read %d events after stop, want at most the one published", n)
	}
	q.publish(Event{Kind: EventNote}) // after stop: ignored, no panic
	q.stop()                          // idempotent
}

func TestLogWriterFlushWritesEverything(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := newLogWriter(st, nil)
	for i := range 1000 {
		w.add(store.APICall{Endpoint: "/item/get", RequestID: "req" + string(rune('a'+i%26)), HTTPStatus: 200})
	}
	if err := w.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, err := st.Count(context.Background(), store.Filter{})
	if err != nil || n != 1000 {
		t.Fatalf("count after flush = %d, %v; want 1000", n, err)
	}
	w.add(store.APICall{}) // invalid: no endpoint
	if err := w.flush(context.Background()); err == nil || !strings.Contains(err.Error(), "missing from the session log") {
		t.Errorf("flush after a failed write: %v", err)
	}
	if err := w.close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestWebhookReceiver(t *testing.T) {
	env := newTestEnv(t, BrowserNone)
	ctx := context.Background()
	f, _ := FlowByName("quickstart")
	r, err := env.NewRun(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	c := collect(r)
	post := func(url, ctype, body string) int {
		t.Helper()
		resp, err := http.Post(url, ctype, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body := `{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-1","error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","status":400},"environment":"sandbox"}`
	if code := post(env.WebhookURL(), "application/json", body); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	for _, bad := range []struct{ url, ctype, body string }{
		{env.WebhookURL(), "application/json", `[1,2]`},
		{env.WebhookURL(), "text/plain", `{}`},
		{env.Callback.Addr() + "/webhook/guess", "application/json", body},
	} {
		if code := post(bad.url, bad.ctype, bad.body); code < 400 || code > 499 {
			t.Errorf("POST %s %q answered %d, want a 4xx", bad.url, bad.body, code)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	var got []WebhookReceived
	for _, ev := range c.wait(t) {
		if ev.Kind == EventWebhook {
			got = append(got, *ev.Webhook)
		}
	}
	if len(got) != 1 || got[0].WebhookCode != "ERROR" || got[0].ErrorCode != "ITEM_LOGIN_REQUIRED" || got[0].ItemID != "item-1" {
		t.Errorf("webhook events = %+v", got)
	}
	stored := entries(t, env.Store, store.Filter{SessionID: r.ID(), Kind: store.KindWebhook})
	if len(stored) != 1 || stored[0].Webhook.WebhookCode != "ERROR" {
		t.Errorf("stored webhooks = %+v", stored)
	}
	rejected := entries(t, env.Store, store.Filter{SessionID: r.ID(), Kind: store.KindEvent})
	if len(rejected) != 3 {
		t.Errorf("%d rejected requests recorded, want 3", len(rejected))
	}
	for _, e := range rejected {
		if e.Event.Kind != store.EventKindRejected {
			t.Errorf("a refused request was recorded as %s", e.Event.Kind)
		}
	}
}
