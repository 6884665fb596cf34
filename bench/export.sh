#!/usr/bin/env bash
# log --json of a big log against sqlite3 -json of the same rows (the
# same columns of the same join, newest first), on the same store, ROUNDS
# rounds alternating, output to /dev/null. It prints the medians of wall
# time and of CPU time (user + sys: on a busy machine the steadier one) and
# their ratios. Needs the sqlite3 command-line shell (Debian: apt-get
# install sqlite3); only this script uses it, no test does.
#
# Both run at HIGH priority (bench/lib.sh: nice -20 as root), and the
# load average is printed beside the figures. (No instruction count:
# perf has no hardware counters on this machine, and valgrind 3.19 stops
# on the RDTSCP instruction the Go 1.26 runtime executes on a contended
# lock.)
#
# Usage: bash bench/export.sh      ROWS=1000000 ROUNDS=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rows=${ROWS:-1000000}
rounds=${ROUNDS:-5}
command -v sqlite3 >/dev/null || { echo "bench/export.sh needs sqlite3: apt-get install sqlite3" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/out
exec > >(tee bench/out/export.txt) 2>&1

dir=$(bench_store "$rows")
go build -o "$work/linkexplorer" .
"$work/linkexplorer" log --state-dir "$dir" --limit 1 >/dev/null # ends the builder's running session, once

query="SELECT e.id, e.kind, e.time, e.session_id, e.request_id, e.link_session_id, e.item_id, e.error_type,
  e.error_code, c.method, c.endpoint, c.http_status, c.error_message, c.duration_ns, c.source, c.request_body,
  c.response_body, v.kind AS event_kind, v.event_name, v.view_name, v.error_message AS event_error_message,
  v.exit_status, v.institution_id, v.institution_name, v.metadata, w.webhook_type, w.webhook_code, w.signature, w.body
  FROM log_entries e LEFT JOIN api_calls c ON c.entry_id = e.id LEFT JOIN link_events v ON v.entry_id = e.id
  LEFT JOIN webhooks w ON w.entry_id = e.id ORDER BY e.id DESC"

RESULTS=$work/results
: >"$RESULTS"
echo "== log --json vs sqlite3 -json, $rows entries ($(du -m "$dir/linkexplorer.db" | cut -f1) MB), $rounds rounds at HIGH priority ($HIGH), load $(load)"
for ((r = 0; r < rounds; r++)); do
  timed linkexplorer "$work/linkexplorer" log --json --state-dir "$dir"
  timed sqlite3 sqlite3 -json "$dir/linkexplorer.db" "$query"
done
echo "load after: $(load)"
lw=$(col linkexplorer 2) lc=$(col linkexplorer 3) sw=$(col sqlite3 2) sc=$(col sqlite3 3)
printf "%-24s %10s %10s\n" "median" "wall (s)" "cpu (s)"
printf "%-24s %10s %10s\n" "linkexplorer log --json" "$lw" "$lc" "sqlite3 -json" "$sw" "$sc"
printf "%-24s %10s %10s\n" "ratio" "$(ratio "$lw" "$sw")" "$(ratio "$lc" "$sc")"
echo "rounds (name wall cpu):"
cat "$RESULTS"
echo "output: $("$work/linkexplorer" log --json --state-dir "$dir" | wc -c) bytes from linkexplorer, $(sqlite3 -json "$dir/linkexplorer.db" "$query" | wc -c) from sqlite3"
