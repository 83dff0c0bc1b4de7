"""Single-incident writes on the embedded store at scale, and the reads around them.

    python bench/write_bench.py --incidents 200000 [--writes 50] [--cache /tmp/incidentmap-write-bench]

Builds a data folder of N generated incidents (bench/generate.py, then ``incidentmap init --empty``
and ``import``), cached under --cache keyed by N so a rerun skips it, and copies it to a scratch
folder so the cached one is never written. Then, in one process as a server worker would: opens
the store and indexes it (the load time is printed), and times W single-incident ``put`` writes
(alternately a new incident and a changed one) and, after each write, the read the map makes
most: a bbox-and-time items page answered as the API answers it (``geo.ogcapi.items``, then the
GeoJSON body). The last line is JSON:
``{"incidents": N, "write_median_ms": ..., "write_p95_ms": ..., "read_p50_ms": ..., "read_cpu_p50_ms": ...,
"open_ms": ...}`` (``read_cpu_p50_ms``: the reads' CPU time, steadier than wall time on a shared
machine; ``open_ms``: opening the store and indexing every collection, as a server's first read does).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import ogcapi  # noqa: E402
from geo.store.geojson import GeoJSONStore  # noqa: E402

READ = {"bbox": "44.0,33.0,44.8,33.6", "datetime": "2023-12-01T00:00:00Z/2023-12-31T23:59:59Z",
        "limit": "100"}


def prepared_data(n: int, cache: Path) -> Path:
    """A data folder holding ``n`` generated incidents, made once and reused."""
    data = cache / f"data-{n}"
    if (data / ".complete").exists():
        return data
    cache.mkdir(parents=True, exist_ok=True)
    source = cache / f"incidents-{n}.geojson"
    if data.exists():
        shutil.rmtree(data)
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(source)], check=True)
    subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "geo", "import", str(source), "--data", str(data)], check=True, cwd=ROOT)
    (data / ".complete").touch()
    return data


def incident(k: int, note: str) -> dict:
    day = f"2023-12-{1 + k % 28:02d}"
    return {"type": "Feature", "id": f"write-bench-{k:06d}",
            "geometry": {"type": "Point", "coordinates": [44.3 + (k % 50) / 100, 33.2 + (k % 30) / 100]},
            "properties": {"date": day, "date_from": day, "date_to": day, "date_precision": "day",
                           "event_type": "rocket_attack", "country_code": "IQ", "geo_precision": 2,
                           "status": "reported", "notes": note}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(data: Path, writes: int) -> tuple[list[float], list[float], list[float], float]:
    """(write times, read times, reads' CPU times, load time), all in ms. A read's CPU time (this
    thread's) leaves out waiting for a core, which on a shared machine can double the wall time."""
    started = time.perf_counter()
    store = GeoJSONStore(data)
    store.warm()
    load_ms = (time.perf_counter() - started) * 1000
    ogcapi.items(store, "http://127.0.0.1", "incidents", dict(READ)).to_geojson()
    write_ms, read_ms, read_cpu_ms = [], [], []
    for k in range(writes):
        feature = incident(k // 2, f"Benchmark incident {k // 2}, version {k % 2}.")
        started = time.perf_counter()
        store.put("incidents", feature, actor="bench")
        write_ms.append((time.perf_counter() - started) * 1000)
        started, cpu = time.perf_counter(), time.thread_time()
        ogcapi.items(store, "http://127.0.0.1", "incidents", dict(READ)).to_geojson()
        read_ms.append((time.perf_counter() - started) * 1000)
        read_cpu_ms.append((time.thread_time() - cpu) * 1000)
    return write_ms, read_ms, read_cpu_ms, load_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/incidentmap-write-bench"))
    args = parser.parse_args()

    cached = prepared_data(args.incidents, args.cache)
    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        data = Path(scratch) / "data"
        shutil.copytree(cached, data)
        write_ms, read_ms, read_cpu_ms, load_ms = run(data, args.writes)
    print(f"loaded {args.incidents} incidents in {load_ms:.0f} ms")
    print(f"{args.writes} writes: median {statistics.median(write_ms):.1f} ms, "
          f"p95 {percentile(write_ms, 0.95):.1f} ms, max {max(write_ms):.1f} ms")
    print(f"reads after each write: p50 {percentile(read_ms, 0.5):.1f} ms, max {max(read_ms):.1f} ms, "
          f"CPU p50 {percentile(read_cpu_ms, 0.5):.1f} ms")
    print(json.dumps({"incidents": args.incidents,
                      "write_median_ms": round(statistics.median(write_ms), 2),
                      "write_p95_ms": round(percentile(write_ms, 0.95), 2),
                      "read_p50_ms": round(percentile(read_ms, 0.5), 2),
                      "read_cpu_p50_ms": round(percentile(read_cpu_ms, 0.5), 2), "open_ms": round(load_ms)}))


if __name__ == "__main__":
    main()
