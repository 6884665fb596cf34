package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// VersionFingerprints are, per version of the masking rules, a digest of
// what they make of maskSample. Entries record the version they were
// masked with, and exports mask again only those of older versions, so
// rules that change without a new version would leave old entries masked
// the old way in exports.
var VersionFingerprints = map[int]string{
	1: "dc83fda7429503d532920135b83f28a55b06f8ebda2b236189427ac7057637c7", // the store's own rules, before internal/redact
	2: "1f78cf72f897b10cb3cb3754506b581f5b70a051e96cc3d72b8278ff6010f825", // internal/redact,
}

// maskSample is text and bodies of every shape the rules treat apart.
var maskSample = []string{
	`{"client_id":"abc","secret":"0123456789abcdef0123456789abcd","public_token":"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"}`,
	`{"access_token":"access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6","item_id":"itemX","request_id":"Xreq1"}`,
	`{"new_access_token":"access-development-1234","Secret":12345678901,"PUBLIC_TOKEN":["a",{"b":"cdefghijk"}]}`,
	`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","public_tokens":["public-production-abcdef123456"]}`,
	`{"plaid-secret":"short","note":"link-sandbox-6f1c2a3b-0000-4d5e","nested":{"secret":{"deep":[1,2,"x"]}}}`,
	`{"\u0073ecret":"escaped-key-value-123","text":"access-sandbox-aaaa-bbbb inside text"}`,
	`{"access_token":"access-sandbox-de3ce8ef` + "\n", // truncated: not JSON
	`/item/get?access_token=access-sandbox-de3ce8ef-33f8&secret=abcdefghijklmnop&x=1`,
	`could not find matching public token public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d`,
	`"secret" : "spaced out value 12345", 'public_token=quoted'`,
	`nothing to hide here: tokens, secrets and keys are only words`,
	`{"secret":"•••…abcd","access_token":"access-sandbox-…c0f6"}`,
	`{"secret":"ünïcödé-sëcrët-välüé"}`,
}

// TestVersionFingerprint fails when the masking of maskSample changes
// without a new Version: bump Version and record the new digest.
func TestVersionFingerprint(t *testing.T) {
	h := sha256.New()
	for _, in := range maskSample {
		h.Write(JSON([]byte(in)))
		h.Write([]byte{0})
		h.Write([]byte(Text(in)))
		h.Write([]byte{0})
	}
	got := hex.EncodeToString(h.Sum(nil))
	want, ok := VersionFingerprints[Version]
	if !ok || got != want {
		t.Errorf("the masking rules now turn the sample into digest %s, but version %d of the rules recorded %q: "+
			"if the rules changed what they hide, bump Version (internal/redact), so that entries masked "+
			"with the old rules are masked again on export, and record the digest under the new version", got, Version, want)
	}
	for v, fp := range VersionFingerprints {
		if v != Version && fp == got {
			t.Errorf("version %d of the masking rules has the same digest as version %d: the rules did not change", v, Version)
		}
	}
}
