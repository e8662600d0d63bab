#!/usr/bin/env bash
# Subscriptions under load: starts `carebridge serve` with a fresh data folder and runs
# bench/load/routing.py against it (SUBSCRIBERS rest-hook subscribers on loopback, WRITES
# lab results at RATE/s). With SUBSCRIBERS=0 it gives the write throughput without
# subscriptions to compare. Usage: bench/load/routing.sh [SUBSCRIBERS] [WRITES] [RATE]
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${CAREBRIDGE_BINARY:-build/carebridge}
work=$(mktemp -d)
"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" \
  --config <(echo '{"logging":{"requests":false}}') >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do [ -s "$work/port" ] && break; sleep 0.1; done
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$(cat "$work/port")/fhir/metadata" && break; sleep 0.1; done
python3 bench/load/routing.py "http://127.0.0.1:$(cat "$work/port")/fhir" "${1:-100}" "${2:-500}" "${3:-50}"
