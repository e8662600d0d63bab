# Sourced by the load scripts: starts `carebridge serve` on a free loopback port with a
# fresh data folder (request log off), stops it and removes the folder on exit, and sets
# `base` ("http://127.0.0.1:PORT") once /fhir/metadata answers. $CAREBRIDGE_BINARY picks
# the binary (default build/carebridge).
binary=${CAREBRIDGE_BINARY:-build/carebridge}
work=$(mktemp -d)
"$binary" serve --listen 127.0.0.1:0 --data-dir "$work/data" --port-file "$work/port" \
  --config <(echo '{"logging":{"requests":false}}') >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do [ -s "$work/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$work/port")"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$base/fhir/metadata" && break; sleep 0.1; done
