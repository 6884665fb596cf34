package emulator

import (
	"slices"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

const (
	maxInstitutionsCount = 500
	maxSearchResults     = 10
)

// institutionJSON is Plaid's Institution object.
type institutionJSON struct {
	InstitutionID             string           `json:"institution_id"`
	Name                      string           `json:"name"`
	Products                  []string         `json:"products"`
	CountryCodes              []string         `json:"country_codes"`
	URL                       *string          `json:"url,omitempty"`
	PrimaryColor              *string          `json:"primary_color,omitempty"`
	Logo                      *string          `json:"logo,omitempty"`
	RoutingNumbers            []string         `json:"routing_numbers"`
	OAuth                     bool             `json:"oauth"`
	Status                    *instStatus      `json:"status,omitempty"`
	PaymentInitiationMetadata *paymentInitJSON `json:"payment_initiation_metadata,omitempty"`
	AuthMetadata              *authMetaJSON    `json:"auth_metadata,omitempty"`
}

type paymentInitJSON struct {
	SupportsInternationalPayments bool              `json:"supports_international_payments"`
	SupportsSepaInstant           bool              `json:"supports_sepa_instant"`
	MaximumPaymentAmount          map[string]string `json:"maximum_payment_amount"`
	SupportsRefundDetails         bool              `json:"supports_refund_details"`
	StandingOrderMetadata         *standingOrders   `json:"standing_order_metadata"`
}

type standingOrders struct {
	SupportsEndDate               bool     `json:"supports_standing_order_end_date"`
	SupportsNegativeExecutionDays bool     `json:"supports_standing_order_negative_execution_days"`
	ValidIntervals                []string `json:"valid_standing_order_intervals"`
}

type authMetaJSON struct {
	SupportedMethods *authMethodsJSON `json:"supported_methods"`
}

type authMethodsJSON struct {
	InstantAuth            bool `json:"instant_auth"`
	InstantMatch           bool `json:"instant_match"`
	AutomatedMicroDeposits bool `json:"automated_micro_deposits"`
	InstantMicroDeposits   bool `json:"instant_micro_deposits"`
}

type instStatus struct {
	ItemLogins          *productStatus `json:"item_logins"`
	TransactionsUpdates *productStatus `json:"transactions_updates"`
	Auth                *productStatus `json:"auth"`
	Identity            *productStatus `json:"identity"`
}

type productStatus struct {
	Status           string          `json:"status"`
	LastStatusChange time.Time       `json:"last_status_change"`
	Breakdown        statusBreakdown `json:"breakdown"`
}

type statusBreakdown struct {
	Success          float64 `json:"success"`
	ErrorPlaid       float64 `json:"error_plaid"`
	ErrorInstitution float64 `json:"error_institution"`
	RefreshInterval  string  `json:"refresh_interval"`
}

// institutionOptions are the include_* options of the institutions
// endpoints.
type institutionOptions struct {
	IncludeOptionalMetadata          *bool `json:"include_optional_metadata"`
	IncludeAuthMetadata              *bool `json:"include_auth_metadata"`
	IncludePaymentInitiationMetadata *bool `json:"include_payment_initiation_metadata"`
	IncludeStatus                    *bool `json:"include_status"`
}

func isTrue(b *bool) bool { return b != nil && *b }

// renderInstitution renders inst with only the metadata opts ask for.
func renderInstitution(inst sandbox.Institution, opts institutionOptions, now time.Time) institutionJSON {
	j := institutionJSON{
		InstitutionID:  inst.ID,
		Name:           inst.Name,
		Products:       append([]string{}, inst.Products...),
		CountryCodes:   append([]string{}, inst.CountryCodes...),
		RoutingNumbers: append([]string{}, inst.RoutingNumbers...),
		OAuth:          inst.OAuth,
	}
	if isTrue(opts.IncludeOptionalMetadata) {
		j.URL, j.PrimaryColor, j.Logo = nonEmpty(inst.URL), nonEmpty(inst.PrimaryColor), nonEmpty(inst.Logo)
	}
	if pi := inst.PaymentInitiation; pi != nil && isTrue(opts.IncludePaymentInitiationMetadata) {
		j.PaymentInitiationMetadata = &paymentInitJSON{
			SupportsInternationalPayments: pi.SupportsInternationalPayments,
			SupportsSepaInstant:           pi.SupportsSepaInstant,
			MaximumPaymentAmount:          pi.MaximumPaymentAmount,
			SupportsRefundDetails:         pi.SupportsRefundDetails,
		}
		if so := pi.StandingOrders; so != nil {
			j.PaymentInitiationMetadata.StandingOrderMetadata = &standingOrders{
				SupportsEndDate: so.SupportsEndDate, SupportsNegativeExecutionDays: so.SupportsNegativeExecutionDays,
				ValidIntervals: append([]string{}, so.ValidIntervals...),
			}
		}
	}
	if m := inst.AuthMethods; m != nil && isTrue(opts.IncludeAuthMetadata) {
		j.AuthMetadata = &authMetaJSON{SupportedMethods: &authMethodsJSON{
			InstantAuth: m.InstantAuth, InstantMatch: m.InstantMatch,
			AutomatedMicroDeposits: m.AutomatedMicroDeposits, InstantMicroDeposits: m.InstantMicroDeposits,
		}}
	}
	if isTrue(opts.IncludeStatus) {
		j.Status = renderStatus(inst, now)
	}
	return j
}

// renderStatus gives every product the institution's health, changed a
// day ago.
func renderStatus(inst sandbox.Institution, now time.Time) *instStatus {
	health := inst.Health
	if health == "" {
		health = "HEALTHY"
	}
	b := map[string]statusBreakdown{
		"HEALTHY":  {Success: 0.99, ErrorPlaid: 0.005, ErrorInstitution: 0.005, RefreshInterval: "NORMAL"},
		"DEGRADED": {Success: 0.62, ErrorPlaid: 0.03, ErrorInstitution: 0.35, RefreshInterval: "DELAYED"},
		"DOWN":     {Success: 0.02, ErrorPlaid: 0.01, ErrorInstitution: 0.97, RefreshInterval: "STOPPED"},
	}[health]
	ps := func() *productStatus {
		return &productStatus{Status: health, LastStatusChange: now.Add(-24 * time.Hour).Truncate(time.Second), Breakdown: b}
	}
	return &instStatus{ItemLogins: ps(), TransactionsUpdates: ps(), Auth: ps(), Identity: ps()}
}

// instFilter selects institutions.
type instFilter struct {
	countries []string
	products  []string
	routing   []string
	oauth     *bool
}

func (f instFilter) match(inst sandbox.Institution) bool {
	if !slices.ContainsFunc(f.countries, func(cc string) bool { return slices.Contains(inst.CountryCodes, cc) }) {
		return false
	}
	for _, p := range f.products {
		if !slices.Contains(inst.Products, p) {
			return false
		}
	}
	for _, rn := range f.routing {
		if !slices.Contains(inst.RoutingNumbers, rn) {
			return false
		}
	}
	return f.oauth == nil || *f.oauth == inst.OAuth
}

type institutionsGetRequest struct {
	Count        *int     `json:"count" plaid:"required"`
	Offset       *int     `json:"offset" plaid:"required"`
	CountryCodes []string `json:"country_codes" plaid:"required"`
	Options      *struct {
		institutionOptions
		Products       []string `json:"products"`
		RoutingNumbers []string `json:"routing_numbers"`
		OAuth          *bool    `json:"oauth"`
	} `json:"options"`
}

type institutionsGetResponse struct {
	Institutions []institutionJSON `json:"institutions"`
	Total        int               `json:"total"`
	RequestID    string            `json:"request_id"`
}

// institutionsGet serves /institutions/get: count/offset paging over the
// institutions that match the filters.
func institutionsGet(e *Emulator, c *call, req *institutionsGetRequest) (any, *sandbox.Error) {
	count, offset := *req.Count, *req.Offset
	if count < 1 || count > maxInstitutionsCount {
		return nil, apiError("INVALID_FIELD", "count must be between 1 and %d, got %d", maxInstitutionsCount, count)
	}
	if offset < 0 {
		return nil, apiError("INVALID_FIELD", "offset must be 0 or more, got %d", offset)
	}
	if err := checkCountryCodes(req.CountryCodes); err != nil {
		return nil, err
	}
	f := instFilter{countries: req.CountryCodes}
	var opts institutionOptions
	if o := req.Options; o != nil {
		if err := checkProductFilter(o.Products); err != nil {
			return nil, err
		}
		f.products, f.routing, f.oauth, opts = o.Products, o.RoutingNumbers, o.OAuth, o.institutionOptions
		opts.IncludeStatus = nil // not an option of /institutions/get
	}
	var matched []sandbox.Institution
	for _, inst := range sandbox.Institutions() {
		if f.match(inst) {
			matched = append(matched, inst)
		}
	}
	resp := institutionsGetResponse{Institutions: []institutionJSON{}, Total: len(matched), RequestID: c.requestID}
	now := e.Now()
	for _, inst := range matched[min(offset, len(matched)):min(offset+count, len(matched))] {
		resp.Institutions = append(resp.Institutions, renderInstitution(inst, opts, now))
	}
	return resp, nil
}

// checkProductFilter validates a products filter; balance is a valid
// filter here, unlike in /link/token/create.
func checkProductFilter(products []string) *sandbox.Error {
	valid := productSet()
	for _, p := range products {
		if !valid.set[p] {
			return apiError("INVALID_PRODUCT", "%q is not a Plaid product; valid products are: %s", p, valid.list)
		}
	}
	return nil
}

type institutionsSearchRequest struct {
	Query        string   `json:"query" plaid:"required"`
	Products     []string `json:"products"`
	CountryCodes []string `json:"country_codes" plaid:"required"`
	Options      *struct {
		institutionOptions
		OAuth *bool `json:"oauth"`
	} `json:"options"`
}

type institutionsSearchResponse struct {
	Institutions []institutionJSON `json:"institutions"`
	RequestID    string            `json:"request_id"`
}

// institutionsSearch serves /institutions/search: institutions whose name
// holds every word of the query, names starting with it first, at most 10.
func institutionsSearch(e *Emulator, c *call, req *institutionsSearchRequest) (any, *sandbox.Error) {
	if err := checkCountryCodes(req.CountryCodes); err != nil {
		return nil, err
	}
	if err := checkProductFilter(req.Products); err != nil {
		return nil, err
	}
	f := instFilter{countries: req.CountryCodes, products: req.Products}
	var opts institutionOptions
	if o := req.Options; o != nil {
		f.oauth, opts = o.OAuth, o.institutionOptions
		opts.IncludeStatus = nil
	}
	words := strings.Fields(strings.ToLower(req.Query))
	var prefixed, others []sandbox.Institution
	for _, inst := range sandbox.Institutions() {
		name := strings.ToLower(inst.Name)
		if !f.match(inst) || !containsAll(name, words) {
			continue
		}
		if strings.HasPrefix(name, strings.ToLower(strings.TrimSpace(req.Query))) {
			prefixed = append(prefixed, inst)
		} else {
			others = append(others, inst)
		}
	}
	resp := institutionsSearchResponse{Institutions: []institutionJSON{}, RequestID: c.requestID}
	now := e.Now()
	for _, inst := range append(prefixed, others...) {
		if len(resp.Institutions) == maxSearchResults {
			break
		}
		resp.Institutions = append(resp.Institutions, renderInstitution(inst, opts, now))
	}
	return resp, nil
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

type institutionsGetByIDRequest struct {
	InstitutionID string              `json:"institution_id" plaid:"required"`
	CountryCodes  []string            `json:"country_codes" plaid:"required"`
	Options       *institutionOptions `json:"options"`
}

type institutionResponse struct {
	Institution institutionJSON `json:"institution"`
	RequestID   string          `json:"request_id"`
}

// institutionsGetByID serves /institutions/get_by_id.
func institutionsGetByID(e *Emulator, c *call, req *institutionsGetByIDRequest) (any, *sandbox.Error) {
	if err := checkCountryCodes(req.CountryCodes); err != nil {
		return nil, err
	}
	inst, ok := sandbox.InstitutionByID(req.InstitutionID)
	if !ok || !(instFilter{countries: req.CountryCodes}).match(inst) {
		return nil, apiError("INVALID_INSTITUTION", "invalid institution_id provided: %q is not a Sandbox institution in %v", req.InstitutionID, req.CountryCodes)
	}
	var opts institutionOptions
	if req.Options != nil {
		opts = *req.Options
	}
	return institutionResponse{Institution: renderInstitution(inst, opts, e.Now()), RequestID: c.requestID}, nil
}
