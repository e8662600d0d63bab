#!/usr/bin/env bash
# A/B of server binaries under one load, alternating so that the machine's drift falls on
# both: each round runs bench/load/compare-server.sh (SETUP=realistic by default) against each
# binary in turn and prints its rate and the server's CPU per request (utime + stime of the
# `carebridge serve` process from /proc, over its whole run, divided by the requests wrk made).
#
# usage: bench/load/ab.sh ROUNDS BINARY...   (WL=create D=8s SETUP=realistic)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=$1
shift
for r in $(seq 1 "$rounds"); do
  for b in "$@"; do
    out=$(mktemp)
    CAREBRIDGE_BINARY=$b SETUP=${SETUP:-realistic} WORKLOADS="${WL:-create}" DURATION=${D:-8s} \
      bench/load/compare-server.sh >"$out" 2>&1 &
    script=$!
    pid=
    for _ in $(seq 1 100); do pid=$(pgrep -f "^$b serve" | head -1 || true); [ -n "$pid" ] && break; sleep 0.1; done
    ticks=0
    while kill -0 "$script" 2>/dev/null; do
      t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
      [ -n "$t" ] && ticks=$t
      sleep 0.2
    done
    requests=$(awk '/requests in/ { print $1; exit }' "$out")
    rate=$(grep "^| ${WL:-create} " "$out" | awk -F'|' '{ print $3 }' | tr -d ' ')
    echo "round $r $(basename "$b"): $rate req/s, $((ticks * 10000 / requests)) us of server CPU per request"
    rm -f "$out"
  done
done
