# Shared by the bench scripts: source it.

# The big stores the store benchmarks build (store/bench_test.go, shaped
# as the app writes them) are kept here between runs: 1,000,000 entries
# take about 10 minutes to build on 2 busy cores and 890 MB of disk.
export LINKEXPLORER_BENCH_STORES=${LINKEXPLORER_BENCH_STORES:-${TMPDIR:-/tmp}/linkexplorer-bench-stores}

# bench_store ROWS prints the state directory of a store of ROWS entries,
# building it first if it is not kept yet.
bench_store() {
  local rows=$1 dir shape mask
  shape=$(sed -n 's/^const benchShape = "\(.*\)"/\1/p' store/bench_test.go)
  mask=$(sed -n 's/^const Version = \([0-9]*\)$/\1/p' internal/redact/redact.go)
  dir=$LINKEXPLORER_BENCH_STORES/$shape-mask$mask-rows-$rows # store/bench_test.go's benchStoreName
  if [[ ! -e $dir/complete ]]; then
    echo "building a store of $rows entries in $dir (minutes)…" >&2
    go test ./store/ -run '^$' -bench "BenchmarkOpen/rows=$rows\$" -benchtime 1x >&2
  fi
  echo "$dir"
}

# median reads numbers, one a line, and prints their median.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio A B prints A/B as "N.NN×".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f×", a / b; else print "-"}'; }

# load prints the load average (1, 5, 15 minutes), to print beside each
# figure: on a shared machine wall times scale with it.
load() { cut -d' ' -f1-3 /proc/loadavg; }

# HIGH is the prefix that runs a measured command, and its baseline alike,
# at the highest priority: nice -20 as root (the other helpers' builds
# then wait for it), nothing otherwise. Set HIGH= to measure at the
# normal priority.
if [[ $EUID == 0 ]]; then HIGH=${HIGH-nice -n -20}; else HIGH=${HIGH-}; fi

# timed NAME CMD...: runs CMD at HIGH priority, output to /dev/null, and
# appends "NAME wall cpu" (seconds; cpu = user + sys of CMD and its
# children) to $RESULTS.
timed() {
  local name=$1 t
  shift
  t=$({ TIMEFORMAT='%R %U %S'; time $HIGH "$@" >/dev/null; } 2>&1 | tail -n 1)
  awk -v n="$name" '{printf "%s %s %.3f\n", n, $1, $2 + $3}' <<<"$t" >>"$RESULTS"
}

# col NAME N prints the median of column N (2 wall, 3 cpu, ...) of NAME's
# lines in $RESULTS.
col() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$RESULTS" | median; }

# cpu_of PID prints the CPU time (user + sys, ms) PID and its descendants
# have used so far, from /proc.
cpu_of() {
  local pid ticks=0 hz
  hz=$(getconf CLK_TCK)
  for pid in $1 $(pgrep -P "$1") $(for c in $(pgrep -P "$1"); do pgrep -P "$c"; done); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo $((ticks * 1000 / hz))
}

# first_frame CMD MARKER [DIR]: launches CMD (in DIR, by default the
# current directory) at HIGH priority in a fresh tmux server, 100×30, and
# prints "WALL_MS CPU_MS" when MARKER is on screen: the milliseconds from
# launch, and the CPU time the command had used by then. The same harness
# measures each figure's baseline (a minimal Bubble Tea program, or a
# command that prints at once for tmux's own share).
first_frame() {
  local cmd=$1 marker=$2 dir=${3:-$PWD} sock="linkexplorer-bench-$$-$RANDOM" start i pane
  start=$(date +%s%N)
  $HIGH tmux -L "$sock" new-session -d -s b -x 100 -y 30 -c "$dir" "$cmd; sleep 60"
  pane=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
  for ((i = 0; i < 4000; i++)); do
    if grep -qF "$marker" <<<"$(tmux -L "$sock" capture-pane -p -t b)"; then
      echo "$((($(date +%s%N) - start) / 1000000)) $(cpu_of "$pane")"
      tmux -L "$sock" kill-server
      return
    fi
  done
  tmux -L "$sock" kill-server
  echo "bench: $marker never appeared" >&2
  exit 1
}

# first_ms CMD MARKER [DIR]: first_frame's wall time alone.
first_ms() { first_frame "$@" | cut -d' ' -f1; }
