#!/usr/bin/env bash
# Resident memory of `carebridge serve` under the loads issue 15 names: one 20,000-entry
# transaction Bundle (half Patients, half Observations about them, as
# bench/load/transaction-bundle.lua makes them), then CONCURRENT such Bundles posted at
# once, then a minute-long mixed REST load is left to bench/load/compare-server.sh (which
# prints the peak it saw). Reads VmHWM (the peak resident set) and VmRSS from
# /proc/PID/status after each step.
#
# usage: bench/load/memory.sh   (ENTRIES=20000 CONCURRENT=4 CAREBRIDGE_BINARY=build/carebridge)
set -euo pipefail
cd "$(dirname "$0")/../.."
entries=${ENTRIES:-20000}
concurrent=${CONCURRENT:-4}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }

work=$(mktemp -d)
cb_pid=
cleanup() {
  [ -n "$cb_pid" ] && kill -TERM "$cb_pid" 2>/dev/null && wait "$cb_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" \
  --config <(echo '{"logging":{"requests":false},"validation":{"policy":"ingest"}}') >"$work/carebridge.log" 2>&1 &
cb_pid=$!
for _ in $(seq 1 300); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")/fhir"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$base/metadata" && break; sleep 0.1; done

memory() {  # memory LABEL: the peak and current resident set, in MB
  awk -v label="$1" '/^VmHWM:/ { peak = $2 } /^VmRSS:/ { now = $2 } /^RssAnon:/ { anon = $2 } /^RssFile:/ { file = $2 } /^RssShmem:/ { shm = $2 }
    END { printf "%-50s peak %4d MB, now %4d MB (heap %d, mapped files %d, shared %d)\n", label, peak / 1024, now / 1024, anon / 1024, file / 1024, shm / 1024 }' "/proc/$cb_pid/status"
}

# bundle FILE TAG: a transaction of $entries entries whose identifiers carry TAG.
bundle() {
  awk -v n="$entries" -v tag="$2" 'BEGIN {
    p = int((n + 1) / 2)
    printf "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    for (i = 0; i < n; i++) {
      if (i) printf ","
      if (i < p)
        printf "{\"fullUrl\":\"urn:uuid:00000001-0000-4000-8000-%012d\",\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"http://hospital.example/mrn\",\"value\":\"%s-%d\"}],\"name\":[{\"family\":\"Load\",\"given\":[\"Tx\"]}],\"gender\":\"female\",\"birthDate\":\"1980-05-17\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}", i, tag, i
      else
        printf "{\"fullUrl\":\"urn:uuid:00000002-0000-4000-8000-%012d\",\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":\"Heart rate\"}]},\"subject\":{\"reference\":\"urn:uuid:00000001-0000-4000-8000-%012d\"},\"effectiveDateTime\":\"2024-01-02T09:30:00Z\",\"valueQuantity\":{\"value\":72,\"unit\":\"beats/minute\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}", i, (i - p) % p
    }
    printf "]}" }' >"$1"
}

post() {  # post FILE: the HTTP status and the number of entries answered 201
  curl -s -o "$1.out" -w '%{http_code}' -X POST -H 'Content-Type: application/fhir+json' \
    -H 'Prefer: return=minimal' --data-binary @"$1" "$base"
  printf ' %s created' "$(grep -o '"status":"201' "$1.out" | wc -l)"
}

echo "carebridge: $base ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"
memory "started, nothing stored"
bundle "$work/one.json" one
echo "one transaction: $(post "$work/one.json") ($(du -k "$work/one.json" | cut -f1) KB)"
memory "after one $entries-entry transaction"
for i in $(seq 1 "$concurrent"); do bundle "$work/many-$i.json" "many$i"; done
posts=()
for i in $(seq 1 "$concurrent"); do
  post "$work/many-$i.json" >"$work/many-$i.status" &
  posts+=($!)
done
wait "${posts[@]}"
for i in $(seq 1 "$concurrent"); do echo "concurrent transaction $i: $(cat "$work/many-$i.status")"; done
memory "after $concurrent such transactions posted at once"
