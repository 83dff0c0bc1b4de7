"""Time the items queries of the foundation issue against a live gunicorn server.

    python bench/query_bench.py [--n 100000] [--requests 400] [--threads 4] [--workers 2]

Generates N synthetic incidents (bench/generate.py), imports them into a fresh
data folder with ``incidentmap import``, serves it with gunicorn, and sends a
seeded mix of four kinds of request from T client threads: a bbox around
Baghdad with a 30-day window (limit 1000), the whole region with a 7-day window
(limit 1000), a page of 100 at a random offset, and one feature by id.
Prints p50 and p95 per kind (milliseconds), requests per second, and checks
each answer's numberMatched against the generated file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webapp.live_server import running_server  # noqa: E402

BAGHDAD = (44.0, 33.0, 44.8, 33.6)
REGION = (38.0, 29.0, 48.0, 37.0)


def window(rng: random.Random, days: int) -> tuple[str, str]:
    start = date(2023, 10, 1) + timedelta(days=rng.randrange(458 - days))
    return f"{start}T00:00:00Z", f"{start + timedelta(days=days - 1)}T23:59:59Z"


def plan(n_requests: int, n_items: int, seed: int = 42) -> list[tuple[str, str, dict]]:
    rng = random.Random(seed)
    kinds = ["baghdad_30d", "region_7d", "page_100", "by_id"] * (n_requests // 4 + 1)
    rng.shuffle(kinds)
    out = []
    for kind in kinds[:n_requests]:
        spec: dict = {}
        if kind == "baghdad_30d":
            spec = {"bbox": BAGHDAD, "datetime": window(rng, 30), "limit": 1000}
        elif kind == "region_7d":
            spec = {"bbox": REGION, "datetime": window(rng, 7), "limit": 1000}
        elif kind == "page_100":
            spec = {"limit": 100, "offset": 100 * rng.randrange(max(1, n_items // 100))}
        else:
            spec = {"id": f"inc-{rng.randint(1, n_items):07d}"}
        out.append((kind, path_of(spec), spec))
    return out


def path_of(spec: dict) -> str:
    if "id" in spec:
        return f"/collections/incidents/items/{spec['id']}?f=json"
    parts = []
    if "bbox" in spec:
        parts.append("bbox=" + ",".join(map(str, spec["bbox"])))
    if "datetime" in spec:
        parts.append("datetime=" + "/".join(spec["datetime"]))
    parts.append(f"limit={spec['limit']}")
    if spec.get("offset"):
        parts.append(f"offset={spec['offset']}")
    return "/collections/incidents/items?" + "&".join(parts) + "&f=json"


def expected_matched(features: list[dict], spec: dict) -> int | None:
    if "id" in spec:
        return None
    if "bbox" not in spec:
        return len(features)
    x0, y0, x1, y1 = spec["bbox"]
    d0, d1 = spec["datetime"][0][:10], spec["datetime"][1][:10]
    return sum(1 for f in features if x0 <= f["geometry"]["coordinates"][0] <= x1
               and y0 <= f["geometry"]["coordinates"][1] <= y1 and d0 <= f["properties"]["date"] <= d1)


def run(base: str, requests: list, threads: int) -> tuple[list, float]:
    host, port = base.removeprefix("http://").split(":")
    results: list = []
    lock = threading.Lock()
    queue = list(enumerate(requests))

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                i, (kind, path, spec) = queue.pop(0)
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results.append((i, kind, elapsed, response.status, body))
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / "incidents.geojson"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), str(source)], check=True)
        data = tmp_path / "data"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True)
        subprocess.run([sys.executable, "-m", "geo", "import", str(source), "--data", str(data)], check=True)
        print(f"import of {args.n} incidents: {time.perf_counter() - started:.1f} s")
        features = json.loads(source.read_text())["features"]
        requests = plan(args.requests, args.n)
        with running_server(data, workers=args.workers) as base:
            run(base, plan(8, args.n, seed=1), 2)  # warm every worker's index
            run(base, plan(8, args.n, seed=2), 2)
            results, wall = run(base, requests, args.threads)
        wrong = 0
        for i, _kind, _, status, body in results:
            expected = expected_matched(features, requests[i][2])
            doc = json.loads(body)
            if status != 200 or (expected is not None and doc.get("numberMatched") != expected):
                wrong += 1
        print(f"\n{args.n} incidents, gunicorn {args.workers} workers, {args.threads} client threads, "
              f"{len(results)} requests")
        print(f"{'kind':<14}{'p50 ms':>9}{'p95 ms':>9}{'n':>6}")
        for kind in ("baghdad_30d", "region_7d", "page_100", "by_id"):
            times = sorted(e for _, k, e, _, _ in results if k == kind)
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            print(f"{kind:<14}{statistics.median(times):9.1f}{p95:9.1f}{len(times):6d}")
        print(f"requests/s: {len(results) / wall:.1f}; answers with wrong counts or status: {wrong}")


if __name__ == "__main__":
    main()
