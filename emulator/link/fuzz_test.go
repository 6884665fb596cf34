package link

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzSessionAPI posts arbitrary bodies to every session-API endpoint and
// the autopilot: no panic, never a 5xx, always a JSON error or success with
// a request_id.
func FuzzSessionAPI(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"link_token":"` + tokNew + `"}`, `{"link_session_id":"x"}`, `null`, `[]`, `"s"`, ``,
		`{"link_session_id":"x","events":[{"event_name":"OPEN","metadata":{}}]}`,
		`{"link_session_id":"x","answers":["1234"]}`, `{"link_session_id":"x","account_ids":["0"]}`,
		`{"link_token":"` + tokNew + `","delay_ms":1e99}`, `{"link_session_id":"x","status":null}`,
		`{"link_session_id":"\u0000","query":"\ud800"}`, `{"link_token":"` + tokNew + `"}{}`,
	} {
		f.Add(seed)
	}
	paths := []string{
		"/__link/session", "/__link/institutions/search", "/__link/institution", "/__link/credentials",
		"/__link/mfa", "/__link/oauth", "/__link/accounts", "/__link/exit", "/__link/events", "/__link/abandon", "/__emulator/autopilot",
	}
	f.Fuzz(func(t *testing.T, body string) {
		h, _ := fixture(t)
		id, _ := open(t, h, tokNew)
		// Half the inputs talk about the live session.
		body = strings.ReplaceAll(body, `"x"`, `"`+id+`"`)
		for _, p := range paths {
			req := httptest.NewRequest(http.MethodPost, p, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var resp map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("POST %s %q: response is not a JSON object: %s", p, body, rec.Body)
			}
			if rec.Code >= 500 || resp["request_id"] == "" || resp["request_id"] == nil {
				t.Fatalf("POST %s %q: %d %s", p, body, rec.Code, rec.Body)
			}
		}
	})
}
