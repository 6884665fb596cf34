package store

import "github.com/linkexplorer/linkexplorer/internal/redact"

// maskRules is the version of the masking rules (internal/redact.Version).
// Every entry records the version it was masked with when written
// (log_entries.masked; 0 for entries written before the column existed, or
// by anything but this package), and exports mask again only the entries
// masked with an older version: masking a body again cost an export of a
// big log about a third of its time.
const maskRules = redact.Version

// maskedOnWrite reports whether an entry that records masking version v
// needs no masking again: it was masked with the current rules.
func maskedOnWrite(v int) bool { return v == maskRules }
