#!/usr/bin/env bash
# Subscriptions under load: starts `carebridge serve` with a fresh data folder and runs
# bench_routing_load (bench/routing_load.cpp) against it: SUBSCRIBERS rest-hook subscribers
# on loopback, WRITES lab results at RATE/s (0: unpaced), MODE fan-out (every write to
# every subscriber), teams (each patient followed by 10 subscribers), routed (each
# subscriber follows its own patient) or quiet (no write concerns a subscriber). With
# SUBSCRIBERS=0 it gives the write throughput without subscriptions to compare. WRITERS
# connections write at once (4).
# Usage: bench/load/routing.sh [SUBSCRIBERS] [WRITES] [RATE] [MODE] [WRITERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
load=${ROUTING_LOAD:-${CAREBRIDGE_BUILD:-build}/bench/bench_routing_load}  # ROUTING_LOAD: a copy of the driver
[ -x "$load" ] || { echo "build $load first (cmake --build build --target bench_routing_load)" >&2; exit 1; }
source bench/load/start-server.sh
"$load" "$base/fhir" "${1:-100}" "${2:-2000}" "${3:-1000}" "${4:-fan-out}" "${5:-4}"
