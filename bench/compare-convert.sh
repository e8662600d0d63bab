#!/usr/bin/env bash
# Whole process against whole process: `carebridge convert --to xml` against the
# `fhir` npm package (4.12.0, Fhir.jsonToXml) over the same JSON files, timed with
# hyperfine. usage: bench/compare-convert.sh [CORPUS_DIR]   (default: the spec examples)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/fhir-examples}
[ -x build/carebridge ] || { echo "build first: scripts/setup" >&2; exit 1; }
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
(cd bench/npm && [ -d node_modules/fhir ] || npm install --no-audit --no-fund --silent)
out=$(mktemp -d)
files=("$corpus"/*.json)
echo "corpus: ${#files[@]} files, $(du -ch "${files[@]}" | tail -1 | cut -f1)"
build/carebridge convert --to xml --out-dir "$out/warm" "${files[@]}" >/dev/null  # writes the definitions index once
hyperfine --warmup 2 --runs ${RUNS:-10} --export-markdown "$out/result.md" \
  -n carebridge "build/carebridge convert --to xml --out-dir $out/cb ${files[*]}" \
  -n 'fhir npm 4.12.0' "node bench/npm/fhir-convert.js $out/npm ${files[*]}"
cat "$out/result.md"
rm -rf "$out"
