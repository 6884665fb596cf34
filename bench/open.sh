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
# kept (bench/lib.sh). Medians and ratios are printed.
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
echo "== $rows entries ($(du -m "$big/linkexplorer.db" | cut -f1) MB), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "-- store.Open (median of $count)"
(cd store && "$work/store.test" -test.run '^$' -test.bench "BenchmarkOpen/rows=(0|$rows)\$" -test.count "$count") |
  awk '/^BenchmarkOpen/ {split($1, a, "rows="); sub(/-[0-9]+$/, "", a[2]); print a[2], $3}' >"$work/open"
o0=$(awk '$1 == 0 {print $2}' "$work/open" | median) o1=$(awk -v r="$rows" '$1 == r {print $2}' "$work/open" | median)
printf "empty %.3f ms, %d entries %.3f ms: %s\n" "$(awk -v n="$o0" 'BEGIN {print n / 1e6}')" "$rows" \
  "$(awk -v n="$o1" 'BEGIN {print n / 1e6}')" "$(ratio "$o1" "$o0")"

echo "-- log --request-id (median of $runs, launch to exit)"
empty="$work/empty"
"$work/linkexplorer" log --state-dir "$empty" >/dev/null
rid=$(printf 'R%014d' $((rows / 2 / 20 * 20))) # a call in the middle
ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null; echo $((($(date +%s%N) - t0) / 1000)); }
: >"$work/rid"
for ((r = 0; r < runs; r++)); do
  echo "big $(ms "$work/linkexplorer" log --request-id "$rid" --state-dir "$big")" >>"$work/rid"
  echo "empty $(ms "$work/linkexplorer" log --request-id "$rid" --state-dir "$empty")" >>"$work/rid"
done
"$work/linkexplorer" log --request-id "$rid" --state-dir "$big" | grep -q "$rid" || { echo "bench: $rid not found" >&2; exit 1; }
r1=$(awk '$1 == "big" {print $2}' "$work/rid" | median) r0=$(awk '$1 == "empty" {print $2}' "$work/rid" | median)
printf "empty %.1f ms, %d entries %.1f ms: %s\n" "$(awk -v n="$r0" 'BEGIN {print n / 1e3}')" "$rows" \
  "$(awk -v n="$r1" 'BEGIN {print n / 1e3}')" "$(ratio "$r1" "$r0")"

echo "-- first frame in tmux (median of $runs)"
mkdir -p "$work/cwd"
app() { echo "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$work/linkexplorer' --state-dir '$1'"; }
: >"$work/frame"
for ((r = 0; r < runs; r++)); do
  echo "big $(first_ms "$(app "$big")" FLOWS "$work/cwd")" >>"$work/frame"
  rm -rf "$work/fresh"
  echo "fresh $(first_ms "$(app "$work/fresh")" FLOWS "$work/cwd")" >>"$work/frame"
  echo "tmux $(first_ms "echo READY" READY "$work/cwd")" >>"$work/frame"
done
f1=$(awk '$1 == "big" {print $2}' "$work/frame" | median) f0=$(awk '$1 == "fresh" {print $2}' "$work/frame" | median)
ft=$(awk '$1 == "tmux" {print $2}' "$work/frame" | median)
echo "fresh state ${f0} ms, $rows entries ${f1} ms (tmux itself ${ft} ms): $(ratio "$f1" "$f0");" \
  "without tmux's share $((f0 - ft)) and $((f1 - ft)) ms: $(ratio $((f1 - ft)) $((f0 - ft)))"
