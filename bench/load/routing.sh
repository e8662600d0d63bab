#!/usr/bin/env bash
# Subscriptions under load: starts `carebridge serve` with a fresh data folder and runs
# bench/load/routing.py against it (SUBSCRIBERS rest-hook subscribers on loopback, WRITES
# lab results at RATE/s). With SUBSCRIBERS=0 it gives the write throughput without
# subscriptions to compare. Usage: bench/load/routing.sh [SUBSCRIBERS] [WRITES] [RATE]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/load/start-server.sh
python3 bench/load/routing.py "$base/fhir" "${1:-100}" "${2:-500}" "${3:-50}"
