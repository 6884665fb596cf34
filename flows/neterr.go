package flows

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// Faults of an API call that got no usable Plaid answer. They are the
// error_code of a *NetworkError (and of the failed step), and Explain
// explains them as it does Plaid's codes. They are linkexplorer's, not
// Plaid's.
const (
	FaultTimeout      = "NETWORK_TIMEOUT"     // no answer within the bound
	FaultSlow         = "SLOW_RESPONSE"       // the answer started but did not finish within the bound
	FaultRefused      = "CONNECTION_REFUSED"  // nothing listens at the API's address
	FaultReset        = "CONNECTION_RESET"    // the connection was cut before a whole answer
	FaultTruncated    = "TRUNCATED_RESPONSE"  // the answer ended before its announced length
	FaultDNS          = "DNS_FAILURE"         // the API's host name does not resolve
	FaultTLS          = "TLS_FAILURE"         // the HTTPS handshake failed
	FaultRedirect     = "REDIRECT_REFUSED"    // the API redirected to another host
	FaultTooLarge     = "RESPONSE_TOO_LARGE"  // the answer is larger than MaxAPIResponse
	FaultNetwork      = "NETWORK_ERROR"       // another transport failure
	FaultIncomplete   = "INCOMPLETE_RESPONSE" // a 200 without what the step needs
	typeNetwork       = "NETWORK_ERROR"
	typeResponse      = "RESPONSE_ERROR"
	docsAPIHosts      = "https://plaid.com/docs/api/#api-host"
	docsAPIReference  = "https://plaid.com/docs/api/"
	nextCheckAPIURL   = "Check the API URL linkexplorer printed (PLAID_ENV, PLAID_API_URL or --plaid-url; Sandbox is https://sandbox.plaid.com) and run `linkexplorer doctor`."
	nextRetryNetwork  = "Retry the step (r in the app, or run the command again)."
	nextCheckNetwork  = "Check your connection, VPN and proxy (HTTPS_PROXY), then retry the step."
	networkNextSuffix = " If it keeps happening against Plaid, check https://status.plaid.com/."
)

// MaxAPIResponse bounds the body of an API response read into memory and
// recorded in the session log. Plaid's largest responses
// (/transactions/sync with count 500, say) are well under 1 MB.
const MaxAPIResponse = 8 << 20

// networkExplanations explain the faults above, in the style of
// explanations.
var networkExplanations = map[string]explanation{
	FaultTimeout: {typeNetwork,
		fmt.Sprintf("No answer came from the API in time: linkexplorer waits a bounded time for each call, the whole answer included (%s unless configured otherwise; the error says the bound), then gives up. The API host is slow or unreachable: a firewall dropping packets, a proxy that holds the connection, a server that hangs.", DefaultAPITimeout),
		nextCheckNetwork + " " + nextCheckAPIURL + networkNextSuffix, docsAPIHosts},
	FaultSlow: {typeNetwork,
		fmt.Sprintf("The API began to answer but sent it too slowly to finish within the bound on each call (%s unless configured otherwise; the error says the bound and how much came). A slow or overloaded proxy, or a very poor connection, does this.", DefaultAPITimeout),
		nextRetryNetwork + " If it happens again, check your connection, VPN and proxy (HTTPS_PROXY)." + networkNextSuffix, docsAPIHosts},
	FaultRefused: {typeNetwork,
		"Nothing accepts connections at the API's address: the host is up but no server listens on that port (offline: the emulator is not running there).",
		"Check the API URL and port: " + nextCheckAPIURL + " With --emulator-url, start `linkexplorer emulator` first.", docsAPIHosts},
	FaultReset: {typeNetwork,
		"The connection to the API was cut (reset or closed) before a whole answer arrived: a proxy, firewall or crashing server ended it.",
		nextRetryNetwork + " If it happens every time, check your connection, VPN and proxy (HTTPS_PROXY)." + networkNextSuffix, docsAPIHosts},
	FaultTruncated: {typeNetwork,
		"The API's answer ended before the length it announced: the connection was cut mid-answer, so the answer cannot be trusted or used.",
		nextRetryNetwork + " If it happens every time, look for a proxy or antivirus that rewrites HTTPS traffic." + networkNextSuffix, docsAPIHosts},
	FaultDNS: {typeNetwork,
		"The API's host name could not be resolved to an address.",
		"Check the host name for typos and your DNS or VPN. " + nextCheckAPIURL, docsAPIHosts},
	FaultTLS: {typeNetwork,
		"The HTTPS handshake with the API failed: its certificate was not trusted or the connection is not HTTPS. A proxy that intercepts HTTPS (corporate or antivirus) is the usual cause.",
		"Use https:// for Plaid's hosts, and if a proxy intercepts HTTPS, install its CA certificate in the system store (or bypass it for *.plaid.com). " + nextCheckAPIURL, docsAPIHosts},
	FaultRedirect: {typeNetwork,
		"The API answered with a redirect to another host. Plaid's API never redirects, and following it would send your client_id, secret and the request body (tokens included) to that host, so linkexplorer stopped.",
		"Point linkexplorer at the API itself, not at something that redirects (a wrong scheme or host, a captive portal, a proxy): " + nextCheckAPIURL, docsAPIHosts},
	FaultTooLarge: {typeNetwork,
		fmt.Sprintf("The API's answer is larger than %d MB, far beyond any real Plaid response; linkexplorer stopped reading it so it cannot fill memory or the session log.", MaxAPIResponse>>20),
		"Something other than Plaid is answering at the API URL: " + nextCheckAPIURL, docsAPIHosts},
	FaultNetwork: {typeNetwork,
		"The request to the API failed before an answer arrived.",
		nextCheckNetwork + " " + nextCheckAPIURL, docsAPIHosts},
	FaultIncomplete: {typeResponse,
		"The API answered 200 but without fields every Plaid answer to this call has (the error names them), so the step cannot go on. Real Plaid does not do this: a proxy, mock or other server is answering.",
		"Check that the API URL points at Plaid or the emulator: " + nextCheckAPIURL + " If it does, contact Plaid support with the request_id.", docsAPIReference},
}

// NetworkError is an API call that got no usable answer: a timeout, a
// refused or cut connection, a truncated, oversized or redirected answer.
// Its message says what happened in plain words, with the bound on each
// call; Explain(Code) says what it means and what to do.
type NetworkError struct {
	Method   string // "POST" when empty
	Endpoint string
	Code     string        // one of the Fault constants
	Host     string        // scheme://host[:port] of the API
	Timeout  time.Duration // the bound on each call
	Received int64         // bytes of the answer received before the fault
	Detail   string        // e.g. where a redirect pointed
	Err      error         // the underlying error
}

// Error reads like "POST /link/token/create failed: NETWORK_TIMEOUT: no
// answer from https://sandbox.plaid.com within 30s (the bound on each API
// call)".
func (e *NetworkError) Error() string {
	method := e.Method
	if method == "" {
		method = "POST"
	}
	var what string
	switch e.Code {
	case FaultTimeout:
		what = fmt.Sprintf("no answer from %s within %s (the bound on each API call)", e.Host, e.Timeout)
	case FaultSlow:
		what = fmt.Sprintf("%s sent only %d bytes of its answer within %s (the bound on each API call)", e.Host, e.Received, e.Timeout)
	case FaultRefused:
		what = fmt.Sprintf("connection refused by %s: nothing listens there", e.Host)
	case FaultReset:
		what = fmt.Sprintf("the connection to %s was cut before a whole answer arrived", e.Host)
		if e.Received > 0 {
			what += fmt.Sprintf(" (%d bytes received)", e.Received)
		}
	case FaultTruncated:
		what = fmt.Sprintf("the answer from %s ended early, after %d bytes", e.Host, e.Received)
	case FaultDNS:
		what = fmt.Sprintf("the host of %s could not be resolved", e.Host)
	case FaultTLS:
		what = fmt.Sprintf("the HTTPS handshake with %s failed", e.Host)
	case FaultRedirect:
		what = fmt.Sprintf("%s redirected to %s; linkexplorer does not follow a redirect to another host (Plaid's API never redirects, and your secret would go there)", e.Host, e.Detail)
	case FaultTooLarge:
		what = fmt.Sprintf("the answer from %s is larger than %d MB; linkexplorer stopped reading it", e.Host, MaxAPIResponse>>20)
	default:
		what = fmt.Sprintf("the request to %s failed", e.Host)
	}
	if e.Err != nil && e.Code != FaultRedirect && e.Code != FaultTooLarge {
		what += " (" + rootCause(e.Err) + ")"
	}
	return fmt.Sprintf("%s %s failed: %s: %s", method, e.Endpoint, e.Code, what)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// rootCause is the innermost error's text, without the URL the http
// client repeats.
func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// classifyNetwork names the fault behind a transport error; inBody is true
// when the error came while reading the body, after received bytes.
func classifyNetwork(ctx context.Context, err error, inBody bool, received int64) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	timedOut := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout()) || errors.Is(ctx.Err(), context.DeadlineExceeded)
	switch {
	case timedOut && inBody && received > 0:
		return FaultSlow
	case timedOut:
		return FaultTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return FaultRefused
	case errors.As(err, &dnsErr):
		return FaultDNS
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recordErr):
		return FaultTLS
	case errors.Is(err, io.ErrUnexpectedEOF) && inBody:
		return FaultTruncated
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return FaultReset
	}
	return FaultNetwork
}

// ResponseError is a 200 answer that lacks what the step needs (a
// link_token from /link/token/create, say).
type ResponseError struct {
	Endpoint  string
	RequestID string
	Missing   []string // the fields absent or empty
}

func (e *ResponseError) Error() string {
	rid := ""
	if e.RequestID != "" {
		rid = " (request_id " + e.RequestID + ")"
	}
	return fmt.Sprintf("POST %s failed: %s: the API answered 200 without %s, which every Plaid answer to it has%s",
		e.Endpoint, FaultIncomplete, strings.Join(e.Missing, ", "), rid)
}

// requireFields returns a *ResponseError naming the fields whose value is
// empty, or nil. fields alternate name and value.
func requireFields(endpoint, requestID string, fields ...any) error {
	var missing []string
	for i := 0; i+1 < len(fields); i += 2 {
		name, _ := fields[i].(string)
		switch v := fields[i+1].(type) {
		case string:
			if v == "" {
				missing = append(missing, name)
			}
		case time.Time:
			if v.IsZero() {
				missing = append(missing, name)
			}
		case int:
			if v == 0 {
				missing = append(missing, name)
			}
		case bool:
			if !v {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &ResponseError{Endpoint: endpoint, RequestID: requestID, Missing: missing}
}
