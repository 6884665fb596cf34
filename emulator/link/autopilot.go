package link

import (
	"net/http"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Autopilot defaults and limits.
const (
	defaultInstitution = "ins_109508"
	maxDelayMS         = 10000
	autopilotBodyLimit = 256 << 10 // room for a user_custom JSON password
)

// autopilot is an armed autopilot: how the next Link session opened with
// LinkToken drives itself.
type autopilot struct {
	LinkToken     string  `json:"link_token"`
	Username      *string `json:"username"`
	Password      *string `json:"password"`
	MFA           *string `json:"mfa"`
	InstitutionID *string `json:"institution_id"`
	DelayMS       *int    `json:"delay_ms"`
	// OAuthDecision is what the autopilot answers on an OAuth bank's
	// consent page: "approve" (the default) or "decline".
	OAuthDecision *string `json:"oauth_decision"`
}

// ui is what the Link UI needs to run the autopilot.
func (a autopilot) ui() obj {
	inst, _ := sandbox.InstitutionByID(*a.InstitutionID)
	return obj{
		"username":         *a.Username,
		"password":         *a.Password,
		"mfa":              *a.MFA,
		"institution_id":   inst.ID,
		"institution_name": inst.Name,
		"delay_ms":         *a.DelayMS,
		"oauth_decision":   *a.OAuthDecision,
	}
}

// withDefaults fills the optional fields and validates them.
func (a *autopilot) withDefaults() *failure {
	def := func(p **string, v string) {
		if *p == nil {
			*p = &v
		}
	}
	def(&a.Username, "user_good")
	def(&a.Password, "pass_good")
	def(&a.MFA, "1234")
	def(&a.InstitutionID, defaultInstitution)
	def(&a.OAuthDecision, "approve")
	if a.DelayMS == nil {
		a.DelayMS = new(int)
	}
	switch {
	case a.LinkToken == "":
		return requestError(http.StatusBadRequest, "MISSING_FIELDS", "the following required fields are missing: link_token")
	case *a.Username == "":
		return requestError(http.StatusBadRequest, "INVALID_FIELD", "username must be a non-empty string (or omitted for user_good)")
	case *a.OAuthDecision != "approve" && *a.OAuthDecision != "decline":
		return requestError(http.StatusBadRequest, "INVALID_FIELD", "oauth_decision must be \"approve\" or \"decline\"")
	case *a.DelayMS < 0 || *a.DelayMS > maxDelayMS:
		return requestError(http.StatusBadRequest, "INVALID_FIELD", "delay_ms must be between 0 and %d", maxDelayMS)
	}
	if _, ok := sandbox.InstitutionByID(*a.InstitutionID); !ok {
		return &failure{status: http.StatusBadRequest, err: &sandbox.Error{
			Type: "INVALID_INPUT", Code: "INVALID_INSTITUTION",
			Message: "invalid institution_id provided: " + *a.InstitutionID + " is not a Sandbox institution",
		}}
	}
	return nil
}

// serveAutopilot arms the autopilot: POST /__emulator/autopilot.
func (h *Handler) serveAutopilot(w http.ResponseWriter, r *http.Request) {
	rid := h.b.NewRequestID()
	var a autopilot
	f := h.checkRequest(w, r, autopilotBodyLimit, &a)
	if f == nil {
		f = a.withDefaults()
	}
	if f == nil {
		if _, err := h.b.LinkToken(a.LinkToken); err != nil {
			f = &failure{status: http.StatusNotFound, err: &sandbox.Error{
				Type: "INVALID_INPUT", Code: "INVALID_LINK_TOKEN",
				Message: "link_token not found, expired or invalidated: arm the autopilot with a live token from /link/token/create",
			}}
		}
	}
	if f != nil {
		writePlaidError(w, rid, f)
		return
	}
	h.st.arm(a)
	h.opts.Logger.Info("emulated Link: autopilot armed", "link_token", redact.Value(a.LinkToken),
		"username", *a.Username, "institution_id", *a.InstitutionID, "delay_ms", *a.DelayMS)
	writeJSON(w, http.StatusOK, obj{"armed": true, "link_token": redact.Value(a.LinkToken), "request_id": rid})
}

// writePlaidError writes a control-API error as a flat Plaid error object.
func writePlaidError(w http.ResponseWriter, requestID string, f *failure) {
	body := errorJSON(f.err)
	body["request_id"] = requestID
	writeJSON(w, f.status, body)
}
