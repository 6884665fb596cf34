#!/bin/sh
# Benchmarks of the migration audit's static scan: a 1,000-file repository
# against a 100-file one (the baseline of the same run), and the
# pathological inputs against the 1 MiB file of ordinary code. Prints the
# medians and the ratios; never fails on the numbers.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-3x}
bin=$(mktemp -d)/audit.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./audit
out=$(mktemp)
for i in $(seq "$COUNT"); do
	(cd audit && "$bin" -test.run XXX -test.cpu 2 -test.benchtime "$BENCHTIME" \
		-test.bench 'ScanRepo|RulesLargeFile|ManyCallsOneFunction|NestedBrackets|UnclosedBrackets' >>"$out")
done
awk '/^Benchmark/ { n[$1]++; v[$1, n[$1]] = $3 }
END {
	for (b in n) { k = n[b]; for (i = 1; i <= k; i++) a[i] = v[b, i]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		med[b] = a[int((k + 1) / 2)] }
	for (b in med) printf "%-40s %10.1f ms\n", b, med[b] / 1e6
	r = "BenchmarkScanRepo1000-2"; q = "BenchmarkScanRepo100-2"; l = "BenchmarkRulesLargeFile-2"
	if (med[q] > 0) printf "1,000 files / 100 files: %.1fx (10x is linear)\n", med[r] / med[q]
	for (b in med) if (b ~ /Many|Nested|Unclosed/ && med[l] > 0) printf "%s / 1 MiB file: %.2fx\n", b, med[b] / med[l]
}' "$out"
rm -f "$out"
