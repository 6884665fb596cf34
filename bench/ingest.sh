#!/usr/bin/env bash
# Recording the user's own app's requests (issue 12, item 12): how many
# requests a second the app's poller moves from the emulator's request log
# into the session log (BenchmarkOwnAppIngest/ingest: a page of up to 500
# with their bodies in one GET, one transaction per page), against the raw
# store insert of the same calls in the same pages (…/store), in the same
# process and run. One op is a burst of 1,000 requests, sent to the
# emulator with the timer stopped. COUNT rounds, medians and the ratio.
#
# Usage: bash bench/ingest.sh       COUNT=5 BENCHTIME=5x by default
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
count=${COUNT:-5}
benchtime=${BENCHTIME:-5x}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/out
exec > >(tee bench/out/ingest.txt) 2>&1

go test -c -o "$work/tui.test" ./tui/
echo "== own-app ingest, load $(cut -d' ' -f1-3 /proc/loadavg)"
(cd tui && "$work/tui.test" -test.run '^$' -test.bench 'BenchmarkOwnAppIngest' -test.count "$count" -test.benchtime "$benchtime") |
  awk '/^BenchmarkOwnAppIngest/ {split($1, a, "/"); sub(/-[0-9]+$/, "", a[2]); print a[2], $5}' >"$work/rates"
ingest=$(awk '$1 == "ingest" {print $2}' "$work/rates" | median)
raw=$(awk '$1 == "store" {print $2}' "$work/rates" | median)
printf "ingest %.0f req/s, raw store insert %.0f req/s (medians of %d): ingest at %s of the raw insert rate; goal ≥ 1,000 req/s\n" \
  "$ingest" "$raw" "$count" "$(ratio "$ingest" "$raw")"
