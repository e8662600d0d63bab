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
#   search       GET /fhir/Patient?family=SearchNN&_count=10 (bench/load/search-patient.lua)
#                after both were seeded with the same SEED Patients (one transaction
#                Bundle each), before any other write, so both search the same data
#   create       POST /fhir/Patient (bench/load/create-patient.lua)
#   read         GET /fhir/Patient/{id} of one existing Patient
#   transaction  POST /fhir, a transaction Bundle of TX_ENTRIES entries (each of the
#                list, default "10 100"; bench/load/transaction-bundle.lua), resources/s
#   create@half  the create paced to half of that server's own create peak measured
#                above (bench/load/create-patient-paced.lua: wrk has no rate option and
#                wrk2 is not in Debian), for its p50/p99 latency
#
# SETUP=realistic runs Carebridge as a deployment would: tokens required (a registered
# client, its bearer token on every request, scopes and consent checked), the audit
# trail (always on), the ingest validation policy, and 100 active rest-hook
# subscriptions (lab results, each following its own patient) to a receiver that
# answers 200 (bench/npm/quiet-receiver.js). Medplum's router runs as before.
#
# usage: bench/load/compare-server.sh   (DURATION=10s CONNECTIONS=32 TX_ENTRIES="10 100"
#        SEED=1000 SETUP=plain|realistic WORKLOADS="search create read transaction create@half"
#        RESULTS=FILE: one tab-separated line per server and workload appended to FILE)
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=2
tx_sizes=${TX_ENTRIES:-10 100}
setup=${SETUP:-plain}
workloads=${WORKLOADS:-search create read transaction create@half}
seed=${SEED:-1000}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y -qq wrk
(cd bench/npm && [ -d node_modules/@medplum/fhir-router ] || npm install --no-audit --no-fund --silent)

work=$(mktemp -d)
cb_pid= mp_pid= rx_pid=
cleanup() {
  for pid in $cb_pid $mp_pid $rx_pid; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

echo '{"logging":{"requests":false}}' >"$work/config.json"
if [ "$setup" = realistic ]; then
  # A hospital's client registered before start: it may create, read and search all
  # types (system/*.cruds) for its organization; every request is checked against it.
  "$binary" clients keygen --out "$work/hospital" >/dev/null
  "$binary" clients add hospital --organization hosp --jwks "$work/hospital/public-keys.jwks" \
    --scope "system/*.cruds" --data-dir "$work/data" >/dev/null
  echo '{"logging":{"requests":false},"auth":{"required":true,"metrics_public":true,"token_lifetime_s":3600},
    "validation":{"policy":"ingest"},"routing":{"allowed_hosts":["127.0.0.1"]}}' >"$work/config.json"
  node bench/npm/quiet-receiver.js 0 >"$work/receiver.log" 2>&1 &
  rx_pid=$!
fi
"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" \
  --config "$work/config.json" >"$work/carebridge.log" 2>&1 &
cb_pid=$!
node bench/npm/medplum-server.js 0 >"$work/medplum.log" 2>&1 &
mp_pid=$!
for _ in $(seq 1 300); do [ -s "$work/port" ] && grep -q listening "$work/medplum.log" && break; sleep 0.1; done
declare -A base
base[carebridge]="http://127.0.0.1:$(cat "$work/port")"
base[medplum]="http://127.0.0.1:$(sed -n 's/^listening on //p' "$work/medplum.log")"
for s in carebridge medplum; do
  for _ in $(seq 1 300); do curl -s -o /dev/null "${base[$s]}/fhir/metadata" && break; sleep 0.1; done
done

# Carebridge's bearer token header when realistic (curl and wrk both take -H).
cb_auth=()
request() {  # request SERVER METHOD PATH [BODY]: the answer's body (PATH '': the base)
  local server=$1 method=$2 path=$3 headers=() body=()
  [ "$server" = carebridge ] && headers=("${cb_auth[@]}")
  [ $# -ge 4 ] && body=(--data-binary @-)  # from stdin: a seed Bundle is longer than an argument may be
  printf '%s' "${4:-}" | curl -s -X "$method" -H 'Content-Type: application/fhir+json' "${headers[@]}" "${body[@]}" \
    "${base[$server]}/fhir${path:+/$path}"
}
id_of() { sed -E 's/.*"id":"([^"]+)".*/\1/'; }

if [ "$setup" = realistic ]; then
  assertion=$("$binary" clients assertion hospital --key "$work/hospital/private-key.jwk" --aud "${base[carebridge]}/auth/token")
  token=$(curl -s -X POST "${base[carebridge]}/auth/token" -d grant_type=client_credentials \
    -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    -d "client_assertion=$assertion" --data-urlencode "scope=system/*.cruds" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  cb_auth=(-H "Authorization: Bearer $token")
  for _ in $(seq 1 50); do grep -q listening "$work/receiver.log" && break; sleep 0.1; done
  endpoint="http://127.0.0.1:$(sed -n 's/^listening on //p' "$work/receiver.log")/hook"
  # 100 subscriptions, each following its own patient (the routed shape of
  # bench/routing_load.cpp); each is activated by a handshake to the receiver.
  backport=http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/
  for _ in $(seq 1 100); do
    followed=$(request carebridge POST Patient '{"resourceType":"Patient","name":[{"family":"Followed"}]}' | id_of)
    request carebridge POST Subscription '{"resourceType":"Subscription","status":"requested","reason":"bench",
      "criteria":"http://carebridge.example/fhir/SubscriptionTopic/lab-results","_criteria":{"extension":[{"url":
      "'"$backport"'backport-filter-criteria","valueString":"Observation?patient=Patient/'"$followed"'"}]},
      "channel":{"type":"rest-hook","endpoint":"'"$endpoint"'","payload":"application/fhir+json","_payload":{
      "extension":[{"url":"'"$backport"'backport-payload-content","valueCode":"id-only"}]}}}' >/dev/null
  done
  active=0
  for _ in $(seq 1 300); do
    active=$(request carebridge GET 'Subscription?status=active&_summary=count' | sed -E 's/.*"total":([0-9]+).*/\1/')
    [ "$active" -ge 100 ] && break
    sleep 0.1
  done
  echo "carebridge: tokens required (client hospital, system/*.cruds), ingest validation, $active active subscriptions"
  [ "$active" -ge 100 ] || { echo "only $active subscriptions became active" >&2; exit 1; }
fi
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
  local headers=()
  [ "$server" = carebridge ] && headers=("${cb_auth[@]}")
  wrk -t$threads -c"$connections" -d"$duration" --timeout 30s --latency "${headers[@]}" "$@" | tee "$out"
  local rps p50 p99 failed extra
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  failed=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
  extra=$(sed -n 's/^transaction: .*, \([0-9]*\) resources\/s$/\1/p' "$out")
  result["$server $workload"]="$rps|$p50|$p99|$failed|$extra"
  [ -z "${RESULTS:-}" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$setup" "$server" "$workload" "$rps" "$p50" "$p99" "$failed" "$extra" >>"$RESULTS"
  sleep 1
}

wants() { [[ " $workloads " == *" $1 "* ]]; }

if wants search; then
  # The same SEED Patients on both, SEED / 100 of each family name Search00-Search99.
  bundle=$(awk -v n="$seed" 'BEGIN {
    printf "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    for (i = 0; i < n; i++)
      printf "%s{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Search%02d\",\"given\":[\"P%d\"]}],\"gender\":\"female\",\"birthDate\":\"1980-05-17\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}", (i ? "," : ""), i % 100, i
    printf "]}" }')
  for s in carebridge medplum; do
    stored=$(request "$s" POST '' "$bundle" | { grep -o '"status":"201' || true; } | wc -l)
    found=$(request "$s" GET 'Patient?family=Search07&_count=10' | { grep -o '"resourceType":"Patient"' || true; } | wc -l)
    echo "$s: $stored of $seed Patients stored; Patient?family=Search07&_count=10 gives $found"
  done
  for s in carebridge medplum; do run "$s" search -s bench/load/search-patient.lua "${base[$s]}"; done
fi
if wants create; then
  for s in carebridge medplum; do run "$s" create -s bench/load/create-patient.lua "${base[$s]}"; done
fi
if wants read; then
  for s in carebridge medplum; do
    id=$(request "$s" POST Patient '{"resourceType":"Patient","name":[{"family":"Bench"}]}' | id_of)
    request "$s" GET "Patient/$id" | grep -q '"resourceType":"Patient"' || { echo "$s: cannot read Patient/$id" >&2; exit 1; }
    run "$s" read "${base[$s]}/fhir/Patient/$id"
  done
fi
if wants transaction; then
  for n in $tx_sizes; do
    for s in carebridge medplum; do TX_ENTRIES=$n run "$s" "transaction x$n" -s bench/load/transaction-bundle.lua "${base[$s]}"; done
  done
fi
if wants create@half && wants create; then
  for s in carebridge medplum; do
    peak=$(cut -d'|' -f1 <<<"${result["$s create"]}")
    rate=$((peak / 2))
    echo
    echo "(paced to $rate creates/s, half of $s's $peak)"
    RATE=$rate WRK_THREADS=$threads run "$s" "create@half" -s bench/load/create-patient-paced.lua "${base[$s]}"
  done
fi

# The peak resident set of each server over the whole run (VmHWM), for issue 15's bound.
peak_mb() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
echo
echo "peak resident: carebridge $(peak_mb "$cb_pid") MB, medplum $(peak_mb "$mp_pid") MB"
awk '/^(RssAnon|RssFile|RssShmem):/ { printf "%s%s %d MB", sep, $1, $2 / 1024; sep = ", " } END { print "" }' \
  "/proc/$cb_pid/status" | sed 's/^/carebridge now: /'
ls -l "$work/data" | awk 'NR > 1 { printf "%s %d MB  ", $NF, $5 / 1048576 } END { print "" }' | sed 's/^/store files: /' 

echo
echo "== carebridge store timings"
curl -s "${cb_auth[@]}" "${base[carebridge]}/metrics" | grep -E '^carebridge_store_operation_duration_seconds_(sum|count)' || true

echo
echo "| workload | carebridge req/s | p50 | p99 | medplum req/s | p50 | p99 | carebridge / medplum |"
echo "|---|---|---|---|---|---|---|---|"
shown=()
for w in search create read; do wants $w && shown+=("$w"); done
if wants transaction; then for n in $tx_sizes; do shown+=("transaction x$n"); done; fi
wants create@half && wants create && shown+=("create@half")
for w in "${shown[@]}"; do
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
