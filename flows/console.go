package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
)

// The API console calls any operation of Plaid's API schema with a body
// the user edits: pre-filled from the schema, with the chosen Item's
// access_token standing in as AccessTokenPlaceholder until it is sent,
// through the same recorded client as the flows.

// AccessTokenPlaceholder stands for the chosen Item's access_token in a
// console body: the console shows and edits it; only SendConsole puts the
// token in its place, in the request it sends.
const AccessTokenPlaceholder = "<the Item's access_token>"

// ConsoleOp is an operation the console offers.
type ConsoleOp struct {
	Path        string
	Summary     string
	Description string // the first paragraph of Plaid's description
	// Optional names the top-level fields the pre-filled body leaves out.
	Optional []string
	// TakesAccessToken says the request has an access_token field.
	TakesAccessToken bool
}

// ConsoleOps lists every operation of the schema, sorted by path.
func ConsoleOps() ([]ConsoleOp, error) {
	spec, err := plaidspec.Load()
	if err != nil {
		return nil, fmt.Errorf("reading Plaid's API schema: %w", err)
	}
	out := make([]ConsoleOp, 0, len(spec.Paths()))
	for _, p := range spec.Paths() {
		op, _ := spec.Op(p)
		out = append(out, ConsoleOp{Path: p, Summary: op.Summary, Description: op.Description,
			Optional: op.Optional, TakesAccessToken: op.TakesAccessToken()})
	}
	return out, nil
}

// consoleHints replace the schema's placeholder strings ("string") of
// well-known fields with values Plaid's Sandbox accepts.
var consoleHints = map[string]any{
	"language":       "en",
	"client_name":    "linkexplorer",
	"client_user_id": "linkexplorer-console-user",
	"institution_id": "ins_109508",
	"webhook":        "https://www.example.com/webhook",
	"redirect_uri":   "https://www.example.com/oauth",
	"amount":         "1.00",
	"return_code":    "R01",
}

// consoleEmpty fill lists the schema leaves empty (no minItems) but that
// Plaid needs at least one of.
var consoleEmpty = map[string][]any{
	"country_codes": {"US"},
	"access_tokens": {AccessTokenPlaceholder},
}

// consoleExtras are fields the schema leaves optional but the operation
// needs: the console adds them, saying where the value comes from.
var consoleExtras = map[string]map[string]any{
	"/asset_report/get": {"asset_report_token": "<an asset_report_token from /asset_report/create>"},
}

// Prefill is the console's starting body for the operation at path,
// indented: its required fields (the schema's examples where it has them,
// Sandbox-friendly values for well-known fields), with every access_token
// as AccessTokenPlaceholder. client_id and secret are left out: the client
// sends them as headers, as the flows do.
func Prefill(path string) ([]byte, error) {
	spec, err := plaidspec.Load()
	if err != nil {
		return nil, fmt.Errorf("reading Plaid's API schema: %w", err)
	}
	op, ok := spec.Op(path)
	if !ok {
		return nil, fmt.Errorf("Plaid's API schema (%s) has no operation %s: pick one from `linkexplorer call --list`", spec.Version, path)
	}
	var body map[string]any
	d := json.NewDecoder(bytes.NewReader(op.Prefill))
	d.UseNumber()
	if err := d.Decode(&body); err != nil || body == nil {
		body = map[string]any{}
	}
	hint(body)
	for k, v := range consoleExtras[path] {
		if _, ok := body[k]; !ok {
			body[k] = v
		}
	}
	if op.TakesAccessToken() {
		body["access_token"] = AccessTokenPlaceholder
	}
	return marshalIndent(body)
}

// hint puts consoleHints in place of the placeholder strings.
func hint(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && s == "string" {
				if h, ok := consoleHints[k]; ok {
					x[k] = h
				}
			}
			if a, ok := e.([]any); ok && len(a) == 0 && consoleEmpty[k] != nil {
				x[k] = consoleEmpty[k]
				continue
			}
			if k == "access_token" {
				x[k] = AccessTokenPlaceholder
				continue
			}
			hint(e)
		}
	case []any:
		for _, e := range x {
			hint(e)
		}
	}
}

func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// ErrInvalidJSON marks a console body that is not a JSON object; nothing
// was sent.
var ErrInvalidJSON = errors.New("the request body is not a JSON object")

// CheckConsoleBody refuses a body that is not one JSON object, saying
// where it goes wrong (line and column).
func CheckConsoleBody(body []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("%w: %s; nothing was sent", ErrInvalidJSON, jsonErrorAt(body, err))
	}
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("%w: it is a JSON %s, and Plaid takes an object ({ … }); nothing was sent", ErrInvalidJSON, jsonKindOf(v))
	}
	if d.More() {
		return fmt.Errorf("%w: there is more after the object's closing }; nothing was sent", ErrInvalidJSON)
	}
	return nil
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// jsonErrorAt says where a JSON error is, as line:column.
func jsonErrorAt(body []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if msg == "unexpected EOF" || msg == "EOF" {
		return "it ends before the JSON does (a missing } or \"?)"
	}
	if off < 0 {
		return msg
	}
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	line := 1 + bytes.Count(body[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(body[:off], '\n') - 1
	return fmt.Sprintf("%s at line %d, column %d", msg, line, col)
}

// ConsoleRequest is a call the console sends.
type ConsoleRequest struct {
	Path string
	// Body is the JSON the user edited, AccessTokenPlaceholder included.
	Body []byte
	// AccessToken replaces AccessTokenPlaceholder in the request sent
	// (the chosen Item's); empty when no Item is chosen.
	AccessToken string
	// ItemID names the chosen Item in errors.
	ItemID string
}

// ConsoleResult is the console's answer: the call as recorded (bodies
// masked), its response indented, and the explanation of a Plaid error.
type ConsoleResult struct {
	Call Call
	// Response is the masked response body, indented when it is JSON.
	Response []byte
	// Explanation explains the error Plaid answered with, when Explained.
	Explanation Explanation
	Explained   bool
}

// OK reports whether Plaid answered with a success.
func (r ConsoleResult) OK() bool {
	return r.Call.Err == nil && r.Call.HTTPStatus >= 200 && r.Call.HTTPStatus < 300
}

// SendConsole sends req through client (NewPlaidClient's: the configured
// base URL, the credentials as headers, every call recorded) and returns
// the recorded call. Nothing is sent, and the error says why, when the
// body is not a JSON object or holds AccessTokenPlaceholder with no
// access_token to put there. A call that got an answer, a Plaid error
// included, returns a nil error; one that got none returns the result and
// the transport's error.
func SendConsole(ctx context.Context, client *plaid.APIClient, req ConsoleRequest) (ConsoleResult, error) {
	if !strings.HasPrefix(req.Path, "/") {
		return ConsoleResult{}, fmt.Errorf("the operation %q is not an API path such as /item/get", req.Path)
	}
	if err := CheckConsoleBody(req.Body); err != nil {
		return ConsoleResult{}, err
	}
	body := req.Body
	ph := []byte(`"` + AccessTokenPlaceholder + `"`)
	if bytes.Contains(body, ph) {
		if req.AccessToken == "" {
			return ConsoleResult{}, errors.New("the body asks for the Item's access_token but no Item is chosen: choose one, or put an access_token in its place; nothing was sent")
		}
		tok, _ := json.Marshal(req.AccessToken)
		body = bytes.ReplaceAll(body, ph, tok)
	}
	// Indentation is for the editor: the request goes compact, as the
	// official clients send it.
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return ConsoleResult{}, fmt.Errorf("%w: %v; nothing was sent", ErrInvalidJSON, err)
	}
	cfg := client.GetConfig()
	if len(cfg.Servers) == 0 {
		return ConsoleResult{}, errors.New("the Plaid client has no API base URL")
	}
	url := strings.TrimRight(cfg.Servers[0].URL, "/") + req.Path
	ctx, capture := WithCallCapture(ctx)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(compact.Bytes()))
	if err != nil {
		return ConsoleResult{}, fmt.Errorf("building the request to %s: %w", req.Path, err)
	}
	for k, v := range cfg.DefaultHeader {
		hr.Header.Set(k, v)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("User-Agent", cfg.UserAgent)
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(hr)
	if resp != nil {
		resp.Body.Close() // the recording transport has read it
	}
	res := ConsoleResult{}
	if c, ok := capture.Last(); ok {
		res.Call = c
	} else {
		res.Call = Call{Time: time.Now(), Method: http.MethodPost, Endpoint: req.Path, Err: err}
	}
	if err != nil {
		if res.Call.Err == nil {
			res.Call.Err = err
		}
		res.Explanation, res.Explained = ExplanationOf(res.Call.Err)
		return res, res.Call.Err
	}
	res.Response = indentJSON(res.Call.ResponseBody)
	if res.Call.ErrorCode != "" {
		res.Explanation, res.Explained = ExplainMessage(res.Call.ErrorCode, res.Call.ErrorMessage)
	}
	return res, nil
}

// indentJSON indents a JSON body; other bodies (a PDF, a ZIP) are
// described, not shown.
func indentJSON(b []byte) []byte {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") == nil {
		return out.Bytes()
	}
	if len(b) == 0 {
		return nil
	}
	return []byte(fmt.Sprintf("(%d bytes that are not JSON: a file such as a PDF or a ZIP)", len(b)))
}
