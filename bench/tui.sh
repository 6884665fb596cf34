#!/usr/bin/env bash
# The terminal app's benchmarks:
# 1. the Go benchmarks of tui/bench_test.go (first frame of the model; a
#    session log frame and a one-row scroll at 1k, 10k and 100k entries),
#    COUNT rounds, medians printed;
# 2. a real start in a real terminal (tmux, 100×30): from launching the
#    process to Home's FLOWS heading on screen, which covers the embedded
#    emulator, the store and the UI. tmux's own cost (starting a command and
#    capturing the pane) is measured the same way with a command that prints
#    at once, and subtracted. RUNS starts, median printed.
#
# Usage: bash bench/tui.sh            COUNT=5 BENCHTIME=1s RUNS=7 by default
set -euo pipefail
cd "$(dirname "$0")/.."
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
  -test.count "$count" -test.benchtime "$benchtime" |
  awk '/^Benchmark/ {name=$1; sub(/-[0-9]+$/, "", name); print name, $3, $7}' |
  sort -k1,1 -k2,2n |
  awk '{n[$1]++; v[$1, n[$1]] = $2; al[$1] = $3}
       END {for (k in n) printf "%-40s %9.1f µs/op %6d allocs/op\n", k, v[k, int((n[k] + 1) / 2)] / 1000, al[k]}' |
  sort

echo "== real start in tmux"

# first_ms CMD MARKER: milliseconds from launching CMD in a fresh tmux
# server to MARKER on screen.
first_ms() {
  local cmd=$1 marker=$2 sock="linkexplorer-bench-$$-$RANDOM" start i
  start=$(date +%s%N)
  tmux -L "$sock" new-session -d -s b -x 100 -y 30 -c "$work/cwd" "$cmd; sleep 60"
  for ((i = 0; i < 4000; i++)); do
    if grep -qF "$marker" <<<"$(tmux -L "$sock" capture-pane -p -t b)"; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      tmux -L "$sock" kill-server
      return
    fi
  done
  tmux -L "$sock" kill-server
  echo "bench: $marker never appeared" >&2
  exit 1
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

app=$(for ((r = 0; r < runs; r++)); do
  rm -rf "$work/state"
  first_ms "env -u PLAID_CLIENT_ID -u PLAID_SECRET '$work/linkexplorer' --state-dir '$work/state'" "FLOWS"
done | median)
base=$(for ((r = 0; r < runs; r++)); do first_ms "echo READY" "READY"; done | median)
echo "first frame: ${app} ms in tmux (median of $runs), tmux itself ${base} ms: linkexplorer ≈ $((app - base)) ms"
