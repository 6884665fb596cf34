#!/usr/bin/env bash
# Emulator benchmarks: /link/token/create, and the
# /sandbox/public_token/create -> /item/public_token/exchange -> /accounts/get
# cycle, through plaid-go over loopback, each beside a minimal net/http JSON
# handler answering the same requests in the same run (BenchmarkBareHandler).
#
# It runs COUNT rounds (go test -count=1 each, so the emulator and the bare
# handler alternate and share the machine's ups and downs), prints the raw
# results, then the emulator's cost per request relative to the bare handler,
# from the medians (goal: at most 1.3x). Benchmarks only: it never fails on
# the numbers.
#
# Usage: bench/emulator.sh                       (COUNT=5 rounds of 1s each)
#        COUNT=10 BENCHTIME=2s bench/emulator.sh
set -euo pipefail
cd "$(dirname "$0")/.."

count="${COUNT:-5}"
benchtime="${BENCHTIME:-1s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/emulator.test" ./emulator/
for round in $(seq "$count"); do
	echo "# round $round of $count"
	(cd emulator && "$tmp/emulator.test" -test.run '^$' \
		-test.bench '^(BenchmarkLinkTokenCreate|BenchmarkCreateExchangeAccounts|BenchmarkBareHandler)$' \
		-test.benchmem -test.count 1 -test.benchtime "$benchtime") | grep -E '^(Benchmark|goos|goarch|cpu|#)' || true
done | tee "$tmp/out"

awk '
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	ns[name, ++n[name]] = $3
	for (i = 4; i < NF; i++) if ($(i+1) == "allocs/op") allocs[name] = $i
}
function median(name,    k, j, v, c, a) {
	c = n[name]
	for (k = 1; k <= c; k++) a[k] = ns[name, k]
	for (k = 2; k <= c; k++) { v = a[k]; for (j = k - 1; j >= 1 && a[j] > v; j--) a[j+1] = a[j]; a[j+1] = v }
	return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
function row(label, emu, bare, reqs,    e, b, ratio) {
	if (!n[emu] || !n[bare]) { printf "%-26s missing results\n", label; return }
	e = median(emu) / reqs; b = median(bare) / reqs; ratio = e / b
	printf "%-26s %12.1f %12.1f %8.2fx %6s %10.0f %10.0f\n", label, e / 1000, b / 1000, ratio,
		(ratio <= 1.3 ? "ok" : "OVER"), allocs[emu] / reqs, allocs[bare] / reqs
}
END {
	printf "\nEmulator vs bare net/http JSON handler: median of %d rounds, per request (goal <= 1.30x)\n", n["BenchmarkLinkTokenCreate"]
	printf "%-26s %12s %12s %9s %6s %10s %10s\n", "workload", "emulator us", "bare us", "ratio", "goal", "emu allocs", "bare allocs"
	row("link_token_create", "BenchmarkLinkTokenCreate", "BenchmarkBareHandler/link_token_create", 1)
	row("create_exchange_accounts", "BenchmarkCreateExchangeAccounts", "BenchmarkBareHandler/create_exchange_accounts", 3)
}' "$tmp/out"
