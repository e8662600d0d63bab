#!/usr/bin/env python3
"""Routing load: SUBSCRIBERS rest-hook subscriptions (the lab-results topic, id-only) to a
local webhook receiver, then WRITES lab results posted at RATE per second by a few writer
threads. Prints the writes acknowledged per second, the notifications received per second
and the latency from a write's acknowledgement to each of its notifications (p50, p99).
usage: routing.py BASE_URL [SUBSCRIBERS] [WRITES] [RATE]"""
import http.client
import http.server
import json
import sys
import threading
import time
import urllib.parse

base = sys.argv[1]
subscribers = int(sys.argv[2]) if len(sys.argv) > 2 else 100
writes = int(sys.argv[3]) if len(sys.argv) > 3 else 500
rate = float(sys.argv[4]) if len(sys.argv) > 4 else 50.0
url = urllib.parse.urlparse(base)
acked, received, lock = {}, [], threading.Lock()


class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.monotonic()
        bundle = json.loads(body)
        for entry in bundle["entry"][1:]:
            with lock:
                received.append((entry["fullUrl"].rsplit("/", 1)[-1], now))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"


def request(conn, method, path, body):
    conn.request(method, path, body=json.dumps(body), headers={"Content-Type": "application/fhir+json"})
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


conn = http.client.HTTPConnection(url.hostname, url.port)
status, patient = request(conn, "POST", url.path + "/Patient", {"resourceType": "Patient", "name": [{"family": "Load"}]})
for _ in range(subscribers):
    request(conn, "POST", url.path + "/Subscription", {
        "resourceType": "Subscription", "status": "requested", "reason": "load",
        "criteria": "http://carebridge.example/fhir/SubscriptionTopic/lab-results",
        "channel": {"type": "rest-hook", "endpoint": hook, "payload": "application/fhir+json",
                    "_payload": {"extension": [{"url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content",
                                                "valueCode": "id-only"}]}}})
time.sleep(2)  # handshakes
observation = {"resourceType": "Observation", "status": "final",
               "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
               "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
               "subject": {"reference": "Patient/" + patient["id"]}, "valueQuantity": {"value": 100, "unit": "mg/dL"}}


def writer(count, interval):
    c = http.client.HTTPConnection(url.hostname, url.port)
    next_at = time.monotonic()
    for _ in range(count):
        next_at += interval
        status, created = request(c, "POST", url.path + "/Observation", observation)
        with lock:
            acked[created.get("id")] = time.monotonic()
        time.sleep(max(0, next_at - time.monotonic()))


threads = 4
began = time.monotonic()
workers = [threading.Thread(target=writer, args=(writes // threads, threads / rate)) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
written = time.monotonic() - began
expected = len(acked) * subscribers
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    with lock:
        if len(received) >= expected:
            break
    time.sleep(0.1)
elapsed = time.monotonic() - began
with lock:
    latencies = sorted(at - acked[i] for i, at in received if i in acked)
pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
print(f"{len(acked)} writes in {written:.1f} s ({len(acked) / written:.0f}/s) with {subscribers} subscribers; "
      f"{len(received)} of {expected} notifications in {elapsed:.1f} s ({len(received) / elapsed:.0f}/s)")
print(f"write acknowledged -> notification received, ms: p50 {pct(0.5):.1f}, p99 {pct(0.99):.1f}")
