package link

import (
	"net/http"
	"slices"
	"unicode/utf8"
)

// eventNames are the onEvent names of reference §4.5 the session API
// records.
var eventNames = []string{
	"OPEN", "EXIT", "HANDOFF", "SELECT_INSTITUTION", "ERROR",
	"BANK_INCOME_INSIGHTS_COMPLETED", "IDENTITY_VERIFICATION_PASS_SESSION",
	"IDENTITY_VERIFICATION_FAIL_SESSION", "IDENTITY_MATCH_PASSED", "IDENTITY_MATCH_FAILED",
	"LAYER_READY", "LAYER_NOT_AVAILABLE", "LAYER_AUTOFILL_NOT_AVAILABLE",
	"TRANSITION_VIEW", "SEARCH_INSTITUTION", "SELECT_BRAND", "SELECT_DEGRADED_INSTITUTION",
	"SELECT_DOWN_INSTITUTION", "SELECT_FILTERED_INSTITUTION",
	"SUBMIT_CREDENTIALS", "SUBMIT_MFA", "OPEN_OAUTH", "CLOSE_OAUTH", "FAIL_OAUTH",
	"SELECT_AUTH_TYPE", "SUBMIT_ROUTING_NUMBER", "SUBMIT_ACCOUNT_NUMBER",
	"MATCHED_SELECT_INSTITUTION", "MATCHED_SELECT_VERIFY_METHOD", "SUBMIT_PHONE",
	"SKIP_SUBMIT_PHONE", "VERIFY_PHONE", "SUBMIT_OTP", "AUTO_SUBMIT_PHONE",
	"CONNECT_NEW_INSTITUTION", "OPEN_MY_PLAID", "VIEW_DATA_TYPES",
	"SUBMIT_DOCUMENTS", "SUBMIT_DOCUMENTS_SUCCESS", "SUBMIT_DOCUMENTS_ERROR",
}

// metadataKeys are the keys every event's metadata has, null when absent
// (reference §4.5).
var metadataKeys = []string{
	"error_type", "error_code", "error_message", "exit_status",
	"institution_id", "institution_name", "institution_search_query",
	"is_update_mode", "match_reason", "mfa_type", "view_name", "selection",
	"routing_number", "account_number_mask",
	"request_id", "link_session_id", "timestamp",
}

// Limits on reported events.
const (
	maxEventsPerRequest = 100
	maxMetadataValue    = 2048
)

type eventsRequest struct {
	withSession
	Events []event `json:"events"`
}

// serveEvents records the events the Link UI passed to onEvent:
// POST /__link/events. Events are accepted after the session finished too
// (HANDOFF and EXIT come last), up to maxEventsPerSession.
func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var req eventsRequest
	f := h.checkRequest(w, r, eventsBodyLimit, &req)
	if f == nil {
		f = checkEvents(req.Events)
	}
	if f != nil {
		writeFailure(w, rid, "", f)
		return
	}
	s := h.st.get(req.LinkSessionID)
	if s == nil {
		writeFailure(w, rid, "", unknownSession(req.LinkSessionID))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	room := max(0, maxEventsPerSession-len(s.events))
	kept := req.Events[:min(room, len(req.Events))]
	s.events = append(s.events, kept...)
	writeJSON(w, http.StatusOK, obj{"request_id": rid, "link_session_id": s.id, "recorded": len(kept)})
}

// checkEvents validates reported events: known names, and metadata with
// exactly the keys of reference §4.5, each a short string or null.
func checkEvents(events []event) *failure {
	if len(events) == 0 || len(events) > maxEventsPerRequest {
		return requestError(http.StatusBadRequest, "INVALID_FIELD", "events must hold 1 to %d events", maxEventsPerRequest)
	}
	for i, e := range events {
		if !slices.Contains(eventNames, e.Name) {
			return requestError(http.StatusBadRequest, "INVALID_FIELD", "events[%d]: unknown event_name %q", i, e.Name)
		}
		if len(e.Metadata) != len(metadataKeys) {
			return requestError(http.StatusBadRequest, "INVALID_FIELD", "events[%d]: metadata must have exactly the keys %v", i, metadataKeys)
		}
		for k, v := range e.Metadata {
			if !slices.Contains(metadataKeys, k) {
				return requestError(http.StatusBadRequest, "INVALID_FIELD", "events[%d]: unknown metadata key %q", i, k)
			}
			if v != nil && (len(*v) > maxMetadataValue || !utf8.ValidString(*v)) {
				return requestError(http.StatusBadRequest, "INVALID_FIELD", "events[%d]: metadata %s is longer than %d bytes", i, k, maxMetadataValue)
			}
		}
	}
	return nil
}
