#!/usr/bin/env bash
# Benchmarks of the session log (store/): insert throughput, query by
# request_id, open time, and log pages, on stores of 100,000 and 1,000,000
# entries built once per run in a temporary directory (about a minute for
# the big one). Results go to bench/out/store.txt.
#
#   bench/store.sh                 # everything
#   bench/store.sh 'Open|Query'    # only the benchmarks matching a regexp
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
go test -run '^$' -bench "${1:-.}" -benchmem -count "${COUNT:-1}" -timeout 30m ./store/ | tee bench/out/store.txt
