#!/usr/bin/env bash
# The terminal app's benchmarks:
# 1. the Go benchmarks of tui/bench_test.go (first frame of the model; a
#    session log frame and a one-row scroll at 1k, 10k and 100k entries),
#    COUNT rounds, medians printed;
# 2. a real start in a real terminal (tmux, 100×30): from launching the
#    process to Home's FLOWS heading on screen, which covers the embedded
#    emulator, the store and the UI, on a fresh state directory and on a
#    store of ROWS (100,000) entries (built as the app writes it and kept,
#    bench/lib.sh), against the minimal Bubble Tea program bench/minitea
#    and tmux itself (echo) in the same harness, interleaved, RUNS rounds:
#    medians of wall time and of the CPU time used by the first frame;
# 3. a keypress to its frame at 100,000 entries (the dearest one: ↓ past
#    the last row, which reads the next page, BenchmarkLogScroll), against
#    the same at 1,000 entries.
#
# Everything measured runs at HIGH priority (bench/lib.sh: nice -20 as
# root), and the load average is printed beside the figures.
#
# Usage: bash bench/tui.sh            COUNT=5 BENCHTIME=1s RUNS=7 ROWS=100000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
exec > >(tee bench/out/tui.txt) 2>&1
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
echo "load $(load)"
$HIGH "$work/tui.test" -test.run '^$' -test.bench 'FirstFrame|LogView|LogScroll' -test.benchmem \
  -test.count "$count" -test.benchtime "$benchtime" | tee "$work/gobench" |
  awk '/^Benchmark/ {name=$1; sub(/-[0-9]+$/, "", name); print name, $3, $7}' |
  sort -k1,1 -k2,2n |
  awk '{n[$1]++; v[$1, n[$1]] = $2; al[$1] = $3}
       END {for (k in n) printf "%-40s %9.1f µs/op %6d allocs/op\n", k, v[k, int((n[k] + 1) / 2)] / 1000, al[k]}' |
  sort

go build -o "$work/minitea" ./bench/minitea

# A start in tmux: the app on a fresh state directory, the app on a store
# of ROWS entries, the minimal Bubble Tea program (bench/minitea: its
# baseline, same harness) and tmux itself (echo), interleaved, RUNS
# rounds, all at HIGH priority. Wall ms and the CPU ms the process had
# used when its first frame showed.
rows=${ROWS:-100000}
big=$(bench_store "$rows")
app() { echo "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$work/linkexplorer' --state-dir '$1'"; }
RESULTS=$work/frames
: >"$RESULTS"
echo "== real start in tmux, $runs rounds, load $(load)"
for ((r = 0; r < runs; r++)); do
  rm -rf "$work/state"
  echo "fresh $(first_frame "$(app "$work/state")" FLOWS "$work/cwd")" >>"$RESULTS"
  echo "big $(first_frame "$(app "$big")" FLOWS "$work/cwd")" >>"$RESULTS"
  echo "minitea $(first_frame "'$work/minitea'" FLOWS "$work/cwd")" >>"$RESULTS"
  echo "tmux $(first_frame "echo READY" READY "$work/cwd")" >>"$RESULTS"
done
echo "load after: $(load)"
tm=$(col tmux 2)
printf "%-34s %9s %9s %10s %10s\n" "first frame (median of $runs)" "wall ms" "cpu ms" "wall-tmux" "cpu ratio"
mt=$(col minitea 2) mc=$(col minitea 3)
for n in minitea fresh big; do
  w=$(col $n 2) c=$(col $n 3)
  printf "%-34s %9s %9s %10s %10s\n" "$n" "$w" "$c" "$((w - tm))" "$(ratio "$c" "$mc")"
done
printf "%-34s %9s\n" "tmux itself (echo)" "$tm"
echo "linkexplorer at $rows entries against minimal Bubble Tea: wall $(ratio "$(col big 2)" "$mt"), beyond it $(($(col big 2) - mt)) ms; CPU $(ratio "$(col big 3)" "$mc") (goal: first frame ≤ 150 ms)"
# A keypress that moves past the table's last row is the dearest: it reads
# the next page from the store, then renders the frame (BenchmarkLogScroll).
key=$(awk '/^BenchmarkLogScroll\/entries=100000/ {print $3}' "$work/gobench" | median)
key1=$(awk '/^BenchmarkLogScroll\/entries=1000-/ {print $3}' "$work/gobench" | median)
printf "keypress to frame (↓ past the last row: page query + frame) at 100000 entries: %.2f ms, %s of 1000 entries' (goal 16 ms)\n" \
  "$(awk -v n="$key" 'BEGIN {print n / 1e6}')" "$(ratio "$key" "$key1")"
