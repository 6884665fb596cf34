package flows

import (
	"encoding/json"
	"net/http"
)

// handleWebhook receives a webhook at CallbackOptions.WebhookPath: a POST
// of one JSON object, at most MaxReportBody bytes. A webhook sender is a
// server, not a page, so it carries no state token: the unguessable path
// is the secret, and the Host check of ServeHTTP still applies.
func (c *CallbackServer) handleWebhook(w http.ResponseWriter, r *http.Request) {
	if c.opts.OnWebhook == nil || !c.methodAllowed(w, r, http.MethodPost) {
		return
	}
	body, ok := c.readBody(w, r)
	if !ok {
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		c.reject(w, r, http.StatusBadRequest, "", "a webhook must be a JSON object")
		return
	}
	c.opts.OnWebhook(body, r.Header.Get("Plaid-Verification"))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(`{"received":true}` + "\n"))
}
