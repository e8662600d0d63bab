// The peer for the conversion benchmark: the `fhir` npm package (4.12.0) converting
// FHIR JSON files to XML with jsonToXml, one process for all files, like
// `carebridge convert --to xml --out-dir DIR FILE...`.
// usage: node fhir-convert.js OUT_DIR FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const { Fhir } = require('fhir');

const [outDir, ...files] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
const fhir = new Fhir();
let failures = 0;
for (const file of files) {
  try {
    const xml = fhir.jsonToXml(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(path.join(outDir, path.basename(file, '.json') + '.xml'), xml);
  } catch (e) {
    failures++;
    console.error(`${file}: ${e.message}`);
  }
}
process.exit(failures ? 1 : 0);
