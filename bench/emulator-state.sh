#!/usr/bin/env bash
# The emulator's state file and memory per Item (issue 11 item 9).
#
# BenchmarkStateSave: the cost of saving one changed Item with 1,000 and
# 5,000 Items in the state, as a journal record (what --state does now)
# beside a rewrite of the whole state file (what every save did before,
# the baseline), in the same run; the script prints the ratio.
# BenchmarkMemoryPerItem: the live heap per linked, idle Item (B/item) and
# its ratio to the 8 KiB target (x-target).
#
# Benchmarks only: it never fails on the numbers.
# Usage: bench/emulator-state.sh          (BENCHTIME=1s)
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime="${BENCHTIME:-1s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/emulator.test" ./emulator/
(cd emulator && "$tmp/emulator.test" -test.run '^$' \
	-test.bench '^(BenchmarkStateSave|BenchmarkMemoryPerItem)$' \
	-test.benchtime "$benchtime") | grep -E '^(Benchmark|goos|goarch|cpu)' | tee "$tmp/out"
awk '
/^BenchmarkStateSave/ {
	split($1, p, "/"); n = p[2]; kind = p[3]; sub(/-[0-9]+$/, "", kind)
	ns[n, kind] = $3; names[n] = 1
}
END {
	for (n in names) if (ns[n, "snapshot"] > 0)
		printf "%s: one changed Item costs %.0f ns as a journal record, %.0f ns as a snapshot: %.4fx\n", n, ns[n, "journal"], ns[n, "snapshot"], ns[n, "journal"] / ns[n, "snapshot"]
}' "$tmp/out"
