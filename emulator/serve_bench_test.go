package emulator

import (
	"bytes"
	"net/http"
	"testing"
)

// nopWriter is a ResponseWriter that keeps only the status and a header.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

var linkTokenCreateBody = []byte(`{"client_name":"Plaid Quickstart","country_codes":["US"],"language":"en","products":["auth","transactions"],"user":{"client_user_id":"user-1"}}`)

// BenchmarkServeLinkTokenCreate is the emulator's own work per
// /link/token/create, without the network or a client: ServeHTTP on a
// prepared request (bench/loadgen measures it over loopback).
func BenchmarkServeLinkTokenCreate(b *testing.B) {
	emu, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	b.ReportAllocs()
	w := &nopWriter{h: http.Header{}}
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, "/link/token/create", bytes.NewReader(linkTokenCreateBody))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("PLAID-CLIENT-ID", "bench-client")
		r.Header.Set("PLAID-SECRET", "bench-secret-0123456789")
		clear(w.h)
		emu.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}
