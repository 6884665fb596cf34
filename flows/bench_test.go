package flows

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator/emulatortest"
	"github.com/linkexplorer/linkexplorer/internal/headless"
)

// countRecorder is the cheapest possible Recorder, so the benchmark measures
// the recording transport itself (buffering, timing, parsing, masking).
type countRecorder struct{ n atomic.Int64 }

func (r *countRecorder) RecordCall(context.Context, Call) { r.n.Add(1) }

// benchLinkTokenRequest builds the request the flows send.
func benchLinkTokenRequest() plaid.LinkTokenCreateRequest {
	req := plaid.NewLinkTokenCreateRequest("linkexplorer", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("linkexplorer-user"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS})
	return *req
}

func benchLinkTokenCreate(b *testing.B, client *plaid.APIClient) {
	b.Helper()
	req := benchLinkTokenRequest()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := client.PlaidApi.LinkTokenCreate(ctx).LinkTokenCreateRequest(req).Execute(); err != nil {
			b.Fatal(AsAPIError("/link/token/create", err))
		}
	}
}

// BenchmarkRecordedClient is /link/token/create through NewPlaidClient (the
// recording transport) against the emulator over loopback.
func BenchmarkRecordedClient(b *testing.B) {
	base := emulatortest.Start(b).URL
	cfg := Config{Mode: ModeEmulated, ClientID: EmulatedClientID, Secret: EmulatedSecret, BaseURL: base}
	benchLinkTokenCreate(b, NewPlaidClient(cfg, &countRecorder{}))
}

// BenchmarkPlainClient is the same call through plaid-go with no recording,
// the baseline for BenchmarkRecordedClient.
func BenchmarkPlainClient(b *testing.B) {
	base := emulatortest.Start(b).URL
	pc := plaid.NewConfiguration()
	pc.AddDefaultHeader("PLAID-CLIENT-ID", EmulatedClientID)
	pc.AddDefaultHeader("PLAID-SECRET", EmulatedSecret)
	pc.UseEnvironment(plaid.Environment(base))
	pc.HTTPClient = &http.Client{Timeout: DefaultAPITimeout}
	benchLinkTokenCreate(b, plaid.NewAPIClient(pc))
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkRecordingTransportOnly isolates the recording work per call (no
// network, no server): a /link/token/create-sized request and response
// through RecordingTransport over a base that answers from memory.
func BenchmarkRecordingTransportOnly(b *testing.B) {
	reqBody := []byte(`{"client_name":"linkexplorer","language":"en","country_codes":["US"],"user":{"client_user_id":"linkexplorer-user"},"products":["auth","transactions"]}`)
	respBody := []byte(`{"expiration":"2024-05-01T16:00:00Z","link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176","request_id":"m8MDnv9okwxFNBV"}`)
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(respBody)), Request: r}, nil
	})
	tr := &RecordingTransport{Base: base, Recorder: &countRecorder{}}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/link/token/create", bytes.NewReader(reqBody))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkQuickstartReusedBrowser is a quickstart with --browser auto in
// an Env whose headless Chromium already runs (a second flow in the
// terminal app): link_token, Link completed by the autopilot in a new tab,
// exchange and checks. bench/quickstart.sh reports it against a bare
// Chromium launch-and-load measured in the same run.
func BenchmarkQuickstartReusedBrowser(b *testing.B) {
	if _, err := headless.Find(); err != nil {
		b.Skip(err)
	}
	env, _ := NewKitEnv(b, BrowserAuto, ModeEmulated)
	f, _ := FlowByName("quickstart")
	run := func() {
		r, err := env.NewRun(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			for range r.Events() {
			}
		}()
		if rep := r.RunAll(context.Background()); !rep.OK {
			b.Fatal(rep.Error)
		}
		_ = r.Close()
	}
	run() // the first flow launches the browser
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}
