#!/usr/bin/env bash
# What a big session log costs at start, each against the same thing on an
# empty store in the same run:
# 1. store.Open (BenchmarkOpen, rows=0 against rows=ROWS), COUNT rounds;
# 2. `linkexplorer log --request-id ID` as a process, launch to exit,
#    RUNS runs alternating between the big store and an empty one;
# 3. the terminal app's first frame in tmux (100×30): launch to Home's
#    FLOWS heading on screen, RUNS runs alternating between the big store
#    and a fresh state directory, as in bench/tui.sh.
# The big store is built as the app writes it (store/bench_test.go) and
# kept (bench/lib.sh). The first frame's baseline is also the minimal
# Bubble Tea program bench/minitea in the same harness. Everything
# measured runs at HIGH priority (bench/lib.sh: nice -20 as root);
# medians of wall and CPU time and their ratios are printed, with the
# load average.
#
# Usage: bash bench/open.sh      ROWS=1000000 COUNT=5 RUNS=7 by default
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows=${ROWS:-1000000}
count=${COUNT:-5}
runs=${RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/out
exec > >(tee bench/out/open.txt) 2>&1

big=$(bench_store "$rows")
go build -o "$work/linkexplorer" .
go test -c -o "$work/store.test" ./store/
echo "== $rows entries ($(du -m "$big/linkexplorer.db" | cut -f1) MB), at HIGH priority ($HIGH), load $(load)"

echo "-- store.Open (median of $count)"
(cd store && $HIGH "$work/store.test" -test.run '^$' -test.bench "BenchmarkOpen/rows=(0|$rows)\$" -test.count "$count") |
  awk '/^BenchmarkOpen/ {split($1, a, "rows="); sub(/-[0-9]+$/, "", a[2]); print a[2], $3}' >"$work/open"
o0=$(awk '$1 == 0 {print $2}' "$work/open" | median) o1=$(awk -v r="$rows" '$1 == r {print $2}' "$work/open" | median)
printf "empty %.3f ms, %d entries %.3f ms: %s\n" "$(awk -v n="$o0" 'BEGIN {print n / 1e6}')" "$rows" \
  "$(awk -v n="$o1" 'BEGIN {print n / 1e6}')" "$(ratio "$o1" "$o0")"

echo "-- log --request-id (median of $runs, launch to exit), load $(load)"
empty="$work/empty"
"$work/linkexplorer" log --state-dir "$empty" >/dev/null
rid=$(printf 'R%014d' $((rows / 2 / 20 * 20))) # a call in the middle
RESULTS=$work/rid
: >"$RESULTS"
for ((r = 0; r < runs; r++)); do
  timed big "$work/linkexplorer" log --request-id "$rid" --state-dir "$big"
  timed empty "$work/linkexplorer" log --request-id "$rid" --state-dir "$empty"
done
"$work/linkexplorer" log --request-id "$rid" --state-dir "$big" | grep -q "$rid" || { echo "bench: $rid not found" >&2; exit 1; }
printf "empty %s s (cpu %s s), %d entries %s s (cpu %s s): wall %s, cpu %s\n" "$(col empty 2)" "$(col empty 3)" "$rows" \
  "$(col big 2)" "$(col big 3)" "$(ratio "$(col big 2)" "$(col empty 2)")" "$(ratio "$(col big 3)" "$(col empty 3)")"

echo "-- first frame in tmux (median of $runs), load $(load)"
mkdir -p "$work/cwd"
go build -o "$work/minitea" ./bench/minitea
app() { echo "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$work/linkexplorer' --state-dir '$1'"; }
RESULTS=$work/frame
: >"$RESULTS"
for ((r = 0; r < runs; r++)); do
  echo "big $(first_frame "$(app "$big")" FLOWS "$work/cwd")" >>"$RESULTS"
  rm -rf "$work/fresh"
  echo "fresh $(first_frame "$(app "$work/fresh")" FLOWS "$work/cwd")" >>"$RESULTS"
  echo "minitea $(first_frame "'$work/minitea'" FLOWS "$work/cwd")" >>"$RESULTS"
  echo "tmux $(first_frame "echo READY" READY "$work/cwd")" >>"$RESULTS"
done
echo "load after: $(load)"
for n in tmux minitea fresh big; do printf "%-8s wall %6s ms  cpu %6s ms\n" "$n" "$(col $n 2)" "$(col $n 3)"; done
echo "$rows entries against a fresh state: wall $(ratio "$(col big 2)" "$(col fresh 2)"), cpu $(ratio "$(col big 3)" "$(col fresh 3)");" \
  "against minimal Bubble Tea: wall $(ratio "$(col big 2)" "$(col minitea 2)") (+$(($(col big 2) - $(col minitea 2))) ms), cpu $(ratio "$(col big 3)" "$(col minitea 3)")"
