package plaidspec

import (
	"encoding/json"
	"testing"
)

// FuzzValidateSyntax: Validate's one-pass scanner agrees with
// encoding/json on what is a JSON object, and never panics.
func FuzzValidateSyntax(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"options":{"count":"x","z":[1,2,{"q":null}]}}`, `[]`, `{"a":}`, `{"a":"\u00e9\n"}`, `{"a":1e5,"b":-0.5}`, ` {"a" : true } `, `{"a":tru}`, `{"a":1}x`, `"s"`, `{"a":"\x01"}`, `{"a":01}`} {
		f.Add([]byte(s))
	}
	spec, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	op, _ := spec.Op("/transactions/get")
	f.Fuzz(func(t *testing.T, body []byte) {
		res := Validate(body, op.Request)
		var obj map[string]json.RawMessage
		isObject := json.Unmarshal(body, &obj) == nil && obj != nil
		if (res.Syntax == "") != isObject {
			t.Errorf("Validate syntax %q, encoding/json object %v, for %q", res.Syntax, isObject, body)
		}
	})
}
