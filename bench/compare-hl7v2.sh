#!/usr/bin/env bash
# Whole process against whole process for HL7 v2 lab results: `carebridge map --mapping
# hl7v2` (parse + map to a transaction Bundle + validate, one Bundle file written per
# message) against Medplum's v2 parsing (@medplum/hl7 4.5.2, which parses with
# Hl7Message.parse of @medplum/core: bench/npm/medplum-hl7-parse.js, parse only) over the
# same MESSAGES ORU^R01 files, timed with hyperfine.
# The messages are copies of samples/hl7v2/oru_r01*.hl7, each with its own control id
# (MSH-10), so that no two are the same message.
# usage: bench/compare-hl7v2.sh   (MESSAGES=2000 RUNS=10 OUT_DIR=kept when given)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${CAREBRIDGE_BINARY:-build/carebridge}
messages=${MESSAGES:-2000}
[ -x "$binary" ] || { echo "build first (or set CAREBRIDGE_BINARY)" >&2; exit 1; }
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine
(cd bench/npm && [ -d node_modules/@medplum/hl7 ] || npm install --no-audit --no-fund --silent)
out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out/messages"

# N copies, going round the samples; MSH-10 is the 10th |-field of the first segment.
python3 - "$messages" "$out/messages" samples/hl7v2/oru_r01*.hl7 <<'PY'
import sys
count, folder, samples = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
texts = [open(s, encoding="utf-8", newline="").read() for s in samples]
for i in range(count):
    segments = texts[i % len(texts)].split("\r")
    fields = segments[0].split("|")
    fields[9] = f"BENCH{i:06d}"
    segments[0] = "|".join(fields)
    open(f"{folder}/oru-{i:06d}.hl7", "w", encoding="utf-8", newline="").write("\r".join(segments))
PY
files=("$out"/messages/*.hl7)
echo "messages: ${#files[@]} ORU^R01, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes"
# One run of each outside the timing: both must take every message.
"$binary" map --mapping hl7v2 --out-dir "$out/carebridge" "${files[@]}" >/dev/null
echo "carebridge: $(ls "$out/carebridge" | wc -l) Bundles written"
echo "medplum: $(node bench/npm/medplum-hl7-parse.js "${files[@]}")"
hyperfine --warmup 1 --runs "${RUNS:-10}" --export-markdown "$out/result.md" --export-json "$out/result.json" \
  -n carebridge "$binary map --mapping hl7v2 --out-dir $out/carebridge ${files[*]}" \
  -n 'medplum hl7 4.5.2 (parse only)' "node bench/npm/medplum-hl7-parse.js ${files[*]}"
cat "$out/result.md"
[ -n "${OUT_DIR:-}" ] || rm -rf "$out"
