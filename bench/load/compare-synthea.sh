#!/usr/bin/env bash
# Transaction ingest of Synthea-shaped Bundles, Carebridge against its peer in the
# same run: `carebridge serve` (every resource validated with the ingest policy and
# durable: SQLite WAL, synchronous=FULL) against Medplum's FHIR router 4.5.2 over
# its in-memory repository (bench/npm/medplum-server.js: nothing validated, nothing
# written to disk). Both on 127.0.0.1; one client connection posting Bundles one
# after another, as a hospital's interface engine does (bench/load/post_bundles.py).
#
# Data: tests/data/synthea/v3 (hospital and practitioner batch Bundles first, then the
# patient transaction Bundles, each about 100-150 entries with conditional references
# such as Practitioner?identifier=...), the patient Bundles posted COPIES times per
# round. ROUNDS rounds, the two servers alternating which goes first.
#
# usage: bench/load/compare-synthea.sh   (ROUNDS=5 COPIES=20 DATA=tests/data/synthea/v3; DATA may name
#        any folder of Synthea output, such as ../shared/corpus/synthea)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-5}
copies=${COPIES:-20}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
data=${DATA:-tests/data/synthea/v3}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
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
base[carebridge]="http://127.0.0.1:$(cat "$work/port")/fhir"
base[medplum]="http://127.0.0.1:$(sed -n 's/^listening on //p' "$work/medplum.log")/fhir"
for s in carebridge medplum; do
  for _ in $(seq 1 300); do curl -sf -o /dev/null "${base[$s]}/Patient?_count=1" && break; sleep 0.1; done
done
echo "$(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $(git rev-parse --short HEAD 2>/dev/null || true)"

shared=("$data"/hospitalInformation*.json "$data"/practitionerInformation*.json)
patients=()
for _ in $(seq 1 "$copies"); do
  for f in "$data"/*.json; do
    case "$(basename "$f")" in hospitalInformation* | practitionerInformation*) ;; *) patients+=("$f") ;; esac
  done
done

rate() { sed -n 's/.*: \([0-9]*\) stored resources\/s$/\1/p'; }
declare -A batch
for s in carebridge medplum; do batch[$s]=$(bench/load/post_bundles.py "${base[$s]}" "${shared[@]}" | rate); done
echo "shared batch Bundles (conditional creates): carebridge ${batch[carebridge]}/s, medplum ${batch[medplum]}/s"

ratios=()
printf '%-6s %12s %12s %7s\n' round carebridge medplum ratio
for r in $(seq 1 "$rounds"); do
  order=(carebridge medplum)
  [ $((r % 2)) -eq 0 ] && order=(medplum carebridge)
  declare -A got
  for s in "${order[@]}"; do got[$s]=$(bench/load/post_bundles.py "${base[$s]}" "${patients[@]}" | rate); done
  ratio=$(awk -v a="${got[carebridge]}" -v b="${got[medplum]}" 'BEGIN { printf "%.2f", a / b }')
  ratios+=("$ratio")
  printf '%-6s %12s %12s %7s\n' "$r" "${got[carebridge]}" "${got[medplum]}" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "transaction ingest, stored resources/s, carebridge / medplum: median ratio $median over $rounds rounds of $((${#patients[@]})) Bundles"
