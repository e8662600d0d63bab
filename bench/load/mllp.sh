#!/usr/bin/env bash
# MLLP end to end: starts `carebridge serve` with an MLLP listener and a fresh data folder,
# then bench/load/mllp_load.py sends ORU^R01 messages (each parsed, mapped, validated,
# committed as one transaction, then acknowledged). Usage: bench/load/mllp.sh [SECONDS]
# [CONNECTIONS] (defaults 10 and 4). Needs build/carebridge and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-4}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
work=$(mktemp -d)
cat >"$work/config.json" <<JSON
{"logging": {"requests": false}, "mllp": [{"address": "127.0.0.1:0"}], "mllp_port_file": "$work/mllp"}
JSON
"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" --config "$work/config.json" \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do [ -s "$work/port" ] && [ -s "$work/mllp" ] && break; sleep 0.1; done
python3 bench/load/mllp_load.py "$(cat "$work/mllp")" "$seconds" "$connections"
echo "server CPU: $(ps -o times= -p $server) s"
