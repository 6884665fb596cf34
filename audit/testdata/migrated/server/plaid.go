// Package server is Acme Budget's Go service for the mobile app: it creates
// link_tokens with plaid-go.
package server

import (
	"encoding/json"
	"net/http"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

// Handler serves the mobile app's Plaid routes.
type Handler struct {
	Client *plaid.APIClient
	Items  interface {
		AccessToken(userID, itemID string) (string, error)
	}
}

// CreateLinkToken serves POST /api/create_link_token: a new-Item token, or
// an update-mode one when the body names an Item.
func (h *Handler) CreateLinkToken(w http.ResponseWriter, r *http.Request) {
	userID := r.Header.Get("X-User-ID")
	var body struct {
		ItemID string `json:"item_id"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)

	req := plaid.NewLinkTokenCreateRequest("Acme Budget", "en",
		[]plaid.CountryCode{plaid.COUNTRYCODE_US}, *plaid.NewLinkTokenCreateRequestUser(userID))
	if body.ItemID == "" {
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	} else {
		accessToken, err := h.Items.AccessToken(userID, body.ItemID)
		if err != nil {
			http.Error(w, "unknown item", http.StatusNotFound)
			return
		}
		req.SetAccessToken(accessToken)
	}
	resp, _, err := h.Client.PlaidApi.LinkTokenCreate(r.Context()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		http.Error(w, "Unable to create a link_token", http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"link_token": resp.GetLinkToken()})
}
