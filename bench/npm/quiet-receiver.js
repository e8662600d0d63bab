// A webhook receiver that answers every POST with 200 and keeps nothing: the endpoint of
// the 100 rest-hook subscriptions that bench/load/compare-server.sh (SETUP=realistic)
// keeps active on Carebridge, so that routing is switched on without a receiver taking
// CPU from the server being measured. Counts what it received, printed on SIGTERM.
// usage: node quiet-receiver.js PORT   (0: any free port; prints "listening on PORT")
'use strict';
const http = require('http');

let notifications = 0;
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    notifications++;
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    console.log(`received ${notifications} requests`);
    process.exit(0);
  });
