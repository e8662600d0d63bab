// The peer for the conversion benchmarks: the `fhir` npm package (4.12.0) converting
// FHIR JSON files to XML with jsonToXml (or, with --to json, XML files to JSON with
// xmlToJson), one process for all files, like
// `carebridge convert --to xml|json --out-dir DIR FILE...`.
// usage: node fhir-convert.js [--to xml|json] OUT_DIR FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const { Fhir } = require('fhir');

const args = process.argv.slice(2);
let to = 'xml';
if (args[0] === '--to') {
  to = args[1];
  args.splice(0, 2);
}
const [outDir, ...files] = args;
fs.mkdirSync(outDir, { recursive: true });
const fhir = new Fhir();
let failures = 0;
for (const file of files) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const converted = to === 'json' ? fhir.xmlToJson(text) : fhir.jsonToXml(text);
    fs.writeFileSync(path.join(outDir, path.basename(file, path.extname(file)) + '.' + to), converted);
  } catch (e) {
    failures++;
    console.error(`${file}: ${e.message}`);
  }
}
process.exit(failures ? 1 : 0);
