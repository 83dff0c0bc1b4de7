"""How the server answers while callers without a token do their worst (issue 16).

    python bench/availability_bench.py [--workers 2] [--half-sent 20] [--ingests 2] [--rounds 15]

Starts `incidentmap serve` (gunicorn with webapp.worker, as shipped) over a fresh data folder on
127.0.0.1 and prints, as medians:

- how long the server takes to answer its first request, and its first ingest (a short report:
  the extractor is built before the workers fork, so it should not pay for loading);
- GET /collections with nothing else going on;
- GET /collections while --half-sent connections hold half-sent requests and --ingests ingests of
  the largest report a caller without a token may send (MAX_PUBLIC_INGEST_BYTES) are in flight,
  started afresh each round;
- how long each of those ingests took.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webapp.live_server import free_port, start_server, wait_until_up  # noqa: E402
from webapp.settings import SETTINGS  # noqa: E402

SENTENCE = "A rocket hit the Ain al-Asad air base on Friday, officials said. "
HALF_SENT = b"GET /collections HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: appl"


def ingest_request(size: int) -> bytes:
    text = (SENTENCE * (size // len(SENTENCE) + 1))[:size - 100]
    body = json.dumps({"text": text}).encode()
    return (b"POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


def answer(sock: socket.socket) -> int:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    return int(data.split(b" ", 2)[1]) if data else 0


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def get(base: str) -> None:
    with urllib.request.urlopen(f"{base}/collections", timeout=120) as response:
        response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--half-sent", type=int, default=20)
    parser.add_argument("--ingests", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    limit = next(s.default for s in SETTINGS if s.name == "MAX_PUBLIC_INGEST_BYTES")
    with tempfile.TemporaryDirectory() as tmp:
        from geo.datadir import init_data_dir

        folder = Path(tmp) / "data"
        init_data_dir(folder)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        host = ("127.0.0.1", port)
        started = time.monotonic()
        # no rate limit here: the bench sends more ingests than one client may
        proc = start_server(folder, port, args.workers, env={"INCIDENTMAP_INGEST_RATE_LIMIT": "off"})
        try:
            wait_until_up(base, proc, Path(tmp) / f"server-{port}.log")
            print(f"server answering after {time.monotonic() - started:.1f} s")
            short = json.dumps({"text": SENTENCE, "published": "2024-01-12"}).encode()
            first = timed(lambda: urllib.request.urlopen(urllib.request.Request(
                f"{base}/ingest", data=short, headers={"Content-Type": "application/json"})).read())
            print(f"first ingest of a short report: {first:.0f} ms")
            idle = [timed(lambda: get(base)) for _ in range(50)]
            print(f"GET /collections, idle: p50 {statistics.median(idle):.1f} ms")
            loaded, ingest_ms = [], []
            request = ingest_request(limit)
            for _ in range(args.rounds):
                halves = [socket.create_connection(host) for _ in range(args.half_sent)]
                for sock in halves:
                    sock.sendall(HALF_SENT)
                begun = time.perf_counter()
                ingests = [socket.create_connection(host, timeout=300) for _ in range(args.ingests)]
                for sock in ingests:
                    sock.sendall(request)
                results: list[int] = []
                readers = [threading.Thread(target=lambda s=sock, out=results: out.append(answer(s)))
                           for sock in ingests]
                for reader in readers:
                    reader.start()
                loaded.append(timed(lambda: get(base)))
                for reader in readers:
                    reader.join()
                ingest_ms.append((time.perf_counter() - begun) * 1000)
                assert results == [200] * args.ingests, results
                for sock in halves:
                    sock.close()
            print(f"GET /collections with {args.half_sent} half-sent requests and {args.ingests} ingests of "
                  f"{limit:,} bytes in flight: p50 {statistics.median(loaded):.1f} ms, "
                  f"max {max(loaded):.1f} ms ({args.rounds} rounds)")
            print(f"those ingests, all {args.ingests} answered: p50 {statistics.median(ingest_ms):.0f} ms")
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
