package redact

import "testing"

// Bodies as the recording transport and the session log see them most: a
// response with nothing to mask, and a request with a secret and a token.
var (
	benchPlain  = []byte(`{"accounts":[{"account_id":"BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp","balances":{"available":100,"current":110,"iso_currency_code":"USD","limit":null},"mask":"0000","name":"Plaid Checking","official_name":"Plaid Gold Standard 0% Interest Checking","subtype":"checking","type":"depository"},{"account_id":"dVzbVMLjrxTnLjX4G66XUp5GLklm4oiZy88yK","balances":{"available":200,"current":210,"iso_currency_code":"USD","limit":null},"mask":"1111","name":"Plaid Saving","official_name":"Plaid Silver Standard 0.1% Interest Saving","subtype":"savings","type":"depository"}],"item":{"available_products":["balance"],"billed_products":["auth","transactions"],"institution_id":"ins_109508","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","webhook":""},"request_id":"Aim3b0YJhYv4qFq"}`)
	benchSecret = []byte(`{"client_id":"5f2a8c1b9d3e4f6a7b8c9d0e","secret":"` + secret + `","access_token":"` + access + `","options":{"account_ids":["BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp"]}}`)
)

func BenchmarkJSONNothingToMask(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		JSON(benchPlain)
	}
}

func BenchmarkJSONSecretAndToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		JSON(benchSecret)
	}
}
