package flows

import (
	"encoding/json"

	"github.com/linkexplorer/linkexplorer/store"
)

// itemActions are the endpoints whose calls make Plaid send webhooks about
// an Item: creating it (INITIAL_UPDATE, HISTORICAL_UPDATE), breaking its
// login (ITEM ERROR ITEM_LOGIN_REQUIRED, PENDING_EXPIRATION), firing one
// on purpose, changing its webhook URL (WEBHOOK_UPDATE_ACKNOWLEDGED).
var itemActions = map[string]bool{
	"/item/public_token/exchange":           true,
	"/sandbox/public_token/create":          true,
	"/sandbox/item/reset_login":             true,
	"/sandbox/item/fire_webhook":            true,
	"/item/webhook/update":                  true,
	"/item/remove":                          true,
	"/sandbox/item/set_verification_status": true,
}

// noteItemAction remembers that the running step acted on an Item, when c
// is a successful call of itemActions: a webhook about that Item that
// comes later (between steps or during another) is that step's.
func (r *Run) noteItemAction(c Call) {
	if !itemActions[c.Endpoint] || c.HTTPStatus < 200 || c.HTTPStatus > 299 {
		return
	}
	var body struct {
		ItemID string `json:"item_id"`
	}
	_ = json.Unmarshal(c.ResponseBody, &body) // item_id is masked by no rule
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stepName == "" {
		return
	}
	item := body.ItemID
	if item == "" {
		item = r.st.item
	}
	r.actedOn(item, r.stepName)
}

// actedOn records that step acted on item ("" for an Item not known
// yet). Callers hold r.mu.
func (r *Run) actedOn(item, step string) {
	if r.acted == nil {
		r.acted = map[string]string{}
	}
	if item != "" {
		r.acted[item] = step
	}
	r.lastActed = step
}

// webhookStep says which step of the run caused a webhook about itemID
// that arrives now:
//   - after the last step has finished: store.StepAfterRun;
//   - while a step runs that acts on Items (Link, which creates or repairs
//     one; an endpoint of itemActions), or that meets an Item no step has
//     acted on yet (it is creating it): the running step, as the webhook
//     can come before the call that caused it returns;
//   - else the step that last acted on the Item, else the one that last
//     acted on any, else the running one.
func (r *Run) webhookStep(itemID string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ended.IsZero() {
		return store.StepAfterRun
	}
	acted := r.acted[itemID]
	if r.stepName != "" {
		step := r.flow.step(r.stepName)
		if step.Kind == StepLink || itemActions[step.Endpoint] || acted == "" {
			return r.stepName
		}
	}
	switch {
	case acted != "":
		return acted
	case r.lastActed != "":
		return r.lastActed
	}
	return r.stepName
}

// step is the flow's step called name (the zero Step if none is).
func (f *Flow) step(name string) Step {
	for _, s := range f.Steps {
		if s.Name == name {
			return s
		}
	}
	return Step{}
}
