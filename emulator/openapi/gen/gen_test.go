package main

import (
	"bytes"
	"os"
	"testing"
)

// TestSpecJSONIsCurrent fails when spec.json was not regenerated after the
// YAML or the generator changed: run `go generate ./emulator/openapi/`.
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
		t.Fatal("emulator/openapi/spec.json is stale: run go generate ./emulator/openapi/")
	}
}
