#!/usr/bin/env bash
# The offline quickstart with --browser auto, against what Chromium alone
# costs, in the same run (issue 17, item 4):
# 1. baseline: a bare headless Chromium (the flags internal/headless uses)
#    launched on a small loopback page with --dump-dom, launch to exit;
# 2. `linkexplorer run quickstart --browser auto`, launch to exit (emulator,
#    link_token, Chromium, Link completed by the autopilot, exchange,
#    /accounts/get, /auth/get, Chromium closed);
#    1 and 2 alternate, RUNS rounds; medians, the difference (what the app
#    adds to Chromium's launch) and the ratio are printed;
# 3. a second quickstart in the same process, Chromium already running (the
#    terminal app's second flow): BenchmarkQuickstartReusedBrowser, COUNT
#    runs, median, against the baseline's median.
#
# Both sides run at HIGH priority (bench/lib.sh: nice -20 as root); wall
# and CPU time (the machine's busy time during each run, see ms) are
# printed, with the load average.
#
# Usage: bash bench/quickstart.sh      RUNS=9 COUNT=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${RUNS:-9}
count=${COUNT:-5}
work=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p bench/out
exec > >(tee bench/out/quickstart.txt) 2>&1

# The binary internal/headless runs (its candidates, in order): on Debian
# the real one behind the /usr/bin/chromium shell script.
chromium=$(command -v /usr/lib/chromium/chromium /usr/bin/chromium chromium chromium-browser google-chrome 2>/dev/null | head -n 1)
[[ -n $chromium ]] || { echo "bench: no Chromium" >&2; exit 1; }
go build -o "$work/linkexplorer" .
go test -c -o "$work/flows.test" ./flows/
echo "== $chromium: $("$chromium" --version 2>/dev/null), at HIGH priority ($HIGH), load $(load)"

# The baseline's page, served on loopback as the callback page is.
mkdir -p "$work/www"
cat >"$work/www/index.html" <<'EOF'
<!doctype html><title>baseline</title><p id="p">hello</p>
<script>document.getElementById("p").textContent += " from js"</script>
EOF
python3 -m http.server 0 --bind 127.0.0.1 --directory "$work/www" >"$work/srv.log" 2>&1 &
srv=$!
for ((i = 0; i < 200; i++)); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/srv.log" | head -n 1)
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "bench: the page server did not start" >&2; exit 1; }

# The flags internal/headless starts Chromium with (TestBenchUsesTheFlags
# keeps the two lists the same).
flags=(--headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --disable-quic
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage
  --disable-extensions --disable-default-apps --disable-breakpad --disable-client-side-phishing-detection
  --disable-background-timer-throttling --disable-renderer-backgrounding --metrics-recording-only
  --password-store=basic --use-mock-keychain --hide-scrollbars --mute-audio --disable-popup-blocking
  --renderer-process-limit=1 --disable-site-isolation-trials --enable-unsafe-swiftshader
  --disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,PreloadTopChromeWebUI
  --enable-features=NetworkServiceInProcess2)
baseline() {
  local prof="$work/prof-$1"
  $HIGH "$chromium" "${flags[@]}" --user-data-dir="$prof" --dump-dom "http://127.0.0.1:$port/" >"$work/dom" 2>/dev/null
  rm -rf "$prof"
  grep -q "hello from js" "$work/dom" || { echo "bench: the baseline page did not render" >&2; exit 1; }
}
quickstart() {
  $HIGH "$work/linkexplorer" run quickstart --browser auto --state-dir "$work/state-$1" >"$work/qs.out" 2>&1 ||
    { cat "$work/qs.out" >&2; exit 1; }
  rm -rf "$work/state-$1"
}
# busy: the machine's busy CPU time so far, in clock ticks (user, nice,
# system, irq, softirq of every core, from /proc/stat).
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# ms CMD...: "WALL_MS CPU_MS" of CMD. CPU is the whole machine's busy time
# from the launch to 0.2 s after the exit, so that it counts every process
# the command started, those reparented away from it too (Chromium's crash
# handlers, helpers finishing their teardown), which getrusage (time) does
# not; it counts anything else running too, so read it on a quiet machine.
ms() {
  local c0 c1 s e hz
  hz=$(getconf CLK_TCK)
  c0=$(busy)
  s=$(date +%s%N)
  "$@" >/dev/null
  e=$(date +%s%N)
  sleep 0.2
  c1=$(busy)
  echo "$(((e - s) / 1000000)) $(((c1 - c0) * 1000 / hz))"
}

echo "-- end to end, launch to exit (median of $runs, alternating)"
baseline warm >/dev/null
quickstart warm >/dev/null
: >"$work/times"
for ((r = 0; r < runs; r++)); do
  echo "chromium $(ms baseline "$r")" >>"$work/times"
  echo "quickstart $(ms quickstart "$r")" >>"$work/times"
  sed -n 's/^      ok (\(.*\))$/\1/p' "$work/qs.out" | sed -n 2p >>"$work/linkstep"
done
c=$(awk '$1 == "chromium" {print $2}' "$work/times" | median) cc=$(awk '$1 == "chromium" {print $3}' "$work/times" | median)
q=$(awk '$1 == "quickstart" {print $2}' "$work/times" | median) qc=$(awk '$1 == "quickstart" {print $3}' "$work/times" | median)
echo "load after: $(load)"
echo "bare Chromium launch + page + exit: $c ms (cpu $cc ms)"
echo "linkexplorer run quickstart --browser auto: $q ms (cpu $qc ms) (the Link step alone, each round: $(paste -sd" " "$work/linkstep"))"
echo "what the app adds: $((q - c)) ms of wall time, $((qc - cc)) ms of CPU; ratio wall $(ratio "$q" "$c"), cpu $(ratio "$qc" "$cc")"
# Each round's quickstart minus the Chromium launch just before it: the
# median of these differences, a second reading less swayed by the
# machine's drift over the run.
pd=$(awk '$1 == "chromium" {c = $2; cc = $3} $1 == "quickstart" {print $2 - c, $3 - cc}' "$work/times")
echo "what the app adds, median of the rounds' differences: $(cut -d' ' -f1 <<<"$pd" | median) ms of wall time, $(cut -d' ' -f2 <<<"$pd" | median) ms of CPU (rounds: $(cut -d' ' -f1 <<<"$pd" | paste -sd' '))"
echo "all rounds (wall ms, cpu ms): $(awk '{printf "%s %s %s; ", $1, $2, $3}' "$work/times")"

echo "-- a second quickstart with Chromium running (median of $count)"
echo "load $(load)"
(cd flows && $HIGH "$work/flows.test" -test.run '^$' -test.bench 'BenchmarkQuickstartReusedBrowser$' -test.benchtime 1x -test.count "$count") |
  awk '/^BenchmarkQuickstartReusedBrowser/ {print $3 / 1e6}' >"$work/second"
s=$(median <"$work/second")
printf "second quickstart, in process: %.0f ms (runs: %s); against the bare Chromium launch: %s\n" \
  "$s" "$(paste -sd' ' "$work/second")" "$(ratio "$s" "$c")"
echo "load after: $(load)"
