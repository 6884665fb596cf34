package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// harness is an emulator on a loopback listener with a plaid-go client
// whose every 200 response is validated against Plaid's OpenAPI schema.
type harness struct {
	t      testing.TB
	emu    *Emulator
	srv    *httptest.Server
	client *plaid.PlaidApiService
	ctx    context.Context
}

type harnessConfig struct {
	opts             Options
	clientID, secret string
}

func newHarness(t testing.TB, opts Options) *harness {
	return newHarnessWith(t, harnessConfig{opts: opts, clientID: "test-client-id", secret: "test-secret-0123456789"})
}

func newHarnessWith(t testing.TB, hc harnessConfig) *harness {
	t.Helper()
	if hc.opts.WebhookClient == nil {
		hc.opts.WebhookClient = loopbackOnlyClient(t)
	}
	emu, srv := serve(t, hc.opts)
	return &harness{t: t, emu: emu, srv: srv, client: plaidClient(t, srv.URL, hc.clientID, hc.secret), ctx: testwait.Context(t)}
}

// serve starts an emulator on a loopback httptest server, closed (and
// checked to close cleanly) when the test ends. It is this package's one
// copy of emulator/emulatortest.Start, which tests in package emulator
// cannot import.
func serve(t testing.TB, opts Options) (*Emulator, *httptest.Server) {
	t.Helper()
	emu, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.Close()
		if err := emu.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return emu, srv
}

// loopbackOnlyClient delivers webhooks to loopback addresses only: tests
// never reach the network, and a test that tries fails.
func loopbackOnlyClient(t testing.TB) *http.Client {
	dialer := &net.Dialer{} // the delivery's context bounds the dial
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			t.Errorf("a webhook went to %s, beyond loopback", addr)
			return nil, errors.New("tests deliver webhooks to loopback only")
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: tr, Timeout: testwait.Budget(t)}
}

// plaidClient is plaid-go configured as a user's app configures it.
func plaidClient(t testing.TB, baseURL, clientID, secret string) *plaid.PlaidApiService {
	cfg := plaid.NewConfiguration()
	if clientID != "" {
		cfg.AddDefaultHeader("PLAID-CLIENT-ID", clientID)
	}
	if secret != "" {
		cfg.AddDefaultHeader("PLAID-SECRET", secret)
	}
	cfg.UseEnvironment(plaid.Environment(baseURL))
	cfg.HTTPClient = &http.Client{Transport: &validatingTransport{t: t, base: http.DefaultTransport}}
	return plaid.NewAPIClient(cfg).PlaidApi
}

// validatingTransport validates every 200 response against the schema.
type validatingTransport struct {
	t    testing.TB
	base http.RoundTripper
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if resp.Header.Get("Content-Type") == "application/pdf" {
		// Plaid's PDFs: the schema says binary; check it is a real PDF.
		checkPDF(v.t, req.URL.Path, body)
		return resp, nil
	}
	checkSchema(v.t, req.URL.Path, resp.StatusCode, resp.Header, body)
	return resp, nil
}

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
	specPath string

	validatedMu    sync.Mutex
	validatedPaths = map[string]int{}
)

// findSpec returns the emulator's copy of Plaid's schema (the YAML the
// embedded compact spec is generated from).
func findSpec() string {
	p := filepath.Join("..", "internal", "plaidspec", "plaid-2020-09-14.yml")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// loadSpec loads the schema once per test binary. It returns nil when the
// schema is not found.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		specPath = findSpec()
		if specPath == "" {
			return
		}
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromFile(specPath)
	})
	if specErr != nil {
		t.Fatalf("loading %s: %v", specPath, specErr)
	}
	return specDoc
}

// requireSpec is loadSpec for tests that exist to validate: they skip when
// the schema is absent, except in CI where that is a failure.
func requireSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc := loadSpec(t)
	if doc == nil {
		msg := "internal/plaidspec/plaid-2020-09-14.yml not found; run the tests from the emulator package directory (go test ./emulator/)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return doc
}

// checkSchema validates one success response of a Plaid endpoint.
func checkSchema(t testing.TB, path string, status int, header http.Header, body []byte) {
	t.Helper()
	doc := loadSpec(t)
	if doc == nil {
		return
	}
	pathItem := doc.Paths.Value(path)
	if pathItem == nil || pathItem.Post == nil {
		t.Errorf("schema has no POST %s", path)
		return
	}
	req := httptest.NewRequest(http.MethodPost, path, nil)
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: doc, Path: path, PathItem: pathItem, Method: http.MethodPost, Operation: pathItem.Post},
		},
		Status:  status,
		Header:  header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s response does not match the schema: %v\nbody: %s", path, err, body)
		return
	}
	validatedMu.Lock()
	validatedPaths[path]++
	validatedMu.Unlock()
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{15}$`)

// wantPlaidError asserts err is a Plaid error with the given code, a
// matching type and a request_id, and returns it.
func wantPlaidError(t testing.TB, err error, code string) plaid.PlaidError {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	pe, convErr := plaid.ToPlaidError(err)
	if convErr != nil {
		t.Fatalf("want Plaid error %s, got %v", code, err)
	}
	if pe.ErrorCode != code {
		t.Fatalf("want error_code %s, got %s (%s: %s)", code, pe.ErrorCode, pe.ErrorType, pe.ErrorMessage)
	}
	if pe.RequestId == nil || !requestIDPattern.MatchString(*pe.RequestId) {
		t.Errorf("%s: request_id %v is not 15 alphanumerics", code, pe.RequestId)
	}
	if pe.ErrorMessage == "" || pe.ErrorType == "" {
		t.Errorf("%s: incomplete error object %+v", code, pe)
	}
	return pe
}

// outcome is a plaid-go call's result, for res(...).must(t).
type outcome[T any] struct {
	v   T
	err error
}

// res captures the three results of a plaid-go Execute.
func res[T any](v T, _ *http.Response, err error) outcome[T] { return outcome[T]{v, err} }

// must fails the test on an error, showing the Plaid error when there is one.
func (o outcome[T]) must(t testing.TB) T {
	t.Helper()
	if o.err != nil {
		if pe, convErr := plaid.ToPlaidError(o.err); convErr == nil {
			t.Fatalf("unexpected Plaid error %s/%s: %s", pe.ErrorType, pe.ErrorCode, pe.ErrorMessage)
		}
		t.Fatalf("unexpected error: %v", o.err)
	}
	return o.v
}

// newItem creates an Item with /sandbox/public_token/create and exchanges
// its public_token; it returns the access_token and item_id.
func (h *harness) newItem(webhook string, products ...plaid.Products) (string, string) {
	h.t.Helper()
	if len(products) == 0 {
		products = []plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_IDENTITY, plaid.PRODUCTS_TRANSACTIONS}
	}
	req := plaid.NewSandboxPublicTokenCreateRequest("ins_109508", products)
	if webhook != "" {
		opts := plaid.NewSandboxPublicTokenCreateRequestOptions()
		opts.SetWebhook(webhook)
		req.SetOptions(*opts)
	}
	pt := res(h.client.SandboxPublicTokenCreate(h.ctx).SandboxPublicTokenCreateRequest(*req).Execute()).must(h.t)
	ex := res(h.client.ItemPublicTokenExchange(h.ctx).ItemPublicTokenExchangeRequest(
		*plaid.NewItemPublicTokenExchangeRequest(pt.GetPublicToken())).Execute()).must(h.t)
	return ex.GetAccessToken(), ex.GetItemId()
}

// linkTokenRequest is a valid new-Item /link/token/create request.
func linkTokenRequest() *plaid.LinkTokenCreateRequest {
	req := plaid.NewLinkTokenCreateRequest("Plaid Quickstart", "en",
		[]plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser("user-1"))
	req.SetProducts([]plaid.Products{plaid.PRODUCTS_AUTH, plaid.PRODUCTS_TRANSACTIONS})
	return req
}

// post sends a raw request to the emulator and decodes the JSON answer.
func (h *harness) post(path, contentType string, body []byte, headers map[string]string) (int, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return h.do(req)
}

// control calls the control API.
func (h *harness) control(method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) (int, map[string]any) {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		h.t.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, ct)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		h.t.Fatalf("%s %s: answer is not a JSON object: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, out
}

// creds are the credential headers for raw requests.
var creds = map[string]string{"PLAID-CLIENT-ID": "raw-client", "PLAID-SECRET": "raw-secret-0123456789"}

// webhookReceiver collects the webhooks POSTed to it.
type webhookReceiver struct {
	srv    *httptest.Server
	got    chan map[string]any
	status int
}

func newWebhookReceiver(t testing.TB, status int) *webhookReceiver {
	w := &webhookReceiver{got: make(chan map[string]any, 64), status: status}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the webhook body: %v", err)
		}
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("webhook body is not JSON: %v", err)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("webhook Content-Type %q", ct)
		}
		body["_path"] = r.URL.Path
		body["_raw"] = string(raw)
		body["_jwt"] = r.Header.Get("Plaid-Verification")
		w.got <- body
		rw.WriteHeader(w.status)
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// collect waits for webhooks until it has one of each code, in any order,
// and returns them by code; other webhooks that arrive meanwhile fail the
// test.
func (w *webhookReceiver) collect(t testing.TB, codes ...string) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	for len(got) < len(codes) {
		b := w.next(t)
		code, _ := b["webhook_code"].(string)
		if !slices.Contains(codes, code) || got[code] != nil {
			t.Fatalf("webhook %s/%s while waiting for %v (have %v)", b["webhook_type"], code, codes, slices.Collect(maps.Keys(got)))
		}
		got[code] = b
	}
	return got
}

// url is the receiver's URL for path.
func (w *webhookReceiver) url(path string) string { return w.srv.URL + path }

// next waits for the next webhook, within the test's budget.
func (w *webhookReceiver) next(t testing.TB) map[string]any {
	t.Helper()
	b, _ := testwait.Recv(t, w.got, "the next webhook")
	return b
}

// creationWebhooks are the webhooks every Item with Transactions sends
// after it is created, on their own schedule.
var creationWebhooks = map[string]bool{"INITIAL_UPDATE": true, "HISTORICAL_UPDATE": true}

// nextCode waits for the next webhook and checks its type and code. The
// creation webhooks are skipped unless code is one of them.
func (w *webhookReceiver) nextCode(t testing.TB, typ, code string) map[string]any {
	t.Helper()
	b := w.next(t)
	for creationWebhooks[b["webhook_code"].(string)] && !creationWebhooks[code] {
		b = w.next(t)
	}
	if b["webhook_type"] != typ || b["webhook_code"] != code {
		t.Fatalf("want webhook %s/%s, got %v", typ, code, b)
	}
	if b["environment"] != "sandbox" {
		t.Errorf("webhook environment %v", b["environment"])
	}
	return b
}

// checkWebhookSchema validates a received webhook body (as the receiver
// decoded it) against one of the schema's webhook components.
func checkWebhookSchema(t testing.TB, component string, body map[string]any) {
	t.Helper()
	doc := loadSpec(t)
	if doc == nil {
		return
	}
	ref := doc.Components.Schemas[component]
	if ref == nil || ref.Value == nil {
		t.Errorf("schema has no component %s", component)
		return
	}
	clean := map[string]any{}
	for k, v := range body {
		if !strings.HasPrefix(k, "_") {
			clean[k] = v
		}
	}
	if err := ref.Value.VisitJSON(clean, openapi3.MultiErrors()); err != nil {
		t.Errorf("webhook does not match %s: %v\nbody: %v", component, err, clean)
	}
}

// checkPDF checks that body is a well-formed PDF: the header, an xref
// table whose every offset points at its object, a trailer with a Root,
// and startxref pointing at the table; then, when poppler's pdftotext is
// installed, that it extracts text from it. It returns the text (or "").
func checkPDF(t testing.TB, path string, body []byte) string {
	t.Helper()
	fail := func(format string, args ...any) string {
		t.Errorf("%s: not a valid PDF: "+format, append([]any{path}, args...)...)
		return ""
	}
	if !bytes.HasPrefix(body, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(body), []byte("%%EOF")) {
		return fail("no %%PDF header or %%%%EOF")
	}
	i := bytes.LastIndex(body, []byte("startxref"))
	if i < 0 {
		return fail("no startxref")
	}
	xref, err := strconv.Atoi(strings.Fields(string(body[i+len("startxref"):]))[0])
	if err != nil || xref <= 0 || xref >= len(body) || !bytes.HasPrefix(body[xref:], []byte("xref")) {
		return fail("startxref does not point at the xref table")
	}
	lines := strings.Split(string(body[xref:]), "\n")
	var first, n int
	if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &n); err != nil || n < 2 {
		return fail("bad xref subsection %q", lines[1])
	}
	for obj := 1; obj < n; obj++ {
		var off, gen int
		var kind string
		if _, err := fmt.Sscanf(lines[2+obj], "%d %d %s", &off, &gen, &kind); err != nil || kind != "n" || off >= len(body) ||
			!bytes.HasPrefix(body[off:], fmt.Appendf(nil, "%d 0 obj", obj)) {
			return fail("xref entry for object %d (%q) does not point at it", obj, lines[2+obj])
		}
	}
	if !bytes.Contains(body[xref:], []byte("/Root")) {
		return fail("trailer has no /Root")
	}
	validatedMu.Lock()
	validatedPaths[path]++
	validatedMu.Unlock()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return ""
	}
	cmd := exec.Command(bin, "-", "-")
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		return fail("pdftotext: %v %s", err, stderr.String())
	}
	return string(out)
}
