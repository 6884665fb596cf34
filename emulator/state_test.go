package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// TestExpiredTokensForgottenInOrder: an expired link_token is remembered
// for a day (its error says "expired"), then forgotten when later tokens
// are created ("no such token"), while newer tokens stay valid.
func TestExpiredTokensForgottenInOrder(t *testing.T) {
	h := newHarness(t, Options{})
	create := func() string {
		r := res(h.client.LinkTokenCreate(h.ctx).LinkTokenCreateRequest(*linkTokenRequest()).Execute()).must(t)
		return r.GetLinkToken()
	}
	get := func(tok string) error {
		_, _, err := h.client.LinkTokenGet(h.ctx).LinkTokenGetRequest(*plaid.NewLinkTokenGetRequest(tok)).Execute()
		return err
	}
	old := create()
	h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "5h"})
	if pe := wantPlaidError(t, get(old), "INVALID_LINK_TOKEN"); !strings.Contains(pe.ErrorMessage, "expired") {
		t.Errorf("after 5 h: %q, want it to say the token expired", pe.ErrorMessage)
	}
	h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "24h"})
	fresh := create() // forgets the old one, 29 h after its creation
	if pe := wantPlaidError(t, get(old), "INVALID_LINK_TOKEN"); !strings.Contains(pe.ErrorMessage, "no such token") {
		t.Errorf("after 29 h: %q, want the token forgotten", pe.ErrorMessage)
	}
	if err := get(fresh); err != nil {
		t.Errorf("the new token: %v", err)
	}
}

// TestTokenQueueBoundsCount: past maxRememberedTokens the oldest tokens
// are forgotten first, whatever their age; the queue's storage is reused.
func TestTokenQueueBoundsCount(t *testing.T) {
	s := newState()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	n := maxRememberedTokens + 5000
	first := ""
	for i := range n {
		lt := &linkToken{}
		lt.Token = newToken(kindLink)
		if i == 0 {
			first = lt.Token
		}
		lt.CreatedAt, lt.Expiration = now, now.Add(linkTokenLifetime)
		s.addLinkToken(lt, now)
	}
	if len(s.linkTokens) != maxRememberedTokens || s.linkQueue.len() != maxRememberedTokens {
		t.Fatalf("%d tokens, %d queued; want %d", len(s.linkTokens), s.linkQueue.len(), maxRememberedTokens)
	}
	if _, ok := s.linkTokens[first]; ok {
		t.Error("the oldest token was kept")
	}
	if c := cap(s.linkQueue.q); c > 3*maxRememberedTokens {
		t.Errorf("queue capacity %d grows without bound", c)
	}
	// A day later every one of them is past its retention.
	later := now.Add(linkTokenLifetime + expiredTokenRetention + time.Second)
	lt := &linkToken{}
	lt.Token, lt.CreatedAt, lt.Expiration = newToken(kindLink), later, later.Add(linkTokenLifetime)
	s.addLinkToken(lt, later)
	if len(s.linkTokens) != 1 {
		t.Errorf("%d tokens after their retention, want only the new one", len(s.linkTokens))
	}
}
