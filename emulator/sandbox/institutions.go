package sandbox

import (
	"slices"
	"strings"
)

// Institution health values.
const (
	HealthHealthy  = "HEALTHY"
	HealthDegraded = "DEGRADED"
	HealthDown     = "DOWN"
)

// sandboxDocsURL is the url of the Sandbox-only institutions: they have no
// website of their own, so they point at Plaid's page describing them.
const sandboxDocsURL = "https://plaid.com/docs/sandbox/institutions/"

// Product sets. Every institution supports balance, as in Plaid.
var (
	prodUSFull = []string{
		"assets", "auth", "balance", "credit_details", "identity", "identity_match",
		"income", "income_verification", "investments", "liabilities",
		"recurring_transactions", "signal", "statements", "transactions", "transfer",
	}
	prodUSBank = []string{
		"assets", "auth", "balance", "identity", "identity_match", "liabilities",
		"recurring_transactions", "signal", "transactions", "transfer",
	}
	prodCore       = []string{"auth", "balance", "identity", "transactions"}
	prodBrokerage  = []string{"assets", "auth", "balance", "identity", "investments", "investments_auth", "transactions"}
	prodCardIssuer = []string{"balance", "identity", "liabilities", "transactions"}
	prodOpenBank   = []string{"assets", "auth", "balance", "identity", "payment_initiation", "transactions"}
	prodCA         = []string{"assets", "auth", "balance", "identity", "investments", "transactions"}

	countriesEU = []string{"ES", "NL", "FR", "IE", "DE", "IT", "PL", "DK", "NO", "SE", "EE", "LT", "LV", "PT", "BE"}
)

// Auth metadata of the institutions that have it.
var (
	authInstant   = &AuthMethods{InstantAuth: true}
	authMatchAMD  = &AuthMethods{InstantMatch: true, AutomatedMicroDeposits: true}
	authInstantMD = &AuthMethods{InstantMicroDeposits: true}
)

// ukPaymentInitiation is the payment_initiation_metadata of the GB banks.
func ukPaymentInitiation(maxGBP string) *PaymentInitiationMetadata {
	return &PaymentInitiationMetadata{
		SupportsInternationalPayments: true,
		MaximumPaymentAmount:          map[string]string{"GBP": maxGBP},
		SupportsRefundDetails:         true,
		StandingOrders: &StandingOrderMetadata{
			SupportsEndDate:               true,
			SupportsNegativeExecutionDays: false,
			ValidIntervals:                []string{"WEEKLY", "MONTHLY"},
		},
	}
}

// institutionData is the data set: the Sandbox-only institutions of reference
// §3.1 first, then mirrors of production institutions. The ids of ins_1,
// ins_3, ins_4 and ins_12 follow the reference; the other mirrors use
// Plaid-style ids for illustration. Routing numbers are real ABA numbers of
// each bank and never shared between institutions.
var institutionData = []Institution{
	{ID: "ins_109508", Name: "First Platypus Bank", Products: prodUSFull, CountryCodes: []string{"US"},
		RoutingNumbers: []string{"011401533"}, URL: sandboxDocsURL, PrimaryColor: "#1f6a5c", AuthMethods: authInstant},
	{ID: "ins_130016", Name: "First Platypus Balance Bank", Products: prodUSFull, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#2b7a68", AuthMethods: authInstant},
	{ID: "ins_109509", Name: "First Gingham Credit Union", Products: prodUSFull, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#b33c3c", AuthMethods: authInstant},
	{ID: "ins_109510", Name: "Tattersall Federal Credit Union", Products: prodUSFull, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#3c5fb3", AuthMethods: authInstant},
	{ID: "ins_109511", Name: "Tartan Bank", Products: prodUSFull, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#7a2b5c", AuthMethods: authInstant},
	{ID: "ins_109512", Name: "Houndstooth Bank", Products: prodCore, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#4a4a4a", AuthMethods: authMatchAMD},
	{ID: "ins_43", Name: "Tartan-Dominion Bank of Canada", Products: prodCA, CountryCodes: []string{"CA"},
		URL: sandboxDocsURL, PrimaryColor: "#8c1d2f", AuthMethods: authInstant},
	{ID: "ins_116834", Name: "Flexible Platypus Open Banking", Products: prodOpenBank, CountryCodes: []string{"GB"},
		OAuth: true, URL: sandboxDocsURL, PrimaryColor: "#5c2b7a", PaymentInitiation: ukPaymentInitiation("10000")},
	{ID: "ins_117650", Name: "Royal Bank of Plaid", Products: prodOpenBank, CountryCodes: []string{"GB"},
		OAuth: true, URL: sandboxDocsURL, PrimaryColor: "#1a3d8f", PaymentInitiation: ukPaymentInitiation("10000")},
	{ID: "ins_127287", Name: "Platypus OAuth Bank", Products: prodUSFull, CountryCodes: []string{"US"},
		OAuth: true, URL: sandboxDocsURL, PrimaryColor: "#0b8a8a", AuthMethods: authInstant},
	{ID: "ins_132241", Name: "First Platypus OAuth App2App Bank", Products: prodCore, CountryCodes: []string{"US"},
		OAuth: true, URL: sandboxDocsURL, PrimaryColor: "#0b6e8a", AuthMethods: authInstant},
	{ID: "ins_117181", Name: "Flexible Platypus Open Banking (QR)", Products: prodOpenBank, CountryCodes: countriesEU,
		OAuth: true, URL: sandboxDocsURL, PrimaryColor: "#5c2b8a", PaymentInitiation: &PaymentInitiationMetadata{
			SupportsSepaInstant: true, MaximumPaymentAmount: map[string]string{"EUR": "15000"}, SupportsRefundDetails: true,
		}},
	{ID: "ins_135858", Name: "Windowpane Bank", Products: []string{"auth", "balance"}, CountryCodes: []string{"US"},
		RoutingNumbers: []string{"333333334"}, URL: sandboxDocsURL, PrimaryColor: "#6fa8dc", AuthMethods: authInstantMD},
	{ID: "ins_132363", Name: "Unhealthy Platypus Bank - Degraded", Products: prodCore, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#c27c0e", Health: HealthDegraded, AuthMethods: authInstant},
	{ID: "ins_132361", Name: "Unhealthy Platypus Bank - Down", Products: prodCore, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#a61c00", Health: HealthDown, AuthMethods: authInstant},
	{ID: "ins_133402", Name: "Unsupported Platypus Bank", Products: prodCore, CountryCodes: []string{"US"},
		URL: sandboxDocsURL, PrimaryColor: "#666666", NotSupported: true},

	// Production mirrors, US.
	{ID: "ins_1", Name: "Bank of America", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{
			"011000138", "011200365", "011400495", "011900254", "021000322", "021200339",
			"026009593", "051000017", "052001633", "053000196", "054001204", "061000052",
			"063100277", "064000020", "071000039", "073000176", "081000032", "081904808",
			"082000073", "101000035", "107000327", "111000025", "113000023", "121000358",
			"122000661", "122101706", "122400724", "123103716", "125000024",
		},
		URL: "https://www.bankofamerica.com", PrimaryColor: "#e31837", AuthMethods: authInstant},
	{ID: "ins_3", Name: "Chase", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{
			"021000021", "021100361", "022300173", "044000037", "051900366", "065400137",
			"071000013", "072000326", "074000010", "075000019", "083000137", "102001017",
			"103000648", "111000614", "122100024", "123271978", "124001545", "267084131",
			"322271627", "325070760",
		},
		URL: "https://www.chase.com", PrimaryColor: "#117aca", AuthMethods: authInstant},
	{ID: "ins_4", Name: "Wells Fargo", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{
			"031000503", "041215537", "053000219", "053101121", "055003201", "062000080",
			"063107513", "064003768", "071101307", "073000228", "091000019", "091400046",
			"102000076", "107002192", "111900659", "112000066", "121000248", "121042882",
			"122105278", "123006800", "124002971", "125008547", "125200057",
		},
		URL: "https://www.wellsfargo.com", PrimaryColor: "#d71e28", AuthMethods: authInstant},
	{ID: "ins_5", Name: "Citibank Online", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{"021000089", "221172610", "254070116", "266086554", "271070801", "311972526", "321171184", "322271724"},
		URL:            "https://online.citi.com", PrimaryColor: "#056dae", AuthMethods: authInstant},
	{ID: "ins_7", Name: "USAA", Products: prodUSBank, CountryCodes: []string{"US"},
		RoutingNumbers: []string{"314074269"}, URL: "https://www.usaa.com", PrimaryColor: "#12395b", AuthMethods: authInstant},
	{ID: "ins_9", Name: "Capital One", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{"031176110", "051405515", "056073502", "065000090", "255071981"},
		URL:            "https://www.capitalone.com", PrimaryColor: "#004977", AuthMethods: authInstant},
	{ID: "ins_10", Name: "American Express", Products: prodCardIssuer, CountryCodes: []string{"US"}, OAuth: true,
		URL: "https://www.americanexpress.com", PrimaryColor: "#006fcf"},
	{ID: "ins_11", Name: "Charles Schwab", Products: prodBrokerage, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{"121202211"}, URL: "https://www.schwab.com", PrimaryColor: "#00a0df", AuthMethods: authInstant},
	{ID: "ins_12", Name: "Fidelity", Products: prodBrokerage, CountryCodes: []string{"US"},
		RoutingNumbers: []string{"101205681"}, URL: "https://www.fidelity.com", PrimaryColor: "#368727", AuthMethods: authInstant},
	{ID: "ins_13", Name: "PNC", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{"031000053", "031207607", "041000124", "042000398", "043000096", "054000030", "071921891", "083000108", "267084199"},
		URL:            "https://www.pnc.com", PrimaryColor: "#ef7622", AuthMethods: authInstant},
	{ID: "ins_14", Name: "TD Bank", Products: prodUSBank, CountryCodes: []string{"US"},
		RoutingNumbers: []string{"011103093", "026013673", "031101266", "036001808", "054001725", "067014822", "211274450", "211370545"},
		URL:            "https://www.td.com/us", PrimaryColor: "#2a8b18", AuthMethods: authInstant},
	{ID: "ins_15", Name: "Navy Federal Credit Union", Products: prodUSBank, CountryCodes: []string{"US"},
		RoutingNumbers: []string{"256074974"}, URL: "https://www.navyfederal.org", PrimaryColor: "#003b70", AuthMethods: authInstant},
	{ID: "ins_127989", Name: "U.S. Bank", Products: prodUSBank, CountryCodes: []string{"US"}, OAuth: true,
		RoutingNumbers: []string{"042000013", "064000059", "071904779", "081000210", "091000022", "101000187", "102000021", "104000029", "121122676", "122235821", "123000220", "125000105"},
		URL:            "https://www.usbank.com", PrimaryColor: "#0c2074", AuthMethods: authInstant},

	// Production mirrors, GB (all OAuth under the UK's Open Banking rules).
	{ID: "ins_117243", Name: "Monzo", Products: prodOpenBank, CountryCodes: []string{"GB"}, OAuth: true,
		URL: "https://monzo.com", PrimaryColor: "#ff4f40", PaymentInitiation: ukPaymentInitiation("25000")},
	{ID: "ins_118393", Name: "Barclays - Personal", Products: prodOpenBank, CountryCodes: []string{"GB"}, OAuth: true,
		URL: "https://www.barclays.co.uk", PrimaryColor: "#00aeef", PaymentInitiation: ukPaymentInitiation("25000")},
	{ID: "ins_118274", Name: "HSBC (UK) - Personal", Products: prodOpenBank, CountryCodes: []string{"GB"}, OAuth: true,
		URL: "https://www.hsbc.co.uk", PrimaryColor: "#db0011", PaymentInitiation: ukPaymentInitiation("25000")},
	{ID: "ins_118277", Name: "Lloyds Bank - Personal", Products: prodOpenBank, CountryCodes: []string{"GB"}, OAuth: true,
		URL: "https://www.lloydsbank.com", PrimaryColor: "#006a4d", PaymentInitiation: ukPaymentInitiation("25000")},
}

// institutionIndex maps an id to its position in institutionData.
var institutionIndex = func() map[string]int {
	m := make(map[string]int, len(institutionData))
	for i, ins := range institutionData {
		m[ins.ID] = i
	}
	return m
}()

func institutions() []Institution {
	out := make([]Institution, len(institutionData))
	for i, ins := range institutionData {
		out[i] = ins.clone()
	}
	return out
}

func institutionByID(id string) (Institution, bool) {
	i, ok := institutionIndex[id]
	if !ok {
		return Institution{}, false
	}
	return institutionData[i].clone(), true
}

// InstitutionsMatching returns, in the stable order of Institutions, the
// institutions whose name contains every word of query (case-insensitive;
// an empty query matches all), that serve at least one of countryCodes
// (none given: any country) and that support every product in products
// (Plaid's rule for /institutions/search).
func InstitutionsMatching(query string, countryCodes, products []string) []Institution {
	words := strings.Fields(strings.ToLower(query))
	var out []Institution
	for _, ins := range institutionData {
		if ins.matches(words, countryCodes, products) {
			out = append(out, ins.clone())
		}
	}
	return out
}

func (ins Institution) matches(words, countryCodes, products []string) bool {
	name := strings.ToLower(ins.Name)
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
	}
	if len(countryCodes) > 0 && !slices.ContainsFunc(countryCodes, ins.ServesCountry) {
		return false
	}
	for _, p := range products {
		if !ins.Supports(p) {
			return false
		}
	}
	return true
}

// Supports reports whether the institution offers product p.
func (ins Institution) Supports(p string) bool { return slices.Contains(ins.Products, p) }

// ServesCountry reports whether the institution is listed in country c.
func (ins Institution) ServesCountry(c string) bool { return slices.Contains(ins.CountryCodes, c) }

// clone deep-copies ins so callers cannot alter the shared data set.
func (ins Institution) clone() Institution {
	ins.Products = slices.Clone(ins.Products)
	ins.CountryCodes = slices.Clone(ins.CountryCodes)
	ins.RoutingNumbers = cloneNonNil(ins.RoutingNumbers)
	if ins.Health == "" {
		ins.Health = HealthHealthy
	}
	if ins.AuthMethods != nil {
		am := *ins.AuthMethods
		ins.AuthMethods = &am
	}
	if pi := ins.PaymentInitiation; pi != nil {
		c := *pi
		c.MaximumPaymentAmount = make(map[string]string, len(pi.MaximumPaymentAmount))
		for k, v := range pi.MaximumPaymentAmount {
			c.MaximumPaymentAmount[k] = v
		}
		if pi.StandingOrders != nil {
			so := *pi.StandingOrders
			so.ValidIntervals = slices.Clone(so.ValidIntervals)
			c.StandingOrders = &so
		}
		ins.PaymentInitiation = &c
	}
	return ins
}

// cloneNonNil copies s, returning an empty (not nil) slice for an empty s,
// so that required JSON arrays such as routing_numbers encode as [].
func cloneNonNil(s []string) []string {
	return append([]string{}, s...)
}
