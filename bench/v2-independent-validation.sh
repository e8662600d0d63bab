#!/usr/bin/env bash
# The v2 Bundles checked by an independent validator: maps every message in
# samples/hl7v2 and ../shared/corpus/hl7v2 (when present) with `carebridge map`, then
# validates the Bundles with Medplum's validator (@medplum/core 4.5.2, bench/npm,
# installed on first use) and with ours (strict), and does the same for the Bundles the
# corpus's converter produced (*-expected.json). Prints the files with errors by each.
# usage: bench/v2-independent-validation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${CAREBRIDGE_BINARY:-build/carebridge}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
(cd bench/npm && [ -d node_modules/@medplum/core ] || npm install --no-audit --no-fund --silent)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
messages=(samples/hl7v2/*.hl7)
[ -d ../shared/corpus/hl7v2 ] && messages+=(../shared/corpus/hl7v2/*/*.hl7)
"$binary" map --mapping hl7v2 --out-dir "$out/ours" "${messages[@]}" 2>/dev/null || true
count_errors() { grep -c '"severity":"\(error\|fatal\)"' "$1" || true; }
ours=("$out"/ours/*.json)
node bench/npm/medplum-validate.js "${ours[@]}" >"$out/medplum-ours.jsonl" || true
"$binary" validate --json "${ours[@]}" >"$out/carebridge-ours.jsonl" || true
echo "carebridge map: ${#messages[@]} messages -> ${#ours[@]} Bundles;" \
  "files with errors: Medplum $(count_errors "$out/medplum-ours.jsonl"), carebridge $(count_errors "$out/carebridge-ours.jsonl")"
if [ -d ../shared/corpus/hl7v2 ]; then
  theirs=(../shared/corpus/hl7v2/*/*-expected.json)
  node bench/npm/medplum-validate.js "${theirs[@]}" >"$out/medplum-theirs.jsonl" || true
  "$binary" validate --json "${theirs[@]}" >"$out/carebridge-theirs.jsonl" || true
  echo "the corpus converter's ${#theirs[@]} Bundles; files with errors:" \
    "Medplum $(count_errors "$out/medplum-theirs.jsonl"), carebridge $(count_errors "$out/carebridge-theirs.jsonl")"
fi
