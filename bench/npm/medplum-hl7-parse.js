// The peer for the v2 benchmark (bench/compare-hl7v2.sh): Medplum's HL7 v2 parsing over
// the same ER7 files `carebridge map --mapping hl7v2` maps, one process for all files.
// @medplum/hl7 4.5.2 (its MLLP server) hands every message it receives to
// Hl7Message.parse of @medplum/core 4.5.2, which is what this calls: segments, fields,
// repetitions and components split; nothing mapped, validated or written. Prints the
// messages and segments parsed so the work cannot be skipped.
// usage: node medplum-hl7-parse.js FILE...
'use strict';
const fs = require('fs');
require('@medplum/hl7'); // the package whose parsing this is; loaded as its server loads it
const { Hl7Message } = require('@medplum/core');

let messages = 0;
let segments = 0;
let failures = 0;
for (const file of process.argv.slice(2)) {
  try {
    const message = Hl7Message.parse(fs.readFileSync(file, 'utf8').trimEnd());
    if (!message.getSegment('MSH')?.getField(10)?.toString()) throw new Error('no MSH-10');
    messages++;
    segments += message.segments.length;
  } catch (e) {
    failures++;
    console.error(`${file}: ${e.message}`);
  }
}
console.log(`${messages} messages, ${segments} segments parsed`);
process.exit(failures ? 1 : 0);
