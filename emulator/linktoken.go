package emulator

import (
	"slices"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/link"
	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/jsonenc"
)

type linkTokenCreateRequest struct {
	ClientName   string         `json:"client_name" plaid:"required"`
	Language     string         `json:"language" plaid:"required"`
	CountryCodes []string       `json:"country_codes" plaid:"required"`
	User         *linkTokenUser `json:"user" plaid:"required"`

	Products                    []string                 `json:"products"`
	RequiredIfSupportedProducts []string                 `json:"required_if_supported_products"`
	OptionalProducts            []string                 `json:"optional_products"`
	AdditionalConsentedProducts []string                 `json:"additional_consented_products"`
	Webhook                     *string                  `json:"webhook"`
	AccessToken                 *string                  `json:"access_token"`
	RedirectURI                 *string                  `json:"redirect_uri"`
	AccountFilters              map[string]accountFilter `json:"account_filters"`
	Update                      *struct {
		AccountSelectionEnabled bool `json:"account_selection_enabled"`
	} `json:"update"`
	Auth *linkTokenAuth `json:"auth"`
}

// linkTokenAuth is /link/token/create's auth object: which extended Auth
// flows the Link session offers. The emulator implements Automated
// Micro-deposits; the others are checked and accepted.
type linkTokenAuth struct {
	AuthTypeSelectEnabled         *bool   `json:"auth_type_select_enabled"`
	AutomatedMicrodepositsEnabled *bool   `json:"automated_microdeposits_enabled"`
	InstantMatchEnabled           *bool   `json:"instant_match_enabled"`
	SameDayMicrodepositsEnabled   *bool   `json:"same_day_microdeposits_enabled"`
	InstantMicrodepositsEnabled   *bool   `json:"instant_microdeposits_enabled"`
	DatabaseMatchEnabled          *bool   `json:"database_match_enabled"`
	RerouteToCredentials          *string `json:"reroute_to_credentials"`
	FlowType                      *string `json:"flow_type"`
}

// checkAuthOptions validates the auth object as Plaid documents it:
// Auth Type Select only with Same-Day Micro-deposits, and micro-deposit
// flows only for country_codes ["US"] (reference §2.1).
func checkAuthOptions(a *linkTokenAuth, countries []string) *sandbox.Error {
	if a == nil {
		return nil
	}
	if isTrue(a.AuthTypeSelectEnabled) && !isTrue(a.SameDayMicrodepositsEnabled) {
		return apiError("INVALID_FIELD", "auth.auth_type_select_enabled can only be true when auth.same_day_microdeposits_enabled is true")
	}
	md := isTrue(a.AutomatedMicrodepositsEnabled) || isTrue(a.SameDayMicrodepositsEnabled) || isTrue(a.InstantMicrodepositsEnabled)
	if md && !slices.Equal(countries, []string{"US"}) {
		return apiError("INVALID_FIELD", "micro-deposit flows (auth.*_microdeposits_enabled) are only available in the United States: country_codes must be exactly [\"US\"], got %v", countries)
	}
	return nil
}

type linkTokenUser struct {
	ClientUserID string `json:"client_user_id"`
}

// linkTokenCreateAccepted are /link/token/create fields the emulator accepts
// and ignores (product configurations, Hosted Link, Layer...).
var linkTokenCreateAccepted = []string{
	"access_tokens", "link_customization_name", "android_package_name", "institution_data",
	"card_switch", "eu_config", "institution_id", "payment_initiation", "deposit_switch",
	"employment", "income_verification", "base_report", "consumer_report_permissible_purpose",
	"transfer", "identity_verification", "statements", "user_token", "investments",
	"investments_auth", "hosted_link", "transactions", "cra_enabled",
}

type linkTokenCreateResponse struct {
	LinkToken  string    `json:"link_token"`
	Expiration time.Time `json:"expiration"`
	RequestID  string    `json:"request_id"`
}

// appendJSON writes the response as encoding/json would.
func (r linkTokenCreateResponse) appendJSON(buf []byte) []byte {
	buf = append(buf, `{"link_token":`...)
	buf = jsonenc.AppendString(buf, r.LinkToken)
	buf = append(buf, `,"expiration":"`...)
	buf = r.Expiration.AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, `","request_id":`...)
	buf = jsonenc.AppendString(buf, r.RequestID)
	return append(buf, '}')
}

// linkTokenCreate serves /link/token/create, in new-Item mode and, with an
// access_token, in update mode.
func linkTokenCreate(e *Emulator, c *call, req *linkTokenCreateRequest) (any, *sandbox.Error) {
	if err := e.checkLinkTokenCreate(req); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.Now().Truncate(time.Second)
	info := link.TokenInfo{
		Token:          newToken(kindLink),
		ClientName:     req.ClientName,
		Products:       req.Products, // req is this request's own, decoded for it
		CountryCodes:   req.CountryCodes,
		Language:       req.Language,
		Webhook:        deref(req.Webhook),
		RedirectURI:    deref(req.RedirectURI),
		CreatedAt:      now,
		Expiration:     now.Add(linkTokenLifetime),
		AccountFilters: subtypesByType(req.AccountFilters),
		// Automated Micro-deposits is opt-in, as Plaid's Auth docs say to
		// set auth.automated_microdeposits_enabled.
		AutomatedMicroDeposits: req.Auth != nil && isTrue(req.Auth.AutomatedMicrodepositsEnabled),
	}
	if info.Products == nil {
		info.Products = []string{}
	}
	if req.AccessToken != nil {
		it, err := e.itemLocked(*req.AccessToken)
		if err != nil {
			return nil, err
		}
		info.UpdateMode, info.ItemID, info.InstitutionID = true, it.ID, it.InstitutionID
		info.AccountSelection = req.Update != nil && req.Update.AccountSelectionEnabled
		info.Expiration = now.Add(updateLinkTokenLifetime)
	}
	e.st.addLinkToken(&linkToken{TokenInfo: info}, now)
	e.changedLinkToken(info.Token)
	return linkTokenCreateResponse{LinkToken: info.Token, Expiration: info.Expiration, RequestID: c.requestID}, nil
}

// checkLinkTokenCreate validates a /link/token/create request as Plaid does.
func (e *Emulator) checkLinkTokenCreate(req *linkTokenCreateRequest) *sandbox.Error {
	if req.User.ClientUserID == "" {
		return missingFields([]string{"user.client_user_id"})
	}
	update := req.AccessToken != nil
	if !update && len(req.Products) == 0 {
		return apiError("MISSING_FIELDS", "the following required fields are missing: products (required unless access_token is set for update mode)")
	}
	if err := checkLanguage(req.Language); err != nil {
		return err
	}
	if err := checkCountryCodes(req.CountryCodes); err != nil {
		return err
	}
	if err := checkProductLists(req); err != nil {
		return err
	}
	if req.Webhook != nil {
		if err := checkWebhook(*req.Webhook, ""); err != nil {
			return err
		}
	}
	if req.RedirectURI != nil {
		if err := e.checkRedirectURI(*req.RedirectURI); err != nil {
			return err
		}
	}
	if err := checkAccountFilters(req.AccountFilters); err != nil {
		return err
	}
	if err := checkAuthOptions(req.Auth, req.CountryCodes); err != nil {
		return err
	}
	if update && req.AccountFilters != nil && (req.Update == nil || !req.Update.AccountSelectionEnabled) {
		return apiError("INVALID_FIELD", "account_filters can be used in update mode only with update.account_selection_enabled set to true")
	}
	return nil
}

// checkProductLists validates products and the other product lists, which
// must not repeat a product of products.
func checkProductLists(req *linkTokenCreateRequest) *sandbox.Error {
	if err := checkProducts("products", req.Products); err != nil {
		return err
	}
	others := []struct {
		name string
		ps   []string
	}{
		{"required_if_supported_products", req.RequiredIfSupportedProducts},
		{"optional_products", req.OptionalProducts},
		{"additional_consented_products", req.AdditionalConsentedProducts},
	}
	for _, o := range others {
		if err := checkProducts(o.name, o.ps); err != nil {
			return err
		}
		if err := checkNoOverlap(req.Products, o.name, o.ps); err != nil {
			return err
		}
	}
	return nil
}

// subtypesByType flattens account_filters for link.TokenInfo.
func subtypesByType(filters map[string]accountFilter) map[string][]string {
	if filters == nil {
		return nil
	}
	out := make(map[string][]string, len(filters))
	for typ, f := range filters {
		out[typ] = slices.Clone(f.AccountSubtypes)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type linkTokenGetRequest struct {
	LinkToken string `json:"link_token" plaid:"required"`
}

type linkTokenGetResponse struct {
	LinkToken  string            `json:"link_token"`
	CreatedAt  time.Time         `json:"created_at"`
	Expiration time.Time         `json:"expiration"`
	Metadata   linkTokenMetadata `json:"metadata"`
	RequestID  string            `json:"request_id"`
}

type linkTokenMetadata struct {
	InitialProducts []string                 `json:"initial_products"`
	Webhook         *string                  `json:"webhook"`
	CountryCodes    []string                 `json:"country_codes"`
	Language        *string                  `json:"language"`
	AccountFilters  map[string]accountFilter `json:"account_filters,omitempty"`
	RedirectURI     *string                  `json:"redirect_uri"`
	ClientName      *string                  `json:"client_name"`
}

// linkTokenGet serves /link/token/get. Expired and invalidated tokens give
// INVALID_LINK_TOKEN, as they do in Link.
func linkTokenGet(e *Emulator, c *call, req *linkTokenGetRequest) (any, *sandbox.Error) {
	info, err := e.linkToken(req.LinkToken)
	if err != nil {
		return nil, err
	}
	md := linkTokenMetadata{
		InitialProducts: info.Products,
		Webhook:         nonEmpty(info.Webhook),
		CountryCodes:    info.CountryCodes,
		Language:        nonEmpty(info.Language),
		RedirectURI:     nonEmpty(info.RedirectURI),
		ClientName:      nonEmpty(info.ClientName),
	}
	if info.AccountFilters != nil {
		md.AccountFilters = make(map[string]accountFilter, len(info.AccountFilters))
		for typ, subtypes := range info.AccountFilters {
			md.AccountFilters[typ] = accountFilter{AccountSubtypes: subtypes}
		}
	}
	return linkTokenGetResponse{
		LinkToken: info.Token, CreatedAt: info.CreatedAt, Expiration: info.Expiration,
		Metadata: md, RequestID: c.requestID,
	}, nil
}

// linkToken looks a link_token up: an unknown, expired or invalidated one
// is INVALID_LINK_TOKEN, with the reason in the message.
func (e *Emulator) linkToken(token string) (link.TokenInfo, *sandbox.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.linkTokenLocked(token)
}

func (e *Emulator) linkTokenLocked(token string) (link.TokenInfo, *sandbox.Error) {
	lt, ok := e.st.linkTokens[token]
	switch {
	case !ok:
		return link.TokenInfo{}, apiError("INVALID_LINK_TOKEN", "invalid link_token provided: no such token; create one with /link/token/create")
	case lt.InvalidatedAt != nil:
		return link.TokenInfo{}, apiError("INVALID_LINK_TOKEN", "invalid link_token provided: it was invalidated at %s; create a new one with /link/token/create", lt.InvalidatedAt.Format(time.RFC3339))
	case !e.Now().Before(lt.Expiration):
		return link.TokenInfo{}, apiError("INVALID_LINK_TOKEN", "invalid link_token provided: it expired at %s; create a new one with /link/token/create", lt.Expiration.Format(time.RFC3339))
	}
	info := lt.TokenInfo
	info.Products = slices.Clone(info.Products)
	info.CountryCodes = slices.Clone(info.CountryCodes)
	if lt.AccountFilters != nil {
		info.AccountFilters = make(map[string][]string, len(lt.AccountFilters))
		for typ, subtypes := range lt.AccountFilters {
			info.AccountFilters[typ] = slices.Clone(subtypes)
		}
	}
	return info, nil
}
