#!/usr/bin/env bash
# Server load, Carebridge against its peer in the same run on the same machine with the
# same wrk loads: `carebridge serve` (validated creates, SQLite WAL with
# synchronous=FULL and group commit) against Medplum's FHIR router 4.5.2 over its
# in-memory repository behind node's http server (bench/npm/medplum-server.js).
# Both listen on 127.0.0.1 only; every wrk run is bounded by DURATION.
#
# Workloads, each run against Carebridge then Medplum (wrk -t2 -cCONNECTIONS):
# wrk waits up to 30 s for a response (--timeout; its default of 2 s would count slow
# transactions as socket timeouts and leave them out of the latencies).
#   create       POST /fhir/Patient (bench/load/create-patient.lua)
#   read         GET /fhir/Patient/{id} of one existing Patient
#   transaction  POST /fhir, a transaction Bundle of TX_ENTRIES entries (each of the
#                list, default "10 100"; bench/load/transaction-bundle.lua), resources/s
#   create@half  the create paced to half of that server's own create peak measured
#                above (bench/load/create-patient-paced.lua: wrk has no rate option and
#                wrk2 is not in Debian), for its p50/p99 latency
#
# usage: bench/load/compare-server.sh   (DURATION=10s CONNECTIONS=32 TX_ENTRIES="10 100")
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=2
tx_sizes=${TX_ENTRIES:-10 100}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y -qq wrk
(cd bench/npm && [ -d node_modules/@medplum/fhir-router ] || npm install --no-audit --no-fund --silent)

work=$(mktemp -d)
cb_pid= mp_pid=
cleanup() {
  [ -n "$cb_pid" ] && kill -TERM "$cb_pid" 2>/dev/null && wait "$cb_pid" 2>/dev/null
  [ -n "$mp_pid" ] && kill -TERM "$mp_pid" 2>/dev/null && wait "$mp_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" \
  --config <(echo '{"logging":{"requests":false}}') >"$work/carebridge.log" 2>&1 &
cb_pid=$!
node bench/npm/medplum-server.js 0 >"$work/medplum.log" 2>&1 &
mp_pid=$!
for _ in $(seq 1 300); do [ -s "$work/port" ] && grep -q listening "$work/medplum.log" && break; sleep 0.1; done
declare -A base
base[carebridge]="http://127.0.0.1:$(cat "$work/port")"
base[medplum]="http://127.0.0.1:$(sed -n 's/^listening on //p' "$work/medplum.log")"
for s in carebridge medplum; do
  for _ in $(seq 1 300); do curl -sf -o /dev/null "${base[$s]}/fhir/Patient?_count=1" && break; sleep 0.1; done
done
echo "carebridge: ${base[carebridge]} ($("$binary" --version 2>/dev/null || echo "$binary"))"
echo "medplum:    ${base[medplum]} (@medplum/fhir-router $(node -p 'require("./bench/npm/node_modules/@medplum/fhir-router/package.json").version'), node $(node --version))"
echo "wrk -t$threads -c$connections -d$duration; $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# "296.00us" / "1.20ms" / "1.05s" -> milliseconds
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'; }

declare -A result  # "$server $workload" -> "requests/s|p50 ms|p99 ms|failed|extra"
run() {  # run SERVER WORKLOAD [wrk arguments...] (env for the Lua script set by the caller)
  local server=$1 workload=$2
  shift 2
  local out="$work/$server-${workload//[^a-z0-9]/_}.txt"
  echo
  echo "== $server: $workload"
  wrk -t$threads -c"$connections" -d"$duration" --timeout 30s --latency "$@" | tee "$out"
  local rps p50 p99 failed extra
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  failed=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
  extra=$(sed -n 's/^transaction: .*, \([0-9]*\) resources\/s$/\1/p' "$out")
  result["$server $workload"]="$rps|$p50|$p99|$failed|$extra"
  sleep 1
}

for s in carebridge medplum; do run "$s" create -s bench/load/create-patient.lua "${base[$s]}"; done
for s in carebridge medplum; do
  id=$(curl -s -X POST -H 'Content-Type: application/fhir+json' \
    -d '{"resourceType":"Patient","name":[{"family":"Bench"}]}' "${base[$s]}/fhir/Patient" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  curl -sf -o /dev/null "${base[$s]}/fhir/Patient/$id" || { echo "$s: cannot read Patient/$id" >&2; exit 1; }
  run "$s" read "${base[$s]}/fhir/Patient/$id"
done
for n in $tx_sizes; do
  for s in carebridge medplum; do TX_ENTRIES=$n run "$s" "transaction x$n" -s bench/load/transaction-bundle.lua "${base[$s]}"; done
done
for s in carebridge medplum; do
  peak=$(cut -d'|' -f1 <<<"${result["$s create"]}")
  rate=$((peak / 2))
  echo
  echo "(paced to $rate creates/s, half of $s's $peak)"
  RATE=$rate WRK_THREADS=$threads run "$s" "create@half" -s bench/load/create-patient-paced.lua "${base[$s]}"
done

echo
echo "== carebridge store timings"
curl -s "${base[carebridge]}/metrics" | grep -E '^carebridge_store_operation_duration_seconds_(sum|count)' || true

echo
echo "| workload | carebridge req/s | p50 | p99 | medplum req/s | p50 | p99 | carebridge / medplum |"
echo "|---|---|---|---|---|---|---|---|"
workloads="create read"
for n in $tx_sizes; do workloads+=" transaction_x$n"; done
workloads+=" create@half"
for w in $workloads; do
  w=${w//_/ }
  IFS='|' read -r c_rps c_p50 c_p99 c_fail c_res <<<"${result["carebridge $w"]}"
  IFS='|' read -r m_rps m_p50 m_p99 m_fail m_res <<<"${result["medplum $w"]}"
  label=$w c_show=$c_rps m_show=$m_rps ratio_c=$c_rps ratio_m=$m_rps
  if [ -n "$c_res" ]; then
    label="$w (resources/s)" c_show="$c_rps ($c_res res/s)" m_show="$m_rps ($m_res res/s)" ratio_c=$c_res ratio_m=$m_res
  fi
  [ "$c_fail" != 0 ] && c_show+=" [$c_fail failed]"
  [ "$m_fail" != 0 ] && m_show+=" [$m_fail failed]"
  ratio=$(awk -v a="$ratio_c" -v b="$ratio_m" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  echo "| $label | $c_show | $c_p50 ms | $c_p99 ms | $m_show | $m_p50 ms | $m_p99 ms | $ratio |"
done
