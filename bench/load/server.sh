#!/usr/bin/env bash
# Load test of `carebridge serve` with wrk: starts a server on a free loopback port
# with a fresh data folder, then measures reads, searches and creates (group commit
# under concurrent writers). Usage: bench/load/server.sh [DURATION] [CONNECTIONS]
# (defaults 10s and 32). Needs build/carebridge and wrk (scripts/setup installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10s}
connections=${2:-32}
source bench/load/start-server.sh

id=$(curl -s -X POST -H 'Content-Type: application/fhir+json' \
  -d '{"resourceType":"Patient","name":[{"family":"Bench"}]}' "$base/fhir/Patient" | sed -E 's/.*"id":"([^"]+)".*/\1/')
echo "== create (POST /fhir/Patient, $connections connections)"
wrk -t2 -c"$connections" -d"$duration" --latency -s bench/load/create-patient.lua "$base"
echo "== read (GET /fhir/Patient/$id)"
wrk -t2 -c"$connections" -d"$duration" --latency "$base/fhir/Patient/$id"
echo "== search (GET /fhir/Patient?family=load&_count=10)"
wrk -t2 -c"$connections" -d"$duration" --latency "$base/fhir/Patient?family=load&_count=10"
echo "== store timings"
curl -s "$base/metrics" | grep -E '^carebridge_store_operation_duration_seconds_(sum|count)'
