package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// tokenRequest is the body of POST /create_link_token.
type tokenRequest struct {
	Session string `json:"session"`
	State   string `json:"state"`
}

func (c *CallbackServer) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	if !c.methodAllowed(w, r, http.MethodPost) {
		return
	}
	body, ok := c.readBody(w, r)
	if !ok {
		return
	}
	var req tokenRequest
	if err := decodeStrict(body, &req); err != nil {
		c.reject(w, r, http.StatusBadRequest, "", "malformed create_link_token request: "+err.Error())
		return
	}
	s := c.session(req.Session)
	if s == nil || !s.stateMatches(req.State) {
		c.reject(w, r, http.StatusForbidden, "", "the state token does not match any open Link session")
		return
	}
	if !s.allowTokenRequest() {
		c.reject(w, r, http.StatusTooManyRequests, "", fmt.Sprintf("this Link session has already asked for %d link_tokens", maxTokenRequests))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), createTokenTimeout)
	defer cancel()
	token, err := c.opts.CreateLinkToken(ctx, s)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": tokenErrorBody(err)})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"link_token": token})
}

// tokenErrorBody is the Plaid-shaped error the page shows when linkexplorer
// could not create a link_token ("Unable to fetch link_token").
func tokenErrorBody(err error) map[string]any {
	var ae *APIError
	if errors.As(err, &ae) {
		return map[string]any{
			"error_type": ae.Type, "error_code": ae.Code, "error_message": ae.Message,
			"display_message": ae.DisplayMessage, "request_id": ae.RequestID,
		}
	}
	return map[string]any{"error_message": err.Error()}
}

// decodeStrict decodes one JSON value, refusing unknown fields and trailing
// data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
