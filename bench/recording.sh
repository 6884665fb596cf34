#!/usr/bin/env bash
# Recording overhead: /link/token/create through flows.NewPlaidClient (the
# recording transport: buffered bodies, timing, request_id parsing, masking)
# against plain plaid-go, both against the in-process emulator over loopback
# (BenchmarkRecordedClient vs BenchmarkPlainClient in flows/bench_test.go).
#
# It runs COUNT rounds (the two benchmarks alternate, so they share the
# machine's ups and downs), prints the raw results, then the extra cost per
# call from the medians (goal: at most 1 ms and at most 20 %). Benchmarks
# only: it never fails on the numbers.
#
# Usage: bench/recording.sh                       (COUNT=5 rounds of 1s each)
#        COUNT=10 BENCHTIME=2s bench/recording.sh
set -euo pipefail
cd "$(dirname "$0")/.."

count="${COUNT:-5}"
benchtime="${BENCHTIME:-1s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/flows.test" ./flows/
for round in $(seq "$count"); do
	echo "# round $round of $count"
	(cd flows && "$tmp/flows.test" -test.run '^$' \
		-test.bench '^(BenchmarkPlainClient|BenchmarkRecordedClient)$' \
		-test.benchmem -test.count 1 -test.benchtime "$benchtime") | grep -E '^(Benchmark|goos|goarch|cpu|#)' || true
done | tee "$tmp/out"

awk '
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	ns[name, ++n[name]] = $3
	for (i = 4; i < NF; i++) {
		if ($(i+1) == "B/op") bytes[name] = $i
		if ($(i+1) == "allocs/op") allocs[name] = $i
	}
}
function median(name,    k, j, v, c, a) {
	c = n[name]
	for (k = 1; k <= c; k++) a[k] = ns[name, k]
	for (k = 2; k <= c; k++) { v = a[k]; for (j = k - 1; j >= 1 && a[j] > v; j--) a[j+1] = a[j]; a[j+1] = v }
	return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
	r = "BenchmarkRecordedClient"; p = "BenchmarkPlainClient"
	if (!n[r] || !n[p]) { print "missing results"; exit 1 }
	rec = median(r); plain = median(p); extra = rec - plain; pct = 100 * extra / plain
	printf "\nRecorded vs plain plaid-go client, /link/token/create on the emulator: median of %d rounds\n", n[r]
	printf "%-10s %12s %12s %12s %10s\n", "", "us/call", "B/call", "allocs/call", ""
	printf "%-10s %12.1f %12d %12d\n", "plain", plain / 1000, bytes[p], allocs[p]
	printf "%-10s %12.1f %12d %12d\n", "recorded", rec / 1000, bytes[r], allocs[r]
	printf "%-10s %12.1f %12d %12d %9.1f%%\n", "extra", extra / 1000, bytes[r] - bytes[p], allocs[r] - allocs[p], pct
	printf "goal: extra <= 1000 us (%s) and <= 20%% (%s)\n", (extra <= 1e6 ? "ok" : "OVER"), (pct <= 20 ? "ok" : "OVER")
}' "$tmp/out"
