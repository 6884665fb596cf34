package store

// maskRules is the version of the masking rules (maskJSON, maskText and
// what they hide). Every entry records the version it was masked with
// when written (log_entries.masked; 0 for entries written before the
// column existed, or by anything but this package), and exports mask
// again only the entries masked with an older version: masking is
// idempotent, so an entry masked with the current rules would come out
// of them unchanged, and masking every body again cost an export of a big
// log about a third of its time.
//
// Bump it whenever the rules change what they hide (a new secret key, a
// new token shape, another way of masking a value): entries written
// before are then masked again on the way out. TestMaskRulesVersion
// fails, asking for the bump, when the masking of its sample changes.
const maskRules = 1

// maskedOnWrite reports whether an entry that records masking version v
// needs no masking again: it was masked with the current rules.
func maskedOnWrite(v int) bool { return v == maskRules }
