# Shared by the bench scripts: source it.

# The big stores the store benchmarks build (store/bench_test.go, shaped
# as the app writes them) are kept here between runs: 1,000,000 entries
# take about 10 minutes to build on 2 busy cores and 890 MB of disk.
export LINKEXPLORER_BENCH_STORES=${LINKEXPLORER_BENCH_STORES:-${TMPDIR:-/tmp}/linkexplorer-bench-stores}

# bench_store ROWS prints the state directory of a store of ROWS entries,
# building it first if it is not kept yet.
bench_store() {
  local rows=$1 dir
  dir=$(ls -d "$LINKEXPLORER_BENCH_STORES"/app-v*-rows-"$rows" 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $dir || ! -e $dir/complete || $dir != */$(sed -n 's/^const benchShape = "\(.*\)"/\1/p' store/bench_test.go)-rows-$rows ]]; then
    echo "building a store of $rows entries in $LINKEXPLORER_BENCH_STORES (minutes)…" >&2
    go test ./store/ -run '^$' -bench "BenchmarkOpen/rows=$rows\$" -benchtime 1x >&2
    dir=$(ls -d "$LINKEXPLORER_BENCH_STORES"/app-v*-rows-"$rows" | sort -V | tail -n 1)
  fi
  echo "$dir"
}

# median reads numbers, one a line, and prints their median.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio A B prints A/B as "N.NN×".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f×", a / b; else print "-"}'; }

# first_ms CMD MARKER [DIR]: milliseconds from launching CMD (in DIR, by
# default the current directory) in a fresh tmux server, 100×30, to MARKER
# on screen. tmux's own share is measured the same way with a command that
# prints at once: first_ms "echo READY" READY.
first_ms() {
  local cmd=$1 marker=$2 dir=${3:-$PWD} sock="linkexplorer-bench-$$-$RANDOM" start i
  start=$(date +%s%N)
  tmux -L "$sock" new-session -d -s b -x 100 -y 30 -c "$dir" "$cmd; sleep 60"
  for ((i = 0; i < 4000; i++)); do
    if grep -qF "$marker" <<<"$(tmux -L "$sock" capture-pane -p -t b)"; then
      echo $((($(date +%s%N) - start) / 1000000))
      tmux -L "$sock" kill-server
      return
    fi
  done
  tmux -L "$sock" kill-server
  echo "bench: $marker never appeared" >&2
  exit 1
}
