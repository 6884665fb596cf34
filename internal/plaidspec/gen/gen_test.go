package main

import (
	"bytes"
	"os"
	"testing"
)

// TestSpecJSONIsCurrent fails when spec.json was not regenerated after the
// YAML or the generator changed: run `go generate ./internal/plaidspec/`.
func TestSpecJSONIsCurrent(t *testing.T) {
	want, err := Generate("../plaid-2020-09-14.yml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../spec.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/plaidspec/spec.json is stale: run go generate ./internal/plaidspec/")
	}
}
