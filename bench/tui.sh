#!/usr/bin/env bash
# The terminal app's benchmarks:
# 1. the Go benchmarks of tui/bench_test.go (first frame of the model; a
#    session log frame and a one-row scroll at 1k, 10k and 100k entries),
#    COUNT rounds, medians printed;
# 2. a real start in a real terminal (tmux, 100×30): from launching the
#    process to Home's FLOWS heading on screen, which covers the embedded
#    emulator, the store and the UI. tmux's own cost (starting a command and
#    capturing the pane) is measured the same way with a command that prints
#    at once, and subtracted. RUNS starts, median printed;
# 3. what a user feels at ROWS (100,000) log entries, against the goals:
#    the first frame in tmux on a store of that size (built as the app
#    writes it and kept, bench/lib.sh), and a keypress to its frame (the
#    dearest one: ↓ past the last row, which reads the next page, from
#    BenchmarkLogScroll at 100k entries).
#
# Usage: bash bench/tui.sh            COUNT=5 BENCHTIME=1s RUNS=7 ROWS=100000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
count=${COUNT:-5}
benchtime=${BENCHTIME:-1s}
runs=${RUNS:-7}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/linkexplorer" .
mkdir -p "$work/cwd"

echo "== Go benchmarks (median of $count)"
go test -c -o "$work/tui.test" ./tui/
"$work/tui.test" -test.run '^$' -test.bench 'FirstFrame|LogView|LogScroll' -test.benchmem \
  -test.count "$count" -test.benchtime "$benchtime" | tee "$work/gobench" |
  awk '/^Benchmark/ {name=$1; sub(/-[0-9]+$/, "", name); print name, $3, $7}' |
  sort -k1,1 -k2,2n |
  awk '{n[$1]++; v[$1, n[$1]] = $2; al[$1] = $3}
       END {for (k in n) printf "%-40s %9.1f µs/op %6d allocs/op\n", k, v[k, int((n[k] + 1) / 2)] / 1000, al[k]}' |
  sort

echo "== real start in tmux"

app=$(for ((r = 0; r < runs; r++)); do
  rm -rf "$work/state"
  first_ms "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$work/linkexplorer' --state-dir '$work/state'" "FLOWS" "$work/cwd"
done | median)
base=$(for ((r = 0; r < runs; r++)); do first_ms "echo READY" "READY" "$work/cwd"; done | median)
echo "first frame: ${app} ms in tmux (median of $runs), tmux itself ${base} ms: linkexplorer ≈ $((app - base)) ms"

echo "== what a user feels at ${ROWS:-100000} log entries (goals: first frame ≤ 150 ms, keypress to frame ≤ 16 ms)"
rows=${ROWS:-100000}
big=$(bench_store "$rows")
frames=$(for ((r = 0; r < runs; r++)); do
  first_ms "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$work/linkexplorer' --state-dir '$big'" "FLOWS" "$work/cwd"
done | median)
echo "first frame with $rows entries: ${frames} ms in tmux, tmux itself ${base} ms: linkexplorer ≈ $((frames - base)) ms (goal 150)"
# A keypress that moves past the table's last row is the dearest: it reads
# the next page from the store, then renders the frame (BenchmarkLogScroll).
key=$(awk '/^BenchmarkLogScroll\/entries=100000/ {print $3}' "$work/gobench" | median)
printf "keypress to frame (↓ past the last row: page query + frame) at 100000 entries: %.2f ms (goal 16)\n" \
  "$(awk -v n="$key" 'BEGIN {print n / 1e6}')"
