#!/usr/bin/env python3
"""MLLP load: CONNECTIONS senders, each sending ORU^R01 messages one after another (as an
interface engine does: the next message after the ACK) for DURATION seconds. Each message
is samples/hl7v2/oru_r01.hl7 with its own control id, order numbers and patient, so each
one creates its records. Prints messages/s acknowledged AA and the ACK latency percentiles.
usage: mllp_load.py PORT [DURATION_S] [CONNECTIONS]"""
import socket
import sys
import threading
import time
from pathlib import Path

port = int(sys.argv[1])
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
connections = int(sys.argv[3]) if len(sys.argv) > 3 else 4
template = (Path(__file__).resolve().parents[2] / "samples/hl7v2/oru_r01.hl7").read_bytes()
latencies, codes, lock = [], {}, threading.Lock()


def sender(n):
    s = socket.create_connection(("127.0.0.1", port))
    buffer, i = b"", 0
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        tag = f"{n}x{i}".encode()
        message = (template.replace(b"LAB20260314-0042", b"LOAD-" + tag)
                   .replace(b"FL8810", b"F" + tag + b"-").replace(b"PL555", b"P" + tag + b"-")
                   .replace(b"RV100200", b"LD" + tag))
        start = time.monotonic()
        s.sendall(b"\x0b" + message + b"\x1c\r")
        while b"\x1c\r" not in buffer:
            chunk = s.recv(65536)
            if not chunk:
                return
            buffer += chunk
        ack, buffer = buffer.split(b"\x1c\r", 1)
        code = ack.split(b"MSA|", 1)[1][:2].decode() if b"MSA|" in ack else "??"
        with lock:
            latencies.append(time.monotonic() - start)
            codes[code] = codes.get(code, 0) + 1
        i += 1
    s.close()


threads = [threading.Thread(target=sender, args=(n,)) for n in range(connections)]
began = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - began
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
print(f"{len(latencies)} messages in {elapsed:.1f} s over {connections} connections: "
      f"{codes.get('AA', 0) / elapsed:.0f} AA/s; ACK codes {codes}")
print(f"ACK latency ms: p50 {pct(0.5):.1f}, p90 {pct(0.9):.1f}, p99 {pct(0.99):.1f}")
