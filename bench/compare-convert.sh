#!/usr/bin/env bash
# Whole process against whole process: `carebridge convert --to xml` against the
# `fhir` npm package (4.12.0, Fhir.jsonToXml) over the same JSON files, timed with
# hyperfine, every output written. TO=json times the other direction: the same files
# first written as XML by `carebridge convert --to xml` (the corpus has JSON only),
# then `carebridge convert --to json` against Fhir.xmlToJson over those XML files.
# usage: bench/compare-convert.sh [CORPUS_DIR]   (default: the spec examples;
#        TO=xml|json RUNS=10, OUT_DIR kept when given, CAREBRIDGE_BINARY)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/fhir-examples}
to=${TO:-xml}
binary=${CAREBRIDGE_BINARY:-build/carebridge}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
(cd bench/npm && [ -d node_modules/fhir ] || npm install --no-audit --no-fund --silent)
out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out"
files=("$corpus"/*.json)
if [ "$to" = json ]; then
  "$binary" convert --to xml --out-dir "$out/input" "${files[@]}" >/dev/null
  files=("$out"/input/*.xml)
fi
echo "corpus: ${#files[@]} files, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes, to $to"
"$binary" convert --to "$to" --out-dir "$out/warm" "${files[@]}" >/dev/null  # writes the definitions index once
hyperfine --warmup 2 --runs "${RUNS:-10}" --export-markdown "$out/result.md" --export-json "$out/result.json" \
  -n carebridge "$binary convert --to $to --out-dir $out/cb ${files[*]}" \
  -n 'fhir npm 4.12.0' "node bench/npm/fhir-convert.js --to $to $out/npm ${files[*]}"
cat "$out/result.md"
[ -n "${OUT_DIR:-}" ] || rm -rf "$out"
