package flows

import (
	"encoding/json"
	"strings"

	"github.com/linkexplorer/linkexplorer/flows/codegen"
	"github.com/linkexplorer/linkexplorer/store"
)

// DefaultEmulatorURL is where `linkexplorer emulator` serves by default:
// the base URL code shows for calls recorded offline when no emulator is
// running.
const DefaultEmulatorURL = "http://127.0.0.1:7878"

// CodeRequest is a recorded call as the code generator's input, with the
// base URL in use: the configured API (the Sandbox, PLAID_API_URL) or,
// offline, the running emulator.
func (c Config) CodeRequest(endpoint string, body []byte) codegen.Request {
	base := c.BaseURL
	if base == "" {
		base = DefaultPlaidURL
		if c.Mode == ModeEmulated {
			base = DefaultEmulatorURL
		}
	}
	return codegen.Request{Path: endpoint, Body: body, BaseURL: base, Emulated: c.Mode == ModeEmulated}
}

// CodeRequestFor is a call from the session log as the code generator's
// input: offline sessions point at the emulator's default address (the
// emulator that served them is gone), Plaid sessions at the Sandbox.
func CodeRequestFor(call *store.APICall, sessionMode string) codegen.Request {
	if sessionMode == store.ModePlaid {
		return codegen.Request{Path: call.Endpoint, Body: call.RequestBody, BaseURL: DefaultPlaidURL}
	}
	return codegen.Request{Path: call.Endpoint, Body: call.RequestBody, BaseURL: DefaultEmulatorURL, Emulated: true}
}

// LinkCodeOptions describe the run's Link step for its browser code: an
// update-mode token, and the token request's redirect_uri.
func (r *Run) LinkCodeOptions() codegen.LinkOptions {
	return LinkCodeOptionsFor(r.flow, r.TokenRequest())
}

// LinkCodeOptionsFor describes a flow's Link step for its browser code: an
// update-mode token when the flow creates one.
func LinkCodeOptionsFor(f *Flow, tr TokenRequest) codegen.LinkOptions {
	update := false
	for _, s := range f.Steps {
		if strings.Contains(s.Name, "update-token") {
			update = true
		}
	}
	return codegen.LinkOptions{Update: update, RedirectURI: tr.RedirectURI}
}

// CodeCall picks the call a step's code shows: the last call to the
// step's endpoint, else its last call. ok is false when the step made
// none.
func CodeCall(step Step, res *StepResult) (Call, bool) {
	if res == nil || len(res.Calls) == 0 {
		return Call{}, false
	}
	for i := len(res.Calls) - 1; i >= 0; i-- {
		if res.Calls[i].Endpoint == step.Endpoint {
			return res.Calls[i], true
		}
	}
	return res.Calls[len(res.Calls)-1], true
}

// Body is the /link/token/create body the request builds, as plaid-go
// sends it, for showing the request before it is sent. With update, it is
// an update-mode token for an Item whose access_token is shown masked.
func (tr TokenRequest) Body(update bool) []byte {
	m := map[string]any{
		"client_name":   tr.ClientName,
		"language":      tr.Language,
		"country_codes": orEmpty(tr.CountryCodes),
		"user":          map[string]string{"client_user_id": tr.ClientUserID},
	}
	switch {
	case update:
		m["access_token"] = "access-sandbox-…"
		if len(tr.UpdateProducts) > 0 {
			m["products"] = tr.UpdateProducts
		}
		if tr.AccountSelection {
			m["update"] = map[string]bool{"account_selection_enabled": true}
		}
	default:
		m["products"] = orEmpty(tr.Products)
	}
	if tr.Webhook != "" {
		m["webhook"] = tr.Webhook
	}
	if tr.RedirectURI != "" {
		m["redirect_uri"] = tr.RedirectURI
	}
	b, _ := json.Marshal(m)
	return b
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
