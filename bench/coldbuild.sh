#!/usr/bin/env bash
# A newcomer's cold build: empty module cache (GOMODCACHE, filled from the
# module proxy) and empty build cache (GOCACHE, so the standard library is
# compiled too), in a temporary directory. It times, for linkexplorer:
#   1. go list -deps .   (the network: the modules the build needs, from
#                         the module proxy)
#   2. go build          (every package compiled, then the link)
# and the same build of a standard-library-only program (an HTTP JSON
# server: net/http, encoding/json, flag, os/signal) with its own empty
# caches, in the same run, ROUNDS times alternating. A cold `go run .` is
# download + build + starting the binary. It prints binary sizes and, from
# go build -debug-actiongraph, the heaviest packages and modules.
#
# The build's CPU time (user + sys of the compilers and linker, buildcpu)
# is printed beside its wall time: on a shared machine it is the steadier
# figure.
#
# Usage: bash bench/coldbuild.sh       ROUNDS=1 by default (a round takes
#                                      minutes on 2 cores)
# It builds the committed tree (git archive HEAD), so edits in progress
# neither break nor colour it. Output also goes to bench/out/coldbuild.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
HIGH=${BUILD_PRIORITY-} # a build of many minutes at nice -20 would starve the machine; BUILD_PRIORITY="nice -n -20" to ask
rounds=${ROUNDS:-1}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
mkdir -p bench/out "$work/src"
git archive HEAD | tar -x -C "$work/src"
exec > >(tee bench/out/coldbuild.txt) 2>&1

# The baseline: a standard-library-only program of the same kind.
mkdir -p "$work/baseline"
cat >"$work/baseline/go.mod" <<'MOD'
module example.com/baseline

go 1.26
MOD
cat >"$work/baseline/main.go" <<'SRC'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /link/token/create", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"link_token": "link-sandbox-x", "request_id": "r"})
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: mux}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
SRC

secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }

# cold NAME DIR: a cold download and build of DIR with caches of its own.
cold() {
  local name=$1 dir=$2 c="$work/caches-$1" t0 t1 t2 cpu
  rm -rf "$c"
  mkdir -p "$c"
  export GOCACHE="$c/build" GOMODCACHE="$c/mod" GOFLAGS=-buildvcs=false
  t0=$(date +%s%N)
  (cd "$dir" && go list -deps . >/dev/null)
  t1=$(date +%s%N)
  cpu=$({ TIMEFORMAT='%U %S'; time (cd "$dir" && $HIGH go build -debug-actiongraph="$work/$name.actions.json" -o "$work/$name.bin" . >&2); } 2>&1 | tail -n 1 | awk '{printf "%.1f", $1 + $2}')
  t2=$(date +%s%N)
  unset GOCACHE GOMODCACHE GOFLAGS
  echo "$name download $(secs "$t0" "$t1") build $(secs "$t1" "$t2") total $(secs "$t0" "$t2") buildcpu $cpu size $(stat -c %s "$work/$name.bin")" >>"$work/results"
  chmod -R u+w "$c"
  rm -rf "$c"
}

echo "== cold builds, $rounds round(s), $(nproc) cores, load $(load), $(go version), build at priority '${HIGH:-normal}'"
: >"$work/results"
for ((r = 1; r <= rounds; r++)); do
  cold baseline "$work/baseline"
  cold linkexplorer "$work/src"
  tail -n 2 "$work/results"
done
echo "load after: $(load)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { awk -v n="$1" -v f="$2" '$1 == n {for (i = 2; i < NF; i += 2) if ($i == f) print $(i+1)}' "$work/results" | median; }
echo
printf "%-28s %12s %12s %8s\n" "median of $rounds" linkexplorer baseline ratio
for f in download build buildcpu total; do
  a=$(field linkexplorer $f) b=$(field baseline $f)
  printf "%-28s %10s s %10s s %7s\n" "$f" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN {if (b > 0) printf "%.1f×", a / b; else print "-"}')"
done
a=$(field linkexplorer size) b=$(field baseline size)
printf "%-28s %9.1f MB %9.1f MB %6.1f×\n" "binary size" "$(awk -v a="$a" 'BEGIN {print a / 1048576}')" \
  "$(awk -v b="$b" 'BEGIN {print b / 1048576}')" "$(awk -v a="$a" -v b="$b" 'BEGIN {print a / b}')"
# Stripped of symbols and DWARF, as a release would be.
(cd "$work/src" && GOFLAGS=-buildvcs=false go build -ldflags='-s -w' -o "$work/stripped.bin" .)
printf "%-28s %9.1f MB\n" "binary size, -ldflags=-s -w" "$(awk -v a="$(stat -c %s "$work/stripped.bin")" 'BEGIN {print a / 1048576}')"

echo
echo "== linkexplorer, last round"
go run bench/actiongraph.go -top 15 "$work/linkexplorer.actions.json"
echo
echo "== baseline, last round"
go run bench/actiongraph.go -top 3 "$work/baseline.actions.json"
