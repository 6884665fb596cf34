package sandbox

import (
	"slices"
	"testing"
)

func TestEnumerations(t *testing.T) {
	tests := []struct {
		name  string
		got   []string
		valid func(string) bool
		want  []string
	}{
		{"products", Products(), ValidProduct, []string{
			"assets", "auth", "balance", "identity", "identity_match", "investments", "investments_auth",
			"liabilities", "payment_initiation", "identity_verification", "transactions", "credit_details",
			"income", "income_verification", "deposit_switch", "standing_orders", "transfer", "employment",
			"recurring_transactions", "signal", "statements"}},
		{"country codes", CountryCodes(), ValidCountryCode, []string{
			"US", "GB", "ES", "NL", "FR", "IE", "CA", "DE", "IT", "PL", "DK", "NO", "SE", "EE", "LT", "LV", "PT", "BE"}},
		{"languages", Languages(), ValidLanguage, []string{
			"da", "nl", "en", "et", "fr", "de", "it", "lv", "lt", "no", "pl", "pt", "ro", "es", "sv"}},
	}
	for _, tt := range tests {
		got, want := slices.Sorted(slices.Values(tt.got)), slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", tt.name, got, want)
		}
		for _, v := range tt.want {
			if !tt.valid(v) {
				t.Errorf("%s: %q not valid", tt.name, v)
			}
		}
	}
}

func TestEnumerationsRejectOthers(t *testing.T) {
	for _, p := range []string{"", "Auth", "AUTH", "balance ", "foo", "public_key"} {
		if ValidProduct(p) {
			t.Errorf("ValidProduct(%q) = true", p)
		}
	}
	for _, c := range []string{"", "us", "USA", "XX", "JP"} {
		if ValidCountryCode(c) {
			t.Errorf("ValidCountryCode(%q) = true", c)
		}
	}
	for _, l := range []string{"", "EN", "en-US", "ja", "zz"} {
		if ValidLanguage(l) {
			t.Errorf("ValidLanguage(%q) = true", l)
		}
	}
}

func TestEnumerationsAreCopies(t *testing.T) {
	p := Products()
	p[0] = "mutated"
	if Products()[0] == "mutated" || ValidProduct("mutated") {
		t.Error("Products returns the shared slice")
	}
}
