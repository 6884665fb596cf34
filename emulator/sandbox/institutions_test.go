package sandbox

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestInstitutionsInvariants(t *testing.T) {
	color := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	seenID, seenName, seenRouting := map[string]bool{}, map[string]bool{}, map[string]string{}
	for _, ins := range Institutions() {
		if !regexp.MustCompile(`^ins_[0-9]+$`).MatchString(ins.ID) || seenID[ins.ID] {
			t.Errorf("bad or duplicate id %q", ins.ID)
		}
		if ins.Name == "" || seenName[ins.Name] {
			t.Errorf("%s: empty or duplicate name %q", ins.ID, ins.Name)
		}
		seenID[ins.ID], seenName[ins.Name] = true, true
		if len(ins.Products) == 0 || len(ins.CountryCodes) == 0 || ins.RoutingNumbers == nil {
			t.Errorf("%s: products, country codes and routing numbers are required: %+v", ins.ID, ins)
		}
		if !ins.Supports("balance") {
			t.Errorf("%s does not support balance", ins.ID)
		}
		for _, p := range ins.Products {
			if !ValidProduct(p) {
				t.Errorf("%s: unknown product %q", ins.ID, p)
			}
		}
		for _, c := range ins.CountryCodes {
			if !ValidCountryCode(c) {
				t.Errorf("%s: unknown country %q", ins.ID, c)
			}
		}
		for _, r := range ins.RoutingNumbers {
			if !validABA(r) {
				t.Errorf("%s: routing number %s fails the ABA checksum", ins.ID, r)
			}
			if other, dup := seenRouting[r]; dup {
				t.Errorf("routing number %s on both %s and %s", r, other, ins.ID)
			}
			seenRouting[r] = ins.ID
		}
		if !strings.HasPrefix(ins.URL, "https://") || !color.MatchString(ins.PrimaryColor) {
			t.Errorf("%s: url %q, colour %q", ins.ID, ins.URL, ins.PrimaryColor)
		}
		if !slices.Contains([]string{HealthHealthy, HealthDegraded, HealthDown}, ins.Health) {
			t.Errorf("%s: health %q", ins.ID, ins.Health)
		}
		if ins.Supports("payment_initiation") != (ins.PaymentInitiation != nil) {
			t.Errorf("%s: payment_initiation product and metadata disagree", ins.ID)
		}
		if ins.ServesCountry("GB") && !ins.OAuth {
			t.Errorf("%s: GB institutions are OAuth", ins.ID)
		}
	}
}

// validABA applies the ABA routing number checksum.
func validABA(r string) bool {
	if len(r) != 9 || !isDigits(r) {
		return false
	}
	w := []int{3, 7, 1}
	sum := 0
	for i, c := range r {
		sum += int(c-'0') * w[i%3]
	}
	return sum%10 == 0
}

func TestSandboxInstitutionsOfReference(t *testing.T) {
	tests := []struct {
		id, name string
		country  string
		oauth    bool
	}{
		{"ins_109508", "First Platypus Bank", "US", false},
		{"ins_130016", "First Platypus Balance Bank", "US", false},
		{"ins_109509", "First Gingham Credit Union", "US", false},
		{"ins_109510", "Tattersall Federal Credit Union", "US", false},
		{"ins_109511", "Tartan Bank", "US", false},
		{"ins_109512", "Houndstooth Bank", "US", false},
		{"ins_43", "Tartan-Dominion Bank of Canada", "CA", false},
		{"ins_116834", "Flexible Platypus Open Banking", "GB", true},
		{"ins_117650", "Royal Bank of Plaid", "GB", true},
		{"ins_127287", "Platypus OAuth Bank", "US", true},
		{"ins_132241", "First Platypus OAuth App2App Bank", "US", true},
		{"ins_117181", "Flexible Platypus Open Banking (QR)", "FR", true},
		{"ins_135858", "Windowpane Bank", "US", false},
		{"ins_132363", "Unhealthy Platypus Bank - Degraded", "US", false},
		{"ins_132361", "Unhealthy Platypus Bank - Down", "US", false},
		{"ins_133402", "Unsupported Platypus Bank", "US", false},
		{"ins_1", "Bank of America", "US", true},
		{"ins_3", "Chase", "US", true},
		{"ins_4", "Wells Fargo", "US", true},
		{"ins_12", "Fidelity", "US", false},
	}
	for i, tt := range tests {
		ins, ok := InstitutionByID(tt.id)
		if !ok {
			t.Errorf("%s missing", tt.id)
			continue
		}
		if ins.Name != tt.name || !ins.ServesCountry(tt.country) || ins.OAuth != tt.oauth {
			t.Errorf("%s = %q %v oauth=%v, want %q in %s oauth=%v", tt.id, ins.Name, ins.CountryCodes, ins.OAuth, tt.name, tt.country, tt.oauth)
		}
		if i < 16 && Institutions()[i].ID != tt.id {
			t.Errorf("Institutions()[%d] = %s, want the §3.1 institution %s first", i, Institutions()[i].ID, tt.id)
		}
	}
	if _, ok := InstitutionByID("ins_999999999"); ok {
		t.Error("unknown id found")
	}
}

func TestInstitutionSpecifics(t *testing.T) {
	get := func(id string) Institution {
		ins, ok := InstitutionByID(id)
		if !ok {
			t.Fatalf("%s missing", id)
		}
		return ins
	}
	if h := get("ins_109512"); h.AuthMethods == nil || !h.AuthMethods.InstantMatch || !h.AuthMethods.AutomatedMicroDeposits ||
		!slices.Equal(h.Products, []string{"auth", "balance", "identity", "transactions"}) {
		t.Errorf("Houndstooth: %+v %+v", h.Products, h.AuthMethods)
	}
	if w := get("ins_135858"); w.AuthMethods == nil || !w.AuthMethods.InstantMicroDeposits {
		t.Errorf("Windowpane: %+v", w.AuthMethods)
	}
	if d, down := get("ins_132363"), get("ins_132361"); d.Health != HealthDegraded || down.Health != HealthDown {
		t.Errorf("unhealthy banks: %s %s", d.Health, down.Health)
	}
	if get("ins_109508").Health != HealthHealthy {
		t.Error("First Platypus Bank is not healthy")
	}
	for _, ins := range Institutions() {
		if ins.NotSupported != (ins.ID == "ins_133402") {
			t.Errorf("%s: NotSupported = %v", ins.ID, ins.NotSupported)
		}
	}
	pi := get("ins_117650").PaymentInitiation
	if pi == nil || pi.MaximumPaymentAmount["GBP"] == "" || pi.StandingOrders == nil ||
		!slices.Equal(pi.StandingOrders.ValidIntervals, []string{"WEEKLY", "MONTHLY"}) {
		t.Errorf("Royal Bank of Plaid payment initiation metadata: %+v", pi)
	}
	if f := get("ins_12"); len(f.Products) == 0 || f.URL == "" {
		t.Errorf("Fidelity: %+v", f)
	}
}

// list is /institutions/get's filtering, as the emulator applies it.
func list(country string, oauth *bool, routing []string) []Institution {
	var out []Institution
	for _, ins := range Institutions() {
		if !ins.ServesCountry(country) || (oauth != nil && ins.OAuth != *oauth) {
			continue
		}
		if slices.ContainsFunc(routing, func(r string) bool { return !slices.Contains(ins.RoutingNumbers, r) }) {
			continue
		}
		out = append(out, ins)
	}
	return out
}

// page is count/offset paging.
func page(all []Institution, count, offset int) []Institution {
	if offset >= len(all) {
		return nil
	}
	return all[offset:min(len(all), offset+count)]
}

func TestReferenceInstitutionQueriesAreSatisfiable(t *testing.T) {
	yes := true
	if got := page(list("US", nil, nil), 3, 4); len(got) != 3 || got[0].URL == "" {
		t.Errorf("US count 3 offset 4: %d institutions", len(got))
	}
	gb := page(list("GB", &yes, nil), 3, 1)
	if len(gb) != 3 {
		t.Errorf("GB oauth count 3 offset 1: %d institutions", len(gb))
	}
	for _, ins := range gb {
		if !ins.OAuth {
			t.Errorf("%s is not OAuth", ins.ID)
		}
	}
	boa := list("US", nil, []string{"021200339", "052001633"})
	if len(boa) != 1 || boa[0].ID != "ins_1" {
		t.Errorf("routing filter: %v", boa)
	}

	search := func(q, country string, products []string, oauth bool) []Institution {
		var out []Institution
		for _, ins := range InstitutionsMatching(q, []string{country}, products) {
			if !oauth || ins.OAuth {
				out = append(out, ins)
			}
		}
		return out
	}
	us := search("Platypus", "US", []string{"transactions"}, false)
	if len(us) == 0 || us[0].URL == "" {
		t.Errorf("search Platypus US: %v", us)
	}
	if rbp := search("Royal Bank of Plaid", "GB", []string{"transactions"}, false); len(rbp) != 1 || rbp[0].PaymentInitiation == nil {
		t.Errorf("search Royal Bank of Plaid GB: %v", rbp)
	}
	if len(search("Platypus", "GB", []string{"transactions"}, true)) == 0 {
		t.Error("search Platypus GB oauth: nothing")
	}
}

func TestInstitutionsMatching(t *testing.T) {
	ids := func(ins []Institution) []string {
		var out []string
		for _, i := range ins {
			out = append(out, i.ID)
		}
		return out
	}
	tests := []struct {
		query     string
		countries []string
		products  []string
		want      []string
	}{
		{"royal bank of plaid", []string{"GB"}, nil, []string{"ins_117650"}},
		{"  PLAID   royal ", nil, nil, []string{"ins_117650"}},
		{"Royal Bank of Plaid", []string{"US"}, nil, nil},
		{"houndstooth", []string{"US"}, []string{"auth", "transactions"}, []string{"ins_109512"}},
		{"houndstooth", []string{"US"}, []string{"investments"}, nil},
		{"tartan", []string{"US", "CA"}, nil, []string{"ins_109511", "ins_43"}},
		{"platypus oauth", []string{"US"}, nil, []string{"ins_127287", "ins_132241"}},
		{"no such bank", nil, nil, nil},
	}
	for _, tt := range tests {
		if got := ids(InstitutionsMatching(tt.query, tt.countries, tt.products)); !slices.Equal(got, tt.want) {
			t.Errorf("InstitutionsMatching(%q, %v, %v) = %v, want %v", tt.query, tt.countries, tt.products, got, tt.want)
		}
	}
	if n := len(InstitutionsMatching("", nil, nil)); n != len(Institutions()) {
		t.Errorf("empty query matched %d of %d", n, len(Institutions()))
	}
}

func TestInstitutionsAreCopies(t *testing.T) {
	a, _ := InstitutionByID("ins_117650")
	a.Products[0] = "mutated"
	a.RoutingNumbers = append(a.RoutingNumbers, "x")
	a.PaymentInitiation.MaximumPaymentAmount["GBP"] = "1"
	a.PaymentInitiation.StandingOrders.ValidIntervals[0] = "DAILY"
	a.AuthMethods = nil
	Institutions()[0].Products[0] = "mutated"

	b, _ := InstitutionByID("ins_117650")
	if b.Products[0] == "mutated" || b.PaymentInitiation.MaximumPaymentAmount["GBP"] == "1" ||
		b.PaymentInitiation.StandingOrders.ValidIntervals[0] == "DAILY" || Institutions()[0].Products[0] == "mutated" {
		t.Error("callers can alter the shared institution data")
	}
	h, _ := InstitutionByID("ins_109512")
	h.AuthMethods.InstantAuth = true
	if h2, _ := InstitutionByID("ins_109512"); h2.AuthMethods.InstantAuth {
		t.Error("callers can alter shared auth metadata")
	}
}
