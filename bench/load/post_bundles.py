#!/usr/bin/env python3
"""Posts FHIR Bundles to a server over one keep-alive connection, one after another,
as a hospital's interface engine sends them, and prints the stored resources per
second (entries answered 2xx over the time spent waiting for the answers).

usage: post_bundles.py BASE_URL FILE... (shared hospital/practitioner Bundles first)
Exit 1 when any entry was not stored."""
import http.client
import json
import sys
import time
import urllib.parse


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-2])
        return 2
    base = urllib.parse.urlsplit(sys.argv[1].rstrip("/"))
    conn = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=600)
    stored = sent = 0
    elapsed = 0.0
    failed = []
    for path in sys.argv[2:]:
        body = open(path, "rb").read()
        sent += len(json.loads(body).get("entry", []))
        start = time.perf_counter()
        conn.request("POST", base.path, body=body,
                     headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"})
        response = conn.getresponse()
        data = response.read()
        elapsed += time.perf_counter() - start
        entries = json.loads(data).get("entry", []) if response.status == 200 else []
        ok = sum(1 for e in entries if e.get("response", {}).get("status", "").startswith("2"))
        stored += ok
        if ok != len(entries) or response.status != 200:
            failed.append(f"{path}: {response.status}, {ok} of {len(entries)} stored")
    for f in failed[:5]:
        print(f, file=sys.stderr)
    print(f"{stored}/{sent} resources stored in {elapsed:.2f} s: {stored / elapsed:.0f} stored resources/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
