#!/usr/bin/env bash
# Server-side cost of the emulator per /link/token/create against a bare
# net/http JSON handler, each in its own process, by bench/loadgen: the same
# keep-alive load over loopback, each server's CPU time read from
# /proc/PID/stat per round, alternating rounds, medians and the ratio (goal:
# at most 1.3x), fresh and again after AGE requests (1,000,000 by default).
# Benchmarks only: it never fails on the numbers.
#
# Usage: bench/emulator-server.sh
#        ROUNDS=9 ROUND=3s AGE=1000000 CONNS=4 bench/emulator-server.sh
#        LOG=false bench/emulator-server.sh     (no request log lines)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/loadgen" ./bench/loadgen
"$tmp/loadgen" -rounds "${ROUNDS:-7}" -round "${ROUND:-2s}" -conns "${CONNS:-4}" \
	-age "${AGE:-1000000}" -log="${LOG:-true}"
