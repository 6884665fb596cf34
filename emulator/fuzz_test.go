package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// fuzzPaths are the paths FuzzDecodeRequest picks from: every Plaid
// endpoint and one unknown path.
func fuzzPaths() []string {
	paths := make([]string, 0, len(apiRoutes)+1)
	for p := range apiRoutes {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return append(paths, "/not/an/endpoint")
}

// refusingTransport fails every webhook delivery: fuzzed bodies may name
// any webhook URL, and fuzzing must not reach the network.
type refusingTransport struct{}

func (refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("webhooks are not delivered while fuzzing")
}

// FuzzDecodeRequest feeds arbitrary bodies and content types to every
// endpoint. The emulator must never panic, and must always answer with a
// JSON object: a success with a request_id, or a Plaid error object whose
// HTTP status matches its error type.
func FuzzDecodeRequest(f *testing.F) {
	emu, err := New(Options{WebhookClient: &http.Client{Transport: refusingTransport{}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = emu.Close() })
	paths := fuzzPaths()
	f.Add(uint8(0), true, "application/json", []byte(`{}`))
	f.Fuzz(func(t *testing.T, route uint8, withCreds bool, contentType string, body []byte) {
		path := paths[int(route)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if withCreds {
			req.Header.Set("PLAID-CLIENT-ID", "fuzz-client")
			req.Header.Set("PLAID-SECRET", "fuzz-secret")
		}
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		checkPlaidShaped(t, path, rec)
	})
}

func checkPlaidShaped(t *testing.T, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: answer is not a JSON object: %v: %s", path, err, rec.Body.Bytes())
	}
	if id, _ := out["request_id"].(string); !requestIDPattern.MatchString(id) {
		t.Fatalf("%s: request_id %v", path, out["request_id"])
	}
	if rec.Code == http.StatusOK {
		if _, isError := out["error_code"]; isError {
			t.Fatalf("%s: 200 with an error object: %v", path, out)
		}
		return
	}
	code, _ := out["error_code"].(string)
	typ, _ := out["error_type"].(string)
	msg, _ := out["error_message"].(string)
	if code == "" || typ == "" || msg == "" {
		t.Fatalf("%s: incomplete error object: %v", path, out)
	}
	if _, ok := out["display_message"]; !ok {
		t.Fatalf("%s: error object without display_message: %v", path, out)
	}
	if want := (&sandbox.Error{Type: typ, Code: code}).HTTPStatus(); rec.Code != want {
		t.Fatalf("%s: %s answered with HTTP %d, want %d", path, code, rec.Code, want)
	}
}
