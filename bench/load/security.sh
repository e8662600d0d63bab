#!/usr/bin/env bash
# The cost of authorization and consent on reads and searches: the same server, the
# same data, the same load (wrk), once as the open development server's caller (no
# token: no scope, organization or consent checks) and once as a clinic's client with
# a bearer token (token check, scopes, care relationship and Consent for every
# resource). Both keep the audit trail. Rounds alternate, so drift hits both alike.
# Usage: [PAD=0] bench/load/security.sh [DURATION] [CONNECTIONS] [ROUNDS] (defaults 10s 32 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10s}
connections=${2:-32}
rounds=${3:-3}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
work=$(mktemp -d)
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
server=

for client in hospital clinic; do
  "$binary" clients keygen --out "$work/$client" >/dev/null
done
"$binary" clients add hospital --organization hosp --jwks "$work/hospital/public-keys.jwks" \
  --scope "system/*.cruds" --data-dir "$work/data" >/dev/null
"$binary" clients add clinic --organization clinic-a --jwks "$work/clinic/public-keys.jwks" \
  --scope "system/*.rs" --data-dir "$work/data" >/dev/null
echo '{"logging":{"requests":false},"auth":{"token_lifetime_s":3600}}' >"$work/config.json"
"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" \
  --config "$work/config.json" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do [ -s "$work/port" ] && break; sleep 0.1; done
host="127.0.0.1:$(cat "$work/port")"
base="http://$host"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$base/fhir/metadata" && break; sleep 0.1; done

token() {
  local assertion
  assertion=$("$binary" clients assertion "$1" --key "$work/$1/private-key.jwk" --aud "$base/auth/token")
  curl -s -X POST "$base/auth/token" -d grant_type=client_credentials \
    -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    -d "client_assertion=$assertion" --data-urlencode "scope=$2" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
hospital=$(token hospital "system/*.cruds")
clinic=$(token clinic "system/*.rs")
post() {
  curl -s -X POST -H "Authorization: Bearer $hospital" -H 'Content-Type: application/fhir+json' -d "$2" \
    "$base/fhir/$1" | sed -E 's/.*"id":"([^"]+)".*/\1/'
}
patient=$(post Patient '{"resourceType":"Patient","name":[{"family":"Bench"}]}')
post CareTeam '{"resourceType":"CareTeam","status":"active","subject":{"reference":"Patient/'"$patient"'"},
  "participant":[{"member":{"reference":"Organization/clinic-a"}}]}' >/dev/null
post Consent '{"resourceType":"Consent","status":"active","scope":{"coding":[{"system":
  "http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},"category":[{"coding":[{"system":
  "http://loinc.org","code":"59284-0"}]}],"patient":{"reference":"Patient/'"$patient"'"},"policyRule":{"coding":[{
  "system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},"provision":{"provision":[{"type":
  "permit","actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
  "code":"IRCP"}]},"reference":{"reference":"Organization/clinic-a"}}],"securityLabel":[{"system":
  "http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}]}}' >/dev/null
for i in $(seq 1 20); do
  code=$([ $((i % 2)) -eq 0 ] && echo 7917-8 || echo 8867-4)  # every other one an HIV test
  observation=$(post Observation '{"resourceType":"Observation","status":"final","code":{"coding":[{"system":
    "http://loinc.org","code":"'"$code"'"}]},"subject":{"reference":"Patient/'"$patient"'"},"valueQuantity":{
    "value":'"$i"',"unit":"/min"}}')
done
read_url="$base/fhir/Observation/$observation"
search_url="$base/fhir/Observation?subject=Patient/$patient&_count=10"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $clinic" "$read_url")" = 200 ]

# The open requests carry a header as long as the bearer token, so that both send the
# same bytes and the difference is the checks alone (a 500-byte token header costs the
# HTTP layer and the kernel on its own; run with PAD=0 to see it included).
padding=$(printf '%*s' "${#clinic}" '' | tr ' ' x)
[ "${PAD:-1}" = 0 ] && padding=x
# Requests per second (wrk) and the server's CPU per request (utime + stime from /proc,
# in microseconds): on a 2-core machine shared with wrk, the CPU per request is the
# steadier measure of what the checks cost.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
measure() {
  local before after out requests rate
  before=$(cpu_ticks)
  out=$(wrk -t2 -c"$connections" -d"$duration" "$@")
  after=$(cpu_ticks)
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  echo "$rate $(echo "($after - $before) * 1000000 / $(getconf CLK_TCK) / $requests" | bc -l)"
}
printf '%-8s %-5s %11s %11s %7s %11s %11s %7s\n' workload round "open req/s" "token req/s" ratio \
  "open us/req" "token us/req" ratio
for workload in read search; do
  url=$([ $workload = read ] && echo "$read_url" || echo "$search_url")
  for round in $(seq 1 "$rounds"); do
    read -r open_rate open_cpu <<<"$(measure -H "X-Padding: $padding" "$url")"
    read -r token_rate token_cpu <<<"$(measure -H "Authorization: Bearer $clinic" "$url")"
    printf '%-8s %-5s %11.0f %11.0f %7.3f %11.1f %11.1f %7.3f\n' $workload "$round" "$open_rate" "$token_rate" \
      "$(echo "$token_rate / $open_rate" | bc -l)" "$open_cpu" "$token_cpu" "$(echo "$open_cpu / $token_cpu" | bc -l)"
  done
done
