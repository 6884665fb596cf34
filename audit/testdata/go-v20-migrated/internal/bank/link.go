package bank

import (
	"encoding/json"
	"net/http"
	"strconv"

	plaid "github.com/plaid/plaid-go/v20/plaid"
)

type Service struct {
	api   *plaid.APIClient
	items ItemStore
}

// LinkToken answers POST /api/link-token; with ?item=ID it is for update mode.
func (s *Service) LinkToken(w http.ResponseWriter, r *http.Request) {
	account := AccountFrom(r.Context())
	user := plaid.LinkTokenCreateRequestUser{ClientUserId: strconv.FormatInt(account.ID, 10)}
	req := plaid.NewLinkTokenCreateRequest("Tally", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US}, user)
	if itemID := r.URL.Query().Get("item"); itemID != "" {
		item, err := s.items.Find(r.Context(), account.ID, itemID)
		if err != nil {
			http.Error(w, "no such item", http.StatusNotFound)
			return
		}
		req.SetAccessToken(item.AccessToken)
	} else {
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
	}

	resp, _, err := s.api.PlaidApi.LinkTokenCreate(r.Context()).LinkTokenCreateRequest(*req).Execute()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"link_token": resp.GetLinkToken()})
}
